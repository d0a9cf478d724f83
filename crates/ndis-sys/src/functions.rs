//! `extern` declarations of the `ndis.sys` and `ntoskrnl.exe` routines vmqnic calls, with a `<Name>Fn` pointer alias for each; see <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/>.
//!
//! On Windows every block imports through `raw-dylib` (no import library needed); elsewhere the
//! symbols stay unresolved until a binary links `crates/ndis-sim`, which defines them. Each
//! alias lets the simulator check its definitions at compile time:
//! `const _: ndis_sys::NdisAllocateSharedMemoryFn = NdisAllocateSharedMemory;`.
//! `imports.txt` next to `Cargo.toml` lists exactly these functions (unit-tested).
//!
//! The six `Ndis*SpinLock` routines are macros/inlines over the `Ke*SpinLock*` routines in the
//! current `ndis.h`, but the x64 `ndis.sys` still exports them for binary compatibility.

use core::ffi::{c_char, c_int, c_void};

use crate::config::{NDIS_CONFIGURATION_OBJECT, NDIS_CONFIGURATION_PARAMETER, NDIS_PARAMETER_TYPE};
use crate::miniport::NDIS_MINIPORT_DRIVER_CHARACTERISTICS;
use crate::miniport_attributes::NDIS_MINIPORT_ADAPTER_ATTRIBUTES;
use crate::nbl::{MDL, NET_BUFFER_LIST, NET_BUFFER_LIST_POOL_PARAMETERS};
use crate::oid::NDIS_OID_REQUEST;
use crate::shared_memory::{NDIS_SG_DMA_DESCRIPTION, NDIS_SHARED_MEMORY_PARAMETERS};
use crate::status::NDIS_STATUS_INDICATION;
use crate::types::{
    DRIVER_OBJECT, EX_POOL_PRIORITY, NDIS_HANDLE, NDIS_IO_WORKITEM_ROUTINE, NDIS_PORT_NUMBER, NDIS_SPIN_LOCK,
    NDIS_STATUS, NDIS_STRING, NTSTATUS, PVOID, SIZE_T, UINT, ULONG, ULONG_PTR, UNICODE_STRING, USHORT,
};

