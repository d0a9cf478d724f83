//! [`IgbNic`]: the Intel 82576 as a [`NicBackend`] — VMDq pool `n` is receive ring `n`; pool 0
//! is NDIS's default queue (VT_CTL's default pool), pools 1..=7 are VM queues.
//!
//! Bring-up is in two steps. [`IgbNic::probe`] (MiniportInitializeEx, before the attributes):
//! map BAR0, check the PCI ids through config space, reset, read the permanent MAC, start the
//! link. [`NicBackend::start`] (after scatter-gather DMA and the interrupt are registered):
//! descriptor rings from `NdisMAllocateSharedMemory`, MSI-X (receive ring `n` → table entry
//! `n`, transmit → entry 8, other causes → entry 9), VMDq with pool 0 as default, the receiver.
//!
//! Interrupt routing: a queue's receive interrupt is its table entry, pointed with
//! `NdisMConfigMSIXTableEntry` at a message whose TargetProcessorSet holds the queue's
//! processor; queues of one processor share that message (coalesced onto one DPC). Messages
//! 8 and 9 keep the transmit and other causes apart.
//!
//! Locking: every method runs under the adapter's spin lock (DISPATCH_LEVEL) except
//! `probe`/`start` (PASSIVE_LEVEL, inside MiniportInitializeEx) and `Drop`.

use super::device::{Device, MsixLayout};
use super::queues::RingPlacement;
use super::regs;
use super::ring::{Fragment, RxRing, TxRing};
use super::vmdq::PoolOptions;
use crate::backend::{HardwareCounters, Link, MessageWork, NicBackend, NicError, RxDone};
use crate::kernel::NdisHandle;
use crate::kernel::QueueId;
use crate::kernel::bus_data::{self, PciIds};
use crate::kernel::dma_ring::DmaBlock;
use crate::kernel::io_space::IoSpace;
use crate::kernel::msix::{self, MessageTargets};
use crate::kernel::nbl::{BufferIndex, RX_BUFFER_BYTES};
use crate::kernel::pool::{PoolBox, PoolTag};
use crate::kernel::resources::Resources;

/// Pool tag of the ring bookkeeping.
pub const IGB_TAG: PoolTag = PoolTag::new(*b"VqIg");
/// Receive descriptors per ring (a VM queue posts at most `RX_RING - 1` buffers at a time).
pub const RX_RING: usize = 256;
/// Transmit descriptors.
pub const TX_RING: usize = 256;
/// Pools, one receive ring each.
const POOLS: usize = regs::POOLS as usize;
/// The MSI-X table entry of the transmit and the other causes.
const TX_ENTRY: u32 = regs::POOLS;
const OTHER_ENTRY: u32 = regs::POOLS + 1;
/// MSI-X table entries used: one per pool, transmit, other.
const ENTRIES: usize = POOLS + 2;
/// Receive interrupts go to messages below this one (transmit and other keep theirs).
const RX_MESSAGES: u32 = regs::POOLS;

/// The 82576 family ids a driver for it claims (Intel's 82576 datasheet and QEMU's `igb`):
/// copper, fiber, serdes, quad copper, ET2 quad, NS, NS serdes, serdes quad.
pub const SUPPORTED_IDS: [u16; 8] = [0x10C9, 0x10E6, 0x10E7, 0x10E8, 0x1526, 0x150A, 0x1518, 0x150D];

/// Whether `ids` is an 82576.
#[must_use]
pub fn is_82576(ids: PciIds) -> bool {
    ids.vendor == 0x8086 && SUPPORTED_IDS.contains(&ids.device)
}

/// Why [`IgbNic::probe`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeError {
    /// No memory BAR among the resources.
    NoBar,
    /// The PCI ids are not an 82576, or config space could not be read.
    NotAn82576,
    /// `NdisMMapIoSpace` failed.
    Map(i32),
    /// The device did not reset, or holds no MAC address.
    Device,
    /// Pool memory for the ring bookkeeping.
    Resources,
}

/// A RAR entry the driver programmed: the address and how many filters of each pool use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shared<K> {
    key: K,
    refs: [u8; POOLS],
}

impl<K: Copy + PartialEq> Shared<K> {
    fn pools(&self) -> u8 {
        // CAST: POOLS is 8: one bit a pool.
        self.refs.iter().enumerate().filter(|(_, r)| **r > 0).fold(0u8, |m, (p, _)| m | (1 << p))
    }
}

