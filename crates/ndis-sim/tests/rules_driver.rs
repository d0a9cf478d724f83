//! Rules on registration, attributes, handles, memory, IRQL and calls after halt: one test
//! per rule, each breaking the fake miniport in exactly one way.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::ptr::null_mut;

use common::{Point, assert_rule, driver_handle, hook, host, host_with_adapter, knobs};
use ndis_sim::{AdapterConfig, DISPATCH_LEVEL, Host, HostConfig, PASSIVE_LEVEL, SimError, rules};
use ndis_sys::*;

fn load_fails(edit: impl FnMut(&mut NDIS_MINIPORT_DRIVER_CHARACTERISTICS) + 'static) -> Host {
    knobs(|k| k.characteristics = Some(Box::new(edit)));
    let mut host = Host::new(HostConfig::default());
    let r = host.load_driver(common::fake_driver_entry);
    assert!(matches!(r, Err(SimError::DriverEntryFailed(_))), "{r:?}");
    host
}

/// # Safety
/// Called only by ndis-sim, with the pointers and handles the NDIS prototype names, valid for the duration of the call.
unsafe extern "system" fn direct_oid(_: NDIS_HANDLE, _: *mut NDIS_OID_REQUEST) -> NDIS_STATUS {
    NDIS_STATUS_NOT_SUPPORTED
}

#[test]
fn registration_bad_header_is_reported() {
    let mut host = load_fails(|c| c.Header.Size = 100);
    assert_rule(&mut host, rules::REGISTRATION_BAD_HEADER);
}

#[test]
fn registration_ndis_version_is_reported() {
    let mut host = load_fails(|c| c.MinorNdisVersion = 10);
    assert_rule(&mut host, rules::REGISTRATION_NDIS_VERSION);
}

#[test]
fn registration_missing_handler_is_reported() {
    let mut host = load_fails(|c| c.CancelOidRequestHandler = None);
    let v = assert_rule(&mut host, rules::REGISTRATION_MISSING_HANDLER);
    assert!(v[0].detail.contains("CancelOidRequestHandler"));
}

#[test]
fn registration_direct_oid_pair_is_reported() {
    let mut host = load_fails(|c| c.DirectOidRequestHandler = Some(direct_oid));
    assert_rule(&mut host, rules::REGISTRATION_DIRECT_OID_PAIR);
}

#[test]
fn registration_twice_is_reported() {
    hook(Point::DriverEntry, |_| {
        let mut chars = NDIS_MINIPORT_DRIVER_CHARACTERISTICS::default();
        let mut handle = null_mut();
        // SAFETY: valid locals; the DRIVER_OBJECT the host passed.
        let s = unsafe {
            NdisMRegisterMiniportDriver(
                common::driver_object(),
                null_mut(),
                null_mut(),
                &raw mut chars,
                &raw mut handle,
            )
        };
        assert_eq!(s, NDIS_STATUS_FAILURE);
        None
    });
    let mut host = host();
    assert_rule(&mut host, rules::REGISTRATION_TWICE);
}

#[test]
fn registration_driver_entry_failure_left_registered_is_reported() {
    hook(Point::DriverEntry, |_| Some(STATUS_UNSUCCESSFUL));
    let mut host = Host::new(HostConfig::default());
    assert!(host.load_driver(common::fake_driver_entry).is_err());
    assert_rule(&mut host, rules::REGISTRATION_DRIVER_ENTRY);
}

#[test]
fn registration_unload_without_deregister_is_reported() {
    hook(Point::Unload, |_| Some(0));
    let mut host = host();
    host.unload_driver().unwrap();
    assert_rule(&mut host, rules::REGISTRATION_UNLOAD_WITHOUT_DEREGISTER);
}

#[test]
fn driver_object_unknown_is_reported() {
    let mut host = host();
    let mut ext = null_mut();
    let mut bogus = [0u64; 8];
    // SAFETY: valid locals; the driver object is deliberately not the host's.
    let s = unsafe { IoAllocateDriverObjectExtension(bogus.as_mut_ptr().cast(), 1 as PVOID, 16, &raw mut ext) };
    assert!(s < 0);
    assert_rule(&mut host, rules::DRIVER_OBJECT_UNKNOWN);
}

#[test]
fn driver_object_extensions_are_kept_per_client_id() {
    let mut host = host();
    let mut ext = null_mut();
    let obj = common::driver_object();
    // SAFETY: the host's DRIVER_OBJECT and a valid out pointer.
    let status = unsafe { IoAllocateDriverObjectExtension(obj, 7 as PVOID, 32, &raw mut ext) };
    assert_eq!(status, STATUS_SUCCESS);
    // SAFETY: as above.
    assert_eq!(unsafe { IoGetDriverObjectExtension(obj, 7 as PVOID) }, ext);
    let mut again = null_mut();
    // SAFETY: as above.
    assert!(unsafe { IoAllocateDriverObjectExtension(obj, 7 as PVOID, 32, &raw mut again) } < 0);
    host.unload_driver().unwrap();
    assert!(host.take_violations().is_empty());
}

