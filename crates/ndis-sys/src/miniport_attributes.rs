//! Adapter attributes set with `NdisMSetMiniportAttributes`, and the media/interface enums they use; see <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismsetminiportattributes>.

use core::ffi::c_void;

use crate::object::NDIS_OBJECT_HEADER;
use crate::status::{NDIS_MEDIA_CONNECT_STATE, NDIS_MEDIA_DUPLEX_STATE};
use crate::types::{
    BOOLEAN, NDIS_HANDLE, NDIS_MAX_PHYS_ADDRESS_LENGTH, NDIS_OID, NET_IFTYPE, UCHAR, UINT, ULONG, ULONG64, USHORT,
};
use crate::vmq::NDIS_RECEIVE_FILTER_CAPABILITIES;

/// `NDIS_MEDIUM`.
pub type NDIS_MEDIUM = i32;
/// `NdisMedium802_3` (Ethernet).
pub const NdisMedium802_3: NDIS_MEDIUM = 0;

/// `NDIS_PHYSICAL_MEDIUM`.
pub type NDIS_PHYSICAL_MEDIUM = i32;
/// `NdisPhysicalMediumUnspecified`.
pub const NdisPhysicalMediumUnspecified: NDIS_PHYSICAL_MEDIUM = 0;
/// `NdisPhysicalMedium802_3`.
pub const NdisPhysicalMedium802_3: NDIS_PHYSICAL_MEDIUM = 14;

/// `NDIS_INTERFACE_TYPE` (values of the HAL `INTERFACE_TYPE`).
pub type NDIS_INTERFACE_TYPE = i32;
/// `NdisInterfaceInternal` (`Internal`).
pub const NdisInterfaceInternal: NDIS_INTERFACE_TYPE = 0;
/// `NdisInterfaceIsa` (`Isa`).
pub const NdisInterfaceIsa: NDIS_INTERFACE_TYPE = 1;
/// `NdisInterfaceEisa` (`Eisa`).
pub const NdisInterfaceEisa: NDIS_INTERFACE_TYPE = 2;
/// `NdisInterfaceMca` (`MicroChannel`).
pub const NdisInterfaceMca: NDIS_INTERFACE_TYPE = 3;
/// `NdisInterfaceTurboChannel` (`TurboChannel`).
pub const NdisInterfaceTurboChannel: NDIS_INTERFACE_TYPE = 4;
/// `NdisInterfacePci` (`PCIBus`).
pub const NdisInterfacePci: NDIS_INTERFACE_TYPE = 5;
/// `NdisInterfacePcMcia` (`PCMCIABus`).
pub const NdisInterfacePcMcia: NDIS_INTERFACE_TYPE = 8;
/// `NdisInterfaceCBus` (`CBus`).
pub const NdisInterfaceCBus: NDIS_INTERFACE_TYPE = 9;
/// `NdisInterfaceMPIBus` (`MPIBus`).
pub const NdisInterfaceMPIBus: NDIS_INTERFACE_TYPE = 10;
/// `NdisInterfaceMPSABus` (`MPSABus`).
pub const NdisInterfaceMPSABus: NDIS_INTERFACE_TYPE = 11;
/// `NdisInterfaceProcessorInternal` (`ProcessorInternal`).
pub const NdisInterfaceProcessorInternal: NDIS_INTERFACE_TYPE = 12;
/// `NdisInterfaceInternalPowerBus` (`InternalPowerBus`).
pub const NdisInterfaceInternalPowerBus: NDIS_INTERFACE_TYPE = 13;
/// `NdisInterfacePNPISABus` (`PNPISABus`).
pub const NdisInterfacePNPISABus: NDIS_INTERFACE_TYPE = 14;
/// `NdisInterfacePNPBus` (`PNPBus`).
pub const NdisInterfacePNPBus: NDIS_INTERFACE_TYPE = 15;
/// `NdisInterfaceUSB`.
pub const NdisInterfaceUSB: NDIS_INTERFACE_TYPE = 16;
/// `NdisInterfaceIrda`.
pub const NdisInterfaceIrda: NDIS_INTERFACE_TYPE = 17;
/// `NdisInterface1394`.
pub const NdisInterface1394: NDIS_INTERFACE_TYPE = 18;
/// `NdisMaximumInterfaceType`.
pub const NdisMaximumInterfaceType: NDIS_INTERFACE_TYPE = 19;

