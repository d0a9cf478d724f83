//! Kernel DPC objects: `KeInitializeDpc`, `KeSetTargetProcessorDpcEx`, `KeInsertQueueDpc`,
//! `KeRemoveQueueDpc` and the queue `KeFlushQueuedDpcs` drains. A root-enumerated miniport has
//! no interrupt for `NdisMQueueDpcEx`; the software NIC gives each processor a receive DPC of
//! its own with these routines. `crate::sim` runs queued DPCs at DISPATCH_LEVEL on their target
//! processor once the host action that queued them returns (and inside `KeFlushQueuedDpcs`).
//!
//! The model knows a DPC by its KDPC address; it never reads or writes the object. A pool block
//! freed while it holds a queued KDPC is `dpc.freed-while-queued` (the kernel would run a DPC
//! from freed memory).
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keinitializedpc>,
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesettargetprocessordpcex>,
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keinsertqueuedpc>,
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keremovequeuedpc> and
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keflushqueueddpcs>.

use std::collections::{BTreeMap, VecDeque};

use super::Model;
use super::config::PASSIVE_LEVEL;
use super::memory::{AddressSpace, MemExt};
use super::rules;

/// `STATUS_INVALID_PARAMETER`.
const STATUS_INVALID_PARAMETER: i32 = 0xC000_000D_u32 as i32;

/// One KDPC the driver initialized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KernelDpc {
    /// DeferredRoutine.
    pub routine: u64,
    /// DeferredContext.
    pub context: u64,
    /// Target processor (`None`: the processor that queues it).
    pub target: Option<u32>,
}

/// A queued DPC, ready to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueuedKernelDpc {
    /// The KDPC address.
    pub dpc: u64,
    /// Its routine and context.
    pub object: KernelDpc,
    /// SystemArgument1 / SystemArgument2.
    pub arguments: (u64, u64),
    /// The processor it runs on.
    pub processor: u32,
}

/// Initialized DPC objects and the DPC queue (one queue, oldest first).
#[derive(Debug, Default)]
pub struct KernelDpcs {
    objects: BTreeMap<u64, KernelDpc>,
    queued: VecDeque<QueuedKernelDpc>,
    /// DPCs that ran (for reports).
    ran: u64,
}

impl Model {
    /// `KeInitializeDpc` (any IRQL).
    pub fn initialize_dpc(&mut self, dpc: u64, routine: u64, context: u64) {
        if dpc == 0 || routine == 0 {
            self.violate(
                rules::DPC_MISUSE,
                format!("KeInitializeDpc: KDPC {dpc:#x} with DeferredRoutine {routine:#x}"),
            );
            return;
        }
        if self.kernel_dpcs.queued.iter().any(|q| q.dpc == dpc) {
            self.violate(rules::DPC_MISUSE, format!("KeInitializeDpc: KDPC {dpc:#x} is queued"));
        }
        self.kernel_dpcs.objects.insert(dpc, KernelDpc { routine, context, target: None });
    }

    /// `KeSetTargetProcessorDpcEx` (<= DISPATCH_LEVEL): STATUS_INVALID_PARAMETER for a
    /// processor the host does not have.
    pub fn set_target_processor_dpc(&mut self, mem: &mut dyn AddressSpace, dpc: u64, number: u64) -> i32 {
        const API: &str = "KeSetTargetProcessorDpcEx";
        if !self.kernel_dpcs.objects.contains_key(&dpc) {
            self.violate(rules::DPC_MISUSE, format!("{API}: KDPC {dpc:#x} was never initialized with KeInitializeDpc"));
            return STATUS_INVALID_PARAMETER;
        }
        let read = mem.read_u16(number).and_then(|group| Ok((group, mem.read_u8(number + 2)?)));
        let (group, processor) = match read {
            Ok(v) => v,
            Err(fault) => return self.fault(API, fault).unwrap_or(STATUS_INVALID_PARAMETER),
        };
        if group != 0 || u32::from(processor) >= self.processor_count() {
            return STATUS_INVALID_PARAMETER;
        }
        if let Some(o) = self.kernel_dpcs.objects.get_mut(&dpc) {
            o.target = Some(u32::from(processor));
        }
        0
    }

    /// `KeInsertQueueDpc` (any IRQL): 1 when queued, 0 when it already was.
    pub fn insert_queue_dpc(&mut self, dpc: u64, argument1: u64, argument2: u64) -> u8 {
        let Some(object) = self.kernel_dpcs.objects.get(&dpc).copied() else {
            self.violate(
                rules::DPC_MISUSE,
                format!("KeInsertQueueDpc: KDPC {dpc:#x} was never initialized with KeInitializeDpc"),
            );
            return 0;
        };
        if self.kernel_dpcs.queued.iter().any(|q| q.dpc == dpc) {
            return 0;
        }
        let processor = object.target.unwrap_or_else(|| self.current_processor());
        self.kernel_dpcs.queued.push_back(QueuedKernelDpc {
            dpc,
            object,
            arguments: (argument1, argument2),
            processor,
        });
        1
    }

    /// `KeRemoveQueueDpc` (any IRQL): 1 when it was queued.
    pub fn remove_queue_dpc(&mut self, dpc: u64) -> u8 {
        let before = self.kernel_dpcs.queued.len();
        self.kernel_dpcs.queued.retain(|q| q.dpc != dpc);
        u8::from(self.kernel_dpcs.queued.len() != before)
    }

    /// Switches `HostConfig::hold_kernel_dpcs` at run time (a stress leaves a send's DPCs
    /// queued into the next host action).
    pub fn set_hold_kernel_dpcs(&mut self, hold: bool) {
        self.config.hold_kernel_dpcs = hold;
    }

    /// `KeFlushQueuedDpcs` is called: PASSIVE_LEVEL only.
    pub fn check_flush_queued_dpcs(&mut self) {
        if self.irql != PASSIVE_LEVEL {
            self.violate(rules::DPC_MISUSE, format!("KeFlushQueuedDpcs at IRQL {} (PASSIVE_LEVEL only)", self.irql));
        }
    }

    /// The oldest queued DPC (taken off the queue), to run.
    pub fn take_queued_kernel_dpc(&mut self) -> Option<QueuedKernelDpc> {
        let d = self.kernel_dpcs.queued.pop_front()?;
        self.kernel_dpcs.ran += 1;
        Some(d)
    }

    /// Whether a DPC is queued.
    pub fn has_queued_kernel_dpc(&self) -> bool {
        !self.kernel_dpcs.queued.is_empty()
    }

    /// DPCs run so far.
    pub fn kernel_dpcs_run(&self) -> u64 {
        self.kernel_dpcs.ran
    }

    /// A pool block `[start, start + len)` is being freed: its DPC objects die with it, and a
    /// queued one is reported.
    pub(super) fn check_dpcs_in_freed_block(&mut self, start: u64, len: u64) {
        let inside = |a: u64| a >= start && a < start + len;
        let queued: Vec<u64> = self.kernel_dpcs.queued.iter().map(|q| q.dpc).filter(|a| inside(*a)).collect();
        for dpc in queued {
            self.violate(
                rules::DPC_FREED_WHILE_QUEUED,
                format!("pool block {start:#x} freed while KDPC {dpc:#x} in it is queued (KeRemoveQueueDpc / KeFlushQueuedDpcs first)"),
            );
        }
        self.kernel_dpcs.queued.retain(|q| !inside(q.dpc));
        self.kernel_dpcs.objects.retain(|a, _| !inside(*a));
    }
}
