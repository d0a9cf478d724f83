//! VLAN filters and tag stripping.
//!
//! "NDIS_RECEIVE_FILTER_FIELD_PARAMETERS" (remarks): for a MAC + non-zero VLAN filter, and for a
//! MAC-only filter without VLAN_UNTAGGED_OR_ZERO, the 802.1Q tag is removed from the packet data
//! and put in the NBL's NDIS_NET_BUFFER_LIST_8021Q_INFO; "Setting a VMQ Filter" gives a 6.30
//! miniport no refusal of the MAC-only filter. ndis-sim puts the tag back from the NBL info
//! before it compares the frame with what was sent (so a wrong VLAN ID in the info is
//! `receive.corrupt`) and reports `receive.vlan-tag-in-data` for a tag left in the data.
//! FieldShortValue is in host byte order (the decision and its evidence: src/vmq/filter.rs).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use ndis_sim::{FilterField, FrameSpec};

const A: [u8; 6] = [0x02, 0, 0, 0, 1, 1];
const B: [u8; 6] = [0x02, 0, 0, 0, 1, 2];
const C: [u8; 6] = [0x02, 0, 0, 0, 1, 3];

#[test]
fn vlan_100_and_vlan_5_queues_get_their_frames_without_the_tag() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let q = common::allocated_queues(&mut host, adapter, 3);
    host.set_mac_filter(adapter, q[0], A, Some(100)).unwrap();
    host.set_mac_filter(adapter, q[1], A, Some(5)).unwrap();
    // MAC-only: every frame to C, tagged or not.
    host.set_filter(adapter, q[2], &[FilterField::DestinationMac { mac: C, untagged_or_zero: false }]).unwrap();
    let frames = [
        FrameSpec::new(A, 100).vlan(100),  // q0
        FrameSpec::new(A, 200).vlan(5),    // q1
        FrameSpec::new(A, 300).vlan(5),    // q1
        FrameSpec::new(A, 120).vlan(1280), // 5 read in the other byte order: nobody's, default queue
        FrameSpec::new(A, 60),             // untagged: default queue
        FrameSpec::new(C, 90).vlan(7),     // q2, tag stripped
        FrameSpec::new(C, 64),             // q2, untagged
        FrameSpec::new(B, 64).vlan(100),   // default queue
    ];
    host.send_frames(adapter, &frames).unwrap();
    let t = host.traffic(adapter);
    let delivered = |queue: u32| t.per_queue.get(&queue).map_or(0, |c| c.delivered);
    assert_eq!((delivered(q[0].0), delivered(q[1].0), delivered(q[2].0), delivered(0)), (1, 2, 2, 3));
    assert_eq!(t.misdelivered, 0);
    common::assert_clean(&mut host);
}
