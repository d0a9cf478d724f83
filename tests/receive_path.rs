//! Demux into VM queues, indications out of shared memory, buffer
//! exhaustion, and teardown that waits for every indicated NBL.
//!
//! Rules (<https://learn.microsoft.com/windows-hardware/drivers/network/vmq-receive-path>, <https://learn.microsoft.com/windows-hardware/drivers/network/queue-states-and-operations>):
//! "Receive indications are allowed only in Running"; "No filters → do
//! not indicate or retain packets on that queue"; "Frame order within a queue must be
//! preserved". FREE_QUEUE (<https://learn.microsoft.com/windows-hardware/drivers/network/freeing-a-vm-queue>): "Wait until every NBL indicated from that queue has come back through
//! MiniportReturnNetBufferLists", then "return PENDING and later call NdisMOidRequestComplete".
//! MiniportPause (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_pause>): "The miniport waits for all NdisMIndicateReceiveNetBufferLists calls to return and
//! all NBLs to be returned". ndis-sim checks each indicated NBL's shared-memory description,
//! flags, frame content, filter match (cross-VM leak) and per-queue order.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use ndis_sim::{FrameSpec, HostConfig, QueueId};
use ndis_sys::{NDIS_STATUS_PENDING, NDIS_STATUS_SUCCESS, OID_GEN_RCV_NO_BUFFER};

fn mac(n: u8) -> [u8; 6] {
    [0x02, 0x15, 0x5D, 0, 0, n]
}

#[test]
fn frames_land_in_the_queue_whose_filter_matches_in_order() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let q = common::allocated_queues(&mut host, adapter, 3);
    host.set_mac_filter(adapter, q[0], mac(1), None).unwrap();
    host.set_mac_filter(adapter, q[1], mac(2), Some(20)).unwrap();
    // q[2] has no filter: it must receive nothing.
    let mut frames = Vec::new();
    for i in 0..300 {
        frames.push(match i % 5 {
            0 => FrameSpec::new(mac(1), 60 + i % 1400),
            1 => FrameSpec::new(mac(2), 1514).vlan(20),
            2 => FrameSpec::new(mac(1), 200).vlan(20), // tagged: not for q[0]'s untagged filter
            3 => FrameSpec::new(mac(2), 200),          // untagged: not for q[1]'s VLAN filter
            _ => FrameSpec::new(mac(3), 64),           // nobody's: default queue
        });
    }
    for chunk in frames.chunks(32) {
        host.send_frames(adapter, chunk).unwrap();
    }
    let t = host.traffic(adapter);
    assert_eq!((t.frames_sent, t.frames_delivered, t.misdelivered, t.frames_dropped), (300, 300, 0, 0));
    assert_eq!(t.per_queue[&q[0].0].delivered, 60);
    assert_eq!(t.per_queue[&q[1].0].delivered, 60);
    assert_eq!(t.per_queue[&0].delivered, 180);
    assert!(t.per_queue.get(&q[2].0).is_none_or(|x| x.delivered == 0));
    assert!(t.per_queue.values().all(|x| x.in_order));
    common::assert_clean(&mut host);
}

#[test]
fn clearing_the_last_filter_stops_indications_on_the_queue() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let q = common::allocated_queues(&mut host, adapter, 1)[0];
    let f = host.set_mac_filter(adapter, q, mac(1), None).unwrap();
    host.send_frames(adapter, &[FrameSpec::new(mac(1), 100); 4]).unwrap();
    assert_eq!(host.clear_filter(adapter, q, f).status, NDIS_STATUS_SUCCESS);
    host.send_frames(adapter, &[FrameSpec::new(mac(1), 100); 4]).unwrap();
    let t = host.traffic(adapter);
    assert_eq!(t.per_queue[&q.0].delivered, 4);
    assert_eq!(t.per_queue[&0].delivered, 4, "after the clear the MAC is nobody's");
    assert_eq!(t.misdelivered, 0);
    common::assert_clean(&mut host);
}

