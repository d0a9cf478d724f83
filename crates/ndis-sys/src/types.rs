//! Basic kernel and NDIS scalar types, strings, GUIDs, affinities and spin locks (`ntdef.h`, `wdm.h`, `ifdef.h`, `ndis/types.h`).

use core::ffi::c_void;

/// `ULONG`.
pub type ULONG = u32;
/// `LONG`.
pub type LONG = i32;
/// `USHORT`.
pub type USHORT = u16;
/// `UCHAR`.
pub type UCHAR = u8;
/// `UINT`.
pub type UINT = u32;
/// `BOOLEAN` (`TRUE` = 1, `FALSE` = 0).
pub type BOOLEAN = u8;
/// `ULONG64`.
pub type ULONG64 = u64;
/// `ULONG_PTR`.
pub type ULONG_PTR = usize;
/// `SIZE_T`.
pub type SIZE_T = usize;
/// `WCHAR` (UTF-16 code unit).
pub type WCHAR = u16;
/// `PVOID`.
pub type PVOID = *mut c_void;
/// `NTSTATUS`.
pub type NTSTATUS = i32;
/// `NDIS_STATUS` (`int` in `ndis/types.h`).
pub type NDIS_STATUS = i32;
/// `NDIS_HANDLE` (`PVOID`).
pub type NDIS_HANDLE = *mut c_void;
/// `NDIS_OID` (`ndis/oidtypes.h`).
pub type NDIS_OID = u32;
/// `NDIS_PORT_NUMBER` (`ndis/ndisport.h`).
pub type NDIS_PORT_NUMBER = u32;
/// `NDIS_RECEIVE_QUEUE_ID` (`ntddndis.h`).
pub type NDIS_RECEIVE_QUEUE_ID = u32;
/// `NDIS_RECEIVE_QUEUE_GROUP_ID` (`ntddndis.h`).
pub type NDIS_RECEIVE_QUEUE_GROUP_ID = u32;
/// `NDIS_RECEIVE_FILTER_ID` (`ntddndis.h`).
pub type NDIS_RECEIVE_FILTER_ID = u32;
/// `NDIS_NIC_SWITCH_ID` (`ndis/nicswitchtypes.h`).
pub type NDIS_NIC_SWITCH_ID = u32;
/// `NDIS_NIC_SWITCH_VPORT_ID` (`ndis/nicswitchtypes.h`).
pub type NDIS_NIC_SWITCH_VPORT_ID = u32;
/// `NODE_REQUIREMENT` (`wdm.h`).
pub type NODE_REQUIREMENT = u32;
/// `PHYSICAL_ADDRESS` (`LARGE_INTEGER`).
pub type PHYSICAL_ADDRESS = i64;
/// `NDIS_PHYSICAL_ADDRESS` (`PHYSICAL_ADDRESS`).
pub type NDIS_PHYSICAL_ADDRESS = PHYSICAL_ADDRESS;
/// `KSPIN_LOCK` (`ULONG_PTR`).
pub type KSPIN_LOCK = usize;
/// `KIRQL`.
pub type KIRQL = u8;
/// `KAFFINITY` (`ULONG_PTR`).
pub type KAFFINITY = usize;
/// `NET_IFINDEX` (`ifdef.h`).
pub type NET_IFINDEX = u32;
/// `NET_IFTYPE` (`ifdef.h`, IANA ifType).
pub type NET_IFTYPE = u16;

/// `TRUE`.
pub const TRUE: BOOLEAN = 1;
/// `FALSE`.
pub const FALSE: BOOLEAN = 0;

/// `MM_ANY_NODE_OK` (`wdm.h`): no NUMA node preference.
pub const MM_ANY_NODE_OK: NODE_REQUIREMENT = 0x8000_0000;

/// `EX_POOL_PRIORITY` (`wdm.h`).
pub type EX_POOL_PRIORITY = i32;
/// `LowPoolPriority`.
pub const LowPoolPriority: EX_POOL_PRIORITY = 0;
/// `LowPoolPrioritySpecialPoolOverrun`.
pub const LowPoolPrioritySpecialPoolOverrun: EX_POOL_PRIORITY = 8;
/// `LowPoolPrioritySpecialPoolUnderrun`.
pub const LowPoolPrioritySpecialPoolUnderrun: EX_POOL_PRIORITY = 9;
/// `NormalPoolPriority`.
pub const NormalPoolPriority: EX_POOL_PRIORITY = 16;
/// `HighPoolPriority`.
pub const HighPoolPriority: EX_POOL_PRIORITY = 32;

/// `NDIS_IO_WORKITEM_FUNCTION` as a nullable pointer; runs at PASSIVE_LEVEL.
pub type NDIS_IO_WORKITEM_FUNCTION =
    Option<unsafe extern "system" fn(WorkItemContext: PVOID, NdisIoWorkItemHandle: NDIS_HANDLE)>;
/// `NDIS_IO_WORKITEM_ROUTINE` (pointer to `NDIS_IO_WORKITEM_FUNCTION`).
pub type NDIS_IO_WORKITEM_ROUTINE = NDIS_IO_WORKITEM_FUNCTION;

/// The size of the field a projection closure selects; used by `size_through!`.
#[doc(hidden)]
pub const fn field_size<T, F>(_: fn(&T) -> &F) -> usize {
    core::mem::size_of::<F>()
}

