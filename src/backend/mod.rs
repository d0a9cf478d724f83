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
pub mod nic;
pub mod soft;

use crate::kernel::QueueId;
use crate::kernel::msix::MessageTargets;
use crate::kernel::nbl::BufferIndex;

/// A receive buffer a DMA NIC wrote (what its descriptor's write-back says).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RxDone {
    /// The buffer (for `RxMemory::complete`).
    pub buffer: BufferIndex,
    /// Bytes the NIC wrote.
    pub length: u32,
    /// `NDIS_NET_BUFFER_LIST_8021Q_INFO` of the tag the NIC took out of the frame (0: none).
    pub ieee8021q: usize,
    /// A whole frame without errors; otherwise the buffer is re-posted, the frame counted as an error.
    pub good: bool,
}

/// What an interrupt message asks its DPC to do (bit `n` of `rx_rings`: the NIC's receive
/// ring `n`, whose queue the back end names with [`NicBackend::queue_of_ring`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MessageWork {
    /// Receive rings whose MSI-X table entry is mapped to this message.
    pub rx_rings: u32,
    /// Transmit completions.
    pub tx: bool,
    /// Other causes: link status change.
    pub other: bool,
}

/// The link as the NIC reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    /// Connected.
    pub up: bool,
    /// Bits per second (meaningful when up).
    pub speed: u64,
}

