//! A well-behaved fake miniport runs whole lifecycles without violations; SG lists, fault
//! injection, pended requests and determinism work as documented.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{host, host_with, host_with_adapter, knobs};
use ndis_sim::{AdapterConfig, HostConfig, Phase, QueueId, QueueSpec};
use ndis_sys::*;

#[test]
fn well_behaved_lifecycle_has_no_violations() {
    let (mut host, a) = host_with_adapter();
    assert_eq!(host.phase(a), Some(Phase::Running));
    let r = host.oid_query(a, OID_GEN_VENDOR_ID, 4);
    assert_eq!((r.status, r.bytes_written, r.data.len()), (NDIS_STATUS_SUCCESS, 4, 4));
    let r = host.oid_query(a, OID_GEN_VENDOR_ID, 2);
    assert_eq!((r.status, r.bytes_needed), (NDIS_STATUS_BUFFER_TOO_SHORT, 4));

    let q = host.allocate_queue(a, QueueSpec::default()).unwrap();
    assert_eq!(q, QueueId(1));
    let filter = host.set_mac_filter(a, q, [0x02, 0, 0, 0, 0, 9], None).unwrap();
    assert_eq!(filter, 1);
    let done = host.complete_queue_allocation(a, &[q]).unwrap();
    assert_eq!(done, vec![(q, NDIS_STATUS_SUCCESS)]);
    assert!(host.set_queue_suggested_buffers(a, q, 512).succeeded());
    assert!(host.clear_filter(a, q, filter).succeeded());
    assert!(host.free_queue(a, q).succeeded());

    let sent = host.send(a, 3).unwrap();
    assert_eq!((sent.sent, sent.completed.len(), sent.outstanding), (3, 3, 0));
    host.pause(a).unwrap();
    host.restart(a).unwrap();
    host.pnp_event(a, NdisDevicePnPEventPowerProfileChanged).unwrap();
    host.halt(a, NdisHaltDeviceDisabled).unwrap();
    host.unload_driver().unwrap();

    let report = host.report();
    assert_eq!((report.queues_allocated, report.queues_freed), (1, 1));
    assert_eq!(report.shared_memory.allocations, report.shared_memory.frees);
    assert_eq!(report.shared_memory.bytes_outstanding, 0);
    assert_eq!(report.shared_memory.per_queue[&1].allocations, 2);
    assert_eq!(report.shared_memory.per_queue[&0].allocations, 1);
    assert_eq!(report.pool.bytes_outstanding, 0);
    assert_eq!(report.pool.by_tag["Fake"].allocations, 1);
    assert_eq!(report.status_indications.len(), 1);
    assert_eq!(report.status_indications[0].queue_state, Some(3));
    assert!(report.violations.is_empty(), "{:#?}", report.violations);
    assert!(host.take_violations().is_empty());
}

#[test]
fn halt_frees_queues_the_way_ndis_does() {
    let (mut host, a) = host_with_adapter();
    let q1 = host.allocate_queue(a, QueueSpec::default()).unwrap();
    let q2 = host.allocate_queue(a, QueueSpec::default()).unwrap();
    assert_eq!((q1, q2), (QueueId(1), QueueId(2)));
    host.complete_queue_allocation(a, &[q1, q2]).unwrap();
    host.set_mac_filter(a, q2, [2, 0, 0, 0, 0, 2], Some(7)).unwrap();
    host.halt(a, NdisHaltDeviceDisabled).unwrap();
    assert_eq!(host.phase(a), Some(Phase::Halted));
    let report = host.report();
    assert_eq!(report.queues_freed, 2);
    assert_eq!(report.shared_memory.bytes_outstanding, 0);
    assert!(host.take_violations().is_empty());
}

#[test]
fn queue_ids_are_reused_after_free() {
    let (mut host, a) = host_with_adapter();
    let q1 = host.allocate_queue(a, QueueSpec::default()).unwrap();
    host.allocate_queue(a, QueueSpec::default()).unwrap();
    host.free_queue(a, q1);
    assert_eq!(host.allocate_queue(a, QueueSpec::default()).unwrap(), q1);
}

