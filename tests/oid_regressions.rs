//! Cases the OID fuzzers found, kept as tests (the fuzz oracle in
//! `tests/oid_fuzz/engine.rs`). No driver crash or out-of-bounds access was found; these pin
//! what the fuzzing taught about the rules.
//! <https://learn.microsoft.com/windows-hardware/drivers/network/oid-receive-filter-free-queue>
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "oid_fuzz/engine.rs"]
mod engine;

use ndis_sim::vswitch::{clear_filter_bytes, queue_free_bytes};
use ndis_sim::{FrameSpec, HostConfig, QueueId};
use ndis_sys::{
    NDIS_STATUS_NOT_ACCEPTED, NDIS_STATUS_PENDING, NDIS_STATUS_SUCCESS, OID_RECEIVE_FILTER_CLEAR_FILTER,
    OID_RECEIVE_FILTER_FREE_QUEUE,
};

/// Found by the property test (case 507 of the seeded run): FREE_QUEUE of a queue whose
/// filters were never cleared pends while NBLs are out; the driver drops the filters at once
/// (FREE_QUEUE must not fail), ndis-sim keeps them until completion, so frames sent in that
/// window were reported `receive.wrong-queue`. The host broke "clear filters before
/// FREE_QUEUE" first; the engine now sends no traffic in that window. Replayed as found.
#[test]
fn fuzz_case_free_queue_with_filters_pending_then_traffic() {
    let program: &[u8] = &[
        0x61, 0xa7, 0x10, 0xad, 0x3c, 0x2b, 0xa0, 0x34, 0x0f, 0xb9, 0x13, 0x02, 0x72, 0x71, 0x03, 0x72, 0x61, 0x14,
        0xa9, 0x7c, 0x25, 0xd9, 0x79, 0x1a, 0x36, 0x7b, 0x06, 0x6d, 0x8b, 0x1a, 0x56, 0x66, 0x3b, 0xb1, 0x8b, 0x3c,
        0x25, 0x61, 0x03, 0x1c, 0xbd, 0x35, 0xcf, 0x02, 0x0e, 0x9b, 0x64, 0x1e, 0x7c, 0x7e, 0x01, 0xcd, 0x00, 0x17,
        0x24, 0x26, 0x1d, 0xe9, 0x73, 0x29, 0x35, 0x50, 0x39, 0xf8, 0xbe, 0x13, 0x9e, 0x06, 0x18, 0x25, 0xd2, 0x09,
        0x65, 0xe9, 0x25, 0x1a, 0x24, 0x3c, 0x4d, 0xa2, 0x08, 0x63, 0xc7, 0x17, 0x88, 0xea, 0x2c, 0xe1, 0x3e, 0x37,
        0x84, 0x10, 0x37, 0xe0, 0xad, 0x15,
    ];
    engine::run_program(program, 40).unwrap();
}

/// The driver side of the case above, without the traffic: the pended FREE_QUEUE of a
/// queue with a filter still set stops DMA, drops the filter and completes with SUCCESS once
/// the NBLs are back, with no rule broken.
#[test]
fn free_queue_with_a_filter_left_set_pends_and_completes() {
    let mut host = ndis_sim::Host::new(HostConfig::default().seed(5).hold_received(true));
    host.load_driver(vmqnic::DriverEntry).unwrap();
    let a = host.add_adapter(ndis_sim::AdapterConfig::default()).unwrap();
    let q = host.allocate_queue(a, ndis_sim::QueueSpec::default()).unwrap();
    host.complete_queue_allocation(a, &[q]).unwrap();
    let mac = [0x02, 0x15, 0x5D, 0, 0, 9];
    host.set_mac_filter(a, q, mac, None).unwrap();
    host.send_frames(a, &[FrameSpec::new(mac, 100); 3]).unwrap();
    assert!(host.received_outstanding(a) > 0);
    let r = host.oid_set(a, OID_RECEIVE_FILTER_FREE_QUEUE, &queue_free_bytes(q));
    assert_eq!(r.status, NDIS_STATUS_PENDING);
    host.return_received(a);
    let done = host.take_oid_completions(a);
    assert_eq!(done.iter().map(|r| r.status).collect::<Vec<_>>(), vec![NDIS_STATUS_SUCCESS]);
    assert!(host.queues(a).is_empty());
    host.halt(a, 0).unwrap();
    // The support adapter the frames came from.
    for other in host.live_adapters() {
        host.halt(other, 0).unwrap();
    }
    assert_eq!(host.report().shared_memory.bytes_outstanding, 0);
    let v = host.take_violations();
    assert!(v.is_empty(), "{v:#?}");
}

/// Found while writing the status table: a *method* (or query) request for FREE_QUEUE or
/// CLEAR_FILTER is refused with NOT_ACCEPTED, the one refusal Driver Verifier's
/// NdisOidComplete rule allows for these OIDs whatever the request kind.
#[test]
fn wrong_request_kind_for_must_succeed_oids_is_not_accepted() {
    let mut host = ndis_sim::Host::new(HostConfig::default().seed(5));
    host.load_driver(vmqnic::DriverEntry).unwrap();
    let a = host.add_adapter(ndis_sim::AdapterConfig::default()).unwrap();
    for (oid, payload) in [
        (OID_RECEIVE_FILTER_FREE_QUEUE, queue_free_bytes(QueueId(1))),
        (OID_RECEIVE_FILTER_CLEAR_FILTER, clear_filter_bytes(QueueId(0), 1)),
    ] {
        let r = host.oid_method(a, oid, &payload, 64);
        assert_eq!(r.status, NDIS_STATUS_NOT_ACCEPTED, "method {oid:#x}");
        let r = host.oid_query(a, oid, 64);
        assert_eq!(r.status, NDIS_STATUS_NOT_ACCEPTED, "query {oid:#x}");
    }
    host.halt(a, 0).unwrap();
    let v = host.take_violations();
    assert!(v.is_empty(), "{v:#?}");
}

/// Every action of the engine with its valid payload, in every variant, as one program each
/// (the seeds of the cargo-fuzz corpus).
#[test]
fn fuzz_corpus_seeds_replay() {
    for variant in 0..engine::Variant::COUNT {
        let mut program = vec![variant, 0, 0];
        for action in [3u8, 5, 8, 13, 6, 10, 7, 14, 12, 11, 0, 2, 15] {
            program.extend([action, 0, 0, 0, 0, 0, 0, 0]);
        }
        engine::run_program(&program, 64).unwrap_or_else(|e| panic!("variant {variant}: {e}"));
    }
}
