//! The runner's promises: `--queues 8` allocates and frees 8 queues with nothing outstanding,
//! and for every K up to the number of NdisAllocateSharedMemory calls of that run,
//! `--fail-alloc K` reports the failure in the right status and still leaks nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use ndis_sys::{NDIS_STATUS_RESOURCES, NDIS_STATUS_SUCCESS};
use vmqsim::{Options, json_report, run};

fn options(queues: u32) -> Options {
    Options { queues, ..Options::default() }
}

#[test]
fn eight_queues_are_allocated_and_freed_with_nothing_outstanding() {
    let outcome = run(&options(8));
    assert!(outcome.is_clean(), "{:#?}", outcome.violations);
    assert_eq!((outcome.report.queues_allocated, outcome.report.queues_freed), (8, 8));
    assert!(outcome.queues.iter().all(|q| q.free_status == Some(NDIS_STATUS_SUCCESS)));
    let json = json_report(&outcome).render();
    for key in [
        "\"queues_allocated\":8",
        "\"queues_freed\":8",
        "\"bytes_outstanding\":0",
        "\"violations\":[]",
        // The adapter under test's and the support adapter's default queues.
        "\"default_queue\":{\"allocations\":8,\"frees\":8",
    ] {
        assert!(json.contains(key), "{key} in {json}");
    }
}

#[test]
fn every_shared_memory_failure_is_reported_and_leaks_nothing() {
    let base = run(&options(8));
    let points = base.shared_memory_allocation_calls;
    assert_eq!(
        points,
        4 + 4 + 8 * 2 + 8 * 2,
        "default queues (adapter under test, support adapter), completion, growth"
    );
    for k in 1..=points {
        let outcome = run(&Options { fail_alloc: Some(k), ..options(8) });
        assert!(outcome.is_clean(), "k={k}: {:#?}", outcome.violations);
        if k <= 8 {
            // The adapter under test's initialize (k <= 4), or the support adapter's.
            assert_eq!(outcome.initialize_status, NDIS_STATUS_RESOURCES, "k={k}: initialize fails");
            continue;
        }
        assert_eq!(outcome.initialize_status, NDIS_STATUS_SUCCESS);
        let failed_completion = outcome.queues.iter().filter(|q| q.completion_status == Some(NDIS_STATUS_RESOURCES));
        let failed_growth = outcome.queues.iter().filter(|q| q.grow_status == Some(NDIS_STATUS_RESOURCES));
        let (completion, growth) = (failed_completion.count(), failed_growth.count());
        if k <= 8 + 16 {
            assert_eq!((completion, growth), (1, 0), "k={k}: one queue's CompletionStatus is RESOURCES");
        } else {
            assert_eq!((completion, growth), (0, 1), "k={k}: one queue's growth is refused");
        }
        assert!(outcome.queues.iter().all(|q| q.free_status == Some(NDIS_STATUS_SUCCESS)), "k={k}");
    }
}

#[test]
fn every_pool_failure_leaks_nothing() {
    let base = run(&options(4));
    let points = base.report.pool.allocations;
    assert!(points > 10);
    for k in 1..=points {
        let outcome = run(&Options { fail_pool: Some(k), ..options(4) });
        assert!(outcome.is_clean(), "k={k}: {:#?}", outcome.violations);
        let refused = outcome.initialize_status != NDIS_STATUS_SUCCESS
            || outcome.queues.iter().any(|q| {
                q.allocate_status == NDIS_STATUS_RESOURCES
                    || q.completion_status == Some(NDIS_STATUS_RESOURCES)
                    || q.grow_status == Some(NDIS_STATUS_RESOURCES)
            });
        // DriverEntry's own extension is not pool; every pool failure after it is visible.
        assert!(refused, "k={k}: the failure shows up as a status");
    }
}

#[test]
fn the_same_seed_gives_the_same_report() {
    let a = json_report(&run(&Options { seed: 42, ..options(5) })).render();
    let b = json_report(&run(&Options { seed: 42, ..options(5) })).render();
    let c = json_report(&run(&Options { seed: 43, ..options(5) })).render();
    assert_eq!(a, b);
    assert_ne!(a, c, "the seed changes the SG lists");
}
