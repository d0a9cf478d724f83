//! The NDIS and ntoskrnl routines the driver imports, defined for host tests: each converts its
//! pointers to `u64` and forwards to the current host's [`crate::model::Model`].
//!
//! The driver's declarations (in `ndis-sys`, unresolved off Windows) link against these. Each
//! definition is checked at compile time against the `ndis_sys::<Name>Fn` alias.
//!
//! # Safety (all exports)
//! Callers must pass what the WDK prototype requires: pointers valid for the documented
//! structure sizes (or NULL where the prototype allows it) and handles NDIS returned. The
//! model validates handles, headers and the simple pointer errors it can see (NULL, the model's
//! own handles used as pointers) and records violations for them.

#![allow(non_snake_case)]

use core::ffi::c_void;

use ndis_sys::{
    DRIVER_OBJECT, EX_POOL_PRIORITY, NDIS_CONFIGURATION_OBJECT, NDIS_CONFIGURATION_PARAMETER, NDIS_HANDLE,
    NDIS_IO_WORKITEM_ROUTINE, NDIS_MINIPORT_ADAPTER_ATTRIBUTES, NDIS_MINIPORT_DRIVER_CHARACTERISTICS, NDIS_OID_REQUEST,
    NDIS_PARAMETER_TYPE, NDIS_PORT_NUMBER, NDIS_SG_DMA_DESCRIPTION, NDIS_SHARED_MEMORY_PARAMETERS, NDIS_SPIN_LOCK,
    NDIS_STATUS, NDIS_STATUS_FAILURE, NDIS_STATUS_INDICATION, NDIS_STRING, NET_BUFFER_LIST, NTSTATUS, PVOID, UINT,
    ULONG, ULONG_PTR, UNICODE_STRING,
};

use super::{HostEnv, with_host};
use crate::model::Sim;
use crate::model::lifecycle::Transition;

/// `STATUS_UNSUCCESSFUL`.
const STATUS_UNSUCCESSFUL: NTSTATUS = 0xC000_0001_u32 as NTSTATUS;

fn a<T>(p: *mut T) -> u64 {
    p as usize as u64
}

/// `NdisMRegisterMiniportDriver` (PASSIVE_LEVEL): copies and checks the characteristics, calls
/// MiniportSetOptions if present.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisMRegisterMiniportDriver(
    driver_object: *mut DRIVER_OBJECT,
    _registry_path: *mut UNICODE_STRING,
    driver_context: NDIS_HANDLE,
    characteristics: *mut NDIS_MINIPORT_DRIVER_CHARACTERISTICS,
    driver_handle: *mut NDIS_HANDLE,
) -> NDIS_STATUS {
    let Some(env) = HostEnv::current() else {
        eprintln!("ndis-sim: NdisMRegisterMiniportDriver called on a thread without a simulated host");
        return NDIS_STATUS_FAILURE;
    };
    Sim::new(env).register_miniport_driver(a(driver_object), a(driver_context), a(characteristics), a(driver_handle))
}
const _: ndis_sys::NdisMRegisterMiniportDriverFn = NdisMRegisterMiniportDriver;

/// `NdisMDeregisterMiniportDriver` (PASSIVE_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisMDeregisterMiniportDriver(driver_handle: NDIS_HANDLE) {
    with_host("NdisMDeregisterMiniportDriver", (), |m, _| m.deregister_miniport_driver(a(driver_handle)));
}
const _: ndis_sys::NdisMDeregisterMiniportDriverFn = NdisMDeregisterMiniportDriver;

/// `NdisMSetMiniportAttributes` (PASSIVE_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisMSetMiniportAttributes(
    adapter: NDIS_HANDLE,
    attributes: *mut NDIS_MINIPORT_ADAPTER_ATTRIBUTES,
) -> NDIS_STATUS {
    with_host("NdisMSetMiniportAttributes", NDIS_STATUS_FAILURE, |m, mem| {
        m.set_miniport_attributes(mem, a(adapter), a(attributes))
    })
}
const _: ndis_sys::NdisMSetMiniportAttributesFn = NdisMSetMiniportAttributes;

/// `NdisAllocateMemoryWithTagPriority` (<= DISPATCH_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisAllocateMemoryWithTagPriority(
    handle: NDIS_HANDLE,
    length: UINT,
    tag: ULONG,
    _priority: EX_POOL_PRIORITY,
) -> PVOID {
    let addr = with_host("NdisAllocateMemoryWithTagPriority", 0, |m, mem| m.allocate_pool(mem, a(handle), length, tag));
    addr as usize as PVOID
}
const _: ndis_sys::NdisAllocateMemoryWithTagPriorityFn = NdisAllocateMemoryWithTagPriority;

