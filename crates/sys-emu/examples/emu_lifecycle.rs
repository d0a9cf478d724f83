//! Measures the emulated vSwitch lifecycle: `cargo run --release -p sys-emu --example
//! emu_lifecycle -- [FRAMES] [RUNS]` prints the wall time per lifecycle, instructions per
//! lifecycle and per driver routine, import calls, the stack high-water mark, and the same
//! lifecycle's time on the host-compiled driver. `SYS_EMU_NOCOUNT=1` runs without counting.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use ndis_sim::host::entry_point;
use ndis_sim::{Host, HostConfig};
use sys_emu::{EmuHost, EmuOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let frames: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let runs: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let path = common::image().expect("no image");
    let count_instructions = std::env::var_os("SYS_EMU_NOCOUNT").is_none();
    let options = EmuOptions { stack_size: 64 * 1024, count_instructions, ..EmuOptions::default() };
    for run in 0..runs {
        let started = Instant::now();
        let mut host = EmuHost::load_with(&path, HostConfig::default().seed(7), options).unwrap();
        let entry = host.entry_point();
        let emu = common::lifecycle(&mut host, entry, frames);
        let wall = started.elapsed();
        let stats = host.stats();
        let started = Instant::now();
        let mut native = Host::new(HostConfig::default().seed(7));
        let host_run = common::lifecycle(&mut native, entry_point(vmqnic::DriverEntry), frames);
        let host_wall = started.elapsed();
        println!(
            "run {run}: {frames} frames: emulated {:.1} ms ({:.1} ms in the CPU), host {:.1} ms; \
             {} instructions, {} import calls, stack peak {} B; clean {}, same as host {}",
            wall.as_secs_f64() * 1e3,
            stats.emulated_time.as_secs_f64() * 1e3,
            host_wall.as_secs_f64() * 1e3,
            stats.instructions,
            stats.import_calls,
            host.stack_peak(),
            emu.violations.is_empty() && host.errors().is_empty(),
            emu == host_run,
        );
        if run == 0 {
            for (name, c) in &stats.by_call {
                println!("  {name:30} {:7} calls {:11} instructions", c.calls, c.instructions);
            }
            for (name, n) in host.import_calls() {
                println!("  {name:50} {n:8}");
            }
        }
    }
}
