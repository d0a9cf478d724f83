//! The adapter: initialize, halt, pause/restart, PnP — the lifecycle NDIS drives.
//!
//! <https://learn.microsoft.com/windows-hardware/drivers/network/initializing-a-miniport-adapter>
//! <https://learn.microsoft.com/windows-hardware/drivers/network/halting-a-miniport-adapter>
//!
//! Locking: all mutable state is in one [`SpinLock`]; no PASSIVE-only NDIS call is
//! made while it is held (shared memory is allocated before taking the lock and
//! freed after releasing it, by moving ownership in and out).

use super::caps::{self, MAC_OPTIONS, SUPPORTED_OIDS, SUPPORTED_PACKET_FILTERS, VmqKeywords};
use super::demux::{DemuxTable, MAX_FILTERS};
use super::error::{GrowError, InitError};
use super::filter::FilterTable;
use super::queues::{MAX_VM_QUEUES, PendingSlots, QueueTable};
use super::rx_memory::{GrowRequest, QueueSlot, RxMemory, RxResources, Staged};
use super::stats::{Counters, SendTally};
use crate::backend::NicBackend;
use crate::kernel::attributes::{self, GeneralAttributes, ReceiveFilterCapabilities};
use crate::kernel::config::{read_integer_keywords, read_network_address};
use crate::kernel::dma::ScatterGatherDma;
use crate::kernel::interrupt::Interrupt;
use crate::kernel::lock::SpinLock;
use crate::kernel::msix::{Forward, MessageTargets};
use crate::kernel::nbl::{NblPool, RxChain, buffer_stride, shared_data_alignment};
use crate::kernel::oid_request::OidToken;
use crate::kernel::pool::{PoolBox, PoolTag};
use crate::kernel::work_item::IoWorkItem;
use crate::kernel::{NdisHandle, QueueId};
use crate::utf16;
use ndis_sys::MINIPORT_PROCESS_SG_LIST;

/// Pool tag of the adapter context.
pub const ADAPTER_TAG: PoolTag = PoolTag::new(*b"VqAd");
/// Pool tag of per-queue structures.
pub const QUEUE_TAG: PoolTag = PoolTag::new(*b"VqQu");
/// Receive buffers of the default queue, allocated in MiniportInitializeEx.
pub const DEFAULT_QUEUE_BUFFERS: u32 = 128;
/// Receive buffers of a VM queue when the host suggests none.
pub const DEFAULT_VM_QUEUE_BUFFERS: u32 = 64;
/// Fewest receive buffers a VM queue gets.
pub const MIN_VM_QUEUE_BUFFERS: u32 = 16;
/// Most receive buffers a VM queue may grow to.
pub const MAX_VM_QUEUE_BUFFERS: u32 = 1024;
/// Ethernet payload MTU without jumbo frames.
pub const MTU: u32 = 1500;
/// Bytes of an Ethernet header (what `*JumboPacket` counts on top of the MTU).
pub const ETHERNET_HEADER: u32 = 14;
/// Largest frame without FCS and without jumbo frames: MTU plus the 14-byte Ethernet header.
pub const MAX_FRAME: u32 = MTU + ETHERNET_HEADER;
/// The values of the standardized `*JumboPacket` keyword the INF offers (frame size without
/// FCS, header included; 1514 = jumbo frames off, the default).
pub const JUMBO_PACKET_VALUES: [u32; 3] = [MAX_FRAME, 4088, 9014];

/// Adapter options read from the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdapterConfig {
    /// `*VMQ`, `*VMQVlanFiltering`.
    pub keywords: VmqKeywords,
    /// `VmqContiguousRx` (private, default 0): ask NDIS for physically contiguous
    /// receive memory instead of scatter-gather lists.
    pub contiguous_rx: bool,
    /// The standardized `NetworkAddress` keyword: the current address, if set and usable.
    pub network_address: Option<[u8; 6]>,
    /// The standardized `*JumboPacket` keyword: the largest frame without FCS, header
    /// included ("Standardized INF Keywords for Jumbo Packet"): 1514 (default), 4088 or 9014;
    /// absent or any other value reads as 1514.
    pub jumbo_packet: u32,
}