#[cfg_attr(windows, link(name = "ndis.sys", kind = "raw-dylib", modifiers = "+verbatim"))]
unsafe extern "system" {
    // Driver and adapter registration (PASSIVE_LEVEL).
    /// Registers the miniport driver from DriverEntry; NDIS copies the characteristics. PASSIVE_LEVEL.
    pub fn NdisMRegisterMiniportDriver(
        DriverObject: *mut DRIVER_OBJECT,
        RegistryPath: *mut UNICODE_STRING,
        MiniportDriverContext: NDIS_HANDLE,
        MiniportDriverCharacteristics: *mut NDIS_MINIPORT_DRIVER_CHARACTERISTICS,
        NdisMiniportDriverHandle: *mut NDIS_HANDLE,
    ) -> NDIS_STATUS;
    /// Undoes `NdisMRegisterMiniportDriver` (DriverEntry failure path or MiniportDriverUnload). PASSIVE_LEVEL.
    pub fn NdisMDeregisterMiniportDriver(NdisMiniportDriverHandle: NDIS_HANDLE);
    /// Sets one kind of adapter attributes (registration first, then general, then the rest). PASSIVE_LEVEL.
    pub fn NdisMSetMiniportAttributes(
        NdisMiniportHandle: NDIS_HANDLE,
        MiniportAttributes: *mut NDIS_MINIPORT_ADAPTER_ATTRIBUTES,
    ) -> NDIS_STATUS;

    // Pool memory (<= DISPATCH_LEVEL).
    /// Allocates non-paged pool; null on failure. <= DISPATCH_LEVEL.
    pub fn NdisAllocateMemoryWithTagPriority(
        NdisHandle: NDIS_HANDLE,
        Length: UINT,
        Tag: ULONG,
        Priority: EX_POOL_PRIORITY,
    ) -> PVOID;
    /// Frees memory from `NdisAllocateMemoryWithTagPriority` with the same tag. <= DISPATCH_LEVEL.
    pub fn NdisFreeMemoryWithTagPriority(NdisHandle: NDIS_HANDLE, VirtualAddress: PVOID, Tag: ULONG);

    // VMQ shared memory (PASSIVE_LEVEL).
    /// Allocates VMQ shared memory for a receive queue; fills `SharedMemoryHandle`, `VirtualAddress` and the SG list. PASSIVE_LEVEL.
    pub fn NdisAllocateSharedMemory(
        NdisHandle: NDIS_HANDLE,
        SharedMemoryParameters: *mut NDIS_SHARED_MEMORY_PARAMETERS,
        pAllocationHandle: *mut NDIS_HANDLE,
    ) -> NDIS_STATUS;
    /// Frees a block from `NdisAllocateSharedMemory` (same `NdisHandle`). PASSIVE_LEVEL.
    pub fn NdisFreeSharedMemory(NdisHandle: NDIS_HANDLE, AllocationHandle: NDIS_HANDLE);

    // Status and OID completion (<= DISPATCH_LEVEL).
    /// Indicates a status change (e.g. `NDIS_STATUS_RECEIVE_QUEUE_STATE`). <= DISPATCH_LEVEL.
    pub fn NdisMIndicateStatusEx(MiniportAdapterHandle: NDIS_HANDLE, StatusIndication: *mut NDIS_STATUS_INDICATION);
    /// Completes an OID request the miniport returned `NDIS_STATUS_PENDING` for; never with PENDING, never twice. <= DISPATCH_LEVEL.
    pub fn NdisMOidRequestComplete(
        MiniportAdapterHandle: NDIS_HANDLE,
        OidRequest: *mut NDIS_OID_REQUEST,
        Status: NDIS_STATUS,
    );

    // Scatter/gather DMA (PASSIVE_LEVEL).
    /// Registers the adapter for scatter/gather DMA (needed before `NdisAllocateSharedMemory`). PASSIVE_LEVEL.
    pub fn NdisMRegisterScatterGatherDma(
        MiniportAdapterHandle: NDIS_HANDLE,
        DmaDescription: *mut NDIS_SG_DMA_DESCRIPTION,
        NdisMiniportDmaHandle: *mut NDIS_HANDLE,
    ) -> NDIS_STATUS;
    /// Undoes `NdisMRegisterScatterGatherDma` (in MiniportHaltEx). PASSIVE_LEVEL.
    pub fn NdisMDeregisterScatterGatherDma(NdisMiniportDmaHandle: NDIS_HANDLE);

    // Configuration (PASSIVE_LEVEL).
    /// Opens the adapter's registry configuration. PASSIVE_LEVEL.
    pub fn NdisOpenConfigurationEx(
        ConfigObject: *mut NDIS_CONFIGURATION_OBJECT,
        ConfigurationHandle: *mut NDIS_HANDLE,
    ) -> NDIS_STATUS;
    /// Reads one keyword; the value stays valid until `NdisCloseConfiguration`. PASSIVE_LEVEL.
    pub fn NdisReadConfiguration(
        Status: *mut NDIS_STATUS,
        ParameterValue: *mut *mut NDIS_CONFIGURATION_PARAMETER,
        ConfigurationHandle: NDIS_HANDLE,
        Keyword: *mut NDIS_STRING,
        ParameterType: NDIS_PARAMETER_TYPE,
    );
    /// Closes a handle from `NdisOpenConfigurationEx`. PASSIVE_LEVEL.
    pub fn NdisCloseConfiguration(ConfigurationHandle: NDIS_HANDLE);

    // Pause/restart completion (<= DISPATCH_LEVEL).
    /// Completes a MiniportPause that returned `NDIS_STATUS_PENDING`. <= DISPATCH_LEVEL.
    pub fn NdisMPauseComplete(MiniportAdapterHandle: NDIS_HANDLE);
    /// Completes a MiniportRestart that returned `NDIS_STATUS_PENDING`. <= DISPATCH_LEVEL.
    pub fn NdisMRestartComplete(MiniportAdapterHandle: NDIS_HANDLE, Status: NDIS_STATUS);

    // IO work items (<= DISPATCH_LEVEL; the routine runs at PASSIVE_LEVEL).
    /// Allocates an IO work item; null on failure. <= DISPATCH_LEVEL.
    pub fn NdisAllocateIoWorkItem(NdisObjectHandle: NDIS_HANDLE) -> NDIS_HANDLE;
    /// Queues `Routine` to run at PASSIVE_LEVEL with `WorkItemContext`. <= DISPATCH_LEVEL.
    pub fn NdisQueueIoWorkItem(
        NdisIoWorkItemHandle: NDIS_HANDLE,
        Routine: NDIS_IO_WORKITEM_ROUTINE,
        WorkItemContext: PVOID,
    );
    /// Frees a work item from `NdisAllocateIoWorkItem`. <= DISPATCH_LEVEL.
    pub fn NdisFreeIoWorkItem(NdisIoWorkItemHandle: NDIS_HANDLE);

    // Data path (<= DISPATCH_LEVEL).
    /// Indicates received NBLs up the stack. <= DISPATCH_LEVEL.
    pub fn NdisMIndicateReceiveNetBufferLists(
        MiniportAdapterHandle: NDIS_HANDLE,
        NetBufferList: *mut NET_BUFFER_LIST,
        PortNumber: NDIS_PORT_NUMBER,
        NumberOfNetBufferLists: ULONG,
        ReceiveFlags: ULONG,
    );
    /// Returns sent NBLs to the sender. <= DISPATCH_LEVEL.
    pub fn NdisMSendNetBufferListsComplete(
        MiniportAdapterHandle: NDIS_HANDLE,
        NetBufferList: *mut NET_BUFFER_LIST,
        SendCompleteFlags: ULONG,
    );
    /// Alignment for data shared between processors (cache line). <= DISPATCH_LEVEL.
    pub fn NdisGetSharedDataAlignment() -> ULONG;

    // NBL pools and MDLs (`ndis/nblapi.h`, `ndis/mdlapi.h`; <= DISPATCH_LEVEL).
    /// Allocates a pool of NBLs (with a preallocated NET_BUFFER each when `fAllocateNetBuffer`); null on failure. <= DISPATCH_LEVEL.
    pub fn NdisAllocateNetBufferListPool(
        NdisHandle: NDIS_HANDLE,
        Parameters: *mut NET_BUFFER_LIST_POOL_PARAMETERS,
    ) -> NDIS_HANDLE;
    /// Frees a pool from `NdisAllocateNetBufferListPool`; every NBL of it must be freed first. <= DISPATCH_LEVEL.
    pub fn NdisFreeNetBufferListPool(PoolHandle: NDIS_HANDLE);
    /// Allocates an NBL and its NET_BUFFER over `MdlChain` (pool with `fAllocateNetBuffer` TRUE, `DataSize` 0); null on failure. <= DISPATCH_LEVEL.
    pub fn NdisAllocateNetBufferAndNetBufferList(
        PoolHandle: NDIS_HANDLE,
        ContextSize: USHORT,
        ContextBackFill: USHORT,
        MdlChain: *mut MDL,
        DataOffset: ULONG,
        DataLength: SIZE_T,
    ) -> *mut NET_BUFFER_LIST;
    /// Frees an NBL (and its preallocated NET_BUFFER, not the MDLs) back to its pool. <= DISPATCH_LEVEL.
    pub fn NdisFreeNetBufferList(NetBufferList: *mut NET_BUFFER_LIST);
    /// Allocates and builds an MDL describing `Length` bytes of non-paged memory at `VirtualAddress`; null on failure. <= DISPATCH_LEVEL.
    pub fn NdisAllocateMdl(NdisHandle: NDIS_HANDLE, VirtualAddress: PVOID, Length: ULONG) -> *mut MDL;
    /// Frees an MDL from `NdisAllocateMdl` (not the memory it describes). <= DISPATCH_LEVEL.
    pub fn NdisFreeMdl(Mdl: *mut MDL);

    // Spin locks.
    /// Initializes an `NDIS_SPIN_LOCK`. Any IRQL.
    pub fn NdisAllocateSpinLock(SpinLock: *mut NDIS_SPIN_LOCK);
    /// Releases an `NDIS_SPIN_LOCK` initialized by `NdisAllocateSpinLock`. Any IRQL.
    pub fn NdisFreeSpinLock(SpinLock: *mut NDIS_SPIN_LOCK);
    /// Raises to DISPATCH_LEVEL and acquires the lock, saving the old IRQL in `OldIrql`. <= DISPATCH_LEVEL.
    pub fn NdisAcquireSpinLock(SpinLock: *mut NDIS_SPIN_LOCK);
    /// Releases a lock taken by `NdisAcquireSpinLock` and restores `OldIrql`. DISPATCH_LEVEL.
    pub fn NdisReleaseSpinLock(SpinLock: *mut NDIS_SPIN_LOCK);
    /// Acquires the lock when already at DISPATCH_LEVEL.
    pub fn NdisDprAcquireSpinLock(SpinLock: *mut NDIS_SPIN_LOCK);
    /// Releases a lock taken by `NdisDprAcquireSpinLock`. DISPATCH_LEVEL.
    pub fn NdisDprReleaseSpinLock(SpinLock: *mut NDIS_SPIN_LOCK);
}

