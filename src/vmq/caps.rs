//! What the adapter advertises: VMQ capabilities (hardware always complete, current ones
//! from keywords), the OIDs it answers, its MAC options and packet filters.
//!
//! "Always report complete RSS and VMQ hardware capabilities regardless of
//! keywords. Keywords only affect current capabilities."
//! <https://learn.microsoft.com/windows-hardware/drivers/network/standardized-inf-keywords-for-vmq>
//! <https://learn.microsoft.com/windows-hardware/drivers/network/determining-the-vmq-capabilities-of-a-network-adapter>

use ndis_sys::{
    NDIS_MAC_OPTION_8021P_PRIORITY, NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA, NDIS_MAC_OPTION_NO_LOOPBACK,
    NDIS_MAC_OPTION_TRANSFERS_NOT_PEND, NDIS_PACKET_TYPE_ALL_MULTICAST, NDIS_PACKET_TYPE_BROADCAST,
    NDIS_PACKET_TYPE_DIRECTED, NDIS_PACKET_TYPE_MULTICAST, NDIS_PACKET_TYPE_PROMISCUOUS, OID_802_3_CURRENT_ADDRESS,
    OID_802_3_MAXIMUM_LIST_SIZE, OID_802_3_MULTICAST_LIST, OID_802_3_PERMANENT_ADDRESS, OID_GEN_CURRENT_LOOKAHEAD,
    OID_GEN_CURRENT_PACKET_FILTER, OID_GEN_DRIVER_VERSION, OID_GEN_HARDWARE_STATUS, OID_GEN_INTERRUPT_MODERATION,
    OID_GEN_LINK_PARAMETERS, OID_GEN_LINK_SPEED, OID_GEN_MAC_OPTIONS, OID_GEN_MAXIMUM_FRAME_SIZE,
    OID_GEN_MAXIMUM_LOOKAHEAD, OID_GEN_MAXIMUM_SEND_PACKETS, OID_GEN_MAXIMUM_TOTAL_SIZE, OID_GEN_MEDIA_CONNECT_STATUS,
    OID_GEN_MEDIA_IN_USE, OID_GEN_MEDIA_SUPPORTED, OID_GEN_RCV_ERROR, OID_GEN_RCV_NO_BUFFER, OID_GEN_RCV_OK,
    OID_GEN_RECEIVE_BLOCK_SIZE, OID_GEN_RECEIVE_BUFFER_SPACE, OID_GEN_STATISTICS, OID_GEN_SUPPORTED_LIST,
    OID_GEN_TRANSMIT_BLOCK_SIZE, OID_GEN_TRANSMIT_BUFFER_SPACE, OID_GEN_VENDOR_DESCRIPTION,
    OID_GEN_VENDOR_DRIVER_VERSION, OID_GEN_VENDOR_ID, OID_GEN_XMIT_ERROR, OID_GEN_XMIT_OK, OID_PNP_QUERY_POWER,
    OID_PNP_SET_POWER, OID_RECEIVE_FILTER_ALLOCATE_QUEUE, OID_RECEIVE_FILTER_CLEAR_FILTER,
    OID_RECEIVE_FILTER_FREE_QUEUE, OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE, OID_RECEIVE_FILTER_QUEUE_PARAMETERS,
    OID_RECEIVE_FILTER_SET_FILTER,
};
use ndis_sys::{
    NDIS_RECEIVE_FILTER_DYNAMIC_PROCESSOR_AFFINITY_CHANGE_SUPPORTED,
    NDIS_RECEIVE_FILTER_INTERRUPT_VECTOR_COALESCING_SUPPORTED, NDIS_RECEIVE_FILTER_MAC_HEADER_DEST_ADDR_SUPPORTED,
    NDIS_RECEIVE_FILTER_MAC_HEADER_SUPPORTED, NDIS_RECEIVE_FILTER_MAC_HEADER_VLAN_ID_SUPPORTED,
    NDIS_RECEIVE_FILTER_MSI_X_SUPPORTED, NDIS_RECEIVE_FILTER_TEST_HEADER_FIELD_EQUAL_SUPPORTED,
    NDIS_RECEIVE_FILTER_VM_QUEUE_SUPPORTED, NDIS_RECEIVE_FILTER_VM_QUEUES_ENABLED,
    NDIS_RECEIVE_FILTER_VMQ_FILTERS_ENABLED,
};

use crate::kernel::attributes::ReceiveFilterCapabilities;

