//! The fake miniport's DriverEntry and handlers.

use std::collections::BTreeMap;
use std::ptr::null_mut;

use ndis_sys::*;

use super::{
    Ctx, DRIVER_HANDLE, DRIVER_OBJECT_PTR, FakeAdapter, KNOBS, Point, TAG, adapter_ctx, allocate_shared, driver_handle,
    free_queue_memory, knob, oid, queue_work, read_keyword, run_hooks, rx, set_attributes,
};

/// The fake's DriverEntry (passed to `Host::load_driver` by value; not `#[no_mangle]`).
///
/// # Safety
/// Called only by ndis-sim, with the pointers and handles the NDIS prototype names, valid for the duration of the call.
pub unsafe extern "system" fn fake_driver_entry(
    driver_object: *mut DRIVER_OBJECT,
    registry_path: *mut UNICODE_STRING,
) -> NTSTATUS {
    DRIVER_OBJECT_PTR.with(|c| c.set(driver_object as usize));
    let mut chars = NDIS_MINIPORT_DRIVER_CHARACTERISTICS {
        Header: NDIS_OBJECT_HEADER::new(
            NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS,
            NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2,
            NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2,
        ),
        MajorNdisVersion: 6,
        MinorNdisVersion: 30,
        MajorDriverVersion: 1,
        MinorDriverVersion: 0,
        InitializeHandlerEx: Some(initialize),
        HaltHandlerEx: Some(halt),
        UnloadHandler: Some(unload),
        PauseHandler: Some(pause),
        RestartHandler: Some(restart),
        OidRequestHandler: Some(oid::oid_request),
        SendNetBufferListsHandler: Some(send),
        ReturnNetBufferListsHandler: Some(return_nbls),
        CancelSendHandler: Some(cancel_send),
        DevicePnPEventNotifyHandler: Some(pnp_event),
        ShutdownHandlerEx: Some(shutdown),
        CancelOidRequestHandler: Some(cancel_oid),
        ..Default::default()
    };
    KNOBS.with(|k| {
        if let Some(f) = k.borrow_mut().characteristics.as_mut() {
            f(&mut chars);
        }
    });
    let mut handle: NDIS_HANDLE = null_mut();
    // SAFETY: all pointers are valid locals or the arguments NDIS passed.
    let status = unsafe {
        NdisMRegisterMiniportDriver(driver_object, registry_path, null_mut(), &raw mut chars, &raw mut handle)
    };
    if status != NDIS_STATUS_SUCCESS {
        return status;
    }
    DRIVER_HANDLE.with(|c| c.set(handle as usize));
    let mut ctx = Ctx { adapter: null_mut(), state: null_mut(), request: null_mut(), nbl: null_mut() };
    run_hooks(Point::DriverEntry, &mut ctx).unwrap_or(STATUS_SUCCESS)
}

/// # Safety
/// Called only by ndis-sim, with the pointers and handles the NDIS prototype names, valid for the duration of the call.
unsafe extern "system" fn unload(_driver_object: *mut DRIVER_OBJECT) {
    let mut ctx = Ctx { adapter: null_mut(), state: null_mut(), request: null_mut(), nbl: null_mut() };
    if run_hooks(Point::Unload, &mut ctx).is_some() {
        return;
    }
    // SAFETY: the handle NdisMRegisterMiniportDriver returned.
    unsafe { NdisMDeregisterMiniportDriver(driver_handle()) };
}

