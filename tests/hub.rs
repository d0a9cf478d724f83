//! The software NIC is netvmini's hub: the adapters of one driver instance share a virtual
//! Ethernet segment; a frame one adapter sends is received by the others and never by the
//! sender, which therefore claims NDIS_MAC_OPTION_NO_LOOPBACK ("OID_GEN_MAC_OPTIONS"). The HLK
//! VMQ tests begin with the connectivity of the adapter under test and a support adapter.
//!
//! Rule: `receive.loopback` (an adapter claiming NO_LOOPBACK indicates a frame it sent);
//! the receive checks (filters, order, content) apply to what the adapter under test gets.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use ndis_sim::{AdapterId, FrameSpec, HostConfig};
use ndis_sys::{NDIS_PACKET_TYPE_PROMISCUOUS, NDIS_STATUS_SUCCESS, OID_GEN_CURRENT_PACKET_FILTER};

const VM: [u8; 6] = [0x02, 0x15, 0x5D, 0, 0, 7];

fn promiscuous(host: &mut ndis_sim::Host, a: AdapterId) {
    let r = host.oid_set(a, OID_GEN_CURRENT_PACKET_FILTER, &NDIS_PACKET_TYPE_PROMISCUOUS.to_le_bytes());
    assert_eq!(r.status, NDIS_STATUS_SUCCESS);
}

/// Support adapter → adapter under test: every frame reaches the queue its filters choose, in
/// order and intact; the support adapter, promiscuous so that it would take anything on the
/// segment, indicates none of its own frames (`receive.loopback`).
#[test]
fn support_adapter_frames_reach_the_adapter_under_test_and_never_return() {
    let mut host = common::host_with(HostConfig::default().seed(3).hold_received(true));
    let adapter = common::add_adapter(&mut host, &[]);
    let support = common::with_support_adapter(&mut host);
    assert_ne!(support, adapter);
    promiscuous(&mut host, support);
    let q = common::allocated_queues(&mut host, adapter, 1);
    host.set_mac_filter(adapter, q[0], VM, None).unwrap();
    let frames = [FrameSpec::new(VM, 200), FrameSpec::new([0xFF; 6], 60), FrameSpec::new(VM, 1514)];
    let sent = host.send_frames(adapter, &frames).unwrap();
    assert_eq!(sent.completed, vec![NDIS_STATUS_SUCCESS; 3], "the support adapter's sends complete");
    let t = host.traffic(adapter);
    assert_eq!((t.frames_sent, t.frames_delivered, t.misdelivered), (3, 3, 0));
    assert_eq!(t.per_queue[&q[0].0].delivered, 2);
    assert_eq!(host.received_outstanding(adapter), 3);
    assert_eq!(host.received_outstanding(support), 0, "the sender never receives its own frames");
    host.return_received(adapter);
    common::assert_clean(&mut host);
}

/// The other way: the adapter under test sends; the support adapter receives, the sender not.
#[test]
fn the_adapter_under_test_sends_to_the_support_adapter() {
    let mut host = common::host_with(HostConfig::default().seed(4).hold_received(true));
    let adapter = common::add_adapter(&mut host, &[]);
    let support = common::with_support_adapter(&mut host);
    promiscuous(&mut host, support);
    let r = host.send_from(adapter, &[FrameSpec::new([0xFF; 6], 60); 5]).unwrap();
    assert_eq!(r.completed, vec![NDIS_STATUS_SUCCESS; 5]);
    assert_eq!(host.received_outstanding(support), 5);
    assert_eq!(host.received_outstanding(adapter), 0);
    host.return_received(support);
    common::assert_clean(&mut host);
}

/// An adapter alone on its segment receives nothing of what it sends.
#[test]
fn an_adapter_alone_receives_nothing_it_sends() {
    let mut host = common::host_with(HostConfig::default().seed(5).hold_received(true));
    let adapter = host.add_adapter(ndis_sim::AdapterConfig::default()).unwrap();
    promiscuous(&mut host, adapter);
    host.send_from(adapter, &[FrameSpec::new([0xFF; 6], 60); 4]).unwrap();
    assert_eq!(host.received_outstanding(adapter), 0);
    common::assert_clean(&mut host);
}