/// `NDIS_MAC_OPTION_*` the adapter reports, and only what is true ("OID_GEN_MAC_OPTIONS"):
/// - 8021P_PRIORITY, which every NDIS 6 miniport sets;
/// - NO_LOOPBACK: "the NIC has no internal loopback support so NDIS will manage loopbacks":
///   the software NIC puts a sent frame on its driver's segment (the hub), where the other
///   adapters receive it and the sender does not, and the 82576 sends to its wire (VMDq
///   loopback, DTXSWC, is not enabled);
/// - no 8021Q_VLAN: that option says the driver inserts the tag of an NBL's 802.1Q info on
///   send and removes the tag of every received frame into the NBL's info ("Implementing
///   802.1Q support"); this driver sends frames as given and strips tags only for the VMQ
///   filters that ask for it ("NDIS_RECEIVE_FILTER_FIELD_PARAMETERS"), so it does not claim it.
pub const MAC_OPTIONS: u32 = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA
    | NDIS_MAC_OPTION_TRANSFERS_NOT_PEND
    | NDIS_MAC_OPTION_8021P_PRIORITY
    | NDIS_MAC_OPTION_NO_LOOPBACK;
/// `NDIS_PACKET_TYPE_*` filters the adapter supports.
pub const SUPPORTED_PACKET_FILTERS: u32 = NDIS_PACKET_TYPE_DIRECTED
    | NDIS_PACKET_TYPE_MULTICAST
    | NDIS_PACKET_TYPE_ALL_MULTICAST
    | NDIS_PACKET_TYPE_BROADCAST
    | NDIS_PACKET_TYPE_PROMISCUOUS;
/// Every OID this miniport answers (reported in the general attributes).
pub const SUPPORTED_OIDS: &[u32] = &[
    OID_GEN_SUPPORTED_LIST,
    OID_GEN_HARDWARE_STATUS,
    OID_GEN_MEDIA_SUPPORTED,
    OID_GEN_MEDIA_IN_USE,
    OID_GEN_MAXIMUM_LOOKAHEAD,
    OID_GEN_MAXIMUM_FRAME_SIZE,
    OID_GEN_LINK_SPEED,
    OID_GEN_TRANSMIT_BUFFER_SPACE,
    OID_GEN_RECEIVE_BUFFER_SPACE,
    OID_GEN_TRANSMIT_BLOCK_SIZE,
    OID_GEN_RECEIVE_BLOCK_SIZE,
    OID_GEN_VENDOR_ID,
    OID_GEN_VENDOR_DESCRIPTION,
    OID_GEN_VENDOR_DRIVER_VERSION,
    OID_GEN_DRIVER_VERSION,
    OID_GEN_CURRENT_PACKET_FILTER,
    OID_GEN_CURRENT_LOOKAHEAD,
    OID_GEN_MAXIMUM_TOTAL_SIZE,
    OID_GEN_MAC_OPTIONS,
    OID_GEN_MEDIA_CONNECT_STATUS,
    OID_GEN_MAXIMUM_SEND_PACKETS,
    OID_GEN_XMIT_OK,
    OID_GEN_RCV_OK,
    OID_GEN_XMIT_ERROR,
    OID_GEN_RCV_ERROR,
    OID_GEN_RCV_NO_BUFFER,
    OID_GEN_STATISTICS,
    OID_GEN_INTERRUPT_MODERATION,
    OID_GEN_LINK_PARAMETERS,
    OID_802_3_PERMANENT_ADDRESS,
    OID_802_3_CURRENT_ADDRESS,
    OID_802_3_MULTICAST_LIST,
    OID_802_3_MAXIMUM_LIST_SIZE,
    OID_PNP_QUERY_POWER,
    OID_PNP_SET_POWER,
    OID_RECEIVE_FILTER_ALLOCATE_QUEUE,
    OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE,
    OID_RECEIVE_FILTER_FREE_QUEUE,
    OID_RECEIVE_FILTER_QUEUE_PARAMETERS,
    OID_RECEIVE_FILTER_SET_FILTER,
    OID_RECEIVE_FILTER_CLEAR_FILTER,
];

/// The VMQ keywords after defaults are applied (`*VMQ` and `*VMQVlanFiltering`
/// default to 1; any value other than 0 or 1 is treated as the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VmqKeywords {
    /// `*VMQ`: VM queues enabled.
    pub vmq: bool,
    /// `*VMQVlanFiltering`: VLAN ID filters enabled.
    pub vlan_filtering: bool,
}