/// The rings' software state and the filter tables (kept in pool: a few KiB never cross the
/// 24 KiB kernel stack).
#[derive(Clone, Copy)]
struct Rings {
    rx: [RxRing<RX_RING>; POOLS],
    tx: TxRing<TX_RING>,
    /// The caller's token of each frame in the transmit ring (0: free), by cookie.
    sends: [usize; TX_RING],
    macs: [Option<Shared<[u8; 6]>>; regs::RAR_ENTRIES as usize],
    vlans: [Option<Shared<u16>>; regs::VLVF_ENTRIES as usize],
}

impl Rings {
    const EMPTY: Self = Self {
        rx: [RxRing::new(); POOLS],
        tx: TxRing::new(),
        sends: [0; TX_RING],
        macs: [None; regs::RAR_ENTRIES as usize],
        vlans: [None; regs::VLVF_ENTRIES as usize],
    };
}

/// The 82576 back end.
pub struct IgbNic {
    handle: NdisHandle,
    device: Device<IoSpace>,
    mac: [u8; 6],
    rings: PoolBox<[Rings; 1]>,
    /// Descriptor memory of each receive ring, then of the transmit ring.
    rx_memory: [Option<DmaBlock>; POOLS],
    tx_memory: Option<DmaBlock>,
    /// The queue each pool serves (pool 0: the default queue once started).
    pools: [Option<QueueId>; POOLS],
    /// Pools whose receive ring is enabled.
    running: u8,
    /// The message each table entry is mapped to.
    entry_message: [u32; ENTRIES],
    targets: MessageTargets,
    link: Link,
    started: bool,
    /// The clear-on-read port counters, accumulated.
    totals: super::stats::Statistics,
}

impl IgbNic {
    /// MiniportInitializeEx's device part before the attributes (PASSIVE_LEVEL): BAR0 mapped,
    /// ids checked, reset, permanent MAC read, link started (it comes up later: LSC).
    ///
    /// # Errors
    /// [`ProbeError`]; what was taken is released.
    pub fn probe(handle: NdisHandle, resources: &Resources) -> Result<Self, ProbeError> {
        let bar = resources.bar0().ok_or(ProbeError::NoBar)?;
        bus_data::check_ids(handle, is_82576).map_err(|_| ProbeError::NotAn82576)?;
        let io = IoSpace::map(handle, bar).map_err(ProbeError::Map)?;
        let mut device = Device::new(io);
        device.reset().map_err(|_| ProbeError::Device)?;
        let mac = device.permanent_mac().ok_or(ProbeError::Device)?;
        device.link_up().map_err(|_| ProbeError::Device)?;
        let state = device.link();
        let rings = PoolBox::try_filled(handle, IGB_TAG, Rings::EMPTY).ok_or(ProbeError::Resources)?;
        let mut entry_message = [0; ENTRIES];
        for (entry, message) in (0u32..).zip(entry_message.iter_mut()) {
            *message = entry;
        }
        Ok(Self {
            handle,
            device,
            mac,
            rings,
            rx_memory: [const { None }; POOLS],
            tx_memory: None,
            pools: [None; POOLS],
            running: 0,
            entry_message,
            targets: MessageTargets::NONE,
            link: Link { up: state.up, speed: state.speed },
            started: false,
            totals: super::stats::Statistics::default(),
        })
    }

    fn pool_of(&self, queue: QueueId) -> Option<usize> {
        self.pools.iter().position(|p| *p == Some(queue))
    }

    fn rx_ring(&mut self, pool: usize) -> Option<(&mut RxRing<RX_RING>, &mut DmaBlock)> {
        let ring = self.rings.get_mut(0)?.rx.get_mut(pool)?;
        let memory = self.rx_memory.get_mut(pool)?.as_mut()?;
        Some((ring, memory))
    }

    /// Adds (`add`) or removes one reference of `pool` on the RAR entry of `mac`.
    fn mirror_mac(&mut self, mac: [u8; 6], pool: usize, add: bool) -> Result<(), NicError> {
        let Some(tables) = self.rings.get_mut(0) else { return Err(NicError::Device) };
        let macs = &mut tables.macs;
        let found = macs.iter().position(|e| e.is_some_and(|e| e.key == mac));
        let index = match (found, add) {
            (Some(i), _) => i,
            (None, true) => {
                // RAR 0 holds the permanent address for the default pool; filters take 1..
                let free = (1..macs.len()).find(|&i| macs[i].is_none()).ok_or(NicError::Exhausted)?;
                macs[free] = Some(Shared { key: mac, refs: [0; POOLS] });
                free
            }
            (None, false) => return Ok(()),
        };
        let Some(entry) = macs[index].as_mut() else { return Ok(()) };
        let r = &mut entry.refs[pool];
        *r = if add { r.saturating_add(1) } else { r.saturating_sub(1) };
        let pools = entry.pools();
        // CAST: the RAR table has 24 entries.
        let at = index as u32;
        if pools == 0 {
            macs[index] = None;
            self.device.clear_mac_filter(at).map_err(|_| NicError::Device)
        } else {
            self.device.set_mac_filter(at, mac, pools).map_err(|_| NicError::Device)
        }
    }

