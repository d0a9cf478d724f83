//! The vSwitch lifecycle through the real `vmqnic.sys` under the emulator, compared with the
//! host-compiled driver on `ndis_sim::Host` with the same seed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Instant;

use ndis_sim::host::entry_point;
use ndis_sim::{Host, HostConfig};
use sys_emu::{EmuHost, EmuOptions};

/// A roomy stack for the functional runs (the 24 KiB check is its own test).
const KERNEL_STACK: EmuOptions = EmuOptions {
    stack_size: sys_emu::layout::DEFAULT_STACK_SIZE,
    budget: sys_emu::DEFAULT_BUDGET,
    count_instructions: true,
};

fn emulated(config: HostConfig, frames: u64) -> Option<(common::Outcome, EmuHost)> {
    let path = common::image()?;
    let mut host = EmuHost::load_with(&path, config, KERNEL_STACK).unwrap();
    assert!(host.unimplemented_imports().is_empty(), "{:?}", host.unimplemented_imports());
    let entry = host.entry_point();
    let outcome = common::lifecycle(&mut host, entry, frames);
    Some((outcome, host))
}

fn native(config: HostConfig, frames: u64) -> common::Outcome {
    let mut host = Host::new(config);
    common::lifecycle(&mut host, entry_point(vmqnic::DriverEntry), frames)
}

#[test]
fn driver_entry_initialize_halt_unload() {
    let Some(path) = common::image() else { return };
    let mut host = EmuHost::load_with(&path, HostConfig::default().seed(1), KERNEL_STACK).unwrap();
    host.load_driver().unwrap();
    let a = match host.add_adapter(ndis_sim::AdapterConfig::default()) {
        Ok(a) => a,
        Err(e) => panic!("{e}: {:?}\n{:#?}\n{:#?}", host.errors(), host.take_violations(), host.stats()),
    };
    host.halt(a, 0).unwrap();
    host.unload_driver().unwrap();
    let v = host.take_violations();
    assert!(v.is_empty(), "{v:#?}\n{:?}", host.errors());
    assert!(host.errors().is_empty(), "{:?}", host.errors());
    let report = host.report();
    assert_eq!(report.shared_memory.bytes_outstanding, 0);
    assert_eq!(report.pool.bytes_outstanding, 0);
    let stats = host.stats();
    eprintln!("{stats:#?}\nstack peak {} bytes\n{:#?}", host.stack_peak(), host.import_calls());
    assert!(stats.instructions > 0);
}

#[test]
fn vswitch_lifecycle_matches_the_host_run() {
    const FRAMES: u64 = 10_000;
    let config = HostConfig::default().seed(7);
    let started = Instant::now();
    let Some((emu, mut host)) = emulated(config.clone(), FRAMES) else { return };
    let elapsed = started.elapsed();
    let stats = host.stats();
    eprintln!(
        "emulated lifecycle ({FRAMES} frames): {:?} wall, {:?} in the CPU, {} instructions, {} import calls",
        elapsed, stats.emulated_time, stats.instructions, stats.import_calls
    );
    for (name, c) in &stats.by_call {
        eprintln!("  {name:32} {:6} calls {:12} instructions", c.calls, c.instructions);
    }
    assert!(emu.violations.is_empty(), "{:#?}\n{:?}", emu.violations, host.errors());
    assert!(host.errors().is_empty(), "{:?}", host.errors());
    assert_eq!(emu.report.shared_memory.bytes_outstanding, 0);
    assert_eq!(emu.report.pool.bytes_outstanding, 0);
    assert_eq!(emu.queues.iter().filter(|q| q.is_ok()).count(), common::QUEUES);
    assert_eq!(emu.traffic.frames_sent, FRAMES);
    assert_eq!(emu.traffic.misdelivered, 0);

    let host_run = native(config, FRAMES);
    assert!(host_run.violations.is_empty(), "{:#?}", host_run.violations);
    assert_eq!(emu.queues, host_run.queues);
    assert_eq!(emu.filters, host_run.filters);
    assert_eq!(emu.shared_memory_calls, host_run.shared_memory_calls);
    assert_eq!(emu.traffic, host_run.traffic);
    assert_eq!(emu.report.shared_memory, host_run.report.shared_memory);
    assert_eq!(emu.report, host_run.report);
}
