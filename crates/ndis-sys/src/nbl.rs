//! `MDL`, `NET_BUFFER`, `NET_BUFFER_LIST`, NBL pool parameters, shared-memory and filtering OOB info, and the send/receive flags; see <https://learn.microsoft.com/windows-hardware/drivers/network/net-buffer-architecture>.

use core::ffi::c_void;

use crate::object::NDIS_OBJECT_HEADER;
use crate::shared_memory::SCATTER_GATHER_LIST;
use crate::types::{BOOLEAN, LONG, NDIS_HANDLE, NDIS_STATUS, PHYSICAL_ADDRESS, PVOID, UCHAR, ULONG, USHORT};

/// `MDL` (`wdm.h`): memory descriptor list header; the PFN array follows in memory.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct MDL {
    /// Next MDL of the chain.
    pub Next: *mut MDL,
    /// Size of the MDL including the PFN array (`CSHORT`).
    pub Size: i16,
    /// `MDL_*` flags (`CSHORT`).
    pub MdlFlags: i16,
    /// `PEPROCESS` of the owner.
    pub Process: *mut c_void,
    /// System virtual address when mapped.
    pub MappedSystemVa: PVOID,
    /// Page-aligned start of the buffer.
    pub StartVa: PVOID,
    /// Length of the buffer in bytes.
    pub ByteCount: ULONG,
    /// Offset of the buffer from `StartVa`.
    pub ByteOffset: ULONG,
}
assert_layout!(
    MDL,
    size = 48,
    Next = 0,
    Size = 8,
    MdlFlags = 10,
    Process = 16,
    MappedSystemVa = 24,
    StartVa = 32,
    ByteCount = 40,
    ByteOffset = 44,
);

/// `NET_BUFFER_SHARED_MEMORY` (NDIS 6.20): one shared-memory segment of a `NET_BUFFER`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct NET_BUFFER_SHARED_MEMORY {
    /// Next segment, or null.
    pub NextSharedMemorySegment: *mut NET_BUFFER_SHARED_MEMORY,
    /// Reserved.
    pub SharedMemoryFlags: ULONG,
    /// `NDIS_SHARED_MEMORY_PARAMETERS::SharedMemoryHandle` of the block.
    pub SharedMemoryHandle: NDIS_HANDLE,
    /// Byte offset of the data from the start of the block.
    pub SharedMemoryOffset: ULONG,
    /// Length of the segment in bytes.
    pub SharedMemoryLength: ULONG,
}
assert_layout!(
    NET_BUFFER_SHARED_MEMORY,
    size = 32,
    NextSharedMemorySegment = 0,
    SharedMemoryFlags = 8,
    SharedMemoryHandle = 16,
    SharedMemoryOffset = 24,
    SharedMemoryLength = 28,
);

