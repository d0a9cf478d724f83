//! `vmqsim --fail-alloc-all`: the exhaustive fault-injection sweep. One clean run of the
//! lifecycle counts the allocation calls of each kind; then, for every kind and every k the
//! run reaches, the lifecycle runs again with the k-th call failing. Each run must end with
//! nothing outstanding, no rule violation, the failure visible in a status, and the driver
//! still carrying traffic where NDIS would keep using it (Driver Verifier's low-resources
//! simulation, made exhaustive).
//! <https://learn.microsoft.com/windows-hardware/drivers/devtest/low-resources-simulation>

pub mod lifecycle;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::json::Json;
use crate::{Nic, status_name};

pub use lifecycle::{Calls, FaultKind, Plan, Run, run_lifecycle};

/// Frames per traffic phase when `--frames` is not given.
pub const DEFAULT_FRAMES: u64 = 96;

/// One run that ended badly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The failing allocation routine (`None`: the clean baseline run).
    pub kind: Option<FaultKind>,
    /// Which call failed (1-based; 0 for the baseline).
    pub k: u64,
    /// What was wrong.
    pub reasons: Vec<String>,
}

/// The figures of one fault kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KindSummary {
    /// Calls of this kind the clean run made = fault points tried.
    pub points: u64,
    /// Runs that ended badly.
    pub failed: u64,
    /// How many runs first showed the failure at each step (`initialize`, `completion_status`, ...).
    pub seen_at: BTreeMap<&'static str, u64>,
}

/// The sweep's result.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// The plan of the clean run (no fault).
    pub plan: Plan,
    /// Allocation calls of the clean run.
    pub baseline: Calls,
    /// Per kind, in [`FaultKind::ALL`] order.
    pub kinds: Vec<(FaultKind, KindSummary)>,
    /// Runs tried (every kind, every k).
    pub fault_points: u64,
    /// Runs that ended with a leak, a violation, a silent failure or an unusable driver.
    pub failures: Vec<Failure>,
    /// Every violation of every run, prefixed with the run (`pool k=3: rule: detail`).
    pub violations: Vec<String>,
    /// Wall-clock time of the sweep.
    pub elapsed_ms: u128,
}

impl Sweep {
    /// Runs that ended badly (the baseline included).
    #[must_use]
    pub fn fault_points_failed(&self) -> u64 {
        self.failures.len() as u64
    }

    /// No run failed.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.failures.is_empty() && self.violations.is_empty()
    }
}

/// What is wrong with `run`; `expect_failure` asks that some status show the injected fault.
#[must_use]
pub fn judge(run: &Run, expect_failure: bool) -> Vec<String> {
    let mut reasons = crate::leaks(&run.report, run.nbl_live);
    reasons.extend(run.violations.iter().map(|v| format!("violation: {v}")));
    if let Err(why) = &run.usable {
        reasons.push(format!("unusable: {why}"));
    }
    match (expect_failure, run.first_failure()) {
        (true, None) => reasons.push("silent: no status reported the failed allocation".to_string()),
        (false, Some((step, status))) => {
            reasons.push(format!("the clean run failed at {step} with {}", status_name(status)));
        }
        _ => {}
    }
    reasons
}

/// Runs the sweep: the clean run, then every fault point of every kind.
#[must_use]
pub fn sweep(queues: u32, frames: u64, seed: u64) -> Sweep {
    sweep_with(queues, frames, seed, Nic::Soft)
}

/// The fault kinds swept with `nic`: all of them on the software NIC; on QEMU's igb (a QEMU
/// start and the driver's ~0.5 s link wait per run) only the `NdisAllocateSharedMemory`
/// points, the allocations whose memory the device DMAs into.
#[must_use]
pub fn kinds_for(nic: Nic) -> &'static [FaultKind] {
    match nic {
        Nic::Soft => &FaultKind::ALL,
        Nic::Igb => &[FaultKind::SharedMemory],
    }
}

