//! Receive-path rules (NdisMIndicateReceiveNetBufferLists, "VMQ Receive Path", "Queue States and
//! Operations"): one test per rule, each breaking it through the fake's receive path (`common/rx.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::rx::{rx_edit, rx_route};
use common::{Point, assert_rule, hook, mac, rx_host, rx_host_with};
use ndis_sim::{FrameSpec, HostConfig, QueueSpec, rules};
use ndis_sys::*;

/// The NET_BUFFER of an NBL the fake is about to indicate.
fn nb(nbl: *mut NET_BUFFER_LIST) -> &'static mut NET_BUFFER {
    // SAFETY: NBLs the fake allocated with a NET_BUFFER each and still owns (not indicated yet).
    let first = unsafe { (*nbl).FirstNetBuffer };
    // SAFETY: as above.
    unsafe { &mut *first }
}

/// The NET_BUFFER_SHARED_MEMORY of an NBL the fake is about to indicate.
fn info(nbl: *mut NET_BUFFER_LIST) -> &'static mut NET_BUFFER_SHARED_MEMORY {
    // SAFETY: the fake binds every receive NB to a live boxed NET_BUFFER_SHARED_MEMORY.
    unsafe { &mut *nb(nbl).SharedMemoryInfo }
}

fn set_queue_id(nbl: *mut NET_BUFFER_LIST, queue: u32) {
    // SAFETY: as in `nb`.
    let n = unsafe { &mut *nbl };
    n.NetBufferListInfo[NetBufferListFilteringInfo as usize] = ((queue as usize) << 16) as PVOID;
}

#[test]
fn receive_queue_not_running_is_reported() {
    // CLEAR_FILTER completes at NDIS, but the fake keeps demuxing to the queue.
    hook(Point::Oid, |ctx| {
        let (_, oid, _) = common::oid::decode(ctx.request);
        (oid == OID_RECEIVE_FILTER_CLEAR_FILTER).then_some(NDIS_STATUS_SUCCESS)
    });
    let (mut host, a, q) = rx_host(&[(mac(1), None)]);
    let filter = host.filters(a)[0].0;
    assert!(host.clear_filter(a, q[0], filter).succeeded());
    host.send_frames(a, &[FrameSpec::new(mac(1), 60)]).unwrap();
    assert_rule(&mut host, rules::RECEIVE_QUEUE_NOT_RUNNING);
}

#[test]
fn receive_queue_freed_is_reported() {
    let (mut host, a, q) = rx_host(&[(mac(1), None)]);
    let filter = host.filters(a)[0].0;
    host.clear_filter(a, q[0], filter);
    assert!(host.free_queue(a, q[0]).succeeded());
    let freed = q[0].0;
    rx_edit(move |calls| calls.iter().flat_map(|c| &c.nbls).for_each(|n| set_queue_id(*n, freed)));
    host.send_frames(a, &[FrameSpec::new(mac(9), 60)]).unwrap();
    assert_rule(&mut host, rules::RECEIVE_QUEUE_FREED);
}

#[test]
fn receive_shared_memory_flag_missing_is_reported() {
    rx_edit(|calls| calls.iter_mut().for_each(|c| c.flags &= !NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID));
    let (mut host, a, _) = rx_host(&[(mac(1), None)]);
    host.send_frames(a, &[FrameSpec::new(mac(1), 60)]).unwrap();
    assert_rule(&mut host, rules::RECEIVE_SHARED_MEMORY_FLAG_MISSING);
}

#[test]
fn receive_single_queue_flag_missing_is_reported() {
    rx_edit(|calls| calls.iter_mut().for_each(|c| c.flags &= !NDIS_RECEIVE_FLAGS_SINGLE_QUEUE));
    let spec = QueueSpec::default().flags(NDIS_RECEIVE_QUEUE_PARAMETERS_PER_QUEUE_RECEIVE_INDICATION);
    let (mut host, a, _) = rx_host_with(HostConfig::default(), spec, &[(mac(1), None)]);
    host.send_frames(a, &[FrameSpec::new(mac(1), 60)]).unwrap();
    assert_rule(&mut host, rules::RECEIVE_SINGLE_QUEUE_FLAG_MISSING);
}

