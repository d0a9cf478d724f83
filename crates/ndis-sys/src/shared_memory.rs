//! VMQ shared memory parameters, scatter/gather lists and the scatter/gather DMA description; see <https://learn.microsoft.com/windows-hardware/drivers/network/shared-memory-resource-allocation>.

use crate::object::NDIS_OBJECT_HEADER;
use crate::types::{
    DEVICE_OBJECT, NDIS_HANDLE, NDIS_NIC_SWITCH_VPORT_ID, NDIS_PHYSICAL_ADDRESS, NDIS_RECEIVE_QUEUE_ID,
    NODE_REQUIREMENT, PHYSICAL_ADDRESS, PVOID, UCHAR, ULONG, ULONG_PTR,
};

/// `NDIS_SHARED_MEMORY_USAGE`.
pub type NDIS_SHARED_MEMORY_USAGE = i32;
/// `NdisSharedMemoryUsageUndefined`.
pub const NdisSharedMemoryUsageUndefined: NDIS_SHARED_MEMORY_USAGE = 0;
/// `NdisSharedMemoryUsageXmit`.
pub const NdisSharedMemoryUsageXmit: NDIS_SHARED_MEMORY_USAGE = 1;
/// `NdisSharedMemoryUsageXmitHeader`.
pub const NdisSharedMemoryUsageXmitHeader: NDIS_SHARED_MEMORY_USAGE = 2;
/// `NdisSharedMemoryUsageXmitData`.
pub const NdisSharedMemoryUsageXmitData: NDIS_SHARED_MEMORY_USAGE = 3;
/// `NdisSharedMemoryUsageReceive`.
pub const NdisSharedMemoryUsageReceive: NDIS_SHARED_MEMORY_USAGE = 4;
/// `NdisSharedMemoryUsageReceiveLookahead`.
pub const NdisSharedMemoryUsageReceiveLookahead: NDIS_SHARED_MEMORY_USAGE = 5;
/// `NdisSharedMemoryUsageReceivePostLookahead`.
pub const NdisSharedMemoryUsageReceivePostLookahead: NDIS_SHARED_MEMORY_USAGE = 6;
/// `NdisSharedMemoryUsageReceiveHeader`.
pub const NdisSharedMemoryUsageReceiveHeader: NDIS_SHARED_MEMORY_USAGE = 7;
/// `NdisSharedMemoryUsageReceiveData`.
pub const NdisSharedMemoryUsageReceiveData: NDIS_SHARED_MEMORY_USAGE = 8;
/// `NdisSharedMemoryUsageOther`.
pub const NdisSharedMemoryUsageOther: NDIS_SHARED_MEMORY_USAGE = 9;
/// `NdisSharedMemoryUsageMax`.
pub const NdisSharedMemoryUsageMax: NDIS_SHARED_MEMORY_USAGE = 10;

/// `NDIS_SHARED_MEM_PARAMETERS_CONTIGUOUS`: the block must be physically contiguous.
pub const NDIS_SHARED_MEM_PARAMETERS_CONTIGUOUS: ULONG = 0x0000_0001;
/// `NDIS_SHARED_MEM_PARAMETERS_CONTIGOUS` (legacy misspelling kept by the WDK).
pub const NDIS_SHARED_MEM_PARAMETERS_CONTIGOUS: ULONG = NDIS_SHARED_MEM_PARAMETERS_CONTIGUOUS;

/// `NDIS_SHARED_MEMORY_PARAMETERS_REVISION_1` (NDIS 6.20).
pub const NDIS_SHARED_MEMORY_PARAMETERS_REVISION_1: UCHAR = 1;
/// `NDIS_SHARED_MEMORY_PARAMETERS_REVISION_2` (NDIS 6.30; adds `VPortId`).
pub const NDIS_SHARED_MEMORY_PARAMETERS_REVISION_2: UCHAR = 2;