impl AdapterConfig {
    /// Reads the keywords (PASSIVE_LEVEL). Absent keywords take their INF defaults.
    ///
    /// "Handling SR-IOV, VMQ, and RSS Standardized INF Keywords": the miniport reads the hidden
    /// `*RssOrVmqPreference` first; only at 1 (VMQ preference, set when the adapter is bound to
    /// the Hyper-V switch) does it read `*VMQ` and `*VMQVlanFiltering`. At 0 or absent (RSS
    /// preference) it "must not read any of the VMQ or SR-IOV standardized keywords"; vmqnic has
    /// no RSS, so nothing is enabled then (the hardware capabilities stay complete).
    /// `*JumboPacket` is no VMQ keyword: it is read in either case.
    ///
    /// # Errors
    /// The configuration could not be opened.
    pub fn read(handle: NdisHandle) -> Result<Self, InitError> {
        let [preference, contiguous, jumbo] = read_integer_keywords(
            handle,
            [utf16!("*RssOrVmqPreference"), utf16!("VmqContiguousRx"), utf16!("*JumboPacket")],
        )
        .map_err(InitError::Configuration)?;
        let keywords = if preference == Some(1) {
            let [vmq, vlan] = read_integer_keywords(handle, [utf16!("*VMQ"), utf16!("*VMQVlanFiltering")])
                .map_err(InitError::Configuration)?;
            VmqKeywords::from_registry(vmq, vlan)
        } else {
            VmqKeywords { vmq: false, vlan_filtering: false }
        };
        let network_address = read_network_address(handle).map_err(InitError::Configuration)?;
        let jumbo_packet = jumbo.filter(|v| JUMBO_PACKET_VALUES.contains(v)).unwrap_or(MAX_FRAME);
        Ok(Self { keywords, contiguous_rx: contiguous == Some(1), network_address, jumbo_packet })
    }
}

/// Where the adapter is in the NDIS miniport state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    /// After initialize and after pause: no receive indications, sends are rejected.
    Paused,
    /// Pause pended: waiting for indicated NBLs to come back.
    Pausing,
    /// After restart.
    Running,
}

/// Mutable adapter state, guarded by the adapter's spin lock.
pub struct AdapterState<B> {
    /// Paused or running.
    pub run: RunState,
    /// Set on a surprise-removal PnP event.
    pub surprise_removed: bool,
    /// The current address (`OID_802_3_CURRENT_ADDRESS`, directed frames of the packet filter).
    pub current_address: [u8; 6],
    /// In D1-D3 (OID_PNP_SET_POWER): no DMA, no indication, sends fail.
    pub low_power: bool,
    /// The NIC.
    pub backend: B,
    /// Live VM queues.
    pub queues: QueueTable,
    /// Shared memory and receive buffers of the default queue (QueueId 0).
    pub default_queue: RxMemory,
    /// (destination MAC, VLAN) → queue slot, for the receive hot path.
    pub demux: DemuxTable,
    /// The filters NDIS set, by FilterId.
    pub filters: FilterTable,
    /// NBLs indicated on any queue and not yet returned.
    pub outstanding: u32,
    /// The queue a FREE_QUEUE that returned PENDING is draining, and that request — `None`
    /// once MiniportCancelOidRequest completed it with NDIS_STATUS_REQUEST_ABORTED (the
    /// queue still drains and is freed; a repeated FREE_QUEUE for it pends again).
    pub pending_free: Option<(QueueId, Option<OidToken>)>,
    /// The free work item is queued (it must not be queued twice).
    pub free_work_queued: bool,
    /// `OID_GEN_CURRENT_PACKET_FILTER`.
    pub packet_filter: u32,
    /// `OID_GEN_CURRENT_LOOKAHEAD`.
    pub lookahead: u32,
    /// `OID_802_3_MULTICAST_LIST` entries.
    pub multicast: [[u8; 6]; MAX_MULTICAST],
    /// Used entries of `multicast`.
    pub multicast_len: usize,
    /// Statistics.
    pub counters: Counters,
    /// The NIC's MSI-X interrupt (a DMA NIC's; `None` for the software NIC). Taken out and
    /// deregistered first in MiniportHaltEx ([`Adapter::detach_interrupt`]).
    pub interrupt: Option<Interrupt<Forward>>,
    /// Default-queue frames waiting for the receive DPC (a NIC that defers receive).
    pub default_pending: RxChain,
    /// A receive DPC is indicating default-queue frames (see `Queue::indicating`).
    pub default_indicating: bool,
    /// Queue slots (by raw [`QueueSlot`], 0 = default queue) with frames pending for a DPC.
    pub pending_slots: PendingSlots,
}

