//! The host actions of the stress and which of them NDIS may take now: VM queue OIDs
//! (allocate, complete, filter, clear, free, grow, and the odd unknown id), pause/restart,
//! halt, re-adding an adapter or reloading the driver, and surprise removal.
//! <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-virtual-machine-queue-states>

use ndis_sim::{QueueId, QueueSpec};
use ndis_sys::{
    NDIS_RECEIVE_QUEUE_PARAMETERS_PER_QUEUE_RECEIVE_INDICATION, NDIS_STATUS_PENDING, NDIS_STATUS_SUCCESS,
    NdisDevicePnPEventSurpriseRemoved, NdisHaltDeviceDisabled, NdisHaltDeviceSurpriseRemoved,
};

use super::Stressor;
use super::world::{AdapterView, FilterView, MAX_ADAPTERS, MAX_FILTERS_PER_QUEUE, MAX_QUEUES, QueueView};

/// One host action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    /// OID_RECEIVE_FILTER_ALLOCATE_QUEUE.
    AllocateQueue,
    /// OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE for some allocated queues.
    CompleteAllocation,
    /// OID_RECEIVE_FILTER_SET_FILTER (MAC, or MAC + VLAN).
    SetFilter,
    /// OID_RECEIVE_FILTER_CLEAR_FILTER.
    ClearFilter,
    /// CLEAR_FILTER of the queue's filters, then OID_RECEIVE_FILTER_FREE_QUEUE.
    FreeQueue,
    /// OID_RECEIVE_FILTER_QUEUE_PARAMETERS with a new suggested buffer count.
    Grow,
    /// Frames through the wire.
    Send,
    /// Held NBLs back to the miniport: all, the oldest n, or n shuffled.
    Return,
    /// MiniportPause.
    Pause,
    /// MiniportRestart.
    Restart,
    /// MiniportHaltEx (NDIS clears filters and frees queues first).
    Halt,
    /// MiniportInitializeEx of another adapter.
    AddAdapter,
    /// Unload and load the driver (no adapter left).
    ReloadDriver,
    /// MiniportDevicePnPEventNotify(SurpriseRemoved).
    SurpriseRemove,
    /// FREE_QUEUE of a queue NDIS never allocated (or the default queue).
    FreeUnknownQueue,
    /// CLEAR_FILTER of a filter NDIS never set.
    ClearUnknownFilter,
    /// OID_GEN_CURRENT_PACKET_FILTER (sometimes after OID_802_3_MULTICAST_LIST).
    PacketFilter,
    /// Pause, OID_PNP_SET_POWER D3, D0, restart.
    PowerCycle,
}

impl Action {
    /// Every action, in report order.
    pub const ALL: [Self; 18] = [
        Self::AllocateQueue,
        Self::CompleteAllocation,
        Self::SetFilter,
        Self::ClearFilter,
        Self::FreeQueue,
        Self::Grow,
        Self::Send,
        Self::Return,
        Self::Pause,
        Self::Restart,
        Self::Halt,
        Self::AddAdapter,
        Self::ReloadDriver,
        Self::SurpriseRemove,
        Self::FreeUnknownQueue,
        Self::ClearUnknownFilter,
        Self::PacketFilter,
        Self::PowerCycle,
    ];

