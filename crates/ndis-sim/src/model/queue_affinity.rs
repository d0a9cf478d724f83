//! A VM queue's indications arrive on its affinity processor, at DISPATCH_LEVEL.
//!
//! The vSwitch gives each VM queue a `ProcessorAffinity` in OID_RECEIVE_FILTER_ALLOCATE_QUEUE
//! and may move it with OID_RECEIVE_FILTER_QUEUE_PARAMETERS (flag PROCESSOR_AFFINITY_CHANGED);
//! the miniport receives for the queue from a DPC on that processor (its MSI-X message targets
//! it). The model keeps the affinity in the queue's record ([`super::queue_state::QueueRecord`]),
//! records for every queue the processors its indications came on (for reports), and checks
//! `receive.queue-processor` / `receive.queue-irql` for the PCI-backed adapter — or for every
//! adapter when `HostConfig::queue_affinity_for_all_adapters` is set (the software NIC indicates
//! from MiniportSendNetBufferLists on the sender's processor until it has per-queue DPCs).
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_receive_queue_parameters>
//! and <https://learn.microsoft.com/windows-hardware/drivers/network/vmq-receive-path>.

use std::collections::{BTreeMap, BTreeSet};

use ndis_sys::NDIS_RECEIVE_QUEUE_PARAMETERS_PROCESSOR_AFFINITY_CHANGED;

use super::Model;
use super::config::DISPATCH_LEVEL;
use super::memory::{AddressSpace, MemExt};
use super::oid::read_affinity;
use super::rules;

/// The processors each queue's indications came on, by (adapter, QueueId). A QueueId NDIS
/// reuses after a FREE_QUEUE adds to the same set.
#[derive(Debug, Default)]
pub struct QueueAffinity {
    seen: BTreeMap<(u64, u32), BTreeSet<u32>>,
}

/// What one affinity check found wrong: (rule, detail).
pub(super) type Finding = (&'static str, String);

impl Model {
    /// OID_RECEIVE_FILTER_QUEUE_PARAMETERS (set) completed with SUCCESS: a new affinity when
    /// its Flags carry PROCESSOR_AFFINITY_CHANGED.
    pub(super) fn apply_queue_parameters(&mut self, mem: &dyn AddressSpace, adapter: u64, buffer: u64, len: u32) {
        let flags_at = off!(NDIS_RECEIVE_QUEUE_PARAMETERS, Flags);
        let queue_at = off!(NDIS_RECEIVE_QUEUE_PARAMETERS, QueueId);
        if u64::from(len) < queue_at + 4 {
            return;
        }
        let (Ok(flags), Ok(queue)) = (mem.read_u32(buffer + flags_at), mem.read_u32(buffer + queue_at)) else {
            return;
        };
        if flags & NDIS_RECEIVE_QUEUE_PARAMETERS_PROCESSOR_AFFINITY_CHANGED == 0 {
            return;
        }
        let Ok(Some(affinity)) = read_affinity(mem, buffer, len) else { return };
        if let Some(r) = self.adapter_mut(adapter).and_then(|a| a.queues.get_mut(&queue)) {
            r.affinity = affinity;
        }
    }

    /// Records the current processor for an indication from `queue` and, where the rule
    /// applies (a VM queue of the PCI-backed adapter, or any adapter with the host switch on),
    /// returns what is wrong with processor and IRQL.
    pub(super) fn check_queue_affinity(&mut self, adapter: u64, queue: u32) -> Vec<Finding> {
        let processor = self.current_processor();
        self.affinity.seen.entry((adapter, queue)).or_default().insert(processor);
        let applies = queue != 0 && (self.is_pci_adapter(adapter) || self.config.queue_affinity_for_all_adapters);
        let Some(record) = self.adapter(adapter).and_then(|a| a.queues.get(&queue)).filter(|_| applies) else {
            return Vec::new();
        };
        let (group, mask) = record.affinity;
        let mut found = Vec::new();
        if group != 0 || processor >= 64 || mask & (1 << processor) == 0 {
            found.push((
                rules::RECEIVE_QUEUE_PROCESSOR,
                format!(
                    "indication from queue {queue} of adapter {adapter:#x} on processor {processor}, outside its \
                     ProcessorAffinity (group {group}, mask {mask:#x})"
                ),
            ));
        }
        if self.irql != DISPATCH_LEVEL {
            found.push((
                rules::RECEIVE_QUEUE_IRQL,
                format!(
                    "indication from queue {queue} of adapter {adapter:#x} at IRQL {} (a queue indicates from its \
                     DPC, at DISPATCH_LEVEL)",
                    self.irql
                ),
            ));
        }
        found
    }

    /// The processors each queue of `adapter` indicated on (QueueId → processors).
    pub fn indication_processors(&self, adapter: u64) -> BTreeMap<u32, BTreeSet<u32>> {
        self.affinity.seen.iter().filter(|((a, _), _)| *a == adapter).map(|((_, q), set)| (*q, set.clone())).collect()
    }
}
