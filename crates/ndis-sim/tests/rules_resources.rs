//! Rules on pool, spin locks, configuration, SG DMA, work items, pause/restart and the data
//! path: one test per rule.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::ptr::null_mut;

use common::{Point, TAG, assert_rule, driver_handle, hook, host, host_with_adapter, knobs};
use ndis_sim::{AdapterConfig, HostConfig, SimError, rules};
use ndis_sys::*;

fn pool(handle: NDIS_HANDLE, len: u32, tag: u32) -> PVOID {
    // SAFETY: a handle of this host; any tag.
    unsafe { NdisAllocateMemoryWithTagPriority(handle, len, tag, NormalPoolPriority) }
}

fn free_pool(handle: NDIS_HANDLE, block: PVOID, tag: u32) {
    // SAFETY: the block is handed back to the model, which checks it.
    unsafe { NdisFreeMemoryWithTagPriority(handle, block, tag) };
}

fn lock() -> Box<NDIS_SPIN_LOCK> {
    let mut lock = Box::new(NDIS_SPIN_LOCK::default());
    // SAFETY: a valid lock.
    unsafe { NdisAllocateSpinLock(&raw mut *lock) };
    lock
}

#[test]
fn pool_bad_tag_is_reported() {
    let mut host = host();
    let block = pool(driver_handle(), 16, 0);
    free_pool(driver_handle(), block, 0);
    assert_rule(&mut host, rules::POOL_BAD_TAG);
}

#[test]
fn pool_tag_mismatch_is_reported() {
    let mut host = host();
    let block = pool(driver_handle(), 16, TAG);
    free_pool(driver_handle(), block, u32::from_le_bytes(*b"Othr"));
    assert_rule(&mut host, rules::POOL_TAG_MISMATCH);
}

#[test]
fn pool_unknown_free_is_reported() {
    let mut host = host();
    let mut local = [0u8; 16];
    free_pool(driver_handle(), local.as_mut_ptr().cast(), TAG);
    assert_rule(&mut host, rules::POOL_UNKNOWN_FREE);
}

#[test]
fn pool_double_free_is_reported() {
    let mut host = host();
    let block = pool(driver_handle(), 16, TAG);
    free_pool(driver_handle(), block, TAG);
    free_pool(driver_handle(), block, TAG);
    assert_rule(&mut host, rules::POOL_DOUBLE_FREE);
}

#[test]
fn pool_irql_is_reported() {
    hook(Point::Shutdown, |ctx| {
        let block = pool(ctx.adapter, 16, TAG);
        free_pool(ctx.adapter, block, TAG);
        None
    });
    let (mut host, a) = host_with_adapter();
    host.shutdown(a, NdisShutdownBugCheck).unwrap();
    assert_rule(&mut host, rules::POOL_IRQL);
}

#[test]
fn pool_leak_at_halt_is_reported() {
    hook(Point::Halt, |ctx| {
        let s = ctx.state();
        s.pool = null_mut();
        None
    });
    let (mut host, a) = host_with_adapter();
    host.halt(a, NdisHaltDeviceDisabled).unwrap();
    assert_rule(&mut host, rules::POOL_LEAK_AT_HALT);
}

#[test]
fn pool_leak_at_unload_is_reported() {
    hook(Point::DriverEntry, |_| {
        pool(driver_handle(), 32, TAG);
        None
    });
    let mut host = host();
    host.unload_driver().unwrap();
    assert_rule(&mut host, rules::POOL_LEAK_AT_UNLOAD);
}

#[test]
fn spin_lock_deadlock_is_reported() {
    hook(Point::Oid, |_| {
        let mut l = lock();
        // SAFETY: a valid lock, acquired twice on purpose.
        unsafe { NdisAcquireSpinLock(&raw mut *l) };
        // SAFETY: as above.
        unsafe { NdisAcquireSpinLock(&raw mut *l) };
        // SAFETY: released once, restoring the IRQL.
        unsafe { NdisReleaseSpinLock(&raw mut *l) };
        Some(NDIS_STATUS_NOT_SUPPORTED)
    });
    let (mut host, a) = host_with_adapter();
    host.oid_query(a, OID_GEN_VENDOR_ID, 4);
    assert_rule(&mut host, rules::SPIN_LOCK_DEADLOCK);
}

