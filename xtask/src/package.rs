//! `cargo xtask package`, `pdb-check`, `inspect` and `run`: build, lay out `target/package/vmqnic/`, and run every check; see <https://learn.microsoft.com/windows-hardware/drivers/install/components-of-a-driver-package>.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::allowlist::Allowlist;
use crate::cross::{self, DRIVER_PACKAGE, Profile};
use crate::inf::{self, Inf, Stamp};
use crate::inspect::{self, Policy};
use crate::{Error, Result, layout, pdb_check, workspace};

/// Imports the finished driver must have (issue 3, "Done when").
pub const REQUIRED_IMPORTS: [(&str, &str); 6] = [
    ("ndis.sys", "NdisMRegisterMiniportDriver"),
    ("ndis.sys", "NdisMSetMiniportAttributes"),
    ("ndis.sys", "NdisAllocateSharedMemory"),
    ("ndis.sys", "NdisFreeSharedMemory"),
    ("ndis.sys", "NdisMOidRequestComplete"),
    ("ndis.sys", "NdisMIndicateStatusEx"),
];

/// NDIS structs every build of the driver must describe in its PDB: the ones it builds and
/// hands to NDIS, and the VMQ OID payloads (anchored as debug types in `src/kernel/cross.rs`).
pub const REQUIRED_LAYOUTS: [&str; 16] = [
    "NDIS_OBJECT_HEADER",
    "NDIS_MINIPORT_DRIVER_CHARACTERISTICS",
    "NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES",
    "NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES",
    "NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES",
    "NDIS_RECEIVE_FILTER_CAPABILITIES",
    "NDIS_OID_REQUEST",
    "NDIS_SHARED_MEMORY_PARAMETERS",
    "NDIS_STATUS_INDICATION",
    "NDIS_RECEIVE_QUEUE_STATE",
    "NDIS_RECEIVE_QUEUE_PARAMETERS",
    "NDIS_RECEIVE_QUEUE_FREE_PARAMETERS",
    "NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_PARAMETERS",
    "NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY",
    "NDIS_RECEIVE_FILTER_PARAMETERS",
    "NDIS_RECEIVE_FILTER_CLEAR_PARAMETERS",
];

/// The entry point of a WDM driver.
pub const ENTRY: &str = "DriverEntry";

/// Paths of one workspace.
#[derive(Debug, Clone)]
pub struct Paths {
    /// Workspace root.
    pub root: PathBuf,
    /// Cargo target directory.
    pub target: PathBuf,
}

impl Paths {
    /// The paths of the workspace xtask belongs to.
    pub fn discover() -> Self {
        let root = workspace::root();
        let target = workspace::target_dir(&root);
        Self { root, target }
    }

    /// `target/package/vmqnic`.
    pub fn package_dir(&self) -> PathBuf {
        self.target.join("package").join(DRIVER_PACKAGE)
    }

    fn inx(&self) -> PathBuf {
        self.root.join("inf").join(format!("{DRIVER_PACKAGE}.inx"))
    }

    fn allowlist(&self) -> PathBuf {
        self.root.join("crates").join("ndis-sys").join("imports.txt")
    }

    fn bindings_src(&self) -> PathBuf {
        self.root.join("crates").join("ndis-sys").join("src")
    }
}

/// Builds and checks the package. On Windows the WDK path (`cargo make`) builds, stamps and
/// signs it; everywhere else the cross build does and this function stamps the INF.
pub fn package(paths: &Paths, profile: Profile) -> Result<()> {
    let started = Instant::now();
    let (image, pdb) = if cfg!(windows) { wdk_build(paths, profile)? } else { cross_package(paths, profile)? };
    let failures = check_image(paths, &image, &pdb)?;
    let elapsed = started.elapsed().as_secs_f64();
    if !failures.is_empty() {
        return Err(Error(format!("{} check(s) failed:\n  {}", failures.len(), failures.join("\n  "))));
    }
    println!("xtask: package OK in {elapsed:.1} s: {}", paths.package_dir().display());
    Ok(())
}

/// Cross-builds the debug image and checks only the PDB layouts.
pub fn pdb_check_command(paths: &Paths, profile: Profile) -> Result<()> {
    let artifacts = cross::build(&paths.root, &paths.target, profile)?;
    let failures = check_layouts(paths, &artifacts.pdb)?;
    if !failures.is_empty() {
        return Err(Error(format!("{} layout check(s) failed:\n  {}", failures.len(), failures.join("\n  "))));
    }
    println!("xtask: PDB layouts OK: {}", artifacts.pdb.display());
    Ok(())
}

/// Inspects an existing image (and its PDB, if one lies beside it) without building.
pub fn inspect_command(paths: &Paths, image: &Path) -> Result<()> {
    let failures = check_image(paths, image, &image.with_extension("pdb"))?;
    if !failures.is_empty() {
        return Err(Error(format!("{} check(s) failed:\n  {}", failures.len(), failures.join("\n  "))));
    }
    Ok(())
}