/// `SCATTER_GATHER_ELEMENT` (`wdm.h`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SCATTER_GATHER_ELEMENT {
    /// Bus-logical address of the fragment.
    pub Address: PHYSICAL_ADDRESS,
    /// Fragment length in bytes.
    pub Length: ULONG,
    /// Reserved.
    pub Reserved: ULONG_PTR,
}
assert_layout!(SCATTER_GATHER_ELEMENT, size = 24, Address = 0, Length = 8, Reserved = 16);

/// `SCATTER_GATHER_LIST` (`wdm.h`): header; `NumberOfElements` elements follow in memory.
#[repr(C)]
#[derive(Debug, Default)]
pub struct SCATTER_GATHER_LIST {
    /// Number of elements that follow.
    pub NumberOfElements: ULONG,
    /// Reserved.
    pub Reserved: ULONG_PTR,
    /// The flexible element array.
    pub Elements: [SCATTER_GATHER_ELEMENT; 0],
}
assert_layout!(SCATTER_GATHER_LIST, size = 16, NumberOfElements = 0, Reserved = 8, Elements = 16);

/// `NDIS_SHARED_MEMORY_PARAMETERS` (6.30 layout): argument of `NdisAllocateSharedMemory`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct NDIS_SHARED_MEMORY_PARAMETERS {
    /// `NDIS_OBJECT_TYPE_DEFAULT`, revision 1 or 2.
    pub Header: NDIS_OBJECT_HEADER,
    /// `NDIS_SHARED_MEM_PARAMETERS_CONTIGUOUS`.
    pub Flags: ULONG,
    /// Queue the memory is for (`NDIS_DEFAULT_RECEIVE_QUEUE_ID` for the default queue).
    pub QueueId: NDIS_RECEIVE_QUEUE_ID,
    /// Output: the handle for `NET_BUFFER_SHARED_MEMORY::SharedMemoryHandle`.
    pub SharedMemoryHandle: NDIS_HANDLE,
    /// NUMA node, or `MM_ANY_NODE_OK`.
    pub PreferredNode: NODE_REQUIREMENT,
    /// `NdisSharedMemoryUsage*`.
    pub Usage: NDIS_SHARED_MEMORY_USAGE,
    /// Requested length in bytes.
    pub Length: ULONG,
    /// Output: kernel virtual address of the block.
    pub VirtualAddress: PVOID,
    /// Size of `SGListBuffer` in bytes.
    pub SGListBufferLength: ULONG,
    /// Caller-allocated list NDIS fills.
    pub SGListBuffer: *mut SCATTER_GATHER_LIST,
    /// 0 for VMQ miniports (NDIS 6.30).
    pub VPortId: NDIS_NIC_SWITCH_VPORT_ID,
}
assert_layout!(
    NDIS_SHARED_MEMORY_PARAMETERS,
    size = 72,
    Header = 0,
    Flags = 4,
    QueueId = 8,
    SharedMemoryHandle = 16,
    PreferredNode = 24,
    Usage = 28,
    Length = 32,
    VirtualAddress = 40,
    SGListBufferLength = 48,
    SGListBuffer = 56,
    VPortId = 64,
);
/// `NDIS_SIZEOF_SHARED_MEMORY_PARAMETERS_REVISION_1` (through `SGListBuffer`).
pub const NDIS_SIZEOF_SHARED_MEMORY_PARAMETERS_REVISION_1: u16 =
    size_through!(NDIS_SHARED_MEMORY_PARAMETERS, SGListBuffer);
/// `NDIS_SIZEOF_SHARED_MEMORY_PARAMETERS_REVISION_2` (through `VPortId`).
pub const NDIS_SIZEOF_SHARED_MEMORY_PARAMETERS_REVISION_2: u16 = size_through!(NDIS_SHARED_MEMORY_PARAMETERS, VPortId);
#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(NDIS_SIZEOF_SHARED_MEMORY_PARAMETERS_REVISION_1 == 64);
    assert!(NDIS_SIZEOF_SHARED_MEMORY_PARAMETERS_REVISION_2 == 68);
};

