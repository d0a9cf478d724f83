//! A tiny fake VMQ miniport for the ndis-sim tests: well behaved by default, with knobs and
//! per-handler hooks that let a test make it break one rule at a time.
//!
//! Everything is per thread (tests run in parallel threads, one host each).

#![allow(
    dead_code,
    unused_imports,
    unreachable_pub,
    non_upper_case_globals,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::ptr::null_mut;

use ndis_sim::{AdapterConfig, AdapterId, Host, HostConfig};
use ndis_sys::*;

mod fake;
mod ndis;
pub mod oid;
pub mod rx;

pub use fake::{fake_driver_entry, work_item};
pub use ndis::*;

/// The fake's pool tag.
pub const TAG: u32 = u32::from_le_bytes(*b"Fake");
/// Bytes of shared memory the fake allocates per queue at allocation complete.
pub const QUEUE_MEMORY: u32 = 64 * 1024;

/// Where a hook runs: at the start of the named handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Point {
    /// DriverEntry, after registering.
    DriverEntry,
    /// MiniportDriverUnload.
    Unload,
    /// MiniportInitializeEx, before anything else (`state` is null).
    InitializeStart,
    /// MiniportInitializeEx, after the attributes and resources are set up.
    Initialize,
    /// MiniportHaltEx.
    Halt,
    /// MiniportPause.
    Pause,
    /// MiniportRestart.
    Restart,
    /// MiniportOidRequest.
    Oid,
    /// MiniportSendNetBufferLists.
    Send,
    /// MiniportReturnNetBufferLists.
    Return,
    /// MiniportShutdownEx.
    Shutdown,
    /// MiniportDevicePnPEventNotify.
    PnP,
    /// MiniportCancelOidRequest.
    CancelOid,
    /// A work item routine.
    WorkItem,
}

/// What a hook sees.
pub struct Ctx {
    /// The MiniportAdapterHandle (null outside adapter handlers).
    pub adapter: NDIS_HANDLE,
    /// The fake's adapter state (null outside adapter handlers).
    pub state: *mut FakeAdapter,
    /// The OID request (Oid point only).
    pub request: *mut NDIS_OID_REQUEST,
    /// The NBL chain (Send/Return points only).
    pub nbl: *mut NET_BUFFER_LIST,
}

impl Ctx {
    /// The fake adapter state.
    pub fn state(&mut self) -> &mut FakeAdapter {
        assert!(!self.state.is_null());
        // SAFETY: the state pointer is the live Box the fake passed as adapter context.
        unsafe { &mut *self.state }
    }
}

type Hook = Box<dyn FnMut(&mut Ctx) -> Option<NDIS_STATUS>>;
/// A change applied to the characteristics before registering.
pub type EditCharacteristics = Box<dyn FnMut(&mut NDIS_MINIPORT_DRIVER_CHARACTERISTICS)>;

/// Behaviour switches (all off / well behaved by default).
pub struct Knobs {
    /// Set NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER and register SG DMA (on by default: every
    /// adapter that allocates shared memory must register first).
    pub bus_master: bool,
    /// Skip NdisMRegisterScatterGatherDma even when bus master.
    pub skip_sg_dma: bool,
    /// Allocate shared memory for the default queue at initialize (freed at halt).
    pub default_queue_memory: bool,
    /// Request CONTIGUOUS for queue memory.
    pub contiguous: bool,
    /// Pend FREE_QUEUE and finish it in a work item.
    pub pend_free_queue: bool,
    /// Pend MiniportPause and complete it in a work item.
    pub pend_pause: bool,
    /// Edits the characteristics before registering.
    pub characteristics: Option<EditCharacteristics>,
    /// Skip the DmaStopped indication in FREE_QUEUE.
    pub skip_dma_stopped: bool,
    /// Skip freeing a queue's memory in FREE_QUEUE.
    pub leak_queue_memory: bool,
    /// The ProcessSGListHandler registered with SG DMA (none by default).
    pub process_sg_list: MINIPORT_PROCESS_SG_LIST_HANDLER,
    /// Set NDIS_MINIPORT_ATTRIBUTES_NO_HALT_ON_SUSPEND (without reporting PM capabilities).
    pub no_halt_on_suspend: bool,
    /// MacOptions of the general attributes.
    pub mac_options: u32,
    /// One permanent address for every adapter (default: one per adapter, from its handle).
    pub mac: Option<[u8; 6]>,
    /// Loop sends back into a VMQ receive path (NBL pool, receive buffers in shared memory,
    /// filters, indications); see `rx.rs`.
    pub rx: bool,
}