#[test]
fn receive_single_queue_mixed_is_reported() {
    rx_edit(|calls| {
        if calls.len() > 1 {
            let rest: Vec<_> = calls.drain(1..).flat_map(|c| c.nbls).collect();
            calls[0].nbls.extend(rest);
        }
    });
    let (mut host, a, _) = rx_host(&[(mac(1), None)]);
    let frames = [FrameSpec::new(mac(1), 60), FrameSpec::new([0xff; 6], 60)];
    host.send_frames(a, &frames).unwrap();
    assert_rule(&mut host, rules::RECEIVE_SINGLE_QUEUE_MIXED);
}

#[test]
fn receive_shared_memory_info_null_is_reported() {
    rx_edit(|calls| nb(calls[0].nbls[0]).SharedMemoryInfo = std::ptr::null_mut());
    let (mut host, a, _) = rx_host(&[(mac(1), None)]);
    host.send_frames(a, &[FrameSpec::new(mac(1), 60)]).unwrap();
    assert_rule(&mut host, rules::RECEIVE_SHARED_MEMORY_INFO_NULL);
}

#[test]
fn receive_shared_memory_unknown_is_reported() {
    rx_edit(|calls| info(calls[0].nbls[0]).SharedMemoryHandle = 0x1234 as NDIS_HANDLE);
    let (mut host, a, _) = rx_host(&[(mac(1), None)]);
    host.send_frames(a, &[FrameSpec::new(mac(1), 60)]).unwrap();
    assert_rule(&mut host, rules::RECEIVE_SHARED_MEMORY_UNKNOWN);
}

#[test]
fn receive_other_queue_memory_is_reported() {
    // The default queue's NBL describes its frame with queue 1's shared-memory handle.
    let queue1_handle = std::rc::Rc::new(std::cell::Cell::new(std::ptr::null_mut()));
    let h = queue1_handle.clone();
    rx_edit(move |calls| {
        for c in calls.iter() {
            let handle = info(c.nbls[0]).SharedMemoryHandle;
            if c.queue == 1 {
                h.set(handle);
            } else if !h.get().is_null() {
                info(c.nbls[0]).SharedMemoryHandle = h.get();
            }
        }
    });
    let (mut host, a, _) = rx_host(&[(mac(1), None)]);
    host.send_frames(a, &[FrameSpec::new(mac(1), 60)]).unwrap();
    assert!(host.take_violations().is_empty());
    host.send_frames(a, &[FrameSpec::new([0xff; 6], 60)]).unwrap();
    assert_rule(&mut host, rules::RECEIVE_OTHER_QUEUE_MEMORY);
}

#[test]
fn receive_shared_memory_range_is_reported() {
    // The fake's segment is the 60-byte frame: 10 bytes from the end it runs past the block.
    rx_edit(|calls| info(calls[0].nbls[0]).SharedMemoryOffset = common::QUEUE_MEMORY - 10);
    let (mut host, a, _) = rx_host(&[(mac(1), None)]);
    host.send_frames(a, &[FrameSpec::new(mac(1), 60)]).unwrap();
    assert_rule(&mut host, rules::RECEIVE_SHARED_MEMORY_RANGE);
}

#[test]
fn receive_mdl_outside_shared_memory_is_reported() {
    // The segment names the next buffer; the MDL still maps this one.
    rx_edit(|calls| info(calls[0].nbls[0]).SharedMemoryOffset += common::rx::RX_BUFFER);
    let (mut host, a, _) = rx_host(&[(mac(1), None)]);
    host.send_frames(a, &[FrameSpec::new(mac(1), 60)]).unwrap();
    assert_rule(&mut host, rules::RECEIVE_MDL_OUTSIDE_SHARED_MEMORY);
}

#[test]
fn receive_cross_vm_leak_is_reported() {
    // A broken demux puts queue 1's frames in queue 2's buffers.
    rx_route(|q| if q == 1 { 2 } else { q });
    let (mut host, a, _) = rx_host(&[(mac(1), None), (mac(2), None)]);
    host.send_frames(a, &[FrameSpec::new(mac(1), 60)]).unwrap();
    let v = assert_rule(&mut host, rules::RECEIVE_CROSS_VM_LEAK);
    assert_eq!(v.len(), 1, "only the leak: {v:#?}");
    assert_eq!(host.traffic(a).misdelivered, 1);
}

