//! End to end on QEMU's Intel 82576 (`vmqsim --nic igb`): the driver's Rust source through the
//! vSwitch script with the adapter a PCI NIC, traffic from the device's wire, and the hardware
//! phases (transmit check, link down/up, FREE_QUEUE with frames in the device).
//!
//! The driver chooses its 82576 back end for the PCI ids 8086:10C9. Needs QEMU >= 8 with the
//! igb device (`cargo xtask setup`). The emulated image's run needs the packaged
//! `vmqnic.sys`: `cargo xtask test` runs it as a system check after packaging; by hand,
//! `cargo test -p vmqsim --test igb -- --ignored` after `cargo xtask package`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ndis_sys::{MediaConnectStateConnected, MediaConnectStateDisconnected};
use vmqsim::{Nic, Options, run};

#[test]
fn the_driver_on_qemus_igb_runs_the_vswitch_script_clean() {
    let options = Options { nic: Nic::Igb, queues: 4, frames: 512, ..Options::default() };
    let outcome = run(&options);
    assert!(outcome.violations.is_empty(), "{:#?}", outcome.violations);
    assert!(outcome.is_clean());
    let pci = outcome.pci.as_ref().expect("the adapter is the PCI NIC");
    assert!(pci.link_up_after_initialize.is_some(), "the driver reported the link up");
    assert_eq!(pci.transmit, Some((3, 3, 0)), "every frame left on the wire byte for byte");
    assert!(
        pci.link_cycle.ends_with(&[Some(MediaConnectStateDisconnected), Some(MediaConnectStateConnected)]),
        "{:?}",
        pci.link_cycle
    );
    assert!(pci.frames_indicated > 0 && pci.counters.interrupts > 0 && pci.counters.dpcs > 0, "{pci:?}");
    // Every VM queue indicated on its affinity processor only (queue index i: processor i mod 4).
    for (index, q) in outcome.queues.iter().enumerate() {
        let id = q.queue_id.expect("allocated");
        let seen = outcome.indication_processors.get(&id).expect("the queue received frames");
        assert_eq!(seen.iter().copied().collect::<Vec<_>>(), [index as u32 % 4], "queue {id}");
    }
    // Only the queue freed with frames in the device lost frames.
    let (freed, _) = pci.freed_with_frames.expect("the free-with-frames phase ran");
    for (q, t) in &outcome.traffic.per_queue {
        if *q != freed && *q != 0 {
            assert_eq!((t.dropped, t.misdelivered, t.in_order), (0, 0, true), "queue {q}: {t:?}");
        }
    }
}

#[test]
#[ignore = "needs target/package/vmqnic/vmqnic.sys (cargo xtask package); cargo xtask test runs it"]
fn the_emulated_image_on_qemus_igb_runs_the_vswitch_script_clean() {
    let sys = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/package/vmqnic/vmqnic.sys").to_string();
    let options = Options { nic: Nic::Igb, queues: 4, frames: 256, sys: Some(sys), ..Options::default() };
    let outcome = run(&options);
    assert!(outcome.violations.is_empty(), "{:#?}", outcome.violations);
    assert!(outcome.pci.is_some_and(|p| p.transmit == Some((3, 3, 0))));
}