/// `NDIS_HARDWARE_STATUS` (`OID_GEN_HARDWARE_STATUS`).
pub type NDIS_HARDWARE_STATUS = i32;
/// `NdisHardwareStatusReady`.
pub const NdisHardwareStatusReady: NDIS_HARDWARE_STATUS = 0;
/// `NdisHardwareStatusInitializing`.
pub const NdisHardwareStatusInitializing: NDIS_HARDWARE_STATUS = 1;
/// `NdisHardwareStatusReset`.
pub const NdisHardwareStatusReset: NDIS_HARDWARE_STATUS = 2;
/// `NdisHardwareStatusClosing`.
pub const NdisHardwareStatusClosing: NDIS_HARDWARE_STATUS = 3;
/// `NdisHardwareStatusNotReady`.
pub const NdisHardwareStatusNotReady: NDIS_HARDWARE_STATUS = 4;

/// `NDIS_MEDIA_STATE` (`OID_GEN_MEDIA_CONNECT_STATUS`).
pub type NDIS_MEDIA_STATE = i32;
/// `NdisMediaStateConnected`.
pub const NdisMediaStateConnected: NDIS_MEDIA_STATE = 0;
/// `NdisMediaStateDisconnected`.
pub const NdisMediaStateDisconnected: NDIS_MEDIA_STATE = 1;

/// `NET_IF_ACCESS_TYPE` (`ifdef.h`).
pub type NET_IF_ACCESS_TYPE = i32;
/// `NET_IF_ACCESS_LOOPBACK`.
pub const NET_IF_ACCESS_LOOPBACK: NET_IF_ACCESS_TYPE = 1;
/// `NET_IF_ACCESS_BROADCAST` (typical Ethernet).
pub const NET_IF_ACCESS_BROADCAST: NET_IF_ACCESS_TYPE = 2;
/// `NET_IF_ACCESS_POINT_TO_POINT`.
pub const NET_IF_ACCESS_POINT_TO_POINT: NET_IF_ACCESS_TYPE = 3;
/// `NET_IF_ACCESS_POINT_TO_MULTI_POINT`.
pub const NET_IF_ACCESS_POINT_TO_MULTI_POINT: NET_IF_ACCESS_TYPE = 4;

/// `NET_IF_DIRECTION_TYPE` (`ifdef.h`).
pub type NET_IF_DIRECTION_TYPE = i32;
/// `NET_IF_DIRECTION_SENDRECEIVE` (typical Ethernet).
pub const NET_IF_DIRECTION_SENDRECEIVE: NET_IF_DIRECTION_TYPE = 0;
/// `NET_IF_DIRECTION_SENDONLY`.
pub const NET_IF_DIRECTION_SENDONLY: NET_IF_DIRECTION_TYPE = 1;
/// `NET_IF_DIRECTION_RECEIVEONLY`.
pub const NET_IF_DIRECTION_RECEIVEONLY: NET_IF_DIRECTION_TYPE = 2;

/// `NET_IF_CONNECTION_TYPE` (`ifdef.h`).
pub type NET_IF_CONNECTION_TYPE = i32;
/// `NET_IF_CONNECTION_DEDICATED` (typical Ethernet).
pub const NET_IF_CONNECTION_DEDICATED: NET_IF_CONNECTION_TYPE = 1;
/// `NET_IF_CONNECTION_PASSIVE`.
pub const NET_IF_CONNECTION_PASSIVE: NET_IF_CONNECTION_TYPE = 2;
/// `NET_IF_CONNECTION_DEMAND`.
pub const NET_IF_CONNECTION_DEMAND: NET_IF_CONNECTION_TYPE = 3;

/// `IF_TYPE_ETHERNET_CSMACD` (`ipifcons.h`).
pub const IF_TYPE_ETHERNET_CSMACD: NET_IFTYPE = 6;

/// `NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA`.
pub const NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA: ULONG = 0x0000_0001;
/// `NDIS_MAC_OPTION_RECEIVE_SERIALIZED`.
pub const NDIS_MAC_OPTION_RECEIVE_SERIALIZED: ULONG = 0x0000_0002;
/// `NDIS_MAC_OPTION_TRANSFERS_NOT_PEND`.
pub const NDIS_MAC_OPTION_TRANSFERS_NOT_PEND: ULONG = 0x0000_0004;
/// `NDIS_MAC_OPTION_NO_LOOPBACK`.
pub const NDIS_MAC_OPTION_NO_LOOPBACK: ULONG = 0x0000_0008;
/// `NDIS_MAC_OPTION_FULL_DUPLEX` (deprecated).
pub const NDIS_MAC_OPTION_FULL_DUPLEX: ULONG = 0x0000_0010;
/// `NDIS_MAC_OPTION_8021P_PRIORITY`.
pub const NDIS_MAC_OPTION_8021P_PRIORITY: ULONG = 0x0000_0040;
/// `NDIS_MAC_OPTION_SUPPORTS_MAC_ADDRESS_OVERWRITE`.
pub const NDIS_MAC_OPTION_SUPPORTS_MAC_ADDRESS_OVERWRITE: ULONG = 0x0000_0080;
/// `NDIS_MAC_OPTION_8021Q_VLAN`.
pub const NDIS_MAC_OPTION_8021Q_VLAN: ULONG = 0x0000_0200;