/// `MINIPORT_PROCESS_SG_LIST` (DISPATCH_LEVEL).
pub type MINIPORT_PROCESS_SG_LIST =
    unsafe extern "system" fn(pDO: *mut DEVICE_OBJECT, Reserved: PVOID, pSGL: *mut SCATTER_GATHER_LIST, Context: PVOID);
/// `MINIPORT_PROCESS_SG_LIST_HANDLER`.
pub type MINIPORT_PROCESS_SG_LIST_HANDLER = Option<MINIPORT_PROCESS_SG_LIST>;
/// `MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE` (PASSIVE_LEVEL).
pub type MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE = unsafe extern "system" fn(
    MiniportAdapterContext: NDIS_HANDLE,
    VirtualAddress: PVOID,
    PhysicalAddress: *mut NDIS_PHYSICAL_ADDRESS,
    Length: ULONG,
    Context: PVOID,
);
/// `MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER`.
pub type MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER = Option<MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE>;

/// `NDIS_SG_DMA_64_BIT_ADDRESS`: the device can address 64 bits.
pub const NDIS_SG_DMA_64_BIT_ADDRESS: ULONG = 0x0000_0001;
/// `NDIS_SG_DMA_V3_HAL_API` (NDIS 6.50).
pub const NDIS_SG_DMA_V3_HAL_API: ULONG = 0x0000_0002;
/// `NDIS_SG_DMA_HYBRID_DMA` (NDIS 6.85).
pub const NDIS_SG_DMA_HYBRID_DMA: ULONG = 0x0000_0004;

/// `NDIS_SG_DMA_DESCRIPTION_REVISION_1`.
pub const NDIS_SG_DMA_DESCRIPTION_REVISION_1: UCHAR = 1;
/// `NDIS_SG_DMA_DESCRIPTION_REVISION_2` (NDIS 6.85; adds `PdoOverride`).
pub const NDIS_SG_DMA_DESCRIPTION_REVISION_2: UCHAR = 2;

/// `NDIS_SG_DMA_DESCRIPTION`: argument of `NdisMRegisterScatterGatherDma`. The trailing
/// `PdoOverride` is NDIS 6.85; a 6.30 driver sends revision 1 and leaves it null.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct NDIS_SG_DMA_DESCRIPTION {
    /// `NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION`, revision 1, `NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1`.
    pub Header: NDIS_OBJECT_HEADER,
    /// `NDIS_SG_DMA_*`.
    pub Flags: ULONG,
    /// Largest single DMA transfer in bytes.
    pub MaximumPhysicalMapping: ULONG,
    /// MiniportProcessSGList.
    pub ProcessSGListHandler: MINIPORT_PROCESS_SG_LIST_HANDLER,
    /// MiniportSharedMemoryAllocateComplete.
    pub SharedMemAllocateCompleteHandler: MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER,
    /// Output: SG list size NDIS needs for the largest packet.
    pub ScatterGatherListSize: ULONG,
    /// NDIS 6.85 only.
    pub PdoOverride: *mut DEVICE_OBJECT,
}
assert_layout!(
    NDIS_SG_DMA_DESCRIPTION,
    size = 48,
    Header = 0,
    Flags = 4,
    MaximumPhysicalMapping = 8,
    ProcessSGListHandler = 16,
    SharedMemAllocateCompleteHandler = 24,
    ScatterGatherListSize = 32,
    PdoOverride = 40,
);
/// `NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1` (through `ScatterGatherListSize`).
pub const NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1: u16 =
    size_through!(NDIS_SG_DMA_DESCRIPTION, ScatterGatherListSize);
/// `NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_2` (through `PdoOverride`).
pub const NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_2: u16 = size_through!(NDIS_SG_DMA_DESCRIPTION, PdoOverride);
#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1 == 36);
    assert!(NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_2 == 48);
};

zeroed_default!(NDIS_SHARED_MEMORY_PARAMETERS, NDIS_SG_DMA_DESCRIPTION);