/// [`sweep`] with the adapter behind `nic`.
#[must_use]
pub fn sweep_with(queues: u32, frames: u64, seed: u64, nic: Nic) -> Sweep {
    let started = std::time::Instant::now();
    let plan = Plan { queues, frames, seed, fault: None, nic };
    let clean = run_lifecycle(&plan);
    let mut failures = Vec::new();
    let mut violations: Vec<String> = clean.violations.iter().map(|v| format!("baseline: {v}")).collect();
    let reasons = judge(&clean, false);
    if !reasons.is_empty() {
        failures.push(Failure { kind: None, k: 0, reasons });
    }
    let mut kinds = Vec::new();
    let mut fault_points = 0;
    let kinds_swept = kinds_for(nic);
    let progress = crate::progress::bar(kinds_swept.iter().map(|kind| kind.count(&clean.calls)).sum(), "fault points");
    for &kind in kinds_swept {
        let mut summary = KindSummary { points: kind.count(&clean.calls), ..KindSummary::default() };
        for k in 1..=summary.points {
            let run = run_lifecycle(&Plan { fault: Some((kind, k)), ..plan });
            fault_points += 1;
            progress.inc(1);
            if let Some((step, _)) = run.first_failure() {
                *summary.seen_at.entry(step).or_default() += 1;
            }
            violations.extend(run.violations.iter().map(|v| format!("{} k={k}: {v}", kind.name())));
            let reasons = judge(&run, true);
            if !reasons.is_empty() {
                summary.failed += 1;
                failures.push(Failure { kind: Some(kind), k, reasons });
            }
        }
        kinds.push((kind, summary));
    }
    progress.finish_and_clear();
    Sweep {
        plan,
        baseline: clean.calls,
        kinds,
        fault_points,
        failures,
        violations,
        elapsed_ms: started.elapsed().as_millis(),
    }
}

impl Sweep {
    /// The sweep as one JSON object.
    #[must_use]
    pub fn json(&self) -> Json {
        let kinds = self.kinds.iter().map(|(kind, s)| {
            let seen = s.seen_at.iter().map(|(step, n)| (*step, Json::Int(*n)));
            let value = Json::object([
                ("points", Json::Int(s.points)),
                ("failed", Json::Int(s.failed)),
                ("seen_at", Json::object(seen)),
            ]);
            (kind.name(), value)
        });
        let failures = self.failures.iter().map(|f| {
            Json::object([
                ("kind", f.kind.map_or(Json::Str("baseline".into()), |k| Json::Str(k.name().into()))),
                ("k", Json::Int(f.k)),
                ("reasons", Json::Array(f.reasons.iter().cloned().map(Json::Str).collect())),
            ])
        });
        Json::object([
            ("mode", Json::Str("fail-alloc-all".into())),
            ("nic", Json::Str(self.plan.nic.name().into())),
            ("seed", Json::Int(self.plan.seed)),
            ("queues", Json::Int(u64::from(self.plan.queues))),
            ("frames_per_phase", Json::Int(self.plan.frames)),
            ("fault_points", Json::Int(self.fault_points)),
            ("fault_points_failed", Json::Int(self.fault_points_failed())),
            ("kinds", Json::object(kinds)),
            ("failures", Json::Array(failures.collect())),
            ("violations", Json::Array(self.violations.iter().cloned().map(Json::Str).collect())),
            // CAST: a sweep lasts far less than 2^64 ms.
            ("elapsed_ms", Json::Int(self.elapsed_ms as u64)),
        ])
    }

    /// The sweep as text.
    #[must_use]
    pub fn text(&self) -> String {
        let mut out = String::new();
        let p = &self.plan;
        let _ = writeln!(
            out,
            "vmqsim --fail-alloc-all: {} queues, {} frames per phase, seed {}, nic {}",
            p.queues,
            p.frames,
            p.seed,
            p.nic.name()
        );
        for (kind, s) in &self.kinds {
            let seen: Vec<String> = s.seen_at.iter().map(|(step, n)| format!("{step} {n}")).collect();
            let _ = writeln!(
                out,
                "{:>14}: {:>5} fault points, {} failed; first seen at: {}",
                kind.name(),
                s.points,
                s.failed,
                seen.join(", ")
            );
        }
        let _ = writeln!(
            out,
            "fault points {}, failed {}, violations {}, {} ms",
            self.fault_points,
            self.fault_points_failed(),
            self.violations.len(),
            self.elapsed_ms
        );
        for f in &self.failures {
            let kind = f.kind.map_or("baseline", FaultKind::name);
            let _ = writeln!(out, "FAILED {kind} k={}:", f.k);
            for r in &f.reasons {
                let _ = writeln!(out, "  {r}");
            }
        }
        out
    }
}
