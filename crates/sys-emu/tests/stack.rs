//! The lifecycle on the x64 kernel stack size (24 KiB), as Windows runs the driver.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use ndis_sim::HostConfig;
use sys_emu::{EmuHost, EmuOptions};

/// Found by this test: `Adapter::initialize` once reserved a 24.8 KB frame (ledgers of 32
/// inline allocation records moved by value); ledger entries now live in pool.
#[test]
fn the_lifecycle_fits_the_24k_kernel_stack() {
    let Some(path) = common::image() else { return };
    let mut host = EmuHost::load_with(&path, HostConfig::default().seed(3), EmuOptions::default()).unwrap();
    let entry = host.entry_point();
    let outcome = common::lifecycle(&mut host, entry, 256);
    assert!(host.errors().is_empty(), "{:?}", host.errors());
    assert!(outcome.violations.is_empty(), "{:#?}", outcome.violations);
}

#[test]
fn the_stack_high_water_mark_is_measured() {
    let Some(path) = common::image() else { return };
    let options = EmuOptions { stack_size: 64 * 1024, ..EmuOptions::default() };
    let mut host = EmuHost::load_with(&path, HostConfig::default().seed(3), options).unwrap();
    let entry = host.entry_point();
    let outcome = common::lifecycle(&mut host, entry, 256);
    assert!(outcome.violations.is_empty(), "{:#?}", outcome.violations);
    let peak = host.stack_peak();
    eprintln!("kernel stack high-water mark: {peak} bytes (Windows x64 gives 24576)");
    // Measured 5,144 bytes (4,904 before RxBlock owned its SharedMemory; 29,528 before the large
    // tables moved to pool): keep a wide margin under the 24 KiB NDIS shares with the callers
    // above the miniport.
    assert!(peak > 0 && peak < 8 * 1024, "kernel stack high-water mark {peak} bytes");
}