/// `NDIS_PACKET_TYPE_DIRECTED`.
pub const NDIS_PACKET_TYPE_DIRECTED: ULONG = 0x0000_0001;
/// `NDIS_PACKET_TYPE_MULTICAST`.
pub const NDIS_PACKET_TYPE_MULTICAST: ULONG = 0x0000_0002;
/// `NDIS_PACKET_TYPE_ALL_MULTICAST`.
pub const NDIS_PACKET_TYPE_ALL_MULTICAST: ULONG = 0x0000_0004;
/// `NDIS_PACKET_TYPE_BROADCAST`.
pub const NDIS_PACKET_TYPE_BROADCAST: ULONG = 0x0000_0008;
/// `NDIS_PACKET_TYPE_PROMISCUOUS`.
pub const NDIS_PACKET_TYPE_PROMISCUOUS: ULONG = 0x0000_0020;
/// `NDIS_PACKET_TYPE_ALL_LOCAL`.
pub const NDIS_PACKET_TYPE_ALL_LOCAL: ULONG = 0x0000_0080;

// `AttributeFlags` of the registration attributes.

/// `NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE`.
pub const NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE: ULONG = 0x0000_0001;
/// `NDIS_MINIPORT_ATTRIBUTES_NDIS_WDM`.
pub const NDIS_MINIPORT_ATTRIBUTES_NDIS_WDM: ULONG = 0x0000_0002;
/// `NDIS_MINIPORT_ATTRIBUTES_SURPRISE_REMOVE_OK`.
pub const NDIS_MINIPORT_ATTRIBUTES_SURPRISE_REMOVE_OK: ULONG = 0x0000_0004;
/// `NDIS_MINIPORT_ATTRIBUTES_NOT_CO_NDIS`.
pub const NDIS_MINIPORT_ATTRIBUTES_NOT_CO_NDIS: ULONG = 0x0000_0008;
/// `NDIS_MINIPORT_ATTRIBUTES_DO_NOT_BIND_TO_ALL_CO`.
pub const NDIS_MINIPORT_ATTRIBUTES_DO_NOT_BIND_TO_ALL_CO: ULONG = 0x0000_0010;
/// `NDIS_MINIPORT_ATTRIBUTES_NO_HALT_ON_SUSPEND`.
pub const NDIS_MINIPORT_ATTRIBUTES_NO_HALT_ON_SUSPEND: ULONG = 0x0000_0020;
/// `NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER`.
pub const NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER: ULONG = 0x0000_0040;
/// `NDIS_MINIPORT_ATTRIBUTES_CONTROLS_DEFAULT_PORT`.
pub const NDIS_MINIPORT_ATTRIBUTES_CONTROLS_DEFAULT_PORT: ULONG = 0x0000_0080;
/// `NDIS_MINIPORT_ATTRIBUTES_NO_PAUSE_ON_SUSPEND` (NDIS 6.30).
pub const NDIS_MINIPORT_ATTRIBUTES_NO_PAUSE_ON_SUSPEND: ULONG = 0x0000_0100;
/// `NDIS_MINIPORT_ATTRIBUTES_NO_OID_INTERCEPT_ON_NONDEFAULT_PORTS` (NDIS 6.30).
pub const NDIS_MINIPORT_ATTRIBUTES_NO_OID_INTERCEPT_ON_NONDEFAULT_PORTS: ULONG = 0x0000_0200;
/// `NDIS_MINIPORT_ATTRIBUTES_REGISTER_BUGCHECK_CALLBACK` (NDIS 6.30).
pub const NDIS_MINIPORT_ATTRIBUTES_REGISTER_BUGCHECK_CALLBACK: ULONG = 0x0000_0400;

/// `NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1`.
pub const NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1: UCHAR = 1;
/// `NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2` (NDIS 6.30; new flags only).
pub const NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2: UCHAR = 2;

