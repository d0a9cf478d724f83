//! The interrupt trampolines: the `extern "system"` handlers of
//! `NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS`, generic over the back end's safe
//! [`InterruptHandler`]. Each turns `MiniportInterruptContext` back into `&H` (the pool block
//! [`crate::kernel::interrupt::Interrupt`] owns and frees only after deregistering) and calls it.
//!
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_message_interrupt>,
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_message_interrupt_dpc>,
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_enable_message_interrupt>,
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_disable_message_interrupt>,
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_isr>,
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_interrupt_dpc>.

use core::ffi::c_void;

use ndis_sys::{BOOLEAN, FALSE, NDIS_HANDLE, PVOID, TRUE, ULONG};

use core::ptr::NonNull;

use super::DriverAdapter;
use crate::kernel::NdisHandle;
use crate::kernel::interrupt::{
    Interrupt, InterruptError, InterruptHandler, IsrResult, LINE_BASED_MESSAGE, Trampolines,
};
use crate::kernel::msix::Forward;
use crate::vmq::error::InitError;

/// The entry points for `H`, for [`crate::kernel::interrupt::Interrupt::register`].
#[must_use]
pub fn trampolines<H: InterruptHandler>() -> Trampolines<H> {
    // CAST: the bindings keep the enable/disable and line-based slots as addresses (PVOID).
    // SAFETY: each function below has the WDK signature of its slot and reads its context as
    // `*const H`.
    unsafe {
        Trampolines::new(
            message_isr::<H>,
            message_dpc::<H>,
            enable_message::<H> as *mut c_void,
            disable_message::<H> as *mut c_void,
            line_isr::<H> as *mut c_void,
            line_dpc::<H> as *mut c_void,
            enable_line::<H> as *mut c_void,
            disable_line::<H> as *mut c_void,
        )
    }
}

/// # Safety
/// `context` is the `*const H` registered with the interrupt, live until deregistration.
unsafe fn handler<'a, H>(context: NDIS_HANDLE) -> &'a H {
    // SAFETY: the caller's contract.
    unsafe { &*context.cast::<H>().cast_const() }
}

/// Writes the ISR's DPC request; returns its recognized flag.
///
/// # Safety
/// `queue_dpc` is NULL or NDIS's writable out-parameter.
unsafe fn report(result: IsrResult, queue_dpc: *mut BOOLEAN) -> BOOLEAN {
    if !queue_dpc.is_null() {
        // SAFETY: the caller's contract.
        unsafe { queue_dpc.write(if result.queue_dpc { TRUE } else { FALSE }) };
    }
    if result.recognized { TRUE } else { FALSE }
}

/// MiniportMessageInterrupt (DIRQL).
///
/// # Safety
/// Called by NDIS with the registered context and valid out-parameters.
unsafe extern "system" fn message_isr<H: InterruptHandler>(
    context: NDIS_HANDLE,
    message: ULONG,
    queue_dpc: *mut BOOLEAN,
    _target_processors: *mut ULONG,
) -> BOOLEAN {
    // SAFETY: NDIS passes the registered context.
    let result = unsafe { handler::<H>(context) }.isr(message);
    // SAFETY: NDIS's out-parameter.
    unsafe { report(result, queue_dpc) }
}

/// MiniportMessageInterruptDPC (DISPATCH_LEVEL).
///
/// # Safety
/// Called by NDIS with the registered context.
unsafe extern "system" fn message_dpc<H: InterruptHandler>(
    context: NDIS_HANDLE,
    message: ULONG,
    dpc_context: PVOID,
    _receive_throttle: PVOID,
    _reserved: PVOID,
) {
    // CAST: NdisMQueueDpcEx's opaque MiniportDpcContext back to the token it was.
    // SAFETY: NDIS passes the registered context.
    unsafe { handler::<H>(context) }.dpc(message, dpc_context as usize);
}