    /// As [`IgbNic::mirror_mac`] for the VLVF entry of `vlan`.
    fn mirror_vlan(&mut self, vlan: u16, pool: usize, add: bool) -> Result<(), NicError> {
        let Some(tables) = self.rings.get_mut(0) else { return Err(NicError::Device) };
        let vlans = &mut tables.vlans;
        let found = vlans.iter().position(|e| e.is_some_and(|e| e.key == vlan));
        let index = match (found, add) {
            (Some(i), _) => i,
            (None, true) => {
                let free = vlans.iter().position(Option::is_none).ok_or(NicError::Exhausted)?;
                vlans[free] = Some(Shared { key: vlan, refs: [0; POOLS] });
                free
            }
            (None, false) => return Ok(()),
        };
        let Some(entry) = vlans[index].as_mut() else { return Ok(()) };
        let r = &mut entry.refs[pool];
        *r = if add { r.saturating_add(1) } else { r.saturating_sub(1) };
        let pools = entry.pools();
        // CAST: 32 VLVF entries.
        let at = index as u32;
        if pools == 0 {
            vlans[index] = None;
            self.device.clear_vlan_filter(at).map_err(|_| NicError::Device)
        } else {
            self.device.set_vlan_filter(at, vlan, pools).map_err(|_| NicError::Device)
        }
    }

    /// Posts a frame's fragments in the transmit ring and hands them to the device; `token`
    /// (the caller's opaque value: its NET_BUFFER) comes back from [`IgbNic::reap_transmit`].
    ///
    /// # Errors
    /// [`NicError::Exhausted`] when the ring has no room; [`NicError::Device`] before start.
    pub fn transmit(&mut self, fragments: &[Fragment], token: usize) -> Result<(), NicError> {
        if !self.started {
            return Err(NicError::Device);
        }
        let (Some(rings), Some(memory)) = (self.rings.get_mut(0), self.tx_memory.as_mut()) else {
            return Err(NicError::Device);
        };
        let free = rings.sends.iter().position(|t| *t == 0).ok_or(NicError::Exhausted)?;
        // CAST: below TX_RING.
        rings.tx.post(memory, fragments, free as u32).map_err(|_| NicError::Exhausted)?;
        let tail = rings.tx.tail();
        rings.sends[free] = token;
        self.device.set_tx_tail(0, tail);
        Ok(())
    }

    /// The token of the next frame the device finished sending.
    pub fn reap_transmit(&mut self) -> Option<usize> {
        let (rings, memory) = (self.rings.get_mut(0)?, self.tx_memory.as_ref()?);
        let cookie = rings.tx.reap(memory)?;
        rings.sends.get_mut(cookie as usize).map(core::mem::take)
    }

    /// After the device stopped ([`NicBackend::quiesce`]): the token of the next frame never sent.
    pub fn cancel_transmit(&mut self) -> Option<usize> {
        if self.started {
            return None;
        }
        let rings = self.rings.get_mut(0)?;
        let cookie = rings.tx.cancel()?;
        rings.sends.get_mut(cookie as usize).map(core::mem::take)
    }
}

impl NicBackend for IgbNic {
    fn mac_address(&self) -> [u8; 6] {
        self.mac
    }
    fn link_speed(&self) -> u64 {
        if self.link.up { self.link.speed } else { 1_000_000_000 }
    }
    fn num_vm_queues(&self) -> u32 {
        regs::VM_QUEUES
    }
    fn max_mac_header_filters(&self) -> u32 {
        // RAR entry 0 is the permanent address.
        regs::RAR_ENTRIES - 1
    }
    fn is_bus_master(&self) -> bool {
        true
    }
    fn link(&mut self) -> Link {
        self.link
    }

    fn prepare(&mut self) -> Result<(), NicError> {
        for memory in &mut self.rx_memory {
            let block = DmaBlock::allocate(self.handle, RxRing::<RX_RING>::BYTES, true);
            *memory = Some(block.map_err(|_| NicError::Resources)?);
        }
        let block = DmaBlock::allocate(self.handle, TxRing::<TX_RING>::BYTES, true);
        self.tx_memory = Some(block.map_err(|_| NicError::Resources)?);
        Ok(())
    }