/// `UNICODE_STRING`: counted UTF-16 string; lengths are in bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct UNICODE_STRING {
    /// Length of the string in bytes, without a terminator.
    pub Length: USHORT,
    /// Size of `Buffer` in bytes.
    pub MaximumLength: USHORT,
    /// The UTF-16 characters.
    pub Buffer: *mut WCHAR,
}
/// `NDIS_STRING` (`UNICODE_STRING`).
pub type NDIS_STRING = UNICODE_STRING;
assert_layout!(UNICODE_STRING, size = 16, Length = 0, MaximumLength = 2, Buffer = 8);

/// `GUID`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GUID {
    /// First 32 bits.
    pub Data1: ULONG,
    /// Next 16 bits.
    pub Data2: USHORT,
    /// Next 16 bits.
    pub Data3: USHORT,
    /// Last 64 bits.
    pub Data4: [UCHAR; 8],
}
assert_layout!(GUID, size = 16, Data1 = 0, Data2 = 4, Data3 = 6, Data4 = 8);

/// `GROUP_AFFINITY` (`ntdef.h`): a processor group and a mask within it.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GROUP_AFFINITY {
    /// Processors of `Group`.
    pub Mask: KAFFINITY,
    /// Processor group number.
    pub Group: USHORT,
    /// Must be zero.
    pub Reserved: [USHORT; 3],
}
assert_layout!(GROUP_AFFINITY, size = 16, Mask = 0, Group = 8, Reserved = 10);

/// `PROCESSOR_NUMBER` (`ntdef.h`): a processor's group and number within the group.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PROCESSOR_NUMBER {
    /// Processor group.
    pub Group: USHORT,
    /// Processor number within the group.
    pub Number: UCHAR,
    /// Must be zero.
    pub Reserved: UCHAR,
}
assert_layout!(PROCESSOR_NUMBER, size = 4, Group = 0, Number = 2, Reserved = 3);

/// `KDPC` (`wdm.h`): a deferred procedure call object, opaque to drivers (0x40 bytes on x64;
/// initialized by `KeInitializeDpc`, never read or written by the driver).
#[repr(C, align(8))]
#[derive(Debug)]
pub struct KDPC {
    /// Kernel-owned fields.
    pub Opaque: [u64; 8],
}
const _: () = assert!(core::mem::size_of::<KDPC>() == 0x40);

/// `PKDEFERRED_ROUTINE` as a nullable pointer: `KDEFERRED_ROUTINE(Dpc, DeferredContext,
/// SystemArgument1, SystemArgument2)`, run at DISPATCH_LEVEL on the DPC's target processor.
pub type PKDEFERRED_ROUTINE = Option<
    unsafe extern "system" fn(Dpc: *mut KDPC, DeferredContext: PVOID, SystemArgument1: PVOID, SystemArgument2: PVOID),
>;

/// `IF_MAX_STRING_SIZE` (`ifdef.h`).
pub const IF_MAX_STRING_SIZE: usize = 256;
/// `IF_MAX_PHYS_ADDRESS_LENGTH` (`ifdef.h`).
pub const IF_MAX_PHYS_ADDRESS_LENGTH: usize = 32;
/// `NDIS_MAX_PHYS_ADDRESS_LENGTH` (`ntddndis.h`).
pub const NDIS_MAX_PHYS_ADDRESS_LENGTH: usize = IF_MAX_PHYS_ADDRESS_LENGTH;

/// `IF_COUNTED_STRING` / `NDIS_IF_COUNTED_STRING`: inline counted UTF-16 string.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct NDIS_IF_COUNTED_STRING {
    /// Length of the string in bytes.
    pub Length: USHORT,
    /// The UTF-16 characters.
    pub String: [WCHAR; IF_MAX_STRING_SIZE + 1],
}
/// `NDIS_VM_NAME` (`NDIS_IF_COUNTED_STRING`).
pub type NDIS_VM_NAME = NDIS_IF_COUNTED_STRING;
/// `NDIS_QUEUE_NAME` (`NDIS_IF_COUNTED_STRING`).
pub type NDIS_QUEUE_NAME = NDIS_IF_COUNTED_STRING;
assert_layout!(NDIS_IF_COUNTED_STRING, size = 516, Length = 0, String = 2);
const _: () = assert!(core::mem::align_of::<NDIS_IF_COUNTED_STRING>() == 2);

/// `NET_LUID` (`NET_LUID_LH`, `ifdef.h`): the 64-bit locally unique interface identifier.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NET_LUID {
    /// The whole value (bits 0..24 reserved, 24..48 NetLuidIndex, 48..64 IfType).
    pub Value: ULONG64,
}
assert_layout!(NET_LUID, size = 8, Value = 0);

/// `NDIS_SPIN_LOCK` (`ndis.h`).
#[repr(C)]
#[derive(Debug, Default)]
pub struct NDIS_SPIN_LOCK {
    /// The kernel spin lock.
    pub SpinLock: KSPIN_LOCK,
    /// The IRQL saved by `NdisAcquireSpinLock`.
    pub OldIrql: KIRQL,
}
assert_layout!(NDIS_SPIN_LOCK, size = 16, SpinLock = 0, OldIrql = 8);

/// `DRIVER_OBJECT`: opaque; the driver only passes the pointer on.
#[repr(C)]
pub struct DRIVER_OBJECT {
    _opaque: [u8; 0],
}

/// `DRIVER_INITIALIZE`: the type of a driver's `DriverEntry`.
pub type DRIVER_INITIALIZE = unsafe extern "system" fn(*mut DRIVER_OBJECT, *mut UNICODE_STRING) -> NTSTATUS;

/// `DEVICE_OBJECT`: opaque; the driver only passes the pointer on.
#[repr(C)]
pub struct DEVICE_OBJECT {
    _opaque: [u8; 0],
}

zeroed_default!(UNICODE_STRING, NDIS_IF_COUNTED_STRING);