#[test]
fn handle_invalid_is_reported() {
    hook(Point::Initialize, |_| {
        let mut ind = common::status_indication(driver_handle(), NDIS_STATUS_MEDIA_CONNECT);
        // SAFETY: valid local; the handle is deliberately the driver handle.
        unsafe { NdisMIndicateStatusEx(driver_handle(), &raw mut ind) };
        None
    });
    let (mut host, _) = host_with_adapter();
    assert_rule(&mut host, rules::HANDLE_INVALID);
}

#[test]
fn memory_fault_is_reported() {
    hook(Point::Initialize, |ctx| {
        let mut allocation = null_mut();
        // SAFETY: a NULL parameter block is the deliberate error; the model reads nothing from it.
        let s = unsafe { NdisAllocateSharedMemory(ctx.adapter, null_mut(), &raw mut allocation) };
        assert_ne!(s, NDIS_STATUS_SUCCESS);
        None
    });
    let (mut host, _) = host_with_adapter();
    assert_rule(&mut host, rules::MEMORY_FAULT);
}

#[test]
fn irql_changed_by_handler_is_reported() {
    hook(Point::Oid, |_| {
        let mut lock = Box::new(NDIS_SPIN_LOCK::default());
        // SAFETY: a valid lock; acquired and then released with the Dpr variant, which does
        // not lower the IRQL again: the handler returns at DISPATCH_LEVEL.
        unsafe { NdisAcquireSpinLock(&raw mut *lock) };
        // SAFETY: as above.
        unsafe { NdisDprReleaseSpinLock(&raw mut *lock) };
        Some(NDIS_STATUS_NOT_SUPPORTED)
    });
    let (mut host, a) = host_with_adapter();
    host.oid_query(a, OID_GEN_VENDOR_ID, 4);
    assert_rule(&mut host, rules::IRQL_CHANGED_BY_HANDLER);
    assert_eq!(host.irql(), PASSIVE_LEVEL, "the caller's IRQL is restored");
}

#[test]
fn handlers_run_at_their_documented_irql() {
    hook(Point::Send, |_| {
        assert_eq!(ndis_sim::current_irql(), Some(DISPATCH_LEVEL));
        None
    });
    hook(Point::Oid, |_| {
        assert_eq!(ndis_sim::current_irql(), Some(PASSIVE_LEVEL));
        None
    });
    let (mut host, a) = host_with_adapter();
    host.send(a, 1).unwrap();
    host.oid_query(a, OID_GEN_VENDOR_ID, 4);
}

#[test]
fn adapter_call_after_halt_is_reported() {
    let (mut host, a) = host_with_adapter();
    host.halt(a, NdisHaltDeviceDisabled).unwrap();
    // SAFETY: the (now halted) adapter handle; the call itself is the error under test.
    let item = unsafe { NdisAllocateIoWorkItem(a.0 as NDIS_HANDLE) };
    assert!(item.is_null());
    assert_rule(&mut host, rules::ADAPTER_CALL_AFTER_HALT);
}

#[test]
fn attributes_order_is_reported() {
    hook(Point::InitializeStart, |ctx| {
        let mut attrs = NDIS_MINIPORT_ADAPTER_ATTRIBUTES::default();
        attrs.Header = NDIS_OBJECT_HEADER::new(
            NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES,
            2,
            NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2,
        );
        // SAFETY: a valid local; general before registration is the error under test.
        unsafe { NdisMSetMiniportAttributes(ctx.adapter, &raw mut attrs) };
        None
    });
    let (mut host, _) = host_with_adapter();
    assert_rule(&mut host, rules::ATTRIBUTES_ORDER);
}

#[test]
fn attributes_missing_is_reported() {
    hook(Point::InitializeStart, |_| Some(NDIS_STATUS_SUCCESS));
    let mut host = host();
    host.add_adapter(AdapterConfig::default().restart_after_initialize(false)).unwrap();
    assert_rule(&mut host, rules::ATTRIBUTES_MISSING);
}

