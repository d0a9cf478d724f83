//! `SoftNic`: a software VMQ NIC (no hardware), root-enumerated like netvmini.
//!
//! Its "interrupts" are kernel DPCs, one per processor ([`DpcSet`]): a frame the hub delivers
//! is copied into its queue's buffer and waits in the queue's pending chain; the DPC of the
//! queue's `ProcessorAffinity` processor indicates it, at DISPATCH_LEVEL on that processor —
//! what MSI_X_SUPPORTED, INTERRUPT_VECTOR_COALESCING_SUPPORTED (queues of one processor share
//! its DPC) and DYNAMIC_PROCESSOR_AFFINITY_CHANGE_SUPPORTED promise ("VMQ interrupt
//! requirements").
//!
//! <https://github.com/microsoft/Windows-driver-samples/tree/main/network/ndis/netvmini>

use super::NicBackend;
use crate::kernel::QueueId;
use crate::kernel::dpc::DpcSet;
use crate::kernel::hub::HubRef;

/// Queues the software NIC offers besides the default queue.
pub const SOFT_NIC_QUEUES: u32 = 256;
/// MAC header filters it can hold (the core's demux table holds as many).
pub const SOFT_NIC_FILTERS: u32 = 512;
/// Advertised link speed: 10 Gb/s.
pub const SOFT_NIC_LINK_SPEED: u64 = 10_000_000_000;

const DMA_WORDS: usize = (SOFT_NIC_QUEUES as usize + 1).div_ceil(64);

/// The software NIC: a MAC address, a DMA-running bit per queue, the segment (hub) it shares
/// with the driver's other software adapters, and its receive DPCs.
#[derive(Debug)]
pub struct SoftNic {
    mac: [u8; 6],
    dma_running: [u64; DMA_WORDS],
    hub: Option<HubRef>,
    dpcs: Option<DpcSet>,
}

impl SoftNic {
    /// A software NIC whose permanent address is the locally administered 02:56:4D:51:hh:ll,
    /// `hh:ll` the low 16 bits of `instance` (the adapter's `IfIndex`, unique on the host), so
    /// the adapters of one driver have distinct addresses on a shared segment. It declares
    /// itself a bus master, as the hardware back end is, so the driver registers
    /// scatter-gather DMA before it allocates shared memory ("NdisAllocateSharedMemory").
    #[must_use]
    pub const fn new(instance: u32) -> Self {
        // CAST: the low 16 bits of the instance number, by design.
        let [_, _, hi, lo] = instance.to_be_bytes();
        Self { mac: [0x02, 0x56, 0x4D, 0x51, hi, lo], dma_running: [0; DMA_WORDS], hub: None, dpcs: None }
    }

    /// The same NIC on the driver's segment: its sends go to the hub's other adapters.
    #[must_use]
    pub const fn on_hub(mut self, hub: HubRef) -> Self {
        self.hub = Some(hub);
        self
    }

    /// The same NIC with receive DPCs (frames wait for them once [`SoftNic::dpcs`] started).
    #[must_use]
    pub fn with_dpcs(mut self, dpcs: DpcSet) -> Self {
        self.dpcs = Some(dpcs);
        self
    }

    /// The receive DPCs, to start once the adapter context exists.
    pub const fn dpcs(&mut self) -> Option<&mut DpcSet> {
        self.dpcs.as_mut()
    }

    /// The segment this NIC is on (`None`: not on one, e.g. in unit tests).
    #[must_use]
    pub const fn hub(&self) -> Option<HubRef> {
        self.hub
    }

    fn bit(queue: QueueId) -> Option<(usize, u64)> {
        let q = usize::try_from(queue.raw()).ok()?;
        (q <= SOFT_NIC_QUEUES as usize).then(|| (q / 64, 1u64 << (q % 64)))
    }
}

impl NicBackend for SoftNic {
    fn mac_address(&self) -> [u8; 6] {
        self.mac
    }
    fn link_speed(&self) -> u64 {
        SOFT_NIC_LINK_SPEED
    }
    fn num_vm_queues(&self) -> u32 {
        SOFT_NIC_QUEUES
    }
    fn max_mac_header_filters(&self) -> u32 {
        SOFT_NIC_FILTERS
    }
    fn is_bus_master(&self) -> bool {
        true
    }
    fn start_queue_dma(&mut self, queue: QueueId) {
        if let Some((word, mask)) = Self::bit(queue) {
            self.dma_running[word] |= mask;
        }
    }
    fn stop_queue_dma(&mut self, queue: QueueId) {
        if let Some((word, mask)) = Self::bit(queue) {
            self.dma_running[word] &= !mask;
        }
    }
    fn queue_dma_running(&self, queue: QueueId) -> bool {
        Self::bit(queue).is_some_and(|(word, mask)| self.dma_running[word] & mask != 0)
    }
    fn defers_receive(&self) -> bool {
        self.dpcs.as_ref().is_some_and(DpcSet::started)
    }
    fn queue_receive_dpc(&mut self, processor: u32) {
        if let Some(dpcs) = self.dpcs.as_mut() {
            dpcs.queue(processor);
        }
    }
    fn cancel_receive_dpcs(&mut self) {
        if let Some(dpcs) = self.dpcs.as_mut() {
            dpcs.cancel();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dma_bits_are_per_queue() {
        let mut nic = SoftNic::new(1);
        let q = QueueId::new;
        let last = SOFT_NIC_QUEUES;
        nic.start_queue_dma(q(0));
        nic.start_queue_dma(q(last));
        assert!(nic.queue_dma_running(q(0)) && nic.queue_dma_running(q(last)));
        assert!(!nic.queue_dma_running(q(1)));
        nic.stop_queue_dma(q(last));
        assert!(!nic.queue_dma_running(q(last)) && nic.queue_dma_running(q(0)));
        nic.start_queue_dma(q(last + 1)); // beyond the NIC: ignored
        assert!(!nic.queue_dma_running(q(last + 1)));
    }
}
