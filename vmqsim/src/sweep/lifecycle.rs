//! The sweep's lifecycle: the vSwitch script's thorough run (traffic, growth, held NBLs,
//! pause/restart and a pended FREE_QUEUE), recording every status the driver gave so that a run
//! with one failing allocation can be judged (leak, violation, visible failure, still usable).
//! <https://learn.microsoft.com/windows-hardware/drivers/network/vmq-receive-queues>

use ndis_sim::host::entry_point;
use ndis_sim::qemu::{QemuOptions, attach_igb};
use ndis_sim::vswitch::script::{FrameLen, Script};
use ndis_sim::{AdapterConfig, Host, HostConfig, Report};
use ndis_sys::NDIS_STATUS_SUCCESS;

pub use ndis_sim::vswitch::script::Calls;

use crate::Nic;

/// Which allocation routine a fault point fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// `NdisAllocateSharedMemory` (NDIS_STATUS_RESOURCES).
    SharedMemory,
    /// `NdisAllocateMemoryWithTagPriority` (NULL).
    Pool,
    /// `NdisAllocateNetBufferListPool` / `NdisAllocateNetBufferAndNetBufferList` /
    /// `NdisAllocateMdl`, counted together (NULL).
    Nbl,
}

impl FaultKind {
    /// Every kind, in report order.
    pub const ALL: [Self; 3] = [Self::SharedMemory, Self::Pool, Self::Nbl];

    /// The JSON key of the kind.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::SharedMemory => "shared_memory",
            Self::Pool => "pool",
            Self::Nbl => "nbl",
        }
    }

    /// The kind's calls in `calls`.
    #[must_use]
    pub fn count(self, calls: &Calls) -> u64 {
        match self {
            Self::SharedMemory => calls.shared_memory,
            Self::Pool => calls.pool,
            Self::Nbl => calls.nbl,
        }
    }
}

/// What a lifecycle run does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// VM queues allocated.
    pub queues: u32,
    /// Frames per traffic phase.
    pub frames: u64,
    /// Host seed.
    pub seed: u64,
    /// The one failing allocation call (1-based), if any.
    pub fault: Option<(FaultKind, u64)>,
    /// The NIC behind the adapter (`Igb`: a fresh QEMU per run).
    pub nic: Nic,
}

/// The result of one lifecycle run.
#[derive(Clone, Debug)]
pub struct Run {
    /// Every status the host received, as (step, status), in order.
    pub statuses: Vec<(&'static str, i32)>,
    /// Allocation calls made.
    pub calls: Calls,
    /// ndis-sim's report after unload.
    pub report: Report,
    /// (NBL pools, NBLs, MDLs) still allocated after unload.
    pub nbl_live: (usize, usize, usize),
    /// Rule violations.
    pub violations: Vec<String>,
    /// `Err` says how the driver stopped being usable where NDIS would keep using it.
    pub usable: Result<(), String>,
}

impl Run {
    /// The first status that was not SUCCESS: where the failure became visible.
    #[must_use]
    pub fn first_failure(&self) -> Option<(&'static str, i32)> {
        self.statuses.iter().copied().find(|(_, s)| *s != NDIS_STATUS_SUCCESS)
    }
}

/// The script of a sweep run: the thorough vSwitch script with varying frame lengths,
/// DriverEntry and initialize tried twice. On the software NIC the adapter runs with
/// `*JumboPacket` 9014 and every fifth frame is a jumbo frame (the 82576 keeps 1514).
#[must_use]
pub fn script(plan: &Plan) -> Script {
    let (frame_len, adapter) = match plan.nic {
        Nic::Soft => (FrameLen::VaryingJumbo, AdapterConfig::default().keyword("*JumboPacket", 9014)),
        Nic::Igb => (FrameLen::Varying, AdapterConfig::default()),
    };
    Script { queues: plan.queues, frames: plan.frames, frame_len, adapter, attempts: 2, thorough: true }
}

/// Runs the lifecycle once under `plan`.
#[must_use]
pub fn run_lifecycle(plan: &Plan) -> Run {
    let mut config = HostConfig::default().seed(plan.seed).hold_received(true);
    config = match plan.fault {
        Some((FaultKind::SharedMemory, k)) => config.fail_shared_memory_allocation(k),
        Some((FaultKind::Pool, k)) => config.fail_pool_allocation(k),
        Some((FaultKind::Nbl, k)) => config.fail_nbl_allocation(k),
        None => config,
    };
    let mut host = Host::new(config);
    if plan.nic == Nic::Igb
        && let Err(e) = host.with_model(|m, _| attach_igb(m, &QemuOptions::default()))
    {
        return Run {
            statuses: Vec::new(),
            calls: Calls::default(),
            report: host.report(),
            nbl_live: (0, 0, 0),
            violations: vec![format!("cannot attach QEMU's igb: {e}")],
            usable: Err("no device".to_string()),
        };
    }
    let run = script(plan).run(&mut host, entry_point(vmqnic::DriverEntry));
    Run {
        statuses: run.statuses,
        calls: run.calls,
        report: run.report,
        nbl_live: run.nbl_live,
        violations: run.violations.iter().map(ToString::to_string).collect(),
        usable: run.usable,
    }
}
