//! Each rule of the image inspection fails on a fixture image that breaks it.

use object::pe;

use super::*;
use crate::test_image::{Spec, build};

const ALLOWLIST: &str = "ndis.sys!NdisMRegisterMiniportDriver\nntoskrnl.exe!KeBugCheckEx\nntoskrnl.exe!DbgPrint\n";
const REQUIRED: [(&str, &str); 1] = [("ndis.sys", "NdisMRegisterMiniportDriver")];

/// Inspects the image built from `spec` and returns the rule violations.
fn violations(spec: &Spec) -> Result<Vec<Violation>> {
    let allowlist = Allowlist::parse(ALLOWLIST)?;
    let report = inspect(&build(spec)?)?;
    Ok(check(&report, &Policy { allowlist: &allowlist, required_imports: &REQUIRED, entry: "DriverEntry" }))
}

#[test]
fn good_image_passes_and_reports_its_contents() -> Result<()> {
    let report = inspect(&build(&Spec::good())?)?;
    assert_eq!(report.entry_symbol.as_deref(), Some("DriverEntry"));
    assert_eq!(report.imports.len(), 3);
    assert_eq!(report.imports[0].dll, "ndis.sys");
    assert_eq!(report.imports[0].name.as_deref(), Some("NdisMRegisterMiniportDriver"));
    assert_eq!(report.sections.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), [".text", ".idata", ".edata"]);
    assert_eq!(report.sections[0].protection(), "R-X");
    assert_eq!(report.checksum, report.computed_checksum);
    let printed = report.to_string();
    assert!(printed.contains("NdisMRegisterMiniportDriver"), "{printed}");
    assert!(printed.contains(".text"), "{printed}");
    assert_eq!(violations(&Spec::good())?, []);
    Ok(())
}

#[test]
fn wrong_machine_fails() -> Result<()> {
    let spec = Spec { machine: pe::IMAGE_FILE_MACHINE_ARM64, ..Spec::good() };
    assert_eq!(violations(&spec)?, [Violation::NotAmd64(0xAA64)]);
    Ok(())
}

#[test]
fn patched_machine_field_of_a_good_image_fails() -> Result<()> {
    let mut image = build(&Spec::good())?;
    let machine_at = pe::ImageDosHeader::parse(image.as_slice())?.nt_headers_offset() as usize + 4;
    image[machine_at..machine_at + 2].copy_from_slice(&0x014Cu16.to_le_bytes());
    let report = inspect(&image)?;
    let allowlist = Allowlist::parse(ALLOWLIST)?;
    let found = check(&report, &Policy { allowlist: &allowlist, required_imports: &REQUIRED, entry: "DriverEntry" });
    assert!(found.contains(&Violation::NotAmd64(0x014C)), "{found:?}");
    // The patch also breaks the stored checksum.
    assert!(found.iter().any(|v| matches!(v, Violation::BadChecksum { .. })), "{found:?}");
    Ok(())
}

#[test]
fn wrong_subsystem_fails() -> Result<()> {
    let spec = Spec { subsystem: pe::IMAGE_SUBSYSTEM_WINDOWS_GUI, ..Spec::good() };
    assert_eq!(violations(&spec)?, [Violation::NotNative(2)]);
    Ok(())
}

#[test]
fn entry_point_elsewhere_fails() -> Result<()> {
    let spec = Spec { entry_index: 1, ..Spec::good() };
    let found = violations(&spec)?;
    assert!(
        matches!(found.as_slice(), [Violation::WrongEntryPoint { found: Some(name), .. }] if name == "Helper"),
        "{found:?}"
    );
    Ok(())
}

#[test]
fn foreign_dll_fails() -> Result<()> {
    let mut spec = Spec::good();
    spec.imports.push(("KERNEL32.dll", "ExitProcess"));
    assert_eq!(
        violations(&spec)?,
        [Violation::ForeignDll { dll: "KERNEL32.dll".into(), symbol: "ExitProcess".into() }]
    );
    Ok(())
}

#[test]
fn import_missing_from_allowlist_fails() -> Result<()> {
    let mut spec = Spec::good();
    spec.imports.push(("hal.dll", "KeStallExecutionProcessor"));
    assert_eq!(
        violations(&spec)?,
        [Violation::NotAllowlisted { dll: "hal.dll".into(), symbol: "KeStallExecutionProcessor".into() }]
    );
    Ok(())
}

#[test]
fn ordinal_import_fails() -> Result<()> {
    let mut spec = Spec::good();
    spec.imports.push(("ntoskrnl.exe", "#7"));
    assert_eq!(violations(&spec)?, [Violation::OrdinalImport { dll: "ntoskrnl.exe".into(), ordinal: 7 }]);
    Ok(())
}

#[test]
fn missing_required_import_fails() -> Result<()> {
    let spec = Spec { imports: vec![("ntoskrnl.exe", "KeBugCheckEx")], ..Spec::good() };
    assert_eq!(violations(&spec)?, [Violation::MissingImport("ndis.sys!NdisMRegisterMiniportDriver".into())]);
    Ok(())
}

#[test]
fn writable_executable_section_fails() -> Result<()> {
    let spec = Spec { writable_text: true, ..Spec::good() };
    assert_eq!(violations(&spec)?, [Violation::WritableExecutable(".text".into())]);
    Ok(())
}

#[test]
fn stale_checksum_fails() -> Result<()> {
    let spec = Spec { fix_checksum: false, ..Spec::good() };
    let found = violations(&spec)?;
    assert!(matches!(found.as_slice(), [Violation::BadChecksum { stored: 0, .. }]), "{found:?}");
    Ok(())
}

#[test]
fn missing_integrity_and_nx_bits_fail() -> Result<()> {
    let spec = Spec { dll_characteristics: pe::IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE, ..Spec::good() };
    assert_eq!(
        violations(&spec)?,
        [Violation::MissingDllCharacteristic("NX_COMPAT"), Violation::MissingDllCharacteristic("FORCE_INTEGRITY")]
    );
    Ok(())
}

#[test]
fn not_a_pe32_plus_image_is_an_error() {
    assert!(inspect(b"MZ not really an image").is_err());
}
