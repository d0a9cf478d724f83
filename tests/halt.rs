//! MiniportHaltEx frees the default queue's memory (and anything a misbehaving host
//! left allocated), undoes everything initialize did, and leaves nothing behind.
//!
//! Rule (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_halt>, <https://learn.microsoft.com/windows-hardware/drivers/network/halting-a-miniport-adapter>): "Must free everything allocated in Initialize and later, in
//! reverse order"; after FREE_QUEUE "in Halt only default-queue shared memory, per-adapter structures, SG DMA
//! and interrupts remain to free".
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

#[test]
fn halt_frees_the_default_queue_and_all_pool() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let queues = common::allocated_queues(&mut host, adapter, 4);
    for q in queues {
        host.free_queue(adapter, q);
    }
    host.halt(adapter, 0).unwrap();
    let report = host.report();
    assert_eq!(report.shared_memory.bytes_outstanding, 0);
    assert_eq!(report.shared_memory.allocations, report.shared_memory.frees);
    host.unload_driver().unwrap();
    assert_eq!(host.report().pool.bytes_outstanding, 0);
    common::assert_clean(&mut host);
}

#[test]
fn halt_frees_queues_a_misbehaving_host_left_allocated() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let queues = common::allocated_queues(&mut host, adapter, 3);
    // One queue half-built (allocated, never completed) as well.
    host.allocate_queue(adapter, ndis_sim::QueueSpec::default()).unwrap();
    assert!(host.report().shared_memory.per_queue.contains_key(&queues[2].0));
    host.halt_leaving_queues(adapter, 0).unwrap();
    assert_eq!(host.report().shared_memory.bytes_outstanding, 0);
    host.unload_driver().unwrap();
    assert_eq!(host.report().pool.bytes_outstanding, 0);
    common::assert_clean(&mut host);
}
