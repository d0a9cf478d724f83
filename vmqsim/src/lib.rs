//! `vmqsim`: runs the vmqnic driver through the Hyper-V vSwitch VMQ lifecycle on ndis-sim.
//!
//! The lifecycle is ndis-sim's vSwitch script ([`ndis_sim::vswitch::script`]) for `--queues N`
//! VMs: load the driver (DriverEntry), initialize an adapter (default-queue shared memory),
//! allocate N VM queues, complete their allocation, give each queue a MAC filter, grow each
//! queue (more shared memory), send `--frames M` frames through the software NIC's wire, clear
//! the filters, free every queue, halt, unload — then report.
//!
//! `--nic igb` attaches QEMU's Intel 82576 before the adapter initializes (host run and
//! `--sys`): the adapter is then a PCI NIC and the script drives it from the device's wire,
//! with its hardware phases ([`ndis_sim::vswitch::script_pci`]).
//!
//! Two more modes: [`sweep`] (`--fail-alloc-all`, every allocation of the script's thorough
//! run failed in turn) and [`stress`] (`--stress`, seeded random interleavings of host actions).
//! <https://learn.microsoft.com/windows-hardware/drivers/network/vmq-receive-queues>

#![forbid(unsafe_code)]

pub mod args;
pub mod json;
pub mod progress;
mod render;
mod status;
pub mod stress;
pub mod sweep;

use std::collections::{BTreeMap, BTreeSet};

use ndis_sim::host::entry_point;
use ndis_sim::qemu::{QemuOptions, attach_igb};
use ndis_sim::vswitch::script::{FrameLen, PciOutcome, Script, ScriptRun, sim_error_status};
use ndis_sim::{AdapterConfig, Env, Host, HostConfig, Report, Sim, SimError, Traffic};

pub use args::{Nic, Options};
pub use ndis_sim::vswitch::script::QueueOutcome;
pub use render::{json_report, text_report};
pub use status::status_name;

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
    /// The adapter's advertised VM queues when `--queues` asked for more (the run allocated
    /// only those).
    pub queues_capped_at: Option<u32>,
    /// Per QueueId, the processors its indications came on.
    pub indication_processors: BTreeMap<u32, BTreeSet<u32>>,
    /// What the hardware phases saw (`--nic igb`).
    pub pci: Option<PciOutcome>,
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

/// The script `options` ask for. A `--frame-size` above 1514 sets the adapter's `*JumboPacket`
/// keyword to the smallest value that carries it ([`Options::jumbo_packet`]).
#[must_use]
pub fn script(options: &Options) -> Script {
    let mut adapter = AdapterConfig::default().keyword("VmqContiguousRx", u32::from(options.contiguous));
    if let Some(jumbo) = options.jumbo_packet() {
        adapter = adapter.keyword("*JumboPacket", jumbo);
    }
    Script {
        queues: options.queues,
        frames: options.frames,
        frame_len: FrameLen::Fixed(options.frame_size),
        adapter,
        attempts: 1,
        thorough: false,
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
    let script = script(options);
    match &options.sys {
        None => {
            let mut host = Host::new(config);
            if options.nic == Nic::Igb
                && let Err(e) = host.with_model(|m, _| attach_igb(m, &QemuOptions::default()))
            {
                return not_loaded(options, &mut host, format!("cannot attach QEMU's igb: {e}"));
            }
            outcome(options, script.run(&mut host, entry_point(vmqnic::DriverEntry)))
        }
        Some(path) => match sys_emu::EmuHost::load(path, config) {
            Ok(mut host) => {
                if options.nic == Nic::Igb
                    && let Err(e) = host.env().attach_igb(&QemuOptions::default())
                {
                    return not_loaded(options, &mut host, format!("cannot attach QEMU's igb: {e}"));
                }
                let entry = host.entry_point();
                let mut outcome = outcome(options, script.run(&mut host, entry));
                outcome.violations.extend(host.errors().iter().map(|e| format!("emulator: {e}")));
                outcome.emulation = Some(host.stats().instructions);
                outcome
            }
            Err(e) => not_loaded(options, &mut Host::new(HostConfig::default()), format!("cannot load {path}: {e}")),
        },
    }
}

/// The outcome of a script run.
fn outcome(options: &Options, run: ScriptRun) -> Outcome {
    Outcome {
        options: options.clone(),
        initialize_status: run.initialize_status,
        queues: run.queues,
        report: run.report,
        shared_memory_allocation_calls: run.calls.shared_memory,
        violations: run.violations.iter().map(ToString::to_string).collect(),
        traffic: run.traffic,
        emulation: None,
        queues_capped_at: run.queues_capped_at,
        indication_processors: run.indication_processors,
        pci: run.pci,
    }
}

/// The outcome when no driver could be loaded at all.
fn not_loaded<E: Env>(options: &Options, host: &mut Sim<E>, why: String) -> Outcome {
    let _ = host.unload_driver();
    let mut violations = vec![why];
    violations.extend(host.take_violations().iter().map(ToString::to_string));
    Outcome {
        options: options.clone(),
        initialize_status: sim_error_status(&SimError::NoDriver),
        queues: Vec::new(),
        report: host.report(),
        shared_memory_allocation_calls: host.shared_memory_allocation_calls(),
        violations,
        traffic: Traffic::default(),
        emulation: None,
        queues_capped_at: None,
        indication_processors: BTreeMap::new(),
        pci: None,
    }
}
