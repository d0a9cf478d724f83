//! "OID_PNP_SET_POWER" (<https://learn.microsoft.com/windows-hardware/drivers/network/oid-pnp-set-power>):
//! going to D3 stops receive DMA on every queue; sends in D3 fail with
//! NDIS_STATUS_LOW_POWER_STATE and nothing is indicated (ndis-sim: `receive.in-low-power`);
//! back in D0 every allocated queue, its filters and its shared memory work again with nothing
//! re-allocated. "Reporting Power Management Capabilities": the general attributes carry an
//! NDIS_PM_CAPABILITIES (ndis-sim: `attributes.pm-capabilities`).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use ndis_sim::FrameSpec;
use ndis_sys::{NDIS_STATUS_LOW_POWER_STATE, NDIS_STATUS_SUCCESS, NdisDeviceStateD0, NdisDeviceStateD3};

const VM: [u8; 6] = [0x02, 0, 0, 0, 1, 1];

#[test]
fn a_power_cycle_keeps_queues_filters_and_memory() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let pm = host.general_attributes(adapter).unwrap().pm_capabilities.expect("NDIS_PM_CAPABILITIES");
    assert_eq!((pm.kind, pm.revision, pm.size), (0x80, 2, 60));
    let q = common::allocated_queues(&mut host, adapter, 2);
    host.set_mac_filter(adapter, q[0], VM, None).unwrap();
    host.set_mac_filter(adapter, q[1], VM, Some(100)).unwrap();
    let frames = [FrameSpec::new(VM, 200), FrameSpec::new(VM, 300).vlan(100), FrameSpec::new([0xFF; 6], 60)];
    host.send_frames(adapter, &frames).unwrap();
    let allocations = host.report().shared_memory.allocations;
    let delivered = |host: &mut ndis_sim::Host| host.traffic(adapter).frames_delivered;
    assert_eq!(delivered(&mut host), 3);

    // D3 without a pause (a host that sends anyway): the sends fail, nothing is indicated.
    assert_eq!(host.set_power(adapter, NdisDeviceStateD3).status, NDIS_STATUS_SUCCESS);
    let r = host.send_from(adapter, &frames).unwrap();
    assert!(r.completed.iter().all(|s| *s == NDIS_STATUS_LOW_POWER_STATE), "{:?}", r.completed);
    // Frames from the support adapter reach the segment; an adapter in D3 indicates none.
    host.send_frames(adapter, &frames).unwrap();
    assert_eq!(delivered(&mut host), 3);
    assert_eq!(host.set_power(adapter, NdisDeviceStateD0).status, NDIS_STATUS_SUCCESS);

    // The cycle NDIS runs around a sleep: pause, D3, D0, restart.
    host.power_cycle(adapter).unwrap();
    host.send_frames(adapter, &frames).unwrap();
    assert_eq!(delivered(&mut host), 6);
    let t = host.traffic(adapter);
    assert_eq!((t.per_queue[&q[0].0].delivered, t.per_queue[&q[1].0].delivered), (2, 2));
    assert_eq!(host.report().shared_memory.allocations, allocations, "nothing re-allocated");
    common::assert_clean(&mut host);
}
