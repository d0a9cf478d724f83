//! The command line as a user meets it: a report piped into a reader that stops early.

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

/// `vmqsim ... | head -c 0`: the reader closes the pipe before the report is written. Writing
/// to a closed pipe is the normal end of a pipeline, not a crash (before, `println!` panicked on
/// EPIPE and the release build aborted with SIGABRT).
#[test]
fn closed_stdout_is_a_normal_end() -> Result<(), String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vmqsim"))
        .args(["--queues", "16", "--frames", "20000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    // Close the read end at once: the report (written after the run) meets a broken pipe.
    drop(child.stdout.take());
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.signal(), None, "killed by a signal; stderr: {stderr}");
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
    Ok(())
}

/// `--queues` above what the adapter advertises (NumQueues of its receive-filter capabilities)
/// allocates only the advertised number, and says so on stderr and in the report.
#[test]
fn queues_beyond_the_advertised_number_are_capped_and_reported() -> Result<(), String> {
    let run = |queues: &str| {
        Command::new(env!("CARGO_BIN_EXE_vmqsim"))
            .args(["--queues", queues, "--json"])
            .output()
            .map_err(|e| e.to_string())
    };
    let capped = run("1000")?;
    let (stdout, stderr) = (String::from_utf8_lossy(&capped.stdout), String::from_utf8_lossy(&capped.stderr));
    assert_eq!(capped.status.code(), Some(0), "stderr: {stderr}");
    assert!(stderr.contains("--queues 1000 capped at 256"), "stderr: {stderr}");
    assert!(stdout.contains("\"queues_requested\":1000,\"queues_capped_at\":256"), "{stdout}");
    assert!(stdout.contains("\"queues_allocated\":256,"), "{stdout}");
    let plain = run("8")?;
    let (stdout, stderr) = (String::from_utf8_lossy(&plain.stdout), String::from_utf8_lossy(&plain.stderr));
    assert!(stdout.contains("\"queues_capped_at\":null"), "{stdout}");
    assert!(!stderr.contains("capped"), "stderr: {stderr}");
    Ok(())
}