#[test]
fn receive_wrong_queue_is_reported() {
    rx_route(|_| 0);
    let (mut host, a, _) = rx_host(&[(mac(1), Some(5))]);
    host.send_frames(a, &[FrameSpec::new(mac(1), 60).vlan(5)]).unwrap();
    assert_rule(&mut host, rules::RECEIVE_WRONG_QUEUE);
    assert_eq!(host.traffic(a).per_queue[&0].misdelivered, 1);
}

#[test]
fn receive_reordered_is_reported() {
    rx_edit(|calls| calls.iter_mut().for_each(|c| c.nbls.reverse()));
    let (mut host, a, q) = rx_host(&[(mac(1), None)]);
    host.send_frames(a, &[FrameSpec::new(mac(1), 60), FrameSpec::new(mac(1), 61)]).unwrap();
    assert_rule(&mut host, rules::RECEIVE_REORDERED);
    assert!(!host.traffic(a).per_queue[&q[0].0].in_order);
}

#[test]
fn receive_corrupt_is_reported() {
    rx_edit(|calls| {
        let nb = nb(calls[0].nbls[0]);
        // SAFETY: the receive MDL maps the frame the fake just copied (60 bytes).
        let data = unsafe { (*nb.MdlChain).MappedSystemVa.cast::<u8>() };
        // SAFETY: byte 40 is inside the 60-byte frame.
        let byte = unsafe { &mut *data.wrapping_add(40) };
        *byte ^= 0xFF;
    });
    let (mut host, a, _) = rx_host(&[(mac(1), None)]);
    host.send_frames(a, &[FrameSpec::new(mac(1), 60)]).unwrap();
    assert_rule(&mut host, rules::RECEIVE_CORRUPT);
}

#[test]
fn receive_misuse_for_an_nbl_indicated_twice_is_reported() {
    rx_edit(|calls| {
        let again =
            common::rx::Indication { queue: calls[0].queue, nbls: vec![calls[0].nbls[0]], flags: calls[0].flags };
        calls.push(again);
    });
    let (mut host, a, _) = rx_host(&[(mac(1), None)]);
    host.send_frames(a, &[FrameSpec::new(mac(1), 60)]).unwrap();
    let v = assert_rule(&mut host, rules::RECEIVE_MISUSE);
    assert!(v.iter().any(|v| v.detail.contains("already owned")), "{v:#?}");
}

/// Frames held by NDIS on queue 1, then the vSwitch clears the filter and frees the queue: the
/// fake frees the NBLs, MDLs and shared memory although NDIS still owns three NBLs.
fn free_queue_while_indicated() -> ndis_sim::Host {
    let (mut host, a, q) =
        rx_host_with(HostConfig::default().hold_received(true), QueueSpec::default(), &[(mac(1), None)]);
    host.send_frames(a, &[FrameSpec::new(mac(1), 60); 3]).unwrap();
    assert_eq!(host.received_outstanding(a), 3);
    let filter = host.filters(a)[0].0;
    host.clear_filter(a, q[0], filter);
    host.free_queue(a, q[0]);
    host
}

#[test]
fn receive_outstanding_at_free_queue_is_reported() {
    let mut host = free_queue_while_indicated();
    assert_rule(&mut host, rules::RECEIVE_OUTSTANDING_AT_FREE_QUEUE);
}

#[test]
fn shared_memory_freed_while_indicated_is_reported() {
    let mut host = free_queue_while_indicated();
    assert_rule(&mut host, rules::SHARED_MEMORY_FREED_WHILE_INDICATED);
}

#[test]
fn nbl_free_while_owned_by_ndis_is_reported() {
    let mut host = free_queue_while_indicated();
    assert_rule(&mut host, rules::NBL_FREE_WHILE_OWNED_BY_NDIS);
}

#[test]
fn mdl_free_while_owned_by_ndis_is_reported() {
    let mut host = free_queue_while_indicated();
    assert_rule(&mut host, rules::MDL_FREE_WHILE_OWNED_BY_NDIS);
}

