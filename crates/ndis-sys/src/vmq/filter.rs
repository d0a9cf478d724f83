//! VMQ receive filters: `OID_RECEIVE_FILTER_SET_FILTER` / `CLEAR_FILTER` payloads and the filter enums; see <https://learn.microsoft.com/windows-hardware/drivers/network/setting-a-vmq-filter>.

use crate::object::NDIS_OBJECT_HEADER;
use crate::types::{
    NDIS_NIC_SWITCH_VPORT_ID, NDIS_RECEIVE_FILTER_ID, NDIS_RECEIVE_QUEUE_ID, UCHAR, ULONG, ULONG64, USHORT,
};

/// `NDIS_RECEIVE_FILTER_TYPE`.
pub type NDIS_RECEIVE_FILTER_TYPE = i32;
/// `NdisReceiveFilterTypeUndefined`.
pub const NdisReceiveFilterTypeUndefined: NDIS_RECEIVE_FILTER_TYPE = 0;
/// `NdisReceiveFilterTypeVMQueue`.
pub const NdisReceiveFilterTypeVMQueue: NDIS_RECEIVE_FILTER_TYPE = 1;
/// `NdisReceiveFilterTypePacketCoalescing` (NDIS 6.30).
pub const NdisReceiveFilterTypePacketCoalescing: NDIS_RECEIVE_FILTER_TYPE = 2;
/// `NdisReceiveFilterTypeMaximum`.
pub const NdisReceiveFilterTypeMaximum: NDIS_RECEIVE_FILTER_TYPE = 3;

/// `NDIS_FRAME_HEADER`.
pub type NDIS_FRAME_HEADER = i32;
/// `NdisFrameHeaderUndefined`.
pub const NdisFrameHeaderUndefined: NDIS_FRAME_HEADER = 0;
/// `NdisFrameHeaderMac`.
pub const NdisFrameHeaderMac: NDIS_FRAME_HEADER = 1;
/// `NdisFrameHeaderArp`.
pub const NdisFrameHeaderArp: NDIS_FRAME_HEADER = 2;
/// `NdisFrameHeaderIPv4`.
pub const NdisFrameHeaderIPv4: NDIS_FRAME_HEADER = 3;
/// `NdisFrameHeaderIPv6`.
pub const NdisFrameHeaderIPv6: NDIS_FRAME_HEADER = 4;
/// `NdisFrameHeaderUdp`.
pub const NdisFrameHeaderUdp: NDIS_FRAME_HEADER = 5;
/// `NdisFrameHeaderMaximum`.
pub const NdisFrameHeaderMaximum: NDIS_FRAME_HEADER = 6;

/// `NDIS_MAC_HEADER_FIELD`.
pub type NDIS_MAC_HEADER_FIELD = i32;
/// `NdisMacHeaderFieldUndefined`.
pub const NdisMacHeaderFieldUndefined: NDIS_MAC_HEADER_FIELD = 0;
/// `NdisMacHeaderFieldDestinationAddress`.
pub const NdisMacHeaderFieldDestinationAddress: NDIS_MAC_HEADER_FIELD = 1;
/// `NdisMacHeaderFieldSourceAddress`.
pub const NdisMacHeaderFieldSourceAddress: NDIS_MAC_HEADER_FIELD = 2;
/// `NdisMacHeaderFieldProtocol`.
pub const NdisMacHeaderFieldProtocol: NDIS_MAC_HEADER_FIELD = 3;
/// `NdisMacHeaderFieldVlanId`.
pub const NdisMacHeaderFieldVlanId: NDIS_MAC_HEADER_FIELD = 4;
/// `NdisMacHeaderFieldPriority`.
pub const NdisMacHeaderFieldPriority: NDIS_MAC_HEADER_FIELD = 5;
/// `NdisMacHeaderFieldPacketType`.
pub const NdisMacHeaderFieldPacketType: NDIS_MAC_HEADER_FIELD = 6;
/// `NdisMacHeaderFieldMaximum`.
pub const NdisMacHeaderFieldMaximum: NDIS_MAC_HEADER_FIELD = 7;