#[cfg_attr(windows, link(name = "ntoskrnl.exe", kind = "raw-dylib", modifiers = "+verbatim"))]
unsafe extern "system" {
    /// Allocates a per-driver extension keyed by `ClientIdentificationAddress`. <= DISPATCH_LEVEL.
    pub fn IoAllocateDriverObjectExtension(
        DriverObject: *mut DRIVER_OBJECT,
        ClientIdentificationAddress: PVOID,
        DriverObjectExtensionSize: ULONG,
        DriverObjectExtension: *mut PVOID,
    ) -> NTSTATUS;
    /// Looks up an extension from `IoAllocateDriverObjectExtension`; null if none. <= DISPATCH_LEVEL.
    pub fn IoGetDriverObjectExtension(DriverObject: *mut DRIVER_OBJECT, ClientIdentificationAddress: PVOID) -> PVOID;
    /// Stops the system with a bug check (the cross build's panic handler). Any IRQL.
    pub fn KeBugCheckEx(
        BugCheckCode: ULONG,
        BugCheckParameter1: ULONG_PTR,
        BugCheckParameter2: ULONG_PTR,
        BugCheckParameter3: ULONG_PTR,
        BugCheckParameter4: ULONG_PTR,
    ) -> !;
}

// The C runtime `core` needs in a kernel image, taken from ntoskrnl.exe (cross build only).
#[cfg(all(windows, vmqnic_cross))]
#[link(name = "ntoskrnl.exe", kind = "raw-dylib", modifiers = "+verbatim")]
unsafe extern "C" {
    /// C runtime `memcpy` (ntoskrnl export).
    pub fn memcpy(Destination: *mut c_void, Source: *const c_void, Length: usize) -> *mut c_void;
    /// C runtime `memmove` (ntoskrnl export).
    pub fn memmove(Destination: *mut c_void, Source: *const c_void, Length: usize) -> *mut c_void;
    /// C runtime `memset` (ntoskrnl export).
    pub fn memset(Destination: *mut c_void, Fill: c_int, Length: usize) -> *mut c_void;
    /// C runtime `memcmp` (ntoskrnl export).
    pub fn memcmp(Buffer1: *const c_void, Buffer2: *const c_void, Length: usize) -> c_int;
    /// C runtime `strlen` (ntoskrnl export).
    pub fn strlen(String: *const c_char) -> usize;
    /// Stack probe the msvc target emits for large frames (ntoskrnl export).
    pub fn __chkstk();
    /// Kernel debugger print (`__cdecl`, variadic). <= DIRQL.
    pub fn DbgPrint(Format: *const c_char, ...) -> ULONG;
}

