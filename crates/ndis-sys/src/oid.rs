//! OID values, `NDIS_REQUEST_TYPE` and `NDIS_OID_REQUEST` (6.30 layout); see <https://learn.microsoft.com/windows-hardware/drivers/ddi/oidrequest/ns-oidrequest-ndis_oid_request>.

use crate::object::NDIS_OBJECT_HEADER;
use crate::types::{NDIS_HANDLE, NDIS_OID, NDIS_PORT_NUMBER, PVOID, UCHAR, UINT, ULONG, USHORT};

/// `NDIS_REQUEST_TYPE` (`ndis/oidtypes.h`).
pub type NDIS_REQUEST_TYPE = i32;
/// `NdisRequestQueryInformation`.
pub const NdisRequestQueryInformation: NDIS_REQUEST_TYPE = 0;
/// `NdisRequestSetInformation`.
pub const NdisRequestSetInformation: NDIS_REQUEST_TYPE = 1;
/// `NdisRequestQueryStatistics`.
pub const NdisRequestQueryStatistics: NDIS_REQUEST_TYPE = 2;
/// `NdisRequestMethod` (NDIS 6).
pub const NdisRequestMethod: NDIS_REQUEST_TYPE = 12;

/// `NDIS_OID_REQUEST_TIMEOUT_INFINITE`.
pub const NDIS_OID_REQUEST_TIMEOUT_INFINITE: UINT = 0;
/// `NDIS_OID_REQUEST_NDIS_RESERVED_SIZE` (in pointers).
pub const NDIS_OID_REQUEST_NDIS_RESERVED_SIZE: usize = 16;
/// `NDIS_OID_REQUEST_REVISION_1`.
pub const NDIS_OID_REQUEST_REVISION_1: UCHAR = 1;

/// `NDIS_OID_REQUEST::DATA.QUERY_INFORMATION` (`struct _QUERY`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct NDIS_OID_REQUEST_QUERY {
    /// The OID.
    pub Oid: NDIS_OID,
    /// Buffer the miniport writes the answer to.
    pub InformationBuffer: PVOID,
    /// Size of `InformationBuffer` in bytes.
    pub InformationBufferLength: UINT,
    /// Bytes written by the miniport.
    pub BytesWritten: UINT,
    /// Bytes needed when the buffer is too short.
    pub BytesNeeded: UINT,
}
assert_layout!(
    NDIS_OID_REQUEST_QUERY,
    size = 32,
    Oid = 0,
    InformationBuffer = 8,
    InformationBufferLength = 16,
    BytesWritten = 20,
    BytesNeeded = 24,
);

/// `NDIS_OID_REQUEST::DATA.SET_INFORMATION` (`struct _SET`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct NDIS_OID_REQUEST_SET {
    /// The OID.
    pub Oid: NDIS_OID,
    /// Buffer holding the value to set.
    pub InformationBuffer: PVOID,
    /// Size of `InformationBuffer` in bytes.
    pub InformationBufferLength: UINT,
    /// Bytes consumed by the miniport.
    pub BytesRead: UINT,
    /// Bytes needed when the buffer is too short.
    pub BytesNeeded: UINT,
}
assert_layout!(
    NDIS_OID_REQUEST_SET,
    size = 32,
    Oid = 0,
    InformationBuffer = 8,
    InformationBufferLength = 16,
    BytesRead = 20,
    BytesNeeded = 24,
);

/// `NDIS_OID_REQUEST::DATA.METHOD_INFORMATION` (`struct _METHOD`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct NDIS_OID_REQUEST_METHOD {
    /// The OID.
    pub Oid: NDIS_OID,
    /// Input on entry, output on completion.
    pub InformationBuffer: PVOID,
    /// Valid input bytes in `InformationBuffer`.
    pub InputBufferLength: ULONG,
    /// Size of `InformationBuffer` available for output.
    pub OutputBufferLength: ULONG,
    /// Method identifier (OID specific).
    pub MethodId: ULONG,
    /// Output bytes written by the miniport.
    pub BytesWritten: UINT,
    /// Input bytes consumed by the miniport.
    pub BytesRead: UINT,
    /// Bytes needed when the buffer is too short.
    pub BytesNeeded: UINT,
}
assert_layout!(
    NDIS_OID_REQUEST_METHOD,
    size = 40,
    Oid = 0,
    InformationBuffer = 8,
    InputBufferLength = 16,
    OutputBufferLength = 20,
    MethodId = 24,
    BytesWritten = 28,
    BytesRead = 32,
    BytesNeeded = 36,
);

