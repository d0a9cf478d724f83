//! The hardware seam: what the VMQ core asks of a NIC, and the software NIC vmqnic ships.
//!
//! A real VMQ NIC would implement [`NicBackend`] over its registers and DMA rings;
//! [`soft::SoftNic`] is a root-enumerated virtual NIC in the spirit of Microsoft's
//! netvmini sample, so the driver runs (and is tested) anywhere.
//! No `unsafe` here.

pub mod soft;

use crate::kernel::QueueId;

/// Facts and per-queue DMA control of a VMQ-capable NIC.
///
/// Methods run under the adapter spin lock (IRQL = DISPATCH_LEVEL) and must not block.
pub trait NicBackend {
    /// Permanent MAC address.
    fn mac_address(&self) -> [u8; 6];
    /// Link speed in bits per second.
    fn link_speed(&self) -> u64;
    /// VM queues the hardware offers, not counting the default queue.
    fn num_vm_queues(&self) -> u32;
    /// MAC header filters the hardware can hold (at least `num_vm_queues`).
    fn max_mac_header_filters(&self) -> u32;
    /// `true` for a device that DMAs into host memory itself: the driver then
    /// registers scatter-gather DMA before any shared-memory allocation.
    fn is_bus_master(&self) -> bool;
    /// Starts DMA into `queue_id`'s receive buffers.
    fn start_queue_dma(&mut self, queue: QueueId);
    /// Stops DMA into `queue_id`'s receive buffers; when this returns no further
    /// write into that queue's shared memory happens.
    fn stop_queue_dma(&mut self, queue: QueueId);
    /// Whether DMA into `queue_id` is running.
    fn queue_dma_running(&self, queue: QueueId) -> bool;
}
