//! What the README's commands need on a fresh machine, checked and (where allowed) installed
//! before anything is built: the Windows target of the pinned toolchain, pip (the emulator links
//! unicorn's static library from PyPI's wheel, see `crates/unicorn-engine-sys`), and QEMU with the
//! Intel 82576 (igb) device model for the hardware tests.
//!
//! rustup installs the targets of `rust-toolchain.toml` only when it installs the toolchain
//! itself; a machine whose matching toolchain already exists lacks them, so the target is added
//! here. System packages are installed with `apt-get` when running as root on Debian or Ubuntu,
//! saying what is installed and why; anywhere else the command stops with the exact command to
//! run. `VMQNIC_NO_INSTALL=1` turns every install into that message (nothing is changed).

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::{Error, Result};

/// The Windows target the driver image is built for.
pub const WINDOWS_TARGET: &str = "x86_64-pc-windows-msvc";

/// The oldest QEMU whose `qemu-system-x86_64` has the `igb` device.
pub const QEMU_MIN_MAJOR: u32 = 8;

/// What a command needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    /// The cross build of `vmqnic.sys`.
    pub windows_target: bool,
    /// Anything that links `crates/sys-emu` (vmqsim, the workspace tests): python3 with pip.
    pub emulator: bool,
    /// The QEMU-backed hardware tests.
    pub qemu: bool,
}

impl Needs {
    /// `cargo xtask run`: package + vmqsim (which links the emulator).
    pub const RUN: Self = Self { windows_target: true, emulator: true, qemu: false };
    /// `cargo xtask test`: everything.
    pub const TEST: Self = Self { windows_target: true, emulator: true, qemu: true };
}

/// Checks what `needs` asks for and installs what is missing (or fails with the command to run).
///
/// # Errors
/// When something is missing and cannot be installed here, or an install fails.
pub fn ensure(root: &Path, needs: Needs) -> Result<()> {
    if needs.windows_target {
        ensure_windows_target(root)?;
    }
    let mut packages: Vec<(&str, &str)> = Vec::new();
    if needs.emulator && !has_command("python3", &["-m", "pip", "--version"]) {
        packages.push((
            "python3-pip",
            "the emulator links unicorn's static library from PyPI's unicorn wheel, fetched with pip at build time",
        ));
    }
    if !packages.is_empty() {
        apt_install(&packages, None)?;
    }
    if needs.qemu {
        ensure_qemu()?;
    }
    Ok(())
}

/// Adds the Windows target to the toolchain `rust-toolchain.toml` selects when its standard
/// library is missing.
fn ensure_windows_target(root: &Path) -> Result<()> {
    if windows_std_present(root) {
        return Ok(());
    }
    if std::env::var_os("VMQNIC_NO_INSTALL").is_some() {
        return Err(Error(format!(
            "the {WINDOWS_TARGET} standard library is missing: run `rustup target add {WINDOWS_TARGET}` in {}",
            root.display()
        )));
    }
    println!("xtask: setup: adding the {WINDOWS_TARGET} target to the pinned toolchain (rustup target add)");
    let status =
        Command::new("rustup").current_dir(root).args(["target", "add", WINDOWS_TARGET]).status().map_err(|error| {
            Error(format!("cannot run rustup ({error}): install rustup, then `rustup target add {WINDOWS_TARGET}`"))
        })?;
    if !status.success() || !windows_std_present(root) {
        return Err(Error(format!("`rustup target add {WINDOWS_TARGET}` failed ({status})")));
    }
    Ok(())
}

/// True when the active toolchain (the one `rust-toolchain.toml` selects in `root`) has `core`
/// for the Windows target.
fn windows_std_present(root: &Path) -> bool {
    let Ok(output) =
        Command::new("rustc").current_dir(root).args(["--print", "target-libdir", "--target", WINDOWS_TARGET]).output()
    else {
        return false;
    };
    let dir = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    output.status.success()
        && fs::read_dir(&dir).is_ok_and(|entries| {
            entries.flatten().any(|entry| entry.file_name().to_string_lossy().starts_with("libcore-"))
        })
}

/// True when `program args` runs and exits 0.
fn has_command(program: &str, args: &[&str]) -> bool {
    Command::new(program).args(args).output().is_ok_and(|output| output.status.success())
}