/// `NDIS_ARP_HEADER_FIELD`.
pub type NDIS_ARP_HEADER_FIELD = i32;
/// `NDIS_IPV4_HEADER_FIELD`.
pub type NDIS_IPV4_HEADER_FIELD = i32;
/// `NDIS_IPV6_HEADER_FIELD`.
pub type NDIS_IPV6_HEADER_FIELD = i32;
/// `NDIS_UDP_HEADER_FIELD`.
pub type NDIS_UDP_HEADER_FIELD = i32;

/// `NDIS_RECEIVE_FILTER_TEST`.
pub type NDIS_RECEIVE_FILTER_TEST = i32;
/// `NdisReceiveFilterTestUndefined`.
pub const NdisReceiveFilterTestUndefined: NDIS_RECEIVE_FILTER_TEST = 0;
/// `NdisReceiveFilterTestEqual`.
pub const NdisReceiveFilterTestEqual: NDIS_RECEIVE_FILTER_TEST = 1;
/// `NdisReceiveFilterTestMaskEqual`.
pub const NdisReceiveFilterTestMaskEqual: NDIS_RECEIVE_FILTER_TEST = 2;
/// `NdisReceiveFilterTestNotEqual`.
pub const NdisReceiveFilterTestNotEqual: NDIS_RECEIVE_FILTER_TEST = 3;
/// `NdisReceiveFilterTestMaximum`.
pub const NdisReceiveFilterTestMaximum: NDIS_RECEIVE_FILTER_TEST = 4;

/// `NDIS_RECEIVE_FILTER_FIELD_MAC_HEADER_VLAN_UNTAGGED_OR_ZERO`: match untagged or VID 0 only.
pub const NDIS_RECEIVE_FILTER_FIELD_MAC_HEADER_VLAN_UNTAGGED_OR_ZERO: ULONG = 0x0000_0001;
/// `NDIS_RECEIVE_FILTER_RESERVED`.
pub const NDIS_RECEIVE_FILTER_RESERVED: ULONG = 0x0000_00FE;

/// `NDIS_RECEIVE_FILTER_FIELD_PARAMETERS::HeaderField` (anonymous union).
#[repr(C)]
#[derive(Clone, Copy)]
pub union NDIS_RECEIVE_FILTER_FIELD_PARAMETERS_HEADER_FIELD {
    /// For `NdisFrameHeaderMac`.
    pub MacHeaderField: NDIS_MAC_HEADER_FIELD,
    /// For `NdisFrameHeaderArp`.
    pub ArpHeaderField: NDIS_ARP_HEADER_FIELD,
    /// For `NdisFrameHeaderIPv4`.
    pub IPv4HeaderField: NDIS_IPV4_HEADER_FIELD,
    /// For `NdisFrameHeaderIPv6`.
    pub IPv6HeaderField: NDIS_IPV6_HEADER_FIELD,
    /// For `NdisFrameHeaderUdp`.
    pub UdpHeaderField: NDIS_UDP_HEADER_FIELD,
}
assert_layout!(NDIS_RECEIVE_FILTER_FIELD_PARAMETERS_HEADER_FIELD, size = 4);

/// `NDIS_RECEIVE_FILTER_FIELD_PARAMETERS::FieldValue` / `ResultValue` (anonymous unions with
/// the same shape; multi-byte values are big-endian).
#[repr(C)]
#[derive(Clone, Copy)]
pub union NDIS_RECEIVE_FILTER_FIELD_VALUE {
    /// One byte.
    pub FieldByteValue: UCHAR,
    /// Two bytes (e.g. VLAN ID).
    pub FieldShortValue: USHORT,
    /// Four bytes.
    pub FieldLongValue: ULONG,
    /// Eight bytes.
    pub FieldLong64Value: ULONG64,
    /// Up to 16 bytes (MAC address in `[0..6]`).
    pub FieldByteArrayValue: [UCHAR; 16],
}
assert_layout!(NDIS_RECEIVE_FILTER_FIELD_VALUE, size = 16);

/// `NDIS_RECEIVE_FILTER_FIELD_PARAMETERS_REVISION_1`.
pub const NDIS_RECEIVE_FILTER_FIELD_PARAMETERS_REVISION_1: UCHAR = 1;
/// `NDIS_RECEIVE_FILTER_FIELD_PARAMETERS_REVISION_2` (NDIS 6.30).
pub const NDIS_RECEIVE_FILTER_FIELD_PARAMETERS_REVISION_2: UCHAR = 2;