    /// Its name in the report.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::AllocateQueue => "allocate_queue",
            Self::CompleteAllocation => "complete_allocation",
            Self::SetFilter => "set_filter",
            Self::ClearFilter => "clear_filter",
            Self::FreeQueue => "free_queue",
            Self::Grow => "grow",
            Self::Send => "send",
            Self::Return => "return",
            Self::Pause => "pause",
            Self::Restart => "restart",
            Self::Halt => "halt",
            Self::AddAdapter => "add_adapter",
            Self::ReloadDriver => "reload_driver",
            Self::SurpriseRemove => "surprise_remove",
            Self::FreeUnknownQueue => "free_unknown_queue",
            Self::ClearUnknownFilter => "clear_unknown_filter",
            Self::PacketFilter => "packet_filter",
            Self::PowerCycle => "power_cycle",
        }
    }

    /// Its weight for adapter `a` (0: NDIS would not do it now). `held`: NBLs NDIS holds.
    fn weight(self, a: &AdapterView, held: usize) -> u32 {
        let oid = a.oid_ok();
        let live = oid && !a.removed;
        let any_filter = a.filters().next().is_some();
        let w = |ok: bool, w: u32| if ok { w } else { 0 };
        match self {
            Self::AllocateQueue => w(live && a.queues.len() < MAX_QUEUES, 24),
            Self::CompleteAllocation => w(live && a.queues.iter().any(|q| !q.completed), 24),
            Self::SetFilter => w(live && a.queues.iter().any(|q| q.filters.len() < MAX_FILTERS_PER_QUEUE), 32),
            Self::ClearFilter => w(oid && any_filter, 12),
            Self::FreeQueue => w(oid && !a.queues.is_empty(), if a.removed { 32 } else { 12 }),
            Self::Grow => w(live && a.queues.iter().any(|q| q.completed), 12),
            Self::Send => w(a.running, 64),
            Self::Return => w(held > 0, 40),
            Self::Pause => w(oid && a.running, 6),
            Self::Restart => w(live && !a.running, 16),
            // An adapter lives a few hundred actions; a removed one is torn down soon.
            Self::Halt => w(true, if a.removed { 24 } else { 1 }),
            Self::SurpriseRemove => w(!a.removed, 1),
            Self::FreeUnknownQueue | Self::ClearUnknownFilter => w(oid, 3),
            Self::PacketFilter => w(live, 4),
            Self::PowerCycle => w(live && a.running, 2),
            Self::AddAdapter | Self::ReloadDriver => 0,
        }
    }
}

impl Stressor {
    /// Chooses the next action and the adapter (index) it applies to.
    pub(super) fn choose(&mut self) -> (Action, usize) {
        if self.adapters.is_empty() {
            let action = if self.rng.chance(70) { Action::AddAdapter } else { Action::ReloadDriver };
            return (action, 0);
        }
        let mut candidates = Vec::new();
        let mut weights = Vec::new();
        for i in 0..self.adapters.len() {
            let held = self.host.received_outstanding(self.adapters[i].id);
            for action in Action::ALL {
                candidates.push((action, i));
                weights.push(action.weight(&self.adapters[i], held));
            }
        }
        if self.adapters.len() < MAX_ADAPTERS {
            candidates.push((Action::AddAdapter, 0));
            weights.push(2);
        }
        let at = self.rng.weighted(&weights).unwrap_or(0);
        candidates.get(at).copied().unwrap_or((Action::Halt, 0))
    }

    /// Carries out `action` on adapter `i`.
    pub(super) fn perform(&mut self, action: Action, i: usize) {
        match action {
            Action::AllocateQueue => self.allocate_queue(i),
            Action::CompleteAllocation => self.complete_allocation(i),
            Action::SetFilter => self.set_filter(i),
            Action::ClearFilter => {
                let filters: Vec<(QueueId, FilterView)> = self.adapters[i].filters().collect();
                if let Some(&(q, f)) = self.rng.pick(&filters) {
                    self.clear_filter(i, q, f.id);
                }
            }
            Action::FreeQueue => {
                let ids: Vec<QueueId> = self.adapters[i].queues.iter().map(|q| q.id).collect();
                if let Some(&q) = self.rng.pick(&ids) {
                    self.free_queue(i, q);
                }
            }
            Action::Grow => self.grow(i),
            Action::Send => self.send(i),
            Action::Return => self.return_some(i),
            Action::Pause => self.pause(i),
            Action::Restart => self.restart(i),
            Action::Halt => self.halt(i),
            Action::AddAdapter => self.add_adapter(),
            Action::ReloadDriver => self.reload_driver(),
            Action::SurpriseRemove => self.surprise_remove(i),
            Action::FreeUnknownQueue => self.free_unknown_queue(i),
            Action::ClearUnknownFilter => self.clear_unknown_filter(i),
            Action::PacketFilter => self.packet_filter(i),
            Action::PowerCycle => {
                let a = self.adapters[i].id;
                self.count(Action::PowerCycle);
                if let Err(e) = self.host.power_cycle(a) {
                    self.problem(format!("power cycle failed: {e}"));
                }
            }
        }
    }

