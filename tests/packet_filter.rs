//! "OID_GEN_CURRENT_PACKET_FILTER"
//! (<https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-current-packet-filter>):
//! while the filter is 0 nothing is indicated on the default queue; directed, multicast
//! (against OID_802_3_MULTICAST_LIST), all-multicast, broadcast and promiscuous decide what it
//! receives. VM queues are governed by their VMQ filters. ndis-sim checks every default-queue
//! indication against the filter in force (rule `receive.packet-filter`).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use ndis_sim::FrameSpec;
use ndis_sys::{
    NDIS_PACKET_TYPE_BROADCAST, NDIS_PACKET_TYPE_DIRECTED, NDIS_PACKET_TYPE_MULTICAST, NDIS_STATUS_SUCCESS,
    OID_802_3_MULTICAST_LIST, OID_GEN_CURRENT_PACKET_FILTER,
};

const VM: [u8; 6] = [0x02, 0, 0, 0, 1, 1];
const GROUP: [u8; 6] = [0x01, 0, 0x5E, 0, 0, 7];

fn default_queue_delivered(host: &mut ndis_sim::Host, adapter: ndis_sim::AdapterId) -> u64 {
    host.traffic(adapter).per_queue.get(&0).map_or(0, |c| c.delivered)
}

#[test]
fn the_default_queue_receives_what_the_packet_filter_admits() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let own: [u8; 6] = host.general_attributes(adapter).unwrap().current_mac_address.try_into().unwrap();
    let q = common::allocated_queues(&mut host, adapter, 1)[0];
    host.set_mac_filter(adapter, q, VM, None).unwrap();
    let set = |host: &mut ndis_sim::Host, filter: u32| {
        assert_eq!(
            host.oid_set(adapter, OID_GEN_CURRENT_PACKET_FILTER, &filter.to_le_bytes()).status,
            NDIS_STATUS_SUCCESS
        );
    };
    let frames = [
        FrameSpec::new([0xFF; 6], 60),
        FrameSpec::new(own, 60),
        FrameSpec::new([0x02, 0, 0, 0, 9, 9], 60),
        FrameSpec::new(GROUP, 60),
        FrameSpec::new(VM, 60), // the VM queue's, whatever the packet filter
    ];
    // Filter 0: nothing on the default queue; the VM queue still receives.
    set(&mut host, 0);
    host.send_frames(adapter, &frames).unwrap();
    assert_eq!(default_queue_delivered(&mut host, adapter), 0);
    assert_eq!(host.traffic(adapter).per_queue[&q.0].delivered, 1);
    // Directed + broadcast: the broadcast and the frame to the adapter's own address.
    set(&mut host, NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST);
    host.send_frames(adapter, &frames).unwrap();
    assert_eq!(default_queue_delivered(&mut host, adapter), 2);
    // Multicast with the group listed: that group only.
    assert_eq!(host.oid_set(adapter, OID_802_3_MULTICAST_LIST, &GROUP).status, NDIS_STATUS_SUCCESS);
    set(&mut host, NDIS_PACKET_TYPE_MULTICAST);
    host.send_frames(adapter, &frames).unwrap();
    assert_eq!(default_queue_delivered(&mut host, adapter), 3);
    assert_eq!(host.traffic(adapter).per_queue[&q.0].delivered, 3);
    common::assert_clean(&mut host);
}