/// `NdisFreeMemoryWithTagPriority` (<= DISPATCH_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisFreeMemoryWithTagPriority(handle: NDIS_HANDLE, address: PVOID, tag: ULONG) {
    with_host("NdisFreeMemoryWithTagPriority", (), |m, mem| m.free_pool(mem, a(handle), a(address), tag));
}
const _: ndis_sys::NdisFreeMemoryWithTagPriorityFn = NdisFreeMemoryWithTagPriority;

/// `NdisAllocateSharedMemory` (PASSIVE_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisAllocateSharedMemory(
    handle: NDIS_HANDLE,
    parameters: *mut NDIS_SHARED_MEMORY_PARAMETERS,
    allocation: *mut NDIS_HANDLE,
) -> NDIS_STATUS {
    with_host("NdisAllocateSharedMemory", NDIS_STATUS_FAILURE, |m, mem| {
        m.allocate_shared_memory(mem, a(handle), a(parameters), a(allocation))
    })
}
const _: ndis_sys::NdisAllocateSharedMemoryFn = NdisAllocateSharedMemory;

/// `NdisFreeSharedMemory` (PASSIVE_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisFreeSharedMemory(handle: NDIS_HANDLE, allocation: NDIS_HANDLE) {
    with_host("NdisFreeSharedMemory", (), |m, mem| m.free_shared_memory(mem, a(handle), a(allocation)));
}
const _: ndis_sys::NdisFreeSharedMemoryFn = NdisFreeSharedMemory;

/// `NdisMIndicateStatusEx` (<= DISPATCH_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisMIndicateStatusEx(adapter: NDIS_HANDLE, indication: *mut NDIS_STATUS_INDICATION) {
    with_host("NdisMIndicateStatusEx", (), |m, mem| m.indicate_status(mem, a(adapter), a(indication)));
}
const _: ndis_sys::NdisMIndicateStatusExFn = NdisMIndicateStatusEx;

/// `NdisMOidRequestComplete` (<= DISPATCH_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisMOidRequestComplete(
    adapter: NDIS_HANDLE,
    request: *mut NDIS_OID_REQUEST,
    status: NDIS_STATUS,
) {
    with_host("NdisMOidRequestComplete", (), |m, mem| m.complete_oid(mem, a(adapter), a(request), status));
}
const _: ndis_sys::NdisMOidRequestCompleteFn = NdisMOidRequestComplete;

/// `NdisMRegisterScatterGatherDma` (PASSIVE_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisMRegisterScatterGatherDma(
    adapter: NDIS_HANDLE,
    description: *mut NDIS_SG_DMA_DESCRIPTION,
    dma_handle: *mut NDIS_HANDLE,
) -> NDIS_STATUS {
    with_host("NdisMRegisterScatterGatherDma", NDIS_STATUS_FAILURE, |m, mem| {
        m.register_sg_dma(mem, a(adapter), a(description), a(dma_handle))
    })
}
const _: ndis_sys::NdisMRegisterScatterGatherDmaFn = NdisMRegisterScatterGatherDma;

/// `NdisMDeregisterScatterGatherDma` (PASSIVE_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisMDeregisterScatterGatherDma(dma_handle: NDIS_HANDLE) {
    with_host("NdisMDeregisterScatterGatherDma", (), |m, _| m.deregister_sg_dma(a(dma_handle)));
}
const _: ndis_sys::NdisMDeregisterScatterGatherDmaFn = NdisMDeregisterScatterGatherDma;

/// `NdisOpenConfigurationEx` (PASSIVE_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisOpenConfigurationEx(
    object: *mut NDIS_CONFIGURATION_OBJECT,
    handle: *mut NDIS_HANDLE,
) -> NDIS_STATUS {
    with_host("NdisOpenConfigurationEx", NDIS_STATUS_FAILURE, |m, mem| m.open_configuration(mem, a(object), a(handle)))
}
const _: ndis_sys::NdisOpenConfigurationExFn = NdisOpenConfigurationEx;