    fn allocate_queue(&mut self, i: usize) {
        let buffers = [0u32, 16, 32, 64, 100, 256];
        let suggested = *self.rng.pick(&buffers).unwrap_or(&64);
        // NDIS names only processors the host has (the simulated host's default count).
        let processors = ndis_sim::model::processors::DEFAULT_PROCESSOR_COUNT as usize;
        let mut spec = QueueSpec::default().suggested_buffers(suggested).affinity(1 << self.rng.below(processors));
        if self.rng.chance(20) {
            spec = spec.flags(NDIS_RECEIVE_QUEUE_PARAMETERS_PER_QUEUE_RECEIVE_INDICATION);
        }
        let a = self.adapters[i].id;
        self.count(Action::AllocateQueue);
        match self.host.allocate_queue(a, spec) {
            Ok(id) => {
                self.status(Action::AllocateQueue, NDIS_STATUS_SUCCESS);
                self.adapters[i].queues.push(QueueView { id, completed: false, filters: Vec::new() });
            }
            Err(r) => self.status(Action::AllocateQueue, r.status),
        }
    }

    fn complete_allocation(&mut self, i: usize) {
        let open: Vec<QueueId> = self.adapters[i].queues.iter().filter(|q| !q.completed).map(|q| q.id).collect();
        let mut ids: Vec<QueueId> = open.iter().copied().filter(|_| self.rng.chance(70)).collect();
        if ids.is_empty() {
            ids.extend(self.rng.pick(&open).copied());
        }
        let a = self.adapters[i].id;
        self.count(Action::CompleteAllocation);
        let failed: Vec<QueueId> = match self.host.complete_queue_allocation(a, &ids) {
            Ok(list) => {
                self.status(Action::CompleteAllocation, NDIS_STATUS_SUCCESS);
                let mut failed = Vec::new();
                for (q, status) in list {
                    if status == NDIS_STATUS_SUCCESS {
                        if let Some(v) = self.queue_mut(i, q) {
                            v.completed = true;
                        }
                    } else {
                        self.problem(format!("CompletionStatus of {q} is {status:#x} without a failed allocation"));
                        failed.push(q);
                    }
                }
                failed
            }
            Err(r) => {
                self.status(Action::CompleteAllocation, r.status);
                ids
            }
        };
        // The vSwitch frees a queue whose allocation could not complete.
        for q in failed {
            self.free_queue(i, q);
        }
    }

    fn set_filter(&mut self, i: usize) {
        let open: Vec<QueueId> =
            self.adapters[i].queues.iter().filter(|q| q.filters.len() < MAX_FILTERS_PER_QUEUE).map(|q| q.id).collect();
        let Some(&q) = self.rng.pick(&open) else {
            return;
        };
        self.next_mac += 1;
        let [_, c2, c1, c0] = self.next_mac.to_be_bytes();
        let mac = [0x02, 0x15, 0x5E, c2, c1, c0];
        // CAST: at most 4094.
        let vlan = self.rng.chance(50).then(|| self.rng.range(1, 4094) as u16);
        let a = self.adapters[i].id;
        self.count(Action::SetFilter);
        match self.host.set_mac_filter(a, q, mac, vlan) {
            Ok(id) => {
                self.status(Action::SetFilter, NDIS_STATUS_SUCCESS);
                if let Some(v) = self.queue_mut(i, q) {
                    v.filters.push(FilterView { id, mac, vlan });
                }
            }
            Err(r) => self.status(Action::SetFilter, r.status),
        }
    }

