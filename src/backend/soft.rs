//! `SoftNic`: a software VMQ NIC (no hardware, no interrupts), root-enumerated like netvmini.
//!
//! <https://github.com/microsoft/Windows-driver-samples/tree/main/network/ndis/netvmini>

use super::NicBackend;
use crate::kernel::QueueId;
use crate::kernel::hub::HubRef;

/// Queues the software NIC offers besides the default queue.
pub const SOFT_NIC_QUEUES: u32 = 256;
/// MAC header filters it can hold (the core's demux table holds as many).
pub const SOFT_NIC_FILTERS: u32 = 512;
/// Advertised link speed: 10 Gb/s.
pub const SOFT_NIC_LINK_SPEED: u64 = 10_000_000_000;

const DMA_WORDS: usize = (SOFT_NIC_QUEUES as usize + 1).div_ceil(64);

/// The software NIC: a MAC address, a DMA-running bit per queue, and the segment (hub) it
/// shares with the driver's other software adapters.
#[derive(Debug, Clone)]
pub struct SoftNic {
    mac: [u8; 6],
    dma_running: [u64; DMA_WORDS],
    hub: Option<HubRef>,
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
        Self { mac: [0x02, 0x56, 0x4D, 0x51, hi, lo], dma_running: [0; DMA_WORDS], hub: None }
    }

    /// The same NIC on the driver's segment: its sends go to the hub's other adapters.
    #[must_use]
    pub const fn on_hub(mut self, hub: HubRef) -> Self {
        self.hub = Some(hub);
        self
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