/// `NdisMRegisterMiniportDriver`.
pub type NdisMRegisterMiniportDriverFn = unsafe extern "system" fn(
    *mut DRIVER_OBJECT,
    *mut UNICODE_STRING,
    NDIS_HANDLE,
    *mut NDIS_MINIPORT_DRIVER_CHARACTERISTICS,
    *mut NDIS_HANDLE,
) -> NDIS_STATUS;
/// `NdisMDeregisterMiniportDriver`.
pub type NdisMDeregisterMiniportDriverFn = unsafe extern "system" fn(NDIS_HANDLE);
/// `NdisMSetMiniportAttributes`.
pub type NdisMSetMiniportAttributesFn =
    unsafe extern "system" fn(NDIS_HANDLE, *mut NDIS_MINIPORT_ADAPTER_ATTRIBUTES) -> NDIS_STATUS;
/// `NdisAllocateMemoryWithTagPriority`.
pub type NdisAllocateMemoryWithTagPriorityFn =
    unsafe extern "system" fn(NDIS_HANDLE, UINT, ULONG, EX_POOL_PRIORITY) -> PVOID;
/// `NdisFreeMemoryWithTagPriority`.
pub type NdisFreeMemoryWithTagPriorityFn = unsafe extern "system" fn(NDIS_HANDLE, PVOID, ULONG);
/// `NdisAllocateSharedMemory`.
pub type NdisAllocateSharedMemoryFn =
    unsafe extern "system" fn(NDIS_HANDLE, *mut NDIS_SHARED_MEMORY_PARAMETERS, *mut NDIS_HANDLE) -> NDIS_STATUS;
