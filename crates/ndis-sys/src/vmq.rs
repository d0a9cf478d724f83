//! VMQ receive queues (allocate, free, allocation complete, queue state), plus the filter and capability submodules; see <https://learn.microsoft.com/windows-hardware/drivers/network/virtual-machine-queue-architecture>.

use crate::object::NDIS_OBJECT_HEADER;
use crate::types::{
    GROUP_AFFINITY, NDIS_QUEUE_NAME, NDIS_RECEIVE_FILTER_ID, NDIS_RECEIVE_QUEUE_GROUP_ID, NDIS_RECEIVE_QUEUE_ID,
    NDIS_STATUS, NDIS_VM_NAME, UCHAR, ULONG,
};

/// `NDIS_DEFAULT_RECEIVE_QUEUE_ID`: the default queue, always allocated.
pub const NDIS_DEFAULT_RECEIVE_QUEUE_ID: NDIS_RECEIVE_QUEUE_ID = 0;
/// `NDIS_DEFAULT_RECEIVE_QUEUE_GROUP_ID`.
pub const NDIS_DEFAULT_RECEIVE_QUEUE_GROUP_ID: NDIS_RECEIVE_QUEUE_GROUP_ID = 0;
/// `NDIS_DEFAULT_RECEIVE_FILTER_ID`.
pub const NDIS_DEFAULT_RECEIVE_FILTER_ID: NDIS_RECEIVE_FILTER_ID = 0;

/// `NDIS_RECEIVE_QUEUE_TYPE`.
pub type NDIS_RECEIVE_QUEUE_TYPE = i32;
/// `NdisReceiveQueueTypeUnspecified`.
pub const NdisReceiveQueueTypeUnspecified: NDIS_RECEIVE_QUEUE_TYPE = 0;
/// `NdisReceiveQueueTypeVMQueue`.
pub const NdisReceiveQueueTypeVMQueue: NDIS_RECEIVE_QUEUE_TYPE = 1;
/// `NdisReceiveQueueTypeMaximum`.
pub const NdisReceiveQueueTypeMaximum: NDIS_RECEIVE_QUEUE_TYPE = 2;

/// `NDIS_RECEIVE_QUEUE_PARAMETERS_PER_QUEUE_RECEIVE_INDICATION`.
pub const NDIS_RECEIVE_QUEUE_PARAMETERS_PER_QUEUE_RECEIVE_INDICATION: ULONG = 0x0000_0001;
/// `NDIS_RECEIVE_QUEUE_PARAMETERS_LOOKAHEAD_SPLIT_REQUIRED`.
pub const NDIS_RECEIVE_QUEUE_PARAMETERS_LOOKAHEAD_SPLIT_REQUIRED: ULONG = 0x0000_0002;
/// `NDIS_RECEIVE_QUEUE_PARAMETERS_FLAGS_CHANGED`.
pub const NDIS_RECEIVE_QUEUE_PARAMETERS_FLAGS_CHANGED: ULONG = 0x0001_0000;
/// `NDIS_RECEIVE_QUEUE_PARAMETERS_PROCESSOR_AFFINITY_CHANGED`.
pub const NDIS_RECEIVE_QUEUE_PARAMETERS_PROCESSOR_AFFINITY_CHANGED: ULONG = 0x0002_0000;
/// `NDIS_RECEIVE_QUEUE_PARAMETERS_SUGGESTED_RECV_BUFFER_NUMBERS_CHANGED`.
pub const NDIS_RECEIVE_QUEUE_PARAMETERS_SUGGESTED_RECV_BUFFER_NUMBERS_CHANGED: ULONG = 0x0004_0000;
/// `NDIS_RECEIVE_QUEUE_PARAMETERS_NAME_CHANGED`.
pub const NDIS_RECEIVE_QUEUE_PARAMETERS_NAME_CHANGED: ULONG = 0x0008_0000;
/// `NDIS_RECEIVE_QUEUE_PARAMETERS_INTERRUPT_COALESCING_DOMAIN_ID_CHANGED` (NDIS 6.30).
pub const NDIS_RECEIVE_QUEUE_PARAMETERS_INTERRUPT_COALESCING_DOMAIN_ID_CHANGED: ULONG = 0x0010_0000;
/// `NDIS_RECEIVE_QUEUE_PARAMETERS_QOS_SQ_ID_CHANGED` (NDIS 6.50).
pub const NDIS_RECEIVE_QUEUE_PARAMETERS_QOS_SQ_ID_CHANGED: ULONG = 0x0020_0000;
/// `NDIS_RECEIVE_QUEUE_PARAMETERS_CHANGE_MASK`.
pub const NDIS_RECEIVE_QUEUE_PARAMETERS_CHANGE_MASK: ULONG = 0xFFFF_0000;