#[test]
fn non_contiguous_shared_memory_gets_several_sg_elements() {
    let (mut host, a) = host_with_adapter();
    let mut counts = Vec::new();
    for _ in 0..6 {
        let q = host.allocate_queue(a, QueueSpec::default()).unwrap();
        host.complete_queue_allocation(a, &[q]).unwrap();
        let block = host.shared_memory_blocks(a).into_iter().find(|b| b.queue == q.0).unwrap();
        assert_eq!(block.virtual_address % 4096, 0);
        let total: u64 = block.elements.iter().map(|(_, len)| u64::from(*len)).sum();
        assert_eq!(total, u64::from(common::QUEUE_MEMORY));
        for (addr, len) in &block.elements[..block.elements.len() - 1] {
            assert_eq!((addr % 4096, len % 4096), (0, 0), "page-multiple runs");
        }
        let mut addrs: Vec<u64> = block.elements.iter().map(|(p, _)| *p).collect();
        addrs.dedup();
        assert_eq!(addrs.len(), block.elements.len(), "distinct physical addresses");
        counts.push(block.elements.len());
    }
    assert!(counts.iter().any(|&n| n > 1), "some allocation must be split: {counts:?}");
    let per_queue = host.report().shared_memory.per_queue;
    assert!(per_queue.values().any(|q| q.sg_elements > q.allocations));
}

#[test]
fn contiguous_shared_memory_is_one_element() {
    knobs(|k| k.contiguous = true);
    let (mut host, a) = host_with_adapter();
    let q = host.allocate_queue(a, QueueSpec::default()).unwrap();
    host.complete_queue_allocation(a, &[q]).unwrap();
    let block = host.shared_memory_blocks(a).into_iter().find(|b| b.queue == q.0).unwrap();
    assert_eq!(block.elements.len(), 1);
    assert!(block.contiguous);
    assert_eq!(host.report().shared_memory.per_queue[&1].contiguous, 1);
}

#[test]
fn same_seed_gives_same_sg_lists() {
    let run = |seed| {
        let mut host = host_with(HostConfig::default().seed(seed));
        let a = host.add_adapter(AdapterConfig::default()).unwrap();
        let q = host.allocate_queue(a, QueueSpec::default()).unwrap();
        host.complete_queue_allocation(a, &[q]).unwrap();
        host.shared_memory_blocks(a).iter().map(|b| b.elements.clone()).collect::<Vec<_>>()
    };
    assert_eq!(run(11), run(11));
}

#[test]
fn pended_free_queue_completes_through_a_work_item() {
    knobs(|k| k.pend_free_queue = true);
    let (mut host, a) = host_with_adapter();
    let q = host.allocate_queue(a, QueueSpec::default()).unwrap();
    host.complete_queue_allocation(a, &[q]).unwrap();
    let r = host.free_queue(a, q);
    assert!(r.pended && r.succeeded(), "{r:?}");
    assert!(host.queues(a).is_empty());
    assert_eq!(host.report().work_items_run, 1);
    assert!(host.take_violations().is_empty());
}

#[test]
fn pended_pause_completes_through_a_work_item() {
    knobs(|k| k.pend_pause = true);
    let (mut host, a) = host_with_adapter();
    host.pause(a).unwrap();
    assert_eq!(host.phase(a), Some(Phase::Paused));
}

#[test]
fn fault_injection_fails_the_kth_shared_memory_allocation() {
    let mut probe = host();
    let a = probe.add_adapter(AdapterConfig::default()).unwrap();
    let q = probe.allocate_queue(a, QueueSpec::default()).unwrap();
    probe.complete_queue_allocation(a, &[q]).unwrap();
    assert_eq!(probe.shared_memory_allocation_calls(), 2);
    assert!(probe.pool_allocation_calls() >= 1);
    drop(probe);

    let mut host = host_with(HostConfig::default().fail_shared_memory_allocation(2));
    let a = host.add_adapter(AdapterConfig::default()).unwrap();
    let q = host.allocate_queue(a, QueueSpec::default()).unwrap();
    let done = host.complete_queue_allocation(a, &[q]).unwrap();
    assert_eq!(done, vec![(q, NDIS_STATUS_RESOURCES)]);
}

#[test]
fn fault_injection_fails_the_kth_pool_allocation() {
    common::hook(common::Point::Initialize, |ctx| {
        assert!(ctx.state().pool.is_null(), "the first pool allocation must fail");
        ctx.state().pool = std::ptr::null_mut();
        None
    });
    let mut host = host_with(HostConfig::default().fail_pool_allocation(1));
    host.add_adapter(AdapterConfig::default()).unwrap();
    assert_eq!(host.report().pool.allocations, 0);
}

