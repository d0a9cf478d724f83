//! QUEUE_ALLOCATION_COMPLETE allocates each queue's shared memory and reports a
//! CompletionStatus per queue; a queue grows until it is freed; both memory forms.
//!
//! Rules (<https://learn.microsoft.com/windows-hardware/drivers/network/oid-receive-filter-queue-allocation-complete>): "This is where the miniport allocates shared memory
//! (NdisAllocateSharedMemory, Usage=Receive) and fills each element's CompletionStatus, e.g.
//! RESOURCES"; "More memory may be allocated later, until the queue is freed". NdisAllocateSharedMemory
//! (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocatesharedmemory>): "If CONTIGUOUS
//! is not set, the memory may be described by a non-contiguous SG list."
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use ndis_sim::vswitch::allocation_complete_bytes;
use ndis_sim::{HostConfig, QueueId, QueueSpec};
use ndis_sys::{
    NDIS_STATUS_INVALID_LENGTH, NDIS_STATUS_INVALID_PARAMETER, NDIS_STATUS_RESOURCES, NDIS_STATUS_SUCCESS,
    NdisSharedMemoryUsageReceive, OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE,
};

#[test]
fn every_queue_gets_receive_shared_memory_and_success() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let queues = common::allocated_queues(&mut host, adapter, 3);
    let blocks = host.shared_memory_blocks(adapter);
    for q in &queues {
        let mine: Vec<_> = blocks.iter().filter(|b| b.queue == q.0).collect();
        assert!(!mine.is_empty(), "queue {q:?} has shared memory");
        assert!(mine.iter().all(|b| b.usage == NdisSharedMemoryUsageReceive as u32));
        // 256 suggested buffers of 2 KiB.
        assert_eq!(mine.iter().map(|b| b.len).sum::<u64>(), 256 * 2048);
    }
    common::assert_clean(&mut host);
}

#[test]
fn elements_are_walked_by_offset_and_stride_and_unknown_queues_are_invalid() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let q = host.allocate_queue(adapter, QueueSpec::default()).unwrap();
    // Element 0 names a queue that does not exist; element 1 the real one.
    let result = host.complete_queue_allocation(adapter, &[QueueId(q.0 + 40), q]).unwrap();
    assert_eq!(result[0].1, NDIS_STATUS_INVALID_PARAMETER);
    assert_eq!(result[1].1, NDIS_STATUS_SUCCESS);
    // Completing the same queue again is refused per element, and leaks nothing.
    let again = host.complete_queue_allocation(adapter, &[q]).unwrap();
    assert_eq!(again[0].1, NDIS_STATUS_INVALID_PARAMETER);
    common::assert_clean(&mut host);
}

#[test]
fn malformed_arrays_are_refused_with_the_documented_status() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let q = host.allocate_queue(adapter, QueueSpec::default()).unwrap();
    let good = allocation_complete_bytes(&[q]);
    let send = |host: &mut ndis_sim::Host, bytes: &[u8]| {
        host.oid_method(adapter, OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE, bytes, bytes.len() as u32)
    };
    // Shorter than the array header.
    let r = send(&mut host, &good[..10]);
    assert_eq!((r.status, r.bytes_needed), (NDIS_STATUS_INVALID_LENGTH, 20));
    // NumElements pointing past the buffer (and a count that would overflow 32-bit math).
    for count in [2u32, 0x1000_0000, u32::MAX] {
        let mut b = good.clone();
        b[12..16].copy_from_slice(&count.to_le_bytes());
        let r = send(&mut host, &b);
        assert_eq!(r.status, NDIS_STATUS_INVALID_LENGTH, "count {count}");
        assert!(r.bytes_needed as usize > b.len(), "count {count}: BytesNeeded {}", r.bytes_needed);
    }
    // ElementSize below the element structure, FirstElementOffset inside the header.
    let mut b = good.clone();
    b[16..20].copy_from_slice(&8u32.to_le_bytes());
    assert_eq!(send(&mut host, &b).status, NDIS_STATUS_INVALID_PARAMETER);
    let mut b = good.clone();
    b[8..12].copy_from_slice(&4u32.to_le_bytes());
    assert_eq!(send(&mut host, &b).status, NDIS_STATUS_INVALID_PARAMETER);
    // Nothing was allocated for the queue by the refused requests.
    assert_eq!(common::outstanding_blocks(&mut host, adapter, q.0), 0);
    common::assert_clean(&mut host);
}

