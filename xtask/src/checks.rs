//! `cargo xtask test`: the README's test command — set-up, `cargo test --workspace`, then the
//! whole-system checks CI relies on (the package, the simulated Hyper-V lifecycle on the host and
//! on the emulated image, 100,000 frames, the fault-injection sweep, the lifecycle stress, the
//! debug build's PDB layouts and the Miri subset), each judged from vmqsim's JSON report.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::Value;

use crate::cross::Profile;
use crate::package::{self, Paths};
use crate::setup::{self, Needs};
use crate::{Error, Result};

/// What `cargo xtask test` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestPlan {
    /// Only the set-up and `cargo test --workspace`.
    pub quick: bool,
    /// Skip the Miri subset (it installs a nightly toolchain with miri on first use).
    pub no_miri: bool,
}

impl TestPlan {
    /// Parses `--quick` / `--no-miri`.
    ///
    /// # Errors
    /// On any other argument.
    pub fn parse(args: &[&str]) -> Result<Self> {
        let mut plan = Self { quick: false, no_miri: false };
        for arg in args {
            match *arg {
                "--quick" => plan.quick = true,
                "--no-miri" => plan.no_miri = true,
                other => return Err(Error(format!("cargo xtask test: unknown option `{other}` (--quick, --no-miri)"))),
            }
        }
        Ok(plan)
    }
}