    /// CLEAR_FILTER; `true` if the filter is gone.
    fn clear_filter(&mut self, i: usize, q: QueueId, filter: u32) -> bool {
        let a = self.adapters[i].id;
        self.count(Action::ClearFilter);
        let status = self.host.clear_filter(a, q, filter).status;
        self.status(Action::ClearFilter, status);
        if status == NDIS_STATUS_SUCCESS {
            if let Some(v) = self.queue_mut(i, q) {
                v.filters.retain(|f| f.id != filter);
            }
            return true;
        }
        if !self.adapters[i].removed {
            self.problem(format!("CLEAR_FILTER of filter {filter} on {q} answered {status:#x}"));
        }
        false
    }

    /// Clears the queue's filters (NDIS never frees a queue with filters), then FREE_QUEUE.
    pub(super) fn free_queue(&mut self, i: usize, q: QueueId) {
        let filters: Vec<u32> =
            self.queue_mut(i, q).map(|v| v.filters.iter().map(|f| f.id).collect()).unwrap_or_default();
        for f in filters {
            if !self.clear_filter(i, q, f) {
                return;
            }
        }
        let a = self.adapters[i].id;
        self.count(Action::FreeQueue);
        let r = self.host.free_queue(a, q);
        self.status(Action::FreeQueue, r.status);
        match r.status {
            NDIS_STATUS_SUCCESS => self.adapters[i].queues.retain(|v| v.id != q),
            NDIS_STATUS_PENDING => self.adapters[i].pending_free = Some((r.request_id, q)),
            status if !self.adapters[i].removed => {
                self.problem(format!("FREE_QUEUE of {q} answered {status:#x}"));
            }
            _ => {}
        }
    }

    fn grow(&mut self, i: usize) {
        let open: Vec<QueueId> = self.adapters[i].queues.iter().filter(|q| q.completed).map(|q| q.id).collect();
        let Some(&q) = self.rng.pick(&open) else {
            return;
        };
        let counts = [0u32, 16, 64, 128, 256, 512, 1024];
        let n = *self.rng.pick(&counts).unwrap_or(&128);
        let a = self.adapters[i].id;
        self.count(Action::Grow);
        let status = self.host.set_queue_suggested_buffers(a, q, n).status;
        self.status(Action::Grow, status);
    }

    fn pause(&mut self, i: usize) {
        let a = self.adapters[i].id;
        self.count(Action::Pause);
        match self.host.pause(a) {
            Ok(()) => self.adapters[i].running = false,
            Err(e) => self.problem(format!("pause failed: {e}")),
        }
    }

    fn restart(&mut self, i: usize) {
        let a = self.adapters[i].id;
        self.count(Action::Restart);
        match self.host.restart(a) {
            Ok(()) => self.adapters[i].running = true,
            Err(e) => self.problem(format!("restart failed: {e}")),
        }
    }

    /// MiniportHaltEx at any point: a pended FREE_QUEUE first gets its NBLs back (NDIS
    /// completes its requests before halting), then NDIS pauses, clears, frees and halts.
    pub(super) fn halt(&mut self, i: usize) {
        self.settle_pending_free(i);
        let view = self.adapters.remove(i);
        let action = if view.removed { NdisHaltDeviceSurpriseRemoved } else { NdisHaltDeviceDisabled };
        self.count(Action::Halt);
        if let Err(e) = self.host.halt(view.id, action) {
            self.problem(format!("halt failed: {e}"));
        }
    }

    fn add_adapter(&mut self) {
        let jumbo = [1514, 4088, 9014][self.rng.below(3)];
        let config = ndis_sim::AdapterConfig::default()
            .keyword("VmqContiguousRx", u32::from(self.rng.chance(30)))
            .keyword("*JumboPacket", jumbo)
            .bus_master(true);
        self.count(Action::AddAdapter);
        match self.host.add_adapter(config) {
            Ok(id) => self.adapters.push(AdapterView::new(id)),
            Err(e) => self.problem(format!("MiniportInitializeEx failed: {e}")),
        }
    }