/// `NDIS_RECEIVE_FILTER_FIELD_PARAMETERS`: one field test of a receive filter.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct NDIS_RECEIVE_FILTER_FIELD_PARAMETERS {
    /// `NDIS_OBJECT_TYPE_DEFAULT`, revision 1 or 2.
    pub Header: NDIS_OBJECT_HEADER,
    /// `NDIS_RECEIVE_FILTER_FIELD_MAC_HEADER_VLAN_UNTAGGED_OR_ZERO`.
    pub Flags: ULONG,
    /// `NdisFrameHeader*`.
    pub FrameHeader: NDIS_FRAME_HEADER,
    /// `NdisReceiveFilterTest*`.
    pub ReceiveFilterTest: NDIS_RECEIVE_FILTER_TEST,
    /// Which header field is tested.
    pub HeaderField: NDIS_RECEIVE_FILTER_FIELD_PARAMETERS_HEADER_FIELD,
    /// Value to compare with.
    pub FieldValue: NDIS_RECEIVE_FILTER_FIELD_VALUE,
    /// Mask for `NdisReceiveFilterTestMaskEqual`.
    pub ResultValue: NDIS_RECEIVE_FILTER_FIELD_VALUE,
}
assert_layout!(
    NDIS_RECEIVE_FILTER_FIELD_PARAMETERS,
    size = 56,
    Header = 0,
    Flags = 4,
    FrameHeader = 8,
    ReceiveFilterTest = 12,
    HeaderField = 16,
    FieldValue = 24,
    ResultValue = 40,
);
/// `NDIS_SIZEOF_RECEIVE_FILTER_FIELD_PARAMETERS_REVISION_1` (through `ResultValue`).
pub const NDIS_SIZEOF_RECEIVE_FILTER_FIELD_PARAMETERS_REVISION_1: u16 =
    size_through!(NDIS_RECEIVE_FILTER_FIELD_PARAMETERS, ResultValue);
/// `NDIS_SIZEOF_RECEIVE_FILTER_FIELD_PARAMETERS_REVISION_2` (through `ResultValue`).
pub const NDIS_SIZEOF_RECEIVE_FILTER_FIELD_PARAMETERS_REVISION_2: u16 =
    size_through!(NDIS_RECEIVE_FILTER_FIELD_PARAMETERS, ResultValue);
const _: () = {
    assert!(NDIS_SIZEOF_RECEIVE_FILTER_FIELD_PARAMETERS_REVISION_1 == 56);
    assert!(NDIS_SIZEOF_RECEIVE_FILTER_FIELD_PARAMETERS_REVISION_2 == 56);
};

/// `NDIS_RECEIVE_FILTER_FLAGS_RESERVED`.
pub const NDIS_RECEIVE_FILTER_FLAGS_RESERVED: ULONG = 0x0000_0001;
/// `NDIS_RECEIVE_FILTER_PACKET_ENCAPSULATION_GRE`.
pub const NDIS_RECEIVE_FILTER_PACKET_ENCAPSULATION_GRE: ULONG = 0x0000_0002;

/// `NDIS_RECEIVE_FILTER_PARAMETERS_REVISION_1` (NDIS 6.20).
pub const NDIS_RECEIVE_FILTER_PARAMETERS_REVISION_1: UCHAR = 1;
/// `NDIS_RECEIVE_FILTER_PARAMETERS_REVISION_2` (NDIS 6.30).
pub const NDIS_RECEIVE_FILTER_PARAMETERS_REVISION_2: UCHAR = 2;

