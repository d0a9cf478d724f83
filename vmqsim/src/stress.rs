//! `vmqsim --stress`: seeded random interleavings of every host action NDIS may take — queue
//! OIDs, traffic, late and shuffled returns, pause/restart, halt at any point, re-adding an
//! adapter or reloading the driver, surprise removal — with received NBLs held by the host.
//! Every seed ends with nothing outstanding and no rule violation, or is reported with the
//! step and the actions that led there; `--seeds 1 --seed N` replays seed N exactly (the
//! choices come from a seeded splitmix64, never from time). In the spirit of the HLK VMQ
//! stress tests and Driver Verifier's NDIS/WIFI verification.
//! <https://learn.microsoft.com/windows-hardware/drivers/network/vmq-receive-queues>

mod actions;
mod traffic;
pub mod world;

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;

use ndis_sim::{AdapterConfig, Host, HostConfig, PASSIVE_LEVEL};

use ndis_sim::qemu::{QemuOptions, attach_igb};

use crate::json::Json;
use crate::{Nic, status_name};

pub use actions::Action;
use world::{AdapterView, Rng};

/// Actions kept for a failure report.
const RECENT: usize = 24;

/// The stress driver of one seed: the host, its picture of it, and the tallies.
pub(crate) struct Stressor {
    host: Host,
    rng: Rng,
    adapters: Vec<AdapterView>,
    next_mac: u32,
    actions: u64,
    counts: BTreeMap<&'static str, u64>,
    statuses: BTreeMap<(&'static str, i32), u64>,
    recent: VecDeque<String>,
    problems: Vec<String>,
}

impl Stressor {
    fn new(seed: u64, nic: Nic) -> Self {
        let mut rng = Rng::new(seed);
        let return_irql = if rng.chance(50) { PASSIVE_LEVEL } else { ndis_sim::DISPATCH_LEVEL };
        // CAST: 1..=8.
        let sg = rng.range(1, 8) as u32;
        let config = HostConfig::default().seed(seed).hold_received(true).return_irql(return_irql).max_sg_elements(sg);
        let mut s = Self {
            host: Host::new(config),
            rng,
            adapters: Vec::new(),
            next_mac: 0,
            actions: 0,
            counts: BTreeMap::new(),
            statuses: BTreeMap::new(),
            recent: VecDeque::new(),
            problems: Vec::new(),
        };
        if nic == Nic::Igb
            && let Err(e) = s.host.with_model(|m, _| attach_igb(m, &QemuOptions::default()))
        {
            s.problem(format!("cannot attach QEMU's igb: {e}"));
        }
        if let Err(e) = s.host.load_driver(vmqnic::DriverEntry) {
            s.problem(format!("DriverEntry failed: {e}"));
        }
        // Jumbo frames on the first adapter (the 82576 keeps 1514 whatever the keyword says).
        match s.host.add_adapter(AdapterConfig::default().keyword("*JumboPacket", 9014)) {
            Ok(id) => s.adapters.push(AdapterView::new(id)),
            Err(e) => s.problem(format!("MiniportInitializeEx failed: {e}")),
        }
        s
    }

    /// Counts one host action.
    fn count(&mut self, action: Action) {
        self.actions += 1;
        *self.counts.entry(action.name()).or_default() += 1;
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(action.name().to_string());
    }

    /// Tallies a status the driver answered.
    fn status(&mut self, action: Action, status: i32) {
        *self.statuses.entry((action.name(), status)).or_default() += 1;
        if let Some(last) = self.recent.back_mut() {
            let _ = write!(last, " -> {}", status_name(status).trim_start_matches("NDIS_STATUS_"));
        }
    }

    /// Records an answer the driver should not have given.
    fn problem(&mut self, what: String) {
        self.problems.push(what);
    }
}

/// A seed that ended badly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedFailure {
    /// The seed (replay: `--seeds 1 --seed <seed>` with the same `--steps`).
    pub seed: u64,
    /// The step after which it was found (`steps` when found at the end).
    pub step: u64,
    /// What was wrong.
    pub reasons: Vec<String>,
    /// The last actions before it, oldest first.
    pub recent: Vec<String>,
}

