//! `cargo xtask <command>`: the driver package commands (see `xtask --help`).

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use xtask::checks::{self, TestPlan};
use xtask::cross::Profile;
use xtask::package::{self, Paths};
use xtask::setup::{self, Needs};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  test [--quick] [--no-miri]
                        the README's test command: set-up (below), `cargo test --workspace`, then the
                        package, the simulated lifecycle on host and emulated image, 100000 frames,
                        the fault sweep, the stress, the debug PDB layouts and the Miri subset
                        (--quick: set-up and `cargo test --workspace` only)
  setup                 add what this machine lacks: the x86_64-pc-windows-msvc target (rustup),
                        pip (the emulator's unicorn wheel) and QEMU >= 8 with the
                        igb device (hardware tests); apt-get as root on Debian/Ubuntu, otherwise
                        the exact command to run. VMQNIC_NO_INSTALL=1: report, change nothing
  package [--debug]     build vmqnic.sys for x86_64-pc-windows-msvc (release unless --debug),
                        write target/package/vmqnic/{vmqnic.sys,vmqnic.pdb,vmqnic.inf} and check
                        the image (machine, subsystem, entry point, imports, sections, checksum)
                        and the PDB's NDIS struct layouts. On Windows this runs `cargo make`.
  pdb-check [--release] cross-build (debug unless --release) and check only the PDB layouts
  inspect <image.sys>   check an existing image (and the .pdb beside it) without building
  run [-- <args>]       set-up, package, then run the simulated Hyper-V VMQ lifecycle:
                        `cargo run --release -p vmqsim -- <args>`
  bench [-- --json --igb] the receive-path benchmark: receive + return per frame against memcpy; --igb adds the emulated image on QEMU's 82576
                        of the same bytes into the same buffers in the same order, demux at 1 vs
                        512 filters, queue cycle at 1 vs 256 live queues, and guest instructions
                        per frame in the emulated image (packages the driver first)";

fn run(args: &[String]) -> xtask::Result<()> {
    let paths = Paths::discover();
    let flags: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    let cross_only = Needs { windows_target: true, emulator: false, qemu: false };
    match (args.first().map(String::as_str), flags.as_slice()) {
        (Some("test"), rest) => checks::test(&paths, TestPlan::parse(rest)?),
        (Some("setup"), []) => setup::ensure(&paths.root, Needs::TEST),
        (Some("package"), []) => {
            setup::ensure(&paths.root, cross_only)?;
            package::package(&paths, Profile::Release)
        }
        (Some("package"), ["--debug"]) => {
            setup::ensure(&paths.root, cross_only)?;
            package::package(&paths, Profile::Debug)
        }
        (Some("pdb-check"), []) => {
            setup::ensure(&paths.root, cross_only)?;
            package::pdb_check_command(&paths, Profile::Debug)
        }
        (Some("pdb-check"), ["--release"]) => {
            setup::ensure(&paths.root, cross_only)?;
            package::pdb_check_command(&paths, Profile::Release)
        }
        (Some("inspect"), [image]) => package::inspect_command(&paths, &PathBuf::from(image)),
        (Some("run"), rest) => {
            let rest = rest.strip_prefix(&["--"]).unwrap_or(rest);
            setup::ensure(&paths.root, Needs::RUN)?;
            package::run(&paths, &rest.iter().map(|arg| (*arg).to_owned()).collect::<Vec<_>>())
        }
        (Some("bench"), rest) => {
            let rest = rest.strip_prefix(&["--"]).unwrap_or(rest);
            setup::ensure(&paths.root, Needs::RUN)?;
            package::bench(&paths, &rest.iter().map(|arg| (*arg).to_owned()).collect::<Vec<_>>())
        }
        (Some("help" | "--help" | "-h"), _) => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(xtask::Error(USAGE.to_owned())),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: error: {error}");
            ExitCode::FAILURE
        }
    }
}
