//! A queue's shared memory after DmaStopped, and the processor and IRQL of a queue's
//! indications ("Freeing a VM queue", NDIS_RECEIVE_QUEUE_PARAMETERS.ProcessorAffinity): each
//! test breaks one rule through the fake miniport (no QEMU needed; the affinity rule is turned
//! on for the software adapter with `HostConfig::queue_affinity_for_all_adapters`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Point, assert_rule, hook, knobs, mac, rx_host, rx_host_with};
use ndis_sim::vswitch::queue_parameters_set_bytes;
use ndis_sim::{FrameSpec, HostConfig, QueueSpec, rules};
use ndis_sys::*;

/// Writes one byte into the first live shared-memory block of `queue` (what a NIC still
/// receiving into the queue would do).
fn scribble(host: &mut ndis_sim::Host, adapter: u64, queue: u32) {
    let blocks = host.with_model(|m, _| m.shared_memory_blocks(adapter));
    let block = blocks.iter().find(|b| b.queue == queue).expect("a block of the queue");
    // The block's VirtualAddress is live host memory of at least 200 bytes.
    common::rx::scribble(block.virtual_address as *mut u8, 100);
}

#[test]
fn a_write_into_a_queue_after_its_dma_stopped_indication_is_reported_at_the_free() {
    knobs(|k| k.pend_free_queue = true);
    let (mut host, a, q) = rx_host(&[(mac(1), None)]);
    let queue = q[0].0;
    // The work item that finishes the pended FREE_QUEUE runs after DmaStopped was indicated
    // and before NdisFreeSharedMemory: the "DMA" lands in between.
    hook(Point::WorkItem, move |ctx| {
        let va = ctx.state().rx.queues.get(&queue).map(|q| q.buffers[0].va).expect("the queue's buffers");
        // A receive buffer inside the queue's live shared memory (2048 bytes).
        common::rx::scribble(va, 100);
        None
    });
    let filter = host.filters(a)[0].0;
    host.clear_filter(a, q[0], filter);
    // FREE_QUEUE pends; run it by hand so the write happens between DmaStopped and the free.
    let r = host.free_queue(a, q[0]);
    assert!(r.succeeded() || r.is_pending(), "{r:?}");
    host.run_work_items();
    let v = host.take_violations();
    let found = v.iter().any(|v| v.rule == rules::SHARED_MEMORY_WRITTEN_AFTER_DMA_STOPPED);
    assert!(found, "expected the rule, got {v:#?}");
    host.halt(a, 0).unwrap();
}

#[test]
fn a_write_after_dma_stopped_into_memory_left_allocated_is_reported_at_halt() {
    knobs(|k| k.leak_queue_memory = true);
    let (mut host, a, q) = rx_host(&[(mac(1), None)]);
    let filter = host.filters(a)[0].0;
    host.clear_filter(a, q[0], filter);
    assert!(host.free_queue(a, q[0]).succeeded());
    scribble(&mut host, a.0, q[0].0);
    host.halt(a, 0).unwrap();
    let v = assert_rule(&mut host, rules::SHARED_MEMORY_WRITTEN_AFTER_DMA_STOPPED);
    assert!(v.iter().any(|v| v.detail.contains("offset 100")), "{v:#?}");
}

#[test]
fn a_queue_freed_without_writes_after_dma_stopped_is_clean() {
    let (mut host, a, q) = rx_host(&[(mac(1), None)]);
    host.send_frames(a, &[FrameSpec::new(mac(1), 60), FrameSpec::new(mac(1), 600)]).unwrap();
    let filter = host.filters(a)[0].0;
    host.clear_filter(a, q[0], filter);
    assert!(host.free_queue(a, q[0]).succeeded());
    assert_eq!(host.with_model(|m, _| m.dma_stopped_copies()), 0, "the copies go with the freed blocks");
    host.halt(a, 0).unwrap();
    let v = host.take_violations();
    assert!(v.is_empty(), "{v:#?}");
}

fn affinity_host(send_irql: u8, mask: u64) -> (ndis_sim::Host, ndis_sim::AdapterId, Vec<ndis_sim::QueueId>) {
    let config = HostConfig::default().queue_affinity_for_all_adapters(true).send_irql(send_irql);
    rx_host_with(config, QueueSpec::default().affinity(mask), &[(mac(1), None)])
}