#[test]
fn attributes_bad_header_is_reported() {
    hook(Point::Initialize, |ctx| {
        let mut attrs = NDIS_MINIPORT_ADAPTER_ATTRIBUTES::default();
        attrs.Header = NDIS_OBJECT_HEADER::new(NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES, 1, 16);
        // SAFETY: a valid local.
        let s = unsafe { NdisMSetMiniportAttributes(ctx.adapter, &raw mut attrs) };
        assert_eq!(s, NDIS_STATUS_INVALID_PARAMETER);
        None
    });
    let (mut host, _) = host_with_adapter();
    assert_rule(&mut host, rules::ATTRIBUTES_BAD_HEADER);
}

fn hardware_assist(
    hardware: *mut NDIS_RECEIVE_FILTER_CAPABILITIES,
    current: *mut NDIS_RECEIVE_FILTER_CAPABILITIES,
) -> NDIS_MINIPORT_ADAPTER_ATTRIBUTES {
    let mut attrs = NDIS_MINIPORT_ADAPTER_ATTRIBUTES::default();
    attrs.HardwareAssistAttributes = NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES {
        Header: NDIS_OBJECT_HEADER::new(NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES, 3, 80),
        HardwareReceiveFilterCapabilities: hardware,
        CurrentReceiveFilterCapabilities: current,
        ..Default::default()
    };
    attrs
}

#[test]
fn attributes_capabilities_pair_is_reported() {
    hook(Point::Initialize, |ctx| {
        let mut caps = common::capabilities(0);
        let mut attrs = hardware_assist(&raw mut caps, null_mut());
        // SAFETY: valid locals.
        unsafe { NdisMSetMiniportAttributes(ctx.adapter, &raw mut attrs) };
        None
    });
    let (mut host, _) = host_with_adapter();
    assert_rule(&mut host, rules::ATTRIBUTES_CAPABILITIES_PAIR);
}

#[test]
fn attributes_capabilities_header_is_reported() {
    hook(Point::Initialize, |ctx| {
        let mut hardware = common::capabilities(0);
        let mut current = common::capabilities(0);
        current.Header.Size = 40;
        let mut attrs = hardware_assist(&raw mut hardware, &raw mut current);
        // SAFETY: valid locals.
        unsafe { NdisMSetMiniportAttributes(ctx.adapter, &raw mut attrs) };
        None
    });
    let (mut host, _) = host_with_adapter();
    assert_rule(&mut host, rules::ATTRIBUTES_CAPABILITIES_HEADER);
}

#[test]
fn attributes_bus_master_mismatch_is_reported() {
    knobs(|k| {
        k.bus_master = false;
        k.default_queue_memory = false;
    });
    let mut host = host();
    host.add_adapter(AdapterConfig::default().bus_master(true)).unwrap();
    assert_rule(&mut host, rules::ATTRIBUTES_BUS_MASTER);
}

#[test]
fn attributes_outside_initialize_are_reported() {
    let (mut host, a) = host_with_adapter();
    common::set_attributes(a.0 as NDIS_HANDLE, null_mut(), false);
    assert_rule(&mut host, rules::ATTRIBUTES_OUTSIDE_INITIALIZE);
}

/// "OID_GEN_MAC_OPTIONS": every NDIS 6 miniport sets NDIS_MAC_OPTION_8021P_PRIORITY.
#[test]
fn mac_options_without_8021p_priority_are_reported() {
    knobs(|k| k.mac_options = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA);
    let (mut host, _) = host_with_adapter();
    assert_rule(&mut host, rules::ATTRIBUTES_MAC_OPTIONS);
}

/// Adapters on one segment need their own permanent addresses.
#[test]
fn two_adapters_with_one_address_are_reported() {
    knobs(|k| k.mac = Some([0x02, 0, 0, 0, 0, 1]));
    let (mut host, _) = host_with_adapter();
    host.add_adapter(AdapterConfig::default()).unwrap();
    assert_rule(&mut host, rules::ATTRIBUTES_DUPLICATE_MAC);
}

/// "Reporting Power Management Capabilities": NO_HALT_ON_SUSPEND (the miniport handles power
/// transitions) without NDIS_PM_CAPABILITIES in the general attributes.
#[test]
fn no_halt_on_suspend_without_pm_capabilities_is_reported() {
    knobs(|k| k.no_halt_on_suspend = true);
    let (mut host, _) = host_with_adapter();
    assert_rule(&mut host, rules::ATTRIBUTES_PM_CAPABILITIES);
}

/// The standardized NetworkAddress keyword sets the current address; the fake ignores it.
#[test]
fn an_ignored_network_address_is_reported() {
    let mut host = host();
    host.add_adapter(AdapterConfig::default().network_address([0x02, 0x11, 0x22, 0x33, 0x44, 0x55])).unwrap();
    assert_rule(&mut host, rules::ATTRIBUTES_NETWORK_ADDRESS);
}
