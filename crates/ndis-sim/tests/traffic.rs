//! The traffic source and the receive checks against a well-behaved receive path: frames reach
//! the queue their filters name, in order and unchanged, the report counts them, returns can be
//! held, partial or shuffled, and a long run stays fast.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Instant;

use common::{mac, rx_host, rx_host_with};
use ndis_sim::{FrameError, FrameSpec, HostConfig, QueueSpec, SimError};
use ndis_sys::*;

#[test]
fn frames_reach_the_queue_their_filters_name() {
    let (mut host, a, q) = rx_host(&[(mac(1), None), (mac(2), Some(5)), (mac(3), Some(7))]);
    let frames = [
        FrameSpec::new(mac(1), 60),           // q1: untagged
        FrameSpec::new(mac(1), 100).vlan(0),  // q1: VLAN 0 counts as untagged
        FrameSpec::new(mac(1), 100).vlan(9),  // q1's filter is untagged-or-zero: default queue
        FrameSpec::new(mac(2), 1514).vlan(5), // q2
        FrameSpec::new(mac(2), 200),          // untagged, q2 wants VLAN 5: default queue
        FrameSpec::new(mac(3), 64).vlan(7),   // q3
        FrameSpec::new([0xff; 6], 60),        // broadcast: default queue
        FrameSpec::new(mac(9), 1000),         // nobody: default queue
    ];
    let r = host.send_frames(a, &frames).unwrap();
    assert_eq!((r.sent, r.completed.len(), r.outstanding), (8, 8, 0));
    assert_eq!(r.sequences.end - r.sequences.start, 8);
    let t = host.traffic(a);
    assert_eq!((t.frames_sent, t.frames_delivered, t.frames_dropped, t.misdelivered), (8, 8, 0, 0));
    let per = |queue: u32| t.per_queue.get(&queue).copied().unwrap_or_default();
    assert_eq!((per(0).sent, per(0).delivered), (4, 4));
    assert_eq!((per(q[0].0).sent, per(q[0].0).delivered), (2, 2));
    assert_eq!((per(q[1].0).sent, per(q[1].0).delivered), (1, 1));
    assert_eq!((per(q[2].0).sent, per(q[2].0).delivered), (1, 1));
    assert!(t.per_queue.values().all(|c| c.in_order));
    let received: u64 = host.received_by_queue(a).iter().map(|(_, n)| n).sum();
    assert_eq!(received, 8);
    assert_eq!(host.received_outstanding(a), 0, "returned at settle");
    host.halt(a, NdisHaltDeviceDisabled).unwrap();
    host.unload_driver().unwrap();
    let report = host.report();
    assert_eq!(report.frames.frames_delivered, 8);
    assert_eq!(report.nbls_outstanding, 0);
    assert!(report.violations.is_empty(), "{:#?}", report.violations);
}

#[test]
fn a_queue_without_filters_gets_nothing_and_out_of_buffers_drops() {
    let (mut host, a, q) =
        rx_host_with(HostConfig::default().hold_received(true), QueueSpec::default(), &[(mac(1), None)]);
    let filter = host.filters(a)[0].0;
    // 40 frames for q1, which has 32 buffers: 8 are dropped while NDIS holds the rest.
    let frames = vec![FrameSpec::new(mac(1), 128); 40];
    host.send_frames(a, &frames).unwrap();
    let t = host.traffic(a);
    let q1 = t.per_queue[&q[0].0];
    assert_eq!((q1.sent, q1.delivered, q1.dropped), (40, 32, 8));
    assert_eq!(host.received_outstanding(a), 32);
    assert_eq!(host.return_received_partial(a, 10), 10);
    assert_eq!(host.return_received_shuffled(a, 5), 5);
    assert_eq!(host.received_outstanding(a), 17);
    assert_eq!(host.return_received(a), 17);
    // Without its filter the queue is Paused: frames for its MAC go to the default queue.
    assert!(host.clear_filter(a, q[0], filter).succeeded());
    host.send_frames(a, &[FrameSpec::new(mac(1), 60)]).unwrap();
    let t = host.traffic(a);
    assert_eq!(t.per_queue[&0].delivered, 1);
    assert_eq!(t.per_queue[&q[0].0].delivered, 32);
    host.return_received(a);
    assert!(host.take_violations().is_empty());
}

