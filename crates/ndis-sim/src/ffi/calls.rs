//! Calls into the driver through the handler addresses it registered (host side of
//! [`crate::model::Env::call_driver`]).

use core::ffi::c_void;

use ndis_sys::{
    DRIVER_OBJECT, MINIPORT_CANCEL_OID_REQUEST, MINIPORT_CANCEL_SEND, MINIPORT_DEVICE_PNP_EVENT_NOTIFY, MINIPORT_HALT,
    MINIPORT_INITIALIZE, MINIPORT_MESSAGE_INTERRUPT, MINIPORT_MESSAGE_INTERRUPT_DPC, MINIPORT_OID_REQUEST,
    MINIPORT_PAUSE, MINIPORT_PROCESS_SG_LIST, MINIPORT_RESTART, MINIPORT_RETURN_NET_BUFFER_LISTS,
    MINIPORT_SEND_NET_BUFFER_LISTS, MINIPORT_SHUTDOWN, MINIPORT_SYNCHRONIZE_INTERRUPT, MINIPORT_UNLOAD, SET_OPTIONS,
};

use crate::model::MiniportCall;

/// `NDIS_IO_WORKITEM_FUNCTION` without the `Option`.
type WorkItemFn = unsafe extern "system" fn(*mut c_void, *mut c_void);
/// `KDEFERRED_ROUTINE` (the KDPC pointer passed as an untyped address).
type KernelDpcFn = unsafe extern "system" fn(*mut c_void, *mut c_void, *mut c_void, *mut c_void);

/// Reinterprets a handler address as the function pointer type `F`.
///
/// # Safety
/// `addr` must be non-zero and the address of a function whose signature and ABI are `F`
/// (the driver registered it as such, or the test passed it as such to `load_driver`).
unsafe fn function<F: Copy>(addr: u64) -> F {
    const { assert!(size_of::<F>() == size_of::<usize>()) };
    let addr = addr as usize;
    // SAFETY: `F` is a function pointer type of pointer size (checked above); the caller
    // guarantees `addr` is a function of that type.
    unsafe { core::mem::transmute_copy::<usize, F>(&addr) }
}

fn ptr<T>(addr: u64) -> *mut T {
    addr as usize as *mut T
}

