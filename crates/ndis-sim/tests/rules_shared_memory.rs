//! Shared-memory rules (NdisAllocateSharedMemory / NdisFreeSharedMemory): one test per rule.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::ptr::null_mut;

use common::{Point, allocate_shared, assert_rule, driver_handle, hook, host, host_with_adapter, knobs};
use ndis_sim::{AdapterConfig, QueueSpec, rules};
use ndis_sys::*;

/// Runs `f` inside MiniportInitializeEx (PASSIVE_LEVEL) with the adapter handle, on a fresh
/// host with one adapter, and returns the host.
fn in_initialize(mut f: impl FnMut(NDIS_HANDLE) + 'static) -> ndis_sim::Host {
    hook(Point::Initialize, move |ctx| {
        f(ctx.adapter);
        None
    });
    host_with_adapter().0
}

#[test]
fn shared_memory_leak_at_free_queue_is_reported() {
    knobs(|k| k.leak_queue_memory = true);
    let (mut host, a) = host_with_adapter();
    let q = host.allocate_queue(a, QueueSpec::default()).unwrap();
    host.complete_queue_allocation(a, &[q]).unwrap();
    assert!(host.free_queue(a, q).succeeded());
    let v = assert_rule(&mut host, rules::SHARED_MEMORY_LEAK_AT_FREE_QUEUE);
    assert!(v.iter().all(|v| v.rule != rules::SHARED_MEMORY_LEAK_AT_HALT));
}

#[test]
fn shared_memory_leak_at_failed_allocate_is_reported() {
    hook(Point::Oid, |ctx| {
        let (_, oid, b) = common::oid::decode(ctx.request);
        if oid != OID_RECEIVE_FILTER_ALLOCATE_QUEUE {
            return None;
        }
        let at = b.data.wrapping_add(12).cast::<u32>();
        // SAFETY: the ALLOCATE_QUEUE payload NDIS passed; QueueId is at offset 12.
        let q = unsafe { at.read_unaligned() };
        let shared = allocate_shared(ctx.adapter, q, 8192, false, |_| {});
        assert_eq!(shared.status, NDIS_STATUS_SUCCESS);
        Some(NDIS_STATUS_FAILURE)
    });
    let (mut host, a) = host_with_adapter();
    assert!(host.allocate_queue(a, QueueSpec::default()).is_err());
    assert_rule(&mut host, rules::SHARED_MEMORY_LEAK_AT_FAILED_ALLOCATE);
}

#[test]
fn shared_memory_leak_at_halt_is_reported() {
    hook(Point::Halt, |ctx| {
        let s = ctx.state();
        // SAFETY: the pool block from initialize; only the shared memory is leaked.
        unsafe { NdisFreeMemoryWithTagPriority(s.handle, s.pool, common::TAG) };
        Some(0)
    });
    let (mut host, a) = host_with_adapter();
    host.halt(a, NdisHaltDeviceDisabled).unwrap();
    let v = assert_rule(&mut host, rules::SHARED_MEMORY_LEAK_AT_HALT);
    assert!(v[0].detail.contains("queue 0"), "{v:?}");
}

#[test]
fn shared_memory_double_free_is_reported() {
    let mut host = in_initialize(|adapter| {
        let shared = allocate_shared(adapter, 0, 4096, false, |_| {});
        // SAFETY: a live allocation, freed twice on purpose.
        unsafe { NdisFreeSharedMemory(adapter, shared.allocation) };
        // SAFETY: as above; the second free is the error under test.
        unsafe { NdisFreeSharedMemory(adapter, shared.allocation) };
    });
    assert_rule(&mut host, rules::SHARED_MEMORY_DOUBLE_FREE);
}

#[test]
fn shared_memory_unknown_handle_is_reported() {
    let mut host = in_initialize(|adapter| {
        // SAFETY: a bogus AllocationHandle is the error under test; it is never dereferenced.
        unsafe { NdisFreeSharedMemory(adapter, 0x1234 as NDIS_HANDLE) };
    });
    assert_rule(&mut host, rules::SHARED_MEMORY_UNKNOWN_HANDLE);
}

#[test]
fn shared_memory_handle_mismatch_is_reported() {
    let mut host = in_initialize(|adapter| {
        let shared = allocate_shared(adapter, 0, 4096, false, |_| {});
        // SAFETY: a live allocation freed with the driver handle instead of the adapter handle.
        unsafe { NdisFreeSharedMemory(driver_handle(), shared.allocation) };
    });
    assert_rule(&mut host, rules::SHARED_MEMORY_HANDLE_MISMATCH);
}

