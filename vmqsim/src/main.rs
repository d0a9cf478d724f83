//! `vmqsim` command line: run the lifecycle (or the fault sweep, or the stress), print the
//! report, exit 0 only without violations or leaks.

#![forbid(unsafe_code)]

use std::io::{ErrorKind, Write};
use std::process::ExitCode;

use vmqsim::{Options, json_report, run, stress, sweep, text_report};

fn main() -> ExitCode {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let clean = if options.fail_alloc_all {
        let frames = if options.frames == 0 { sweep::DEFAULT_FRAMES } else { options.frames };
        let result = sweep::sweep_with(options.queues, frames, options.seed, options.nic);
        if options.json {
            emit(&format!("{}\n", result.json().render()));
        } else {
            emit(&result.text());
        }
        result.is_clean()
    } else if options.stress {
        let result = stress::stress_with(options.seed, options.seeds, options.steps, options.nic);
        if options.json {
            emit(&format!("{}\n", result.json().render()));
        } else {
            emit(&result.text());
        }
        for failed in &result.failed_seeds {
            eprintln!(
                "stress: seed {} failed; reproduce with: vmqsim --stress --nic {} --seeds 1 --seed {} --steps {}",
                failed.seed,
                options.nic.name(),
                failed.seed,
                options.steps
            );
        }
        result.is_clean()
    } else {
        let outcome = run(&options);
        if let Some(cap) = outcome.queues_capped_at {
            eprintln!("vmqsim: --queues {} capped at {cap}: the adapter advertises {cap} VM queues", options.queues);
        }
        if options.json {
            emit(&format!("{}\n", json_report(&outcome).render()));
        } else {
            emit(&text_report(&outcome));
        }
        outcome.is_clean()
    };
    if clean { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// Writes the report to stdout. A reader that has gone away (`vmqsim ... | head`) is a normal
/// end of output, not a crash: `print!` would panic on the broken pipe, and the release build
/// aborts on panic.
fn emit(text: &str) {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(error) if error.kind() != ErrorKind::BrokenPipe => eprintln!("vmqsim: cannot write the report: {error}"),
        _ => {}
    }
}
