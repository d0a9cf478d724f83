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
