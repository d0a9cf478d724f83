//! SET_FILTER / CLEAR_FILTER validation and the queue state they drive.
//!
//! Rules (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_receive_filter_field_parameters>): "All the multibyte field and result values ... must be specified in
//! network byte order"; "The MAC address goes in FieldByteArrayValue[0..6]. The VLAN ID goes in
//! FieldShortValue". <https://learn.microsoft.com/windows-hardware/drivers/network/setting-a-vmq-filter>: "VLAN_UNTAGGED_OR_ZERO set on the MAC test: match the MAC and
//! (untagged or VID 0)"; netvmini "rejects a filter when (VLAN filter present) == (UNTAGGED_OR_ZERO
//! flag present)" and "rejects VLAN filters when *VMQVlanFiltering ≠ 1". CLEAR_FILTER may only be refused
//! with NOT_ACCEPTED (Driver Verifier rule NdisOidComplete).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use ndis_sim::vswitch::{clear_filter_bytes, filter_parameters_bytes};
use ndis_sim::{FilterField, QueueId};
use ndis_sys::{
    NDIS_STATUS_INVALID_LENGTH, NDIS_STATUS_INVALID_PARAMETER, NDIS_STATUS_NOT_ACCEPTED, NDIS_STATUS_NOT_SUPPORTED,
    NDIS_STATUS_SUCCESS, OID_RECEIVE_FILTER_CLEAR_FILTER, OID_RECEIVE_FILTER_SET_FILTER,
};

const MAC: [u8; 6] = [0x02, 0x15, 0x5D, 0, 0, 7];

#[test]
fn mac_and_mac_plus_vlan_filters_are_accepted_and_recorded() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let q = common::allocated_queues(&mut host, adapter, 2);
    let f1 = host.set_mac_filter(adapter, q[0], MAC, None).expect("MAC + UNTAGGED_OR_ZERO");
    let f2 = host.set_mac_filter(adapter, q[1], MAC, Some(10)).expect("same MAC on VLAN 10: another key");
    assert_ne!(f1, f2);
    assert_eq!(host.filters(adapter).len(), 2);
    assert_eq!(host.clear_filter(adapter, q[0], f1).status, NDIS_STATUS_SUCCESS);
    assert_eq!(host.clear_filter(adapter, q[1], f2).status, NDIS_STATUS_SUCCESS);
    common::assert_clean(&mut host);
}

#[test]
fn unsupported_combinations_are_refused() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let q = common::allocated_queues(&mut host, adapter, 1)[0];
    let set =
        |host: &mut ndis_sim::Host, fields: &[FilterField]| host.set_filter(adapter, q, fields).map_err(|r| r.status);
    // (A MAC test alone is a MAC-only filter: accepted, see tests/vlan.rs.)
    let mac_only = FilterField::DestinationMac { mac: MAC, untagged_or_zero: false };
    // Both the flag and a VLAN test.
    let flagged = FilterField::DestinationMac { mac: MAC, untagged_or_zero: true };
    assert_eq!(set(&mut host, &[flagged, FilterField::VlanId(5)]), Err(NDIS_STATUS_INVALID_PARAMETER));
    // A VLAN test alone, VLAN ID 0, and VLAN 4095.
    assert_eq!(set(&mut host, &[FilterField::VlanId(5)]), Err(NDIS_STATUS_INVALID_PARAMETER));
    assert_eq!(set(&mut host, &[mac_only, FilterField::VlanId(0)]), Err(NDIS_STATUS_INVALID_PARAMETER));
    assert_eq!(set(&mut host, &[mac_only, FilterField::VlanId(0xFFF)]), Err(NDIS_STATUS_INVALID_PARAMETER));
    // Two MAC tests.
    assert_eq!(set(&mut host, &[flagged, flagged]), Err(NDIS_STATUS_INVALID_PARAMETER));
    // The same (MAC, VLAN) on a second filter.
    host.set_mac_filter(adapter, q, MAC, None).unwrap();
    assert_eq!(host.set_mac_filter(adapter, q, MAC, None).map_err(|r| r.status), Err(NDIS_STATUS_INVALID_PARAMETER));
    // A queue that does not exist.
    let r = host.set_mac_filter(adapter, QueueId(40), [2, 0, 0, 0, 0, 9], None).map_err(|r| r.status);
    assert_eq!(r, Err(NDIS_STATUS_INVALID_PARAMETER));
    common::assert_clean(&mut host);
}

