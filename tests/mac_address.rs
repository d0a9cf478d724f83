//! Addresses and MAC options of the software NIC.
//!
//! Adapters of one driver share a segment, so each has its own permanent address (ndis-sim:
//! `attributes.duplicate-mac`); MAC options tell the truth ("OID_GEN_MAC_OPTIONS"):
//! NDIS_MAC_OPTION_8021P_PRIORITY, which every NDIS 6 miniport sets (`attributes.mac-options`),
//! and no NDIS_MAC_OPTION_NO_LOOPBACK while the software NIC loops sends back
//! (`receive.loopback`).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use ndis_sys::{NDIS_MAC_OPTION_8021P_PRIORITY, NDIS_MAC_OPTION_NO_LOOPBACK};

#[test]
fn two_adapters_have_their_own_addresses_and_truthful_mac_options() {
    let (mut host, first) = common::host_and_adapter(&[]);
    let second = common::add_adapter(&mut host, &[]);
    let a = host.general_attributes(first).unwrap();
    let b = host.general_attributes(second).unwrap();
    assert_ne!(a.permanent_mac_address, b.permanent_mac_address);
    assert_eq!(a.permanent_mac_address[0] & 0x03, 0x02, "locally administered, unicast");
    assert_ne!(a.mac_options & NDIS_MAC_OPTION_8021P_PRIORITY, 0);
    // The software NIC puts its sends on the driver's segment and never receives them itself.
    assert_ne!(a.mac_options & NDIS_MAC_OPTION_NO_LOOPBACK, 0);
    host.send_from(first, &[ndis_sim::FrameSpec::new([0xFF; 6], 60); 4]).unwrap();
    common::assert_clean(&mut host);
}

/// The standardized `NetworkAddress` keyword sets the current address (ndis-sim:
/// `attributes.network-address`); the permanent one stays; directed frames follow it.
#[test]
fn network_address_sets_the_current_address() {
    let mut host = common::host_with(ndis_sim::HostConfig::default());
    let configured = [0x02, 0x11, 0x22, 0x33, 0x44, 0x55];
    let adapter = host.add_adapter(ndis_sim::AdapterConfig::default().network_address(configured)).unwrap();
    let general = host.general_attributes(adapter).unwrap();
    assert_eq!(general.current_mac_address, configured);
    assert_ne!(general.permanent_mac_address, configured);
    let current = host.oid_query(adapter, ndis_sys::OID_802_3_CURRENT_ADDRESS, 6);
    assert_eq!(current.data, configured);
    assert!(host.keywords_read(adapter).iter().any(|k| k == "networkaddress"));
    // A multicast NetworkAddress is not a station address: ignored.
    let other = host.add_adapter(ndis_sim::AdapterConfig::default().network_address([0x01, 0, 0, 0, 0, 1])).unwrap();
    let general = host.general_attributes(other).unwrap();
    assert_eq!(general.current_mac_address, general.permanent_mac_address);
    common::assert_clean(&mut host);
}