impl Default for Knobs {
    fn default() -> Self {
        Self {
            bus_master: true,
            mac_options: NDIS_MAC_OPTION_8021P_PRIORITY,
            no_halt_on_suspend: false,
            mac: None,
            skip_sg_dma: false,
            default_queue_memory: true,
            contiguous: false,
            pend_free_queue: false,
            pend_pause: false,
            characteristics: None,
            skip_dma_stopped: false,
            leak_queue_memory: false,
            rx: false,
            process_sg_list: None,
        }
    }
}

/// The fake's per-adapter state (the MiniportAdapterContext).
pub struct FakeAdapter {
    /// MiniportAdapterHandle.
    pub handle: NDIS_HANDLE,
    /// A pool block held from initialize to halt.
    pub pool: PVOID,
    /// SG DMA handle, if registered.
    pub sg_dma: NDIS_HANDLE,
    /// Shared memory AllocationHandles by QueueId (0 = default queue).
    pub memory: BTreeMap<u32, Vec<NDIS_HANDLE>>,
    /// A request pended for a work item.
    pub pending: *mut NDIS_OID_REQUEST,
    /// The queue a pended FREE_QUEUE frees.
    pub pending_queue: u32,
    /// The work item allocated for pended work.
    pub work_item: NDIS_HANDLE,
    /// The value of `*VMQ` read at initialize.
    pub vmq_keyword: Option<u32>,
    /// The receive path (when the `rx` knob is on).
    pub rx: rx::Rx,
}

thread_local! {
    static KNOBS: RefCell<Knobs> = RefCell::new(Knobs::default());
    static HOOKS: RefCell<Vec<(Point, Hook)>> = RefCell::new(Vec::new());
    static DRIVER_HANDLE: Cell<usize> = const { Cell::new(0) };
    static DRIVER_OBJECT_PTR: Cell<usize> = const { Cell::new(0) };
    static INIT_PARAMETERS: Cell<usize> = const { Cell::new(0) };
}

/// The NDIS_MINIPORT_INIT_PARAMETERS of the latest MiniportInitializeEx (valid inside it).
pub fn init_parameters() -> *mut NDIS_MINIPORT_INIT_PARAMETERS {
    INIT_PARAMETERS.with(Cell::get) as *mut NDIS_MINIPORT_INIT_PARAMETERS
}

/// Changes the knobs of this thread's fake.
pub fn knobs(f: impl FnOnce(&mut Knobs)) {
    KNOBS.with(|k| f(&mut k.borrow_mut()));
}

fn knob<R>(f: impl FnOnce(&Knobs) -> R) -> R {
    KNOBS.with(|k| f(&k.borrow()))
}

/// Adds a hook run at the start of `point`; returning `Some(status)` makes the handler return
/// `status` at once (or, for VOID handlers, skip its default behaviour).
pub fn hook(point: Point, f: impl FnMut(&mut Ctx) -> Option<NDIS_STATUS> + 'static) {
    HOOKS.with(|h| h.borrow_mut().push((point, Box::new(f))));
}