#[test]
fn vlan_filters_are_refused_when_vlan_filtering_is_off() {
    let (mut host, adapter) = common::host_and_adapter(&[("*VMQVlanFiltering", 0)]);
    let q = common::allocated_queues(&mut host, adapter, 1)[0];
    let r = host.set_mac_filter(adapter, q, MAC, Some(10)).map_err(|r| r.status);
    assert_eq!(r, Err(NDIS_STATUS_NOT_SUPPORTED));
    host.set_mac_filter(adapter, q, MAC, None).expect("untagged MAC filters still work");
    common::assert_clean(&mut host);
}

#[test]
fn malformed_field_arrays_get_invalid_length_or_parameter() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let q = common::allocated_queues(&mut host, adapter, 1)[0];
    let good = filter_parameters_bytes(q, &[FilterField::DestinationMac { mac: MAC, untagged_or_zero: true }]);
    let send = |host: &mut ndis_sim::Host, b: &[u8]| {
        host.oid_method(adapter, OID_RECEIVE_FILTER_SET_FILTER, b, u32::try_from(b.len()).unwrap())
    };
    // Truncated: the array runs past the buffer.
    let r = send(&mut host, &good[..good.len() - 8]);
    assert_eq!(r.status, NDIS_STATUS_INVALID_LENGTH);
    assert_eq!(r.bytes_needed as usize, good.len());
    // NumElements huge.
    let mut b = good.clone();
    b[24..28].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(send(&mut host, &b).status, NDIS_STATUS_INVALID_PARAMETER);
    // Array offset inside the header.
    let mut b = good.clone();
    b[20..24].copy_from_slice(&8u32.to_le_bytes());
    assert_eq!(send(&mut host, &b).status, NDIS_STATUS_INVALID_PARAMETER);
    // Element size smaller than the field structure.
    let mut b = good.clone();
    b[28..32].copy_from_slice(&16u32.to_le_bytes());
    assert_eq!(send(&mut host, &b).status, NDIS_STATUS_INVALID_PARAMETER);
    // A buffer that stops inside the parameters: INVALID_LENGTH, asking for revision 1's 36 bytes.
    let r = send(&mut host, &good[..30]);
    assert_eq!((r.status, r.bytes_needed), (NDIS_STATUS_INVALID_LENGTH, 36));
    // A header that claims less than revision 1's size.
    let mut b = good.clone();
    b[2..4].copy_from_slice(&20u16.to_le_bytes());
    assert_eq!(send(&mut host, &b).status, NDIS_STATUS_INVALID_PARAMETER);
    assert!(host.filters(adapter).is_empty());
    common::assert_clean(&mut host);
}

#[test]
fn clearing_an_unknown_filter_is_not_accepted() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let q = common::allocated_queues(&mut host, adapter, 1)[0];
    let f = host.set_mac_filter(adapter, q, MAC, None).unwrap();
    let other = host.oid_set(adapter, OID_RECEIVE_FILTER_CLEAR_FILTER, &clear_filter_bytes(q, f + 7));
    assert_eq!(other.status, NDIS_STATUS_NOT_ACCEPTED);
    let wrong_queue = host.oid_set(adapter, OID_RECEIVE_FILTER_CLEAR_FILTER, &clear_filter_bytes(QueueId(q.0 + 1), f));
    assert_eq!(wrong_queue.status, NDIS_STATUS_NOT_ACCEPTED);
    let short = host.oid_set(adapter, OID_RECEIVE_FILTER_CLEAR_FILTER, &clear_filter_bytes(q, f)[..8]);
    assert_eq!(short.status, NDIS_STATUS_NOT_ACCEPTED);
    assert_eq!(host.clear_filter(adapter, q, f).status, NDIS_STATUS_SUCCESS);
    assert_eq!(host.clear_filter(adapter, q, f).status, NDIS_STATUS_NOT_ACCEPTED, "already cleared");
    common::assert_clean(&mut host);
}