impl VmqKeywords {
    /// Applies the INF defaults to raw registry values.
    #[must_use]
    pub fn from_registry(vmq: Option<u32>, vlan_filtering: Option<u32>) -> Self {
        let enabled = |v: Option<u32>| !matches!(v, Some(0));
        Self { vmq: enabled(vmq), vlan_filtering: enabled(vlan_filtering) }
    }
}

/// Everything the hardware can do.
#[must_use]
pub fn hardware(num_queues: u32, max_filters: u32) -> ReceiveFilterCapabilities {
    ReceiveFilterCapabilities {
        enabled_filter_types: NDIS_RECEIVE_FILTER_VMQ_FILTERS_ENABLED,
        enabled_queue_types: NDIS_RECEIVE_FILTER_VM_QUEUES_ENABLED,
        num_queues,
        // NDIS 6.30: both affinity-change and vector-coalescing are required; no lookahead split.
        // What the flags commit the NIC to ("VMQ interrupt requirements",
        // "NDIS_RECEIVE_FILTER_CAPABILITIES"): MSI_X_SUPPORTED, an MSI-X table entry for each
        // receive queue; INTERRUPT_VECTOR_COALESCING_SUPPORTED, the miniport must coalesce the
        // receive interrupts of VM queues with the same processor affinity; and
        // DYNAMIC_PROCESSOR_AFFINITY_CHANGE_SUPPORTED, ProcessorAffinity changes followed at
        // run time. The 82576 routes each queue's MSI-X message to its affinity processor; the
        // software NIC, which has no interrupt, gives each processor a receive DPC
        // (`vmq::rx_dpc`): a queue's frames are indicated by the DPC of its affinity processor,
        // the queues of one processor share it, and an affinity change moves the queue.
        // InterruptCoalescingDomainId (NDIS_RECEIVE_QUEUE_PARAMETERS) is reserved for NDIS.
        supported_queue_properties: NDIS_RECEIVE_FILTER_MSI_X_SUPPORTED
            | NDIS_RECEIVE_FILTER_VM_QUEUE_SUPPORTED
            | NDIS_RECEIVE_FILTER_DYNAMIC_PROCESSOR_AFFINITY_CHANGE_SUPPORTED
            | NDIS_RECEIVE_FILTER_INTERRUPT_VECTOR_COALESCING_SUPPORTED,
        supported_filter_tests: NDIS_RECEIVE_FILTER_TEST_HEADER_FIELD_EQUAL_SUPPORTED,
        supported_headers: NDIS_RECEIVE_FILTER_MAC_HEADER_SUPPORTED,
        supported_mac_header_fields: NDIS_RECEIVE_FILTER_MAC_HEADER_DEST_ADDR_SUPPORTED
            | NDIS_RECEIVE_FILTER_MAC_HEADER_VLAN_ID_SUPPORTED,
        max_mac_header_filters: max_filters.max(num_queues),
    }
}

/// What is enabled now: the hardware set narrowed by the keywords.
#[must_use]
pub fn current(hardware: ReceiveFilterCapabilities, keywords: VmqKeywords) -> ReceiveFilterCapabilities {
    let mut current = hardware;
    if !keywords.vlan_filtering {
        current.supported_mac_header_fields &= !NDIS_RECEIVE_FILTER_MAC_HEADER_VLAN_ID_SUPPORTED;
    }
    if !keywords.vmq {
        current.enabled_filter_types = 0;
        current.enabled_queue_types = 0;
        current.num_queues = 0;
        current.max_mac_header_filters = 0;
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_default_to_enabled() {
        assert_eq!(VmqKeywords::from_registry(None, None), VmqKeywords { vmq: true, vlan_filtering: true });
        assert_eq!(VmqKeywords::from_registry(Some(0), Some(7)), VmqKeywords { vmq: false, vlan_filtering: true });
    }

    #[test]
    fn keywords_narrow_current_only() {
        let hw = hardware(64, 128);
        let cur = current(hw, VmqKeywords { vmq: true, vlan_filtering: false });
        assert_eq!(cur.supported_mac_header_fields & NDIS_RECEIVE_FILTER_MAC_HEADER_VLAN_ID_SUPPORTED, 0);
        assert_ne!(hw.supported_mac_header_fields & NDIS_RECEIVE_FILTER_MAC_HEADER_VLAN_ID_SUPPORTED, 0);
        let off = current(hw, VmqKeywords { vmq: false, vlan_filtering: true });
        assert_eq!((off.enabled_queue_types, off.num_queues), (0, 0));
        assert_eq!(hw.num_queues, 64);
        assert!(hw.max_mac_header_filters >= hw.num_queues);
    }
}