/// `NDIS_OID_REQUEST::DATA` (`union _REQUEST_DATA`).
#[repr(C)]
#[derive(Clone, Copy)]
pub union NDIS_OID_REQUEST_DATA {
    /// The OID, common first member of every variant.
    pub Oid: NDIS_OID,
    /// Valid for `NdisRequestQueryInformation` / `NdisRequestQueryStatistics`.
    pub QUERY_INFORMATION: NDIS_OID_REQUEST_QUERY,
    /// Valid for `NdisRequestSetInformation`.
    pub SET_INFORMATION: NDIS_OID_REQUEST_SET,
    /// Valid for `NdisRequestMethod`.
    pub METHOD_INFORMATION: NDIS_OID_REQUEST_METHOD,
}
assert_layout!(NDIS_OID_REQUEST_DATA, size = 40);

/// `NDIS_OID_REQUEST` as built for NDIS 6.30 (no 6.50 `SwitchId`/`VPortId`/`Flags` tail).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct NDIS_OID_REQUEST {
    /// `NDIS_OBJECT_TYPE_OID_REQUEST`, revision 1, `NDIS_SIZEOF_OID_REQUEST_REVISION_1`.
    pub Header: NDIS_OBJECT_HEADER,
    /// `NdisRequest*`.
    pub RequestType: NDIS_REQUEST_TYPE,
    /// Port the request targets (0 = default port).
    pub PortNumber: NDIS_PORT_NUMBER,
    /// Timeout in seconds, or `NDIS_OID_REQUEST_TIMEOUT_INFINITE`.
    pub Timeout: UINT,
    /// Identifier used by cancellation.
    pub RequestId: PVOID,
    /// Handle of the requester (NDIS use).
    pub RequestHandle: NDIS_HANDLE,
    /// Request type specific data.
    pub DATA: NDIS_OID_REQUEST_DATA,
    /// Reserved for NDIS.
    pub NdisReserved: [UCHAR; NDIS_OID_REQUEST_NDIS_RESERVED_SIZE * core::mem::size_of::<PVOID>()],
    /// Free for the miniport while it owns the request.
    pub MiniportReserved: [UCHAR; 2 * core::mem::size_of::<PVOID>()],
    /// Reserved for the request's source.
    pub SourceReserved: [UCHAR; 2 * core::mem::size_of::<PVOID>()],
    /// Highest revision of the OID's payload the requester supports.
    pub SupportedRevision: UCHAR,
    /// Reserved.
    pub Reserved1: UCHAR,
    /// Reserved.
    pub Reserved2: USHORT,
}
assert_layout!(
    NDIS_OID_REQUEST,
    size = 240,
    Header = 0,
    RequestType = 4,
    PortNumber = 8,
    Timeout = 12,
    RequestId = 16,
    RequestHandle = 24,
    DATA = 32,
    NdisReserved = 72,
    MiniportReserved = 200,
    SourceReserved = 216,
    SupportedRevision = 232,
    Reserved1 = 233,
    Reserved2 = 234,
);
// Absolute offsets of the request data (digest §1.10).
#[cfg(target_pointer_width = "64")]
const _: () = {
    use core::mem::offset_of;
    assert!(offset_of!(NDIS_OID_REQUEST, DATA.QUERY_INFORMATION.Oid) == 32);
    assert!(offset_of!(NDIS_OID_REQUEST, DATA.QUERY_INFORMATION.InformationBuffer) == 40);
    assert!(offset_of!(NDIS_OID_REQUEST, DATA.QUERY_INFORMATION.InformationBufferLength) == 48);
    assert!(offset_of!(NDIS_OID_REQUEST, DATA.QUERY_INFORMATION.BytesWritten) == 52);
    assert!(offset_of!(NDIS_OID_REQUEST, DATA.QUERY_INFORMATION.BytesNeeded) == 56);
    assert!(offset_of!(NDIS_OID_REQUEST, DATA.SET_INFORMATION.BytesRead) == 52);
    assert!(offset_of!(NDIS_OID_REQUEST, DATA.SET_INFORMATION.BytesNeeded) == 56);
    assert!(offset_of!(NDIS_OID_REQUEST, DATA.METHOD_INFORMATION.InformationBuffer) == 40);
    assert!(offset_of!(NDIS_OID_REQUEST, DATA.METHOD_INFORMATION.InputBufferLength) == 48);
    assert!(offset_of!(NDIS_OID_REQUEST, DATA.METHOD_INFORMATION.OutputBufferLength) == 52);
    assert!(offset_of!(NDIS_OID_REQUEST, DATA.METHOD_INFORMATION.MethodId) == 56);
    assert!(offset_of!(NDIS_OID_REQUEST, DATA.METHOD_INFORMATION.BytesWritten) == 60);
    assert!(offset_of!(NDIS_OID_REQUEST, DATA.METHOD_INFORMATION.BytesRead) == 64);
    assert!(offset_of!(NDIS_OID_REQUEST, DATA.METHOD_INFORMATION.BytesNeeded) == 68);
};
/// `NDIS_SIZEOF_OID_REQUEST_REVISION_1` (through `Reserved2`).
pub const NDIS_SIZEOF_OID_REQUEST_REVISION_1: u16 = size_through!(NDIS_OID_REQUEST, Reserved2);
#[cfg(target_pointer_width = "64")]
const _: () = assert!(NDIS_SIZEOF_OID_REQUEST_REVISION_1 == 236);