#[test]
fn spin_lock_release_not_held_is_reported() {
    let mut host = host();
    let mut l = lock();
    // SAFETY: a valid lock that is not held: the error under test.
    unsafe { NdisReleaseSpinLock(&raw mut *l) };
    assert_rule(&mut host, rules::SPIN_LOCK_RELEASE_NOT_HELD);
}

#[test]
fn spin_lock_held_on_return_is_reported() {
    hook(Point::Send, |_| {
        let l = Box::leak(lock());
        // SAFETY: a valid lock, kept held when the handler returns: the error under test.
        unsafe { NdisDprAcquireSpinLock(&raw mut *l) };
        None
    });
    let (mut host, a) = host_with_adapter();
    host.send(a, 1).unwrap();
    assert_rule(&mut host, rules::SPIN_LOCK_HELD_ON_RETURN);
}

#[test]
fn spin_lock_dpr_irql_is_reported() {
    hook(Point::Oid, |_| {
        let mut l = lock();
        // SAFETY: a valid lock; the Dpr variant at PASSIVE_LEVEL is the error under test.
        unsafe { NdisDprAcquireSpinLock(&raw mut *l) };
        // SAFETY: released with the matching variant.
        unsafe { NdisDprReleaseSpinLock(&raw mut *l) };
        Some(NDIS_STATUS_NOT_SUPPORTED)
    });
    let (mut host, a) = host_with_adapter();
    host.oid_query(a, OID_GEN_VENDOR_ID, 4);
    assert_rule(&mut host, rules::SPIN_LOCK_DPR_IRQL);
}

#[test]
fn spin_lock_irql_is_reported() {
    hook(Point::Shutdown, |_| {
        let mut l = lock();
        // SAFETY: a valid lock; acquiring at HIGH_LEVEL is the error under test.
        unsafe { NdisAcquireSpinLock(&raw mut *l) };
        // SAFETY: released, restoring HIGH_LEVEL.
        unsafe { NdisReleaseSpinLock(&raw mut *l) };
        None
    });
    let (mut host, a) = host_with_adapter();
    host.shutdown(a, NdisShutdownBugCheck).unwrap();
    assert_rule(&mut host, rules::SPIN_LOCK_IRQL);
}

#[test]
fn spin_lock_acquire_raises_and_release_restores_irql() {
    let mut host = host();
    let mut l = lock();
    // SAFETY: a valid lock.
    unsafe { NdisAcquireSpinLock(&raw mut *l) };
    assert_eq!((host.irql(), l.OldIrql), (ndis_sim::DISPATCH_LEVEL, ndis_sim::PASSIVE_LEVEL));
    // SAFETY: the held lock.
    unsafe { NdisReleaseSpinLock(&raw mut *l) };
    assert_eq!(host.irql(), ndis_sim::PASSIVE_LEVEL);
}

#[test]
fn config_not_closed_is_reported() {
    hook(Point::Initialize, |ctx| {
        let mut object = NDIS_CONFIGURATION_OBJECT {
            Header: NDIS_OBJECT_HEADER::new(
                NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT,
                1,
                NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1,
            ),
            NdisHandle: ctx.adapter,
            Flags: 0,
        };
        let mut handle = null_mut();
        // SAFETY: valid locals; the handle is never closed: the error under test.
        let status = unsafe { NdisOpenConfigurationEx(&raw mut object, &raw mut handle) };
        assert_eq!(status, NDIS_STATUS_SUCCESS);
        None
    });
    let (mut host, _) = host_with_adapter();
    assert_rule(&mut host, rules::CONFIG_NOT_CLOSED);
}

#[test]
fn config_misuse_is_reported() {
    hook(Point::Initialize, |ctx| {
        let mut object = NDIS_CONFIGURATION_OBJECT {
            Header: NDIS_OBJECT_HEADER::new(NDIS_OBJECT_TYPE_DEFAULT, 1, 24),
            NdisHandle: ctx.adapter,
            Flags: 0,
        };
        let mut handle = null_mut();
        // SAFETY: valid locals; the wrong header type is the error under test.
        let status = unsafe { NdisOpenConfigurationEx(&raw mut object, &raw mut handle) };
        assert_ne!(status, NDIS_STATUS_SUCCESS);
        None
    });
    let (mut host, _) = host_with_adapter();
    assert_rule(&mut host, rules::CONFIG_MISUSE);
}