    fn reload_driver(&mut self) {
        self.count(Action::ReloadDriver);
        if let Err(e) = self.host.unload_driver() {
            self.problem(format!("unload failed: {e}"));
        }
        if let Err(e) = self.host.load_driver(vmqnic::DriverEntry) {
            self.problem(format!("DriverEntry failed: {e}"));
        }
    }

    fn surprise_remove(&mut self, i: usize) {
        let a = self.adapters[i].id;
        self.count(Action::SurpriseRemove);
        match self.host.pnp_event(a, NdisDevicePnPEventSurpriseRemoved) {
            Ok(()) => self.adapters[i].removed = true,
            Err(e) => self.problem(format!("PnP event failed: {e}")),
        }
    }

    /// FREE_QUEUE of a QueueId NDIS never handed out (64..=255, or the default queue 0).
    fn free_unknown_queue(&mut self, i: usize) {
        // CAST: below 256.
        let q = if self.rng.chance(20) { 0 } else { self.rng.range(64, 255) as u32 };
        let a = self.adapters[i].id;
        self.count(Action::FreeUnknownQueue);
        let r = self.host.free_queue(a, QueueId(q));
        self.status(Action::FreeUnknownQueue, r.status);
        if r.status == NDIS_STATUS_SUCCESS || r.status == NDIS_STATUS_PENDING {
            self.problem(format!("FREE_QUEUE of unknown queue {q} answered {:#x}", r.status));
        }
    }

    /// CLEAR_FILTER of a FilterId NDIS never handed out, on a live queue or the default queue.
    fn clear_unknown_filter(&mut self, i: usize) {
        let ids: Vec<QueueId> = self.adapters[i].queues.iter().map(|q| q.id).collect();
        let q = self.rng.pick(&ids).copied().unwrap_or(QueueId(0));
        // CAST: below 5000.
        let filter = self.rng.range(3000, 4999) as u32;
        let a = self.adapters[i].id;
        self.count(Action::ClearUnknownFilter);
        let status = self.host.clear_filter(a, q, filter).status;
        self.status(Action::ClearUnknownFilter, status);
        if status == NDIS_STATUS_SUCCESS || status == NDIS_STATUS_PENDING {
            self.problem(format!("CLEAR_FILTER of unknown filter {filter} answered {status:#x}"));
        }
    }

    /// A new packet filter: none, directed + broadcast, listed multicast, or the switch's
    /// promiscuous one (ndis-sim checks every later default-queue indication against it).
    fn packet_filter(&mut self, i: usize) {
        const FILTERS: [u32; 4] = [0, 0x01 | 0x08, 0x02, 0x01 | 0x02 | 0x08 | 0x20];
        let a = self.adapters[i].id;
        self.count(Action::PacketFilter);
        if self.rng.chance(30) {
            let list = [0x01, 0x00, 0x5E, 0x00, 0x00, 0x01, 0x01, 0x00, 0x5E, 0x00, 0x00, 0x02];
            let status = self.host.oid_set(a, ndis_sys::OID_802_3_MULTICAST_LIST, &list).status;
            self.status(Action::PacketFilter, status);
        }
        let filter = self.rng.pick(&FILTERS).copied().unwrap_or(0);
        let status = self.host.oid_set(a, ndis_sys::OID_GEN_CURRENT_PACKET_FILTER, &filter.to_le_bytes()).status;
        self.status(Action::PacketFilter, status);
        if status != NDIS_STATUS_SUCCESS {
            self.problem(format!("packet filter {filter:#x} answered {status:#x}"));
        }
    }

    fn queue_mut(&mut self, i: usize, q: QueueId) -> Option<&mut QueueView> {
        self.adapters.get_mut(i).and_then(|a| a.queues.iter_mut().find(|v| v.id == q))
    }
}
