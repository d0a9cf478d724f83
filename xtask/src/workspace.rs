//! Where things are in the workspace, the driver's version, and the reproducible build date for DriverVer.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::inf::Date;
use crate::{Error, Result};

/// The workspace root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().map_or(manifest_dir.clone(), Path::to_path_buf)
}

/// Cargo's target directory: `CARGO_TARGET_DIR` if set, else `<root>/target`.
pub fn target_dir(root: &Path) -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

/// The `version` of the root `[package]` (the driver crate) as `[major, minor, patch, 0]`.
pub fn driver_version(root: &Path) -> Result<[u16; 4]> {
    let manifest = fs::read_to_string(root.join("Cargo.toml"))?;
    let version =
        package_version(&manifest).ok_or_else(|| Error::msg("no version in the root [package] of Cargo.toml"))?;
    parse_version(version)
        .ok_or_else(|| Error(format!("version `{version}` is not major.minor.patch with parts below 65536")))
}

/// The `version = "..."` of the `[package]` table of a manifest.
fn package_version(manifest: &str) -> Option<&str> {
    let mut in_package = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
            continue;
        }
        if !in_package {
            continue;
        }
        if let Some((key, value)) = line.split_once('=')
            && key.trim() == "version"
        {
            return Some(value.trim().trim_matches('"'));
        }
    }
    None
}

/// `1.2.3` (pre-release and build metadata dropped) to `[1, 2, 3, 0]`.
fn parse_version(version: &str) -> Option<[u16; 4]> {
    let core = version.split(['-', '+']).next()?;
    let mut parts = core.split('.').map(|part| part.parse::<u16>().ok());
    let version = [parts.next()??, parts.next()??, parts.next()??, 0];
    parts.next().is_none().then_some(version)
}

/// How the DriverVer date was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateSource {
    /// `SOURCE_DATE_EPOCH`.
    SourceDateEpoch,
    /// The committer date of `HEAD`.
    GitHead,
    /// The system clock (no epoch variable and no commit).
    Clock,
}

/// The DriverVer date: `SOURCE_DATE_EPOCH`, else the `HEAD` commit date, else today.
pub fn build_date(root: &Path) -> Result<(Date, DateSource)> {
    if let Ok(value) = env::var("SOURCE_DATE_EPOCH") {
        let seconds =
            value.trim().parse::<i64>().map_err(|_| Error(format!("SOURCE_DATE_EPOCH `{value}` is not an integer")))?;
        return Ok((Date::from_unix_seconds(seconds), DateSource::SourceDateEpoch));
    }
    let git = Command::new("git").args(["log", "-1", "--format=%ct"]).current_dir(root).output();
    if let Ok(output) = git
        && output.status.success()
        && let Ok(seconds) = String::from_utf8_lossy(&output.stdout).trim().parse::<i64>()
    {
        return Ok((Date::from_unix_seconds(seconds), DateSource::GitHead));
    }
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_err(|error| Error(error.to_string()))?;
    // CAST: seconds since 1970 fit an i64 for the next 292 billion years.
    Ok((Date::from_unix_seconds(now.as_secs() as i64), DateSource::Clock))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_package_version_only() {
        let manifest = "[workspace]\nversion = \"9.9.9\"\n[package]\nname = \"vmqnic\"\nversion = \"0.3.1\"\n[dependencies]\nversion = \"1\"\n";
        assert_eq!(package_version(manifest), Some("0.3.1"));
        assert_eq!(parse_version("0.3.1"), Some([0, 3, 1, 0]));
        assert_eq!(parse_version("1.2.3-rc.1"), Some([1, 2, 3, 0]));
        assert_eq!(parse_version("1.2"), None);
        assert_eq!(parse_version("70000.0.0"), None);
    }
}