/// `NdisReadConfiguration` (PASSIVE_LEVEL): integer keywords from the adapter configuration.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisReadConfiguration(
    status: *mut NDIS_STATUS,
    value: *mut *mut NDIS_CONFIGURATION_PARAMETER,
    handle: NDIS_HANDLE,
    keyword: *mut NDIS_STRING,
    kind: NDIS_PARAMETER_TYPE,
) {
    with_host("NdisReadConfiguration", (), |m, mem| {
        m.read_configuration(mem, a(status), a(value), a(handle), a(keyword), kind);
    });
}
const _: ndis_sys::NdisReadConfigurationFn = NdisReadConfiguration;

/// `NdisCloseConfiguration` (PASSIVE_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisCloseConfiguration(handle: NDIS_HANDLE) {
    with_host("NdisCloseConfiguration", (), |m, mem| m.close_configuration(mem, a(handle)));
}
const _: ndis_sys::NdisCloseConfigurationFn = NdisCloseConfiguration;

/// `NdisMPauseComplete` (<= DISPATCH_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisMPauseComplete(adapter: NDIS_HANDLE) {
    with_host("NdisMPauseComplete", (), |m, _| m.complete_transition(a(adapter), Transition::Pause, 0));
}
const _: ndis_sys::NdisMPauseCompleteFn = NdisMPauseComplete;

/// `NdisMRestartComplete` (<= DISPATCH_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisMRestartComplete(adapter: NDIS_HANDLE, status: NDIS_STATUS) {
    with_host("NdisMRestartComplete", (), |m, _| m.complete_transition(a(adapter), Transition::Restart, status));
}
const _: ndis_sys::NdisMRestartCompleteFn = NdisMRestartComplete;

/// `NdisAllocateIoWorkItem` (<= DISPATCH_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisAllocateIoWorkItem(owner: NDIS_HANDLE) -> NDIS_HANDLE {
    with_host("NdisAllocateIoWorkItem", 0, |m, _| m.allocate_work_item(a(owner))) as usize as NDIS_HANDLE
}
const _: ndis_sys::NdisAllocateIoWorkItemFn = NdisAllocateIoWorkItem;

/// `NdisQueueIoWorkItem` (<= DISPATCH_LEVEL); the routine runs later at PASSIVE_LEVEL.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisQueueIoWorkItem(
    item: NDIS_HANDLE,
    routine: NDIS_IO_WORKITEM_ROUTINE,
    context: PVOID,
) {
    let routine = routine.map_or(0, |f| f as usize as u64);
    with_host("NdisQueueIoWorkItem", (), |m, _| m.queue_work_item(a(item), routine, a(context)));
}
const _: ndis_sys::NdisQueueIoWorkItemFn = NdisQueueIoWorkItem;

/// `NdisFreeIoWorkItem` (<= DISPATCH_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisFreeIoWorkItem(item: NDIS_HANDLE) {
    with_host("NdisFreeIoWorkItem", (), |m, _| m.free_work_item(a(item)));
}
const _: ndis_sys::NdisFreeIoWorkItemFn = NdisFreeIoWorkItem;

/// `NdisMIndicateReceiveNetBufferLists` (<= DISPATCH_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisMIndicateReceiveNetBufferLists(
    adapter: NDIS_HANDLE,
    nbl: *mut NET_BUFFER_LIST,
    _port: NDIS_PORT_NUMBER,
    count: ULONG,
    flags: ULONG,
) {
    with_host("NdisMIndicateReceiveNetBufferLists", (), |m, mem| {
        m.indicate_receive(mem, a(adapter), a(nbl), count, flags)
    });
}
const _: ndis_sys::NdisMIndicateReceiveNetBufferListsFn = NdisMIndicateReceiveNetBufferLists;

/// `NdisMSendNetBufferListsComplete` (<= DISPATCH_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisMSendNetBufferListsComplete(
    adapter: NDIS_HANDLE,
    nbl: *mut NET_BUFFER_LIST,
    flags: ULONG,
) {
    with_host("NdisMSendNetBufferListsComplete", (), |m, mem| m.send_complete(mem, a(adapter), a(nbl), flags));
}
const _: ndis_sys::NdisMSendNetBufferListsCompleteFn = NdisMSendNetBufferListsComplete;

/// `NdisGetSharedDataAlignment` (<= DISPATCH_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisGetSharedDataAlignment() -> ULONG {
    with_host("NdisGetSharedDataAlignment", 64, |m, _| m.shared_data_alignment())
}
const _: ndis_sys::NdisGetSharedDataAlignmentFn = NdisGetSharedDataAlignment;

