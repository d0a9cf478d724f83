//! The remaining required handlers exist and behave, and the general OIDs are answered.
//!
//! Rules (MiniportPause, <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_pause>): "It completes sends, rejecting new ones with NDIS_STATUS_PAUSED, and
//! must keep handling OIDs"; "Should not free the resources the driver allocated during
//! initialization". General OIDs: a short query buffer gets BUFFER_TOO_SHORT with BytesNeeded.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use ndis_sim::QueueSpec;
use ndis_sys::{
    NDIS_STATUS_BUFFER_TOO_SHORT, NDIS_STATUS_INVALID_LENGTH, NDIS_STATUS_NOT_ACCEPTED, NDIS_STATUS_NOT_SUPPORTED,
    NDIS_STATUS_SUCCESS, NdisDevicePnPEventSurpriseRemoved, OID_802_3_CURRENT_ADDRESS, OID_802_3_MULTICAST_LIST,
    OID_GEN_CURRENT_PACKET_FILTER, OID_GEN_SUPPORTED_LIST, OID_GEN_VENDOR_DESCRIPTION, OID_GEN_VENDOR_ID,
    OID_GEN_XMIT_OK,
};

#[test]
fn pause_rejects_sends_keeps_queues_and_restart_resumes() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let broadcast = |n| vec![ndis_sim::FrameSpec::new([0xFF; 6], 60); n];
    let sent = host.send_from(adapter, &broadcast(3)).unwrap();
    assert_eq!(sent.completed, vec![NDIS_STATUS_SUCCESS; 3]);
    let q = common::allocated_queues(&mut host, adapter, 1)[0];
    let blocks = host.report().shared_memory.bytes_outstanding;
    host.pause(adapter).unwrap();
    // NDIS sends nothing to a paused adapter (ndis-sim refuses to).
    assert!(host.send_from(adapter, &broadcast(2)).is_err());
    // OIDs are still handled while paused, and nothing was freed.
    assert_eq!(host.oid_query(adapter, OID_GEN_VENDOR_ID, 4).status, NDIS_STATUS_SUCCESS);
    assert_eq!(host.report().shared_memory.bytes_outstanding, blocks);
    host.restart(adapter).unwrap();
    assert_eq!(host.send_from(adapter, &broadcast(1)).unwrap().completed, vec![NDIS_STATUS_SUCCESS]);
    let xmit = host.oid_query(adapter, OID_GEN_XMIT_OK, 8);
    assert_eq!(u64::from_le_bytes(xmit.data[..8].try_into().unwrap()), 4);
    assert_eq!(host.free_queue(adapter, q).status, NDIS_STATUS_SUCCESS);
    common::assert_clean(&mut host);
}

#[test]
fn general_queries_answer_or_ask_for_more_room() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let r = host.oid_query(adapter, OID_GEN_VENDOR_ID, 4);
    assert_eq!((r.status, r.bytes_written), (NDIS_STATUS_SUCCESS, 4));
    let short = host.oid_query(adapter, OID_GEN_VENDOR_ID, 2);
    assert_eq!((short.status, short.bytes_needed, short.bytes_written), (NDIS_STATUS_BUFFER_TOO_SHORT, 4, 0));
    let mac = host.oid_query(adapter, OID_802_3_CURRENT_ADDRESS, 6);
    assert_eq!(mac.data.len(), 6);
    let description = host.oid_query(adapter, OID_GEN_VENDOR_DESCRIPTION, 256);
    assert_eq!(description.data.last(), Some(&0), "NUL-terminated");
    let list = host.oid_query(adapter, OID_GEN_SUPPORTED_LIST, 1024);
    let oids: Vec<u32> = list.data.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect();
    assert!(oids.contains(&ndis_sys::OID_RECEIVE_FILTER_ALLOCATE_QUEUE) && oids.contains(&OID_GEN_VENDOR_ID));
    assert_eq!(host.oid_query(adapter, 0x0001_0199, 64).status, NDIS_STATUS_NOT_SUPPORTED, "unknown OID");
    common::assert_clean(&mut host);
}

#[test]
fn general_sets_validate_their_length() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let filter = 0x1u32 | 0x4; // DIRECTED | BROADCAST
    assert_eq!(host.oid_set(adapter, OID_GEN_CURRENT_PACKET_FILTER, &filter.to_le_bytes()).status, NDIS_STATUS_SUCCESS);
    let back = host.oid_query(adapter, OID_GEN_CURRENT_PACKET_FILTER, 4);
    assert_eq!(back.data, filter.to_le_bytes());
    let short = host.oid_set(adapter, OID_GEN_CURRENT_PACKET_FILTER, &[1, 0]);
    assert_eq!((short.status, short.bytes_needed), (NDIS_STATUS_INVALID_LENGTH, 4));
    let list = [1u8, 0, 0x5e, 0, 0, 1, 1, 0, 0x5e, 0, 0, 2];
    assert_eq!(host.oid_set(adapter, OID_802_3_MULTICAST_LIST, &list).status, NDIS_STATUS_SUCCESS);
    assert_eq!(host.oid_query(adapter, OID_802_3_MULTICAST_LIST, 64).data, list);
    let ragged = host.oid_set(adapter, OID_802_3_MULTICAST_LIST, &list[..7]);
    assert_eq!((ragged.status, ragged.bytes_needed), (NDIS_STATUS_INVALID_LENGTH, 12));
    common::assert_clean(&mut host);
}

#[test]
fn surprise_removal_refuses_new_queues_but_still_frees_old_ones() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let q = common::allocated_queues(&mut host, adapter, 1)[0];
    host.pnp_event(adapter, NdisDevicePnPEventSurpriseRemoved).unwrap();
    let refused = host.allocate_queue(adapter, QueueSpec::default()).expect_err("removed");
    assert_eq!(refused.status, NDIS_STATUS_NOT_ACCEPTED);
    assert_eq!(host.free_queue(adapter, q).status, NDIS_STATUS_SUCCESS);
    host.halt(adapter, 3).unwrap(); // NdisHaltDeviceSurpriseRemoved
    assert_eq!(host.shared_memory_blocks(adapter).len(), 0);
    common::assert_clean(&mut host);
}

#[test]
fn shutdown_and_cancel_handlers_are_harmless() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    common::allocated_queues(&mut host, adapter, 1);
    assert!(host.cancel_oid(adapter, 12345).is_none());
    host.shutdown(adapter, 0).unwrap();
    // Shutdown frees nothing (SDV: no shared-memory free from MiniportShutdownEx).
    assert!(host.report().shared_memory.bytes_outstanding > 0);
    common::assert_clean(&mut host);
}
