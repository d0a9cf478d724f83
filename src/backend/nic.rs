//! [`Nic`]: the back end an adapter runs on, chosen per adapter in MiniportInitializeEx — the
//! Intel 82576 when NDIS gives the adapter an 82576's PCI resources, else the root-enumerated
//! software NIC. It forwards every [`NicBackend`] call; the core sees one type.

use super::igb::nic::IgbNic;
use super::soft::SoftNic;
use super::{HardwareCounters, Link, MessageWork, NicBackend, NicError, RxDone};
use crate::kernel::QueueId;
use crate::kernel::hub::HubRef;
use crate::kernel::msix::MessageTargets;
use crate::kernel::nbl::BufferIndex;

/// One adapter's NIC (it lives in the adapter context, in pool: the size of the 82576's
/// variant is paid once per adapter).
#[allow(clippy::large_enum_variant, reason = "one per adapter, kept in pool")]
pub enum Nic {
    /// The software NIC (no hardware).
    Soft(SoftNic),
    /// An Intel 82576.
    Igb(IgbNic),
}

impl Nic {
    /// The 82576, when this adapter is one.
    pub const fn igb(&mut self) -> Option<&mut IgbNic> {
        match self {
            Self::Igb(nic) => Some(nic),
            Self::Soft(_) => None,
        }
    }

    /// The software NIC's segment (`None` for an 82576: its frames go to the device's wire).
    #[must_use]
    pub const fn hub(&self) -> Option<HubRef> {
        match self {
            Self::Soft(nic) => nic.hub(),
            Self::Igb(_) => None,
        }
    }

    /// The software NIC, when this adapter is one.
    pub const fn soft(&mut self) -> Option<&mut SoftNic> {
        match self {
            Self::Soft(nic) => Some(nic),
            Self::Igb(_) => None,
        }
    }

    /// Whether frames leave through a DMA transmit ring (else the software NIC's wire).
    #[must_use]
    pub const fn transmits_by_dma(&self) -> bool {
        matches!(self, Self::Igb(_))
    }
}

macro_rules! forward {
    ($self:ident, $nic:ident => $e:expr) => {
        match $self {
            Nic::Soft($nic) => $e,
            Nic::Igb($nic) => $e,
        }
    };
}

/// The frame size of a standard Ethernet adapter (1500-byte MTU), without FCS.
pub const STANDARD_FRAME_SIZE: u32 = 1514;

impl NicBackend for Nic {
    /// The software NIC follows `*JumboPacket`. The 82576 back end keeps 1514 whatever the
    /// keyword says: it leaves RCTL.LPE (long packets) clear and posts advanced one-buffer
    /// receive descriptors of one 2 KiB buffer each, so a frame never spans descriptors; so its adapters report a
    /// 1500-byte MTU and the keyword changes nothing on them.
    fn max_frame_size(&self, configured: u32) -> u32 {
        match self {
            Self::Soft(n) => n.max_frame_size(configured),
            Self::Igb(_) => STANDARD_FRAME_SIZE,
        }
    }
    fn mac_address(&self) -> [u8; 6] {
        forward!(self, n => n.mac_address())
    }
    fn link_speed(&self) -> u64 {
        forward!(self, n => n.link_speed())
    }
    fn num_vm_queues(&self) -> u32 {
        forward!(self, n => n.num_vm_queues())
    }
    fn max_mac_header_filters(&self) -> u32 {
        forward!(self, n => n.max_mac_header_filters())
    }
    fn is_bus_master(&self) -> bool {
        forward!(self, n => n.is_bus_master())
    }
    fn start_queue_dma(&mut self, queue: QueueId) {
        forward!(self, n => n.start_queue_dma(queue));
    }
    fn stop_queue_dma(&mut self, queue: QueueId) {
        forward!(self, n => n.stop_queue_dma(queue));
    }
    fn queue_dma_running(&self, queue: QueueId) -> bool {
        forward!(self, n => n.queue_dma_running(queue))
    }
    fn link(&mut self) -> Link {
        forward!(self, n => n.link())
    }
    fn defers_receive(&self) -> bool {
        forward!(self, n => n.defers_receive())
    }
    fn queue_receive_dpc(&mut self, processor: u32) {
        forward!(self, n => n.queue_receive_dpc(processor));
    }
    fn cancel_receive_dpcs(&mut self) {
        forward!(self, n => n.cancel_receive_dpcs());
    }
    fn bind_queue(&mut self, queue: QueueId) -> bool {
        forward!(self, n => n.bind_queue(queue))
    }
    fn unbind_queue(&mut self, queue: QueueId) {
        forward!(self, n => n.unbind_queue(queue));
    }
    fn msix_table_entry(&self, queue: QueueId) -> u32 {
        forward!(self, n => n.msix_table_entry(queue))
    }
    fn queue_of_ring(&self, ring: u32) -> Option<QueueId> {
        forward!(self, n => n.queue_of_ring(ring))
    }
    fn receive_slots(&self, queue: QueueId) -> u32 {
        forward!(self, n => n.receive_slots(queue))
    }
    fn post_receive(&mut self, queue: QueueId, buffer: BufferIndex, address: u64) -> bool {
        forward!(self, n => n.post_receive(queue, buffer, address))
    }
    fn flush_receive(&mut self, queue: QueueId) {
        forward!(self, n => n.flush_receive(queue));
    }
    fn reap_receive(&mut self, queue: QueueId) -> Option<RxDone> {
        forward!(self, n => n.reap_receive(queue))
    }
    fn cancel_receive(&mut self, queue: QueueId) -> Option<BufferIndex> {
        forward!(self, n => n.cancel_receive(queue))
    }
    fn prepare(&mut self) -> Result<(), NicError> {
        forward!(self, n => n.prepare())
    }
    fn start(&mut self, targets: &MessageTargets) -> Result<(), NicError> {
        forward!(self, n => n.start(targets))
    }
    fn set_queue_processor(&mut self, queue: QueueId, processor: u32) {
        forward!(self, n => n.set_queue_processor(queue, processor));
    }
    fn message_work(&mut self, message: u32) -> MessageWork {
        forward!(self, n => n.message_work(message))
    }
    fn message_done(&mut self, message: u32) {
        forward!(self, n => n.message_done(message));
    }
    fn link_change(&mut self) -> Option<Link> {
        forward!(self, n => n.link_change())
    }
    fn set_filter(&mut self, queue: QueueId, mac: [u8; 6], vlan: Option<u16>) -> Result<u32, NicError> {
        forward!(self, n => n.set_filter(queue, mac, vlan))
    }
    fn clear_filter(&mut self, queue: QueueId, mac: [u8; 6], vlan: Option<u16>) {
        forward!(self, n => n.clear_filter(queue, mac, vlan));
    }
    fn sends_in_flight(&self) -> u32 {
        forward!(self, n => n.sends_in_flight())
    }
    fn quiesce(&mut self) {
        forward!(self, n => n.quiesce());
    }
    fn hardware_counters(&mut self) -> Option<HardwareCounters> {
        forward!(self, n => n.hardware_counters())
    }
}