zeroed_default!(
    NDIS_OID_REQUEST_QUERY,
    NDIS_OID_REQUEST_SET,
    NDIS_OID_REQUEST_METHOD,
    NDIS_OID_REQUEST_DATA,
    NDIS_OID_REQUEST,
);

// General OIDs (`ntddndis.h`).

/// `OID_GEN_SUPPORTED_LIST`.
pub const OID_GEN_SUPPORTED_LIST: NDIS_OID = 0x0001_0101;
/// `OID_GEN_HARDWARE_STATUS`.
pub const OID_GEN_HARDWARE_STATUS: NDIS_OID = 0x0001_0102;
/// `OID_GEN_MEDIA_SUPPORTED`.
pub const OID_GEN_MEDIA_SUPPORTED: NDIS_OID = 0x0001_0103;
/// `OID_GEN_MEDIA_IN_USE`.
pub const OID_GEN_MEDIA_IN_USE: NDIS_OID = 0x0001_0104;
/// `OID_GEN_MAXIMUM_LOOKAHEAD`.
pub const OID_GEN_MAXIMUM_LOOKAHEAD: NDIS_OID = 0x0001_0105;
/// `OID_GEN_MAXIMUM_FRAME_SIZE`.
pub const OID_GEN_MAXIMUM_FRAME_SIZE: NDIS_OID = 0x0001_0106;
/// `OID_GEN_LINK_SPEED`.
pub const OID_GEN_LINK_SPEED: NDIS_OID = 0x0001_0107;
/// `OID_GEN_TRANSMIT_BUFFER_SPACE`.
pub const OID_GEN_TRANSMIT_BUFFER_SPACE: NDIS_OID = 0x0001_0108;
/// `OID_GEN_RECEIVE_BUFFER_SPACE`.
pub const OID_GEN_RECEIVE_BUFFER_SPACE: NDIS_OID = 0x0001_0109;
/// `OID_GEN_TRANSMIT_BLOCK_SIZE`.
pub const OID_GEN_TRANSMIT_BLOCK_SIZE: NDIS_OID = 0x0001_010A;
/// `OID_GEN_RECEIVE_BLOCK_SIZE`.
pub const OID_GEN_RECEIVE_BLOCK_SIZE: NDIS_OID = 0x0001_010B;
/// `OID_GEN_VENDOR_ID`.
pub const OID_GEN_VENDOR_ID: NDIS_OID = 0x0001_010C;
/// `OID_GEN_VENDOR_DESCRIPTION`.
pub const OID_GEN_VENDOR_DESCRIPTION: NDIS_OID = 0x0001_010D;
/// `OID_GEN_CURRENT_PACKET_FILTER`.
pub const OID_GEN_CURRENT_PACKET_FILTER: NDIS_OID = 0x0001_010E;
/// `OID_GEN_CURRENT_LOOKAHEAD`.
pub const OID_GEN_CURRENT_LOOKAHEAD: NDIS_OID = 0x0001_010F;
/// `OID_GEN_DRIVER_VERSION`.
pub const OID_GEN_DRIVER_VERSION: NDIS_OID = 0x0001_0110;
/// `OID_GEN_MAXIMUM_TOTAL_SIZE`.
pub const OID_GEN_MAXIMUM_TOTAL_SIZE: NDIS_OID = 0x0001_0111;
/// `OID_GEN_MAC_OPTIONS`.
pub const OID_GEN_MAC_OPTIONS: NDIS_OID = 0x0001_0113;
/// `OID_GEN_MEDIA_CONNECT_STATUS`.
pub const OID_GEN_MEDIA_CONNECT_STATUS: NDIS_OID = 0x0001_0114;
/// `OID_GEN_MAXIMUM_SEND_PACKETS`.
pub const OID_GEN_MAXIMUM_SEND_PACKETS: NDIS_OID = 0x0001_0115;
/// `OID_GEN_VENDOR_DRIVER_VERSION`.
pub const OID_GEN_VENDOR_DRIVER_VERSION: NDIS_OID = 0x0001_0116;
/// `OID_GEN_LINK_PARAMETERS`.
pub const OID_GEN_LINK_PARAMETERS: NDIS_OID = 0x0001_0208;
/// `OID_GEN_INTERRUPT_MODERATION`.
pub const OID_GEN_INTERRUPT_MODERATION: NDIS_OID = 0x0001_0209;
/// `OID_GEN_VLAN_ID`.
pub const OID_GEN_VLAN_ID: NDIS_OID = 0x0001_021C;
/// `OID_GEN_XMIT_OK`.
pub const OID_GEN_XMIT_OK: NDIS_OID = 0x0002_0101;
/// `OID_GEN_RCV_OK`.
pub const OID_GEN_RCV_OK: NDIS_OID = 0x0002_0102;
/// `OID_GEN_XMIT_ERROR`.
pub const OID_GEN_XMIT_ERROR: NDIS_OID = 0x0002_0103;
/// `OID_GEN_RCV_ERROR`.
pub const OID_GEN_RCV_ERROR: NDIS_OID = 0x0002_0104;
/// `OID_GEN_RCV_NO_BUFFER`.
pub const OID_GEN_RCV_NO_BUFFER: NDIS_OID = 0x0002_0105;
/// `OID_GEN_STATISTICS`.
pub const OID_GEN_STATISTICS: NDIS_OID = 0x0002_0106;
/// `OID_802_3_PERMANENT_ADDRESS`.
pub const OID_802_3_PERMANENT_ADDRESS: NDIS_OID = 0x0101_0101;
/// `OID_802_3_CURRENT_ADDRESS`.
pub const OID_802_3_CURRENT_ADDRESS: NDIS_OID = 0x0101_0102;
/// `OID_802_3_MULTICAST_LIST`.
pub const OID_802_3_MULTICAST_LIST: NDIS_OID = 0x0101_0103;
/// `OID_802_3_MAXIMUM_LIST_SIZE`.
pub const OID_802_3_MAXIMUM_LIST_SIZE: NDIS_OID = 0x0101_0104;
/// `OID_PNP_SET_POWER`.
pub const OID_PNP_SET_POWER: NDIS_OID = 0xFD01_0101;
/// `OID_PNP_QUERY_POWER`.
pub const OID_PNP_QUERY_POWER: NDIS_OID = 0xFD01_0102;

