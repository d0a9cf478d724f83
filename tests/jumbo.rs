//! Jumbo frames: the standardized `*JumboPacket` keyword and frames longer than one receive buffer.
//!
//! "Standardized INF Keywords for Jumbo Packet"
//! (<https://learn.microsoft.com/windows-hardware/drivers/network/keywords-that-can-be-edited>):
//! the value is the frame size without FCS, the 14-byte header included — 1514 (off, the
//! default), 4088, 9014 —; the MTU the adapter reports (general attributes,
//! OID_GEN_MAXIMUM_FRAME_SIZE, the lookahead) is that minus 14, OID_GEN_MAXIMUM_TOTAL_SIZE the
//! value itself. Receive buffers stay 2 KiB: a longer frame is received into several buffers of
//! its queue and indicated as one NBL with one NET_BUFFER whose MDL chain and
//! `NextSharedMemorySegment` chain describe those buffers in order, each segment in the queue's
//! own shared memory — ndis-sim's rule `receive.shared-memory-chain`
//! ("NET_BUFFER_SHARED_MEMORY", "Shared Memory in Receive Buffers"), together with the
//! per-segment rules (`receive.other-queue-memory`, `receive.shared-memory-range`) and the frame
//! check (`receive.corrupt`: the indicated bytes, read through the MDL chain, are the frame sent).
//! The return gives back every buffer of the frame; FREE_QUEUE waits for all of them.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use ndis_sim::{FrameSpec, HostConfig};
use ndis_sys::{
    NDIS_STATUS_PENDING, NDIS_STATUS_SUCCESS, OID_GEN_CURRENT_LOOKAHEAD, OID_GEN_MAXIMUM_FRAME_SIZE,
    OID_GEN_MAXIMUM_LOOKAHEAD, OID_GEN_MAXIMUM_TOTAL_SIZE, OID_GEN_RCV_ERROR,
};

const A: [u8; 6] = [0x02, 0, 0, 0, 1, 1];
const B: [u8; 6] = [0x02, 0, 0, 0, 1, 2];
const NOBODY: [u8; 6] = [0x02, 0, 0, 0, 1, 0x7F];

fn query_u32(host: &mut ndis_sim::Host, adapter: ndis_sim::AdapterId, oid: u32) -> u32 {
    let r = host.oid_query(adapter, oid, 4);
    assert_eq!(r.status, NDIS_STATUS_SUCCESS, "query {oid:#x}");
    u32::from_le_bytes(r.data[..4].try_into().unwrap())
}

fn query_u64(host: &mut ndis_sim::Host, adapter: ndis_sim::AdapterId, oid: u32) -> u64 {
    let r = host.oid_query(adapter, oid, 8);
    u64::from_le_bytes(r.data[..8].try_into().unwrap())
}

/// `receive.shared-memory-chain`: 9014-byte frames to two VM queues (one VLAN-filtered, whose
/// tag goes to the NBL's 802.1Q info) and the default queue arrive whole, in order, with the tag
/// stripped where the filter says so, and with nothing left outstanding.
#[test]
fn nine_kilobyte_frames_reach_vm_queues_and_the_default_queue_whole_and_in_order() {
    let (mut host, adapter) = common::host_and_adapter(&[("*JumboPacket", 9014)]);
    let q = common::allocated_queues(&mut host, adapter, 2);
    host.set_mac_filter(adapter, q[0], A, None).unwrap();
    host.set_mac_filter(adapter, q[1], B, Some(100)).unwrap();
    let mut frames = Vec::new();
    for n in 0..30usize {
        let len = [9014, 4000, 2049, 2048, 60, 8192][n % 6];
        frames.push(match n % 3 {
            0 => FrameSpec::new(A, len),
            1 => FrameSpec::new(B, len.max(64)).vlan(100),
            _ => FrameSpec::new(NOBODY, len),
        });
    }
    for chunk in frames.chunks(10) {
        host.send_frames(adapter, chunk).unwrap();
    }
    let t = host.traffic(adapter);
    for queue in [q[0].0, q[1].0, 0] {
        let c = t.per_queue[&queue];
        assert_eq!((c.sent, c.delivered, c.dropped), (10, 10, 0), "queue {queue}");
        assert!(c.in_order, "queue {queue} in order");
    }
    assert_eq!(t.misdelivered, 0);
    assert_eq!(host.received_outstanding(adapter), 0, "every NBL came back");
    common::assert_clean(&mut host);
    // The adapter under test and the support adapter the frames came from.
    for a in host.live_adapters() {
        host.halt(a, 0).unwrap();
    }
    assert_eq!(host.report().shared_memory.bytes_outstanding, 0);
    assert_eq!(host.nbl_live(), (0, 0, 0), "every NBL, MDL and pool freed");
    common::assert_clean(&mut host);
}

