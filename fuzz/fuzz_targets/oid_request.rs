//! libFuzzer target: arbitrary bytes → OID requests into the real `MiniportOidRequest`
//! through ndis-sim, with the oracle of `tests/oid_fuzz/engine.rs` (shared source).
//!
//! One long-lived host per process: the driver stays loaded and one adapter (with queues in
//! every state) serves many inputs; it is halted, checked for leaks and re-created every
//! `RECYCLE_EVERY` inputs, when it is surprise-removed, or after too many steps.
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>
#![no_main]

use std::cell::RefCell;
use std::mem::ManuallyDrop;

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/oid_fuzz/engine.rs"]
mod engine;

/// Inputs served by one adapter before it is halted, checked and re-created
/// (`VMQNIC_FUZZ_RECYCLE`, default 256).
fn recycle_every() -> u64 {
    env_number("VMQNIC_FUZZ_RECYCLE", 256)
}

/// Steps one input may run (`VMQNIC_FUZZ_STEPS`, default 64; 1 makes every execution a single
/// request on a long-lived adapter: many more executions per second, shallower programs).
fn max_steps() -> usize {
    usize::try_from(env_number("VMQNIC_FUZZ_STEPS", 64)).unwrap_or(64).max(1)
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct State {
    session: engine::Session,
    inputs: u64,
    generation: u8,
}

thread_local! {
    // Never dropped: at process exit ndis-sim's own thread-locals may already be gone.
    static STATE: ManuallyDrop<RefCell<Option<State>>> = const { ManuallyDrop::new(RefCell::new(None)) };
}

fn fail(what: &str, data: &[u8]) -> ! {
    // Retire the long-lived host without its drop checks, then replay the input alone on a
    // fresh session: that tells whether it reproduces without the state before it.
    STATE.with(|cell| std::mem::forget(cell.borrow_mut().take()));
    let standalone = std::panic::catch_unwind(|| engine::run_program(data, max_steps()));
    panic!("oid_request: {what}\nstandalone replay on a fresh session: {standalone:?}");
}

fuzz_target!(|data: &[u8]| {
    STATE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let session = engine::Session::new(engine::Variant(0), 7).unwrap_or_else(|e| panic!("setup: {e}"));
            *slot = Some(State { session, inputs: 0, generation: 0 });
        }
        let Some(state) = slot.as_mut() else { return };
        let mut input = engine::Bytes::new(data);
        for _ in 0..max_steps() {
            if input.is_empty() {
                break;
            }
            if let Err(e) = state.session.step(&mut input) {
                drop(slot);
                fail(&e, data);
            }
        }
        state.inputs += 1;
        if state.inputs % recycle_every() == 0 || state.session.worn || state.session.steps > 20_000 {
            // Halt and unload with the leak checks, then a new host of the next variant.
            let generation = state.generation.wrapping_add(1);
            let variant = engine::Variant(generation % engine::Variant::COUNT);
            let seed = u64::from(generation);
            let Some(old) = slot.take() else { return };
            if let Err(e) = old.session.finish() {
                drop(slot);
                fail(&format!("halt/unload: {e}"), data);
            }
            let session = engine::Session::new(variant, seed).unwrap_or_else(|e| panic!("setup: {e}"));
            *slot = Some(State { session, inputs: old.inputs, generation });
        }
    });
});
