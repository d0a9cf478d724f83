//! "Mandatory OIDs for miniport drivers": OID_GEN_STATISTICS (query),
//! OID_GEN_INTERRUPT_MODERATION (query and set) and OID_GEN_LINK_PARAMETERS (set) are
//! answered per their pages and listed in SupportedOidList; ndis-sim sends them after every
//! MiniportInitializeEx (rule `oid.mandatory`), so every `assert_clean` also covers them.
//! <https://learn.microsoft.com/windows-hardware/drivers/network/mandatory-oids-for-miniport-drivers>
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use ndis_sim::FrameSpec;
use ndis_sys::{
    NDIS_STATUS_INVALID_DATA, NDIS_STATUS_SUCCESS, OID_GEN_INTERRUPT_MODERATION, OID_GEN_LINK_PARAMETERS,
    OID_GEN_STATISTICS,
};

fn u64_at(data: &[u8], field: usize) -> u64 {
    u64::from_le_bytes(data[8 + 8 * field..16 + 8 * field].try_into().unwrap())
}

/// "OID_GEN_STATISTICS": an NDIS_STATISTICS_INFO whose counters follow the traffic, by class.
#[test]
fn statistics_count_the_traffic_by_destination_class() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    common::assert_clean(&mut host);
    let frames =
        [FrameSpec::new([0xFF; 6], 60), FrameSpec::new([0xFF; 6], 100), FrameSpec::new([0x01, 0, 0x5E, 0, 0, 1], 80)];
    // The adapter's own send path (its transmit counters).
    host.send_from(adapter, &frames).unwrap();
    let r = host.oid_query(adapter, OID_GEN_STATISTICS, 152);
    assert_eq!(r.status, NDIS_STATUS_SUCCESS);
    assert_eq!(r.bytes_written, 152);
    assert_eq!(&r.data[..4], &[0x80, 1, 152, 0]);
    // ifHCOutOctets, ifHCOutMulticastPkts, ifHCOutBroadcastPkts, ifHCOutBroadcastOctets.
    assert_eq!((u64_at(&r.data, 6), u64_at(&r.data, 8), u64_at(&r.data, 9), u64_at(&r.data, 17)), (240, 1, 2, 160));
    let short = host.oid_query(adapter, OID_GEN_STATISTICS, 100);
    assert_eq!((short.status, short.bytes_needed), (ndis_sys::NDIS_STATUS_BUFFER_TOO_SHORT, 152));
    common::assert_clean(&mut host);
}

/// "OID_GEN_INTERRUPT_MODERATION": NotSupported in the query, NDIS_STATUS_INVALID_DATA for a set.
#[test]
fn interrupt_moderation_is_reported_not_supported() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let q = host.oid_query(adapter, OID_GEN_INTERRUPT_MODERATION, 12);
    assert_eq!(q.status, NDIS_STATUS_SUCCESS);
    assert_eq!(u32::from_le_bytes(q.data[8..12].try_into().unwrap()), ndis_sys::NdisInterruptModerationNotSupported);
    let mut enable = q.data.clone();
    enable[8..12].copy_from_slice(&ndis_sys::NdisInterruptModerationEnabled.to_le_bytes());
    assert_eq!(host.oid_set(adapter, OID_GEN_INTERRUPT_MODERATION, &enable).status, NDIS_STATUS_INVALID_DATA);
    common::assert_clean(&mut host);
}

/// "OID_GEN_LINK_PARAMETERS": the link the adapter has is accepted; another speed is not.
#[test]
fn link_parameters_accept_the_link_the_adapter_has() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let speed = host.general_attributes(adapter).unwrap().max_xmit_link_speed;
    let link = |speed: u64| {
        let mut l = [0u8; 32];
        l[..4].copy_from_slice(&[0x80, 1, 32, 0]);
        l[4..8].copy_from_slice(&2u32.to_le_bytes());
        l[8..16].copy_from_slice(&speed.to_le_bytes());
        l[16..24].copy_from_slice(&speed.to_le_bytes());
        l
    };
    assert_eq!(host.oid_set(adapter, OID_GEN_LINK_PARAMETERS, &link(speed)).status, NDIS_STATUS_SUCCESS);
    assert_eq!(host.oid_set(adapter, OID_GEN_LINK_PARAMETERS, &link(speed / 10)).status, NDIS_STATUS_INVALID_DATA);
    common::assert_clean(&mut host);
}
