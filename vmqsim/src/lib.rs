//! `vmqsim`: runs the vmqnic driver through the Hyper-V vSwitch VMQ lifecycle on ndis-sim.
//!
//! The sequence a vSwitch drives for `--queues N` VMs: load the driver (DriverEntry),
//! initialize an adapter (default-queue shared memory), restart it, allocate N VM queues
//! (OID_RECEIVE_FILTER_ALLOCATE_QUEUE), complete their allocation in one
//! OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE (shared memory per queue), grow each queue
//! (OID_RECEIVE_FILTER_QUEUE_PARAMETERS with a larger suggested buffer count: more shared
//! memory), give each queue a MAC filter (even queues untagged, odd queues MAC + VLAN),
//! send `--frames M` frames through the software NIC's wire (round-robin over the queues'
//! MACs, every ninth to an unknown MAC for the default queue), clear the filters, free
//! every queue (OID_RECEIVE_FILTER_FREE_QUEUE), halt, unload — then report.
//!
//! Two more modes: [`sweep`] (`--fail-alloc-all`, every allocation of a richer lifecycle
//! failed in turn) and [`stress`] (`--stress`, seeded random interleavings of host actions).
//! <https://learn.microsoft.com/windows-hardware/drivers/network/vmq-receive-queues>

pub mod args;
pub mod json;
mod render;
mod status;
pub mod stress;
pub mod sweep;

use ndis_sim::{AdapterConfig, Env, FrameSpec, Host, HostConfig, QueueId, QueueSpec, Report, Sim, SimError, Traffic};

pub use args::Options;
pub use render::{json_report, text_report};
pub use status::status_name;

/// Receive buffers each VM queue is created with, and grown to.
pub const INITIAL_BUFFERS: u32 = 64;
/// See [`INITIAL_BUFFERS`].
pub const GROWN_BUFFERS: u32 = 128;

/// What happened to one VM queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueOutcome {
    /// QueueId NDIS assigned (None when ALLOCATE_QUEUE failed).
    pub queue_id: Option<u32>,
    /// ALLOCATE_QUEUE status.
    pub allocate_status: i32,
    /// CompletionStatus from ALLOCATION_COMPLETE.
    pub completion_status: Option<i32>,
    /// Status of the grow request.
    pub grow_status: Option<i32>,
    /// FREE_QUEUE status.
    pub free_status: Option<i32>,
    /// SET_FILTER status and the FilterId NDIS assigned.
    pub filter: Option<(i32, Option<u32>)>,
    /// The filter: destination MAC and VLAN (None = untagged).
    pub address: ([u8; 6], Option<u16>),
}

/// The result of one run.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Options the run used.
    pub options: Options,
    /// MiniportInitializeEx status (or the load failure).
    pub initialize_status: i32,
    /// Per-queue outcomes, in allocation order.
    pub queues: Vec<QueueOutcome>,
    /// ndis-sim's report after unload.
    pub report: Report,
    /// NdisAllocateSharedMemory calls the run made.
    pub shared_memory_allocation_calls: u64,
    /// Every rule violation of the run.
    pub violations: Vec<String>,
    /// What the traffic source's frames did.
    pub traffic: Traffic,
    /// Instructions the emulator executed (`--sys` runs only).
    pub emulation: Option<u64>,
}

impl Outcome {
    /// No violation and nothing outstanding.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.violations.is_empty()
            && self.report.shared_memory.bytes_outstanding == 0
            && self.report.pool.bytes_outstanding == 0
    }
}