/// The Linux path: cross build, then `vmqnic.sys`, `vmqnic.pdb` and the stamped `vmqnic.inf`.
fn cross_package(paths: &Paths, profile: Profile) -> Result<(PathBuf, PathBuf)> {
    let artifacts = cross::build(&paths.root, &paths.target, profile)?;
    let out = paths.package_dir();
    if out.exists() {
        fs::remove_dir_all(&out)?;
    }
    fs::create_dir_all(&out)?;
    let image = out.join(format!("{DRIVER_PACKAGE}.sys"));
    let pdb = out.join(format!("{DRIVER_PACKAGE}.pdb"));
    fs::copy(&artifacts.image, &image)?;
    fs::copy(&artifacts.pdb, &pdb)?;

    let (date, source) = workspace::build_date(&paths.root)?;
    let stamp = Stamp {
        date,
        version: workspace::driver_version(&paths.root)?,
        catalog: format!("{DRIVER_PACKAGE}.cat"),
        arch: "amd64".into(),
    };
    let inx = fs::read_to_string(paths.inx())?;
    let stamped = inf::stamp(&inx, &stamp).map_err(Error)?;
    Inf::parse(&stamped).map_err(|error| Error(format!("stamped INF does not parse: {error}")))?;
    fs::write(out.join(format!("{DRIVER_PACKAGE}.inf")), stamped)?;
    println!(
        "xtask: stamped {DRIVER_PACKAGE}.inf: DriverVer = {} (date from {source:?}), CatalogFile = {}",
        stamp.driver_ver(),
        stamp.catalog
    );
    Ok((image, pdb))
}

/// The Windows path (not exercised here): `cargo make` runs wdk-build's flow (build,
/// `.dll` to `.sys`, stampinf, inf2cat, test signing, infverif) into `<profile>/vmqnic_package`.
fn wdk_build(paths: &Paths, profile: Profile) -> Result<(PathBuf, PathBuf)> {
    let mut command = Command::new("cargo");
    command.current_dir(&paths.root).args(["make", "default"]);
    if profile == Profile::Release {
        command.arg("--release");
    }
    println!("xtask: WDK build: {command:?}");
    let status = command.status().map_err(|error| Error(format!("cannot run cargo make: {error}")))?;
    if !status.success() {
        return Err(Error(format!("cargo make failed ({status})")));
    }
    let out = paths.target.join(profile.dir_name()).join(format!("{DRIVER_PACKAGE}_package"));
    Ok((out.join(format!("{DRIVER_PACKAGE}.sys")), out.join(format!("{DRIVER_PACKAGE}.pdb"))))
}

/// Inspects the image and its PDB; prints both reports and returns the failures.
fn check_image(paths: &Paths, image: &Path, pdb: &Path) -> Result<Vec<String>> {
    let bytes = fs::read(image).map_err(|error| Error(format!("{}: {error}", image.display())))?;
    let report = inspect::inspect(&bytes)?;
    println!("xtask: {}", image.display());
    print!("{report}");
    let allowlist_path = paths.allowlist();
    let allowlist_text =
        fs::read_to_string(&allowlist_path).map_err(|error| Error(format!("{}: {error}", allowlist_path.display())))?;
    let allowlist = Allowlist::parse(&allowlist_text)?;
    let policy = Policy { allowlist: &allowlist, required_imports: &REQUIRED_IMPORTS, entry: ENTRY };
    let mut failures: Vec<String> = inspect::check(&report, &policy).iter().map(ToString::to_string).collect();
    if pdb.is_file() {
        failures.extend(pdb_check::matches_image(pdb, report.codeview.as_ref())?);
        failures.extend(check_layouts(paths, pdb)?);
    } else {
        failures.push(format!("no PDB beside the image ({})", pdb.display()));
    }
    Ok(failures)
}

/// Compares the PDB's struct layouts with ndis-sys's assertions; prints the table.
fn check_layouts(paths: &Paths, pdb: &Path) -> Result<Vec<String>> {
    let expected = layout::read_dir(&paths.bindings_src())?;
    let types = pdb_check::read_pdb(pdb)?;
    let report = pdb_check::compare(&expected, &types, &REQUIRED_LAYOUTS);
    println!("PDB layouts ({}) against ndis-sys's assert_layout!:", pdb.display());
    println!("{report}");
    Ok(report.failures())
}

/// `cargo xtask run`: the package (release), then the simulated Hyper-V VMQ lifecycle
/// (`vmqsim`, a host build) with `args`. Fails if either fails.
pub fn run(paths: &Paths, args: &[String]) -> Result<()> {
    package(paths, Profile::Release)?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(&paths.root).args(["run", "--release", "--package", "vmqsim", "--"]).args(args);
    println!("xtask: simulator: {command:?}");
    let status = command.status().map_err(|error| Error(format!("cannot run cargo: {error}")))?;
    if !status.success() {
        return Err(Error(format!("vmqsim failed ({status})")));
    }
    Ok(())
}

/// `cargo xtask bench [-- args]`: the package (for the emulated figure), then the receive-path
/// benchmark (`vmqbench`, release) with the packaged image.
///
/// # Errors
/// When the package, cargo or the benchmark fails.
pub fn bench(paths: &Paths, args: &[String]) -> Result<()> {
    // The package's inspection report goes to stderr: stdout is the benchmark's (JSON) report.
    let xtask = std::env::current_exe()?;
    let status = Command::new(xtask)
        .current_dir(&paths.root)
        .arg("package")
        .stdout(std::process::Stdio::from(std::io::stderr()))
        .status()
        .map_err(|error| Error(format!("cannot run xtask package: {error}")))?;
    if !status.success() {
        return Err(Error(format!("xtask package failed ({status})")));
    }
    let image = paths.package_dir().join(format!("{DRIVER_PACKAGE}.sys"));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(&paths.root)
        .args(["run", "--quiet", "--release", "--package", "vmqsim", "--bin", "vmqbench", "--"])
        .arg("--sys")
        .arg(&image)
        .args(args);
    let status = command.status().map_err(|error| Error(format!("cannot run cargo: {error}")))?;
    if !status.success() {
        return Err(Error(format!("vmqbench failed ({status})")));
    }
    Ok(())
}
