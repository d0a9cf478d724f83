//! The hardware seam: what the VMQ core asks of a NIC, and the software NIC vmqnic ships.
//!
//! A real VMQ NIC would implement [`NicBackend`] over its registers and DMA rings;
//! [`soft::SoftNic`] is a root-enumerated virtual NIC in the spirit of Microsoft's
//! netvmini sample, so the driver runs (and is tested) anywhere.
//! No `unsafe` here.
//!
//! Layering: this module sits between [`crate::kernel`] and the VMQ core. It may name the
//! kernel (for [`QueueId`], and for a DMA NIC the buffer types of `kernel::nbl`), never the core
//! or the trampolines; the core is generic over [`NicBackend`], and only `ffi` names a
//! concrete back end (`ffi::DriverAdapter`). `tests/layers.rs` holds all three to it.
//!
//! Receive buffers. The software NIC has no descriptors: the core copies each looped-back
//! frame into a buffer it takes from the queue's `vmq::rx_memory::RxMemory` (`copy_in`).
//! A DMA NIC (the Intel 82576's receive descriptors hold a buffer address the NIC writes
//! through) uses the very same buffers without the copy, as a descriptor ring whose
//! descriptor, buffer and index are one thing: when its queue starts, the core takes free
//! buffers (`RxMemory::take`) and hands each one's index and `RxMemory::location` (logical
//! address) to the back end to post in a descriptor; when the NIC writes a descriptor back
//! ("buffer N, L bytes"), the core calls `RxMemory::complete(N, L)` and indicates the NBL;
//! NDIS's return gives it back (`RxMemory::give_back`) to be posted again, and buffers
//! still posted when DMA stops go back with `RxMemory::cancel`. The methods that carry
//! those two steps (post a buffer, report completions) join this trait with that back end;
//! what they exchange (`QueueId`, `kernel::nbl::BufferIndex`, `kernel::nbl::BufferLocation`,
//! a length) is all in the kernel layer, nameable here without an upward arrow.

pub mod igb;
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
