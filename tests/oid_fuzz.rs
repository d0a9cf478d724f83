//! Bounded OID input fuzzing of the real `MiniportOidRequest` through ndis-sim.
//!
//! A fixed-seed generator writes byte programs; [`engine`] turns each into OID requests for
//! every OID the driver handles (`SUPPORTED_OIDS`) and unknown ones: all request kinds plus
//! invalid `RequestType` numbers, short/oversized buffers, wrong header type/revision/size,
//! array offsets/counts/element sizes outside the buffer or overflowing, unknown and stale
//! queue/filter ids, queues in every state. Oracle: no panic, no ndis-sim violation, every
//! status allowed for its OID (the OID pages under <https://learn.microsoft.com/windows-hardware/drivers/network/oid-receive-filter-allocate-queue>
//! and its siblings), BytesNeeded/Read/Written consistent, and a clean
//! halt. <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>
//!
//! `VMQNIC_FUZZ_CASES=n` runs more cases (default: CI budget); a failing case prints its bytes,
//! which become a test in `tests/oid_regressions.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "oid_fuzz/engine.rs"]
mod engine;

/// Cases run by default (well under a minute in debug on 2 cores).
const DEFAULT_CASES: u64 = 2000;
/// Steps per case at most.
const MAX_STEPS: usize = 40;
/// Fixed seed: the run is the same on every machine.
const SEED: u64 = 0x766D_716E_6963_0005;

/// splitmix64: a tiny deterministic generator (no dependency).
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn program(state: &mut u64) -> Vec<u8> {
    let len = 8 + (next(state) % 600) as usize;
    let mut bytes: Vec<u8> = (0..len).map(|_| next(state) as u8).collect();
    // Bias: a third of the cases keep their mutation bytes low, so requests stay mostly valid
    // and the deep paths (completion, growth, filters, traffic, pended frees) are reached.
    if next(state).is_multiple_of(3) {
        for (i, b) in bytes.iter_mut().enumerate() {
            if i % 3 == 2 {
                *b &= 0x3F;
            }
        }
    }
    bytes
}

#[test]
fn oid_requests_from_random_programs_keep_every_rule() {
    let cases = std::env::var("VMQNIC_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_CASES);
    let only: Option<u64> = std::env::var("VMQNIC_FUZZ_CASE").ok().and_then(|v| v.parse().ok());
    let mut state = SEED;
    for case in 0..cases {
        let bytes = program(&mut state);
        if only.is_some_and(|c| c != case) {
            continue;
        }
        if let Err(failure) = engine::run_program(&bytes, MAX_STEPS) {
            panic!("case {case} failed: {failure}\nprogram bytes: {bytes:02x?}");
        }
    }
    engine::print_stats();
}

/// Every variant (keywords, held NBLs, injected failures) with the all-zero program: the
/// valid request of every action.
#[test]
fn valid_requests_of_every_action_in_every_variant() {
    for variant in 0..engine::Variant::COUNT {
        for action in 0..16u8 {
            let mut bytes = vec![variant, 0, 0];
            bytes.extend(std::iter::repeat_n([action, 0, 0, 0, 0, 0, 0, 0], 4).flatten());
            if let Err(failure) = engine::run_program(&bytes, MAX_STEPS) {
                panic!("variant {variant} action {action}: {failure}");
            }
        }
    }
}