/// `NET_BUFFER` (6.20+ layout, x64: `MEMORY_ALLOCATION_ALIGNMENT` = 16). The header union is
/// flattened to its `NET_BUFFER_DATA` view; `SLIST_HEADER Link` overlays offsets 0..16.
#[repr(C, align(16))]
#[derive(Clone, Copy, Debug)]
pub struct NET_BUFFER {
    /// Next `NET_BUFFER` of the same `NET_BUFFER_LIST`.
    pub Next: *mut NET_BUFFER,
    /// MDL holding the current data start.
    pub CurrentMdl: *mut MDL,
    /// Offset of the data start in `CurrentMdl`.
    pub CurrentMdlOffset: ULONG,
    /// Alignment gap before the `SIZE_T`-sized data length union.
    pub Padding0: ULONG,
    /// Used data length in bytes (low half of the `SIZE_T stDataLength` alias).
    pub DataLength: ULONG,
    /// High half of `stDataLength`; keep zero.
    pub DataLengthHigh: ULONG,
    /// First MDL of the chain.
    pub MdlChain: *mut MDL,
    /// Offset of the data start from the start of `MdlChain`.
    pub DataOffset: ULONG,
    /// Tail padding of the header union (it is 48 bytes, 16-aligned).
    pub Padding1: ULONG,
    /// Checksum bias.
    pub ChecksumBias: USHORT,
    /// Reserved.
    pub Reserved: USHORT,
    /// Pool the NET_BUFFER came from.
    pub NdisPoolHandle: NDIS_HANDLE,
    /// Reserved for NDIS.
    pub NdisReserved: [PVOID; 2],
    /// Reserved for the protocol.
    pub ProtocolReserved: [PVOID; 6],
    /// Free for the miniport while it owns the NET_BUFFER.
    pub MiniportReserved: [PVOID; 4],
    /// Physical address of the data, when known.
    pub DataPhysicalAddress: PHYSICAL_ADDRESS,
    /// `SharedMemoryInfo` (receive, VMQ) or `ScatterGatherList` (send) union.
    pub SharedMemoryInfo: *mut NET_BUFFER_SHARED_MEMORY,
}
assert_layout!(
    NET_BUFFER,
    size = 176,
    Next = 0,
    CurrentMdl = 8,
    CurrentMdlOffset = 16,
    Padding0 = 20,
    DataLength = 24,
    DataLengthHigh = 28,
    MdlChain = 32,
    DataOffset = 40,
    Padding1 = 44,
    ChecksumBias = 48,
    Reserved = 50,
    NdisPoolHandle = 56,
    NdisReserved = 64,
    ProtocolReserved = 80,
    MiniportReserved = 128,
    DataPhysicalAddress = 160,
    SharedMemoryInfo = 168,
);

impl NET_BUFFER {
    /// The `ScatterGatherList` view of the `SharedMemoryInfo` union.
    pub const fn ScatterGatherList(&self) -> *mut SCATTER_GATHER_LIST {
        self.SharedMemoryInfo.cast()
    }
}

/// `NET_BUFFER_LIST_CONTEXT`: header of an NBL context area (data follows, 16-aligned).
#[repr(C, align(16))]
#[derive(Clone, Copy, Debug)]
pub struct NET_BUFFER_LIST_CONTEXT {
    /// Next context block.
    pub Next: *mut NET_BUFFER_LIST_CONTEXT,
    /// Size of the context data.
    pub Size: USHORT,
    /// Offset of the used context data.
    pub Offset: USHORT,
}
assert_layout!(NET_BUFFER_LIST_CONTEXT, size = 16, Next = 0, Size = 8, Offset = 10);

// `NDIS_NET_BUFFER_LIST_INFO` indices used here (6.30, x64).

/// `NDIS_NET_BUFFER_LIST_INFO`.
pub type NDIS_NET_BUFFER_LIST_INFO = i32;
/// `Ieee8021QNetBufferListInfo`: `NDIS_NET_BUFFER_LIST_8021Q_INFO`.
pub const Ieee8021QNetBufferListInfo: NDIS_NET_BUFFER_LIST_INFO = 4;
/// `NetBufferListCancelId`.
pub const NetBufferListCancelId: NDIS_NET_BUFFER_LIST_INFO = 5;
/// `NetBufferListHashValue`.
pub const NetBufferListHashValue: NDIS_NET_BUFFER_LIST_INFO = 8;
/// `NetBufferListHashInfo`.
pub const NetBufferListHashInfo: NDIS_NET_BUFFER_LIST_INFO = 9;
/// `NetBufferListFilteringInfo`: `NDIS_NET_BUFFER_LIST_FILTERING_INFO` (NDIS 6.20).
pub const NetBufferListFilteringInfo: NDIS_NET_BUFFER_LIST_INFO = 14;
/// `MaxNetBufferListInfo` for an NDIS 6.30 x64 build.
pub const MaxNetBufferListInfo: NDIS_NET_BUFFER_LIST_INFO = 24;