/// QEMU ≥ 8 with the igb device; on Debian 12 it comes from bookworm-backports.
fn ensure_qemu() -> Result<()> {
    if let Some(major) = qemu_major()
        && major >= QEMU_MIN_MAJOR
    {
        return Ok(());
    }
    let why = "the hardware tests drive QEMU's Intel 82576 (igb) model, which QEMU has since 8.0";
    let codename = os_release("VERSION_CODENAME");
    let suite = match codename.as_deref() {
        Some("bookworm") => {
            ensure_backports("bookworm")?;
            Some("bookworm-backports")
        }
        _ => None,
    };
    apt_install(&[("qemu-system-x86", why)], suite)?;
    match qemu_major() {
        Some(major) if major >= QEMU_MIN_MAJOR => Ok(()),
        found => Err(Error(format!(
            "qemu-system-x86_64 {} after the install; the hardware tests need QEMU {QEMU_MIN_MAJOR}.0 or later (device igb)",
            found.map_or_else(|| "is still missing".to_owned(), |m| format!("is version {m}")),
        ))),
    }
}

/// The major version `qemu-system-x86_64 --version` prints.
fn qemu_major() -> Option<u32> {
    let output = Command::new("qemu-system-x86_64").arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let version = text.split("version ").nth(1)?;
    version.split(['.', ' ']).next()?.parse().ok()
}

/// A field of `/etc/os-release`.
fn os_release(key: &str) -> Option<String> {
    let text = fs::read_to_string("/etc/os-release").ok()?;
    text.lines().find_map(|line| {
        let (k, v) = line.split_once('=')?;
        (k == key).then(|| v.trim_matches('"').to_owned())
    })
}

/// Where this command writes the `<codename>-backports` entry when no apt source names it.
const BACKPORTS_FILE: &str = "/etc/apt/sources.list.d/vmqnic-backports";

/// Makes sure apt knows `<codename>-backports`: an entry with the same URI and key as the
/// machine's own entry for `<codename>` (deb822 `.sources` or one-line `.list` style), written
/// only if no sources file names the suite yet.
fn ensure_backports(codename: &str) -> Result<()> {
    let suite = format!("{codename}-backports");
    let sources = apt_sources();
    if sources.iter().any(|(_, text)| text.split_whitespace().any(|word| word == suite)) {
        return Ok(());
    }
    let entry = sources.iter().find_map(|(path, text)| {
        if path.ends_with(".sources") {
            text.split("\n\n").find_map(|stanza| backports_stanza(stanza, codename)).map(|e| (".sources", e))
        } else {
            text.lines().find_map(|line| backports_line(line, codename)).map(|e| (".list", e))
        }
    });
    let Some((extension, entry)) = entry else {
        return Err(Error(format!(
            "QEMU with the igb device comes from {suite} on this Debian release, and no apt source for `{codename}` \
             was found to derive it from: add a {suite} entry to the apt sources, then run \
             `apt-get update && apt-get install -t {suite} --no-install-recommends qemu-system-x86`"
        )));
    };
    let file = format!("{BACKPORTS_FILE}{extension}");
    refuse_if_no_install(&format!("add {suite} to the apt sources ({file}):\n{entry}"))?;
    println!("xtask: setup: adding {suite} to apt's sources ({file}), from the existing `{codename}` entry");
    fs::write(file, entry)?;
    Ok(())
}

/// Every apt sources file (path, text).
fn apt_sources() -> Vec<(String, String)> {
    let mut files =
        vec![("/etc/apt/sources.list".to_owned(), fs::read_to_string("/etc/apt/sources.list").unwrap_or_default())];
    if let Ok(entries) = fs::read_dir("/etc/apt/sources.list.d") {
        for entry in entries.flatten() {
            let path = entry.path();
            let name = path.to_string_lossy().into_owned();
            if name.ends_with(".sources") || name.ends_with(".list") {
                files.push((name, fs::read_to_string(&path).unwrap_or_default()));
            }
        }
    }
    files
}

/// A deb822 stanza for `<codename>-backports` with the URI and key of `stanza`, if `stanza` is
/// an entry for `<codename>` itself.
pub fn backports_stanza(stanza: &str, codename: &str) -> Option<String> {
    let field = |name: &str| {
        stanza.lines().find_map(|line| line.strip_prefix(name).and_then(|rest| rest.strip_prefix(':')).map(str::trim))
    };
    let suites = field("Suites")?;
    if !suites.split_whitespace().any(|suite| suite == codename) {
        return None;
    }
    let uris = field("URIs")?;
    let mut entry = format!("Types: deb\nURIs: {uris}\nSuites: {codename}-backports\nComponents: main\n");
    if let Some(key) = field("Signed-By") {
        entry.push_str(&format!("Signed-By: {key}\n"));
    }
    Some(entry)
}