fn run_hooks(point: Point, ctx: &mut Ctx) -> Option<NDIS_STATUS> {
    let mut hooks = HOOKS.with(|h| std::mem::take(&mut *h.borrow_mut()));
    let mut result = None;
    for (p, f) in hooks.iter_mut() {
        if *p == point && result.is_none() {
            result = f(ctx);
        }
    }
    HOOKS.with(|h| {
        let mut h = h.borrow_mut();
        hooks.append(&mut h);
        *h = hooks;
    });
    result
}

/// The driver handle the fake registered.
pub fn driver_handle() -> NDIS_HANDLE {
    DRIVER_HANDLE.with(Cell::get) as NDIS_HANDLE
}

/// The DRIVER_OBJECT DriverEntry received.
pub fn driver_object() -> *mut DRIVER_OBJECT {
    DRIVER_OBJECT_PTR.with(Cell::get) as *mut DRIVER_OBJECT
}

/// A fresh host with the fake loaded; knobs and hooks set before this call apply.
pub fn host() -> Host {
    host_with(HostConfig::default())
}

/// Like [`host`] with a configuration.
pub fn host_with(config: HostConfig) -> Host {
    // The fake answers none of the mandatory OIDs; `rules_oid` checks that rule on its own.
    // Its wire loops each send back to the sender: the traffic source sends through the
    // adapter itself, not through a support adapter.
    let mut host = Host::new(config.without_host_oids().support_adapter(false));
    host.load_driver(fake_driver_entry).expect("DriverEntry");
    host
}

/// A host with one running adapter.
pub fn host_with_adapter() -> (Host, AdapterId) {
    let mut host = host();
    let a = host.add_adapter(AdapterConfig::default().keyword("*VMQ", 1)).expect("add_adapter");
    (host, a)
}

/// Asserts `violations` names `rule` (and returns them for more checks).
pub fn assert_rule(host: &mut Host, rule: &str) -> Vec<ndis_sim::Violation> {
    let v = host.take_violations();
    assert!(v.iter().any(|v| v.rule == rule), "expected a `{rule}` violation, got: {v:#?}");
    v
}

fn adapter_ctx(state: *mut FakeAdapter) -> Ctx {
    // SAFETY: `state` is the live Box the fake passed as MiniportAdapterContext.
    let adapter = unsafe { (*state).handle };
    Ctx { adapter, state, request: null_mut(), nbl: null_mut() }
}

/// A VM's MAC address (`02:00:00:00:01:i`).
pub fn mac(i: u8) -> [u8; 6] {
    [0x02, 0, 0, 0, 1, i]
}

/// A host whose fake has the receive path on, with one running adapter and one VM queue per
/// `(mac, vlan)`: ALLOCATE_QUEUE with `spec`, SET_FILTER (MAC, plus VLAN when given; otherwise
/// VLAN_UNTAGGED_OR_ZERO), QUEUE_ALLOCATION_COMPLETE.
pub fn rx_host_with(
    config: HostConfig,
    spec: ndis_sim::QueueSpec,
    filters: &[([u8; 6], Option<u16>)],
) -> (Host, AdapterId, Vec<ndis_sim::QueueId>) {
    knobs(|k| k.rx = true);
    let mut host = host_with(config);
    let a = host.add_adapter(AdapterConfig::default().keyword("*VMQ", 1)).expect("add_adapter");
    let mut queues = Vec::new();
    for &(mac, vlan) in filters {
        let q = host.allocate_queue(a, spec.clone()).expect("allocate_queue");
        host.set_mac_filter(a, q, mac, vlan).expect("set_filter");
        let done = host.complete_queue_allocation(a, &[q]).expect("allocation complete");
        assert_eq!(done, vec![(q, NDIS_STATUS_SUCCESS)]);
        queues.push(q);
    }
    (host, a, queues)
}

/// [`rx_host_with`] with the default host configuration and queue parameters.
pub fn rx_host(filters: &[([u8; 6], Option<u16>)]) -> (Host, AdapterId, Vec<ndis_sim::QueueId>) {
    rx_host_with(HostConfig::default(), ndis_sim::QueueSpec::default(), filters)
}