#[test]
fn an_indication_off_the_queues_affinity_processor_is_reported() {
    // The fake indicates from MiniportSendNetBufferLists, on the sender's processor 0.
    let (mut host, a, q) = affinity_host(DISPATCH_LEVEL_IRQL, 1 << 2);
    host.send_frames(a, &[FrameSpec::new(mac(1), 60)]).unwrap();
    let v = assert_rule(&mut host, rules::RECEIVE_QUEUE_PROCESSOR);
    assert!(v.iter().all(|v| v.rule != rules::RECEIVE_QUEUE_IRQL), "sent at DISPATCH_LEVEL: {v:#?}");
    let seen = host.with_model(|m, _| m.indication_processors(a.0));
    assert_eq!(seen.get(&q[0].0).map(|s| s.iter().copied().collect::<Vec<_>>()), Some(vec![0]));
}

#[test]
fn an_indication_below_dispatch_level_is_reported() {
    let (mut host, a, _) = affinity_host(ndis_sim::PASSIVE_LEVEL, 1);
    host.send_frames(a, &[FrameSpec::new(mac(1), 60)]).unwrap();
    let v = assert_rule(&mut host, rules::RECEIVE_QUEUE_IRQL);
    assert!(v.iter().all(|v| v.rule != rules::RECEIVE_QUEUE_PROCESSOR), "on processor 0 of mask 1: {v:#?}");
}

#[test]
fn an_affinity_change_moves_the_queues_processor() {
    let (mut host, a, q) = affinity_host(DISPATCH_LEVEL_IRQL, 1 << 2);
    let spec = QueueSpec::default().affinity(1);
    let bytes = queue_parameters_set_bytes(q[0], NDIS_RECEIVE_QUEUE_PARAMETERS_PROCESSOR_AFFINITY_CHANGED, &spec);
    assert!(host.oid_set(a, OID_RECEIVE_FILTER_QUEUE_PARAMETERS, &bytes).succeeded());
    host.send_frames(a, &[FrameSpec::new(mac(1), 60)]).unwrap();
    let v = host.take_violations();
    assert!(v.is_empty(), "processor 0 is the queue's processor now: {v:#?}");
    // A change without the flag leaves the affinity alone.
    let spec = QueueSpec::default().affinity(1 << 3).suggested_buffers(64);
    let bytes =
        queue_parameters_set_bytes(q[0], NDIS_RECEIVE_QUEUE_PARAMETERS_SUGGESTED_RECV_BUFFER_NUMBERS_CHANGED, &spec);
    assert!(host.oid_set(a, OID_RECEIVE_FILTER_QUEUE_PARAMETERS, &bytes).succeeded());
    host.send_frames(a, &[FrameSpec::new(mac(1), 60)]).unwrap();
    let v = host.take_violations();
    assert!(v.is_empty(), "{v:#?}");
}

/// The rule holds every adapter by default (the software NIC indicates from per-processor
/// DPCs): a test miniport that indicates from its send path, on the sender's processor, breaks
/// it; with the host switch off it is only recorded.
#[test]
fn every_adapter_is_held_to_the_affinity_rule_by_default() {
    let (mut host, a, _) =
        rx_host_with(HostConfig::default(), QueueSpec::default().affinity(1 << 2), &[(mac(1), None)]);
    host.send_frames(a, &[FrameSpec::new(mac(1), 60)]).unwrap();
    assert_rule(&mut host, rules::RECEIVE_QUEUE_PROCESSOR);
}

#[test]
fn with_the_switch_off_a_software_adapter_is_not_held_to_the_affinity_rule() {
    let config = HostConfig::default().queue_affinity_for_all_adapters(false);
    let (mut host, a, q) = rx_host_with(config, QueueSpec::default().affinity(1 << 2), &[(mac(1), None)]);
    host.send_frames(a, &[FrameSpec::new(mac(1), 60)]).unwrap();
    let v = host.take_violations();
    assert!(v.is_empty(), "{v:#?}");
    let seen = host.with_model(|m, _| m.indication_processors(a.0));
    assert!(seen.get(&q[0].0).is_some_and(|s| s.contains(&0)), "recorded anyway: {seen:?}");
}

const DISPATCH_LEVEL_IRQL: u8 = ndis_sim::DISPATCH_LEVEL;