/// `NdisFreeSharedMemory`.
pub type NdisFreeSharedMemoryFn = unsafe extern "system" fn(NDIS_HANDLE, NDIS_HANDLE);
/// `NdisMIndicateStatusEx`.
pub type NdisMIndicateStatusExFn = unsafe extern "system" fn(NDIS_HANDLE, *mut NDIS_STATUS_INDICATION);
/// `NdisMOidRequestComplete`.
pub type NdisMOidRequestCompleteFn = unsafe extern "system" fn(NDIS_HANDLE, *mut NDIS_OID_REQUEST, NDIS_STATUS);
/// `NdisMRegisterScatterGatherDma`.
pub type NdisMRegisterScatterGatherDmaFn =
    unsafe extern "system" fn(NDIS_HANDLE, *mut NDIS_SG_DMA_DESCRIPTION, *mut NDIS_HANDLE) -> NDIS_STATUS;
/// `NdisMDeregisterScatterGatherDma`.
pub type NdisMDeregisterScatterGatherDmaFn = unsafe extern "system" fn(NDIS_HANDLE);
/// `NdisOpenConfigurationEx`.
pub type NdisOpenConfigurationExFn =
    unsafe extern "system" fn(*mut NDIS_CONFIGURATION_OBJECT, *mut NDIS_HANDLE) -> NDIS_STATUS;
/// `NdisReadConfiguration`.
pub type NdisReadConfigurationFn = unsafe extern "system" fn(
    *mut NDIS_STATUS,
    *mut *mut NDIS_CONFIGURATION_PARAMETER,
    NDIS_HANDLE,
    *mut NDIS_STRING,
    NDIS_PARAMETER_TYPE,
);
/// `NdisCloseConfiguration`.
pub type NdisCloseConfigurationFn = unsafe extern "system" fn(NDIS_HANDLE);
/// `NdisMPauseComplete`.
pub type NdisMPauseCompleteFn = unsafe extern "system" fn(NDIS_HANDLE);
/// `NdisMRestartComplete`.
pub type NdisMRestartCompleteFn = unsafe extern "system" fn(NDIS_HANDLE, NDIS_STATUS);
/// `NdisAllocateIoWorkItem`.
pub type NdisAllocateIoWorkItemFn = unsafe extern "system" fn(NDIS_HANDLE) -> NDIS_HANDLE;
/// `NdisQueueIoWorkItem`.
pub type NdisQueueIoWorkItemFn = unsafe extern "system" fn(NDIS_HANDLE, NDIS_IO_WORKITEM_ROUTINE, PVOID);
/// `NdisFreeIoWorkItem`.
pub type NdisFreeIoWorkItemFn = unsafe extern "system" fn(NDIS_HANDLE);
/// `NdisMIndicateReceiveNetBufferLists`.
pub type NdisMIndicateReceiveNetBufferListsFn =
    unsafe extern "system" fn(NDIS_HANDLE, *mut NET_BUFFER_LIST, NDIS_PORT_NUMBER, ULONG, ULONG);