/// Calls the driver. Returns the routine's return value widened to 64 bits (0 for `VOID`).
pub fn call_driver(call: MiniportCall) -> u64 {
    let (addr, _) = call.args();
    if addr == 0 {
        eprintln!("ndis-sim: {} has no handler (NULL); not called", call.name());
        return 0;
    }
    let status = |s: i32| u64::from(s as u32);
    match call {
        MiniportCall::DriverEntry { routine, driver_object, registry_path } => {
            // SAFETY: `routine` is the DriverEntry function the test passed to `load_driver`.
            let f = unsafe { function::<ndis_sys::DRIVER_INITIALIZE>(routine) };
            // SAFETY: the arguments are the DRIVER_OBJECT and UNICODE_STRING the host built.
            status(unsafe { f(ptr::<DRIVER_OBJECT>(driver_object), ptr(registry_path)) })
        }
        MiniportCall::SetOptions { handler, driver_handle, driver_context } => {
            // SAFETY: registered as SetOptionsHandler, of type SET_OPTIONS.
            let f = unsafe { function::<SET_OPTIONS>(handler) };
            // SAFETY: NDIS's own handle and the context the driver gave at registration.
            status(unsafe { f(ptr(driver_handle), ptr(driver_context)) })
        }
        MiniportCall::Initialize { handler, adapter_handle, driver_context, parameters } => {
            // SAFETY: registered as InitializeHandlerEx, of type MINIPORT_INITIALIZE.
            let f = unsafe { function::<MINIPORT_INITIALIZE>(handler) };
            // SAFETY: adapter handle (opaque), the driver's context, and init parameters the host built.
            status(unsafe { f(ptr(adapter_handle), ptr(driver_context), ptr(parameters)) })
        }
        MiniportCall::Halt { handler, context, action } => {
            // SAFETY: registered as HaltHandlerEx, of type MINIPORT_HALT.
            let f = unsafe { function::<MINIPORT_HALT>(handler) };
            // SAFETY: the adapter context the driver set in its registration attributes.
            unsafe { f(ptr(context), action) };
            0
        }
        MiniportCall::Unload { handler, driver_object } => {
            // SAFETY: registered as UnloadHandler, of type MINIPORT_UNLOAD.
            let f = unsafe { function::<MINIPORT_UNLOAD>(handler) };
            // SAFETY: the DRIVER_OBJECT the host built for DriverEntry.
            unsafe { f(ptr(driver_object)) };
            0
        }
        MiniportCall::Pause { handler, context, parameters } => {
            // SAFETY: registered as PauseHandler, of type MINIPORT_PAUSE.
            let f = unsafe { function::<MINIPORT_PAUSE>(handler) };
            // SAFETY: adapter context and pause parameters the host built.
            status(unsafe { f(ptr(context), ptr(parameters)) })
        }
        MiniportCall::Restart { handler, context, parameters } => {
            // SAFETY: registered as RestartHandler, of type MINIPORT_RESTART.
            let f = unsafe { function::<MINIPORT_RESTART>(handler) };
            // SAFETY: adapter context and restart parameters the host built.
            status(unsafe { f(ptr(context), ptr(parameters)) })
        }
        MiniportCall::OidRequest { handler, context, request } => {
            // SAFETY: registered as OidRequestHandler, of type MINIPORT_OID_REQUEST.
            let f = unsafe { function::<MINIPORT_OID_REQUEST>(handler) };
            // SAFETY: adapter context and the NDIS_OID_REQUEST the host built.
            status(unsafe { f(ptr(context), ptr(request)) })
        }
        MiniportCall::CancelOidRequest { handler, context, request_id } => {
            // SAFETY: registered as CancelOidRequestHandler, of type MINIPORT_CANCEL_OID_REQUEST.
            let f = unsafe { function::<MINIPORT_CANCEL_OID_REQUEST>(handler) };
            // SAFETY: adapter context and an opaque RequestId.
            unsafe { f(ptr(context), ptr(request_id)) };
            0
        }
        MiniportCall::Send { handler, context, nbl, port, flags } => {
            // SAFETY: registered as SendNetBufferListsHandler, of type MINIPORT_SEND_NET_BUFFER_LISTS.
            let f = unsafe { function::<MINIPORT_SEND_NET_BUFFER_LISTS>(handler) };
            // SAFETY: adapter context and an NBL chain the host built.
            unsafe { f(ptr(context), ptr(nbl), port, flags) };
            0
        }
        MiniportCall::Return { handler, context, nbl, flags } => {
            // SAFETY: registered as ReturnNetBufferListsHandler, of type MINIPORT_RETURN_NET_BUFFER_LISTS.
            let f = unsafe { function::<MINIPORT_RETURN_NET_BUFFER_LISTS>(handler) };
            // SAFETY: adapter context and NBLs the driver indicated earlier.
            unsafe { f(ptr(context), ptr(nbl), flags) };
            0
        }
        MiniportCall::CancelSend { handler, context, cancel_id } => {
            // SAFETY: registered as CancelSendHandler, of type MINIPORT_CANCEL_SEND.
            let f = unsafe { function::<MINIPORT_CANCEL_SEND>(handler) };
            // SAFETY: adapter context and an opaque CancelId.
            unsafe { f(ptr(context), ptr(cancel_id)) };
            0
        }
        MiniportCall::DevicePnPEvent { handler, context, event } => {
            // SAFETY: registered as DevicePnPEventNotifyHandler, of type MINIPORT_DEVICE_PNP_EVENT_NOTIFY.
            let f = unsafe { function::<MINIPORT_DEVICE_PNP_EVENT_NOTIFY>(handler) };
            // SAFETY: adapter context and a NET_DEVICE_PNP_EVENT the host built.
            unsafe { f(ptr(context), ptr(event)) };
            0
        }
        MiniportCall::Shutdown { handler, context, action } => {
            // SAFETY: registered as ShutdownHandlerEx, of type MINIPORT_SHUTDOWN.
            let f = unsafe { function::<MINIPORT_SHUTDOWN>(handler) };
            // SAFETY: the adapter context.
            unsafe { f(ptr(context), action) };
            0
        }
        MiniportCall::MessageInterrupt { handler, context, message_id, queue_dpc, target_processors } => {
            // SAFETY: registered as MessageInterruptHandler, of type MINIPORT_MESSAGE_INTERRUPT.
            let f = unsafe { function::<MINIPORT_MESSAGE_INTERRUPT>(handler) };
            // SAFETY: the interrupt context the driver registered and two out-parameters the host allocated.
            u64::from(unsafe { f(ptr(context), message_id, ptr(queue_dpc), ptr(target_processors)) })
        }
        MiniportCall::MessageInterruptDpc { handler, context, message_id, dpc_context, throttle } => {
            // SAFETY: registered as MessageInterruptDpcHandler, of type MINIPORT_MESSAGE_INTERRUPT_DPC.
            let f = unsafe { function::<MINIPORT_MESSAGE_INTERRUPT_DPC>(handler) };
            // SAFETY: the interrupt context, an opaque DPC context, throttle parameters the host allocated.
            unsafe { f(ptr(context), message_id, ptr(dpc_context), ptr(throttle), ptr(0)) };
            0
        }
        MiniportCall::SynchronizeInterrupt { routine, context } => {
            // SAFETY: passed to NdisMSynchronizeWithInterruptEx as a MINIPORT_SYNCHRONIZE_INTERRUPT.
            let f = unsafe { function::<MINIPORT_SYNCHRONIZE_INTERRUPT>(routine) };
            // SAFETY: the context the driver passed with it.
            u64::from(unsafe { f(ptr(context)) })
        }
        MiniportCall::ProcessSgList { handler, list, context } => {
            // SAFETY: registered as ProcessSGListHandler, of type MINIPORT_PROCESS_SG_LIST.
            let f = unsafe { function::<MINIPORT_PROCESS_SG_LIST>(handler) };
            // SAFETY: no device object, the SG list NDIS built, the driver's context.
            unsafe { f(ptr(0), ptr(0), ptr(list), ptr(context)) };
            0
        }
        MiniportCall::KernelDpc { routine, dpc, context, argument1, argument2 } => {
            // SAFETY: passed to KeInitializeDpc as the DPC's PKDEFERRED_ROUTINE.
            let f = unsafe { function::<KernelDpcFn>(routine) };
            // SAFETY: the KDPC, its DeferredContext and the arguments given to KeInsertQueueDpc.
            unsafe { f(ptr(dpc), ptr(context), ptr(argument1), ptr(argument2)) };
            0
        }
        MiniportCall::WorkItem { routine, context, item } => {
            // SAFETY: queued with NdisQueueIoWorkItem as an NDIS_IO_WORKITEM_FUNCTION.
            let f = unsafe { function::<WorkItemFn>(routine) };
            // SAFETY: the context the driver queued and NDIS's work item handle.
            unsafe { f(ptr(context), ptr(item)) };
            0
        }
    }
}
