//! Build script of the driver crate: the WDM link arguments for the Linux cross build, wdk-build on a genuine WDK build, nothing on the host; see <https://learn.microsoft.com/cpp/build/reference/linker-options>.
//!
//! It runs on the host, so it decides from the *target* cfg cargo passes in the environment
//! (`CARGO_CFG_TARGET_OS`, `CARGO_CFG_VMQNIC_CROSS`), never from `#[cfg(...)]` inside this
//! file, except for the one call that can only compile on a Windows host.

use std::env;

/// The link arguments wdk-build's `configure_binary_build()` uses for a WDM driver, as far as
/// rust-lld's `lld-link` mode supports them. Left out: `/KERNEL` (link.exe-only check that
/// objects were compiled with `/kernel`; lld-link ignores it), `/IGNORE:4257,4216` (link.exe
/// warnings lld never emits), `/MAP`. `/DEBUG` and `/PDBALTPATH` come from rustc itself.
const WDM_LINK_ARGS: [&str; 10] = [
    "/DRIVER",            // kernel-mode driver image
    "/SUBSYSTEM:NATIVE",  // loaded by the kernel, not a Win32 subsystem
    "/ENTRY:DriverEntry", // WDM entry point (KMDF would use FxDriverEntry)
    "/NODEFAULTLIB",      // no CRT: memcpy & co. are imported from ntoskrnl.exe
    "/INTEGRITYCHECK",    // FORCE_INTEGRITY: the loader checks the signature
    "/NXCOMPAT",          // data is not executable
    "/DYNAMICBASE",       // relocatable (kernel ASLR)
    "/OPT:REF,ICF",       // drop unreferenced code, fold identical functions
    "/MANIFEST:NO",       // no side-by-side manifest in a kernel image
    "/RELEASE",           // write the PE checksum, which the loader requires for drivers
];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let target_os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os != "windows" {
        return; // host build: tests and the simulated NDIS need nothing from here
    }
    if env::var_os("CARGO_CFG_VMQNIC_CROSS").is_some() {
        for arg in WDM_LINK_ARGS {
            println!("cargo::rustc-cdylib-link-arg={arg}");
        }
        return;
    }
    wdk_build_binary();
}

/// A Windows target without the cross cfg: the genuine WDK build (`cargo make` on Windows).
#[cfg(windows)]
fn wdk_build_binary() {
    if let Err(error) = wdk_build::configure_wdk_binary_build() {
        println!("cargo::error=wdk-build could not configure the driver build: {error}");
    }
}

/// A Windows target on a non-Windows host without the cross cfg: wdk-build cannot run here.
#[cfg(not(windows))]
fn wdk_build_binary() {
    println!(
        "cargo::error=building vmqnic for Windows on a non-Windows host needs the cross build: run `cargo xtask package`"
    );
}
