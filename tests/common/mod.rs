//! Shared setup of the scenario tests: a simulated host with vmqnic loaded.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use ndis_sim::{AdapterConfig, AdapterId, Host, HostConfig, QueueId, QueueSpec};

/// A host with the driver loaded (DriverEntry ran).
pub fn host_with(config: HostConfig) -> Host {
    let mut host = Host::new(config);
    host.load_driver(vmqnic::DriverEntry).expect("DriverEntry succeeds");
    host
}

/// A host with the driver loaded and one adapter initialized and restarted.
pub fn host_and_adapter(keywords: &[(&str, u32)]) -> (Host, AdapterId) {
    let mut host = host_with(HostConfig::default().seed(7));
    let adapter = add_adapter(&mut host, keywords);
    (host, adapter)
}

/// Initializes an adapter with these keywords.
pub fn add_adapter(host: &mut Host, keywords: &[(&str, u32)]) -> AdapterId {
    let mut config = AdapterConfig::default();
    for (name, value) in keywords {
        config = config.keyword(name, *value);
    }
    host.add_adapter(config).expect("MiniportInitializeEx succeeds")
}

/// Initializes the support adapter the traffic source sends from now (the host would on the
/// first send), so that a test measuring allocations does not count it.
pub fn with_support_adapter(host: &mut Host) -> AdapterId {
    host.support_adapter().expect("the support adapter initializes")
}

/// ALLOCATE_QUEUE + ALLOCATION_COMPLETE for `n` queues; asserts every completion succeeded.
pub fn allocated_queues(host: &mut Host, adapter: AdapterId, n: usize) -> Vec<QueueId> {
    let queues: Vec<QueueId> =
        (0..n).map(|_| host.allocate_queue(adapter, QueueSpec::default()).expect("ALLOCATE_QUEUE succeeds")).collect();
    let statuses = host.complete_queue_allocation(adapter, &queues).expect("ALLOCATION_COMPLETE succeeds");
    for (queue, status) in &statuses {
        assert_eq!(*status, ndis_sys::NDIS_STATUS_SUCCESS, "CompletionStatus of queue {queue:?}");
    }
    queues
}

/// Bytes of shared memory NDIS has outstanding for `queue` on this host.
pub fn outstanding_blocks(host: &mut Host, adapter: AdapterId, queue: u32) -> usize {
    host.shared_memory_blocks(adapter).iter().filter(|b| b.queue == queue).count()
}

/// Asserts the host saw no rule violation so far.
pub fn assert_clean(host: &mut Host) {
    let violations = host.take_violations();
    assert!(violations.is_empty(), "violations: {violations:#?}");
}
