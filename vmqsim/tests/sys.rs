//! The real cross-built `vmqnic.sys`, run under the x86-64 emulator, goes through the
//! same vSwitch lifecycle as the driver's Rust source linked into the host runner, with the
//! same verdicts and the same counts for the same seed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "../../crates/sys-emu/tests/common/package.rs"]
mod package;

use package::packaged_image;
use vmqsim::{Options, json_report, run};

/// The report without the two keys that name the driver build.
fn comparable(options: &Options) -> (String, bool, Option<u64>) {
    let outcome = run(options);
    let clean = outcome.is_clean();
    let emulated = outcome.emulation;
    let mut json = json_report(&outcome);
    if let vmqsim::json::Json::Object(pairs) = &mut json {
        pairs.retain(|(key, _)| key != "driver" && key != "emulated_instructions");
    }
    (json.render(), clean, emulated)
}

#[test]
fn the_emulated_image_matches_the_host_run() {
    let image = packaged_image().expect("vmqnic.sys");
    let sys = Options { sys: Some(image.display().to_string()), queues: 8, frames: 2000, ..Options::default() };
    let host = Options { sys: None, ..sys.clone() };
    let (emulated, emulated_clean, instructions) = comparable(&sys);
    let (native, native_clean, _) = comparable(&host);
    assert!(emulated_clean && native_clean);
    assert!(instructions.is_some_and(|n| n > 100_000), "the image really ran: {instructions:?}");
    assert_eq!(emulated, native);
}

#[test]
fn fault_injection_works_on_the_emulated_image() {
    let image = packaged_image().expect("vmqnic.sys");
    for k in [1, 6, 21, 36] {
        let sys =
            Options { sys: Some(image.display().to_string()), fail_alloc: Some(k), frames: 200, ..Options::default() };
        let host = Options { sys: None, ..sys.clone() };
        let (emulated, clean, _) = comparable(&sys);
        assert!(clean, "k={k}");
        assert_eq!(emulated, comparable(&host).0, "k={k}");
    }
}

#[test]
fn a_missing_image_is_reported_not_crashed_on() {
    let outcome = run(&Options { sys: Some("/nonexistent/vmqnic.sys".into()), ..Options::default() });
    assert!(!outcome.is_clean());
    assert!(outcome.violations.iter().any(|v| v.contains("cannot load")), "{:?}", outcome.violations);
}