#[test]
fn receive_outstanding_at_pause_is_reported() {
    let (mut host, a, _) =
        rx_host_with(HostConfig::default().hold_received(true), QueueSpec::default(), &[(mac(1), None)]);
    host.send_frames(a, &[FrameSpec::new(mac(1), 60)]).unwrap();
    host.pause(a).unwrap();
    assert_rule(&mut host, rules::RECEIVE_OUTSTANDING_AT_PAUSE);
}

#[test]
fn receive_violations_are_listed_up_to_a_cap() {
    rx_route(|q| if q == 1 { 2 } else { q });
    let (mut host, a, _) = rx_host(&[(mac(1), None), (mac(2), None)]);
    for _ in 0..10 {
        host.send_frames(a, &[FrameSpec::new(mac(1), 60); 8]).unwrap();
    }
    let v = host.take_violations();
    assert_eq!(v.len(), 33, "32 listed and one note");
    assert_eq!(host.traffic(a).misdelivered, 80);
}

/// "NDIS_RECEIVE_FILTER_FIELD_PARAMETERS" (remarks): a frame a MAC + VLAN filter takes must
/// reach the VM without its tag, which goes to NDIS_NET_BUFFER_LIST_8021Q_INFO.
#[test]
fn a_vlan_tag_left_in_the_data_is_reported() {
    common::rx::rx_keep_tags();
    let (mut host, a, _) = rx_host(&[(mac(2), Some(5))]);
    host.send_frames(a, &[FrameSpec::new(mac(2), 100).vlan(5)]).unwrap();
    assert_rule(&mut host, rules::RECEIVE_VLAN_TAG_IN_DATA);
}

/// "OID_GEN_CURRENT_PACKET_FILTER": the fake accepts a DIRECTED-only filter and still indicates
/// a broadcast on the default queue.
#[test]
fn a_frame_the_packet_filter_does_not_admit_is_reported() {
    hook(Point::Oid, |ctx| {
        (common::oid::decode(ctx.request).1 == OID_GEN_CURRENT_PACKET_FILTER).then_some(NDIS_STATUS_SUCCESS)
    });
    let (mut host, a, _) = rx_host(&[(mac(2), None)]);
    assert_eq!(host.oid_set(a, OID_GEN_CURRENT_PACKET_FILTER, &NDIS_PACKET_TYPE_DIRECTED.to_le_bytes()).status, 0);
    host.send_frames(a, &[FrameSpec::new([0xFF; 6], 60)]).unwrap();
    assert_rule(&mut host, rules::RECEIVE_PACKET_FILTER);
}

/// NDIS_MAC_OPTION_NO_LOOPBACK ("OID_GEN_MAC_OPTIONS") claimed by a miniport that loops its
/// sends back into its own receive path.
#[test]
fn loopback_despite_no_loopback_is_reported() {
    common::knobs(|k| k.mac_options = NDIS_MAC_OPTION_8021P_PRIORITY | NDIS_MAC_OPTION_NO_LOOPBACK);
    let (mut host, a, _) = rx_host(&[(mac(2), None)]);
    host.send_frames(a, &[FrameSpec::new(mac(2), 60)]).unwrap();
    assert_rule(&mut host, rules::RECEIVE_LOOPBACK);
}

/// "OID_PNP_SET_POWER": nothing is indicated in D1-D3; this fake accepts D3 and still loops
/// a send into its receive path.
#[test]
fn an_indication_in_low_power_is_reported() {
    hook(Point::Oid, |ctx| (common::oid::decode(ctx.request).1 == OID_PNP_SET_POWER).then_some(NDIS_STATUS_SUCCESS));
    let (mut host, a, _) = rx_host(&[(mac(2), None)]);
    assert_eq!(host.set_power(a, NdisDeviceStateD3).status, NDIS_STATUS_SUCCESS);
    host.send_frames(a, &[FrameSpec::new(mac(2), 60)]).unwrap();
    assert_rule(&mut host, rules::RECEIVE_IN_LOW_POWER);
}

/// The segment after `s` in its NextSharedMemorySegment chain.
fn next_segment(s: &mut NET_BUFFER_SHARED_MEMORY) -> &'static mut NET_BUFFER_SHARED_MEMORY {
    // SAFETY: the fake links a jumbo frame's segments to live boxed NET_BUFFER_SHARED_MEMORYs.
    unsafe { &mut *s.NextSharedMemorySegment }
}