/// `NdisMSendNetBufferListsComplete`.
pub type NdisMSendNetBufferListsCompleteFn = unsafe extern "system" fn(NDIS_HANDLE, *mut NET_BUFFER_LIST, ULONG);
/// `NdisGetSharedDataAlignment`.
pub type NdisGetSharedDataAlignmentFn = unsafe extern "system" fn() -> ULONG;
/// `NdisAllocateNetBufferListPool`.
pub type NdisAllocateNetBufferListPoolFn =
    unsafe extern "system" fn(NDIS_HANDLE, *mut NET_BUFFER_LIST_POOL_PARAMETERS) -> NDIS_HANDLE;
/// `NdisFreeNetBufferListPool`.
pub type NdisFreeNetBufferListPoolFn = unsafe extern "system" fn(NDIS_HANDLE);
/// `NdisAllocateNetBufferAndNetBufferList`.
pub type NdisAllocateNetBufferAndNetBufferListFn =
    unsafe extern "system" fn(NDIS_HANDLE, USHORT, USHORT, *mut MDL, ULONG, SIZE_T) -> *mut NET_BUFFER_LIST;
/// `NdisFreeNetBufferList`.
pub type NdisFreeNetBufferListFn = unsafe extern "system" fn(*mut NET_BUFFER_LIST);
/// `NdisAllocateMdl`.
pub type NdisAllocateMdlFn = unsafe extern "system" fn(NDIS_HANDLE, PVOID, ULONG) -> *mut MDL;
/// `NdisFreeMdl`.
pub type NdisFreeMdlFn = unsafe extern "system" fn(*mut MDL);
/// `NdisAllocateSpinLock`.
pub type NdisAllocateSpinLockFn = unsafe extern "system" fn(*mut NDIS_SPIN_LOCK);
/// `NdisFreeSpinLock`.
pub type NdisFreeSpinLockFn = unsafe extern "system" fn(*mut NDIS_SPIN_LOCK);
/// `NdisAcquireSpinLock`.
pub type NdisAcquireSpinLockFn = unsafe extern "system" fn(*mut NDIS_SPIN_LOCK);
/// `NdisReleaseSpinLock`.
pub type NdisReleaseSpinLockFn = unsafe extern "system" fn(*mut NDIS_SPIN_LOCK);
/// `NdisDprAcquireSpinLock`.
pub type NdisDprAcquireSpinLockFn = unsafe extern "system" fn(*mut NDIS_SPIN_LOCK);
/// `NdisDprReleaseSpinLock`.
pub type NdisDprReleaseSpinLockFn = unsafe extern "system" fn(*mut NDIS_SPIN_LOCK);
/// `IoAllocateDriverObjectExtension`.
pub type IoAllocateDriverObjectExtensionFn =
    unsafe extern "system" fn(*mut DRIVER_OBJECT, PVOID, ULONG, *mut PVOID) -> NTSTATUS;
/// `IoGetDriverObjectExtension`.
pub type IoGetDriverObjectExtensionFn = unsafe extern "system" fn(*mut DRIVER_OBJECT, PVOID) -> PVOID;
/// `KeBugCheckEx`.
pub type KeBugCheckExFn = unsafe extern "system" fn(ULONG, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR) -> !;
/// `memcpy`.
pub type memcpyFn = unsafe extern "C" fn(*mut c_void, *const c_void, usize) -> *mut c_void;
/// `memmove`.
pub type memmoveFn = unsafe extern "C" fn(*mut c_void, *const c_void, usize) -> *mut c_void;
/// `memset`.
pub type memsetFn = unsafe extern "C" fn(*mut c_void, c_int, usize) -> *mut c_void;
/// `memcmp`.
pub type memcmpFn = unsafe extern "C" fn(*const c_void, *const c_void, usize) -> c_int;
/// `strlen`.
pub type strlenFn = unsafe extern "C" fn(*const c_char) -> usize;
/// `__chkstk`.
pub type __chkstkFn = unsafe extern "C" fn();
/// `DbgPrint`.
pub type DbgPrintFn = unsafe extern "C" fn(*const c_char, ...) -> ULONG;

