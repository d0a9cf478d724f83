//! What one run of the vSwitch script ([`super::script`]) produced: per-queue outcomes, the
//! statuses the host saw, traffic, allocation calls and ndis-sim's report.

use std::collections::{BTreeMap, BTreeSet};

use ndis_sys::{NDIS_STATUS_FAILURE, NDIS_STATUS_SUCCESS};

use crate::model::Violation;
use crate::model::payload::QueueId;
use crate::model::pci::PciCounters;
use crate::model::report::Report;
use crate::model::traffic::Traffic;
use crate::sim::SimError;

/// A VM's destination MAC and VLAN (None = untagged).
pub type Address = ([u8; 6], Option<u16>);

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
    /// FREE_QUEUE status (the completion's, when it pended).
    pub free_status: Option<i32>,
    /// SET_FILTER status and the FilterId NDIS assigned.
    pub filter: Option<(i32, Option<u32>)>,
    /// The filter: destination MAC and VLAN (None = untagged).
    pub address: Address,
}

impl QueueOutcome {
    /// Allocated and not freed yet.
    pub(super) fn live(&self) -> Option<QueueId> {
        self.queue_id.filter(|_| self.free_status.is_none()).map(QueueId)
    }

    /// The FilterId of the queue's filter, if SET_FILTER succeeded.
    #[must_use]
    pub fn filter_id(&self) -> Option<u32> {
        self.filter.and_then(|(_, id)| id)
    }
}

/// Allocation calls of each kind a run made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Calls {
    /// `NdisAllocateSharedMemory`.
    pub shared_memory: u64,
    /// `NdisAllocateMemoryWithTagPriority`.
    pub pool: u64,
    /// NBL pool / NBL / MDL allocations.
    pub nbl: u64,
}

/// The result of one run.
#[derive(Debug, Clone)]
pub struct ScriptRun {
    /// The status of the last failed DriverEntry / MiniportInitializeEx attempt, SUCCESS once
    /// an adapter came up.
    pub initialize_status: i32,
    /// Per-queue outcomes, in allocation order.
    pub queues: Vec<QueueOutcome>,
    /// The adapter's advertised NumQueues when the script asked for more VM queues than that
    /// (it then allocates only as many as advertised).
    pub queues_capped_at: Option<u32>,
    /// Every status the host received that the sweep judges, as (step, status), in order.
    pub statuses: Vec<(&'static str, i32)>,
    /// The traffic counters after the last traffic phase.
    pub traffic: Traffic,
    /// `Err` says how the driver stopped being usable where NDIS would keep using it.
    pub usable: Result<(), String>,
    /// ndis-sim's report after unload.
    pub report: Report,
    /// Allocation calls made.
    pub calls: Calls,
    /// (NBL pools, NBLs, MDLs) still allocated after unload.
    pub nbl_live: (usize, usize, usize),
    /// Every rule violation of the run.
    pub violations: Vec<Violation>,
    /// Per QueueId (0 = default queue), the processors the adapter's indications from that
    /// queue came on.
    pub indication_processors: BTreeMap<u32, BTreeSet<u32>>,
    /// What the hardware phases saw, on the PCI-backed adapter only.
    pub pci: Option<PciOutcome>,
}

/// What the script saw of the PCI-backed adapter (see `super::script_pci`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PciOutcome {
    /// The driver reported the link up (NDIS_STATUS_LINK_STATE connected, or connected in its
    /// general attributes) within the wait after MiniportInitializeEx, and after how many ms.
    pub link_up_after_initialize: Option<u64>,
    /// The transmit check: (frames sent through the driver, frames on the wire, mismatches).
    pub transmit: Option<(usize, usize, usize)>,
    /// The link cycle: NDIS_STATUS_LINK_STATE indications (MediaConnectState) after the cable
    /// was pulled, in order; the last two must be disconnected, connected.
    pub link_cycle: Vec<Option<i32>>,
    /// The queue freed while frames for it sat in the device, and how many frames.
    pub freed_with_frames: Option<(u32, u64)>,
    /// NBLs the adapter indicated (frames the device DMA'd that reached NDIS).
    pub frames_indicated: u64,
    /// Interrupts and DPCs the host delivered.
    pub counters: PciCounters,
}

impl ScriptRun {
    /// The first status that was not SUCCESS: where the failure became visible.
    #[must_use]
    pub fn first_failure(&self) -> Option<(&'static str, i32)> {
        self.statuses.iter().copied().find(|(_, s)| *s != NDIS_STATUS_SUCCESS)
    }
}

/// The status a failed host action reports.
#[must_use]
pub fn sim_error_status(error: &SimError) -> i32 {
    match error {
        SimError::DriverEntryFailed(s) | SimError::InitializeFailed(s) | SimError::RestartFailed(s) => *s,
        _ => NDIS_STATUS_FAILURE,
    }
}
