//! Read-only views of the simulated host for tests and the runner.

use super::{AdapterId, Sim};
use crate::model::adapter::Phase;
use crate::model::attributes::{GeneralAttributes, ReceiveFilterCapabilities, RegistrationAttributes};
use crate::model::calls::Env;
use crate::model::driver::Characteristics;
use crate::model::report::{Report, StatusRecord};
use crate::model::rules::Violation;
use crate::model::shared_memory::SharedBlock;

impl<E: Env> Sim<E> {
    /// The adapter's phase (`None` if unknown).
    pub fn phase(&mut self, a: AdapterId) -> Option<Phase> {
        self.with_model(|m, _| m.adapter(a.0).map(|s| s.phase))
    }

    /// The run report.
    pub fn report(&mut self) -> Report {
        self.with_model(|m, _| m.report())
    }

    /// Removes and returns the violations recorded since the last call.
    pub fn take_violations(&mut self) -> Vec<Violation> {
        self.with_model(|m, _| m.take_violations())
    }

    /// The violations not yet taken (they stay recorded).
    pub fn violations(&mut self) -> Vec<Violation> {
        self.with_model(|m, _| m.violations().to_vec())
    }

    /// The current simulated IRQL.
    pub fn irql(&mut self) -> u8 {
        self.with_model(|m, _| m.irql())
    }

    /// The characteristics the driver registered.
    pub fn characteristics(&mut self) -> Option<Characteristics> {
        self.with_model(|m, _| m.driver().and_then(|d| d.characteristics))
    }

    /// The registration attributes the adapter set.
    pub fn registration_attributes(&mut self, a: AdapterId) -> Option<RegistrationAttributes> {
        self.with_model(|m, _| m.adapter(a.0).and_then(|s| s.attributes.registration))
    }

    /// The general attributes the adapter set.
    pub fn general_attributes(&mut self, a: AdapterId) -> Option<GeneralAttributes> {
        self.with_model(|m, _| m.adapter(a.0).and_then(|s| s.attributes.general.clone()))
    }

    /// (Hardware, Current) receive-filter capabilities from the hardware-assist attributes.
    pub fn receive_filter_capabilities(
        &mut self,
        a: AdapterId,
    ) -> Option<(ReceiveFilterCapabilities, ReceiveFilterCapabilities)> {
        self.with_model(|m, _| m.adapter(a.0).and_then(|s| s.attributes.hardware_assist).and_then(|h| h.receive_filter))
    }

    /// Keywords the driver read through NdisReadConfiguration, in order (lower case).
    pub fn keywords_read(&mut self, a: AdapterId) -> Vec<String> {
        self.with_model(|m, _| m.adapter(a.0).map(|s| s.keywords_read.clone()).unwrap_or_default())
    }

    /// QueueIds NDIS currently has allocated on the adapter.
    pub fn queues(&mut self, a: AdapterId) -> Vec<u32> {
        self.with_model(|m, _| m.adapter(a.0).map(|s| s.queues.keys().copied().collect()).unwrap_or_default())
    }

    /// (FilterId, QueueId) of the filters NDIS currently has set on the adapter.
    pub fn filters(&mut self, a: AdapterId) -> Vec<(u32, u32)> {
        self.with_model(|m, _| m.adapter(a.0).map(|s| s.filters.ids().collect()).unwrap_or_default())
    }

    /// Live shared-memory blocks of the adapter.
    pub fn shared_memory_blocks(&mut self, a: AdapterId) -> Vec<SharedBlock> {
        self.with_model(|m, _| m.shared_memory_blocks(a.0))
    }

    /// Every status indication so far (all adapters).
    pub fn status_indications(&mut self) -> Vec<StatusRecord> {
        self.with_model(|m, _| m.status_indications().to_vec())
    }

    /// NdisAllocateSharedMemory calls so far (the fault-injection points a run reaches).
    pub fn shared_memory_allocation_calls(&mut self) -> u64 {
        self.with_model(|m, _| m.shared_memory_allocation_calls())
    }

    /// NdisAllocateMemoryWithTagPriority calls so far.
    pub fn pool_allocation_calls(&mut self) -> u64 {
        self.with_model(|m, _| m.pool_allocation_calls())
    }

    /// NdisAllocateNetBufferListPool, NdisAllocateNetBufferAndNetBufferList and NdisAllocateMdl
    /// calls so far (counted together, like `HostConfig::fail_nbl_allocation`).
    pub fn nbl_allocation_calls(&mut self) -> u64 {
        self.with_model(|m, _| m.nbl_allocation_calls())
    }

    /// (NBL pools, NBLs, MDLs) allocated by the driver and not freed yet.
    pub fn nbl_live(&mut self) -> (usize, usize, usize) {
        self.with_model(|m, _| m.nbl_live())
    }

    /// Checks that no freed shared-memory block still held poisoned (the most recent
    /// [`QUARANTINE_BLOCKS`](crate::model::quarantine::QUARANTINE_BLOCKS)) was written since it was freed;
    /// records `shared-memory.touched-after-free` otherwise. Unload checks them too.
    pub fn check_freed_shared_memory(&mut self) {
        self.with_model(|m, mem| m.check_freed_shared_memory(mem));
    }

    /// Received NBL counts by receive queue id (from the NBL filtering info).
    pub fn received_by_queue(&mut self, a: AdapterId) -> Vec<(u32, u64)> {
        self.with_model(|m, _| {
            m.adapter(a.0).map(|s| s.received_by_queue.iter().map(|(q, n)| (*q, *n)).collect()).unwrap_or_default()
        })
    }

    /// Whether a surprise-removal event was delivered.
    pub fn surprise_removed(&mut self, a: AdapterId) -> bool {
        self.with_model(|m, _| m.adapter(a.0).is_some_and(|s| s.surprise_removed))
    }
}