/// `NET_BUFFER_LIST` (6.30 x64 layout, 24 info slots). The header union is flattened to
/// `Next`/`FirstNetBuffer`; `SLIST_HEADER Link` overlays offsets 0..16.
#[repr(C, align(16))]
#[derive(Clone, Copy, Debug)]
pub struct NET_BUFFER_LIST {
    /// Next NBL of the chain.
    pub Next: *mut NET_BUFFER_LIST,
    /// First `NET_BUFFER` of this NBL.
    pub FirstNetBuffer: *mut NET_BUFFER,
    /// Context area chain.
    pub Context: *mut NET_BUFFER_LIST_CONTEXT,
    /// Parent of a clone/fragment.
    pub ParentNetBufferList: *mut NET_BUFFER_LIST,
    /// Pool the NBL came from.
    pub NdisPoolHandle: NDIS_HANDLE,
    /// Alignment gap before `NdisReserved` (`DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT)`).
    pub Padding0: PVOID,
    /// Reserved for NDIS.
    pub NdisReserved: [PVOID; 2],
    /// Reserved for the protocol.
    pub ProtocolReserved: [PVOID; 4],
    /// Free for the miniport while it owns the NBL.
    pub MiniportReserved: [PVOID; 2],
    /// Scratch for the current owner.
    pub Scratch: PVOID,
    /// Adapter handle the NBL is indicated from (`MiniportAdapterHandle`).
    pub SourceHandle: NDIS_HANDLE,
    /// `NDIS_NBL_FLAGS_*` (public).
    pub NblFlags: ULONG,
    /// Outstanding children.
    pub ChildRefCount: LONG,
    /// Private flags (`NBL_FLAGS_*`).
    pub Flags: ULONG,
    /// Completion status (union with `NdisReserved2`).
    pub Status: NDIS_STATUS,
    /// Out-of-band info indexed by `NDIS_NET_BUFFER_LIST_INFO`.
    pub NetBufferListInfo: [PVOID; MaxNetBufferListInfo as usize],
}
assert_layout!(
    NET_BUFFER_LIST,
    size = 336,
    Next = 0,
    FirstNetBuffer = 8,
    Context = 16,
    ParentNetBufferList = 24,
    NdisPoolHandle = 32,
    Padding0 = 40,
    NdisReserved = 48,
    ProtocolReserved = 64,
    MiniportReserved = 96,
    Scratch = 112,
    SourceHandle = 120,
    NblFlags = 128,
    ChildRefCount = 132,
    Flags = 136,
    Status = 140,
    NetBufferListInfo = 144,
);
#[cfg(target_pointer_width = "64")]
const _: () = assert!(
    core::mem::offset_of!(NET_BUFFER_LIST, NetBufferListInfo)
        + NetBufferListFilteringInfo as usize * core::mem::size_of::<PVOID>()
        == 256
);

/// `NDIS_NET_BUFFER_LIST_FILTERING_INFO::FilteringInfo.QueueVPortInfo` (NDIS 6.30 union).
#[repr(C)]
#[derive(Clone, Copy)]
pub union NDIS_NET_BUFFER_LIST_FILTERING_INFO_QUEUE_VPORT_INFO {
    /// Receive queue (a `USHORT`, although `NDIS_RECEIVE_QUEUE_ID` is a `ULONG`).
    pub QueueId: USHORT,
    /// SR-IOV VPort.
    pub VPortId: USHORT,
}

/// `NDIS_NET_BUFFER_LIST_FILTERING_INFO::FilteringInfo` (anonymous struct).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct NDIS_NET_BUFFER_LIST_FILTERING_INFO_FIELDS {
    /// Receive filter that matched (0 from a VMQ miniport).
    pub FilterId: USHORT,
    /// Queue or VPort.
    pub QueueVPortInfo: NDIS_NET_BUFFER_LIST_FILTERING_INFO_QUEUE_VPORT_INFO,
}
assert_layout!(NDIS_NET_BUFFER_LIST_FILTERING_INFO_FIELDS, size = 4, FilterId = 0, QueueVPortInfo = 2);

