//! Fault injection through the emulated image: failing the k-th NdisAllocateSharedMemory (and
//! pool allocation) gives the same outcome as the host-compiled driver with the same seed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use ndis_sim::host::entry_point;
use ndis_sim::{Host, HostConfig};
use sys_emu::{EmuHost, EmuOptions};

const FRAMES: u64 = 64;
/// The Windows x64 kernel stack (24 KiB), as in `tests/stack.rs`.
const KERNEL_STACK: EmuOptions = EmuOptions {
    stack_size: sys_emu::layout::DEFAULT_STACK_SIZE,
    budget: sys_emu::DEFAULT_BUDGET,
    count_instructions: true,
};

fn both(config: &HostConfig) -> Option<(common::Outcome, common::Outcome)> {
    let path = common::image()?;
    let mut emu = EmuHost::load_with(&path, config.clone(), KERNEL_STACK).unwrap();
    let entry = emu.entry_point();
    let emulated = common::lifecycle(&mut emu, entry, FRAMES);
    assert!(emu.errors().is_empty(), "{:?}", emu.errors());
    let mut host = Host::new(config.clone());
    let native = common::lifecycle(&mut host, entry_point(vmqnic::DriverEntry), FRAMES);
    Some((emulated, native))
}

#[test]
fn failing_each_shared_memory_allocation_matches_the_host() {
    let Some((clean, _)) = both(&HostConfig::default().seed(11)) else { return };
    assert!(clean.shared_memory_calls > 4, "{}", clean.shared_memory_calls);
    for k in 1..=clean.shared_memory_calls {
        let config = HostConfig::default().seed(11).fail_shared_memory_allocation(k);
        let (emulated, native) = both(&config).unwrap();
        assert_eq!(emulated, native, "fail_shared_memory_allocation({k})");
        assert!(emulated.violations.is_empty(), "k={k}: {:#?}", emulated.violations);
        assert_eq!(emulated.report.shared_memory.bytes_outstanding, 0, "k={k}");
        assert_eq!(emulated.report.pool.bytes_outstanding, 0, "k={k}");
    }
}

#[test]
fn failing_pool_allocations_matches_the_host() {
    for k in [1, 2, 5, 9] {
        let config = HostConfig::default().seed(5).fail_pool_allocation(k);
        let Some((emulated, native)) = both(&config) else { return };
        assert_eq!(emulated, native, "fail_pool_allocation({k})");
        assert!(emulated.violations.is_empty(), "k={k}: {:#?}", emulated.violations);
    }
}