#[test]
fn sg_dma_not_deregistered_is_reported() {
    knobs(|k| k.bus_master = true);
    hook(Point::Halt, |ctx| {
        ctx.state().sg_dma = null_mut();
        None
    });
    let mut host = host();
    let a = host.add_adapter(AdapterConfig::default().bus_master(true)).unwrap();
    host.halt(a, NdisHaltDeviceDisabled).unwrap();
    assert_rule(&mut host, rules::SG_DMA_NOT_DEREGISTERED);
}

#[test]
fn sg_dma_misuse_is_reported() {
    knobs(|k| {
        k.bus_master = false;
        k.default_queue_memory = false;
    });
    hook(Point::Initialize, |ctx| {
        let mut description = NDIS_SG_DMA_DESCRIPTION {
            Header: NDIS_OBJECT_HEADER::new(
                NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION,
                2,
                NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_2,
            ),
            Flags: 0,
            MaximumPhysicalMapping: 4096,
            ProcessSGListHandler: None,
            SharedMemAllocateCompleteHandler: None,
            ScatterGatherListSize: 0,
            PdoOverride: null_mut(),
        };
        let mut handle = null_mut();
        // SAFETY: valid locals; the adapter did not declare BUS_MASTER: the error under test.
        let s = unsafe { NdisMRegisterScatterGatherDma(ctx.adapter, &raw mut description, &raw mut handle) };
        assert_eq!(s, NDIS_STATUS_NOT_SUPPORTED);
        None
    });
    let (mut host, _) = host_with_adapter();
    assert_rule(&mut host, rules::SG_DMA_MISUSE);
}

#[test]
fn work_item_leak_is_reported() {
    hook(Point::Initialize, |ctx| {
        // SAFETY: the adapter handle; the item is never freed: the error under test.
        let item = unsafe { NdisAllocateIoWorkItem(ctx.adapter) };
        assert!(!item.is_null());
        None
    });
    let (mut host, a) = host_with_adapter();
    host.halt(a, NdisHaltDeviceDisabled).unwrap();
    assert_rule(&mut host, rules::WORK_ITEM_LEAK);
}

#[test]
fn work_item_queued_at_halt_is_reported() {
    hook(Point::Halt, |ctx| {
        common::queue_work(ctx.state());
        None
    });
    let (mut host, a) = host_with_adapter();
    host.halt(a, NdisHaltDeviceDisabled).unwrap();
    assert_rule(&mut host, rules::WORK_ITEM_QUEUED_AT_HALT);
    assert_eq!(host.report().work_items_run, 0, "a work item queued by halt never runs");
}

#[test]
fn work_item_misuse_is_reported() {
    hook(Point::Oid, |ctx| {
        let s = ctx.state();
        common::queue_work(s);
        // SAFETY: the queued item, queued again: the error under test.
        unsafe { NdisQueueIoWorkItem(s.work_item, Some(common::work_item), (s as *mut common::FakeAdapter).cast()) };
        Some(NDIS_STATUS_NOT_SUPPORTED)
    });
    hook(Point::WorkItem, |ctx| {
        let s = ctx.state();
        // SAFETY: the item this routine runs for.
        unsafe { NdisFreeIoWorkItem(s.work_item) };
        Some(0)
    });
    let (mut host, a) = host_with_adapter();
    host.oid_query(a, OID_GEN_VENDOR_ID, 4);
    assert_rule(&mut host, rules::WORK_ITEM_MISUSE);
}

#[test]
fn pause_unexpected_complete_is_reported() {
    let (mut host, a) = host_with_adapter();
    // SAFETY: the adapter handle; no pause is pending: the error under test.
    unsafe { NdisMPauseComplete(a.0 as NDIS_HANDLE) };
    assert_rule(&mut host, rules::PAUSE_UNEXPECTED_COMPLETE);
}

#[test]
fn pause_bad_status_is_reported() {
    hook(Point::Pause, |_| Some(NDIS_STATUS_FAILURE));
    let (mut host, a) = host_with_adapter();
    host.pause(a).unwrap();
    assert_rule(&mut host, rules::PAUSE_BAD_STATUS);
}

#[test]
fn pause_never_completed_is_reported() {
    hook(Point::Pause, |_| Some(NDIS_STATUS_PENDING));
    let (mut host, a) = host_with_adapter();
    assert_eq!(host.pause(a), Err(SimError::NeverCompleted(a)));
    assert_rule(&mut host, rules::PAUSE_NEVER_COMPLETED);
}