/// `NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES`: set first in MiniportInitializeEx.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES {
    /// `NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES`.
    pub Header: NDIS_OBJECT_HEADER,
    /// The adapter context NDIS passes back to every handler.
    pub MiniportAdapterContext: NDIS_HANDLE,
    /// `NDIS_MINIPORT_ATTRIBUTES_*`.
    pub AttributeFlags: ULONG,
    /// CheckForHang interval (0 = default of 2 s).
    pub CheckForHangTimeInSeconds: UINT,
    /// `NdisInterface*`.
    pub InterfaceType: NDIS_INTERFACE_TYPE,
}
assert_layout!(
    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES,
    size = 32,
    Header = 0,
    MiniportAdapterContext = 8,
    AttributeFlags = 16,
    CheckForHangTimeInSeconds = 20,
    InterfaceType = 24,
);
/// `NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1` (through `InterfaceType`).
pub const NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1: u16 =
    size_through!(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, InterfaceType);
/// `NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2` (through `InterfaceType`).
pub const NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2: u16 =
    size_through!(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, InterfaceType);
#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1 == 28);
    assert!(NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2 == 28);
};

/// `NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1`.
pub const NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1: UCHAR = 1;
/// `NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2` (NDIS 6.20).
pub const NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2: UCHAR = 2;

/// `NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES`: set second in MiniportInitializeEx.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES {
    /// `NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES`.
    pub Header: NDIS_OBJECT_HEADER,
    /// Reserved.
    pub Flags: ULONG,
    /// `NdisMedium*`.
    pub MediaType: NDIS_MEDIUM,
    /// `NdisPhysicalMedium*`.
    pub PhysicalMediumType: NDIS_PHYSICAL_MEDIUM,
    /// MTU in bytes, without the link header.
    pub MtuSize: ULONG,
    /// Maximum transmit speed in bits per second.
    pub MaxXmitLinkSpeed: ULONG64,
    /// Current transmit speed in bits per second.
    pub XmitLinkSpeed: ULONG64,
    /// Maximum receive speed in bits per second.
    pub MaxRcvLinkSpeed: ULONG64,
    /// Current receive speed in bits per second.
    pub RcvLinkSpeed: ULONG64,
    /// `MediaConnectState*`.
    pub MediaConnectState: NDIS_MEDIA_CONNECT_STATE,
    /// `MediaDuplexState*`.
    pub MediaDuplexState: NDIS_MEDIA_DUPLEX_STATE,
    /// Lookahead size in bytes.
    pub LookaheadSize: ULONG,
    /// `PNDIS_PNP_CAPABILITIES` (6.20 drivers use `PowerManagementCapabilitiesEx`).
    pub PowerManagementCapabilities: *mut c_void,
    /// `NDIS_MAC_OPTION_*`.
    pub MacOptions: ULONG,
    /// `NDIS_PACKET_TYPE_*`.
    pub SupportedPacketFilters: ULONG,
    /// Multicast list capacity.
    pub MaxMulticastListSize: ULONG,
    /// Bytes used in the address arrays (6 for Ethernet).
    pub MacAddressLength: USHORT,
    /// Burned-in address.
    pub PermanentMacAddress: [UCHAR; NDIS_MAX_PHYS_ADDRESS_LENGTH],
    /// Address in use.
    pub CurrentMacAddress: [UCHAR; NDIS_MAX_PHYS_ADDRESS_LENGTH],
    /// `PNDIS_RECEIVE_SCALE_CAPABILITIES` (null when RSS is not offered).
    pub RecvScaleCapabilities: *mut c_void,
    /// `NET_IF_ACCESS_*`.
    pub AccessType: NET_IF_ACCESS_TYPE,
    /// `NET_IF_DIRECTION_*`.
    pub DirectionType: NET_IF_DIRECTION_TYPE,
    /// `NET_IF_CONNECTION_*`.
    pub ConnectionType: NET_IF_CONNECTION_TYPE,
    /// IANA ifType (`IF_TYPE_ETHERNET_CSMACD`).
    pub IfType: NET_IFTYPE,
    /// TRUE for a physical adapter.
    pub IfConnectorPresent: BOOLEAN,
    /// `NDIS_STATISTICS_*_SUPPORTED`.
    pub SupportedStatistics: ULONG,
    /// `NdisPauseFunctions*`.
    pub SupportedPauseFunctions: ULONG,
    /// Backfill the miniport wants in front of received data.
    pub DataBackFillSize: ULONG,
    /// Context backfill the miniport wants.
    pub ContextBackFillSize: ULONG,
    /// OIDs the miniport supports.
    pub SupportedOidList: *mut NDIS_OID,
    /// Size of `SupportedOidList` in bytes.
    pub SupportedOidListLength: ULONG,
    /// `NDIS_LINK_STATE_*_AUTO_NEGOTIATED`.
    pub AutoNegotiationFlags: ULONG,
    /// `PNDIS_PM_CAPABILITIES` (NDIS 6.20).
    pub PowerManagementCapabilitiesEx: *mut c_void,
}
assert_layout!(
    NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES,
    size = 224,
    Header = 0,
    Flags = 4,
    MediaType = 8,
    PhysicalMediumType = 12,
    MtuSize = 16,
    MaxXmitLinkSpeed = 24,
    XmitLinkSpeed = 32,
    MaxRcvLinkSpeed = 40,
    RcvLinkSpeed = 48,
    MediaConnectState = 56,
    MediaDuplexState = 60,
    LookaheadSize = 64,
    PowerManagementCapabilities = 72,
    MacOptions = 80,
    SupportedPacketFilters = 84,
    MaxMulticastListSize = 88,
    MacAddressLength = 92,
    PermanentMacAddress = 94,
    CurrentMacAddress = 126,
    RecvScaleCapabilities = 160,
    AccessType = 168,
    DirectionType = 172,
    ConnectionType = 176,
    IfType = 180,
    IfConnectorPresent = 182,
    SupportedStatistics = 184,
    SupportedPauseFunctions = 188,
    DataBackFillSize = 192,
    ContextBackFillSize = 196,
    SupportedOidList = 200,
    SupportedOidListLength = 208,
    AutoNegotiationFlags = 212,
    PowerManagementCapabilitiesEx = 216,
);
/// `NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1` (through `AutoNegotiationFlags`).
pub const NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1: u16 =
    size_through!(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, AutoNegotiationFlags);