#[test]
fn keywords_are_read_through_the_configuration_routines() {
    common::hook(common::Point::Initialize, |ctx| {
        assert_eq!(ctx.state().vmq_keyword, Some(1));
        assert_eq!(common::read_keyword(ctx.adapter, "*absent"), None);
        None
    });
    let mut host = host();
    let a = host.add_adapter(AdapterConfig::default().keyword("*VMQ", 1)).unwrap();
    assert_eq!(host.keywords_read(a), vec!["*vmq", "*absent"]);
}

#[test]
fn capabilities_are_decoded_from_the_attributes() {
    let (mut host, a) = host_with_adapter();
    let (hardware, current) = host.receive_filter_capabilities(a).unwrap();
    assert_eq!((hardware.revision, hardware.num_queues), (2, 8));
    assert_ne!(hardware.supported_queue_properties & NDIS_RECEIVE_FILTER_MSI_X_SUPPORTED, 0);
    assert_eq!(current.supported_queue_properties & NDIS_RECEIVE_FILTER_MSI_X_SUPPORTED, 0);
    let general = host.general_attributes(a).unwrap();
    assert_eq!((general.mtu_size, general.current_mac_address.len()), (1500, 6));
    assert_eq!(general.current_mac_address, general.permanent_mac_address);
}

#[test]
fn bus_master_with_sg_dma_is_clean() {
    knobs(|k| k.bus_master = true);
    let mut host = host();
    let a = host.add_adapter(AdapterConfig::default().bus_master(true)).unwrap();
    assert!(host.registration_attributes(a).unwrap().attribute_flags & NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER != 0);
    host.halt(a, NdisHaltDeviceDisabled).unwrap();
}

#[test]
fn a_pending_oid_blocks_the_next_one_until_it_completes() {
    common::hook(common::Point::Oid, |ctx| {
        let (_, oid, _) = common::oid::decode(ctx.request);
        (oid == OID_GEN_VENDOR_ID).then(|| {
            ctx.state().pending = ctx.request;
            NDIS_STATUS_PENDING
        })
    });
    let (mut host, a) = host_with_adapter();
    let r = host.oid_query(a, OID_GEN_VENDOR_ID, 4);
    assert!(r.is_pending() && r.delivered);
    let blocked = host.oid_query(a, OID_GEN_MAXIMUM_LOOKAHEAD, 4);
    assert!(!blocked.delivered);
    let done = host.cancel_oid(a, r.request_id).unwrap();
    assert_eq!(done.status, NDIS_STATUS_REQUEST_ABORTED);
    assert!(host.oid_query(a, OID_GEN_MAXIMUM_LOOKAHEAD, 4).delivered);
}

thread_local! {
    static SET_OPTIONS_CALLS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// # Safety
/// Called only by ndis-sim, with the pointers and handles the NDIS prototype names, valid for the duration of the call.
unsafe extern "system" fn set_options(driver: NDIS_HANDLE, _context: NDIS_HANDLE) -> NDIS_STATUS {
    assert!(!driver.is_null());
    SET_OPTIONS_CALLS.with(|c| c.set(c.get() + 1));
    NDIS_STATUS_SUCCESS
}

#[test]
fn set_options_is_called_inside_registration() {
    knobs(|k| k.characteristics = Some(Box::new(|c| c.SetOptionsHandler = Some(set_options))));
    let mut host = host();
    assert_eq!(SET_OPTIONS_CALLS.with(std::cell::Cell::get), 1);
    assert_eq!(host.characteristics().unwrap().minor_ndis_version, 30);
}

#[test]
#[should_panic(expected = "shared-memory.double-free")]
fn unclaimed_violations_fail_the_test() {
    common::hook(common::Point::Initialize, |ctx| {
        let shared = common::allocate_shared(ctx.adapter, 0, 4096, true, |_| {});
        for _ in 0..2 {
            // SAFETY: a live allocation freed twice on purpose.
            unsafe { NdisFreeSharedMemory(ctx.adapter, shared.allocation) };
        }
        None
    });
    let _host = host_with_adapter();
}
