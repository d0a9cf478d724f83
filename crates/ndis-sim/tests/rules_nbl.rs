//! NBL pools, NBLs and MDLs (NdisAllocateNetBufferListPool, NdisAllocateNetBufferAndNetBufferList,
//! NdisAllocateMdl and their frees): the layout NDIS hands out, and one test per rule.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::ptr::null_mut;

use common::{Point, TAG, assert_rule, driver_handle, hook, host, host_with_adapter};
use ndis_sim::{HostConfig, rules};
use ndis_sys::*;

fn params(allocate_net_buffer: bool, data_size: u32) -> NET_BUFFER_LIST_POOL_PARAMETERS {
    NET_BUFFER_LIST_POOL_PARAMETERS {
        Header: NDIS_OBJECT_HEADER::new(
            NDIS_OBJECT_TYPE_DEFAULT,
            NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1,
            NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1,
        ),
        ProtocolId: NDIS_PROTOCOL_ID_DEFAULT,
        fAllocateNetBuffer: if allocate_net_buffer { TRUE } else { FALSE },
        ContextSize: 0,
        PoolTag: TAG,
        DataSize: data_size,
    }
}

fn pool_with(handle: NDIS_HANDLE, mut p: NET_BUFFER_LIST_POOL_PARAMETERS) -> NDIS_HANDLE {
    // SAFETY: a valid local parameter block.
    unsafe { NdisAllocateNetBufferListPool(handle, &raw mut p) }
}

fn pool(handle: NDIS_HANDLE) -> NDIS_HANDLE {
    pool_with(handle, params(true, 0))
}

fn mdl(handle: NDIS_HANDLE, buffer: &mut [u8]) -> *mut MDL {
    // SAFETY: `buffer` is valid for its length.
    unsafe { NdisAllocateMdl(handle, buffer.as_mut_ptr().cast(), buffer.len() as u32) }
}

fn nbl(pool: NDIS_HANDLE, mdl: *mut MDL, offset: u32, len: usize) -> *mut NET_BUFFER_LIST {
    // SAFETY: a pool handle and an MDL (or NULL); the model checks both.
    unsafe { NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, mdl, offset, len) }
}

fn free_nbl(nbl: *mut NET_BUFFER_LIST) {
    // SAFETY: handed back to the model, which checks it.
    unsafe { NdisFreeNetBufferList(nbl) };
}

fn free_mdl(mdl: *mut MDL) {
    // SAFETY: handed back to the model, which checks it.
    unsafe { NdisFreeMdl(mdl) };
}

fn free_pool(pool: NDIS_HANDLE) {
    // SAFETY: handed back to the model, which checks it.
    unsafe { NdisFreeNetBufferListPool(pool) };
}

#[test]
fn nbls_and_mdls_are_laid_out_like_ndis_does() {
    let mut host = host();
    let mut first = vec![0u8; 100];
    let mut second = vec![0u8; 5000];
    let p = pool(driver_handle());
    assert!(!p.is_null());
    let m1 = mdl(driver_handle(), &mut first);
    let m2 = mdl(driver_handle(), &mut second);
    // SAFETY: an MDL NDIS just allocated.
    let d1 = unsafe { &mut *m1 };
    // SAFETY: as above.
    let d2 = unsafe { &*m2 };
    d1.Next = m2;
    assert_eq!(d1.MappedSystemVa, first.as_mut_ptr().cast());
    assert_eq!((d1.ByteCount, d1.StartVa as usize), (100, first.as_ptr() as usize & !0xfff));
    assert_eq!(d1.ByteOffset as usize, first.as_ptr() as usize & 0xfff);
    assert_eq!(d1.MdlFlags, 0x5, "mapped to system VA, non-paged");
    let pages = ((second.as_ptr() as usize & 0xfff) + 5000).div_ceil(4096);
    assert_eq!(d2.Size as usize, 48 + 8 * pages);

    let n = nbl(p, m1, 150, 300);
    assert!(!n.is_null());
    // SAFETY: an NBL NDIS just allocated.
    let l = unsafe { &*n };
    // SAFETY: NDIS allocated it with its NET_BUFFER.
    let b = unsafe { &*l.FirstNetBuffer };
    assert_eq!((l.NdisPoolHandle, l.Next, l.Context), (p, null_mut(), null_mut()));
    assert_eq!((b.MdlChain, b.CurrentMdl, b.CurrentMdlOffset), (m1, m2, 50));
    assert_eq!((b.DataOffset, b.DataLength, b.NdisPoolHandle), (150, 300, p));
    assert!(b.SharedMemoryInfo.is_null());

    // SAFETY: as above, with a context of 16 bytes after 32 bytes of backfill.
    let c = unsafe { NdisAllocateNetBufferAndNetBufferList(p, 16, 32, null_mut(), 0, 0) };
    // SAFETY: an NBL NDIS just allocated.
    let context = unsafe { (*c).Context };
    // SAFETY: the context NDIS allocated with it.
    let ctx = unsafe { &*context };
    assert_eq!((ctx.Size, ctx.Offset), (48, 32));

    for x in [n, c] {
        free_nbl(x);
    }
    free_mdl(m1);
    free_mdl(m2);
    free_pool(p);
    host.unload_driver().unwrap();
    assert!(host.take_violations().is_empty());
}