/// `NDIS_RECEIVE_QUEUE_PARAMETERS_REVISION_1` (NDIS 6.20).
pub const NDIS_RECEIVE_QUEUE_PARAMETERS_REVISION_1: UCHAR = 1;
/// `NDIS_RECEIVE_QUEUE_PARAMETERS_REVISION_2` (NDIS 6.30).
pub const NDIS_RECEIVE_QUEUE_PARAMETERS_REVISION_2: UCHAR = 2;
/// `NDIS_RECEIVE_QUEUE_PARAMETERS_REVISION_3` (NDIS 6.50).
pub const NDIS_RECEIVE_QUEUE_PARAMETERS_REVISION_3: UCHAR = 3;

/// `NDIS_RECEIVE_QUEUE_PARAMETERS` (6.30 layout): `OID_RECEIVE_FILTER_ALLOCATE_QUEUE` and
/// `OID_RECEIVE_FILTER_QUEUE_PARAMETERS` payload.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct NDIS_RECEIVE_QUEUE_PARAMETERS {
    /// `NDIS_OBJECT_TYPE_DEFAULT`, `NDIS_RECEIVE_QUEUE_PARAMETERS_REVISION_n`.
    pub Header: NDIS_OBJECT_HEADER,
    /// `NDIS_RECEIVE_QUEUE_PARAMETERS_*` flags.
    pub Flags: ULONG,
    /// `NdisReceiveQueueTypeVMQueue`.
    pub QueueType: NDIS_RECEIVE_QUEUE_TYPE,
    /// Assigned by NDIS before the miniport sees the request.
    pub QueueId: NDIS_RECEIVE_QUEUE_ID,
    /// Reserved for NDIS.
    pub QueueGroupId: NDIS_RECEIVE_QUEUE_GROUP_ID,
    /// Processors the queue's interrupts/DPCs should run on.
    pub ProcessorAffinity: GROUP_AFFINITY,
    /// Receive buffers the queue should have.
    pub NumSuggestedReceiveBuffers: ULONG,
    /// MSI-X table entry of the queue (output).
    pub MSIXTableEntry: ULONG,
    /// Lookahead split size (0 from NDIS 6.30 on).
    pub LookaheadSize: ULONG,
    /// Name of the VM that owns the queue.
    pub VmName: NDIS_VM_NAME,
    /// Name of the queue.
    pub QueueName: NDIS_QUEUE_NAME,
    /// Switch port ID (NDIS 6.30).
    pub PortId: ULONG,
    /// Interrupt coalescing domain (output, NDIS 6.30).
    pub InterruptCoalescingDomainId: ULONG,
}
assert_layout!(
    NDIS_RECEIVE_QUEUE_PARAMETERS,
    size = 1096,
    Header = 0,
    Flags = 4,
    QueueType = 8,
    QueueId = 12,
    QueueGroupId = 16,
    ProcessorAffinity = 24,
    NumSuggestedReceiveBuffers = 40,
    MSIXTableEntry = 44,
    LookaheadSize = 48,
    VmName = 52,
    QueueName = 568,
    PortId = 1084,
    InterruptCoalescingDomainId = 1088,
);
/// `NDIS_SIZEOF_RECEIVE_QUEUE_PARAMETERS_REVISION_1` (through `QueueName`).
pub const NDIS_SIZEOF_RECEIVE_QUEUE_PARAMETERS_REVISION_1: u16 =
    size_through!(NDIS_RECEIVE_QUEUE_PARAMETERS, QueueName);
