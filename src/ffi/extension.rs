//! The driver-object extension: per-driver data (not in a global, so each driver object — and
//! each simulated host in the tests — has its own), placed by DriverEntry
//! (`super::driver`) and read by the adapter handlers (the hub of `super::miniport`).

use core::ptr::NonNull;

use ndis_sys::NDIS_HANDLE;

use crate::kernel::hub::{Hub, HubRef};

/// Per-driver data kept in the driver object extension (not in a global, so each
/// driver object — and each simulated host in the tests — has its own).
#[repr(C)]
pub(super) struct DriverExtension {
    /// NdisMRegisterMiniportDriver's handle.
    pub(super) miniport_driver_handle: NDIS_HANDLE,
    /// The segment the driver's software adapters share (its lock allocated in DriverEntry,
    /// freed at unload).
    pub(super) hub: Hub,
}

/// The hub of the driver whose MiniportDriverContext (the extension, given to
/// NdisMRegisterMiniportDriver) is `driver_context`.
///
/// # Safety
/// `driver_context` must be the MiniportDriverContext NDIS passes to MiniportInitializeEx (or
/// NULL): the extension DriverEntry filled in, live until MiniportDriverUnload returns.
pub(super) unsafe fn hub_of(driver_context: NDIS_HANDLE) -> Option<HubRef> {
    let extension = NonNull::new(driver_context.cast::<DriverExtension>())?;
    // SAFETY: per the contract the extension is live; only the field's address is taken.
    let hub = unsafe { &raw mut (*extension.as_ptr()).hub };
    let hub = NonNull::new(hub)?;
    // SAFETY: DriverEntry initialized the hub's lock before registering; NDIS halts every
    // adapter before unload frees it.
    Some(unsafe { HubRef::from_raw(hub) })
}
