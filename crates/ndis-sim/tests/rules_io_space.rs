//! NdisMMapIoSpace / NdisMUnmapIoSpace, called through the host exports: only device memory the
//! host assigned to the adapter maps, at PASSIVE_LEVEL, and an unmap must name a live mapping
//! with its adapter and Length. See
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismmapiospace>.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::ptr::null_mut;

use common::{assert_rule, host_with_adapter};
use ndis_sim::model::io_space::{IO_SPACE_IRQL, IO_SPACE_UNMAP_MISMATCH, IO_SPACE_UNMAP_NOT_MAPPED};
use ndis_sim::{AdapterId, Host, rules};
use ndis_sys::*;

/// Device memory the tests assign: 16 KiB of BAR0.
const BAR0: u64 = 0xF7C0_0000;

fn handle(a: AdapterId) -> NDIS_HANDLE {
    a.0 as usize as NDIS_HANDLE
}

fn map(a: AdapterId, physical: u64, length: u32) -> (NDIS_STATUS, PVOID) {
    let mut va: PVOID = 0x1234 as PVOID;
    // SAFETY: `va` is a valid out-parameter; the handle is this host's adapter.
    let status = unsafe { NdisMMapIoSpace(&raw mut va, handle(a), physical as NDIS_PHYSICAL_ADDRESS, length) };
    (status, va)
}

fn unmap(a: AdapterId, va: PVOID, length: u32) {
    // SAFETY: the model checks the mapping before it frees anything.
    unsafe { NdisMUnmapIoSpace(handle(a), va, length) };
}

fn mappings(host: &mut Host) -> usize {
    host.with_model(|m, _| m.io_mappings().len())
}

#[test]
fn map_outside_the_assigned_ranges_fails_and_maps_nothing() {
    let (mut host, a) = host_with_adapter();
    let (status, va) = map(a, BAR0, 0x1000);
    assert_eq!(status, NDIS_STATUS_FAILURE);
    assert!(va.is_null(), "VirtualAddress is NULL unless NDIS_STATUS_SUCCESS");
    host.with_model(|m, _| m.assign_io_range(a.0, BAR0, 0x4000));
    assert_eq!(map(a, BAR0 + 0x3000, 0x2000).0, NDIS_STATUS_FAILURE, "runs past the assigned range");
    assert_eq!(map(a, BAR0, 0).0, NDIS_STATUS_FAILURE, "zero length");
    assert_eq!(mappings(&mut host), 0);
    assert!(host.take_violations().is_empty());
}

#[test]
fn assigned_range_maps_and_unmaps() {
    let (mut host, a) = host_with_adapter();
    host.with_model(|m, _| m.assign_io_range(a.0, BAR0, 0x4000));
    let (status, va) = map(a, BAR0 + 0x1000, 0x1000);
    assert_eq!(status, NDIS_STATUS_SUCCESS);
    assert!(!va.is_null());
    // SAFETY: a successful mapping is 0x1000 bytes of writable memory.
    unsafe { va.cast::<u32>().write_volatile(0xDEAD_BEEF) };
    let live = host.with_model(|m, _| m.io_mappings());
    assert_eq!(live.len(), 1);
    assert_eq!((live[0].1.physical, live[0].1.length), (BAR0 + 0x1000, 0x1000));
    unmap(a, va, 0x1000);
    assert_eq!(mappings(&mut host), 0);
    assert!(host.take_violations().is_empty());
}

#[test]
fn unmapping_what_was_not_mapped_is_reported() {
    let (mut host, a) = host_with_adapter();
    let mut registers = [0u8; 64];
    unmap(a, registers.as_mut_ptr().cast(), 64);
    assert_rule(&mut host, IO_SPACE_UNMAP_NOT_MAPPED);
}

#[test]
fn unmapping_twice_is_reported() {
    let (mut host, a) = host_with_adapter();
    host.with_model(|m, _| m.assign_io_range(a.0, BAR0, 0x4000));
    let (_, va) = map(a, BAR0, 0x1000);
    unmap(a, va, 0x1000);
    unmap(a, va, 0x1000);
    assert_rule(&mut host, IO_SPACE_UNMAP_NOT_MAPPED);
}

#[test]
fn unmapping_with_another_length_is_reported() {
    let (mut host, a) = host_with_adapter();
    host.with_model(|m, _| m.assign_io_range(a.0, BAR0, 0x4000));
    let (_, va) = map(a, BAR0, 0x2000);
    unmap(a, va, 0x1000);
    assert_rule(&mut host, IO_SPACE_UNMAP_MISMATCH);
    assert_eq!(mappings(&mut host), 1, "a mismatched unmap leaves the mapping");
    unmap(a, va, 0x2000);
    assert_eq!(mappings(&mut host), 0);
}

#[test]
fn mapping_above_passive_level_is_reported() {
    let (mut host, a) = host_with_adapter();
    host.with_model(|m, _| m.assign_io_range(a.0, BAR0, 0x4000));
    let mut lock = NDIS_SPIN_LOCK::default();
    // SAFETY: a valid lock; acquiring it raises the simulated IRQL to DISPATCH_LEVEL.
    unsafe { NdisAllocateSpinLock(&raw mut lock) };
    // SAFETY: as above.
    unsafe { NdisAcquireSpinLock(&raw mut lock) };
    let (status, va) = map(a, BAR0, 0x1000);
    // SAFETY: the lock taken above.
    unsafe { NdisReleaseSpinLock(&raw mut lock) };
    // SAFETY: released, so it can be freed.
    unsafe { NdisFreeSpinLock(&raw mut lock) };
    assert_eq!((status, va), (NDIS_STATUS_FAILURE, null_mut()));
    assert_rule(&mut host, IO_SPACE_IRQL);
}

#[test]
fn mapping_for_a_halted_adapter_is_reported() {
    let (mut host, a) = host_with_adapter();
    host.with_model(|m, _| m.assign_io_range(a.0, BAR0, 0x4000));
    host.halt(a, 0).unwrap();
    assert_eq!(map(a, BAR0, 0x1000).0, NDIS_STATUS_FAILURE);
    assert_rule(&mut host, rules::ADAPTER_CALL_AFTER_HALT);
}
