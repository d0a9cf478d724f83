//! DriverEntry registers an NDIS 6.30 miniport; unload deregisters.
//!
//! Rule (NdisMRegisterMiniportDriver, NDIS_MINIPORT_DRIVER_CHARACTERISTICS:
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_driver_characteristics>): "Required: Initialize, Halt,
//! Unload, Pause, Restart, OidRequest (connectionless), Send, Return, CancelSend,
//! DevicePnPEventNotify, Shutdown, CancelOidRequest." Header type 0x8A, revision 2 size 152.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use ndis_sim::{Host, HostConfig};

#[test]
fn driver_entry_registers_a_6_30_miniport_with_every_required_handler() {
    let mut host = common::host_with(HostConfig::default());
    let c = host.characteristics().expect("the driver registered");
    assert_eq!((c.major_ndis_version, c.minor_ndis_version), (6, 30));
    assert_eq!(c.revision, ndis_sys::NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2);
    let h = c.handlers;
    for (name, address) in [
        ("initialize", h.initialize),
        ("halt", h.halt),
        ("unload", h.unload),
        ("pause", h.pause),
        ("restart", h.restart),
        ("oid_request", h.oid_request),
        ("send", h.send),
        ("return", h.return_nbls),
        ("cancel_send", h.cancel_send),
        ("pnp", h.pnp_event),
        ("shutdown", h.shutdown),
        ("cancel_oid", h.cancel_oid),
    ] {
        assert_ne!(address, 0, "{name} handler missing");
    }
    common::assert_clean(&mut host);
}

#[test]
fn unload_deregisters_the_miniport_and_leaves_no_pool() {
    let mut host = common::host_with(HostConfig::default());
    host.unload_driver().expect("unload");
    // ndis-sim records registration.unload-without-deregister and pool.leak-at-unload otherwise.
    common::assert_clean(&mut host);
    assert_eq!(host.report().pool.bytes_outstanding, 0);
}

#[test]
fn two_hosts_load_the_driver_independently() {
    // Per-driver state lives in the driver-object extension, not in a global.
    let mut a = Host::new(HostConfig::default().seed(1));
    a.load_driver(vmqnic::DriverEntry).expect("first host");
    let mut b = Host::new(HostConfig::default().seed(2));
    b.load_driver(vmqnic::DriverEntry).expect("second host");
    b.unload_driver().expect("unload b");
    common::assert_clean(&mut b);
    drop(b);
    a.unload_driver().expect("unload a");
    common::assert_clean(&mut a);
}
