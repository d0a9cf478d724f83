//! `vmqsim`: runs the vmqnic driver through the Hyper-V vSwitch VMQ lifecycle on ndis-sim.
//!
//! The sequence a vSwitch drives for `--queues N` VMs: load the driver (DriverEntry),
//! initialize an adapter (default-queue shared memory), restart it, allocate N VM queues
//! (OID_RECEIVE_FILTER_ALLOCATE_QUEUE), complete their allocation in one
//! OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE (shared memory per queue), grow each queue
//! (OID_RECEIVE_FILTER_QUEUE_PARAMETERS with a larger suggested buffer count: more shared
//! memory), free every queue (OID_RECEIVE_FILTER_FREE_QUEUE), halt, unload — then report.
//! <https://learn.microsoft.com/windows-hardware/drivers/network/vmq-receive-queues>

pub mod args;
pub mod json;
mod render;
mod status;

use ndis_sim::{AdapterConfig, Host, HostConfig, QueueId, QueueSpec, Report, SimError};

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

fn sim_error_status(error: &SimError) -> i32 {
    match error {
        SimError::DriverEntryFailed(s)
        | SimError::InitializeFailed(s)
        | SimError::RestartFailed(s) => *s,
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
    let mut host = Host::new(config);
    let mut queues = Vec::new();
    let initialize_status = match host.load_driver(vmqnic::DriverEntry) {
        Err(e) => sim_error_status(&e),
        Ok(()) => {
            let adapter_config =
                AdapterConfig::default().keyword("VmqContiguousRx", u32::from(options.contiguous));
            match host.add_adapter(adapter_config) {
                Err(e) => sim_error_status(&e),
                Ok(adapter) => {
                    queues = vswitch_sequence(&mut host, adapter, options.queues);
                    let _ = host.halt(adapter, 0);
                    ndis_sys::NDIS_STATUS_SUCCESS
                }
            }
        }
    };
    let _ = host.unload_driver();
    let violations = host
        .take_violations()
        .iter()
        .map(ToString::to_string)
        .collect();
    Outcome {
        options: options.clone(),
        initialize_status,
        queues,
        report: host.report(),
        shared_memory_allocation_calls: host.shared_memory_allocation_calls(),
        violations,
    }
}

/// Allocate, complete, grow and free `count` VM queues.
fn vswitch_sequence(
    host: &mut Host,
    adapter: ndis_sim::AdapterId,
    count: u32,
) -> Vec<QueueOutcome> {
    let mut outcomes: Vec<QueueOutcome> = (0..count)
        .map(|i| {
            let spec = QueueSpec::default()
                .suggested_buffers(INITIAL_BUFFERS)
                .affinity(1u64 << (i % 64));
            match host.allocate_queue(adapter, spec) {
                Ok(q) => QueueOutcome {
                    queue_id: Some(q.0),
                    allocate_status: ndis_sys::NDIS_STATUS_SUCCESS,
                    completion_status: None,
                    grow_status: None,
                    free_status: None,
                },
                Err(r) => QueueOutcome {
                    queue_id: None,
                    allocate_status: r.status,
                    completion_status: None,
                    grow_status: None,
                    free_status: None,
                },
            }
        })
        .collect();
    let ids: Vec<QueueId> = outcomes
        .iter()
        .filter_map(|o| o.queue_id.map(QueueId))
        .collect();
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
            o.grow_status = Some(
                host.set_queue_suggested_buffers(adapter, QueueId(q), GROWN_BUFFERS)
                    .status,
            );
        }
    }
    for o in &mut outcomes {
        if let Some(q) = o.queue_id {
            o.free_status = Some(host.free_queue(adapter, QueueId(q)).status);
        }
    }
    outcomes
}
