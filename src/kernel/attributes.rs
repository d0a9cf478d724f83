//! `NdisMSetMiniportAttributes` for the three attribute blocks vmqnic sets, from safe descriptions.
//!
//! Order (NDIS rule): registration first, then general, then hardware assist.
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismsetminiportattributes>
//! <https://learn.microsoft.com/windows-hardware/drivers/network/determining-the-vmq-capabilities-of-a-network-adapter>
//!
//! IRQL: PASSIVE_LEVEL (MiniportInitializeEx).

use core::ffi::c_void;

use ndis_sys::{
    IF_TYPE_ETHERNET_CSMACD, MediaConnectStateConnected, MediaConnectStateDisconnected, MediaDuplexStateFull,
    MediaDuplexStateUnknown, NDIS_MINIPORT_ADAPTER_ATTRIBUTES, NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES,
    NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2, NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES,
    NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_3, NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES,
    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2, NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER,
    NDIS_MINIPORT_ATTRIBUTES_NDIS_WDM, NDIS_MINIPORT_ATTRIBUTES_NO_HALT_ON_SUSPEND,
    NDIS_MINIPORT_ATTRIBUTES_SURPRISE_REMOVE_OK, NDIS_OBJECT_HEADER, NDIS_OBJECT_TYPE_DEFAULT,
    NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES,
    NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, NDIS_PM_CAPABILITIES, NDIS_PM_CAPABILITIES_REVISION_2,
    NDIS_RECEIVE_FILTER_CAPABILITIES, NDIS_RECEIVE_FILTER_CAPABILITIES_REVISION_2,
    NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2,
    NDIS_SIZEOF_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_3,
    NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2, NDIS_SIZEOF_NDIS_PM_CAPABILITIES_REVISION_2,
    NDIS_SIZEOF_RECEIVE_FILTER_CAPABILITIES_REVISION_2, NDIS_STATUS, NDIS_STATUS_SUCCESS, NET_IF_ACCESS_BROADCAST,
    NET_IF_CONNECTION_DEDICATED, NET_IF_DIRECTION_SENDRECEIVE, NET_IF_LINK_SPEED_UNKNOWN, NdisInterfaceInternal,
    NdisMSetMiniportAttributes, NdisMedium802_3, NdisPhysicalMedium802_3,
};

use super::NdisHandle;

/// The receive-filter capability set (`NDIS_RECEIVE_FILTER_CAPABILITIES`, revision 2), as plain values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReceiveFilterCapabilities {
    /// `EnabledFilterTypes`.
    pub enabled_filter_types: u32,
    /// `EnabledQueueTypes`.
    pub enabled_queue_types: u32,
    /// `NumQueues` (not counting the default queue).
    pub num_queues: u32,
    /// `SupportedQueueProperties`.
    pub supported_queue_properties: u32,
    /// `SupportedFilterTests`.
    pub supported_filter_tests: u32,
    /// `SupportedHeaders`.
    pub supported_headers: u32,
    /// `SupportedMacHeaderFields`.
    pub supported_mac_header_fields: u32,
    /// `MaxMacHeaderFilters`.
    pub max_mac_header_filters: u32,
}

impl ReceiveFilterCapabilities {
    fn to_ndis(self) -> NDIS_RECEIVE_FILTER_CAPABILITIES {
        let mut caps = NDIS_RECEIVE_FILTER_CAPABILITIES {
            Header: NDIS_OBJECT_HEADER::new(
                NDIS_OBJECT_TYPE_DEFAULT,
                NDIS_RECEIVE_FILTER_CAPABILITIES_REVISION_2,
                NDIS_SIZEOF_RECEIVE_FILTER_CAPABILITIES_REVISION_2,
            ),
            ..NDIS_RECEIVE_FILTER_CAPABILITIES::default()
        };
        caps.EnabledFilterTypes = self.enabled_filter_types;
        caps.EnabledQueueTypes = self.enabled_queue_types;
        caps.NumQueues = self.num_queues;
        caps.SupportedQueueProperties = self.supported_queue_properties;
        caps.SupportedFilterTests = self.supported_filter_tests;
        caps.SupportedHeaders = self.supported_headers;
        caps.SupportedMacHeaderFields = self.supported_mac_header_fields;
        caps.MaxMacHeaderFilters = self.max_mac_header_filters;
        // Lookahead split is not supported from NDIS 6.30 on: Min/Max stay 0.
        caps
    }
}