/// `NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2` (through `PowerManagementCapabilitiesEx`).
pub const NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2: u16 =
    size_through!(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, PowerManagementCapabilitiesEx);
#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1 == 216);
    assert!(NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2 == 224);
};

/// `NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_1` (NDIS 6.1).
pub const NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_1: UCHAR = 1;
/// `NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_2` (NDIS 6.20).
pub const NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_2: UCHAR = 2;
/// `NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_3` (NDIS 6.30).
pub const NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_3: UCHAR = 3;

/// `NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES` through `CurrentQosCapabilities` (6.30).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES {
    /// `NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES`.
    pub Header: NDIS_OBJECT_HEADER,
    /// `PNDIS_HD_SPLIT_ATTRIBUTES`.
    pub HDSplitAttributes: *mut c_void,
    /// Everything the hardware can filter (pairs with `CurrentReceiveFilterCapabilities`).
    pub HardwareReceiveFilterCapabilities: *mut NDIS_RECEIVE_FILTER_CAPABILITIES,
    /// What is currently enabled.
    pub CurrentReceiveFilterCapabilities: *mut NDIS_RECEIVE_FILTER_CAPABILITIES,
    /// `PNDIS_NIC_SWITCH_CAPABILITIES`.
    pub HardwareNicSwitchCapabilities: *mut c_void,
    /// `PNDIS_NIC_SWITCH_CAPABILITIES`.
    pub CurrentNicSwitchCapabilities: *mut c_void,
    /// `PNDIS_SRIOV_CAPABILITIES` (NDIS 6.30).
    pub HardwareSriovCapabilities: *mut c_void,
    /// `PNDIS_SRIOV_CAPABILITIES` (NDIS 6.30).
    pub CurrentSriovCapabilities: *mut c_void,
    /// `PNDIS_QOS_CAPABILITIES` (NDIS 6.30).
    pub HardwareQosCapabilities: *mut c_void,
    /// `PNDIS_QOS_CAPABILITIES` (NDIS 6.30).
    pub CurrentQosCapabilities: *mut c_void,
}
assert_layout!(
    NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES,
    size = 80,
    Header = 0,
    HDSplitAttributes = 8,
    HardwareReceiveFilterCapabilities = 16,
    CurrentReceiveFilterCapabilities = 24,
    HardwareNicSwitchCapabilities = 32,
    CurrentNicSwitchCapabilities = 40,
    HardwareSriovCapabilities = 48,
    CurrentSriovCapabilities = 56,
    HardwareQosCapabilities = 64,
    CurrentQosCapabilities = 72,
);
/// `NDIS_SIZEOF_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_1` (through `HDSplitAttributes`).
pub const NDIS_SIZEOF_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_1: u16 =
    size_through!(NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES, HDSplitAttributes);