/// MiniportEnableMessageInterrupt (DIRQL).
///
/// # Safety
/// Called by NDIS with the registered context.
unsafe extern "system" fn enable_message<H: InterruptHandler>(context: NDIS_HANDLE, message: ULONG) {
    // SAFETY: NDIS passes the registered context.
    unsafe { handler::<H>(context) }.enable(message);
}

/// MiniportDisableMessageInterrupt (DIRQL).
///
/// # Safety
/// Called by NDIS with the registered context.
unsafe extern "system" fn disable_message<H: InterruptHandler>(context: NDIS_HANDLE, message: ULONG) {
    // SAFETY: NDIS passes the registered context.
    unsafe { handler::<H>(context) }.disable(message);
}

/// MiniportInterrupt (line-based fallback, DIRQL).
///
/// # Safety
/// Called by NDIS with the registered context and valid out-parameters.
unsafe extern "system" fn line_isr<H: InterruptHandler>(
    context: NDIS_HANDLE,
    queue_dpc: *mut BOOLEAN,
    _target_processors: *mut ULONG,
) -> BOOLEAN {
    // SAFETY: NDIS passes the registered context.
    let result = unsafe { handler::<H>(context) }.isr(LINE_BASED_MESSAGE);
    // SAFETY: NDIS's out-parameter.
    unsafe { report(result, queue_dpc) }
}

/// MiniportInterruptDPC (line-based fallback, DISPATCH_LEVEL).
///
/// # Safety
/// Called by NDIS with the registered context.
unsafe extern "system" fn line_dpc<H: InterruptHandler>(
    context: NDIS_HANDLE,
    dpc_context: PVOID,
    _receive_throttle: PVOID,
    _reserved: PVOID,
) {
    // SAFETY: NDIS passes the registered context.
    unsafe { handler::<H>(context) }.dpc(LINE_BASED_MESSAGE, dpc_context as usize);
}

/// MiniportEnableInterruptEx (line-based fallback).
///
/// # Safety
/// Called by NDIS with the registered context.
unsafe extern "system" fn enable_line<H: InterruptHandler>(context: NDIS_HANDLE) {
    // SAFETY: NDIS passes the registered context.
    unsafe { handler::<H>(context) }.enable(LINE_BASED_MESSAGE);
}

/// MiniportDisableInterruptEx (line-based fallback).
///
/// # Safety
/// Called by NDIS with the registered context.
unsafe extern "system" fn disable_line<H: InterruptHandler>(context: NDIS_HANDLE) {
    // SAFETY: NDIS passes the registered context.
    unsafe { handler::<H>(context) }.disable(LINE_BASED_MESSAGE);
}

/// Registers the adapter's MSI-X interrupt (PASSIVE_LEVEL, inside MiniportInitializeEx): a
/// [`Forward`] handler whose DPC calls [`DriverAdapter::interrupt_dpc`].
///
/// # Errors
/// [`InitError::Hardware`] with NDIS's status, [`InitError::Resources`] for the handler's pool.
pub fn register_adapter(handle: NdisHandle, adapter: &DriverAdapter) -> Result<Interrupt<Forward>, InitError> {
    let context = NonNull::from(adapter).cast::<c_void>();
    // SAFETY: `adapter_dpc` treats the context as the `DriverAdapter` it is; the adapter lives
    // in pool until MiniportHaltEx, which deregisters the interrupt (`detach_interrupt`) first.
    let handler = unsafe { Forward::new(context, adapter_dpc) };
    Interrupt::register(handle, handler, &trampolines()).map_err(|e| match e {
        InterruptError::Pool => InitError::Resources,
        InterruptError::Ndis(status) => InitError::Hardware(status),
    })
}

/// The adapter's DPC entry.
///
/// # Safety
/// `context` is the `DriverAdapter` [`register_adapter`] registered, still live.
unsafe fn adapter_dpc(context: NonNull<c_void>, message: u32) {
    // SAFETY: the function contract.
    let adapter = unsafe { context.cast::<DriverAdapter>().as_ref() };
    if adapter.interrupt_dpc(message) {
        super::transmit::reap(adapter);
    }
}