#[test]
fn running_out_of_buffers_drops_and_counts_without_allocating() {
    let mut host = common::host_with(HostConfig::default().seed(3).hold_received(true));
    let adapter = common::add_adapter(&mut host, &[]);
    common::with_support_adapter(&mut host);
    let q = host.allocate_queue(adapter, ndis_sim::QueueSpec::default().suggested_buffers(16)).unwrap();
    host.complete_queue_allocation(adapter, &[q]).unwrap();
    host.set_mac_filter(adapter, q, mac(1), None).unwrap();
    let pool_before = host.pool_allocation_calls();
    for _ in 0..3 {
        host.send_frames(adapter, &[FrameSpec::new(mac(1), 128); 10]).unwrap();
    }
    assert_eq!(host.pool_allocation_calls(), pool_before, "no allocation on the receive path");
    let t = host.traffic(adapter);
    assert_eq!(t.per_queue[&q.0].delivered, 16, "16 buffers, all held by the protocol");
    assert_eq!(t.per_queue[&q.0].dropped, 14);
    let no_buffer = host.oid_query(adapter, OID_GEN_RCV_NO_BUFFER, 8);
    assert_eq!(u64::from_le_bytes(no_buffer.data[..8].try_into().unwrap()), 14);
    // Once NDIS returns the NBLs, the queue receives again.
    host.return_received(adapter);
    host.send_frames(adapter, &[FrameSpec::new(mac(1), 128); 5]).unwrap();
    assert_eq!(host.traffic(adapter).per_queue[&q.0].delivered, 21);
    host.return_received(adapter);
    common::assert_clean(&mut host);
}

#[test]
fn free_queue_pends_until_every_indicated_nbl_returns() {
    let mut host = common::host_with(HostConfig::default().hold_received(true));
    let adapter = common::add_adapter(&mut host, &[]);
    let q = common::allocated_queues(&mut host, adapter, 1)[0];
    let f = host.set_mac_filter(adapter, q, mac(1), None).unwrap();
    host.send_frames(adapter, &[FrameSpec::new(mac(1), 300); 8]).unwrap();
    assert_eq!(host.clear_filter(adapter, q, f).status, NDIS_STATUS_SUCCESS);
    let blocks_before = common::outstanding_blocks(&mut host, adapter, q.0);
    let r = host.free_queue(adapter, q);
    assert_eq!(r.status, NDIS_STATUS_PENDING, "8 NBLs are still with the protocol");
    assert!(r.pended);
    // DMA stopped was indicated, but the memory is still there.
    assert_eq!(common::outstanding_blocks(&mut host, adapter, q.0), blocks_before);
    host.return_received(adapter);
    let completions = host.take_oid_completions(adapter);
    assert_eq!(completions.len(), 1);
    assert_eq!(completions[0].status, NDIS_STATUS_SUCCESS);
    assert_eq!(common::outstanding_blocks(&mut host, adapter, q.0), 0);
    assert!(host.report().work_items_run >= 1, "freed from the PASSIVE_LEVEL work item");
    common::assert_clean(&mut host);
}

#[test]
fn pause_waits_for_returns_and_keeps_queues_and_filters() {
    let mut host = common::host_with(HostConfig::default().hold_received(true));
    let adapter = common::add_adapter(&mut host, &[]);
    let q = common::allocated_queues(&mut host, adapter, 1)[0];
    host.set_mac_filter(adapter, q, mac(1), None).unwrap();
    host.send_frames(adapter, &[FrameSpec::new(mac(1), 300); 4]).unwrap();
    // NDIS pauses with 4 NBLs out; the driver pends until they return (ndis-sim returns
    // them for a pended pause, as NDIS's protocols must).
    host.pause(adapter).unwrap();
    host.restart(adapter).unwrap();
    host.send_frames(adapter, &[FrameSpec::new(mac(1), 300); 4]).unwrap();
    host.return_received(adapter);
    assert_eq!(host.traffic(adapter).per_queue[&q.0].delivered, 8, "filters survived the pause");
    common::assert_clean(&mut host);
}

#[test]
fn sixteen_queues_carry_a_hundred_thousand_frames() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    common::with_support_adapter(&mut host);
    let queues: Vec<QueueId> = common::allocated_queues(&mut host, adapter, 16);
    for (i, q) in queues.iter().enumerate() {
        let vlan = (i % 2 == 1).then_some(100 + u16::try_from(i).unwrap());
        host.set_mac_filter(adapter, *q, mac(u8::try_from(i).unwrap() + 1), vlan).unwrap();
    }
    let pool_before = host.pool_allocation_calls();
    let mut batch = Vec::new();
    for n in 0..100_000usize {
        let i = n % 16;
        let spec = FrameSpec::new(mac(u8::try_from(i).unwrap() + 1), 60 + n % 1455);
        batch.push(if i % 2 == 1 { spec.vlan(100 + u16::try_from(i).unwrap()) } else { spec });
        if batch.len() == 32 {
            host.send_frames(adapter, &batch).unwrap();
            batch.clear();
        }
    }
    host.send_frames(adapter, &batch).unwrap();
    assert_eq!(host.pool_allocation_calls(), pool_before, "zero allocations per frame");
    let t = host.traffic(adapter);
    assert_eq!((t.frames_delivered, t.misdelivered, t.frames_dropped), (100_000, 0, 0));
    assert!(t.per_queue.values().all(|x| x.in_order));
    common::assert_clean(&mut host);
}