#[test]
fn send_outstanding_is_reported() {
    hook(Point::Send, |_| Some(0));
    let (mut host, a) = host_with_adapter();
    let r = host.send(a, 2).unwrap();
    assert_eq!((r.completed.len(), r.outstanding), (0, 2));
    host.pause(a).unwrap();
    assert_rule(&mut host, rules::SEND_OUTSTANDING);
}

#[test]
fn send_unknown_nbl_is_reported() {
    hook(Point::Send, |ctx| {
        // SAFETY: the chain NDIS passed, completed twice: the error under test.
        unsafe { NdisMSendNetBufferListsComplete(ctx.adapter, ctx.nbl, 0) };
        // SAFETY: as above (the model must not touch the freed NBLs beyond their addresses).
        unsafe { NdisMSendNetBufferListsComplete(ctx.adapter, null_mut(), 0) };
        let mut local = NET_BUFFER_LIST::default();
        // SAFETY: a valid local NBL NDIS never sent.
        unsafe { NdisMSendNetBufferListsComplete(ctx.adapter, &raw mut local, 0) };
        Some(0)
    });
    let (mut host, a) = host_with_adapter();
    host.send(a, 1).unwrap();
    assert_rule(&mut host, rules::SEND_UNKNOWN_NBL);
}

#[test]
fn send_irql_is_reported() {
    hook(Point::Shutdown, |ctx| {
        // SAFETY: an empty chain; the IRQL is the error under test.
        unsafe { NdisMSendNetBufferListsComplete(ctx.adapter, null_mut(), 0) };
        None
    });
    let (mut host, a) = host_with_adapter();
    host.shutdown(a, NdisShutdownBugCheck).unwrap();
    assert_rule(&mut host, rules::SEND_IRQL);
}

#[test]
fn receive_misuse_is_reported() {
    let (mut host, a) = host_with_adapter();
    host.pause(a).unwrap();
    let mut nbl = NET_BUFFER_LIST { SourceHandle: a.0 as NDIS_HANDLE, ..Default::default() };
    // SAFETY: a valid local NBL; indicating on a paused adapter is the error under test.
    unsafe { NdisMIndicateReceiveNetBufferLists(a.0 as NDIS_HANDLE, &raw mut nbl, 0, 1, NDIS_RECEIVE_FLAGS_RESOURCES) };
    assert_rule(&mut host, rules::RECEIVE_MISUSE);
}

#[test]
fn received_nbls_are_returned_unless_held() {
    let returned = std::rc::Rc::new(std::cell::Cell::new(0));
    let r = returned.clone();
    hook(Point::Return, move |ctx| {
        assert_eq!(ndis_sim::current_irql(), Some(ndis_sim::DISPATCH_LEVEL));
        let mut at = ctx.nbl;
        while !at.is_null() {
            r.set(r.get() + 1);
            // SAFETY: NBLs the fake indicated, returned by NDIS.
            at = unsafe { (*at).Next };
        }
        None
    });
    knobs(|k| k.rx = true);
    let mut host = common::host_with(HostConfig::default().hold_received(true));
    let a = host.add_adapter(AdapterConfig::default()).unwrap();
    host.send(a, 3).unwrap();
    assert_eq!(host.received_by_queue(a), vec![(0, 3)]);
    assert_eq!(returned.get(), 0, "held until return_received");
    assert_eq!(host.received_outstanding(a), 3);
    assert_eq!(host.return_received(a), 3);
    assert_eq!(returned.get(), 3);
    assert_eq!(host.received_outstanding(a), 0);
    host.halt(a, NdisHaltDeviceDisabled).unwrap();
    assert!(host.take_violations().is_empty());
}

/// "Handling SR-IOV, VMQ, and RSS Standardized INF Keywords": under RSS preference
/// (*RssOrVmqPreference absent) the fake still reads *VMQ.
#[test]
fn a_vmq_keyword_read_under_rss_preference_is_reported() {
    let mut host = host();
    host.add_adapter(AdapterConfig::default().without_keyword("*RssOrVmqPreference")).unwrap();
    assert_rule(&mut host, rules::CONFIG_RSS_OR_VMQ_PREFERENCE);
}

