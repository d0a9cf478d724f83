//! vmqnic itself on QEMU's 82576 (igb): the driver picks the 82576 back end from its PCI
//! resources, receives by DMA into each VM queue's shared memory from the queue's MSI-X DPC on
//! the queue's affinity processor, steers by MAC and VLAN in the device's VMDq pools, transmits
//! with NdisMAllocateNetBufferSGList, and reports link changes.
//!
//! Pages: "VMQ receive path" (indications per queue), "NDIS_RECEIVE_FILTER_CAPABILITIES"
//! (MSI_X_SUPPORTED: a table entry per receive queue), "NdisMConfigMSIXTableEntry",
//! "NDIS_RECEIVE_FILTER_FIELD_PARAMETERS" (the tag leaves the data into the NBL info),
//! "NDIS_STATUS_LINK_STATE". Every test starts its own QEMU; without QEMU they fail naming the
//! package (`cargo xtask setup` installs it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::time::Duration;

use ndis_sim::qemu::{QemuOptions, attach_igb};
use ndis_sim::{AdapterConfig, AdapterId, FrameSpec, Host, HostConfig, QueueId, QueueSpec};

const PROCESSORS: u32 = 4;
const VM_A: [u8; 6] = [0x02, 0x15, 0x5D, 0, 0, 1];
const VM_B: [u8; 6] = [0x02, 0x15, 0x5D, 0, 0, 2];
const NOBODY: [u8; 6] = [0x02, 0x15, 0x5D, 0xFF, 0xFF, 0xFE];

/// A host whose adapter is vmqnic on QEMU's igb, link up.
fn igb_host() -> (Host, AdapterId) {
    let mut host = Host::new(HostConfig::default().seed(5).processor_count(PROCESSORS));
    host.with_model(|m, _| attach_igb(m, &QemuOptions::default()))
        .unwrap_or_else(|e| panic!("starting QEMU's igb: {e}"));
    host.load_driver(vmqnic::DriverEntry).unwrap();
    let a = host.add_adapter(AdapterConfig::default()).expect("MiniportInitializeEx on the 82576");
    // The driver reset the device in MiniportInitializeEx: the link comes back (LSC) within a
    // second, and the other-causes DPC indicates NDIS_STATUS_LINK_STATE.
    assert!(host.wait_for_link(a, true, Duration::from_secs(10)).unwrap(), "no link-up indication");
    (host, a)
}

fn queues(host: &mut Host, a: AdapterId, affinities: &[u64]) -> Vec<QueueId> {
    let ids: Vec<QueueId> = affinities
        .iter()
        .map(|&mask| host.allocate_queue(a, QueueSpec::default().affinity(mask)).expect("ALLOCATE_QUEUE"))
        .collect();
    for (q, status) in host.complete_queue_allocation(a, &ids).unwrap() {
        assert_eq!(status, ndis_sys::NDIS_STATUS_SUCCESS, "{q:?}");
    }
    ids
}

#[test]
fn frames_land_by_dma_in_their_queues_memory_and_are_indicated_on_the_queues_processor() {
    let (mut host, a) = igb_host();
    let q = queues(&mut host, a, &[1 << 2, 1 << 3]);
    host.set_mac_filter(a, q[0], VM_A, None).unwrap();
    host.set_mac_filter(a, q[1], VM_B, Some(100)).unwrap();
    let frames: Vec<FrameSpec> = (0..40)
        .map(|n| match n % 3 {
            0 => FrameSpec::new(VM_A, 60 + n * 10),
            1 => FrameSpec::new(VM_B, 100 + n * 20).vlan(100),
            _ => FrameSpec::new(NOBODY, 64),
        })
        .collect();
    let deliveries = host.wire_send_frames(&frames).unwrap();
    assert!(deliveries.iter().any(|d| d.dpc), "the device interrupted: {deliveries:?}");
    let t = host.traffic(a);
    let delivered = |queue: u32| t.per_queue.get(&queue).map_or(0, |c| c.delivered);
    assert_eq!((delivered(q[0].0), delivered(q[1].0), delivered(0)), (14, 13, 13), "{t:#?}");
    assert_eq!(t.misdelivered, 0);
    host.return_received(a);
    let v = host.take_violations();
    assert!(v.is_empty(), "{v:#?}");
    host.halt(a, 0).unwrap();
    let v = host.take_violations();
    assert!(v.is_empty(), "{v:#?}");
}