/// `NDIS_SIZEOF_RECEIVE_QUEUE_PARAMETERS_REVISION_2` (through `InterruptCoalescingDomainId`).
pub const NDIS_SIZEOF_RECEIVE_QUEUE_PARAMETERS_REVISION_2: u16 =
    size_through!(NDIS_RECEIVE_QUEUE_PARAMETERS, InterruptCoalescingDomainId);
/// `NDIS_SIZEOF_RECEIVE_QUEUE_PARAMETERS_REVISION_3` (through the 6.50 `QosSqId` at offset 1092).
pub const NDIS_SIZEOF_RECEIVE_QUEUE_PARAMETERS_REVISION_3: u16 =
    NDIS_SIZEOF_RECEIVE_QUEUE_PARAMETERS_REVISION_2 + core::mem::size_of::<ULONG>() as u16;
#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(NDIS_SIZEOF_RECEIVE_QUEUE_PARAMETERS_REVISION_1 == 1084);
    assert!(NDIS_SIZEOF_RECEIVE_QUEUE_PARAMETERS_REVISION_2 == 1092);
    assert!(NDIS_SIZEOF_RECEIVE_QUEUE_PARAMETERS_REVISION_3 == 1096);
};

/// `NDIS_RECEIVE_QUEUE_FREE_PARAMETERS_REVISION_1`.
pub const NDIS_RECEIVE_QUEUE_FREE_PARAMETERS_REVISION_1: UCHAR = 1;

/// `NDIS_RECEIVE_QUEUE_FREE_PARAMETERS`: `OID_RECEIVE_FILTER_FREE_QUEUE` payload.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct NDIS_RECEIVE_QUEUE_FREE_PARAMETERS {
    /// `NDIS_OBJECT_TYPE_DEFAULT`, revision 1.
    pub Header: NDIS_OBJECT_HEADER,
    /// Reserved.
    pub Flags: ULONG,
    /// Queue to free.
    pub QueueId: NDIS_RECEIVE_QUEUE_ID,
}
assert_layout!(NDIS_RECEIVE_QUEUE_FREE_PARAMETERS, size = 12, Header = 0, Flags = 4, QueueId = 8);
/// `NDIS_SIZEOF_RECEIVE_QUEUE_FREE_PARAMETERS_REVISION_1` (through `QueueId`).
pub const NDIS_SIZEOF_RECEIVE_QUEUE_FREE_PARAMETERS_REVISION_1: u16 =
    size_through!(NDIS_RECEIVE_QUEUE_FREE_PARAMETERS, QueueId);
const _: () = assert!(NDIS_SIZEOF_RECEIVE_QUEUE_FREE_PARAMETERS_REVISION_1 == 12);

/// `NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_PARAMETERS_REVISION_1`.
pub const NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_PARAMETERS_REVISION_1: UCHAR = 1;

/// `NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_PARAMETERS`: one element of the completion array.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_PARAMETERS {
    /// `NDIS_OBJECT_TYPE_DEFAULT`, revision 1.
    pub Header: NDIS_OBJECT_HEADER,
    /// Reserved.
    pub Flags: ULONG,
    /// Queue whose allocation completes.
    pub QueueId: NDIS_RECEIVE_QUEUE_ID,
    /// Written by the miniport.
    pub CompletionStatus: NDIS_STATUS,
}
assert_layout!(
    NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_PARAMETERS,
    size = 16,
    Header = 0,
    Flags = 4,
    QueueId = 8,
    CompletionStatus = 12,
);
/// `NDIS_SIZEOF_RECEIVE_QUEUE_ALLOCATION_COMPLETE_PARAMETERS_REVISION_1` (through `CompletionStatus`).
pub const NDIS_SIZEOF_RECEIVE_QUEUE_ALLOCATION_COMPLETE_PARAMETERS_REVISION_1: u16 =
    size_through!(NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_PARAMETERS, CompletionStatus);
const _: () = assert!(NDIS_SIZEOF_RECEIVE_QUEUE_ALLOCATION_COMPLETE_PARAMETERS_REVISION_1 == 16);