    fn start(&mut self, targets: &MessageTargets) -> Result<(), NicError> {
        self.targets = *targets;
        let layout = MsixLayout::dense(regs::POOLS);
        self.device.configure_msix(&layout).map_err(|_| NicError::Device)?;
        self.device.enable_vmdq(0).map_err(|_| NicError::Device)?;
        // The default pool: untagged and broadcast frames, tags left in the frame.
        let default = PoolOptions { accept_untagged: true, accept_broadcast: true, strip_vlan: false };
        self.device.enable_pool(0, default).map_err(|_| NicError::Device)?;
        self.device.set_mac_filter(0, self.mac, 1).map_err(|_| NicError::Device)?;
        let tx = self.tx_memory.as_ref().map(DmaBlock::logical_address).ok_or(NicError::Resources)?;
        self.device
            .setup_tx_queue(0, RingPlacement { base: tx, bytes: TxRing::<TX_RING>::BYTES })
            .map_err(|_| NicError::Device)?;
        self.pools[0] = Some(QueueId::DEFAULT);
        self.device.enable_receiver();
        self.started = true;
        Ok(())
    }

    fn bind_queue(&mut self, queue: QueueId) -> bool {
        if self.pool_of(queue).is_some() {
            return true;
        }
        match (1..POOLS).find(|&p| self.pools[p].is_none()) {
            Some(pool) => {
                self.pools[pool] = Some(queue);
                true
            }
            None => false,
        }
    }

    fn unbind_queue(&mut self, queue: QueueId) {
        if let Some(pool) = self.pool_of(queue).filter(|&p| p != 0) {
            self.pools[pool] = None;
        }
    }

    fn msix_table_entry(&self, queue: QueueId) -> u32 {
        // CAST: POOLS is 8.
        self.pool_of(queue).map_or(0, |p| p as u32)
    }

    fn queue_of_ring(&self, ring: u32) -> Option<QueueId> {
        *self.pools.get(ring as usize)?
    }

    fn start_queue_dma(&mut self, queue: QueueId) {
        let Some(pool) = self.pool_of(queue) else { return };

        if !self.started || self.running & (1 << pool) != 0 {
            return;
        }
        let Some(base) = self.rx_memory[pool].as_ref().map(DmaBlock::logical_address) else { return };
        // CAST: pool < 8.
        let p = pool as u32;
        let placement = RingPlacement { base, bytes: RxRing::<RX_RING>::BYTES };
        if self.device.setup_rx_queue(p, placement, RX_BUFFER_BYTES).is_err() {
            return;
        }
        if p != 0 {
            // A VM queue: untagged frames, tags stripped into the descriptor; broadcasts
            // stay with the default queue (the vSwitch replicates them).
            let options = PoolOptions { accept_untagged: true, accept_broadcast: false, strip_vlan: true };
            if self.device.enable_pool(p, options).is_err() {
                return;
            }
        }
        self.running |= 1 << pool;
    }

    fn stop_queue_dma(&mut self, queue: QueueId) {
        let Some(pool) = self.pool_of(queue) else { return };
        if self.running & (1 << pool) == 0 {
            return;
        }
        // CAST: pool < 8.
        let p = pool as u32;
        if p != 0 {
            let _ = self.device.disable_pool(p);
        }
        // RXDCTL.ENABLE cleared and read back as 0: the device writes nothing more into the
        // queue's descriptors or buffers. A device that never reads back stopped is reset
        // (a reset stops every DMA), so the promise of DmaStopped holds either way.
        if self.device.disable_rx_queue(p).is_err() {
            let _ = self.device.reset();
            self.running = 0;
            self.started = false;
        }
        self.running &= !(1 << pool);
    }

    fn queue_dma_running(&self, queue: QueueId) -> bool {
        self.pool_of(queue).is_some_and(|p| self.running & (1 << p) != 0)
    }

    fn receive_slots(&self, queue: QueueId) -> u32 {
        let Some(pool) = self.pool_of(queue) else { return 0 };
        if self.running & (1 << pool) == 0 {
            return 0;
        }
        let posted = self.rings.first().and_then(|r| r.rx.get(pool)).map_or(RX_RING - 1, RxRing::posted);
        // CAST: at most RX_RING.
        (RX_RING - 1 - posted) as u32
    }

    fn post_receive(&mut self, queue: QueueId, buffer: BufferIndex, address: u64) -> bool {
        let Some(pool) = self.pool_of(queue) else { return false };
        let Some((ring, memory)) = self.rx_ring(pool) else { return false };
        ring.post(memory, buffer, address).is_ok()
    }