/// `NdisAllocateSpinLock`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisAllocateSpinLock(lock: *mut NDIS_SPIN_LOCK) {
    with_host("NdisAllocateSpinLock", (), |m, _| m.allocate_spin_lock(a(lock)));
}
const _: ndis_sys::NdisAllocateSpinLockFn = NdisAllocateSpinLock;

/// `NdisFreeSpinLock`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisFreeSpinLock(lock: *mut NDIS_SPIN_LOCK) {
    with_host("NdisFreeSpinLock", (), |m, _| m.free_spin_lock(a(lock)));
}
const _: ndis_sys::NdisFreeSpinLockFn = NdisFreeSpinLock;

/// `NdisAcquireSpinLock` (<= DISPATCH_LEVEL): raises to DISPATCH_LEVEL, saves the old IRQL in
/// `OldIrql`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisAcquireSpinLock(lock: *mut NDIS_SPIN_LOCK) {
    acquire(lock, false);
}
const _: ndis_sys::NdisAcquireSpinLockFn = NdisAcquireSpinLock;

/// `NdisReleaseSpinLock`: restores the IRQL saved at acquire.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisReleaseSpinLock(lock: *mut NDIS_SPIN_LOCK) {
    with_host("NdisReleaseSpinLock", (), |m, _| m.release_spin_lock(a(lock), false));
}
const _: ndis_sys::NdisReleaseSpinLockFn = NdisReleaseSpinLock;

/// `NdisDprAcquireSpinLock` (DISPATCH_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisDprAcquireSpinLock(lock: *mut NDIS_SPIN_LOCK) {
    acquire(lock, true);
}
const _: ndis_sys::NdisDprAcquireSpinLockFn = NdisDprAcquireSpinLock;

/// `NdisDprReleaseSpinLock` (DISPATCH_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn NdisDprReleaseSpinLock(lock: *mut NDIS_SPIN_LOCK) {
    with_host("NdisDprReleaseSpinLock", (), |m, _| m.release_spin_lock(a(lock), true));
}
const _: ndis_sys::NdisDprReleaseSpinLockFn = NdisDprReleaseSpinLock;

fn acquire(lock: *mut NDIS_SPIN_LOCK, dpr: bool) {
    let api = if dpr { "NdisDprAcquireSpinLock" } else { "NdisAcquireSpinLock" };
    with_host(api, (), |m, mem| {
        let old = m.acquire_spin_lock(a(lock), dpr);
        if !dpr {
            // Like NDIS, keep the saved IRQL in the lock (`OldIrql`); best effort.
            let _ = crate::model::MemExt::write_u8(
                mem,
                a(lock) + core::mem::offset_of!(NDIS_SPIN_LOCK, OldIrql) as u64,
                old,
            );
        }
    });
}

/// `IoAllocateDriverObjectExtension` (<= APC_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn IoAllocateDriverObjectExtension(
    driver_object: *mut DRIVER_OBJECT,
    client_id: PVOID,
    size: ULONG,
    extension: *mut PVOID,
) -> NTSTATUS {
    with_host("IoAllocateDriverObjectExtension", STATUS_UNSUCCESSFUL, |m, mem| {
        m.allocate_driver_object_extension(mem, a(driver_object), a(client_id), size, a(extension))
    })
}
const _: ndis_sys::IoAllocateDriverObjectExtensionFn = IoAllocateDriverObjectExtension;

/// `IoGetDriverObjectExtension` (<= DISPATCH_LEVEL).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn IoGetDriverObjectExtension(driver_object: *mut DRIVER_OBJECT, client_id: PVOID) -> PVOID {
    let ext = with_host("IoGetDriverObjectExtension", 0, |m, _| {
        m.get_driver_object_extension(a(driver_object), a(client_id))
    });
    ext as usize as *mut c_void
}
const _: ndis_sys::IoGetDriverObjectExtensionFn = IoGetDriverObjectExtension;

/// `KeBugCheckEx`: the host equivalent of a bug check is to abort the test process.
///
/// # Safety
/// Never returns; safe to call with any arguments.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn KeBugCheckEx(
    code: ULONG,
    p1: ULONG_PTR,
    p2: ULONG_PTR,
    p3: ULONG_PTR,
    p4: ULONG_PTR,
) -> ! {
    eprintln!("ndis-sim: KeBugCheckEx({code:#x}, {p1:#x}, {p2:#x}, {p3:#x}, {p4:#x})");
    std::process::abort()
}
const _: ndis_sys::KeBugCheckExFn = KeBugCheckEx;
