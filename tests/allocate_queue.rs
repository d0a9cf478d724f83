//! OID_RECEIVE_FILTER_ALLOCATE_QUEUE validates NDIS_RECEIVE_QUEUE_PARAMETERS and reserves the queue.
//!
//! Rule (<https://learn.microsoft.com/windows-hardware/drivers/network/oid-receive-filter-allocate-queue>, <https://learn.microsoft.com/windows-hardware/drivers/network/allocating-a-vm-queue>): "Returns: SUCCESS, PENDING, INVALID_PARAMETER, INVALID_LENGTH (set
//! DATA.METHOD_INFORMATION.BytesNeeded), NOT_SUPPORTED, FAILURE"; "Caller-set fields: type
//! NdisReceiveQueueTypeVMQueue, ProcessorAffinity (never zero), ... and only the
//! PER_QUEUE_RECEIVE_INDICATION and LOOKAHEAD_SPLIT_REQUIRED flags"; <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_receive_queue_parameters>: "A non-zero
//! LookaheadSize without the flag is invalid".
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use ndis_sim::vswitch::queue_parameters_bytes;
use ndis_sim::{AdapterId, Host, OidResult, QueueSpec};
use ndis_sys::{
    NDIS_SIZEOF_RECEIVE_QUEUE_PARAMETERS_REVISION_2, NDIS_STATUS_INVALID_LENGTH, NDIS_STATUS_INVALID_PARAMETER,
    NDIS_STATUS_RESOURCES, NDIS_STATUS_SUCCESS, OID_RECEIVE_FILTER_ALLOCATE_QUEUE,
};

fn allocate_raw(host: &mut Host, adapter: AdapterId, bytes: &[u8]) -> OidResult {
    let out = u32::try_from(bytes.len()).unwrap();
    host.oid_method(adapter, OID_RECEIVE_FILTER_ALLOCATE_QUEUE, bytes, out)
}

#[test]
fn a_valid_request_reserves_the_queue() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let r = allocate_raw(&mut host, adapter, &queue_parameters_bytes(&QueueSpec::default()));
    assert_eq!(r.status, NDIS_STATUS_SUCCESS);
    assert_eq!(r.bytes_read, u32::from(NDIS_SIZEOF_RECEIVE_QUEUE_PARAMETERS_REVISION_2));
    assert!(r.queue_id.is_some_and(|q| q != 0));
    // Revision 1 (NDIS 6.20 size 1084) is accepted too.
    let r1 =
        allocate_raw(&mut host, adapter, &queue_parameters_bytes(&QueueSpec { revision: 1, ..QueueSpec::default() }));
    assert_eq!(r1.status, NDIS_STATUS_SUCCESS);
    assert_eq!(host.queues(adapter).len(), 2);
    common::assert_clean(&mut host);
}

#[test]
fn a_short_buffer_gets_invalid_length_with_bytes_needed() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let full = queue_parameters_bytes(&QueueSpec::default());
    for len in [0usize, 3, 4, 100, 1083, 1091] {
        let r = allocate_raw(&mut host, adapter, &full[..len]);
        assert_eq!(r.status, NDIS_STATUS_INVALID_LENGTH, "len {len}");
        assert_eq!(r.bytes_needed, u32::from(NDIS_SIZEOF_RECEIVE_QUEUE_PARAMETERS_REVISION_2), "len {len}");
    }
    assert!(host.queues(adapter).is_empty());
    common::assert_clean(&mut host);
}

#[test]
fn bad_headers_types_flags_lookahead_and_affinity_are_invalid_parameters() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let good = queue_parameters_bytes(&QueueSpec::default());
    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
    let mut b = good.clone();
    b[0] = 0x81; // Header.Type not NDIS_OBJECT_TYPE_DEFAULT
    cases.push(("type", b));
    let mut b = good.clone();
    b[1] = 0; // Header.Revision 0
    cases.push(("revision", b));
    let mut b = good.clone();
    b[2..4].copy_from_slice(&100u16.to_le_bytes()); // Header.Size below the revision's size
    cases.push(("size", b));
    cases.push(("queue type", queue_parameters_bytes(&QueueSpec { queue_type: 2, ..QueueSpec::default() })));
    cases.push(("flags", queue_parameters_bytes(&QueueSpec::default().flags(0x100))));
    cases.push(("lookahead without split", queue_parameters_bytes(&QueueSpec::default().lookahead(128))));
    cases.push(("zero affinity", queue_parameters_bytes(&QueueSpec::default().affinity(0))));
    for (name, bytes) in cases {
        let r = allocate_raw(&mut host, adapter, &bytes);
        assert_eq!(r.status, NDIS_STATUS_INVALID_PARAMETER, "{name}");
    }
    assert!(host.queues(adapter).is_empty());
    common::assert_clean(&mut host);
}

#[test]
fn allocating_more_queues_than_advertised_gets_resources() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let (_, current) = host.receive_filter_capabilities(adapter).unwrap();
    for _ in 0..current.num_queues {
        host.allocate_queue(adapter, QueueSpec::default()).expect("within NumQueues");
    }
    let refused = host.allocate_queue(adapter, QueueSpec::default()).expect_err("beyond NumQueues");
    assert_eq!(refused.status, NDIS_STATUS_RESOURCES);
    common::assert_clean(&mut host);
}

#[test]
fn a_failed_pool_allocation_of_the_queue_is_resources_and_leaks_nothing() {
    let mut host = common::host_with(ndis_sim::HostConfig::default());
    let adapter = common::add_adapter(&mut host, &[]);
    let next = host.pool_allocation_calls() + 1;
    drop(host);
    let mut host = common::host_with(ndis_sim::HostConfig::default().fail_pool_allocation(next));
    let adapter2 = common::add_adapter(&mut host, &[]);
    assert_eq!(adapter, adapter2);
    let refused = host.allocate_queue(adapter2, QueueSpec::default()).expect_err("pool failure");
    assert_eq!(refused.status, NDIS_STATUS_RESOURCES);
    host.halt(adapter2, 0).unwrap();
    host.unload_driver().unwrap();
    assert_eq!(host.report().pool.bytes_outstanding, 0);
    common::assert_clean(&mut host);
}
