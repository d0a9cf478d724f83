//! The software NIC's receive "interrupts": one kernel DPC per processor. A queue's frames are
//! copied into its shared memory when the segment delivers them and indicated by the DPC of the
//! queue's `ProcessorAffinity` processor, at DISPATCH_LEVEL, in order; queues of one processor
//! share its DPC (INTERRUPT_VECTOR_COALESCING_SUPPORTED); an affinity change moves the queue
//! (DYNAMIC_PROCESSOR_AFFINITY_CHANGE_SUPPORTED) — "VMQ interrupt requirements".
//!
//! Rules: `receive.queue-processor`, `receive.queue-irql` (now held for every adapter),
//! `receive.queue-freed` and `receive.misuse` (nothing indicated from a freed queue or a paused
//! adapter when frames were still waiting for a DPC), `dpc.freed-while-queued` (halt).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::collections::BTreeSet;

use ndis_sim::vswitch::queue_parameters_set_bytes;
use ndis_sim::{AdapterId, FrameSpec, Host, HostConfig, QueueId, QueueSpec};
use ndis_sys::{
    NDIS_RECEIVE_QUEUE_PARAMETERS_PROCESSOR_AFFINITY_CHANGED, NDIS_STATUS_SUCCESS, OID_RECEIVE_FILTER_QUEUE_PARAMETERS,
};

fn vm(i: usize) -> [u8; 6] {
    [0x02, 0x15, 0x5D, 0, 1, u8::try_from(i).unwrap()]
}

/// A host with `processors` processors, the adapter, its support adapter, and one filtered
/// queue per affinity mask.
fn setup(config: HostConfig, masks: &[u64]) -> (Host, AdapterId, Vec<QueueId>) {
    let mut host = common::host_with(config.seed(11));
    let a = common::add_adapter(&mut host, &[]);
    common::with_support_adapter(&mut host);
    let queues: Vec<QueueId> = masks
        .iter()
        .map(|m| host.allocate_queue(a, QueueSpec::default().affinity(*m)).expect("ALLOCATE_QUEUE"))
        .collect();
    for (_, status) in host.complete_queue_allocation(a, &queues).unwrap() {
        assert_eq!(status, NDIS_STATUS_SUCCESS);
    }
    for (i, q) in queues.iter().enumerate() {
        host.set_mac_filter(a, *q, vm(i), None).unwrap();
    }
    (host, a, queues)
}

fn processors_of(host: &mut Host, a: AdapterId, q: QueueId) -> BTreeSet<u32> {
    host.with_model(|m, _| m.indication_processors(a.0)).get(&q.0).cloned().unwrap_or_default()
}

#[test]
fn each_queue_is_indicated_on_its_affinity_processor_by_one_dpc_per_processor() {
    // Six queues on processors 0, 1, 2, 3, 0, 1 of a 4-processor host.
    let masks = [1, 2, 4, 8, 1, 2];
    let (mut host, a, q) = setup(HostConfig::default().processor_count(4), &masks);
    let frames: Vec<FrameSpec> = (0..60).map(|n| FrameSpec::new(vm(n % 6), 64 + n)).collect();
    let before = host.with_model(|m, _| m.kernel_dpcs_run());
    host.send_frames(a, &frames).unwrap();
    let ran = host.with_model(|m, _| m.kernel_dpcs_run()) - before;
    assert_eq!(ran, 4, "one DPC per processor for one send, the queues of a processor coalesced");
    for (i, queue) in q.iter().enumerate() {
        let expected: BTreeSet<u32> = [masks[i].trailing_zeros()].into();
        assert_eq!(processors_of(&mut host, a, *queue), expected, "queue {i}");
    }
    let t = host.traffic(a);
    assert_eq!((t.frames_sent, t.frames_delivered, t.misdelivered), (60, 60, 0));
    assert!(t.per_queue.values().all(|x| x.in_order));
    common::assert_clean(&mut host);
}