#[test]
fn shared_memory_ndis_handle_is_reported() {
    let mut host = in_initialize(|_| {
        let shared = allocate_shared(driver_handle(), 0, 4096, false, |_| {});
        assert_eq!(shared.status, NDIS_STATUS_INVALID_PARAMETER);
        assert!(shared.allocation.is_null());
    });
    assert_rule(&mut host, rules::SHARED_MEMORY_NDIS_HANDLE);
}

#[test]
fn shared_memory_queue_not_allocated_is_reported() {
    let mut host = in_initialize(|adapter| {
        let shared = allocate_shared(adapter, 5, 4096, false, |_| {});
        assert_eq!(shared.status, NDIS_STATUS_INVALID_PARAMETER);
    });
    assert_rule(&mut host, rules::SHARED_MEMORY_QUEUE_NOT_ALLOCATED);
}

#[test]
fn shared_memory_irql_is_reported() {
    hook(Point::Send, |ctx| {
        let shared = allocate_shared(ctx.adapter, 0, 4096, false, |_| {});
        ctx.state().memory.entry(0).or_default().push(shared.allocation);
        None
    });
    let (mut host, a) = host_with_adapter();
    host.send(a, 1).unwrap();
    assert_rule(&mut host, rules::SHARED_MEMORY_IRQL);
}

#[test]
fn shared_memory_before_sg_dma_is_reported() {
    knobs(|k| {
        k.bus_master = true;
        k.skip_sg_dma = true;
    });
    let mut host = host();
    host.add_adapter(AdapterConfig::default().bus_master(true)).unwrap();
    assert_rule(&mut host, rules::SHARED_MEMORY_BEFORE_SG_DMA);
}

/// "NdisAllocateSharedMemory": the miniport "must have already called
/// NdisMRegisterScatterGatherDma or NdisMRegisterDmaChannel" — also an adapter that does not
/// declare itself a bus master (it cannot register, so it must not allocate).
#[test]
fn shared_memory_without_bus_master_is_reported() {
    knobs(|k| k.bus_master = false);
    let mut host = host();
    host.add_adapter(AdapterConfig::default()).unwrap();
    assert_rule(&mut host, rules::SHARED_MEMORY_BEFORE_SG_DMA);
}

#[test]
fn shared_memory_bad_header_is_reported() {
    let mut host = in_initialize(|adapter| {
        let shared = allocate_shared(adapter, 0, 4096, false, |p| p.Header.Revision = 3);
        assert_eq!(shared.status, NDIS_STATUS_INVALID_PARAMETER);
    });
    assert_rule(&mut host, rules::SHARED_MEMORY_BAD_HEADER);
}

#[test]
fn shared_memory_vport_id_is_reported() {
    let mut host = in_initialize(|adapter| {
        allocate_shared(adapter, 0, 4096, false, |p| p.VPortId = 1);
    });
    assert_rule(&mut host, rules::SHARED_MEMORY_VPORT_ID);
}

#[test]
fn shared_memory_bad_usage_is_reported() {
    let mut host = in_initialize(|adapter| {
        allocate_shared(adapter, 0, 4096, false, |p| p.Usage = NdisSharedMemoryUsageMax);
    });
    assert_rule(&mut host, rules::SHARED_MEMORY_BAD_USAGE);
}

#[test]
fn shared_memory_zero_length_is_reported() {
    let mut host = in_initialize(|adapter| {
        allocate_shared(adapter, 0, 4096, false, |p| p.Length = 0);
    });
    assert_rule(&mut host, rules::SHARED_MEMORY_ZERO_LENGTH);
}

#[test]
fn shared_memory_sg_buffer_too_small_is_reported() {
    let mut host = in_initialize(|adapter| {
        let shared = allocate_shared(adapter, 0, 64 * 1024, false, |p| p.SGListBufferLength = 16);
        assert_eq!(shared.status, NDIS_STATUS_INVALID_PARAMETER);
    });
    assert_rule(&mut host, rules::SHARED_MEMORY_SG_BUFFER);
}

#[test]
fn shared_memory_sg_buffer_null_is_reported() {
    let mut host = in_initialize(|adapter| {
        allocate_shared(adapter, 0, 4096, false, |p| p.SGListBuffer = null_mut());
    });
    assert_rule(&mut host, rules::SHARED_MEMORY_SG_BUFFER);
}

#[test]
fn shared_memory_in_shutdown_is_reported() {
    hook(Point::Shutdown, |ctx| {
        common::free_queue_memory(ctx.state(), 0);
        None
    });
    let (mut host, a) = host_with_adapter();
    host.shutdown(a, NdisShutdownPowerOff).unwrap();
    assert_rule(&mut host, rules::SHARED_MEMORY_IN_SHUTDOWN);
}