/// `NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY_REVISION_1`.
pub const NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY_REVISION_1: UCHAR = 1;

/// `NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY`: header of the
/// `OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE` payload; elements follow at
/// `FirstElementOffset` with stride `ElementSize`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY {
    /// `NDIS_OBJECT_TYPE_DEFAULT`, revision 1.
    pub Header: NDIS_OBJECT_HEADER,
    /// Reserved.
    pub Flags: ULONG,
    /// Offset of the first element from the start of this struct.
    pub FirstElementOffset: ULONG,
    /// Number of elements.
    pub NumElements: ULONG,
    /// Size of one element.
    pub ElementSize: ULONG,
}
assert_layout!(
    NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY,
    size = 20,
    Header = 0,
    Flags = 4,
    FirstElementOffset = 8,
    NumElements = 12,
    ElementSize = 16,
);
/// `NDIS_SIZEOF_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY_REVISION_1` (through `ElementSize`).
pub const NDIS_SIZEOF_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY_REVISION_1: u16 =
    size_through!(NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY, ElementSize);
const _: () = assert!(NDIS_SIZEOF_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY_REVISION_1 == 20);

/// `NDIS_RECEIVE_QUEUE_OPERATIONAL_STATE`.
pub type NDIS_RECEIVE_QUEUE_OPERATIONAL_STATE = i32;
/// `NdisReceiveQueueOperationalStateUndefined`.
pub const NdisReceiveQueueOperationalStateUndefined: NDIS_RECEIVE_QUEUE_OPERATIONAL_STATE = 0;
/// `NdisReceiveQueueOperationalStateRunning`.
pub const NdisReceiveQueueOperationalStateRunning: NDIS_RECEIVE_QUEUE_OPERATIONAL_STATE = 1;
/// `NdisReceiveQueueOperationalStatePaused`.
pub const NdisReceiveQueueOperationalStatePaused: NDIS_RECEIVE_QUEUE_OPERATIONAL_STATE = 2;
/// `NdisReceiveQueueOperationalStateDmaStopped`.
pub const NdisReceiveQueueOperationalStateDmaStopped: NDIS_RECEIVE_QUEUE_OPERATIONAL_STATE = 3;
/// `NdisReceiveQueueOperationalStateMaximum`.
pub const NdisReceiveQueueOperationalStateMaximum: NDIS_RECEIVE_QUEUE_OPERATIONAL_STATE = 4;

/// `NDIS_RECEIVE_QUEUE_STATE_REVISION_1`.
pub const NDIS_RECEIVE_QUEUE_STATE_REVISION_1: UCHAR = 1;

/// `NDIS_RECEIVE_QUEUE_STATE` (`ndis.h`): payload of `NDIS_STATUS_RECEIVE_QUEUE_STATE`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct NDIS_RECEIVE_QUEUE_STATE {
    /// `NDIS_OBJECT_TYPE_DEFAULT`, revision 1.
    pub Header: NDIS_OBJECT_HEADER,
    /// Reserved.
    pub Flags: ULONG,
    /// The queue.
    pub QueueId: NDIS_RECEIVE_QUEUE_ID,
    /// `NdisReceiveQueueOperationalState*`.
    pub QueueState: NDIS_RECEIVE_QUEUE_OPERATIONAL_STATE,
}
assert_layout!(NDIS_RECEIVE_QUEUE_STATE, size = 16, Header = 0, Flags = 4, QueueId = 8, QueueState = 12);
/// `NDIS_SIZEOF_NDIS_RECEIVE_QUEUE_STATE_REVISION_1` (WDK spelling; through `QueueState`).
pub const NDIS_SIZEOF_NDIS_RECEIVE_QUEUE_STATE_REVISION_1: u16 = size_through!(NDIS_RECEIVE_QUEUE_STATE, QueueState);
const _: () = assert!(NDIS_SIZEOF_NDIS_RECEIVE_QUEUE_STATE_REVISION_1 == 16);

zeroed_default!(NDIS_RECEIVE_QUEUE_PARAMETERS);

mod capabilities;
mod filter;
pub use capabilities::*;
pub use filter::*;
