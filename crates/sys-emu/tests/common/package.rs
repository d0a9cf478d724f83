//! Test support: finding (and if needed building) the packaged `vmqnic.sys`. Shared by the
//! emulator's tests and vmqsim's (`#[path]`), so it finds the workspace from either crate.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

static BUILD: Mutex<()> = Mutex::new(());

/// The repository root: the nearest ancestor of the including crate that holds `Cargo.lock`.
#[must_use]
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors().find(|dir| dir.join("Cargo.lock").is_file()).unwrap_or(here).to_path_buf()
}

/// The newest modification time of the files the image is built from.
fn newest_source(root: &Path) -> Option<std::time::SystemTime> {
    fn walk(dir: &Path, newest: &mut Option<std::time::SystemTime>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, newest);
            } else if let Ok(modified) = entry.metadata().and_then(|m| m.modified()) {
                *newest = (*newest).max(Some(modified));
            }
        }
    }
    let mut newest = None;
    for dir in ["src", "crates/ndis-sys/src", "inf"] {
        walk(&root.join(dir), &mut newest);
    }
    newest
}

/// The packaged image: `$VMQNIC_SYS`, or `target/package/vmqnic/vmqnic.sys`, (re)built with
/// `cargo xtask package` when missing or older than the driver's sources (once per process).
///
/// # Errors
/// A message when the image is missing and `cargo xtask package` cannot build it.
pub fn packaged_image() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("VMQNIC_SYS") {
        return Ok(PathBuf::from(path));
    }
    let root = workspace_root();
    let path = root.join("target/package/vmqnic/vmqnic.sys");
    let _guard = BUILD.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let built = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
    if built.is_some() && built >= newest_source(&root) {
        return Ok(path);
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("sys-emu: {} missing or stale; running `cargo xtask package`", path.display());
    match Command::new(cargo).args(["xtask", "package"]).current_dir(&root).status() {
        Ok(s) if s.success() && path.exists() => Ok(path),
        Ok(s) => Err(format!("`cargo xtask package` failed ({s})")),
        Err(e) => Err(format!("cannot run cargo to build the image: {e}")),
    }
}