/// What the NIC could not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NicError {
    /// No free hardware resource (pool, filter entry, ring slot).
    Exhausted,
    /// The device did not respond as its datasheet says (a register did not read back).
    Device,
    /// An allocation (descriptor ring memory) failed.
    Resources,
}

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

    /// The largest frame (without FCS, with the 14-byte header) the NIC receives and sends
    /// when the standardized `*JumboPacket` keyword asks for `configured` (1514, 4088 or
    /// 9014): the MTU the adapter reports is this minus 14. The software NIC's wire carries
    /// any of them (frames longer than a 2 KiB receive buffer take several buffers).
    fn max_frame_size(&self, configured: u32) -> u32 {
        configured
    }

    /// Link state now.
    fn link(&mut self) -> Link {
        Link { up: true, speed: self.link_speed() }
    }

    // --- A DMA NIC's receive rings. The software NIC has none: it keeps the defaults (no
    // buffer posted, nothing to reap), and its wire copies each frame into a free buffer
    // (`RxMemory::copy_in`) when it arrives. ---

    /// The queue allocated in the core is bound to a hardware queue (an 82576 VMDq pool);
    /// `false` when none is free. The software NIC binds any.
    fn bind_queue(&mut self, queue: QueueId) -> bool {
        let _ = queue;
        true
    }
    /// The queue is freed: its hardware queue is free again.
    fn unbind_queue(&mut self, queue: QueueId) {
        let _ = queue;
    }
    /// The MSI-X table entry of the queue's receive interrupts (ALLOCATE_QUEUE's output
    /// `MSIXTableEntry`); 0 for a NIC without MSI-X.
    fn msix_table_entry(&self, queue: QueueId) -> u32 {
        let _ = queue;
        0
    }
    /// The queue of hardware receive ring `ring`, for [`MessageWork::rx_rings`].
    fn queue_of_ring(&self, ring: u32) -> Option<QueueId> {
        let _ = ring;
        None
    }
    /// How many more buffers the queue's ring takes now (0: none, or no ring).
    fn receive_slots(&self, queue: QueueId) -> u32 {
        let _ = queue;
        0
    }
    /// Posts a buffer (device address `address`) into the queue's ring; visible to the NIC
    /// after [`NicBackend::flush_receive`]. `false` when the ring is full.
    fn post_receive(&mut self, queue: QueueId, buffer: BufferIndex, address: u64) -> bool {
        let _ = (queue, buffer, address);
        false
    }
    /// Hands the posted buffers to the NIC (the tail register write).
    fn flush_receive(&mut self, queue: QueueId) {
        let _ = queue;
    }
    /// The next buffer the NIC completed on the queue, in ring order.
    fn reap_receive(&mut self, queue: QueueId) -> Option<RxDone> {
        let _ = queue;
        None
    }
    /// After [`NicBackend::stop_queue_dma`]: the next buffer still posted (completed or not), to cancel.
    fn cancel_receive(&mut self, queue: QueueId) -> Option<BufferIndex> {
        let _ = queue;
        None
    }

    // --- Interrupts (a NIC with MSI-X). ---

    /// Allocates what the NIC's DMA engine needs (descriptor rings), after scatter-gather DMA
    /// is registered (PASSIVE_LEVEL, inside MiniportInitializeEx, before the interrupt).
    ///
    /// # Errors
    /// [`NicError::Resources`]; what it allocated is released when the back end drops.
    fn prepare(&mut self) -> Result<(), NicError> {
        Ok(())
    }
    /// Brings the NIC's DMA engine up once its rings are prepared and the interrupt registered
    /// (under the adapter lock, inside MiniportInitializeEx; no allocation): rings, interrupts (`targets`
    /// is each message's processor set, from NDIS's IO_INTERRUPT_MESSAGE_INFO), receiver.
    ///
    /// # Errors
    /// [`NicError`]; what it allocated is released when the back end drops.
    fn start(&mut self, targets: &MessageTargets) -> Result<(), NicError> {
        let _ = targets;
        Ok(())
    }
    /// Routes the queue's receive interrupt to a message that targets `processor` (the
    /// queue's `ProcessorAffinity`), so its DPC runs there.
    fn set_queue_processor(&mut self, queue: QueueId, processor: u32) {
        let _ = (queue, processor);
    }
    /// What message `message`'s DPC has to do.
    fn message_work(&mut self, message: u32) -> MessageWork {
        let _ = message;
        MessageWork::default()
    }
    /// The DPC of `message` is done: re-enable it.
    fn message_done(&mut self, message: u32) {
        let _ = message;
    }
    /// Reads (and clears) the other causes; `Some(link)` when the link changed.
    fn link_change(&mut self) -> Option<Link> {
        None
    }

    // --- Receive filters mirrored in hardware (the core's filter table is the truth). ---

    /// Steers frames to `mac` (and `vlan`, when set) into the queue; returns the hardware
    /// entry to clear later. The software NIC demultiplexes in the core and keeps nothing.
    ///
    /// # Errors
    /// [`NicError::Exhausted`] when the hardware table is full.
    fn set_filter(&mut self, queue: QueueId, mac: [u8; 6], vlan: Option<u16>) -> Result<u32, NicError> {
        let _ = (queue, mac, vlan);
        Ok(0)
    }
    /// Removes what [`NicBackend::set_filter`] programmed.
    fn clear_filter(&mut self, queue: QueueId, mac: [u8; 6], vlan: Option<u16>) {
        let _ = (queue, mac, vlan);
    }

    // --- Whole-device control. ---

    /// Frames handed to the NIC's transmit ring and not completed yet (a pause waits for them:
    /// "MiniportPause" completes only when every send is complete). The software NIC completes
    /// its sends in the call: 0.
    fn sends_in_flight(&self) -> u32 {
        0
    }
    /// Stops every DMA and interrupt of the device (halt, shutdown, surprise removal): what a
    /// reset does. Safe to call more than once.
    fn quiesce(&mut self) {}
    /// Whether received frames wait in their queue's pending chain for the receive DPC of the
    /// queue's processor (the software NIC, whose "interrupt" is a per-processor DPC) instead
    /// of being indicated by the receive session itself.
    fn defers_receive(&self) -> bool {
        false
    }
    /// Queues the receive DPC of `processor` (under the adapter lock, <= DISPATCH_LEVEL); a
    /// DPC already queued is not queued twice (the queues of one processor share it).
    fn queue_receive_dpc(&mut self, processor: u32) {
        let _ = processor;
    }
    /// Takes every receive DPC off its queue (halt; the caller then waits for a running one
    /// with `KeFlushQueuedDpcs`, lock released).
    fn cancel_receive_dpcs(&mut self) {}
    /// The NIC's own receive counters (frames, bytes, drops) when it keeps them.
    fn hardware_counters(&mut self) -> Option<HardwareCounters> {
        None
    }
}

/// Counters a NIC keeps in hardware (`OID_GEN_STATISTICS` takes them over the driver's own).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HardwareCounters {
    /// Good frames received.
    pub rx_frames: u64,
    /// Good octets received.
    pub rx_bytes: u64,
    /// Frames dropped for want of a descriptor.
    pub rx_missed: u64,
    /// Receive errors (CRC, length, alignment).
    pub rx_errors: u64,
    /// Good frames transmitted.
    pub tx_frames: u64,
    /// Good octets transmitted.
    pub tx_bytes: u64,
}
