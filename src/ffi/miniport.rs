//! Trampolines for the miniport adapter handlers (initialize, halt, pause, restart,
//! send, return, cancel send, PnP, shutdown).
//!
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_driver_characteristics>

use core::ptr::NonNull;

use ndis_sys::{
    NDIS_HALT_ACTION, NDIS_HANDLE, NDIS_MINIPORT_INIT_PARAMETERS, NDIS_MINIPORT_PAUSE_PARAMETERS,
    NDIS_MINIPORT_RESTART_PARAMETERS, NDIS_PORT_NUMBER, NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL,
    NDIS_SEND_FLAGS_DISPATCH_LEVEL, NDIS_SHUTDOWN_ACTION, NDIS_STATUS, NDIS_STATUS_FAILURE,
    NDIS_STATUS_PAUSED, NDIS_STATUS_SUCCESS, NET_BUFFER_LIST, NET_DEVICE_PNP_EVENT,
    NdisDevicePnPEventSurpriseRemoved, NdisMSendNetBufferListsComplete, PVOID, ULONG,
};

use crate::kernel::NdisHandle;
use crate::kernel::pool::PoolBox;
use crate::vmq::adapter::{ADAPTER_TAG, DriverAdapter};

/// Turns the MiniportAdapterContext back into the adapter.
///
/// # Safety
/// `context` must be the context registered by [`initialize`] for an adapter that
/// has not been halted; the returned reference must not outlive the handler call.
pub(super) unsafe fn adapter<'a>(context: NDIS_HANDLE) -> Option<&'a DriverAdapter> {
    // SAFETY: per the function contract the pointer is a live `DriverAdapter`.
    unsafe { context.cast::<DriverAdapter>().as_ref() }
}

/// MiniportInitializeEx (PASSIVE_LEVEL).
pub(super) unsafe extern "system" fn initialize(
    miniport_adapter_handle: NDIS_HANDLE,
    _miniport_driver_context: NDIS_HANDLE,
    _init_parameters: *mut NDIS_MINIPORT_INIT_PARAMETERS,
) -> NDIS_STATUS {
    let Some(handle) = NdisHandle::from_raw(miniport_adapter_handle) else {
        return NDIS_STATUS_FAILURE;
    };
    match DriverAdapter::initialize(handle) {
        Ok(adapter) => {
            // NDIS owns the context until MiniportHaltEx; its address was given in
            // the registration attributes and does not change.
            let _context = adapter.into_raw();
            NDIS_STATUS_SUCCESS
        }
        Err(error) => error.status(),
    }
}

/// MiniportHaltEx (PASSIVE_LEVEL): takes the context back and frees everything.
pub(super) unsafe extern "system" fn halt(context: NDIS_HANDLE, _action: NDIS_HALT_ACTION) {
    // SAFETY: NDIS passes the context `initialize` registered; halt is the last call for it.
    let Some(adapter) = (unsafe { adapter(context) }) else {
        return;
    };
    let owner = adapter.handle();
    let Some(ptr) = NonNull::new(context.cast::<DriverAdapter>()) else {
        return;
    };
    // SAFETY: the context came from `PoolBox::into_raw` with this owner and tag, and NDIS
    // sends no further request after halt, so no reference to it survives.
    let adapter = unsafe { PoolBox::from_raw(ptr, owner, ADAPTER_TAG) };
    DriverAdapter::halt(adapter);
}

/// MiniportPause (PASSIVE_LEVEL).
pub(super) unsafe extern "system" fn pause(
    context: NDIS_HANDLE,
    _parameters: *mut NDIS_MINIPORT_PAUSE_PARAMETERS,
) -> NDIS_STATUS {
    // SAFETY: NDIS passes the live adapter context.
    match unsafe { adapter(context) } {
        Some(adapter) => {
            adapter.pause();
            NDIS_STATUS_SUCCESS
        }
        None => NDIS_STATUS_FAILURE,
    }
}

