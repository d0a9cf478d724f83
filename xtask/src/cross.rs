//! The Linux cross build of `vmqnic.sys`: the one place that sets `--cfg vmqnic_cross`, with rust-lld as an `lld-link` linker; see <https://doc.rust-lang.org/cargo/reference/config.html#targettriplerustflags>.
//!
//! The cfg reaches cargo only through the environment of the child `cargo build`, so a
//! plain `cargo build` never sees it and a Windows build with the WDK (`cargo make`) keeps
//! the wdk-* crates. `build.rs` reads the cfg back (`CARGO_CFG_VMQNIC_CROSS`) and emits the
//! WDM link arguments.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Error, Result};

/// The Windows kernel target.
pub const TARGET: &str = "x86_64-pc-windows-msvc";

/// The driver package (the root crate).
pub const DRIVER_PACKAGE: &str = "vmqnic";

/// Which cargo profile to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// `--release`: LTO, `opt-level = 3`, full debug info in the PDB.
    Release,
    /// The dev profile.
    Debug,
}

impl Profile {
    /// The directory cargo writes this profile to.
    pub fn dir_name(self) -> &'static str {
        match self {
            Self::Release => "release",
            Self::Debug => "debug",
        }
    }
}

/// What the cross build produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossArtifacts {
    /// The linked image (cargo names a cdylib `vmqnic.dll`).
    pub image: PathBuf,
    /// The PDB rust-lld wrote beside it.
    pub pdb: PathBuf,
}

/// The rustflags for the target: the cfg, the static CRT wdk-build insists on, and the
/// lld-link flavour. Anything in `RUSTFLAGS` (e.g. CI's `-D warnings`) is kept too, because
/// cargo would otherwise let `RUSTFLAGS` replace the target's flags entirely.
pub fn target_rustflags(extra: Option<&str>) -> String {
    let mut flags =
        String::from("--cfg vmqnic_cross -C panic=abort -C target-feature=+crt-static -C linker-flavor=lld-link");
    if let Some(extra) = extra.map(str::trim).filter(|extra| !extra.is_empty()) {
        flags.push(' ');
        flags.push_str(extra);
    }
    flags
}

/// The command that cross-builds the driver library for `profile` in `root`.
pub fn command(root: &Path, profile: Profile) -> Command {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(root).args(["build", "--target", TARGET, "--package", DRIVER_PACKAGE, "--lib"]);
    if profile == Profile::Release {
        command.arg("--release");
    }
    let inherited = env::var("RUSTFLAGS").ok();
    command
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env("CARGO_TARGET_X86_64_PC_WINDOWS_MSVC_RUSTFLAGS", target_rustflags(inherited.as_deref()))
        .env("CARGO_TARGET_X86_64_PC_WINDOWS_MSVC_LINKER", "rust-lld")
        // A release PDB with types: what a symbol server needs, and what the layout check reads.
        .env("CARGO_PROFILE_RELEASE_DEBUG", "full");
    command
}

/// Runs the cross build and returns the image and PDB paths.
pub fn build(root: &Path, target_dir: &Path, profile: Profile) -> Result<CrossArtifacts> {
    let mut command = command(root, profile);
    println!("xtask: cross build: {command:?}");
    let status = command.status().map_err(|error| Error(format!("cannot run cargo: {error}")))?;
    if !status.success() {
        return Err(Error(format!("the cross build of {DRIVER_PACKAGE} failed ({status})")));
    }
    let out = target_dir.join(TARGET).join(profile.dir_name());
    let artifacts = CrossArtifacts {
        image: out.join(format!("{DRIVER_PACKAGE}.dll")),
        pdb: out.join(format!("{DRIVER_PACKAGE}.pdb")),
    };
    for path in [&artifacts.image, &artifacts.pdb] {
        if !path.is_file() {
            return Err(Error(format!("the cross build did not produce {}", path.display())));
        }
    }
    Ok(artifacts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rustflags_carry_the_cfg_and_keep_inherited_flags() {
        assert_eq!(
            target_rustflags(None),
            "--cfg vmqnic_cross -C panic=abort -C target-feature=+crt-static -C linker-flavor=lld-link"
        );
        assert!(target_rustflags(Some(" -D warnings ")).ends_with("lld-link -D warnings"));
        assert!(!target_rustflags(Some("  ")).ends_with(' '));
    }

    #[test]
    fn command_targets_the_driver_library() {
        let command = command(Path::new("/w"), Profile::Release);
        let args: Vec<_> = command.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        assert_eq!(args, ["build", "--target", TARGET, "--package", "vmqnic", "--lib", "--release"]);
        let linker =
            command.get_envs().find(|(k, _)| *k == "CARGO_TARGET_X86_64_PC_WINDOWS_MSVC_LINKER").and_then(|(_, v)| v);
        assert_eq!(linker.map(|v| v.to_string_lossy().into_owned()).as_deref(), Some("rust-lld"));
    }
}