/// What the general attributes say about the adapter.
#[derive(Debug, Clone, Copy)]
pub struct GeneralAttributes<'a> {
    /// Payload MTU (1500 for Ethernet).
    pub mtu: u32,
    /// Link speed in bits per second, both directions.
    pub link_speed: u64,
    /// The media is connected now (a NIC whose link is still coming up reports it later with
    /// NDIS_STATUS_LINK_STATE).
    pub connected: bool,
    /// Permanent MAC address (the NIC's own).
    pub mac_address: [u8; 6],
    /// Current MAC address (the `NetworkAddress` keyword when set, else the permanent one).
    pub current_address: [u8; 6],
    /// Lookahead the adapter indicates.
    pub lookahead: u32,
    /// `NDIS_MAC_OPTION_*` flags.
    pub mac_options: u32,
    /// `NDIS_PACKET_TYPE_*` filters supported.
    pub supported_packet_filters: u32,
    /// Multicast list capacity.
    pub max_multicast_list_size: u32,
    /// OIDs the miniport answers.
    pub supported_oids: &'a [u32],
}

fn set(adapter: NdisHandle, attributes: *mut c_void) -> Result<(), NDIS_STATUS> {
    // SAFETY: `attributes` points to a fully initialized attribute structure whose
    // header names its type, revision and size; NDIS copies what it keeps.
    let status =
        unsafe { NdisMSetMiniportAttributes(adapter.as_raw(), attributes.cast::<NDIS_MINIPORT_ADAPTER_ATTRIBUTES>()) };
    if status == NDIS_STATUS_SUCCESS { Ok(()) } else { Err(status) }
}

/// Registration attributes. `context` becomes the MiniportAdapterContext NDIS passes
/// back to every handler (the trampolines turn it back into `&T`); `bus_master`
/// declares a DMA device.
///
/// # Errors
/// The status NDIS returned.
pub fn set_registration<T: Sync>(adapter: NdisHandle, context: &T, bus_master: bool) -> Result<(), NDIS_STATUS> {
    let mut attributes = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES {
        Header: NDIS_OBJECT_HEADER::new(
            NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES,
            NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2,
            NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2,
        ),
        ..NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES::default()
    };
    attributes.MiniportAdapterContext = core::ptr::from_ref(context).cast_mut().cast::<c_void>();
    attributes.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_NDIS_WDM
        | NDIS_MINIPORT_ATTRIBUTES_SURPRISE_REMOVE_OK
        | NDIS_MINIPORT_ATTRIBUTES_NO_HALT_ON_SUSPEND
        | if bus_master { NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER } else { 0 };
    attributes.CheckForHangTimeInSeconds = 0;
    attributes.InterfaceType = NdisInterfaceInternal;
    set(adapter, (&raw mut attributes).cast())
}

