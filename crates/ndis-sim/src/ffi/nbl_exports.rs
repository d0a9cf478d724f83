//! The NBL-pool, NBL and MDL routines the driver imports (`ndis/nblapi.h`, `ndis/mdlapi.h`),
//! defined for host tests: each converts its pointers to `u64` and forwards to the current
//! host's [`crate::model::Model`]; see <https://learn.microsoft.com/windows-hardware/drivers/network/net-buffer-list-pools>.
//!
//! # Safety (all exports)
//! As for `exports.rs`: callers pass what the WDK prototype requires (a parameter block valid
//! for its size, NBLs and MDLs NDIS returned, memory valid for `Length` bytes); the model
//! checks the handles and records violations for what it can see.

#![allow(non_snake_case)]

use ndis_sys::{MDL, NDIS_HANDLE, NET_BUFFER_LIST, NET_BUFFER_LIST_POOL_PARAMETERS, PVOID, SIZE_T, ULONG, USHORT};

use super::with_host;

fn a<T>(p: *mut T) -> u64 {
    p as usize as u64
}

/// `NdisAllocateNetBufferListPool` (<= DISPATCH_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisAllocateNetBufferListPool(
    handle: NDIS_HANDLE,
    parameters: *mut NET_BUFFER_LIST_POOL_PARAMETERS,
) -> NDIS_HANDLE {
    with_host("NdisAllocateNetBufferListPool", 0, |m, mem| m.allocate_nbl_pool(mem, a(handle), a(parameters))) as usize
        as NDIS_HANDLE
}
const _: ndis_sys::NdisAllocateNetBufferListPoolFn = NdisAllocateNetBufferListPool;

/// `NdisFreeNetBufferListPool` (<= DISPATCH_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisFreeNetBufferListPool(pool: NDIS_HANDLE) {
    with_host("NdisFreeNetBufferListPool", (), |m, _| m.free_nbl_pool(a(pool)));
}
const _: ndis_sys::NdisFreeNetBufferListPoolFn = NdisFreeNetBufferListPool;

/// `NdisAllocateNetBufferAndNetBufferList` (<= DISPATCH_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisAllocateNetBufferAndNetBufferList(
    pool: NDIS_HANDLE,
    context_size: USHORT,
    context_backfill: USHORT,
    mdl: *mut MDL,
    data_offset: ULONG,
    data_length: SIZE_T,
) -> *mut NET_BUFFER_LIST {
    with_host("NdisAllocateNetBufferAndNetBufferList", 0, |m, mem| {
        m.allocate_net_buffer_and_nbl(
            mem,
            a(pool),
            context_size,
            context_backfill,
            a(mdl),
            data_offset,
            data_length as u64,
        )
    }) as usize as *mut NET_BUFFER_LIST
}
const _: ndis_sys::NdisAllocateNetBufferAndNetBufferListFn = NdisAllocateNetBufferAndNetBufferList;

/// `NdisFreeNetBufferList` (<= DISPATCH_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisFreeNetBufferList(nbl: *mut NET_BUFFER_LIST) {
    with_host("NdisFreeNetBufferList", (), |m, mem| m.free_nbl(mem, a(nbl)));
}
const _: ndis_sys::NdisFreeNetBufferListFn = NdisFreeNetBufferList;

/// `NdisAllocateMdl` (<= DISPATCH_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisAllocateMdl(handle: NDIS_HANDLE, address: PVOID, length: ULONG) -> *mut MDL {
    with_host("NdisAllocateMdl", 0, |m, mem| m.allocate_mdl(mem, a(handle), a(address), length)) as usize as *mut MDL
}
const _: ndis_sys::NdisAllocateMdlFn = NdisAllocateMdl;

/// `NdisFreeMdl` (<= DISPATCH_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisFreeMdl(mdl: *mut MDL) {
    with_host("NdisFreeMdl", (), |m, mem| m.free_mdl(mem, a(mdl)));
}
const _: ndis_sys::NdisFreeMdlFn = NdisFreeMdl;