/// # Safety
/// Called only by ndis-sim, with the pointers and handles the NDIS prototype names, valid for the duration of the call.
unsafe extern "system" fn initialize(
    adapter: NDIS_HANDLE,
    _driver_context: NDIS_HANDLE,
    parameters: *mut NDIS_MINIPORT_INIT_PARAMETERS,
) -> NDIS_STATUS {
    super::INIT_PARAMETERS.with(|p| p.set(parameters as usize));
    let mut start = Ctx { adapter, state: null_mut(), request: null_mut(), nbl: null_mut() };
    if let Some(status) = run_hooks(Point::InitializeStart, &mut start) {
        return status;
    }
    let vmq_keyword = read_keyword(adapter, "*VMQ");
    let state = Box::into_raw(Box::new(FakeAdapter {
        handle: adapter,
        pool: null_mut(),
        sg_dma: null_mut(),
        memory: BTreeMap::new(),
        pending: null_mut(),
        pending_queue: 0,
        work_item: null_mut(),
        vmq_keyword,
        rx: rx::Rx::default(),
    }));
    let bus_master = knob(|k| k.bus_master);
    let status = set_attributes(adapter, state, bus_master);
    // SAFETY: `state` was just created by Box::into_raw and is only used on this thread.
    let s = unsafe { &mut *state };
    if status == NDIS_STATUS_SUCCESS && bus_master && !knob(|k| k.skip_sg_dma) {
        let mut description = NDIS_SG_DMA_DESCRIPTION {
            Header: NDIS_OBJECT_HEADER::new(
                NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION,
                NDIS_SG_DMA_DESCRIPTION_REVISION_2,
                NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_2,
            ),
            Flags: NDIS_SG_DMA_64_BIT_ADDRESS,
            MaximumPhysicalMapping: 65536,
            ProcessSGListHandler: knob(|k| k.process_sg_list),
            SharedMemAllocateCompleteHandler: None,
            ScatterGatherListSize: 0,
            PdoOverride: null_mut(),
        };
        let mut dma_handle: NDIS_HANDLE = null_mut();
        // SAFETY: valid locals.
        let dma = unsafe { NdisMRegisterScatterGatherDma(adapter, &raw mut description, &raw mut dma_handle) };
        s.sg_dma = dma_handle;
        assert_eq!(dma, NDIS_STATUS_SUCCESS);
    }
    // SAFETY: the adapter handle NDIS passed.
    s.pool = unsafe { NdisAllocateMemoryWithTagPriority(adapter, 128, TAG, NormalPoolPriority) };
    if rx::enabled() {
        rx::setup(s);
    }
    if knob(|k| k.default_queue_memory) {
        let shared = allocate_shared(adapter, 0, 16 * 1024, false, |_| {});
        if shared.status == NDIS_STATUS_SUCCESS {
            s.memory.entry(0).or_default().push(shared.allocation);
            if rx::enabled() {
                rx::add_buffers(s, 0, &shared, 16 * 1024);
            }
        }
    }
    let mut ctx = adapter_ctx(state);
    if let Some(status) = run_hooks(Point::Initialize, &mut ctx) {
        if status != NDIS_STATUS_SUCCESS {
            release_adapter(state);
        }
        return status;
    }
    status
}

/// Frees everything the fake holds for an adapter and drops its state.
fn release_adapter(state: *mut FakeAdapter) {
    // SAFETY: `state` is the live Box from initialize; it is dropped here exactly once.
    let mut s = unsafe { Box::from_raw(state) };
    rx::teardown(&mut s);
    let queues: Vec<u32> = s.memory.keys().copied().collect();
    for q in queues {
        free_queue_memory(&mut s, q);
    }
    if !s.pool.is_null() {
        // SAFETY: the block NdisAllocateMemoryWithTagPriority returned, with its tag.
        unsafe { NdisFreeMemoryWithTagPriority(s.handle, s.pool, TAG) };
    }
    if !s.sg_dma.is_null() {
        // SAFETY: the handle NdisMRegisterScatterGatherDma returned.
        unsafe { NdisMDeregisterScatterGatherDma(s.sg_dma) };
    }
}

/// # Safety
/// Called only by ndis-sim, with the pointers and handles the NDIS prototype names, valid for the duration of the call.
unsafe extern "system" fn halt(context: NDIS_HANDLE, _action: NDIS_HALT_ACTION) {
    let state = context.cast::<FakeAdapter>();
    let mut ctx = adapter_ctx(state);
    if run_hooks(Point::Halt, &mut ctx).is_some() {
        return;
    }
    release_adapter(state);
}

/// The fake's work item routine: finishes a pended FREE_QUEUE or pause.
///
/// # Safety
/// Called only by ndis-sim, with the pointers and handles the NDIS prototype names, valid for the duration of the call.
pub unsafe extern "system" fn work_item(context: PVOID, item: NDIS_HANDLE) {
    let state = context.cast::<FakeAdapter>();
    let mut ctx = adapter_ctx(state);
    if run_hooks(Point::WorkItem, &mut ctx).is_some() {
        return;
    }
    let s = ctx.state();
    // SAFETY: the work item this routine was queued with.
    unsafe { NdisFreeIoWorkItem(item) };
    s.work_item = null_mut();
    if s.pending.is_null() {
        // SAFETY: the adapter handle; a pended pause is the only other pended work.
        unsafe { NdisMPauseComplete(s.handle) };
        return;
    }
    let q = s.pending_queue;
    rx::free_queue(s, q);
    free_queue_memory(s, q);
    let request = std::mem::replace(&mut s.pending, null_mut());
    // SAFETY: the request MiniportOidRequest pended.
    unsafe { NdisMOidRequestComplete(s.handle, request, NDIS_STATUS_SUCCESS) };
}

