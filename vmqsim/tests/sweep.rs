//! `--fail-alloc-all`: every NdisAllocateSharedMemory, pool and NBL/MDL
//! allocation of a full lifecycle (init, queues, filters, frames, grow, frames with NBLs held,
//! pause/restart, a pended FREE_QUEUE, halt) fails in turn; every run ends with nothing
//! outstanding, no violation, the failure visible in a status (OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE:
//! the miniport fills each element's CompletionStatus, e.g. RESOURCES), and the other queues still carrying traffic.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use ndis_sys::NDIS_STATUS_SUCCESS;
use vmqsim::Nic;
use vmqsim::sweep::{FaultKind, Plan, judge, run_lifecycle, sweep};

const QUEUES: u32 = 2;

#[test]
fn every_fault_point_of_a_two_queue_lifecycle_is_survived_and_reported() {
    let s = sweep(QUEUES, 32, 1);
    assert!(s.failures.is_empty(), "{}", s.text());
    assert!(s.violations.is_empty(), "{:#?}", s.violations);
    let points: Vec<(FaultKind, u64)> = s.kinds.iter().map(|(k, v)| (*k, v.points)).collect();
    let q = u64::from(QUEUES);
    // Exact counts, so a sweep that silently skips points fails: two adapters initialize (the
    // one under test and the support adapter on its segment); each default queue has 4
    // blocks of 32 buffers (one NBL + one MDL each, one NBL pool), a VM queue 2 blocks at
    // completion and 2 more when grown; pool: 18 at initialize (12 + the queue table + a ledger
    // entry per default-queue block + the software NIC's receive DPC objects), 2 per ALLOCATE_QUEUE, 6 per completion and 6 per growth
    // (per block: SG list buffer, receive descriptors, ledger entry).
    assert_eq!(
        points,
        vec![
            (FaultKind::SharedMemory, 2 * 4 + q * 4),
            (FaultKind::Pool, 2 * 18 + q * 14),
            (FaultKind::Nbl, 2 * 257 + q * 256)
        ]
    );
    assert_eq!(s.fault_points, points.iter().map(|p| p.1).sum::<u64>());
    assert_eq!(s.fault_points, s.baseline.shared_memory + s.baseline.pool + s.baseline.nbl);
    for (kind, summary) in &s.kinds {
        assert_eq!(summary.failed, 0, "{kind:?}");
        // Every run showed its failure somewhere (or `judge` would have failed it).
        assert_eq!(summary.seen_at.values().sum::<u64>(), summary.points, "{kind:?}");
    }
    let json = s.json().render();
    for key in ["\"fault_points\":", "\"fault_points_failed\":0", "\"violations\":[]", "\"nbl\":{\"points\":"] {
        assert!(json.contains(key), "{key} in {json}");
    }
}

#[test]
fn a_shared_memory_failure_at_completion_leaves_the_other_queue_working() {
    // Calls 1-4 are the default queue's, 5-8 the support adapter's; call 9 is the first VM
    // queue's first block.
    let run = run_lifecycle(&Plan {
        queues: QUEUES,
        frames: 64,
        seed: 3,
        fault: Some((FaultKind::SharedMemory, 9)),
        nic: Nic::Soft,
    });
    assert!(judge(&run, true).is_empty(), "{:#?}", judge(&run, true));
    let (step, status) = run.first_failure().unwrap();
    assert_eq!((step, status), ("completion_status", ndis_sys::NDIS_STATUS_RESOURCES));
    assert_eq!(run.usable, Ok(()));
    assert!(run.report.frames.frames_delivered > 0);
    assert_eq!(run.report.frames.misdelivered, 0);
}

#[test]
fn the_judge_fails_a_leak_a_violation_a_silent_fault_and_an_unusable_driver() {
    let clean = run_lifecycle(&Plan { queues: QUEUES, frames: 32, seed: 1, fault: None, nic: Nic::Soft });
    assert!(judge(&clean, false).is_empty(), "{:#?}", judge(&clean, false));
    assert!(clean.statuses.iter().all(|(_, s)| *s == NDIS_STATUS_SUCCESS));
    assert_eq!(judge(&clean, true), vec!["silent: no status reported the failed allocation".to_string()]);

    let mut leaked = clean.clone();
    leaked.report.shared_memory.bytes_outstanding = 65536;
    leaked.report.pool.bytes_outstanding = 64;
    leaked.report.nbls_outstanding = 3;
    leaked.nbl_live = (1, 2, 2);
    let reasons = judge(&leaked, false);
    assert_eq!(reasons.len(), 4, "{reasons:#?}");
    assert!(reasons.iter().all(|r| r.starts_with("leak: ")));

    let mut broken = clean.clone();
    broken.violations.push("shared-memory.leak-at-halt: planted".to_string());
    broken.usable = Err("queue 1: 0 of 10 frames delivered after the failure".to_string());
    let reasons = judge(&broken, false);
    assert_eq!(reasons.len(), 2, "{reasons:#?}");
    assert!(reasons[0].starts_with("violation: ") && reasons[1].starts_with("unusable: "));
}