/// A one-line `deb [options] URI <codename>-backports main` for a `deb ... URI <codename> ...` line.
pub fn backports_line(line: &str, codename: &str) -> Option<String> {
    let rest = line.trim().strip_prefix("deb ")?.trim_start();
    let (options, rest) = match rest.strip_prefix('[') {
        Some(bracketed) => {
            let (options, rest) = bracketed.split_once(']')?;
            (format!("[{options}] "), rest)
        }
        None => (String::new(), rest),
    };
    let mut words = rest.split_whitespace();
    let uri = words.next()?;
    (words.next()? == codename).then(|| format!("deb {options}{uri} {codename}-backports main\n"))
}

/// Fails with `what` when installing is not allowed here.
fn refuse_if_no_install(what: &str) -> Result<()> {
    if std::env::var_os("VMQNIC_NO_INSTALL").is_some() {
        return Err(Error(format!("VMQNIC_NO_INSTALL is set; to continue, {what}")));
    }
    Ok(())
}

/// Installs Debian packages with apt-get (as root on Debian/Ubuntu), or fails with the command.
fn apt_install(packages: &[(&str, &str)], suite: Option<&str>) -> Result<()> {
    let names: Vec<&str> = packages.iter().map(|(name, _)| *name).collect();
    let target = suite.map(|suite| format!("-t {suite} ")).unwrap_or_default();
    let command = format!("apt-get update && apt-get install -y {target}--no-install-recommends {}", names.join(" "));
    let reasons: Vec<String> = packages.iter().map(|(name, why)| format!("{name}: {why}")).collect();
    let is_root = Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let has_apt = has_command("apt-get", &["--version"]);
    if !is_root || !has_apt {
        return Err(Error(format!(
            "missing system packages ({}); run as root on Debian/Ubuntu:\n  {command}\n(or `sudo sh -c '{command}'`)",
            reasons.join("; ")
        )));
    }
    refuse_if_no_install(&format!("install the missing system packages ({}):\n  {command}", reasons.join("; ")))?;
    println!("xtask: setup: installing {} ({})", names.join(" "), reasons.join("; "));
    run_apt(&["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    if let Some(suite) = suite {
        args.extend(["-t", suite]);
    }
    args.extend(names.iter().copied());
    run_apt(&args)
}

fn run_apt(args: &[&str]) -> Result<()> {
    let status = Command::new("apt-get")
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .map_err(|error| Error(format!("cannot run apt-get: {error}")))?;
    if !status.success() {
        return Err(Error(format!("apt-get {} failed ({status})", args.join(" "))));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{backports_line, backports_stanza};

    const DEBIAN: &str = "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\n\
                          Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg";

    #[test]
    fn backports_entry_copies_uri_and_key_of_the_release_entry() -> Result<(), String> {
        let entry = backports_stanza(DEBIAN, "bookworm").ok_or("no entry derived from the bookworm stanza")?;
        assert!(entry.contains("URIs: http://mirror.example/debian\n"), "{entry}");
        assert!(entry.contains("Suites: bookworm-backports\n"), "{entry}");
        assert!(entry.contains("Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"), "{entry}");
        Ok(())
    }

    #[test]
    fn no_backports_entry_from_another_release_or_the_security_suite() {
        assert_eq!(backports_stanza(DEBIAN, "trixie"), None);
        let security = DEBIAN.replace("bookworm bookworm-updates", "bookworm-security");
        assert_eq!(backports_stanza(&security, "bookworm"), None);
    }

    #[test]
    fn backports_line_from_a_one_line_source() {
        let line = "deb [signed-by=/k.gpg] http://mirror.example/debian bookworm main contrib";
        assert_eq!(
            backports_line(line, "bookworm").as_deref(),
            Some("deb [signed-by=/k.gpg] http://mirror.example/debian bookworm-backports main\n")
        );
        assert_eq!(
            backports_line("deb http://mirror.example/debian bookworm main", "bookworm").as_deref(),
            Some("deb http://mirror.example/debian bookworm-backports main\n")
        );
        assert_eq!(
            backports_line("deb http://mirror.example/debian-security bookworm-security main", "bookworm"),
            None
        );
        assert_eq!(backports_line("# deb http://mirror.example/debian bookworm main", "bookworm"), None);
    }
}
