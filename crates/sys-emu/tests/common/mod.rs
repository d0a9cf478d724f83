//! Shared test support: finds (or builds) `target/package/vmqnic/vmqnic.sys` and runs ndis-sim's
//! vSwitch script over any `Sim<E>`, host or emulated.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod package;

use std::path::PathBuf;

use ndis_sim::vswitch::script::{FrameLen, Script};
use ndis_sim::{Env, Report, Sim, Traffic};

/// The packaged image (built with `cargo xtask package` when missing).
pub fn image() -> Option<PathBuf> {
    match package::packaged_image() {
        Ok(path) => Some(path),
        Err(e) => panic!("cannot test the emulated image: {e}"),
    }
}

/// VM queues of the lifecycle.
pub const QUEUES: usize = 8;

/// What one lifecycle produced, in host-independent terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// ALLOCATE_QUEUE results (QueueId or failure status).
    pub queues: Vec<Result<u32, i32>>,
    /// FilterIds set.
    pub filters: Vec<u32>,
    /// The report after unload.
    pub report: Report,
    /// Traffic counters.
    pub traffic: Traffic,
    /// NdisAllocateSharedMemory calls.
    pub shared_memory_calls: u64,
    /// Every violation (as text).
    pub violations: Vec<String>,
}

/// The vSwitch script with `QUEUES` queues and `frames` 60-byte frames, from DriverEntry (at
/// `entry`: [`ndis_sim::host::entry_point`] or `EmuHost::entry_point`) to unload.
pub fn lifecycle<E: Env>(sim: &mut Sim<E>, entry: u64, frames: u64) -> Outcome {
    let script = Script { queues: QUEUES as u32, frames, frame_len: FrameLen::Fixed(60), ..Script::default() };
    let run = script.run(sim, entry);
    Outcome {
        queues: run.queues.iter().map(|q| q.queue_id.ok_or(q.allocate_status)).collect(),
        filters: run.queues.iter().filter_map(|q| q.filter_id()).collect(),
        report: run.report,
        traffic: run.traffic,
        shared_memory_calls: run.calls.shared_memory,
        violations: run.violations.iter().map(ToString::to_string).collect(),
    }
}