#[test]
fn a_link_down_and_up_is_indicated_and_answered_and_traffic_resumes() {
    // "NDIS_STATUS_LINK_STATE": every change of the media connect state is indicated;
    // OID_GEN_MEDIA_CONNECT_STATUS answers the state in force.
    let (mut host, a) = igb_host();
    let q = queues(&mut host, a, &[1 << 1]);
    host.set_mac_filter(a, q[0], VM_A, None).unwrap();
    let connect = |host: &mut Host| {
        let r = host.oid_query(a, ndis_sys::OID_GEN_MEDIA_CONNECT_STATUS, 4);
        assert!(r.succeeded(), "{r:?}");
        u32::from_le_bytes(r.data[..4].try_into().unwrap())
    };
    assert_eq!(connect(&mut host), 0, "NdisMediaStateConnected");
    host.set_link(false).unwrap();
    assert!(host.wait_for_link(a, false, Duration::from_secs(10)).unwrap(), "no link-down indication");
    assert_eq!(connect(&mut host), 1, "NdisMediaStateDisconnected");
    host.set_link(true).unwrap();
    assert!(host.wait_for_link(a, true, Duration::from_secs(10)).unwrap(), "no link-up indication");
    assert_eq!(connect(&mut host), 0);
    let frames: Vec<FrameSpec> = (0..8).map(|n| FrameSpec::new(VM_A, 64 + n)).collect();
    host.wire_send_frames(&frames).unwrap();
    assert_eq!(host.traffic(a).per_queue.get(&q[0].0).map_or(0, |t| t.delivered), 8);
    host.halt(a, 0).unwrap();
    let v = host.take_violations();
    assert!(v.is_empty(), "{v:#?}");
}

#[test]
fn a_pause_with_sends_in_the_transmit_ring_completes_when_the_device_finished_them() {
    // "MiniportPause": the miniport completes the pause only after every outstanding send is
    // complete; the 82576 completes sends from its transmit interrupt's DPC.
    let (mut host, a) = igb_host();
    let frames: Vec<FrameSpec> = (0..4).map(|n| FrameSpec::new(NOBODY, 100 + n)).collect();
    let sent = host.send_from(a, &frames).unwrap();
    assert_eq!(sent.sent, 4);
    host.pause(a).expect("the pause completes once the transmit DPC completed the sends");
    assert_eq!(host.phase(a), Some(ndis_sim::model::adapter::Phase::Paused));
    let outstanding = host.send_from(a, &frames).err();
    assert!(outstanding.is_some(), "NDIS sends nothing to a paused adapter");
    host.restart(a).unwrap();
    host.halt(a, 0).unwrap();
    let v = host.take_violations();
    assert!(v.is_empty(), "{v:#?}");
}

#[test]
fn a_power_cycle_keeps_queues_filters_and_memory_and_nothing_arrives_in_d3() {
    // "OID_PNP_SET_POWER": in D3 receive DMA stops on every queue; back in D0 every queue, its
    // filters and its shared memory work again with nothing re-allocated.
    let (mut host, a) = igb_host();
    let q = queues(&mut host, a, &[1 << 1]);
    host.set_mac_filter(a, q[0], VM_A, None).unwrap();
    let frames: Vec<FrameSpec> = (0..8).map(|n| FrameSpec::new(VM_A, 64 + n)).collect();
    host.wire_send_frames(&frames).unwrap();
    let allocations = host.shared_memory_allocation_calls();
    host.pause(a).unwrap();
    assert!(host.set_power(a, ndis_sys::NdisDeviceStateD3).succeeded());
    host.wire_send_frames(&frames).unwrap();
    assert!(host.set_power(a, ndis_sys::NdisDeviceStateD0).succeeded());
    host.restart(a).unwrap();
    host.wire_send_frames(&frames).unwrap();
    let t = host.traffic(a);
    let queue = t.per_queue.get(&q[0].0).copied().unwrap_or_default();
    assert_eq!((queue.sent, queue.delivered), (24, 16), "the 8 frames of D3 were not indicated");
    assert_eq!(host.shared_memory_allocation_calls(), allocations, "nothing re-allocated");
    host.halt(a, 0).unwrap();
    let v = host.take_violations();
    assert!(v.is_empty(), "{v:#?}");
}

#[test]
fn frames_for_a_queue_whose_allocation_is_not_complete_reach_no_other_queue() {
    // "VMQ receive path": a frame goes to the queue whose filter matches it, or nowhere while
    // that queue cannot receive; never to another VM queue, nor to the default queue.
    let (mut host, a) = igb_host();
    let q1 = queues(&mut host, a, &[1 << 1]);
    host.set_mac_filter(a, q1[0], VM_A, None).unwrap();
    let q2 = host.allocate_queue(a, QueueSpec::default().affinity(1 << 2)).unwrap();
    host.set_mac_filter(a, q2, VM_B, None).unwrap();
    let frames: Vec<FrameSpec> = (0..6).map(|n| FrameSpec::new(if n % 2 == 0 { VM_A } else { VM_B }, 64 + n)).collect();
    host.wire_send_frames(&frames).unwrap();
    let t = host.traffic(a);
    assert_eq!(t.misdelivered, 0, "{t:#?}");
    assert_eq!(t.per_queue.get(&q1[0].0).map_or(0, |c| c.delivered), 3, "{t:#?}");
    let v = host.take_violations();
    assert!(v.is_empty(), "{v:#?}");
    for (q, status) in host.complete_queue_allocation(a, &[q2]).unwrap() {
        assert_eq!(status, ndis_sys::NDIS_STATUS_SUCCESS, "{q:?}");
    }
    host.wire_send_frames(&frames).unwrap();
    let t = host.traffic(a);
    assert_eq!(t.per_queue.get(&q2.0).map_or(0, |c| c.delivered), 3, "{t:#?}");
    let v = host.take_violations();
    assert!(v.is_empty(), "{v:#?}");
    host.halt(a, 0).unwrap();
}