/// What a finished host still holds that it should not: shared memory, pool, received NBLs
/// NDIS never returned, and (`nbl_live`) NBL pools, NBLs and MDLs the driver never freed.
/// Empty when nothing leaked.
#[must_use]
pub fn leaks(report: &Report, nbl_live: (usize, usize, usize)) -> Vec<String> {
    let mut reasons = Vec::new();
    if report.shared_memory.bytes_outstanding != 0 {
        reasons.push(format!("leak: {} bytes of shared memory outstanding", report.shared_memory.bytes_outstanding));
    }
    if report.pool.bytes_outstanding != 0 {
        reasons.push(format!("leak: {} bytes of pool outstanding", report.pool.bytes_outstanding));
    }
    if report.nbls_outstanding != 0 {
        reasons.push(format!("leak: {} received NBLs never returned", report.nbls_outstanding));
    }
    if nbl_live != (0, 0, 0) {
        let (pools, nbls, mdls) = nbl_live;
        reasons.push(format!("leak: {pools} NBL pools, {nbls} NBLs, {mdls} MDLs still allocated"));
    }
    reasons
}

fn sim_error_status(error: &SimError) -> i32 {
    match error {
        SimError::DriverEntryFailed(s) | SimError::InitializeFailed(s) | SimError::RestartFailed(s) => *s,
        _ => ndis_sys::NDIS_STATUS_FAILURE,
    }
}

/// Runs the lifecycle once.
#[must_use]
pub fn run(options: &Options) -> Outcome {
    let mut config = HostConfig::default().seed(options.seed);
    if let Some(k) = options.fail_alloc {
        config = config.fail_shared_memory_allocation(k);
    }
    if let Some(k) = options.fail_pool {
        config = config.fail_pool_allocation(k);
    }
    match &options.sys {
        None => {
            let mut host = Host::new(config);
            let loaded = host.load_driver(vmqnic::DriverEntry);
            run_on(&mut host, loaded, options, Vec::new())
        }
        Some(path) => match sys_emu::EmuHost::load(path, config) {
            Ok(mut host) => {
                let loaded = host.load_driver();
                let mut outcome = run_on(&mut host, loaded, options, Vec::new());
                outcome.violations.extend(host.errors().iter().map(|e| format!("emulator: {e}")));
                outcome.emulation = Some(host.stats().instructions);
                outcome
            }
            Err(e) => {
                let mut host = Host::new(HostConfig::default());
                run_on(&mut host, Err(SimError::NoDriver), options, vec![format!("cannot load {path}: {e}")])
            }
        },
    }
}

/// The lifecycle on any simulated host: ndis-sim's host build (the driver's Rust source linked
/// into this program) or the emulator running the real `vmqnic.sys`.
fn run_on<E: Env>(
    host: &mut Sim<E>,
    loaded: Result<(), SimError>,
    options: &Options,
    mut violations: Vec<String>,
) -> Outcome {
    let mut queues = Vec::new();
    let mut traffic = Traffic::default();
    let initialize_status = match loaded {
        Err(e) => sim_error_status(&e),
        Ok(()) => {
            let adapter_config = AdapterConfig::default().keyword("VmqContiguousRx", u32::from(options.contiguous));
            match host.add_adapter(adapter_config) {
                Err(e) => sim_error_status(&e),
                Ok(adapter) => {
                    queues = vswitch_sequence(host, adapter, options);
                    traffic = host.traffic(adapter);
                    let _ = host.halt(adapter, 0);
                    ndis_sys::NDIS_STATUS_SUCCESS
                }
            }
        }
    };
    let _ = host.unload_driver();
    violations.extend(host.take_violations().iter().map(ToString::to_string));
    Outcome {
        options: options.clone(),
        initialize_status,
        queues,
        report: host.report(),
        shared_memory_allocation_calls: host.shared_memory_allocation_calls(),
        violations,
        traffic,
        emulation: None,
    }
}

/// The MAC address the simulated VM behind queue index `i` uses.
#[must_use]
pub fn vm_mac(i: usize) -> [u8; 6] {
    // CAST: the queue index fits in 16 bits.
    let [hi, lo] = (i as u16).to_be_bytes();
    [0x02, 0x15, 0x5D, 0x00, hi, lo]
}

/// A MAC address no filter uses (its frames belong to the default queue).
pub const UNKNOWN_MAC: [u8; 6] = [0x02, 0x15, 0x5D, 0xFF, 0xFF, 0xFE];