/// Multicast list capacity.
pub const MAX_MULTICAST: usize = 32;

impl<B> AdapterState<B> {
    /// The queue whose FREE_QUEUE is pended, if any.
    #[must_use]
    pub fn pending_free_queue(&self) -> Option<QueueId> {
        self.pending_free.as_ref().map(|(id, _)| *id)
    }
}

/// The miniport adapter context (what `MiniportAdapterContext` points to).
///
/// Field order matters for `Drop`: the state (and with it every shared-memory
/// allocation) goes before the scatter-gather DMA registration.
pub struct Adapter<B: NicBackend> {
    handle: NdisHandle,
    config: AdapterConfig,
    hardware_caps: ReceiveFilterCapabilities,
    current_caps: ReceiveFilterCapabilities,
    stride: u32,
    max_frame: u32,
    state: SpinLock<AdapterState<B>>,
    nbl_pool: NblPool,
    work_item: IoWorkItem,
    dma: Option<ScatterGatherDma>,
}

impl<B: NicBackend + Send> Adapter<B> {
    /// MiniportInitializeEx (PASSIVE_LEVEL) over the back end `backend` builds from the
    /// registry options: registration (as a bus master), general and hardware-assist attributes,
    /// SG DMA, default-queue shared memory. A failure at any step unwinds the
    /// earlier ones (RAII).
    ///
    /// # Errors
    /// [`InitError`]; everything taken before the failure has been released.
    ///
    /// `backend` probes the NIC; `interrupt` registers the NIC's interrupt for the boxed
    /// adapter (its context; `Ok(None)` for a NIC without one), after SG DMA registration and
    /// the NIC's [`NicBackend::prepare`], before [`NicBackend::start`].
    pub fn initialize(
        handle: NdisHandle,
        backend: impl FnOnce(&AdapterConfig) -> Result<B, InitError>,
        process_sg_list: MINIPORT_PROCESS_SG_LIST,
        interrupt: impl FnOnce(&Self) -> Result<Option<Interrupt<Forward>>, InitError>,
    ) -> Result<PoolBox<Self>, InitError> {
        let config = AdapterConfig::read(handle)?;
        let mut backend = backend(&config)?;
        let connected = backend.link().up;
        // CAST: bounded by MAX_VM_QUEUES (256) and MAX_FILTERS (512).
        let num_queues = backend.num_vm_queues().min(MAX_VM_QUEUES as u32);
        let max_filters = backend.max_mac_header_filters().min(MAX_FILTERS as u32);
        let hardware_caps = caps::hardware(num_queues, max_filters);
        let current_caps = caps::current(hardware_caps, config.keywords);
        let bus_master = backend.is_bus_master();
        let mac_address = backend.mac_address();
        let current_address = config.network_address.unwrap_or(mac_address);
        let link_speed = backend.link_speed();
        // The MTU, OID_GEN_MAXIMUM_FRAME_SIZE / MAXIMUM_TOTAL_SIZE and the lookahead follow
        // `*JumboPacket` as far as the NIC goes.
        let max_frame = backend.max_frame_size(config.jumbo_packet);
        let mtu = max_frame - ETHERNET_HEADER;
        let resources = || InitError::Resources;
        let default_queue = RxMemory::new(handle, max_frame).ok_or_else(resources)?;
        let queues = QueueTable::new(handle).ok_or_else(resources)?;
        let demux = DemuxTable::new(handle).ok_or_else(resources)?;
        let filters = FilterTable::new(handle).ok_or_else(resources)?;
        let nbl_pool = NblPool::allocate(handle).ok_or_else(resources)?;
        let work_item = IoWorkItem::allocate(handle).ok_or_else(resources)?;
        let adapter = Self {
            handle,
            config,
            hardware_caps,
            current_caps,
            stride: buffer_stride(shared_data_alignment()),
            max_frame,
            state: SpinLock::new(AdapterState {
                run: RunState::Paused,
                surprise_removed: false,
                current_address,
                low_power: false,
                backend,
                queues,
                default_queue,
                demux,
                filters,
                outstanding: 0,
                pending_free: None,
                free_work_queued: false,
                packet_filter: 0,
                lookahead: mtu,
                multicast: [[0; 6]; MAX_MULTICAST],
                multicast_len: 0,
                counters: Counters::default(),
                interrupt: None,
                default_pending: RxChain::EMPTY,
                default_indicating: false,
                pending_slots: PendingSlots::EMPTY,
            }),
            nbl_pool,
            work_item,
            dma: None,
        };
        let mut adapter = PoolBox::try_new(handle, ADAPTER_TAG, adapter).map_err(|_| InitError::Resources)?;
        adapter.state.init();

        attributes::set_registration(handle, &*adapter, bus_master).map_err(InitError::Attributes)?;
        let general = GeneralAttributes {
            mtu,
            link_speed,
            connected,
            mac_address,
            current_address,
            lookahead: mtu,
            mac_options: MAC_OPTIONS,
            supported_packet_filters: SUPPORTED_PACKET_FILTERS,
            // CAST: a small constant.
            max_multicast_list_size: MAX_MULTICAST as u32,
            supported_oids: SUPPORTED_OIDS,
        };
        attributes::set_general(handle, &general).map_err(InitError::Attributes)?;
        attributes::set_hardware_assist(handle, hardware_caps, current_caps).map_err(InitError::Attributes)?;
        // NdisAllocateSharedMemory: the miniport "must have already called
        // NdisMRegisterScatterGatherDma or NdisMRegisterDmaChannel" — in every configuration,
        // before the default queue's shared memory below.
        adapter.dma =
            Some(ScatterGatherDma::register_with(handle, process_sg_list).map_err(InitError::ScatterGatherDma)?);
        let grow = adapter.state.get_mut().default_queue.grow_request(
            QueueId::DEFAULT,
            QueueSlot::DEFAULT,
            DEFAULT_QUEUE_BUFFERS,
        );
        let mut staged = adapter.allocate_receive(&grow).map_err(InitError::from)?;
        let state = adapter.state.get_mut();
        state.default_queue.commit(&mut staged);
        state.backend.prepare().map_err(|_| InitError::Resources)?;
        // From here NDIS may call the DPC: the state is reached through the lock only.
        let registered = interrupt(&adapter)?;
        let targets = registered.as_ref().map_or(MessageTargets::NONE, MessageTargets::of);
        let mut state = adapter.state.lock();
        state.interrupt = registered;
        state.backend.start(&targets).map_err(|_| InitError::Hardware(0))?;
        state.start_dma(QueueId::DEFAULT);
        drop(state);
        Ok(adapter)
    }