/// `NDIS_NET_BUFFER_LIST_FILTERING_INFO`: value of `NetBufferListInfo[NetBufferListFilteringInfo]`.
#[repr(C)]
#[derive(Clone, Copy)]
pub union NDIS_NET_BUFFER_LIST_FILTERING_INFO {
    /// Structured view.
    pub FilteringInfo: NDIS_NET_BUFFER_LIST_FILTERING_INFO_FIELDS,
    /// The raw pointer-sized slot value.
    pub Value: PVOID,
}
assert_layout!(NDIS_NET_BUFFER_LIST_FILTERING_INFO, size = 8);

/// `NET_BUFFER_LIST_POOL_PARAMETERS` (`ndis/nblapi.h`): what `NdisAllocateNetBufferListPool`
/// allocates. Revision 1 layout (the 6.87 revision 2 adds `Flags`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct NET_BUFFER_LIST_POOL_PARAMETERS {
    /// Type `NDIS_OBJECT_TYPE_DEFAULT`, Revision `NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1`,
    /// Size `NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1`.
    pub Header: NDIS_OBJECT_HEADER,
    /// `NDIS_PROTOCOL_ID_DEFAULT` (0) for miniport, filter and intermediate drivers.
    pub ProtocolId: UCHAR,
    /// `TRUE`: each NBL comes with a preallocated `NET_BUFFER`
    /// (required by `NdisAllocateNetBufferAndNetBufferList`).
    pub fAllocateNetBuffer: BOOLEAN,
    /// Size of the `NET_BUFFER_LIST_CONTEXT` area preallocated with each NBL.
    pub ContextSize: USHORT,
    /// Pool tag for the pool's allocations.
    pub PoolTag: ULONG,
    /// Size of the data buffer preallocated with each `NET_BUFFER`; must be 0 for
    /// `NdisAllocateNetBufferAndNetBufferList`.
    pub DataSize: ULONG,
}
assert_layout!(
    NET_BUFFER_LIST_POOL_PARAMETERS,
    size = 16,
    Header = 0,
    ProtocolId = 4,
    fAllocateNetBuffer = 5,
    ContextSize = 6,
    PoolTag = 8,
    DataSize = 12,
);

/// `NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1`.
pub const NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1: UCHAR = 1;
/// `NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1` (through `DataSize`: 16).
pub const NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1: USHORT =
    size_through!(NET_BUFFER_LIST_POOL_PARAMETERS, DataSize);
const _: () = assert!(NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 == 16);
/// `NDIS_PROTOCOL_ID_DEFAULT` (`ntddndis.h`): the `ProtocolId` of a miniport's pool.
pub const NDIS_PROTOCOL_ID_DEFAULT: UCHAR = 0x00;

zeroed_default!(
    MDL,
    NET_BUFFER_SHARED_MEMORY,
    NET_BUFFER,
    NET_BUFFER_LIST_CONTEXT,
    NET_BUFFER_LIST,
    NDIS_NET_BUFFER_LIST_FILTERING_INFO_QUEUE_VPORT_INFO,
    NDIS_NET_BUFFER_LIST_FILTERING_INFO_FIELDS,
    NDIS_NET_BUFFER_LIST_FILTERING_INFO,
    NET_BUFFER_LIST_POOL_PARAMETERS,
);

// Receive indication flags (`nblreceive.h`).