fn blank(queue_id: Option<u32>, allocate_status: i32, i: usize) -> QueueOutcome {
    // CAST: small index.
    let vlan = (i % 2 == 1).then_some(100 + i as u16);
    QueueOutcome {
        queue_id,
        allocate_status,
        completion_status: None,
        grow_status: None,
        free_status: None,
        filter: None,
        address: (vm_mac(i), vlan),
    }
}

/// Allocate, complete, grow, filter, carry traffic, clear and free the VM queues.
fn vswitch_sequence<E: Env>(host: &mut Sim<E>, adapter: ndis_sim::AdapterId, options: &Options) -> Vec<QueueOutcome> {
    let mut outcomes: Vec<QueueOutcome> = (0..options.queues as usize)
        .map(|i| {
            let spec = QueueSpec::default().suggested_buffers(INITIAL_BUFFERS).affinity(1u64 << (i % 64));
            match host.allocate_queue(adapter, spec) {
                Ok(q) => blank(Some(q.0), ndis_sys::NDIS_STATUS_SUCCESS, i),
                Err(r) => blank(None, r.status, i),
            }
        })
        .collect();
    let ids: Vec<QueueId> = outcomes.iter().filter_map(|o| o.queue_id.map(QueueId)).collect();
    if !ids.is_empty()
        && let Ok(statuses) = host.complete_queue_allocation(adapter, &ids)
    {
        for (q, status) in statuses {
            if let Some(o) = outcomes.iter_mut().find(|o| o.queue_id == Some(q.0)) {
                o.completion_status = Some(status);
            }
        }
    }
    for o in &mut outcomes {
        if let (Some(q), Some(ndis_sys::NDIS_STATUS_SUCCESS)) = (o.queue_id, o.completion_status) {
            o.grow_status = Some(host.set_queue_suggested_buffers(adapter, QueueId(q), GROWN_BUFFERS).status);
            let (mac, vlan) = o.address;
            o.filter = Some(match host.set_mac_filter(adapter, QueueId(q), mac, vlan) {
                Ok(id) => (ndis_sys::NDIS_STATUS_SUCCESS, Some(id)),
                Err(r) => (r.status, None),
            });
        }
    }
    send_traffic(host, adapter, options, &outcomes);
    for o in &mut outcomes {
        if let (Some(q), Some((_, Some(filter_id)))) = (o.queue_id, o.filter) {
            host.clear_filter(adapter, QueueId(q), filter_id);
        }
    }
    for o in &mut outcomes {
        if let Some(q) = o.queue_id {
            o.free_status = Some(host.free_queue(adapter, QueueId(q)).status);
        }
    }
    outcomes
}

/// Frames per MiniportSendNetBufferLists call.
pub const FRAMES_PER_SEND: usize = 32;

/// Sends `options.frames` frames: round-robin over the filtered queues, every ninth
/// frame to [`UNKNOWN_MAC`].
fn send_traffic<E: Env>(host: &mut Sim<E>, adapter: ndis_sim::AdapterId, options: &Options, queues: &[QueueOutcome]) {
    let targets: Vec<([u8; 6], Option<u16>)> =
        queues.iter().filter(|o| matches!(o.filter, Some((_, Some(_))))).map(|o| o.address).collect();
    let mut batch = Vec::with_capacity(FRAMES_PER_SEND);
    for n in 0..options.frames {
        // CAST: modulo a small count.
        let spec = if targets.is_empty() || n % 9 == 8 {
            FrameSpec::new(UNKNOWN_MAC, options.frame_size)
        } else {
            let (mac, vlan) = targets[(n % targets.len() as u64) as usize];
            let spec = FrameSpec::new(mac, options.frame_size);
            match vlan {
                Some(id) => spec.vlan(id),
                None => spec,
            }
        };
        batch.push(spec);
        if batch.len() == FRAMES_PER_SEND || n + 1 == options.frames {
            let _ = host.send_frames(adapter, &batch);
            batch.clear();
        }
    }
}
