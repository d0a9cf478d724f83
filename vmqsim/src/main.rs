//! `vmqsim` command line: run the lifecycle, print the report, exit 0 only without violations.

use std::process::ExitCode;

use vmqsim::{Options, json_report, run, text_report};

fn main() -> ExitCode {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let outcome = run(&options);
    if options.json {
        println!("{}", json_report(&outcome).render());
    } else {
        print!("{}", text_report(&outcome));
    }
    if outcome.is_clean() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