/// Runs the plan; every step prints a `== step` line and its figures.
///
/// # Errors
/// The first step that fails.
pub fn test(paths: &Paths, plan: TestPlan) -> Result<()> {
    let started = Instant::now();
    step("set-up: Windows target, emulator build tools, QEMU (igb)");
    setup::ensure(&paths.root, Needs::TEST)?;

    step("cargo test --workspace");
    cargo(&paths.root, &["test", "--workspace"])?;
    if plan.quick {
        return finish(started);
    }

    step("package: cross-build vmqnic.sys, stamp the INF, inspect image and PDB");
    package::package(paths, Profile::Release)?;
    step("debug cross build: its PDB's NDIS struct layouts against ndis-sys's assertions");
    package::pdb_check_command(paths, Profile::Debug)?;

    cargo(&paths.root, &["build", "--release", "--package", "vmqsim", "--bins"])?;
    let vmqsim = paths.target.join("release").join("vmqsim");
    let image = paths.package_dir().join("vmqnic.sys");
    let image = image.to_string_lossy().into_owned();

    step("main job: 8 queues through the simulated Hyper-V VMQ lifecycle");
    let report = vmqsim_json(&vmqsim, &["--queues", "8"])?;
    clean(&report, "main job")?;

    step("traffic: 16 queues, 100000 frames (nothing misdelivered, every queue in order)");
    let report = vmqsim_json(&vmqsim, &["--queues", "16", "--frames", "100000"])?;
    clean(&report, "traffic")?;
    let frames = &report["frames"];
    println!("frames: {frames}");
    expect(frames["sent"] == 100_000 && frames["delivered"] == 100_000, "traffic: not every frame was delivered")?;
    expect(frames["misdelivered"] == 0, "traffic: frames misdelivered")?;
    let in_order = report["queues"].as_array().is_some_and(|q| q.iter().all(|q| q["frames"]["in_order"] == true));
    expect(in_order, "traffic: a queue received out of order")?;

    step("the real vmqnic.sys under the x86-64 emulator: the same report as the host run");
    let run = ["--queues", "8", "--frames", "10000"];
    let emulated = vmqsim_json(&vmqsim, &[&["--sys", &image][..], &run].concat())?;
    let host = vmqsim_json(&vmqsim, &run)?;
    clean(&emulated, "emulated run")?;
    println!("emulated instructions: {}, frames: {}", emulated["emulated_instructions"], emulated["frames"]);
    expect(same_run(&emulated, &host), "the emulated image and the host build gave different reports")?;

    step("jumbo frames: 16 queues, 100000 frames of 9014 bytes (*JumboPacket 9014); the emulated image the same");
    let report = vmqsim_json(&vmqsim, &["--queues", "16", "--frames", "100000", "--frame-size", "9014"])?;
    clean(&report, "jumbo traffic")?;
    let frames = &report["frames"];
    println!("frames: {frames}, *JumboPacket {}", report["jumbo_packet"]);
    expect(report["jumbo_packet"] == 9014, "jumbo traffic: *JumboPacket not set")?;
    expect(
        frames["delivered"] == 100_000 && frames["misdelivered"] == 0,
        "jumbo traffic: not every frame was delivered",
    )?;
    let run = ["--queues", "8", "--frames", "10000", "--frame-size", "9014"];
    let emulated = vmqsim_json(&vmqsim, &[&["--sys", &image][..], &run].concat())?;
    let host = vmqsim_json(&vmqsim, &run)?;
    clean(&emulated, "emulated jumbo run")?;
    expect(same_run(&emulated, &host), "jumbo frames: the emulated image and the host build gave different reports")?;

    step("fault injection: every shared-memory, pool and NBL/MDL allocation failed in turn");
    let sweep = vmqsim_json(&vmqsim, &["--fail-alloc-all"])?;
    println!("fault points: {}, failed: {}", sweep["fault_points"], sweep["fault_points_failed"]);
    expect(sweep["fault_points_failed"] == 0 && no_violations(&sweep), "fault sweep: a fault point failed")?;

    step("lifecycle stress: 20 seeds x 5000 steps");
    let stress = vmqsim_json(&vmqsim, &["--stress", "--seeds", "20", "--steps", "5000"])?;
    println!("actions: {}, seeds: {}, failed: {}", stress["actions"], stress["seeds"], stress["failed_seeds"]);
    expect(stress["actions"].as_u64().is_some_and(|a| a >= 100_000), "stress: fewer than 100000 actions")?;
    clean(&stress, "stress")?;

    step("QEMU's 82576: the driver and the real image on igb (7 queues, 2000 frames from the wire)");
    let run = ["--nic", "igb", "--queues", "7", "--frames", "2000"];
    let host = vmqsim_json(&vmqsim, &run)?;
    clean(&host, "igb run")?;
    let emulated = vmqsim_json(&vmqsim, &[&["--sys", &image][..], &run].concat())?;
    clean(&emulated, "emulated igb run")?;
    for report in [&host, &emulated] {
        let device = &report["device"];
        println!("{}: frames {}, device {device}", report["driver"], report["frames"]);
        expect(report["frames"]["misdelivered"] == 0, "igb: frames misdelivered")?;
        expect(device["transmit"]["mismatches"] == 0, "igb: a frame did not leave on the wire as sent")?;
        expect(
            device["link_cycle_media_connect_states"] == serde_json::json!([2, 1]),
            "igb: link down/up not indicated",
        )?;
    }
    // The interrupt counts depend on how QEMU batches its writes; the traffic may not.
    expect(host["frames"] == emulated["frames"], "igb: the emulated image delivered other frames than the host build")?;

    step("QEMU's 82576: fault sweep (4 queues) and lifecycle stress (3 seeds x 500 steps)");
    let sweep = vmqsim_json(&vmqsim, &["--fail-alloc-all", "--nic", "igb", "--queues", "4", "--frames", "64"])?;
    println!("fault points: {}, failed: {}", sweep["fault_points"], sweep["fault_points_failed"]);
    expect(sweep["fault_points_failed"] == 0 && no_violations(&sweep), "igb fault sweep: a fault point failed")?;
    let stress = vmqsim_json(&vmqsim, &["--stress", "--nic", "igb", "--seeds", "3", "--steps", "500"])?;
    println!("actions: {}, seeds: {}, failed: {}", stress["actions"], stress["seeds"], stress["failed_seeds"]);
    clean(&stress, "igb stress")?;

    if !plan.no_miri {
        step("Miri: the core's and the OID decoding's unit tests (no FFI)");
        miri(&paths.root)?;
    }
    finish(started)
}

fn step(title: &str) {
    println!("== {title}");
}

