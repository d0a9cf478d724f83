//! Finding `qemu-system-x86_64`: on PATH (or `VMQNIC_QEMU`), version >= 8.0, with the `igb` device.

use std::env;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use super::error::QemuError;

/// The environment variable that names a QEMU binary to use instead of the one on PATH.
pub const QEMU_ENV: &str = "VMQNIC_QEMU";

const BINARY: &str = "qemu-system-x86_64";

/// A usable QEMU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QemuBinary {
    /// Its path.
    pub path: PathBuf,
    /// `(major, minor, micro)` from `--version`.
    pub version: (u32, u32, u32),
    /// Whether `-run-with exit-with-parent=on` exists (listed by `-h`; not in Debian's 10.0).
    pub exit_with_parent: bool,
}

fn executable(path: &Path) -> bool {
    path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn on_path() -> Option<PathBuf> {
    if let Some(given) = env::var_os(QEMU_ENV) {
        return Some(PathBuf::from(given));
    }
    env::split_paths(&env::var_os("PATH")?).map(|dir| dir.join(BINARY)).find(|p| executable(p))
}

/// Parses `QEMU emulator version 10.0.2 (Debian ...)` into `(10, 0, 2)`.
pub fn parse_version(text: &str) -> Option<(u32, u32, u32)> {
    let rest = text.split("version ").nth(1)?;
    let number = rest.split(|c: char| !(c.is_ascii_digit() || c == '.')).next()?;
    let mut parts = number.split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next().flatten().unwrap_or(0), parts.next().flatten().unwrap_or(0)))
}

fn output(path: &Path, args: &[&str]) -> Result<String, QemuError> {
    let out = Command::new(path)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(QemuError::io("run qemu-system-x86_64"))?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn probe() -> Result<QemuBinary, QemuError> {
    let path = on_path().ok_or(QemuError::NotInstalled)?;
    if !executable(&path) {
        return Err(QemuError::NotInstalled);
    }
    let text = output(&path, &["--version"])?;
    let first = text.lines().next().unwrap_or_default().to_owned();
    let version = parse_version(&text).ok_or_else(|| QemuError::Unsuitable { found: first.clone() })?;
    if version < (8, 0, 0) {
        return Err(QemuError::Unsuitable { found: first });
    }
    if !output(&path, &["-device", "help"])?.contains("name \"igb\"") {
        return Err(QemuError::Unsuitable { found: format!("{first}, no igb device") });
    }
    let exit_with_parent = output(&path, &["-h"])?.contains("exit-with-parent");
    Ok(QemuBinary { path, version, exit_with_parent })
}

/// The QEMU to use, probed once per process. Tests that need QEMU fail with this error (which
/// names the Debian package) rather than skip.
pub fn find_qemu() -> Result<QemuBinary, QemuError> {
    static FOUND: OnceLock<Result<QemuBinary, String>> = OnceLock::new();
    match FOUND.get_or_init(|| probe().map_err(|e| e.to_string())) {
        Ok(found) => Ok(found.clone()),
        Err(_) => probe(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_from_the_banner() {
        assert_eq!(
            parse_version("QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)\nCopyright"),
            Some((10, 0, 2))
        );
        assert_eq!(parse_version("QEMU emulator version 7.2.15"), Some((7, 2, 15)));
        assert_eq!(parse_version("QEMU emulator version 8.1"), Some((8, 1, 0)));
        assert_eq!(parse_version("something else"), None);
    }

    #[test]
    fn a_missing_qemu_names_the_package() {
        let text = QemuError::NotInstalled.to_string();
        assert!(text.contains("apt-get install -t bookworm-backports qemu-system-x86"), "{text}");
    }
}