/// A 9014-byte frame received into five 2 KiB buffers of its queue (MDL chain and
/// NextSharedMemorySegment chain, one buffer each) is accepted whole, on a VM queue and on the
/// default queue.
#[test]
fn a_jumbo_frame_in_a_chained_nbl_is_accepted() {
    let (mut host, a, q) = rx_host(&[(mac(1), None)]);
    let frames = [FrameSpec::new(mac(1), 9014), FrameSpec::new(mac(9), 4088), FrameSpec::new(mac(1), 2049)];
    host.send_frames(a, &frames).unwrap();
    let t = host.traffic(a);
    assert_eq!((t.per_queue[&q[0].0].delivered, t.per_queue[&0].delivered), (2, 1));
    assert!(host.take_violations().is_empty());
}

/// `receive.shared-memory-chain`: the segment chain ends before the MDL chain does.
#[test]
fn receive_shared_memory_chain_cut_short_is_reported() {
    rx_edit(|calls| {
        let second = next_segment(info(calls[0].nbls[0]));
        second.NextSharedMemorySegment = std::ptr::null_mut();
    });
    let (mut host, a, _) = rx_host(&[(mac(1), None)]);
    host.send_frames(a, &[FrameSpec::new(mac(1), 9014)]).unwrap();
    let v = assert_rule(&mut host, rules::RECEIVE_SHARED_MEMORY_CHAIN);
    assert!(v.iter().any(|v| v.detail.contains("5 MDL(s) but its NET_BUFFER_SHARED_MEMORY chain has 2")), "{v:#?}");
}

/// `receive.shared-memory-chain`: the segments' lengths do not add up to DataLength.
#[test]
fn receive_shared_memory_chain_lengths_are_reported() {
    rx_edit(|calls| next_segment(info(calls[0].nbls[0])).SharedMemoryLength -= 1);
    let (mut host, a, _) = rx_host(&[(mac(1), None)]);
    host.send_frames(a, &[FrameSpec::new(mac(1), 4088)]).unwrap();
    let v = assert_rule(&mut host, rules::RECEIVE_SHARED_MEMORY_CHAIN);
    assert!(v.iter().any(|v| v.detail.contains("add up to 4087, DataLength is 4088")), "{v:#?}");
}

/// `receive.shared-memory-chain`: a segment names another buffer of the queue than its MDL maps
/// (the chains disagree on the order of the buffers).
#[test]
fn receive_shared_memory_chain_out_of_step_is_reported() {
    rx_edit(|calls| {
        let first = info(calls[0].nbls[0]);
        let (a, b) = (first.SharedMemoryOffset, next_segment(first).SharedMemoryOffset);
        first.SharedMemoryOffset = b;
        next_segment(first).SharedMemoryOffset = a;
    });
    let (mut host, a, _) = rx_host(&[(mac(1), None)]);
    host.send_frames(a, &[FrameSpec::new(mac(1), 4096)]).unwrap();
    let v = assert_rule(&mut host, rules::RECEIVE_SHARED_MEMORY_CHAIN);
    assert!(v.iter().any(|v| v.detail.contains("MDL 0's 2048 bytes")), "{v:#?}");
}

/// A segment of the chain in another queue's shared memory is that rule's violation, wherever
/// in the chain it is.
#[test]
fn a_chained_segment_in_another_queues_memory_is_reported() {
    let other = std::rc::Rc::new(std::cell::Cell::new(std::ptr::null_mut()));
    let keep = other.clone();
    rx_edit(move |calls| {
        for c in calls.iter() {
            let first = info(c.nbls[0]);
            if c.queue == 0 {
                keep.set(first.SharedMemoryHandle);
            } else if !keep.get().is_null() {
                next_segment(first).SharedMemoryHandle = keep.get();
            }
        }
    });
    let (mut host, a, _) = rx_host(&[(mac(1), None)]);
    host.send_frames(a, &[FrameSpec::new(mac(9), 60)]).unwrap();
    host.send_frames(a, &[FrameSpec::new(mac(1), 9014)]).unwrap();
    assert_rule(&mut host, rules::RECEIVE_OTHER_QUEUE_MEMORY);
}