// Receive filter / VMQ OIDs (`ntddndis.h`, NDIS 6.20+).

/// `OID_RECEIVE_FILTER_HARDWARE_CAPABILITIES` (query; NDIS answers).
pub const OID_RECEIVE_FILTER_HARDWARE_CAPABILITIES: NDIS_OID = 0x0001_0221;
/// `OID_RECEIVE_FILTER_GLOBAL_PARAMETERS` (query; NDIS answers).
pub const OID_RECEIVE_FILTER_GLOBAL_PARAMETERS: NDIS_OID = 0x0001_0222;
/// `OID_RECEIVE_FILTER_ALLOCATE_QUEUE` (method; miniport).
pub const OID_RECEIVE_FILTER_ALLOCATE_QUEUE: NDIS_OID = 0x0001_0223;
/// `OID_RECEIVE_FILTER_FREE_QUEUE` (set; miniport).
pub const OID_RECEIVE_FILTER_FREE_QUEUE: NDIS_OID = 0x0001_0224;
/// `OID_RECEIVE_FILTER_ENUM_QUEUES` (query; NDIS answers).
pub const OID_RECEIVE_FILTER_ENUM_QUEUES: NDIS_OID = 0x0001_0225;
/// `OID_RECEIVE_FILTER_QUEUE_PARAMETERS` (method query by NDIS; set to the miniport).
pub const OID_RECEIVE_FILTER_QUEUE_PARAMETERS: NDIS_OID = 0x0001_0226;
/// `OID_RECEIVE_FILTER_SET_FILTER` (method; miniport).
pub const OID_RECEIVE_FILTER_SET_FILTER: NDIS_OID = 0x0001_0227;
/// `OID_RECEIVE_FILTER_CLEAR_FILTER` (set; miniport).
pub const OID_RECEIVE_FILTER_CLEAR_FILTER: NDIS_OID = 0x0001_0228;
/// `OID_RECEIVE_FILTER_ENUM_FILTERS` (method; NDIS answers).
pub const OID_RECEIVE_FILTER_ENUM_FILTERS: NDIS_OID = 0x0001_0229;
/// `OID_RECEIVE_FILTER_PARAMETERS` (method; NDIS answers).
pub const OID_RECEIVE_FILTER_PARAMETERS: NDIS_OID = 0x0001_022A;
/// `OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE` (method; miniport).
pub const OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE: NDIS_OID = 0x0001_022B;
/// `OID_RECEIVE_FILTER_CURRENT_CAPABILITIES` (query; NDIS answers).
pub const OID_RECEIVE_FILTER_CURRENT_CAPABILITIES: NDIS_OID = 0x0001_022D;
/// `OID_NIC_SWITCH_HARDWARE_CAPABILITIES` (query).
pub const OID_NIC_SWITCH_HARDWARE_CAPABILITIES: NDIS_OID = 0x0001_022E;
/// `OID_NIC_SWITCH_CURRENT_CAPABILITIES` (query).
pub const OID_NIC_SWITCH_CURRENT_CAPABILITIES: NDIS_OID = 0x0001_022F;
/// `OID_RECEIVE_FILTER_MOVE_FILTER` (set; NDIS 6.30, SR-IOV PF).
pub const OID_RECEIVE_FILTER_MOVE_FILTER: NDIS_OID = 0x0001_0230;