/// `NDIS_RECEIVE_FILTER_PARAMETERS`: header of the `OID_RECEIVE_FILTER_SET_FILTER` payload;
/// the field tests follow at `FieldParametersArrayOffset`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct NDIS_RECEIVE_FILTER_PARAMETERS {
    /// `NDIS_OBJECT_TYPE_DEFAULT`, revision 1 or 2.
    pub Header: NDIS_OBJECT_HEADER,
    /// `NDIS_RECEIVE_FILTER_*` flags.
    pub Flags: ULONG,
    /// `NdisReceiveFilterType*`.
    pub FilterType: NDIS_RECEIVE_FILTER_TYPE,
    /// Queue the filter directs to.
    pub QueueId: NDIS_RECEIVE_QUEUE_ID,
    /// Assigned by NDIS (1..N; 0 is invalid).
    pub FilterId: NDIS_RECEIVE_FILTER_ID,
    /// Offset of the first field test from the start of this struct.
    pub FieldParametersArrayOffset: ULONG,
    /// Number of field tests.
    pub FieldParametersArrayNumElements: ULONG,
    /// Size of one field test.
    pub FieldParametersArrayElementSize: ULONG,
    /// Must be zero from NDIS 6.20 on.
    pub RequestedFilterIdBitCount: ULONG,
    /// Packet coalescing only (NDIS 6.30).
    pub MaxCoalescingDelay: ULONG,
    /// SR-IOV only (NDIS 6.30).
    pub VPortId: NDIS_NIC_SWITCH_VPORT_ID,
}
assert_layout!(
    NDIS_RECEIVE_FILTER_PARAMETERS,
    size = 44,
    Header = 0,
    Flags = 4,
    FilterType = 8,
    QueueId = 12,
    FilterId = 16,
    FieldParametersArrayOffset = 20,
    FieldParametersArrayNumElements = 24,
    FieldParametersArrayElementSize = 28,
    RequestedFilterIdBitCount = 32,
    MaxCoalescingDelay = 36,
    VPortId = 40,
);
/// `NDIS_SIZEOF_RECEIVE_FILTER_PARAMETERS_REVISION_1` (through `RequestedFilterIdBitCount`).
pub const NDIS_SIZEOF_RECEIVE_FILTER_PARAMETERS_REVISION_1: u16 =
    size_through!(NDIS_RECEIVE_FILTER_PARAMETERS, RequestedFilterIdBitCount);
/// `NDIS_SIZEOF_RECEIVE_FILTER_PARAMETERS_REVISION_2` (through `VPortId`).
pub const NDIS_SIZEOF_RECEIVE_FILTER_PARAMETERS_REVISION_2: u16 =
    size_through!(NDIS_RECEIVE_FILTER_PARAMETERS, VPortId);
const _: () = {
    assert!(NDIS_SIZEOF_RECEIVE_FILTER_PARAMETERS_REVISION_1 == 36);
    assert!(NDIS_SIZEOF_RECEIVE_FILTER_PARAMETERS_REVISION_2 == 44);
};

/// `NDIS_RECEIVE_FILTER_CLEAR_PARAMETERS_REVISION_1`.
pub const NDIS_RECEIVE_FILTER_CLEAR_PARAMETERS_REVISION_1: UCHAR = 1;

/// `NDIS_RECEIVE_FILTER_CLEAR_PARAMETERS`: `OID_RECEIVE_FILTER_CLEAR_FILTER` payload.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct NDIS_RECEIVE_FILTER_CLEAR_PARAMETERS {
    /// `NDIS_OBJECT_TYPE_DEFAULT`, revision 1.
    pub Header: NDIS_OBJECT_HEADER,
    /// Reserved.
    pub Flags: ULONG,
    /// Queue the filter is on.
    pub QueueId: NDIS_RECEIVE_QUEUE_ID,
    /// Filter to clear.
    pub FilterId: NDIS_RECEIVE_FILTER_ID,
}
assert_layout!(NDIS_RECEIVE_FILTER_CLEAR_PARAMETERS, size = 16, Header = 0, Flags = 4, QueueId = 8, FilterId = 12,);
/// `NDIS_SIZEOF_RECEIVE_FILTER_CLEAR_PARAMETERS_REVISION_1` (through `FilterId`).
pub const NDIS_SIZEOF_RECEIVE_FILTER_CLEAR_PARAMETERS_REVISION_1: u16 =
    size_through!(NDIS_RECEIVE_FILTER_CLEAR_PARAMETERS, FilterId);
const _: () = assert!(NDIS_SIZEOF_RECEIVE_FILTER_CLEAR_PARAMETERS_REVISION_1 == 16);

zeroed_default!(
    NDIS_RECEIVE_FILTER_FIELD_PARAMETERS_HEADER_FIELD,
    NDIS_RECEIVE_FILTER_FIELD_VALUE,
    NDIS_RECEIVE_FILTER_FIELD_PARAMETERS,
);