fn finish(started: Instant) -> Result<()> {
    println!("xtask: test OK in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn expect(ok: bool, message: &str) -> Result<()> {
    if ok { Ok(()) } else { Err(Error::msg(message)) }
}

fn no_violations(report: &Value) -> bool {
    report["violations"].as_array().is_some_and(Vec::is_empty)
}

/// No violation and nothing left allocated.
fn clean(report: &Value, what: &str) -> Result<()> {
    expect(no_violations(report), &format!("{what}: violations {}", report["violations"]))?;
    let outstanding = &report["shared_memory"]["bytes_outstanding"];
    expect(outstanding == 0, &format!("{what}: {outstanding} bytes of shared memory outstanding"))
}

/// Two reports of one scenario agree on everything but who ran it and the instruction count.
pub fn same_run(a: &Value, b: &Value) -> bool {
    let strip = |report: &Value| {
        let mut report = report.clone();
        if let Some(map) = report.as_object_mut() {
            map.remove("driver");
            map.remove("emulated_instructions");
        }
        report
    };
    strip(a) == strip(b)
}

/// Runs vmqsim with `--json`, returns the parsed report (a non-zero exit is an error).
fn vmqsim_json(vmqsim: &Path, args: &[&str]) -> Result<Value> {
    let output = Command::new(vmqsim)
        .args(args)
        .arg("--json")
        .stderr(Stdio::inherit())
        .output()
        .map_err(|error| Error(format!("cannot run {}: {error}", vmqsim.display())))?;
    let report: Value = serde_json::from_slice(&output.stdout)
        .map_err(|error| Error(format!("vmqsim {}: no JSON report ({error})", args.join(" "))))?;
    if !output.status.success() {
        return Err(Error(format!(
            "vmqsim {} failed ({}): violations {}",
            args.join(" "),
            output.status,
            report["violations"]
        )));
    }
    Ok(report)
}

/// `cargo <args>` in the workspace root.
fn cargo(root: &Path, args: &[&str]) -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args(args)
        .status()
        .map_err(|error| Error(format!("cannot run cargo: {error}")))?;
    expect(status.success(), &format!("cargo {} failed ({status})", args.join(" ")))
}

/// The Miri subset: the core's and the OID decoder's unit tests. The long model test of the
/// demux table is left to the normal test run (it takes minutes under Miri).
fn miri(root: &Path) -> Result<()> {
    let rustup = |args: &[&str]| -> Result<()> {
        let status = Command::new("rustup")
            .current_dir(root)
            .args(args)
            .status()
            .map_err(|error| Error(format!("cannot run rustup: {error}")))?;
        expect(status.success(), &format!("rustup {} failed ({status})", args.join(" ")))
    };
    rustup(&[
        "toolchain",
        "install",
        "nightly",
        "--profile",
        "minimal",
        "--component",
        "miri,rust-src",
        "--allow-downgrade",
    ])?;
    let status = Command::new("cargo")
        .current_dir(root)
        .env_remove("RUSTUP_TOOLCHAIN")
        .args(["+nightly", "miri", "setup"])
        .stdout(Stdio::null())
        .status()
        .map_err(|error| Error(format!("cannot run cargo +nightly miri: {error}")))?;
    expect(status.success(), "cargo +nightly miri setup failed")?;
    let status = Command::new("cargo")
        .current_dir(root)
        .env_remove("RUSTUP_TOOLCHAIN")
        .args(["+nightly", "miri", "test", "-p", "vmqnic", "--lib", "--"])
        .args(MIRI_FILTERS)
        .status()
        .map_err(|error| Error(format!("cannot run cargo +nightly miri: {error}")))?;
    expect(status.success(), "Miri found a problem (see above)")
}

/// The test-name filters of the Miri subset.
const MIRI_FILTERS: &[&str] = &[
    "vmq::",
    "backend::soft",
    "kernel::config",
    "kernel::shared_memory",
    "--skip",
    "vmq::demux::tests::insert_lookup_remove_agree_with_a_model",
];

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{TestPlan, same_run};

    #[test]
    fn runs_that_differ_only_in_who_ran_them_are_the_same() {
        let host = json!({"driver": "host", "frames": {"sent": 10}, "violations": []});
        let emulated = json!({"driver": "sys", "emulated_instructions": 5, "frames": {"sent": 10}, "violations": []});
        assert!(same_run(&host, &emulated));
        let other = json!({"driver": "sys", "frames": {"sent": 11}, "violations": []});
        assert!(!same_run(&host, &other));
    }

    #[test]
    fn plan_options() {
        assert_eq!(TestPlan::parse(&["--quick"]), Ok(TestPlan { quick: true, no_miri: false }));
        assert!(TestPlan::parse(&["--fast"]).is_err());
    }
}