/// "NDIS_STATUS_RESOURCES for a queue whose allocation failed — without leaking
/// what that queue got before the failure". Every shared-memory allocation of a two-queue
/// completion is failed in turn.
#[test]
fn a_failed_allocation_reports_resources_for_that_queue_and_leaks_nothing() {
    let mut probe = common::host_with(HostConfig::default());
    let adapter = common::add_adapter(&mut probe, &[]);
    let first = probe.shared_memory_allocation_calls() + 1;
    common::allocated_queues(&mut probe, adapter, 2);
    let last = probe.shared_memory_allocation_calls();
    drop(probe);
    assert_eq!(last - first + 1, 16, "two queues of eight 64 KiB blocks");
    for k in first..=last {
        let mut host = common::host_with(HostConfig::default().fail_shared_memory_allocation(k));
        let adapter = common::add_adapter(&mut host, &[]);
        let queues: Vec<QueueId> =
            (0..2).map(|_| host.allocate_queue(adapter, QueueSpec::default()).unwrap()).collect();
        let statuses = host.complete_queue_allocation(adapter, &queues).unwrap();
        let failed_index = usize::try_from((k - first) / 8).unwrap();
        for (i, (q, status)) in statuses.iter().enumerate() {
            let expected = if i == failed_index { NDIS_STATUS_RESOURCES } else { NDIS_STATUS_SUCCESS };
            assert_eq!(*status, expected, "k={k} queue {q:?}");
            let blocks = common::outstanding_blocks(&mut host, adapter, q.0);
            assert_eq!(blocks == 0, i == failed_index, "k={k}: the failed queue keeps nothing");
        }
        for q in queues {
            assert_eq!(host.free_queue(adapter, q).status, NDIS_STATUS_SUCCESS);
        }
        host.halt(adapter, 0).unwrap();
        assert_eq!(host.report().shared_memory.bytes_outstanding, 0, "k={k}");
        common::assert_clean(&mut host);
    }
}

/// Further allocations for a queue until it is freed.
#[test]
fn a_queue_grows_its_receive_memory_until_it_is_freed() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let q = host.allocate_queue(adapter, QueueSpec::default().suggested_buffers(64)).unwrap();
    host.complete_queue_allocation(adapter, &[q]).unwrap();
    assert_eq!(common::outstanding_blocks(&mut host, adapter, q.0), 2);
    assert_eq!(host.set_queue_suggested_buffers(adapter, q, 256).status, NDIS_STATUS_SUCCESS);
    assert_eq!(common::outstanding_blocks(&mut host, adapter, q.0), 8);
    assert_eq!(host.set_queue_suggested_buffers(adapter, q, 512).status, NDIS_STATUS_SUCCESS);
    assert_eq!(common::outstanding_blocks(&mut host, adapter, q.0), 16);
    // Shrinking the suggestion keeps the memory (nothing to free until the queue goes).
    assert_eq!(host.set_queue_suggested_buffers(adapter, q, 64).status, NDIS_STATUS_SUCCESS);
    assert_eq!(common::outstanding_blocks(&mut host, adapter, q.0), 16);
    let per_queue = host.report().shared_memory.per_queue[&q.0];
    assert_eq!(per_queue.allocations, 16);
    assert_eq!(host.free_queue(adapter, q).status, NDIS_STATUS_SUCCESS);
    assert_eq!(common::outstanding_blocks(&mut host, adapter, q.0), 0);
    // After the free the queue is gone: growing it is refused.
    assert_eq!(host.set_queue_suggested_buffers(adapter, q, 256).status, NDIS_STATUS_INVALID_PARAMETER);
    common::assert_clean(&mut host);
}

/// Without CONTIGUOUS the driver supplies an SG buffer sized for the worst case
/// and ndis-sim returns multi-element lists; with VmqContiguousRx=1 each block is one element.
#[test]
fn both_memory_forms_scatter_gather_and_contiguous() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let queues = common::allocated_queues(&mut host, adapter, 2);
    let blocks = host.shared_memory_blocks(adapter);
    assert!(blocks.iter().all(|b| !b.contiguous));
    assert!(blocks.iter().any(|b| b.elements.len() > 1), "some list has several elements");
    for b in &blocks {
        assert_eq!(b.elements.iter().map(|e| u64::from(e.1)).sum::<u64>(), b.len, "elements cover the block");
    }
    for q in queues {
        host.free_queue(adapter, q);
    }
    common::assert_clean(&mut host);

    let (mut host, adapter) = common::host_and_adapter(&[("VmqContiguousRx", 1)]);
    common::allocated_queues(&mut host, adapter, 2);
    let blocks = host.shared_memory_blocks(adapter);
    assert!(blocks.iter().all(|b| b.contiguous && b.elements.len() == 1));
    common::assert_clean(&mut host);
}