#[test]
fn nbl_allocations_can_be_made_to_fail() {
    let mut host = common::host_with(HostConfig::default().fail_nbl_allocation(2));
    let p = pool(driver_handle());
    let mut buffer = [0u8; 64];
    assert!(mdl(driver_handle(), &mut buffer).is_null(), "second call fails");
    assert!(!nbl(p, null_mut(), 0, 0).is_null());
    assert_eq!(host.with_model(|m, _| m.nbl_allocation_calls()), 3);
    host.take_violations();
}

#[test]
fn nbl_irql_is_reported() {
    hook(Point::Shutdown, |ctx| {
        let mut buffer = [0u8; 8];
        let m = mdl(ctx.adapter, &mut buffer);
        free_mdl(m);
        None
    });
    let (mut host, a) = host_with_adapter();
    host.shutdown(a, NdisShutdownBugCheck).unwrap();
    assert_rule(&mut host, rules::NBL_IRQL);
}

#[test]
fn nbl_pool_bad_parameters_are_reported() {
    let mut host = host();
    let mut p = params(true, 0);
    p.Header.Revision = 0;
    assert!(pool_with(driver_handle(), p).is_null());
    assert_rule(&mut host, rules::NBL_POOL_BAD_PARAMETERS);
}

#[test]
fn nbl_pool_unknown_handle_is_reported() {
    let mut host = host();
    let p = pool(driver_handle());
    free_pool(p);
    free_pool(p);
    let v = assert_rule(&mut host, rules::NBL_POOL_UNKNOWN_HANDLE);
    assert!(v[0].detail.contains("already freed"));
}

#[test]
fn nbl_pool_freed_with_nbls_is_reported() {
    let mut host = host();
    let p = pool(driver_handle());
    nbl(p, null_mut(), 0, 0);
    free_pool(p);
    assert_rule(&mut host, rules::NBL_POOL_FREED_WITH_NBLS);
}

#[test]
fn nbl_pool_leak_at_halt_is_reported() {
    hook(Point::Initialize, |ctx| {
        pool(ctx.adapter);
        None
    });
    let (mut host, a) = host_with_adapter();
    host.halt(a, NdisHaltDeviceDisabled).unwrap();
    assert_rule(&mut host, rules::NBL_POOL_LEAK_AT_HALT);
}

#[test]
fn nbl_pool_leak_at_unload_is_reported() {
    let mut host = host();
    pool(driver_handle());
    host.unload_driver().unwrap();
    assert_rule(&mut host, rules::NBL_POOL_LEAK_AT_HALT);
}

#[test]
fn nbl_bad_parameters_are_reported() {
    let mut host = host();
    let without_nb = pool_with(driver_handle(), params(false, 0));
    assert!(nbl(without_nb, null_mut(), 0, 0).is_null());
    let p = pool(driver_handle());
    assert!(nbl(p, null_mut(), 4, 0).is_null(), "offset without an MDL");
    let mut buffer = [0u8; 64];
    let m = mdl(driver_handle(), &mut buffer);
    assert!(nbl(p, m, 0, 65).is_null(), "beyond the MDL");
    // SAFETY: a live pool; the context size is the error under test.
    assert!(unsafe { NdisAllocateNetBufferAndNetBufferList(p, 8, 0, m, 0, 0) }.is_null());
    let v = assert_rule(&mut host, rules::NBL_BAD_PARAMETERS);
    assert_eq!(v.iter().filter(|v| v.rule == rules::NBL_BAD_PARAMETERS).count(), 4);
}

#[test]
fn nbl_leak_at_halt_is_reported() {
    hook(Point::Initialize, |ctx| {
        nbl(pool(ctx.adapter), null_mut(), 0, 0);
        None
    });
    let (mut host, a) = host_with_adapter();
    host.halt(a, NdisHaltDeviceDisabled).unwrap();
    assert_rule(&mut host, rules::NBL_LEAK_AT_HALT);
}

#[test]
fn nbl_double_free_is_reported() {
    let mut host = host();
    let n = nbl(pool(driver_handle()), null_mut(), 0, 0);
    free_nbl(n);
    free_nbl(n);
    assert_rule(&mut host, rules::NBL_DOUBLE_FREE);
}

#[test]
fn nbl_unknown_free_is_reported() {
    let mut host = host();
    let mut local = NET_BUFFER_LIST::default();
    free_nbl(&raw mut local);
    assert_rule(&mut host, rules::NBL_UNKNOWN_FREE);
}

#[test]
fn mdl_bad_parameters_are_reported() {
    let mut host = host();
    assert!(mdl(driver_handle(), &mut []).is_null());
    assert_rule(&mut host, rules::MDL_BAD_PARAMETERS);
}

#[test]
fn mdl_leak_at_halt_is_reported() {
    hook(Point::Initialize, |ctx| {
        mdl(ctx.adapter, Box::leak(Box::new([0u8; 32])));
        None
    });
    let (mut host, a) = host_with_adapter();
    host.halt(a, NdisHaltDeviceDisabled).unwrap();
    assert_rule(&mut host, rules::MDL_LEAK_AT_HALT);
}

#[test]
fn mdl_double_free_is_reported() {
    let mut host = host();
    let mut buffer = [0u8; 16];
    let m = mdl(driver_handle(), &mut buffer);
    free_mdl(m);
    free_mdl(m);
    assert_rule(&mut host, rules::MDL_DOUBLE_FREE);
}

#[test]
fn mdl_unknown_free_is_reported() {
    let mut host = host();
    let mut local = MDL::default();
    free_mdl(&raw mut local);
    assert_rule(&mut host, rules::MDL_UNKNOWN_FREE);
}
