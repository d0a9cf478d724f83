//! `--stress`: seeded random interleavings of every host action NDIS may take
//! (queue OIDs, traffic, late and shuffled returns, pause/restart, halt at any point, re-add or
//! reload, surprise removal) leave nothing outstanding and break no rule; a seed replays exactly.
//! Rules: "Queue States and Operations", "Freeing a VM queue" (wait until every NBL indicated
//! from the queue has come back), MiniportHaltEx and MiniportPause, and every ndis-sim rule
//! checked on the way.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use vmqsim::leaks;
use vmqsim::stress::{run_seed, stress};

/// Seeds per thread and steps per seed: 2 threads x 10 seeds x 5,000 steps > 100,000 actions.
const SEEDS: u64 = 10;
const STEPS: u64 = 5_000;

#[test]
fn a_hundred_thousand_random_host_actions_leave_nothing_behind() {
    // Two threads (one host each), so the run takes half the time on two cores.
    let halves: Vec<_> =
        [1, 1 + SEEDS].into_iter().map(|first| std::thread::spawn(move || stress(first, SEEDS, STEPS))).collect();
    let mut actions = 0;
    for half in halves {
        let s = half.join().unwrap();
        assert!(s.is_clean(), "{}", s.text());
        assert!(s.violations.is_empty());
        assert_eq!((s.shared_memory_bytes_outstanding, s.pool_bytes_outstanding, s.nbls_outstanding), (0, 0, 0));
        assert_eq!(s.frames.misdelivered, 0);
        assert!(s.frames.frames_delivered > 0);
        // Every kind of action happened.
        for name in [
            "allocate_queue",
            "complete_allocation",
            "set_filter",
            "clear_filter",
            "free_queue",
            "grow",
            "send",
            "return",
            "pause",
            "restart",
            "halt",
            "add_adapter",
            "reload_driver",
            "surprise_remove",
            "free_unknown_queue",
            "clear_unknown_filter",
        ] {
            assert!(s.counts.get(name).copied().unwrap_or(0) > 0, "{name} never happened: {:?}", s.counts);
        }
        // Some FREE_QUEUE waited for NBLs the host held.
        assert!(s.statuses.get(&("free_queue", ndis_sys::NDIS_STATUS_PENDING)).copied().unwrap_or(0) > 0);
        actions += s.actions;
    }
    assert!(actions >= 100_000, "{actions} actions");
}

#[test]
fn a_seed_replays_exactly_and_another_seed_differs() {
    let a = run_seed(42, 600);
    let b = run_seed(42, 600);
    let c = run_seed(43, 600);
    assert!(a.failure.is_none(), "{:#?}", a.failure);
    assert_eq!((a.actions, &a.counts, &a.statuses, &a.report), (b.actions, &b.counts, &b.statuses, &b.report));
    assert_ne!((&a.counts, &a.report), (&c.counts, &c.report));
    assert!(a.actions >= 600);
}

#[test]
fn the_end_of_seed_check_fails_a_leak() {
    let run = run_seed(5, 300);
    assert!(run.failure.is_none(), "{:#?}", run.failure);
    assert!(leaks(&run.report, run.nbl_live).is_empty());
    let mut leaked = run.report.clone();
    leaked.shared_memory.bytes_outstanding = 4096;
    assert_eq!(leaks(&leaked, (0, 0, 0)), vec!["leak: 4096 bytes of shared memory outstanding".to_string()]);
    assert_eq!(leaks(&run.report, (0, 1, 1)).len(), 1);
}

#[test]
fn the_json_report_has_the_promised_keys() {
    let json = stress(9, 2, 200).json().render();
    for key in ["\"actions\":", "\"seeds\":2", "\"violations\":[]", "\"shared_memory\":{\"bytes_outstanding\":0}"] {
        assert!(json.contains(key), "{key} in {json}");
    }
}