/// `NDIS_SIZEOF_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_2` (through `CurrentNicSwitchCapabilities`).
pub const NDIS_SIZEOF_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_2: u16 =
    size_through!(NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES, CurrentNicSwitchCapabilities);
/// `NDIS_SIZEOF_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_3` (through `CurrentQosCapabilities`).
pub const NDIS_SIZEOF_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_3: u16 =
    size_through!(NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES, CurrentQosCapabilities);
#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(NDIS_SIZEOF_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_1 == 16);
    assert!(NDIS_SIZEOF_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_2 == 48);
    assert!(NDIS_SIZEOF_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_3 == 80);
};

/// `NDIS_MINIPORT_ADAPTER_ATTRIBUTES`: the union `NdisMSetMiniportAttributes` takes; NDIS reads
/// `Header` to know which member is meant. Only the members vmqnic sets are bound.
#[repr(C)]
#[derive(Clone, Copy)]
pub union NDIS_MINIPORT_ADAPTER_ATTRIBUTES {
    /// Common header of every member.
    pub Header: NDIS_OBJECT_HEADER,
    /// Registration attributes.
    pub RegistrationAttributes: NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES,
    /// General attributes.
    pub GeneralAttributes: NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES,
    /// Hardware assist (VMQ) attributes.
    pub HardwareAssistAttributes: NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES,
}
assert_layout!(NDIS_MINIPORT_ADAPTER_ATTRIBUTES, size = 224);

zeroed_default!(
    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES,
    NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES,
    NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES,
    NDIS_MINIPORT_ADAPTER_ATTRIBUTES,
);

/// `NDIS_PM_CAPABILITIES_REVISION_2` (NDIS 6.30: adds the wake-up event masks).
pub const NDIS_PM_CAPABILITIES_REVISION_2: UCHAR = 2;
/// `NDIS_SIZEOF_NDIS_PM_CAPABILITIES_REVISION_2` (through `MediaSpecificWakeUpEvents`).
pub const NDIS_SIZEOF_NDIS_PM_CAPABILITIES_REVISION_2: USHORT = 60;

/// `NDIS_PM_CAPABILITIES` (ntddndis.h): what the adapter can do in low power, reported through
/// `PowerManagementCapabilitiesEx` of the general attributes ("Reporting Power Management
/// Capabilities").
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct NDIS_PM_CAPABILITIES {
    /// Type DEFAULT, Revision 2, Size 60.
    pub Header: NDIS_OBJECT_HEADER,
    /// `NDIS_PM_*_SUPPORTED` flags.
    pub Flags: ULONG,
    /// `NDIS_PM_WOL_*_SUPPORTED`.
    pub SupportedWoLPacketPatterns: ULONG,
    /// WoL patterns the adapter holds.
    pub NumTotalWoLPatterns: ULONG,
    /// Largest WoL pattern.
    pub MaxWoLPatternSize: ULONG,
    /// Largest WoL pattern offset.
    pub MaxWoLPatternOffset: ULONG,
    /// Bytes of a waking packet the adapter saves.
    pub MaxWoLPacketSaveBuffer: ULONG,
    /// `NDIS_PM_PROTOCOL_OFFLOAD_*_SUPPORTED`.
    pub SupportedProtocolOffloads: ULONG,
    /// IPv4 ARP offload addresses.
    pub NumArpOffloadIPv4Addresses: ULONG,
    /// IPv6 NS offload addresses.
    pub NumNSOffloadIPv6Addresses: ULONG,
    /// Lowest power state a magic packet wakes from (`NdisDeviceStateUnspecified`: none).
    pub MinMagicPacketWakeUp: i32,
    /// Lowest power state a pattern wakes from.
    pub MinPatternWakeUp: i32,
    /// Lowest power state a link change wakes from.
    pub MinLinkChangeWakeUp: i32,
    /// `NDIS_PM_WAKE_ON_*_ENABLED` events.
    pub SupportedWakeUpEvents: ULONG,
    /// Media-specific wake-up events.
    pub MediaSpecificWakeUpEvents: ULONG,
}
assert_layout!(NDIS_PM_CAPABILITIES, size = 60, MinMagicPacketWakeUp = 40, MediaSpecificWakeUpEvents = 56);
