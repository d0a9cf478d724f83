//! `DriverEntry` and the driver unload routine: registering the NDIS 6.30 miniport.
//!
//! <https://learn.microsoft.com/windows-hardware/drivers/network/initializing-a-miniport-driver>
//!
//! NDIS 6.30 (Windows 8 / Server 2012) is the version chosen: it is the first with
//! the VMQ model Hyper-V uses today (no lookahead split, host-memory shared
//! buffers, dynamic affinity and vector-coalescing capabilities, `VPortId` in the
//! shared-memory parameters), and every supported Windows accepts it. Later
//! revisions add nothing VMQ needs.
//!
//! IRQL: PASSIVE_LEVEL.

use core::ffi::c_void;
use core::mem::size_of;

use ndis_sys::{
    DRIVER_OBJECT, IoAllocateDriverObjectExtension, IoGetDriverObjectExtension, NDIS_HANDLE,
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS, NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2, NDIS_OBJECT_HEADER,
    NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS, NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2,
    NDIS_STATUS_SUCCESS, NTSTATUS, NdisMDeregisterMiniportDriver, NdisMRegisterMiniportDriver, STATUS_SUCCESS,
    UNICODE_STRING,
};

use super::extension::DriverExtension;
use super::miniport;
use crate::kernel::hub::Hub;

/// NDIS version the miniport registers as (6.30).
pub const NDIS_MAJOR_VERSION: u8 = 6;
/// Minor part of the NDIS version.
pub const NDIS_MINOR_VERSION: u8 = 30;

/// The address that identifies our driver-object extension.
static EXTENSION_ID: u8 = 0;

fn extension_id() -> *mut c_void {
    core::ptr::from_ref(&EXTENSION_ID).cast_mut().cast()
}

/// The characteristics table: every required handler, no optional ones.
fn characteristics() -> NDIS_MINIPORT_DRIVER_CHARACTERISTICS {
    let mut c = NDIS_MINIPORT_DRIVER_CHARACTERISTICS {
        Header: NDIS_OBJECT_HEADER::new(
            NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS,
            NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2,
            NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2,
        ),
        ..NDIS_MINIPORT_DRIVER_CHARACTERISTICS::default()
    };
    c.MajorNdisVersion = NDIS_MAJOR_VERSION;
    c.MinorNdisVersion = NDIS_MINOR_VERSION;
    c.MajorDriverVersion = 1;
    c.MinorDriverVersion = 0;
    c.Flags = 0;
    c.InitializeHandlerEx = Some(miniport::initialize);
    c.HaltHandlerEx = Some(miniport::halt);
    c.UnloadHandler = Some(unload);
    c.PauseHandler = Some(miniport::pause);
    c.RestartHandler = Some(miniport::restart);
    c.OidRequestHandler = Some(super::oid::oid_request);
    c.SendNetBufferListsHandler = Some(miniport::send_net_buffer_lists);
    c.ReturnNetBufferListsHandler = Some(miniport::return_net_buffer_lists);
    c.CancelSendHandler = Some(miniport::cancel_send);
    c.DevicePnPEventNotifyHandler = Some(miniport::device_pnp_event_notify);
    c.ShutdownHandlerEx = Some(miniport::shutdown);
    c.CancelOidRequestHandler = Some(super::oid::cancel_oid_request);
    c
}

/// The driver's entry point: registers the miniport with `NdisMRegisterMiniportDriver`.
///
/// # Safety
/// Called by the I/O manager (or ndis-sim) with a valid driver object and registry path.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn DriverEntry(
    driver_object: *mut DRIVER_OBJECT,
    registry_path: *mut UNICODE_STRING,
) -> NTSTATUS {
    let mut extension: *mut c_void = core::ptr::null_mut();
    // CAST: the extension is one pointer.
    let size = size_of::<DriverExtension>() as u32;
    // SAFETY: `driver_object` is the driver object the I/O manager passed us;
    // `extension` is a valid out slot.
    let status = unsafe { IoAllocateDriverObjectExtension(driver_object, extension_id(), size, &raw mut extension) };
    if status != STATUS_SUCCESS || extension.is_null() {
        return if status == STATUS_SUCCESS { ndis_sys::STATUS_INSUFFICIENT_RESOURCES } else { status };
    }
    let extension = extension.cast::<DriverExtension>();
    // SAFETY: `extension` points to `size` writable bytes owned by the driver object,
    // suitably aligned for a pointer (pool alignment). The hub is in place before any
    // MiniportInitializeEx can look for it.
    unsafe { extension.write(DriverExtension { miniport_driver_handle: core::ptr::null_mut(), hub: Hub::new() }) };
    // SAFETY: just written; the hub does not move from the extension.
    let ext = unsafe { &mut *extension };
    ext.hub.init();
    let mut chars = characteristics();
    let mut handle: NDIS_HANDLE = core::ptr::null_mut();
    // SAFETY: all pointers are valid for the call; NDIS copies the characteristics.
    let status = unsafe {
        NdisMRegisterMiniportDriver(driver_object, registry_path, extension.cast(), &raw mut chars, &raw mut handle)
    };
    if status != NDIS_STATUS_SUCCESS {
        // No adapter can exist: free the hub's lock (the I/O manager frees the extension
        // with the driver object).
        // SAFETY: the hub was written above and is dropped once.
        unsafe { core::ptr::drop_in_place(&raw mut ext.hub) };
        return status;
    }
    ext.miniport_driver_handle = handle;
    STATUS_SUCCESS
}

/// MiniportDriverUnload: deregisters the miniport.
///
/// # Safety
/// Called by NDIS with the driver object `DriverEntry` received.
unsafe extern "system" fn unload(driver_object: *mut DRIVER_OBJECT) {
    // SAFETY: the driver object is valid; the extension id is ours.
    let extension = unsafe { IoGetDriverObjectExtension(driver_object, extension_id()) };
    if extension.is_null() {
        return;
    }
    let extension = extension.cast::<DriverExtension>();
    // SAFETY: DriverEntry wrote a DriverExtension there before returning success.
    let handle = unsafe { (*extension).miniport_driver_handle };
    if !handle.is_null() {
        // SAFETY: the handle came from NdisMRegisterMiniportDriver and is deregistered once.
        unsafe { NdisMDeregisterMiniportDriver(handle) };
        // Every adapter was halted (and left the hub) before unload: free the hub's lock.
        // SAFETY: the hub was initialized by a successful DriverEntry and is dropped once.
        let hub = unsafe { &raw mut (*extension).hub };
        // SAFETY: as above: the live, initialized hub, dropped once.
        unsafe { core::ptr::drop_in_place(hub) };
    }
}