thread_local! {
    /// (IRQL, processor, SystemArgument1) of each run of [`recording_dpc`].
    static DPC_RUNS: std::cell::RefCell<Vec<(u8, u32, usize)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A KDEFERRED_ROUTINE that records where and how it ran.
///
/// # Safety
/// Called by ndis-sim for a DPC queued in these tests.
unsafe extern "system" fn recording_dpc(_dpc: *mut KDPC, _context: PVOID, argument1: PVOID, _argument2: PVOID) {
    // SAFETY: NULL is allowed.
    let processor = unsafe { KeGetCurrentProcessorNumberEx(null_mut()) };
    let irql = ndis_sim::current_irql().unwrap_or(0);
    DPC_RUNS.with(|r| r.borrow_mut().push((irql, processor, argument1 as usize)));
}

/// A KDPC in a pool block of the driver, initialized with [`recording_dpc`].
fn pool_dpc() -> (PVOID, *mut KDPC) {
    let block = pool(driver_handle(), 64, TAG);
    let dpc = block.cast::<KDPC>();
    // SAFETY: 64 bytes of pool, a routine of the right type.
    unsafe { KeInitializeDpc(dpc, Some(recording_dpc), null_mut()) };
    (block, dpc)
}

/// "KeFlushQueuedDpcs": a KDPC in pool freed while queued would run from freed memory.
#[test]
fn a_dpc_freed_while_queued_is_reported() {
    let mut host = host();
    let (block, dpc) = pool_dpc();
    // SAFETY: an initialized KDPC.
    assert_eq!(unsafe { KeInsertQueueDpc(dpc, null_mut(), null_mut()) }, 1);
    free_pool(driver_handle(), block, TAG);
    assert_rule(&mut host, rules::DPC_FREED_WHILE_QUEUED);
}

/// Removed (KeRemoveQueueDpc) before its block is freed: nothing to report, nothing runs.
#[test]
fn a_dpc_removed_before_its_block_is_freed_is_fine() {
    let mut host = host();
    let (block, dpc) = pool_dpc();
    // SAFETY: an initialized KDPC.
    assert_eq!(unsafe { KeInsertQueueDpc(dpc, null_mut(), null_mut()) }, 1);
    // SAFETY: as above.
    assert_eq!(unsafe { KeRemoveQueueDpc(dpc) }, 1);
    free_pool(driver_handle(), block, TAG);
    assert_eq!(host.run_kernel_dpcs(), 0);
    let v = host.take_violations();
    assert!(v.is_empty(), "{v:#?}");
}

/// KeInsertQueueDpc on a KDPC KeInitializeDpc never initialized.
#[test]
fn queuing_an_uninitialized_dpc_is_reported() {
    let mut host = host();
    let block = pool(driver_handle(), 64, TAG);
    // SAFETY: the model only looks the address up.
    assert_eq!(unsafe { KeInsertQueueDpc(block.cast(), null_mut(), null_mut()) }, 0);
    free_pool(driver_handle(), block, TAG);
    assert_rule(&mut host, rules::DPC_MISUSE);
}

/// A DPC runs once however often it was queued before it ran, at DISPATCH_LEVEL on the
/// processor KeSetTargetProcessorDpcEx named; a processor the host lacks is refused.
#[test]
fn a_dpc_runs_once_on_its_target_processor_at_dispatch_level() {
    let mut host = ndis_sim::Host::new(HostConfig::default().processor_count(4).without_host_oids());
    host.load_driver(common::fake_driver_entry).unwrap();
    let (block, dpc) = pool_dpc();
    let mut number = PROCESSOR_NUMBER { Group: 0, Number: 9, Reserved: 0 };
    // SAFETY: an initialized KDPC and a valid PROCESSOR_NUMBER.
    assert_ne!(unsafe { KeSetTargetProcessorDpcEx(dpc, &raw mut number) }, STATUS_SUCCESS, "no processor 9");
    number.Number = 3;
    // SAFETY: as above.
    assert_eq!(unsafe { KeSetTargetProcessorDpcEx(dpc, &raw mut number) }, STATUS_SUCCESS);
    // SAFETY: an initialized KDPC.
    assert_eq!(unsafe { KeInsertQueueDpc(dpc, 7 as PVOID, null_mut()) }, 1);
    // SAFETY: as above.
    assert_eq!(unsafe { KeInsertQueueDpc(dpc, 8 as PVOID, null_mut()) }, 0, "already queued");
    assert_eq!(host.run_kernel_dpcs(), 1);
    assert_eq!(DPC_RUNS.with(|r| r.borrow().clone()), vec![(ndis_sim::DISPATCH_LEVEL, 3, 7)]);
    free_pool(driver_handle(), block, TAG);
    let v = host.take_violations();
    assert!(v.is_empty(), "{v:#?}");
}