/// # Safety
/// Called only by ndis-sim, with the pointers and handles the NDIS prototype names, valid for the duration of the call.
unsafe extern "system" fn pause(context: NDIS_HANDLE, _parameters: *mut NDIS_MINIPORT_PAUSE_PARAMETERS) -> NDIS_STATUS {
    let mut ctx = adapter_ctx(context.cast());
    if let Some(status) = run_hooks(Point::Pause, &mut ctx) {
        return status;
    }
    if knob(|k| k.pend_pause) {
        queue_work(ctx.state());
        return NDIS_STATUS_PENDING;
    }
    NDIS_STATUS_SUCCESS
}

/// # Safety
/// Called only by ndis-sim, with the pointers and handles the NDIS prototype names, valid for the duration of the call.
unsafe extern "system" fn restart(
    context: NDIS_HANDLE,
    _parameters: *mut NDIS_MINIPORT_RESTART_PARAMETERS,
) -> NDIS_STATUS {
    let mut ctx = adapter_ctx(context.cast());
    run_hooks(Point::Restart, &mut ctx).unwrap_or(NDIS_STATUS_SUCCESS)
}

/// # Safety
/// Called only by ndis-sim, with the pointers and handles the NDIS prototype names, valid for the duration of the call.
unsafe extern "system" fn send(context: NDIS_HANDLE, nbl: *mut NET_BUFFER_LIST, _port: NDIS_PORT_NUMBER, flags: ULONG) {
    let mut ctx = adapter_ctx(context.cast());
    ctx.nbl = nbl;
    if run_hooks(Point::Send, &mut ctx).is_some() {
        return;
    }
    let dispatch = flags & NDIS_SEND_FLAGS_DISPATCH_LEVEL != 0;
    let indications = if rx::enabled() { rx::demux(ctx.state(), nbl, dispatch) } else { Vec::new() };
    let mut at = nbl;
    while !at.is_null() {
        // SAFETY: NBLs of the chain NDIS passed, owned by the miniport until completed.
        unsafe {
            (*at).Status = NDIS_STATUS_SUCCESS;
        }
        // SAFETY: as above.
        at = unsafe { (*at).Next };
    }
    let complete_flags =
        if flags & NDIS_SEND_FLAGS_DISPATCH_LEVEL != 0 { NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL } else { 0 };
    // SAFETY: the chain NDIS passed, completed once.
    unsafe { NdisMSendNetBufferListsComplete(ctx.adapter, nbl, complete_flags) };
    if !indications.is_empty() {
        rx::indicate(ctx.state(), indications);
    }
}

/// # Safety
/// Called only by ndis-sim, with the pointers and handles the NDIS prototype names, valid for the duration of the call.
unsafe extern "system" fn return_nbls(context: NDIS_HANDLE, nbl: *mut NET_BUFFER_LIST, _flags: ULONG) {
    let mut ctx = adapter_ctx(context.cast());
    ctx.nbl = nbl;
    if run_hooks(Point::Return, &mut ctx).is_some() {
        return;
    }
    rx::recycle(ctx.state(), nbl);
}

/// # Safety
/// Called by NDIS with the adapter context it registered; the cancel id is not dereferenced.
unsafe extern "system" fn cancel_send(_context: NDIS_HANDLE, _cancel_id: PVOID) {}

/// # Safety
/// Called only by ndis-sim, with the pointers and handles the NDIS prototype names, valid for the duration of the call.
unsafe extern "system" fn pnp_event(context: NDIS_HANDLE, _event: *mut NET_DEVICE_PNP_EVENT) {
    let mut ctx = adapter_ctx(context.cast());
    run_hooks(Point::PnP, &mut ctx);
}

/// # Safety
/// Called only by ndis-sim, with the pointers and handles the NDIS prototype names, valid for the duration of the call.
unsafe extern "system" fn shutdown(context: NDIS_HANDLE, _action: NDIS_SHUTDOWN_ACTION) {
    let mut ctx = adapter_ctx(context.cast());
    run_hooks(Point::Shutdown, &mut ctx);
}

/// # Safety
/// Called only by ndis-sim, with the pointers and handles the NDIS prototype names, valid for the duration of the call.
unsafe extern "system" fn cancel_oid(context: NDIS_HANDLE, _request_id: PVOID) {
    let mut ctx = adapter_ctx(context.cast());
    if run_hooks(Point::CancelOid, &mut ctx).is_some() {
        return;
    }
    let s = ctx.state();
    if !s.pending.is_null() {
        let request = std::mem::replace(&mut s.pending, null_mut());
        // SAFETY: the pended request, completed once.
        unsafe { NdisMOidRequestComplete(s.handle, request, NDIS_STATUS_REQUEST_ABORTED) };
    }
}