/// `NDIS_STATISTICS_INFO_REVISION_1` (the `OID_GEN_STATISTICS` answer).
pub const NDIS_STATISTICS_INFO_REVISION_1: u8 = 1;
/// `NDIS_SIZEOF_STATISTICS_INFO_REVISION_1`: through `ifHCOutBroadcastOctets`.
pub const NDIS_SIZEOF_STATISTICS_INFO_REVISION_1: u16 = 152;
/// `NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_RCV` (`ifHCInUcastPkts`).
pub const NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_RCV: u32 = 0x0000_0001;
/// `NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_RCV` (`ifHCInMulticastPkts`).
pub const NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_RCV: u32 = 0x0000_0002;
/// `NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_RCV` (`ifHCInBroadcastPkts`).
pub const NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_RCV: u32 = 0x0000_0004;
/// `NDIS_STATISTICS_FLAGS_VALID_BYTES_RCV` (`ifHCInOctets`).
pub const NDIS_STATISTICS_FLAGS_VALID_BYTES_RCV: u32 = 0x0000_0008;
/// `NDIS_STATISTICS_FLAGS_VALID_RCV_DISCARDS` (`ifInDiscards`).
pub const NDIS_STATISTICS_FLAGS_VALID_RCV_DISCARDS: u32 = 0x0000_0010;
/// `NDIS_STATISTICS_FLAGS_VALID_RCV_ERROR` (`ifInErrors`).
pub const NDIS_STATISTICS_FLAGS_VALID_RCV_ERROR: u32 = 0x0000_0020;
/// `NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_XMIT` (`ifHCOutUcastPkts`).
pub const NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_XMIT: u32 = 0x0000_0040;
/// `NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_XMIT` (`ifHCOutMulticastPkts`).
pub const NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_XMIT: u32 = 0x0000_0080;
/// `NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_XMIT` (`ifHCOutBroadcastPkts`).
pub const NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_XMIT: u32 = 0x0000_0100;
/// `NDIS_STATISTICS_FLAGS_VALID_BYTES_XMIT` (`ifHCOutOctets`).
pub const NDIS_STATISTICS_FLAGS_VALID_BYTES_XMIT: u32 = 0x0000_0200;
/// `NDIS_STATISTICS_FLAGS_VALID_XMIT_ERROR` (`ifOutErrors`).
pub const NDIS_STATISTICS_FLAGS_VALID_XMIT_ERROR: u32 = 0x0000_0400;
/// `NDIS_STATISTICS_FLAGS_VALID_XMIT_DISCARDS` (`ifOutDiscards`).
pub const NDIS_STATISTICS_FLAGS_VALID_XMIT_DISCARDS: u32 = 0x0000_8000;
/// `NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_RCV` (`ifHCInUcastOctets`).
pub const NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_RCV: u32 = 0x0001_0000;
/// `NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_RCV` (`ifHCInMulticastOctets`).
pub const NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_RCV: u32 = 0x0002_0000;
/// `NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_RCV` (`ifHCInBroadcastOctets`).
pub const NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_RCV: u32 = 0x0004_0000;
/// `NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_XMIT` (`ifHCOutUcastOctets`).
pub const NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_XMIT: u32 = 0x0008_0000;
/// `NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_XMIT` (`ifHCOutMulticastOctets`).
pub const NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_XMIT: u32 = 0x0010_0000;
/// `NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_XMIT` (`ifHCOutBroadcastOctets`).
pub const NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_XMIT: u32 = 0x0020_0000;