/// MiniportRestart (PASSIVE_LEVEL).
pub(super) unsafe extern "system" fn restart(
    context: NDIS_HANDLE,
    _parameters: *mut NDIS_MINIPORT_RESTART_PARAMETERS,
) -> NDIS_STATUS {
    // SAFETY: NDIS passes the live adapter context.
    match unsafe { adapter(context) } {
        Some(adapter) => {
            adapter.restart();
            NDIS_STATUS_SUCCESS
        }
        None => NDIS_STATUS_FAILURE,
    }
}

/// MiniportSendNetBufferLists (<= DISPATCH_LEVEL): the software NIC completes every
/// NBL at once (SUCCESS while running, NDIS_STATUS_PAUSED otherwise).
pub(super) unsafe extern "system" fn send_net_buffer_lists(
    context: NDIS_HANDLE,
    net_buffer_lists: *mut NET_BUFFER_LIST,
    _port_number: NDIS_PORT_NUMBER,
    send_flags: ULONG,
) {
    // SAFETY: NDIS passes the live adapter context.
    let Some(adapter) = (unsafe { adapter(context) }) else {
        return;
    };
    let status = if adapter.is_running() {
        NDIS_STATUS_SUCCESS
    } else {
        NDIS_STATUS_PAUSED
    };
    let mut count = 0u64;
    let mut nbl = net_buffer_lists;
    while !nbl.is_null() {
        // SAFETY: NDIS hands the miniport a NULL-terminated chain of valid NBLs it owns
        // until they are completed below.
        let current = unsafe { &mut *nbl };
        current.Status = status;
        count += 1;
        nbl = current.Next;
    }
    if status == NDIS_STATUS_SUCCESS {
        adapter.count_sends(count, 0);
    }
    let complete_flags = if send_flags & NDIS_SEND_FLAGS_DISPATCH_LEVEL != 0 {
        NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL
    } else {
        0
    };
    if !net_buffer_lists.is_null() {
        // SAFETY: the chain is the one NDIS gave us, each NBL's Status is set.
        unsafe {
            NdisMSendNetBufferListsComplete(
                adapter.handle().as_raw(),
                net_buffer_lists,
                complete_flags,
            )
        };
    }
}

/// MiniportReturnNetBufferLists (<= DISPATCH_LEVEL). The receive path that indicates
/// NBLs from shared memory comes with the datapath; until then nothing is indicated,
/// so nothing comes back.
pub(super) unsafe extern "system" fn return_net_buffer_lists(
    _context: NDIS_HANDLE,
    _net_buffer_lists: *mut NET_BUFFER_LIST,
    _return_flags: ULONG,
) {
}

/// MiniportCancelSend: sends are completed synchronously, nothing is queued to cancel.
pub(super) unsafe extern "system" fn cancel_send(_context: NDIS_HANDLE, _cancel_id: PVOID) {}

/// MiniportDevicePnPEventNotify (PASSIVE_LEVEL).
pub(super) unsafe extern "system" fn device_pnp_event_notify(
    context: NDIS_HANDLE,
    event: *mut NET_DEVICE_PNP_EVENT,
) {
    // SAFETY: NDIS passes the live adapter context and a valid event for the call.
    let (Some(adapter), Some(event)) = (unsafe { adapter(context) }, unsafe { event.as_ref() })
    else {
        return;
    };
    if event.DevicePnPEvent == NdisDevicePnPEventSurpriseRemoved {
        adapter.surprise_removed();
    }
}

/// MiniportShutdownEx (any IRQL): stop the hardware; free nothing.
pub(super) unsafe extern "system" fn shutdown(context: NDIS_HANDLE, _action: NDIS_SHUTDOWN_ACTION) {
    // SAFETY: NDIS passes the live adapter context.
    if let Some(adapter) = unsafe { adapter(context) } {
        adapter.shutdown();
    }
}