// Each declaration must match its alias.
const _: NdisMRegisterMiniportDriverFn = NdisMRegisterMiniportDriver;
const _: NdisMDeregisterMiniportDriverFn = NdisMDeregisterMiniportDriver;
const _: NdisMSetMiniportAttributesFn = NdisMSetMiniportAttributes;
const _: NdisAllocateMemoryWithTagPriorityFn = NdisAllocateMemoryWithTagPriority;
const _: NdisFreeMemoryWithTagPriorityFn = NdisFreeMemoryWithTagPriority;
const _: NdisAllocateSharedMemoryFn = NdisAllocateSharedMemory;
const _: NdisFreeSharedMemoryFn = NdisFreeSharedMemory;
const _: NdisMIndicateStatusExFn = NdisMIndicateStatusEx;
const _: NdisMOidRequestCompleteFn = NdisMOidRequestComplete;
const _: NdisMRegisterScatterGatherDmaFn = NdisMRegisterScatterGatherDma;
const _: NdisMDeregisterScatterGatherDmaFn = NdisMDeregisterScatterGatherDma;
const _: NdisOpenConfigurationExFn = NdisOpenConfigurationEx;
const _: NdisReadConfigurationFn = NdisReadConfiguration;
const _: NdisCloseConfigurationFn = NdisCloseConfiguration;
const _: NdisMPauseCompleteFn = NdisMPauseComplete;
const _: NdisMRestartCompleteFn = NdisMRestartComplete;
const _: NdisAllocateIoWorkItemFn = NdisAllocateIoWorkItem;
const _: NdisQueueIoWorkItemFn = NdisQueueIoWorkItem;
const _: NdisFreeIoWorkItemFn = NdisFreeIoWorkItem;
const _: NdisMIndicateReceiveNetBufferListsFn = NdisMIndicateReceiveNetBufferLists;
const _: NdisMSendNetBufferListsCompleteFn = NdisMSendNetBufferListsComplete;
const _: NdisGetSharedDataAlignmentFn = NdisGetSharedDataAlignment;
const _: NdisAllocateNetBufferListPoolFn = NdisAllocateNetBufferListPool;
const _: NdisFreeNetBufferListPoolFn = NdisFreeNetBufferListPool;
const _: NdisAllocateNetBufferAndNetBufferListFn = NdisAllocateNetBufferAndNetBufferList;
const _: NdisFreeNetBufferListFn = NdisFreeNetBufferList;
const _: NdisAllocateMdlFn = NdisAllocateMdl;
const _: NdisFreeMdlFn = NdisFreeMdl;
const _: NdisAllocateSpinLockFn = NdisAllocateSpinLock;
const _: NdisFreeSpinLockFn = NdisFreeSpinLock;
const _: NdisAcquireSpinLockFn = NdisAcquireSpinLock;
const _: NdisReleaseSpinLockFn = NdisReleaseSpinLock;
const _: NdisDprAcquireSpinLockFn = NdisDprAcquireSpinLock;
const _: NdisDprReleaseSpinLockFn = NdisDprReleaseSpinLock;
const _: IoAllocateDriverObjectExtensionFn = IoAllocateDriverObjectExtension;
const _: IoGetDriverObjectExtensionFn = IoGetDriverObjectExtension;
const _: KeBugCheckExFn = KeBugCheckEx;
#[cfg(all(windows, vmqnic_cross))]
const _: () = {
    let _: memcpyFn = memcpy;
    let _: memmoveFn = memmove;
    let _: memsetFn = memset;
    let _: memcmpFn = memcmp;
    let _: strlenFn = strlen;
    let _: __chkstkFn = __chkstk;
    let _: DbgPrintFn = DbgPrint;
};