#[test]
fn an_affinity_change_moves_the_queue_to_the_new_processors_dpc() {
    let (mut host, a, q) = setup(HostConfig::default().processor_count(4), &[2]);
    host.send_frames(a, &[FrameSpec::new(vm(0), 100); 4]).unwrap();
    let spec = QueueSpec::default().affinity(1 << 3);
    let bytes = queue_parameters_set_bytes(q[0], NDIS_RECEIVE_QUEUE_PARAMETERS_PROCESSOR_AFFINITY_CHANGED, &spec);
    assert!(host.oid_set(a, OID_RECEIVE_FILTER_QUEUE_PARAMETERS, &bytes).succeeded());
    host.send_frames(a, &[FrameSpec::new(vm(0), 100); 4]).unwrap();
    assert_eq!(processors_of(&mut host, a, q[0]), [1, 3].into());
    assert_eq!(host.traffic(a).frames_delivered, 8);
    common::assert_clean(&mut host);
}

/// "Freeing a VM queue": frames copied in before FREE_QUEUE stopped the queue's DMA and still
/// waiting for the DPC are dropped, and FREE_QUEUE waits for running receive DPCs
/// (KeFlushQueuedDpcs) before DmaStopped, so nothing is indicated from the queue after it; a
/// pause drops what waits too, and completes at once.
#[test]
fn frames_waiting_for_a_dpc_are_dropped_at_free_queue_and_pause() {
    let config = HostConfig::default().processor_count(2).hold_kernel_dpcs(true);
    let (mut host, a, q) = setup(config, &[2, 2]);
    host.send_frames(a, &[FrameSpec::new(vm(0), 100), FrameSpec::new(vm(1), 100)]).unwrap();
    assert_eq!(host.traffic(a).frames_delivered, 0, "both wait for processor 1's DPC");
    for (id, _) in host.filters(a).into_iter().filter(|(_, queue)| *queue == q[0].0) {
        assert_eq!(host.clear_filter(a, q[0], id).status, NDIS_STATUS_SUCCESS);
    }
    assert_eq!(host.free_queue(a, q[0]).status, NDIS_STATUS_SUCCESS, "nothing indicated, nothing to wait for");
    // FREE_QUEUE waited for the receive DPCs (KeFlushQueuedDpcs) before DmaStopped.
    assert_eq!(host.run_kernel_dpcs(), 0);
    let t = host.traffic(a);
    assert_eq!(t.per_queue[&q[0].0].dropped, 1, "dropped, not indicated after DmaStopped");
    assert_eq!(t.per_queue[&q[1].0].delivered, 1, "the other queue of the processor still gets its frame");

    host.send_frames(a, &[FrameSpec::new(vm(1), 100)]).unwrap();
    host.pause(a).unwrap();
    assert_eq!(host.run_kernel_dpcs(), 1);
    assert_eq!(host.traffic(a).per_queue[&q[1].0].delivered, 1, "nothing indicated while paused");
    host.restart(a).unwrap();
    host.send_frames(a, &[FrameSpec::new(vm(1), 100)]).unwrap();
    host.run_kernel_dpcs();
    assert_eq!(host.traffic(a).per_queue[&q[1].0].delivered, 2);
    common::assert_clean(&mut host);
}

/// MiniportHaltEx with a receive DPC still queued takes it off its queue (KeRemoveQueueDpc,
/// KeFlushQueuedDpcs) before the DPC objects are freed.
#[test]
fn halt_with_a_receive_dpc_queued_frees_nothing_a_dpc_still_uses() {
    let config = HostConfig::default().processor_count(2).hold_kernel_dpcs(true);
    let (mut host, a, _) = setup(config, &[2]);
    host.send_frames(a, &[FrameSpec::new(vm(0), 100); 3]).unwrap();
    host.halt(a, 0).unwrap();
    assert_eq!(host.run_kernel_dpcs(), 0, "nothing left to run");
    common::assert_clean(&mut host);
}
