//! The run report: plain data summarising queues, shared memory, pool, indications, violations.
//!
//! No serde: the `vmqsim` runner formats the report as JSON itself.

use std::collections::BTreeMap;

use super::Model;
use super::pool::tag_text;
use super::traffic::Traffic;

/// One status indication the driver made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusRecord {
    /// The adapter that indicated it.
    pub adapter: u64,
    /// StatusCode (`NDIS_STATUS_*`).
    pub code: i32,
    /// QueueId of an NDIS_STATUS_RECEIVE_QUEUE_STATE payload.
    pub queue_id: Option<u32>,
    /// QueueState of an NDIS_STATUS_RECEIVE_QUEUE_STATE payload.
    pub queue_state: Option<u32>,
    /// MediaConnectState of an NDIS_STATUS_LINK_STATE payload (`MediaConnectState*`).
    pub link_state: Option<i32>,
}

/// Shared-memory counters of one QueueId (0 = default queue), over the host's life.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueSharedMemory {
    /// Successful allocations.
    pub allocations: u64,
    /// Frees.
    pub frees: u64,
    /// Bytes allocated (cumulative).
    pub bytes: u64,
    /// Allocations that requested CONTIGUOUS.
    pub contiguous: u64,
    /// SG elements written (cumulative).
    pub sg_elements: u64,
}

/// Shared-memory totals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SharedMemoryReport {
    /// Successful allocations.
    pub allocations: u64,
    /// Frees.
    pub frees: u64,
    /// Bytes ever allocated.
    pub bytes_allocated: u64,
    /// Bytes still allocated.
    pub bytes_outstanding: u64,
    /// Counters by QueueId.
    pub per_queue: BTreeMap<u32, QueueSharedMemory>,
}

/// Per-tag pool counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TagReport {
    /// Allocations.
    pub allocations: u64,
    /// Frees.
    pub frees: u64,
    /// Bytes still allocated.
    pub bytes_outstanding: u64,
}

/// Pool totals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PoolReport {
    /// Successful allocations.
    pub allocations: u64,
    /// Frees.
    pub frees: u64,
    /// Bytes still allocated.
    pub bytes_outstanding: u64,
    /// Counters by tag, keyed by the tag's four characters in memory order.
    pub by_tag: BTreeMap<String, TagReport>,
}

/// Everything a run produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// ALLOCATE_QUEUE requests that completed with SUCCESS.
    pub queues_allocated: u64,
    /// FREE_QUEUE requests that completed with SUCCESS.
    pub queues_freed: u64,
    /// Shared memory.
    pub shared_memory: SharedMemoryReport,
    /// Pool.
    pub pool: PoolReport,
    /// Status indications, in order.
    pub status_indications: Vec<StatusRecord>,
    /// Work items run.
    pub work_items_run: u64,
    /// The traffic source's frames, all adapters summed (per queue id).
    pub frames: Traffic,
    /// Indicated NBLs NDIS still owns (not returned to the miniport), all adapters.
    pub nbls_outstanding: u64,
    /// Every violation ever recorded (taken or not), as `rule: detail`.
    pub violations: Vec<String>,
}

impl Model {
    /// Builds the report.
    pub fn report(&self) -> Report {
        let pool_bytes: u64 = self.pool.by_tag.values().map(|c| c.bytes_outstanding).sum();
        Report {
            queues_allocated: self.queue_counters.0,
            queues_freed: self.queue_counters.1,
            shared_memory: SharedMemoryReport {
                allocations: self.shared.allocations,
                frees: self.shared.frees,
                bytes_allocated: self.shared.bytes_allocated,
                bytes_outstanding: self.shared.bytes_outstanding,
                per_queue: self.shared.per_queue.clone(),
            },
            pool: PoolReport {
                allocations: self.pool.allocations,
                frees: self.pool.frees,
                bytes_outstanding: pool_bytes,
                by_tag: self
                    .pool
                    .by_tag
                    .iter()
                    .map(|(t, c)| {
                        let r = TagReport {
                            allocations: c.allocations,
                            frees: c.frees,
                            bytes_outstanding: c.bytes_outstanding,
                        };
                        (tag_text(*t), r)
                    })
                    .collect(),
            },
            status_indications: self.status_log.clone(),
            work_items_run: self.work.runs,
            frames: self.traffic.report(None),
            nbls_outstanding: self.adapters.keys().map(|a| u64::from(self.ownership.adapter_refs(*a))).sum(),
            violations: self.history.iter().map(ToString::to_string).collect(),
        }
    }

    /// Status indications made so far.
    pub fn status_indications(&self) -> &[StatusRecord] {
        &self.status_log
    }
}