    fn flush_receive(&mut self, queue: QueueId) {
        let Some(pool) = self.pool_of(queue) else { return };
        let Some(tail) = self.rings.first().and_then(|r| r.rx.get(pool)).map(RxRing::tail) else { return };
        if self.running & (1 << pool) != 0 {
            // CAST: pool < 8.
            self.device.set_rx_tail(pool as u32, tail);
        }
    }

    fn reap_receive(&mut self, queue: QueueId) -> Option<RxDone> {
        let pool = self.pool_of(queue)?;
        let (ring, memory) = self.rx_ring(pool)?;
        let done = ring.reap(memory)?;
        // NDIS_NET_BUFFER_LIST_8021Q_INFO: UserPriority bits 0-2, CFI bit 3, VlanId bits 4-15.
        let ieee8021q = done.vlan.map_or(0, |tci| {
            usize::from(tci >> 13) | (usize::from((tci >> 12) & 1) << 3) | (usize::from(tci & 0x0FFF) << 4)
        });
        Some(RxDone { buffer: done.buffer, length: u32::from(done.length), ieee8021q, good: done.is_good() })
    }

    fn cancel_receive(&mut self, queue: QueueId) -> Option<BufferIndex> {
        let pool = self.pool_of(queue)?;
        if self.running & (1 << pool) != 0 {
            return None;
        }
        self.rings.get_mut(0)?.rx.get_mut(pool)?.cancel()
    }

    fn set_queue_processor(&mut self, queue: QueueId, processor: u32) {
        let Some(pool) = self.pool_of(queue) else { return };
        let Some(message) = self.targets.message_for(processor, RX_MESSAGES) else { return };
        if self.entry_message[pool] == message {
            return;
        }
        // CAST: pool < 8.
        if msix::map_table_entry(self.handle, pool as u32, message).is_ok() {
            self.entry_message[pool] = message;
        }
    }

    fn message_work(&mut self, message: u32) -> MessageWork {
        let mut work = MessageWork::default();
        for (pool, &m) in self.entry_message[..POOLS].iter().enumerate() {
            if m == message && self.pools[pool].is_some() {
                work.rx_rings |= 1 << pool;
            }
        }
        work.tx = self.entry_message[TX_ENTRY as usize] == message;
        work.other = self.entry_message[OTHER_ENTRY as usize] == message;
        work
    }

    fn link_change(&mut self) -> Option<Link> {
        // The other-causes handler reads ICR every time (it clears it; a cause left set would
        // keep a later LSC silent).
        let causes = self.device.causes();
        let now = self.device.link();
        let link = Link { up: now.up, speed: now.speed };
        if causes.link_status_change() || link.up != self.link.up {
            self.link = link;
            return Some(link);
        }
        None
    }

    fn set_filter(&mut self, queue: QueueId, mac: [u8; 6], vlan: Option<u16>) -> Result<u32, NicError> {
        let pool = self.pool_of(queue).ok_or(NicError::Exhausted)?;
        self.mirror_mac(mac, pool, true)?;
        if let Some(v) = vlan.filter(|v| *v != 0)
            && let Err(e) = self.mirror_vlan(v, pool, true)
        {
            let _ = self.mirror_mac(mac, pool, false);
            return Err(e);
        }
        Ok(0)
    }

    fn clear_filter(&mut self, queue: QueueId, mac: [u8; 6], vlan: Option<u16>) {
        let Some(pool) = self.pool_of(queue) else { return };
        if let Some(v) = vlan.filter(|v| *v != 0) {
            let _ = self.mirror_vlan(v, pool, false);
        }
        let _ = self.mirror_mac(mac, pool, false);
    }

    fn sends_in_flight(&self) -> u32 {
        // CAST: at most TX_RING.
        self.rings.first().map_or(0, |r| r.sends.iter().filter(|t| **t != 0).count() as u32)
    }

    fn quiesce(&mut self) {
        let _ = self.device.reset();
        self.running = 0;
        self.started = false;
    }

    fn hardware_counters(&mut self) -> Option<HardwareCounters> {
        self.device.accumulate_statistics(&mut self.totals);
        let totals = self.totals;
        Some(HardwareCounters {
            rx_frames: totals.rx_packets,
            rx_bytes: totals.rx_octets,
            rx_missed: totals.rx_missed + totals.rx_no_buffer,
            rx_errors: totals.rx_crc_errors,
            tx_frames: totals.tx_packets,
            tx_bytes: totals.tx_octets,
        })
    }
}

impl Drop for IgbNic {
    /// The device stops every DMA (reset) before its ring memory is freed and BAR0 unmapped
    /// (the fields drop after this).
    fn drop(&mut self) {
        let _ = self.device.reset();
    }
}