/// `NDIS_INTERRUPT_MODERATION_PARAMETERS_REVISION_1`.
pub const NDIS_INTERRUPT_MODERATION_PARAMETERS_REVISION_1: u8 = 1;
/// `NDIS_SIZEOF_INTERRUPT_MODERATION_PARAMETERS_REVISION_1`: Header, Flags, InterruptModeration.
pub const NDIS_SIZEOF_INTERRUPT_MODERATION_PARAMETERS_REVISION_1: u16 = 12;
/// `NdisInterruptModerationUnknown` (`NDIS_INTERRUPT_MODERATION`).
pub const NdisInterruptModerationUnknown: u32 = 0;
/// `NdisInterruptModerationNotSupported`.
pub const NdisInterruptModerationNotSupported: u32 = 1;
/// `NdisInterruptModerationEnabled`.
pub const NdisInterruptModerationEnabled: u32 = 2;
/// `NdisInterruptModerationDisabled`.
pub const NdisInterruptModerationDisabled: u32 = 3;

/// `NDIS_LINK_PARAMETERS_REVISION_1` (the `OID_GEN_LINK_PARAMETERS` input).
pub const NDIS_LINK_PARAMETERS_REVISION_1: u8 = 1;
/// `NDIS_SIZEOF_LINK_PARAMETERS_REVISION_1`: through `AutoNegotiationFlags`.
pub const NDIS_SIZEOF_LINK_PARAMETERS_REVISION_1: u16 = 32;