#[test]
fn shuffled_returns_are_deterministic_per_seed() {
    let order = |seed: u64| {
        let returned = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let r = returned.clone();
        common::hook(common::Point::Return, move |ctx| {
            let mut at = ctx.nbl;
            while !at.is_null() {
                // SAFETY: NBLs the fake indicated, returned by NDIS.
                let n = unsafe { &*at };
                r.borrow_mut().push(n.MiniportReserved[1] as usize);
                at = n.Next;
            }
            None
        });
        let (mut host, a, _) =
            rx_host_with(HostConfig::default().seed(seed).hold_received(true), QueueSpec::default(), &[(mac(1), None)]);
        host.send_frames(a, &vec![FrameSpec::new(mac(1), 60); 16]).unwrap();
        host.return_received_shuffled(a, 16);
        assert!(host.take_violations().is_empty());
        returned.take()
    };
    let a = order(1);
    assert_eq!(a.len(), 16);
    assert_eq!(a, order(1));
    assert_ne!(a, (0..16).collect::<Vec<_>>(), "not in indication order");
}

#[test]
fn per_queue_receive_indication_queues_get_single_queue_indications() {
    let spec = QueueSpec::default().flags(NDIS_RECEIVE_QUEUE_PARAMETERS_PER_QUEUE_RECEIVE_INDICATION);
    let (mut host, a, _) = rx_host_with(HostConfig::default(), spec, &[(mac(1), None), (mac(2), None)]);
    let frames: Vec<FrameSpec> = (0..12).map(|i| FrameSpec::new(mac(1 + i % 2), 60 + i as usize)).collect();
    host.send_frames(a, &frames).unwrap();
    assert_eq!(host.traffic(a).frames_delivered, 12);
    assert!(host.take_violations().is_empty());
}

#[test]
fn invalid_frames_are_refused() {
    let (mut host, a, _) = rx_host(&[]);
    assert_eq!(host.send_frames(a, &[FrameSpec::new(mac(1), 59)]), Err(SimError::InvalidFrame(FrameError::Length(59))));
    assert_eq!(
        host.send_frames(a, &[FrameSpec::new(mac(1), 60).vlan(5000)]),
        Err(SimError::InvalidFrame(FrameError::VlanId(5000)))
    );
}

#[test]
fn a_long_run_stays_fast_and_clean() {
    let filters: Vec<([u8; 6], Option<u16>)> =
        (1..=8).map(|i| (mac(i), (i % 2 == 0).then_some(u16::from(i)))).collect();
    let (mut host, a, q) = rx_host(&filters);
    let start = Instant::now();
    let mut sent = 0;
    for batch in 0..250u64 {
        let frames: Vec<FrameSpec> = (0..80u64)
            .map(|i| {
                let k = ((batch * 80 + i) % 9) as u8;
                let f = FrameSpec::new(mac(k + 1), 60 + ((batch * 7 + i * 13) % 1455) as usize);
                if k % 2 == 1 { f.vlan(u16::from(k + 1)) } else { f }
            })
            .collect();
        sent += frames.len() as u64;
        host.send_frames(a, &frames).unwrap();
    }
    let elapsed = start.elapsed();
    let t = host.traffic(a);
    assert_eq!((t.frames_sent, t.misdelivered), (sent, 0));
    assert_eq!(t.frames_delivered + t.frames_dropped, sent);
    for queue in &q {
        let c = t.per_queue[&queue.0];
        assert!(c.in_order && c.delivered > 0, "{queue}: {c:?}");
    }
    assert!(host.take_violations().is_empty());
    eprintln!("{sent} frames in {elapsed:?}");
}
