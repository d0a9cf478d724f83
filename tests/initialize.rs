//! MiniportInitializeEx — attributes, VMQ capabilities, keywords, default-queue
//! shared memory, and unwinding on failure.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use ndis_sim::{AdapterConfig, HostConfig, SimError};
use ndis_sys::{
    NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER, NDIS_RECEIVE_FILTER_DYNAMIC_PROCESSOR_AFFINITY_CHANGE_SUPPORTED,
    NDIS_RECEIVE_FILTER_INTERRUPT_VECTOR_COALESCING_SUPPORTED, NDIS_RECEIVE_FILTER_LOOKAHEAD_SPLIT_SUPPORTED,
    NDIS_RECEIVE_FILTER_MAC_HEADER_DEST_ADDR_SUPPORTED, NDIS_RECEIVE_FILTER_MAC_HEADER_SUPPORTED,
    NDIS_RECEIVE_FILTER_MAC_HEADER_VLAN_ID_SUPPORTED, NDIS_RECEIVE_FILTER_MSI_X_SUPPORTED,
    NDIS_RECEIVE_FILTER_TEST_HEADER_FIELD_EQUAL_SUPPORTED, NDIS_RECEIVE_FILTER_VM_QUEUE_SUPPORTED,
    NDIS_RECEIVE_FILTER_VM_QUEUES_ENABLED, NDIS_STATUS_RESOURCES, NdisSharedMemoryUsageReceive,
};

/// NDIS_RECEIVE_FILTER_CAPABILITIES (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_receive_filter_capabilities>):
/// "MSI_X_SUPPORTED and VM_QUEUE_SUPPORTED in SupportedQueueProperties;
/// TEST_HEADER_FIELD_EQUAL_SUPPORTED; MAC_HEADER_SUPPORTED; MAC_HEADER_DEST_ADDR_SUPPORTED;
/// MaxMacHeaderFilters should be ≥ NumQueues; from NDIS 6.30 set DYNAMIC_PROCESSOR_AFFINITY_CHANGE
/// and INTERRUPT_VECTOR_COALESCING, do not set LOOKAHEAD_SPLIT_SUPPORTED, Min/MaxLookaheadSplitSize = 0."
#[test]
fn hardware_capabilities_advertise_vmq_as_ndis_6_30_requires() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let (hw, current) = host.receive_filter_capabilities(adapter).expect("hardware-assist attributes set");
    for flag in [
        NDIS_RECEIVE_FILTER_MSI_X_SUPPORTED,
        NDIS_RECEIVE_FILTER_VM_QUEUE_SUPPORTED,
        NDIS_RECEIVE_FILTER_DYNAMIC_PROCESSOR_AFFINITY_CHANGE_SUPPORTED,
        NDIS_RECEIVE_FILTER_INTERRUPT_VECTOR_COALESCING_SUPPORTED,
    ] {
        assert_ne!(hw.supported_queue_properties & flag, 0, "queue property {flag:#x}");
    }
    assert_eq!(hw.supported_queue_properties & NDIS_RECEIVE_FILTER_LOOKAHEAD_SPLIT_SUPPORTED, 0);
    assert_eq!((hw.min_lookahead_split_size, hw.max_lookahead_split_size), (0, 0));
    assert_ne!(hw.supported_filter_tests & NDIS_RECEIVE_FILTER_TEST_HEADER_FIELD_EQUAL_SUPPORTED, 0);
    assert_ne!(hw.supported_headers & NDIS_RECEIVE_FILTER_MAC_HEADER_SUPPORTED, 0);
    assert_ne!(hw.supported_mac_header_fields & NDIS_RECEIVE_FILTER_MAC_HEADER_DEST_ADDR_SUPPORTED, 0);
    assert!(hw.num_queues > 0 && hw.max_mac_header_filters >= hw.num_queues);
    assert_eq!(hw.revision, 2);
    // With default keywords the current set equals the hardware set.
    assert_eq!(current, hw);
    common::assert_clean(&mut host);
}

/// <https://learn.microsoft.com/windows-hardware/drivers/network/standardized-inf-keywords-for-vmq>: "Always report complete RSS and VMQ hardware capabilities regardless of keywords.
/// Keywords only affect current capabilities." And netvmini "clears
/// MAC_HEADER_VLAN_ID_SUPPORTED from Current caps when VLAN filtering is disabled".
#[test]
fn keywords_narrow_the_current_capabilities_only() {
    let (mut host, adapter) = common::host_and_adapter(&[("*VMQ", 0), ("*VMQVlanFiltering", 0)]);
    let keywords = host.keywords_read(adapter);
    assert!(keywords.iter().any(|k| k == "*vmq") && keywords.iter().any(|k| k == "*vmqvlanfiltering"), "{keywords:?}");
    let (hw, current) = host.receive_filter_capabilities(adapter).expect("caps");
    assert_ne!(hw.enabled_queue_types & NDIS_RECEIVE_FILTER_VM_QUEUES_ENABLED, 0);
    assert_ne!(hw.supported_mac_header_fields & NDIS_RECEIVE_FILTER_MAC_HEADER_VLAN_ID_SUPPORTED, 0);
    assert_eq!(current.enabled_queue_types, 0);
    assert_eq!(current.num_queues, 0);
    assert_eq!(current.supported_mac_header_fields & NDIS_RECEIVE_FILTER_MAC_HEADER_VLAN_ID_SUPPORTED, 0);
    // With VMQ disabled, ALLOCATE_QUEUE is refused.
    let refused = host.allocate_queue(adapter, ndis_sim::QueueSpec::default()).expect_err("VMQ is off");
    assert_eq!(refused.status, ndis_sys::NDIS_STATUS_NOT_SUPPORTED);
    common::assert_clean(&mut host);
}