/// `NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL`.
pub const NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL: ULONG = 0x0000_0001;
/// `NDIS_RECEIVE_FLAGS_RESOURCES`: the NBLs come back when the call returns.
pub const NDIS_RECEIVE_FLAGS_RESOURCES: ULONG = 0x0000_0002;
/// `NDIS_RECEIVE_FLAGS_SINGLE_ETHER_TYPE`.
pub const NDIS_RECEIVE_FLAGS_SINGLE_ETHER_TYPE: ULONG = 0x0000_0100;
/// `NDIS_RECEIVE_FLAGS_SINGLE_VLAN`.
pub const NDIS_RECEIVE_FLAGS_SINGLE_VLAN: ULONG = 0x0000_0200;
/// `NDIS_RECEIVE_FLAGS_PERFECT_FILTERED`.
pub const NDIS_RECEIVE_FLAGS_PERFECT_FILTERED: ULONG = 0x0000_0400;
/// `NDIS_RECEIVE_FLAGS_SINGLE_QUEUE` (NDIS 6.20): all NBLs are from one queue.
pub const NDIS_RECEIVE_FLAGS_SINGLE_QUEUE: ULONG = 0x0000_0800;
/// `NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID` (NDIS 6.20).
pub const NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID: ULONG = 0x0000_1000;
/// `NDIS_RECEIVE_FLAGS_MORE_NBLS` (NDIS 6.20, reserved).
pub const NDIS_RECEIVE_FLAGS_MORE_NBLS: ULONG = 0x0000_2000;
/// `NDIS_RECEIVE_FLAGS_SWITCH_DESTINATION_GROUP` (NDIS 6.30).
pub const NDIS_RECEIVE_FLAGS_SWITCH_DESTINATION_GROUP: ULONG = 0x0000_4000;
/// `NDIS_RECEIVE_FLAGS_SWITCH_SINGLE_SOURCE` (NDIS 6.30).
pub const NDIS_RECEIVE_FLAGS_SWITCH_SINGLE_SOURCE: ULONG = 0x0000_8000;

// Return flags (`nblreceive.h`).

/// `NDIS_RETURN_FLAGS_DISPATCH_LEVEL`.
pub const NDIS_RETURN_FLAGS_DISPATCH_LEVEL: ULONG = 0x0000_0001;
/// `NDIS_RETURN_FLAGS_SINGLE_QUEUE` (NDIS 6.20).
pub const NDIS_RETURN_FLAGS_SINGLE_QUEUE: ULONG = 0x0000_0002;
/// `NDIS_RETURN_FLAGS_SWITCH_SINGLE_SOURCE` (NDIS 6.30).
pub const NDIS_RETURN_FLAGS_SWITCH_SINGLE_SOURCE: ULONG = 0x0000_0004;

// Send flags (`nblsend.h`).

/// `NDIS_SEND_FLAGS_DISPATCH_LEVEL`.
pub const NDIS_SEND_FLAGS_DISPATCH_LEVEL: ULONG = 0x0000_0001;
/// `NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK`.
pub const NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK: ULONG = 0x0000_0002;
/// `NDIS_SEND_FLAGS_SINGLE_QUEUE` (NDIS 6.20).
pub const NDIS_SEND_FLAGS_SINGLE_QUEUE: ULONG = 0x0000_0004;
/// `NDIS_SEND_FLAGS_SWITCH_DESTINATION_GROUP` (NDIS 6.30).
pub const NDIS_SEND_FLAGS_SWITCH_DESTINATION_GROUP: ULONG = 0x0000_0010;
/// `NDIS_SEND_FLAGS_SWITCH_SINGLE_SOURCE` (NDIS 6.30).
pub const NDIS_SEND_FLAGS_SWITCH_SINGLE_SOURCE: ULONG = 0x0000_0020;

// Send-complete flags (`nblsend.h`).

/// `NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL`.
pub const NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL: ULONG = 0x0000_0001;
/// `NDIS_SEND_COMPLETE_FLAGS_SINGLE_QUEUE` (NDIS 6.20).
pub const NDIS_SEND_COMPLETE_FLAGS_SINGLE_QUEUE: ULONG = 0x0000_0002;
/// `NDIS_SEND_COMPLETE_FLAGS_SWITCH_SINGLE_SOURCE` (NDIS 6.30).
pub const NDIS_SEND_COMPLETE_FLAGS_SWITCH_SINGLE_SOURCE: ULONG = 0x0000_0004;