/// The result of one seed.
#[derive(Clone, Debug)]
pub struct SeedRun {
    /// Host actions taken.
    pub actions: u64,
    /// Actions by name.
    pub counts: BTreeMap<&'static str, u64>,
    /// (action, status) tallies.
    pub statuses: BTreeMap<(&'static str, i32), u64>,
    /// ndis-sim's report after the final unload.
    pub report: ndis_sim::Report,
    /// (NBL pools, NBLs, MDLs) still allocated after the final unload.
    pub nbl_live: (usize, usize, usize),
    /// Every rule violation.
    pub violations: Vec<String>,
    /// Set when the seed ended badly.
    pub failure: Option<SeedFailure>,
}

/// Runs one seed for `steps` chosen actions, then unloads the driver and checks for leaks.
#[must_use]
pub fn run_seed(seed: u64, steps: u64) -> SeedRun {
    run_seed_with(seed, steps, Nic::Soft)
}

/// [`run_seed`] with the adapters behind `nic` (`Igb`: QEMU's 82576 attached to the seed's
/// host; the first adapter initialized, and each one re-added after it halted, is the PCI NIC,
/// and its traffic comes from the device's wire).
#[must_use]
pub fn run_seed_with(seed: u64, steps: u64, nic: Nic) -> SeedRun {
    let mut s = Stressor::new(seed, nic);
    let mut violations = Vec::new();
    let mut failure = None;
    for step in 1..=steps {
        for i in 0..s.adapters.len() {
            s.poll_pending_free(i);
        }
        let (action, i) = s.choose();
        s.perform(action, i);
        let found: Vec<String> = s.host.take_violations().iter().map(ToString::to_string).collect();
        if !found.is_empty() || !s.problems.is_empty() {
            violations.extend(found.iter().cloned());
            let mut reasons = found;
            reasons.append(&mut s.problems);
            failure = Some(SeedFailure { seed, step, reasons, recent: s.recent.iter().cloned().collect() });
            break;
        }
    }
    for i in 0..s.adapters.len() {
        s.settle_pending_free(i);
    }
    let _ = s.host.unload_driver();
    let found: Vec<String> = s.host.take_violations().iter().map(ToString::to_string).collect();
    violations.extend(found.iter().cloned());
    let report = s.host.report();
    let nbl_live = s.host.nbl_live();
    let mut reasons: Vec<String> = found;
    reasons.append(&mut s.problems);
    reasons.extend(crate::leaks(&report, nbl_live));
    if failure.is_none() && !reasons.is_empty() {
        failure = Some(SeedFailure { seed, step: steps, reasons, recent: s.recent.iter().cloned().collect() });
    }
    SeedRun { actions: s.actions, counts: s.counts, statuses: s.statuses, report, nbl_live, violations, failure }
}

/// The stress over several seeds.
#[derive(Clone, Debug, Default)]
pub struct Stress {
    /// The first seed.
    pub first_seed: u64,
    /// Seeds run.
    pub seeds: u64,
    /// Chosen actions per seed.
    pub steps: u64,
    /// Host actions taken, all seeds.
    pub actions: u64,
    /// Actions by name, all seeds.
    pub counts: BTreeMap<&'static str, u64>,
    /// (action, status) tallies, all seeds.
    pub statuses: BTreeMap<(&'static str, i32), u64>,
    /// Seeds that ended badly.
    pub failed_seeds: Vec<SeedFailure>,
    /// Every rule violation, prefixed with its seed.
    pub violations: Vec<String>,
    /// Shared memory outstanding at the end of the seeds (summed).
    pub shared_memory_bytes_outstanding: u64,
    /// Pool outstanding at the end of the seeds (summed).
    pub pool_bytes_outstanding: u64,
    /// Received NBLs never returned at the end of the seeds (summed).
    pub nbls_outstanding: u64,
    /// The traffic source's totals (summed over seeds).
    pub frames: ndis_sim::Traffic,
    /// Wall-clock time.
    pub elapsed_ms: u128,
    /// The NIC behind the adapters.
    pub nic: Nic,
}

impl Stress {
    /// No seed failed.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.failed_seeds.is_empty() && self.violations.is_empty()
    }
}

/// Runs seeds `first_seed .. first_seed + seeds`, `steps` actions each.
#[must_use]
pub fn stress(first_seed: u64, seeds: u64, steps: u64) -> Stress {
    stress_with(first_seed, seeds, steps, Nic::Soft)
}

/// [`stress`] with the adapters behind `nic`.
#[must_use]
pub fn stress_with(first_seed: u64, seeds: u64, steps: u64, nic: Nic) -> Stress {
    let started = std::time::Instant::now();
    let mut out = Stress { first_seed, seeds, steps, nic, ..Stress::default() };
    let progress = crate::progress::bar(seeds, "seeds");
    for seed in first_seed..first_seed.saturating_add(seeds) {
        let run = run_seed_with(seed, steps, nic);
        progress.inc(1);
        out.actions += run.actions;
        for (name, n) in run.counts {
            *out.counts.entry(name).or_default() += n;
        }
        for (key, n) in run.statuses {
            *out.statuses.entry(key).or_default() += n;
        }
        out.violations.extend(run.violations.iter().map(|v| format!("seed {seed}: {v}")));
        let r = &run.report;
        out.shared_memory_bytes_outstanding += r.shared_memory.bytes_outstanding;
        out.pool_bytes_outstanding += r.pool.bytes_outstanding;
        out.nbls_outstanding += r.nbls_outstanding;
        out.frames.frames_sent += r.frames.frames_sent;
        out.frames.frames_delivered += r.frames.frames_delivered;
        out.frames.frames_dropped += r.frames.frames_dropped;
        out.frames.misdelivered += r.frames.misdelivered;
        out.failed_seeds.extend(run.failure);
    }
    progress.finish_and_clear();
    out.elapsed_ms = started.elapsed().as_millis();
    out
}

impl Stress {
    /// The stress as one JSON object.
    #[must_use]
    pub fn json(&self) -> Json {
        let mut statuses: BTreeMap<&str, Vec<(String, Json)>> = BTreeMap::new();
        for ((action, status), n) in &self.statuses {
            statuses.entry(action).or_default().push((status_name(*status), Json::Int(*n)));
        }
        let failures = self.failed_seeds.iter().map(|f| {
            Json::object([
                ("seed", Json::Int(f.seed)),
                ("step", Json::Int(f.step)),
                ("reasons", Json::Array(f.reasons.iter().cloned().map(Json::Str).collect())),
                ("recent_actions", Json::Array(f.recent.iter().cloned().map(Json::Str).collect())),
            ])
        });
        let t = &self.frames;
        Json::object([
            ("mode", Json::Str("stress".into())),
            ("nic", Json::Str(self.nic.name().into())),
            ("first_seed", Json::Int(self.first_seed)),
            ("seeds", Json::Int(self.seeds)),
            ("steps", Json::Int(self.steps)),
            ("actions", Json::Int(self.actions)),
            ("by_action", Json::object(self.counts.iter().map(|(k, n)| (*k, Json::Int(*n))))),
            ("statuses", Json::object(statuses.into_iter().map(|(k, v)| (k, Json::Object(v))))),
            (
                "frames",
                Json::object([
                    ("sent", Json::Int(t.frames_sent)),
                    ("delivered", Json::Int(t.frames_delivered)),
                    ("dropped", Json::Int(t.frames_dropped)),
                    ("misdelivered", Json::Int(t.misdelivered)),
                ]),
            ),
            ("shared_memory", Json::object([("bytes_outstanding", Json::Int(self.shared_memory_bytes_outstanding))])),
            ("pool", Json::object([("bytes_outstanding", Json::Int(self.pool_bytes_outstanding))])),
            ("nbls_outstanding", Json::Int(self.nbls_outstanding)),
            ("failed_seeds", Json::Array(failures.collect())),
            ("violations", Json::Array(self.violations.iter().cloned().map(Json::Str).collect())),
            // CAST: a run lasts far less than 2^64 ms.
            ("elapsed_ms", Json::Int(self.elapsed_ms as u64)),
        ])
    }

    /// The stress as text.
    #[must_use]
    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "vmqsim --stress: seeds {}..{}, {} steps each: {} host actions in {} ms",
            self.first_seed,
            self.first_seed.saturating_add(self.seeds),
            self.steps,
            self.actions,
            self.elapsed_ms
        );
        for (name, n) in &self.counts {
            let _ = writeln!(out, "  {name:>20}: {n}");
        }
        let t = &self.frames;
        let _ = writeln!(
            out,
            "frames: {} sent, {} delivered, {} dropped, {} misdelivered",
            t.frames_sent, t.frames_delivered, t.frames_dropped, t.misdelivered
        );
        let _ = writeln!(
            out,
            "outstanding at the end: shared memory {} bytes, pool {} bytes, NBLs {}; violations {}",
            self.shared_memory_bytes_outstanding,
            self.pool_bytes_outstanding,
            self.nbls_outstanding,
            self.violations.len()
        );
        for f in &self.failed_seeds {
            let _ = writeln!(out, "FAILED seed {} at step {}:", f.seed, f.step);
            for r in &f.reasons {
                let _ = writeln!(out, "  {r}");
            }
            let _ = writeln!(out, "  last actions: {}", f.recent.join("; "));
        }
        out
    }
}