/// General attributes (Ethernet, connected, full duplex).
///
/// # Errors
/// The status NDIS returned.
pub fn set_general(adapter: NdisHandle, info: &GeneralAttributes<'_>) -> Result<(), NDIS_STATUS> {
    let mut attributes = NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES {
        Header: NDIS_OBJECT_HEADER::new(
            NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES,
            NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2,
            NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2,
        ),
        ..NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES::default()
    };
    attributes.MediaType = NdisMedium802_3;
    attributes.PhysicalMediumType = NdisPhysicalMedium802_3;
    attributes.MtuSize = info.mtu;
    attributes.MaxXmitLinkSpeed = info.link_speed;
    attributes.MaxRcvLinkSpeed = info.link_speed;
    if info.connected {
        attributes.XmitLinkSpeed = info.link_speed;
        attributes.RcvLinkSpeed = info.link_speed;
        attributes.MediaConnectState = MediaConnectStateConnected;
        attributes.MediaDuplexState = MediaDuplexStateFull;
    } else {
        attributes.XmitLinkSpeed = NET_IF_LINK_SPEED_UNKNOWN;
        attributes.RcvLinkSpeed = NET_IF_LINK_SPEED_UNKNOWN;
        attributes.MediaConnectState = MediaConnectStateDisconnected;
        attributes.MediaDuplexState = MediaDuplexStateUnknown;
    }
    attributes.LookaheadSize = info.lookahead;
    attributes.MacOptions = info.mac_options;
    attributes.SupportedPacketFilters = info.supported_packet_filters;
    attributes.MaxMulticastListSize = info.max_multicast_list_size;
    attributes.MacAddressLength = 6;
    attributes.PermanentMacAddress[..6].copy_from_slice(&info.mac_address);
    attributes.CurrentMacAddress[..6].copy_from_slice(&info.current_address);
    attributes.AccessType = NET_IF_ACCESS_BROADCAST;
    attributes.DirectionType = NET_IF_DIRECTION_SENDRECEIVE;
    attributes.ConnectionType = NET_IF_CONNECTION_DEDICATED;
    attributes.IfType = IF_TYPE_ETHERNET_CSMACD;
    attributes.IfConnectorPresent = 1;
    // CAST: the OID list is a short static table; its byte size fits in u32.
    attributes.SupportedOidListLength = u32::try_from(core::mem::size_of_val(info.supported_oids)).unwrap_or(0);
    attributes.SupportedOidList = info.supported_oids.as_ptr().cast_mut();
    // "Reporting Power Management Capabilities": an NDIS 6.20+ miniport reports its
    // NDIS_PM_CAPABILITIES here. The adapter goes to D3 and back (vmq::power) but wakes on
    // nothing: no WoL pattern, no protocol offload, no wake-up event (NdisDeviceStateUnspecified).
    // NDIS copies the structure during the call.
    let mut pm = NDIS_PM_CAPABILITIES {
        Header: NDIS_OBJECT_HEADER {
            Type: NDIS_OBJECT_TYPE_DEFAULT,
            Revision: NDIS_PM_CAPABILITIES_REVISION_2,
            Size: NDIS_SIZEOF_NDIS_PM_CAPABILITIES_REVISION_2,
        },
        ..NDIS_PM_CAPABILITIES::default()
    };
    attributes.PowerManagementCapabilitiesEx = (&raw mut pm).cast();
    set(adapter, (&raw mut attributes).cast())
}

/// Hardware-assist attributes carrying the receive-filter (VMQ) capabilities:
/// `hardware` = everything the NIC can do, `current` = what the keywords enable.
///
/// # Errors
/// The status NDIS returned.
pub fn set_hardware_assist(
    adapter: NdisHandle,
    hardware: ReceiveFilterCapabilities,
    current: ReceiveFilterCapabilities,
) -> Result<(), NDIS_STATUS> {
    let mut hardware = hardware.to_ndis();
    let mut current = current.to_ndis();
    let mut attributes = NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES {
        Header: NDIS_OBJECT_HEADER::new(
            NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES,
            NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_3,
            NDIS_SIZEOF_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_3,
        ),
        ..NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES::default()
    };
    // The two receive-filter pointers always come as a pair.
    attributes.HardwareReceiveFilterCapabilities = &raw mut hardware;
    attributes.CurrentReceiveFilterCapabilities = &raw mut current;
    set(adapter, (&raw mut attributes).cast())
}