    /// MiniportHaltEx's first step, through the shared context (the DPC may still run until
    /// the interrupt is deregistered): the NIC stops every DMA and interrupt, then the
    /// interrupt is deregistered (PASSIVE_LEVEL, lock released). Also the unwinding of a
    /// failed initialize.
    pub fn detach_interrupt(&self) {
        let interrupt = {
            let mut state = self.state.lock();
            state.backend.quiesce();
            state.interrupt.take()
        };
        drop(interrupt);
    }

    /// MiniportHaltEx (PASSIVE_LEVEL): stops DMA, frees every queue a host left
    /// allocated, the default queue's memory, SG DMA, and the context itself.
    pub fn halt(mut adapter: PoolBox<Self>) {
        adapter.detach_interrupt();
        let state = adapter.state.get_mut();
        state.stop_dma(QueueId::DEFAULT);
        loop {
            let Some(id) = state.queues.iter().next().map(|q| q.id) else { break };
            state.stop_dma(id);
            state.backend.unbind_queue(id);
            let queue = state.queues.remove(id);
            drop(queue);
        }
        drop(adapter);
    }

    /// The adapter handle NDIS gave MiniportInitializeEx.
    #[must_use]
    pub const fn handle(&self) -> NdisHandle {
        self.handle
    }

    /// The advertised (hardware, current) receive-filter capabilities.
    #[must_use]
    pub const fn receive_filter_capabilities(&self) -> (ReceiveFilterCapabilities, ReceiveFilterCapabilities) {
        (self.hardware_caps, self.current_caps)
    }

    /// The largest frame without FCS (`*JumboPacket` as far as the NIC goes; 1514 without
    /// jumbo frames).
    #[must_use]
    pub const fn max_frame(&self) -> u32 {
        self.max_frame
    }

    /// The payload MTU: [`Adapter::max_frame`] minus the Ethernet header.
    #[must_use]
    pub const fn mtu(&self) -> u32 {
        self.max_frame - ETHERNET_HEADER
    }