/// <https://learn.microsoft.com/windows-hardware/drivers/network/shared-memory-resource-allocation>: "Shared memory for [the default queue] may be allocated during initialization
/// and is freed in MiniportHaltEx"; NdisAllocateSharedMemory with QueueId 0,
/// NdisSharedMemoryUsageReceive.
#[test]
fn initialize_allocates_the_default_queue_shared_memory() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let blocks = host.shared_memory_blocks(adapter);
    assert!(!blocks.is_empty());
    assert!(blocks.iter().all(|b| b.queue == 0 && b.usage == NdisSharedMemoryUsageReceive as u32));
    let bytes: u64 = blocks.iter().map(|b| b.len).sum();
    assert_eq!(bytes, u64::from(vmqnic::vmq::adapter::DEFAULT_QUEUE_BUFFERS) * 2048);
    host.halt(adapter, 0).expect("halt");
    assert_eq!(host.report().shared_memory.bytes_outstanding, 0);
    common::assert_clean(&mut host);
}

/// "A failure at any step unwinds everything taken so far" — every pool
/// allocation and every NdisAllocateSharedMemory that initialize makes is failed in turn;
/// initialize must fail with a status and leave nothing allocated (ndis-sim checks leaks
/// at a failed MiniportInitializeEx).
#[test]
fn initialize_failure_at_every_allocation_unwinds_everything() {
    // How many allocations does a successful initialize make?
    let mut probe = common::host_with(HostConfig::default());
    let before = (probe.pool_allocation_calls(), probe.shared_memory_allocation_calls());
    common::add_adapter(&mut probe, &[]);
    let pool_points = probe.pool_allocation_calls() - before.0;
    let shared_points = probe.shared_memory_allocation_calls() - before.1;
    assert!(pool_points >= 2 && shared_points >= 2, "pool {pool_points}, shared {shared_points}");
    drop(probe);

    for k in 1..=pool_points {
        let mut host = ndis_sim::Host::new(HostConfig::default().fail_pool_allocation(before.0 + k));
        host.load_driver(vmqnic::DriverEntry).expect("load");
        let result = host.add_adapter(AdapterConfig::default());
        assert_eq!(result, Err(SimError::InitializeFailed(NDIS_STATUS_RESOURCES)), "pool point {k}");
        host.unload_driver().expect("unload");
        assert_eq!(host.report().pool.bytes_outstanding, 0, "pool point {k}");
        common::assert_clean(&mut host);
    }
    for k in 1..=shared_points {
        let mut host = ndis_sim::Host::new(HostConfig::default().fail_shared_memory_allocation(before.1 + k));
        host.load_driver(vmqnic::DriverEntry).expect("load");
        let result = host.add_adapter(AdapterConfig::default());
        assert_eq!(result, Err(SimError::InitializeFailed(NDIS_STATUS_RESOURCES)), "shared point {k}");
        assert_eq!(host.report().shared_memory.bytes_outstanding, 0, "shared point {k}");
        host.unload_driver().expect("unload");
        common::assert_clean(&mut host);
    }
}

/// NdisAllocateSharedMemory (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocatesharedmemory>): the miniport
/// "must have already called NdisMRegisterScatterGatherDma or NdisMRegisterDmaChannel" — in
/// every configuration, no keyword needed; SDV rule Init_RegisterSG
/// (<https://learn.microsoft.com/windows-hardware/drivers/devtest/ndis-init-registersg>): "NdisMDeregisterScatterGatherDma in Halt if registered in Init".
#[test]
fn every_adapter_registers_sg_dma_before_shared_memory() {
    let mut host = common::host_with(HostConfig::default());
    let adapter = host.add_adapter(AdapterConfig::default().bus_master(true)).expect("initialize");
    let registration = host.registration_attributes(adapter).expect("registration attributes");
    assert_ne!(registration.attribute_flags & NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER, 0);
    let queues = common::allocated_queues(&mut host, adapter, 2);
    for q in queues {
        assert_eq!(host.free_queue(adapter, q).status, 0);
    }
    host.halt(adapter, 0).expect("halt");
    // ndis-sim reports shared-memory.before-sg-dma and sg-dma.not-deregistered otherwise.
    common::assert_clean(&mut host);
}

/// The general attributes describe an Ethernet adapter and list the OIDs the driver answers.
#[test]
fn general_attributes_describe_an_ethernet_adapter() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let general = host.general_attributes(adapter).expect("general attributes");
    assert_eq!(general.revision, 2);
    assert_eq!(general.mtu_size, 1500);
    assert_eq!(general.media_type, 0); // NdisMedium802_3
    assert_eq!(general.physical_medium_type, 14); // NdisPhysicalMedium802_3
    common::assert_clean(&mut host);
}
