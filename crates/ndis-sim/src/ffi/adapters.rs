//! The hand-written host glue the import table names with `adapter(...)`: routines that call
//! back into the driver, write into the caller's structure besides the model call, or never
//! return. Each takes and returns the C types of its WDK prototype.

use ndis_sys::{
    DRIVER_OBJECT, NDIS_HANDLE, NDIS_MINIPORT_DRIVER_CHARACTERISTICS, NDIS_SPIN_LOCK, NDIS_STATUS, NDIS_STATUS_FAILURE,
    ULONG, ULONG_PTR, UNICODE_STRING,
};

use super::abi::HostArg;
use super::{HostEnv, with_host};
use crate::model::{MemExt, Sim};

/// `NdisMRegisterMiniportDriver`: copies and checks the characteristics, then calls
/// MiniportSetOptions if present, so it runs through [`Sim`] with the host's [`HostEnv`].
pub fn register_miniport_driver(
    driver_object: *mut DRIVER_OBJECT,
    _registry_path: *mut UNICODE_STRING,
    driver_context: NDIS_HANDLE,
    characteristics: *mut NDIS_MINIPORT_DRIVER_CHARACTERISTICS,
    driver_handle: *mut NDIS_HANDLE,
) -> NDIS_STATUS {
    let Some(env) = HostEnv::current() else {
        eprintln!("ndis-sim: NdisMRegisterMiniportDriver called on a thread without a simulated host");
        return NDIS_STATUS_FAILURE;
    };
    Sim::new(env).register_miniport_driver(
        driver_object.to_model(),
        driver_context.to_model(),
        characteristics.to_model(),
        driver_handle.to_model(),
    )
}

/// `NdisAcquireSpinLock`: raises to DISPATCH_LEVEL and, like NDIS, keeps the saved IRQL in the
/// lock's `OldIrql`.
pub fn acquire_spin_lock(lock: *mut NDIS_SPIN_LOCK) {
    acquire(lock, false);
}

/// `NdisDprAcquireSpinLock` (DISPATCH_LEVEL).
pub fn dpr_acquire_spin_lock(lock: *mut NDIS_SPIN_LOCK) {
    acquire(lock, true);
}

fn acquire(lock: *mut NDIS_SPIN_LOCK, dpr: bool) {
    let api = if dpr { "NdisDprAcquireSpinLock" } else { "NdisAcquireSpinLock" };
    let lock = lock.to_model();
    with_host(api, (), |m, mem| {
        let old = m.acquire_spin_lock(lock, dpr);
        if !dpr {
            // Best effort: a bad pointer was already reported by the model.
            let _ = mem.write_u8(lock + core::mem::offset_of!(NDIS_SPIN_LOCK, OldIrql) as u64, old);
        }
    });
}

/// `KeBugCheckEx`: the host equivalent of a bug check is to abort the test process.
pub fn bug_check(code: ULONG, p1: ULONG_PTR, p2: ULONG_PTR, p3: ULONG_PTR, p4: ULONG_PTR) -> ! {
    eprintln!("ndis-sim: KeBugCheckEx({code:#x}, {p1:#x}, {p2:#x}, {p3:#x}, {p4:#x})");
    std::process::abort()
}

/// `KeFlushQueuedDpcs`: runs every queued DPC through [`Sim`] (nested calls into the driver).
pub fn flush_queued_dpcs() {
    let Some(env) = HostEnv::current() else {
        eprintln!("ndis-sim: KeFlushQueuedDpcs called on a thread without a simulated host");
        return;
    };
    Sim::new(env).flush_queued_dpcs();
}

/// `NdisMSynchronizeWithInterruptEx`: runs the driver's synchronize function at the
/// interrupt's DIRQL through [`Sim`] (a nested call into the driver).
pub fn synchronize_with_interrupt(
    interrupt: NDIS_HANDLE,
    message_id: u32,
    function: ndis_sys::PVOID,
    context: ndis_sys::PVOID,
) -> ndis_sys::BOOLEAN {
    let Some(env) = HostEnv::current() else {
        eprintln!("ndis-sim: NdisMSynchronizeWithInterruptEx called on a thread without a simulated host");
        return 0;
    };
    Sim::new(env).synchronize_with_interrupt(interrupt.to_model(), message_id, function.to_model(), context.to_model())
}

/// `NdisMAllocateNetBufferSGList`: builds the SG list and calls MiniportProcessSGList through
/// [`Sim`] (a nested call into the driver).
pub fn allocate_net_buffer_sg_list(
    dma: NDIS_HANDLE,
    net_buffer: *mut ndis_sys::NET_BUFFER,
    context: ndis_sys::PVOID,
    flags: u32,
    buffer: ndis_sys::PVOID,
    size: u32,
) -> NDIS_STATUS {
    let Some(env) = HostEnv::current() else {
        eprintln!("ndis-sim: NdisMAllocateNetBufferSGList called on a thread without a simulated host");
        return NDIS_STATUS_FAILURE;
    };
    let (dma, nb, context, buffer) = (dma.to_model(), net_buffer.to_model(), context.to_model(), buffer.to_model());
    Sim::new(env).allocate_net_buffer_sg_list(dma, nb, context, flags, buffer, size)
}
