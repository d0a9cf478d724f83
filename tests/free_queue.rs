//! OID_RECEIVE_FILTER_FREE_QUEUE stops DMA, indicates DmaStopped, frees every
//! allocation of the queue, and completes with a status Driver Verifier allows.
//!
//! Rules (<https://learn.microsoft.com/windows-hardware/drivers/network/freeing-a-vm-queue>): "NdisMIndicateStatusEx: StatusCode NDIS_STATUS_RECEIVE_QUEUE_STATE ...
//! QueueState = NdisReceiveQueueOperationalStateDmaStopped"; "NdisFreeSharedMemory for every block
//! of that queue (PASSIVE)"; "Allowed miniport return codes: SUCCESS, PENDING, NOT_ACCEPTED,
//! REQUEST_ABORTED" (Driver Verifier rule NdisOidComplete).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use ndis_sim::vswitch::queue_free_bytes;
use ndis_sim::{QueueId, QueueSpec};
use ndis_sys::{
    NDIS_STATUS_NOT_ACCEPTED, NDIS_STATUS_RECEIVE_QUEUE_STATE, NDIS_STATUS_SUCCESS,
    NdisReceiveQueueOperationalStateDmaStopped, OID_RECEIVE_FILTER_FREE_QUEUE,
};

#[test]
fn free_queue_indicates_dma_stopped_and_frees_every_allocation() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let queues = common::allocated_queues(&mut host, adapter, 2);
    host.set_queue_suggested_buffers(adapter, queues[0], 512); // grow: more allocations to free
    let before = host.report().shared_memory.per_queue[&queues[0].0];
    assert_eq!(before.allocations, 16);
    let r = host.free_queue(adapter, queues[0]);
    assert_eq!(r.status, NDIS_STATUS_SUCCESS);
    let indications = host.status_indications();
    let dma_stopped: Vec<_> = indications
        .iter()
        .filter(|s| s.code == NDIS_STATUS_RECEIVE_QUEUE_STATE && s.queue_id == Some(queues[0].0))
        .collect();
    assert_eq!(dma_stopped.len(), 1, "exactly one queue-state indication for the freed queue");
    assert_eq!(dma_stopped[0].queue_state, Some(NdisReceiveQueueOperationalStateDmaStopped as u32));
    let after = host.report().shared_memory.per_queue[&queues[0].0];
    assert_eq!(after.frees, after.allocations);
    // The other queue is untouched.
    assert_eq!(common::outstanding_blocks(&mut host, adapter, queues[1].0), 8);
    common::assert_clean(&mut host);
}

#[test]
fn freeing_a_queue_whose_allocation_never_completed_leaks_nothing() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let q = host.allocate_queue(adapter, QueueSpec::default()).unwrap();
    assert_eq!(host.free_queue(adapter, q).status, NDIS_STATUS_SUCCESS);
    // The id can be handed out again and the new queue works.
    let again = common::allocated_queues(&mut host, adapter, 1);
    assert_eq!(host.free_queue(adapter, again[0]).status, NDIS_STATUS_SUCCESS);
    common::assert_clean(&mut host);
}

/// "Freeing an unknown or already-freed queue is answered, not crashed on" —
/// with NOT_ACCEPTED, the refusal FREE_QUEUE allows.
#[test]
fn unknown_freed_default_and_malformed_frees_are_not_accepted() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let q = common::allocated_queues(&mut host, adapter, 1)[0];
    assert_eq!(host.free_queue(adapter, q).status, NDIS_STATUS_SUCCESS);
    assert_eq!(host.free_queue(adapter, q).status, NDIS_STATUS_NOT_ACCEPTED, "already freed");
    assert_eq!(host.free_queue(adapter, QueueId(33)).status, NDIS_STATUS_NOT_ACCEPTED, "unknown");
    assert_eq!(host.free_queue(adapter, QueueId(0)).status, NDIS_STATUS_NOT_ACCEPTED, "default queue");
    let good = queue_free_bytes(QueueId(1));
    for bytes in [&good[..0], &good[..7], &good[..11]] {
        let r = host.oid_set(adapter, OID_RECEIVE_FILTER_FREE_QUEUE, bytes);
        assert_eq!(r.status, NDIS_STATUS_NOT_ACCEPTED, "len {}", bytes.len());
    }
    let mut bad_header = good.clone();
    bad_header[0] = 0;
    assert_eq!(host.oid_set(adapter, OID_RECEIVE_FILTER_FREE_QUEUE, &bad_header).status, NDIS_STATUS_NOT_ACCEPTED);
    // A FREE_QUEUE sent as a query is refused the same allowed way.
    assert_eq!(host.oid_query(adapter, OID_RECEIVE_FILTER_FREE_QUEUE, 16).status, NDIS_STATUS_NOT_ACCEPTED);
    common::assert_clean(&mut host);
}