/// The MTU follows the keyword: general attributes, OID_GEN_MAXIMUM_FRAME_SIZE (MTU),
/// OID_GEN_MAXIMUM_TOTAL_SIZE (frame), the lookahead; values other than 1514/4088/9014 read as 1514.
#[test]
fn the_reported_mtu_follows_jumbo_packet() {
    for (keyword, frame) in [(None, 1514), (Some(4088), 4088), (Some(9014), 9014), (Some(9000), 1514), (Some(1), 1514)]
    {
        let keywords: Vec<(&str, u32)> = keyword.map(|v| ("*JumboPacket", v)).into_iter().collect();
        let (mut host, adapter) = common::host_and_adapter(&keywords);
        let mtu = frame - 14;
        let general = host.general_attributes(adapter).unwrap();
        assert_eq!((general.mtu_size, general.lookahead_size), (mtu, mtu), "*JumboPacket {keyword:?}");
        assert_eq!(query_u32(&mut host, adapter, OID_GEN_MAXIMUM_FRAME_SIZE), mtu);
        assert_eq!(query_u32(&mut host, adapter, OID_GEN_MAXIMUM_LOOKAHEAD), mtu);
        assert_eq!(query_u32(&mut host, adapter, OID_GEN_CURRENT_LOOKAHEAD), mtu);
        assert_eq!(query_u32(&mut host, adapter, OID_GEN_MAXIMUM_TOTAL_SIZE), frame);
        assert!(host.keywords_read(adapter).iter().any(|k| k.eq_ignore_ascii_case("*JumboPacket")));
        common::assert_clean(&mut host);
    }
}

/// Without jumbo frames (the default 1514) a longer frame is not received: dropped and counted
/// as a receive error, never indicated in pieces.
#[test]
fn without_the_keyword_a_jumbo_frame_is_dropped_and_counted() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let q = common::allocated_queues(&mut host, adapter, 1)[0];
    host.set_mac_filter(adapter, q, A, None).unwrap();
    host.send_frames(adapter, &[FrameSpec::new(A, 4088), FrameSpec::new(A, 1514), FrameSpec::new(A, 9014)]).unwrap();
    let t = host.traffic(adapter);
    assert_eq!((t.per_queue[&q.0].delivered, t.per_queue[&q.0].dropped), (1, 2));
    assert_eq!(query_u64(&mut host, adapter, OID_GEN_RCV_ERROR), 2);
    // 4088 is not enough for a 9014-byte frame either.
    let (mut host, adapter) = common::host_and_adapter(&[("*JumboPacket", 4088)]);
    let q = common::allocated_queues(&mut host, adapter, 1)[0];
    host.set_mac_filter(adapter, q, A, None).unwrap();
    host.send_frames(adapter, &[FrameSpec::new(A, 4088), FrameSpec::new(A, 9014)]).unwrap();
    let t = host.traffic(adapter);
    assert_eq!((t.per_queue[&q.0].delivered, t.per_queue[&q.0].dropped), (1, 1));
    common::assert_clean(&mut host);
}

/// A jumbo frame takes five 2 KiB buffers; the return of its one NBL gives back all five, and a
/// FREE_QUEUE with chained NBLs out pends until they are back, then frees every allocation.
#[test]
fn returns_give_back_every_buffer_and_free_queue_waits_for_chained_nbls() {
    let mut host = common::host_with(HostConfig::default().hold_received(true));
    let adapter = common::add_adapter(&mut host, &[("*JumboPacket", 9014)]);
    let q = host.allocate_queue(adapter, ndis_sim::QueueSpec::default().suggested_buffers(16)).unwrap();
    host.complete_queue_allocation(adapter, &[q]).unwrap();
    let f = host.set_mac_filter(adapter, q, A, None).unwrap();
    // 16 buffers hold three 9014-byte frames (5 buffers each); the fourth finds one buffer.
    host.send_frames(adapter, &[FrameSpec::new(A, 9014); 4]).unwrap();
    let t = host.traffic(adapter);
    assert_eq!((t.per_queue[&q.0].delivered, t.per_queue[&q.0].dropped), (3, 1));
    assert_eq!(host.received_outstanding(adapter), 3, "one NBL per frame");
    // Returned, the 15 buffers hold three frames again — many times over.
    for round in 0..5 {
        host.return_received(adapter);
        host.send_frames(adapter, &[FrameSpec::new(A, 9014); 3]).unwrap();
        assert_eq!(host.traffic(adapter).per_queue[&q.0].delivered, 6 + 3 * round, "round {round}");
    }
    assert_eq!(host.clear_filter(adapter, q, f).status, NDIS_STATUS_SUCCESS);
    let r = host.free_queue(adapter, q);
    assert_eq!(r.status, NDIS_STATUS_PENDING, "three chained NBLs are still out");
    assert!(common::outstanding_blocks(&mut host, adapter, q.0) > 0);
    host.return_received(adapter);
    let completions = host.take_oid_completions(adapter);
    assert_eq!(completions.len(), 1);
    assert_eq!(completions[0].status, NDIS_STATUS_SUCCESS);
    assert_eq!(common::outstanding_blocks(&mut host, adapter, q.0), 0);
    common::assert_clean(&mut host);
}