    /// The guarded state.
    pub(crate) const fn state(&self) -> &SpinLock<AdapterState<B>> {
        &self.state
    }

    /// Allocates the receive memory `request` asks for (PASSIVE_LEVEL, lock not held).
    ///
    /// # Errors
    /// [`GrowError`]; nothing stays allocated.
    pub(crate) fn allocate_receive(&self, request: &GrowRequest) -> Result<Staged, GrowError> {
        request.allocate(&RxResources {
            owner: self.handle,
            pool: &self.nbl_pool,
            stride: self.stride,
            contiguous: self.config.contiguous_rx,
        })
    }

    /// The DMA handle of `NdisMAllocateNetBufferSGList` (SG DMA registered in initialize).
    #[must_use]
    pub fn dma_handle(&self) -> Option<NdisHandle> {
        self.dma.as_ref().map(ScatterGatherDma::handle)
    }

    /// Runs `f` on the NIC under the adapter lock (a DMA NIC's transmit ring: post, reap).
    pub fn with_nic<R>(&self, f: impl FnOnce(&mut B) -> R) -> R {
        f(&mut self.state.lock().backend)
    }

    /// The adapter's work item (frees a drained queue at PASSIVE_LEVEL).
    pub(crate) const fn work_item(&self) -> &IoWorkItem {
        &self.work_item
    }

    /// MiniportPause (PASSIVE_LEVEL): stop indicating; `true` when it completed, `false`
    /// when indicated NBLs or sends in the NIC's transmit ring are still out (the return path
    /// or the transmit DPC then calls NdisMPauseComplete, [`Adapter::pause_done`]).
    /// Queues, filters and shared memory are kept.
    #[must_use]
    pub fn pause(&self) -> bool {
        let mut state = self.state.lock();
        // Frames still waiting for a receive DPC are not indicated once pausing: their buffers
        // go back to their queues.
        state.drop_all_pending();
        if state.outstanding == 0 && state.backend.sends_in_flight() == 0 {
            state.run = RunState::Paused;
            true
        } else {
            state.run = RunState::Pausing;
            false
        }
    }

    /// After sends completed: `true` once (the caller calls NdisMPauseComplete) when a pended
    /// pause has nothing left out.
    #[must_use]
    pub fn pause_done(&self) -> bool {
        let mut state = self.state.lock();
        if state.run == RunState::Pausing && state.outstanding == 0 && state.backend.sends_in_flight() == 0 {
            state.run = RunState::Paused;
            return true;
        }
        false
    }

    /// MiniportRestart (PASSIVE_LEVEL).
    pub fn restart(&self) {
        self.state.lock().run = RunState::Running;
    }

    /// MiniportShutdownEx (any IRQL): stop the NIC's DMA; no memory is freed here
    /// (SDV MemoryUsage forbids freeing shared memory from shutdown).
    pub fn shutdown(&self) {
        let mut state = self.state.lock();
        state.stop_all_dma();
    }

    /// MiniportDevicePnPEventNotify: on surprise removal, stop DMA and refuse new queues.
    pub fn surprise_removed(&self) {
        let mut state = self.state.lock();
        state.surprise_removed = true;
        state.stop_all_dma();
    }

    /// Whether sends are accepted now.
    #[must_use]
    pub fn is_running(&self) -> bool {
        let state = self.state.lock();
        state.run == RunState::Running && !state.surprise_removed && !state.low_power
    }

    /// The status of a send refused now: NDIS_STATUS_LOW_POWER_STATE in D1-D3 ("OID_PNP_SET_POWER"),
    /// else NDIS_STATUS_PAUSED.
    #[must_use]
    pub fn refused_send_status(&self) -> i32 {
        if self.state.lock().low_power { ndis_sys::NDIS_STATUS_LOW_POWER_STATE } else { ndis_sys::NDIS_STATUS_PAUSED }
    }

    /// Counts one NBL a DMA NIC sent (`bytes` over its NET_BUFFERs), or failed.
    pub fn count_dma_send(&self, ok: bool, bytes: u64) {
        let mut state = self.state.lock();
        if ok {
            state.counters.xmit.count_len(None, bytes);
        } else {
            state.counters.xmit_error += 1;
        }
    }

    /// Counts completed sends.
    pub fn count_sends(&self, tally: &SendTally) {
        let mut state = self.state.lock();
        state.counters.xmit.add(&tally.sent);
        state.counters.xmit_error += tally.failed;
    }
}
