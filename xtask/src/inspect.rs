//! Reads a driver image with the `object` crate and checks it against the rules for a WDM kernel image; see <https://learn.microsoft.com/windows/win32/debug/pe-format>.

use std::fmt;

use object::LittleEndian as LE;
use object::Object as _;
use object::pe;
use object::read::pe::{ExportTarget, ImageNtHeaders as _, ImageOptionalHeader as _, Import, PeFile64};

use crate::allowlist::{Allowlist, is_allowed_dll};
use crate::{Result, checksum};

/// One section header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Section name (`.text`).
    pub name: String,
    /// `VirtualSize`.
    pub virtual_size: u32,
    /// `SizeOfRawData` (file bytes).
    pub raw_size: u32,
    /// `Characteristics` (`IMAGE_SCN_*`).
    pub characteristics: u32,
}

impl Section {
    /// Whether the section is mapped both writable and executable.
    pub fn is_writable_and_executable(&self) -> bool {
        let wx = pe::IMAGE_SCN_MEM_WRITE.0 | pe::IMAGE_SCN_MEM_EXECUTE.0;
        self.characteristics & wx == wx
    }

    /// `RWX` letters for the protection bits.
    pub fn protection(&self) -> String {
        let flag = |bit: pe::SectionFlags, letter: char| {
            if self.characteristics & bit.0 != 0 { letter } else { '-' }
        };
        [flag(pe::IMAGE_SCN_MEM_READ, 'R'), flag(pe::IMAGE_SCN_MEM_WRITE, 'W'), flag(pe::IMAGE_SCN_MEM_EXECUTE, 'X')]
            .iter()
            .collect()
    }
}

/// One imported symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedSymbol {
    /// DLL name as stored in the image (`ndis.sys`).
    pub dll: String,
    /// Symbol name, or `None` for an import by ordinal.
    pub name: Option<String>,
    /// The ordinal for an import by ordinal.
    pub ordinal: Option<u16>,
}

/// One named export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// Export name.
    pub name: String,
    /// RVA of the exported code or data.
    pub rva: u32,
}

/// Everything the checks and the printout need from an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageReport {
    /// Size of the file in bytes.
    pub file_size: usize,
    /// `IMAGE_FILE_HEADER::Machine`.
    pub machine: u16,
    /// `IMAGE_OPTIONAL_HEADER64::Subsystem`.
    pub subsystem: u16,
    /// `AddressOfEntryPoint` (RVA).
    pub entry_rva: u32,
    /// The export whose RVA is the entry point, if any (a cdylib exports `DriverEntry`).
    pub entry_symbol: Option<String>,
    /// `SizeOfImage`.
    pub size_of_image: u32,
    /// `DllCharacteristics`.
    pub dll_characteristics: u16,
    /// `CheckSum` as stored.
    pub checksum: u32,
    /// The checksum recomputed from the file.
    pub computed_checksum: u32,
    /// Section headers in order.
    pub sections: Vec<Section>,
    /// Imports in table order.
    pub imports: Vec<ImportedSymbol>,
    /// Named exports.
    pub exports: Vec<Export>,
    /// The CodeView debug record naming the image's PDB, if any.
    pub codeview: Option<CodeViewRecord>,
}

/// The image's CodeView (RSDS) record: which PDB belongs to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeViewRecord {
    /// The PDB GUID as stored in the file (`GUID` layout: first three fields little-endian).
    pub guid: [u8; 16],
    /// The PDB age.
    pub age: u32,
    /// The PDB path as stored (`/PDBALTPATH:%_PDB%` makes it the bare file name).
    pub path: String,
}

/// Parses a PE32+ image. Fails on anything that is not PE32+ (`PeFile64`).
pub fn inspect(image: &[u8]) -> Result<ImageReport> {
    let file = PeFile64::parse(image)?;
    let nt = file.nt_headers();
    let optional = nt.optional_header();

    let sections = file
        .section_table()
        .iter()
        .map(|header| Section {
            name: String::from_utf8_lossy(header.raw_name()).into_owned(),
            virtual_size: header.virtual_size.get(LE),
            raw_size: header.size_of_raw_data.get(LE),
            characteristics: header.characteristics.get(LE).0,
        })
        .collect();

    let mut imports = Vec::new();
    if let Some(table) = file.import_table()? {
        let mut descriptors = table.descriptors()?;
        while let Some(descriptor) = descriptors.next()? {
            let dll = String::from_utf8_lossy(table.name(descriptor.name.get(LE))?).into_owned();
            let lookup = match descriptor.original_first_thunk.get(LE) {
                0 => descriptor.first_thunk.get(LE),
                address => address,
            };
            let mut thunks = table.thunks(lookup)?;
            while let Some(thunk) = thunks.next::<pe::ImageNtHeaders64>()? {
                let symbol = match table.import::<pe::ImageNtHeaders64>(thunk)? {
                    Import::Name(_hint, name) => ImportedSymbol {
                        dll: dll.clone(),
                        name: Some(String::from_utf8_lossy(name).into_owned()),
                        ordinal: None,
                    },
                    Import::Ordinal(ordinal) => ImportedSymbol { dll: dll.clone(), name: None, ordinal: Some(ordinal) },
                };
                imports.push(symbol);
            }
        }
    }

    let mut exports = Vec::new();
    if let Some(table) = file.export_table()? {
        for export in table.exports()? {
            if let (Some(name), ExportTarget::Address(rva)) = (export.name, export.target) {
                exports.push(Export { name: String::from_utf8_lossy(name).into_owned(), rva });
            }
        }
    }

    let codeview = file.pdb_info()?.map(|info| CodeViewRecord {
        guid: info.guid(),
        age: info.age(),
        path: String::from_utf8_lossy(info.path()).into_owned(),
    });
    let entry_rva = optional.address_of_entry_point();
    let entry_symbol = exports.iter().find(|export| export.rva == entry_rva).map(|export| export.name.clone());
    let checksum_field = checksum::checksum_offset(image)?;

    Ok(ImageReport {
        file_size: image.len(),
        machine: nt.file_header().machine.get(LE).0,
        subsystem: optional.subsystem().0,
        entry_rva,
        entry_symbol,
        size_of_image: optional.size_of_image(),
        dll_characteristics: optional.dll_characteristics().0,
        checksum: optional.check_sum(),
        computed_checksum: checksum::compute(image, checksum_field),
        sections,
        imports,
        exports,
        codeview,
    })
}

/// What an image must satisfy besides the fixed WDM rules.
#[derive(Debug, Clone, Copy)]
pub struct Policy<'a> {
    /// `crates/ndis-sys/imports.txt`.
    pub allowlist: &'a Allowlist,
    /// `(dll, symbol)` pairs the finished driver must import.
    pub required_imports: &'a [(&'a str, &'a str)],
    /// The entry point symbol (`DriverEntry` for WDM).
    pub entry: &'a str,
}

/// One failed rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// Machine is not `IMAGE_FILE_MACHINE_AMD64`.
    NotAmd64(u16),
    /// Subsystem is not `IMAGE_SUBSYSTEM_NATIVE`.
    NotNative(u16),
    /// The entry point is not the expected symbol (`None`: no symbol at that RVA).
    WrongEntryPoint {
        /// `AddressOfEntryPoint`.
        rva: u32,
        /// The symbol found there.
        found: Option<String>,
    },
    /// Import from a DLL other than ndis.sys / ntoskrnl.exe / hal.dll.
    ForeignDll {
        /// DLL name.
        dll: String,
        /// Symbol (or `#ordinal`).
        symbol: String,
    },
    /// Import missing from `imports.txt`.
    NotAllowlisted {
        /// DLL name.
        dll: String,
        /// Symbol name.
        symbol: String,
    },
    /// Import by ordinal (cannot be checked against the allowlist).
    OrdinalImport {
        /// DLL name.
        dll: String,
        /// Ordinal.
        ordinal: u16,
    },
    /// A section that is both writable and executable.
    WritableExecutable(String),
    /// A required import is absent.
    MissingImport(String),
    /// `CheckSum` is not the file's checksum.
    BadChecksum {
        /// Stored value.
        stored: u32,
        /// Computed value.
        computed: u32,
    },
    /// A `DllCharacteristics` bit the WDM link arguments set is missing.
    MissingDllCharacteristic(&'static str),
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAmd64(machine) => write!(f, "machine is {machine:#06x}, not AMD64 (0x8664)"),
            Self::NotNative(subsystem) => write!(f, "subsystem is {subsystem}, not NATIVE (1)"),
            Self::WrongEntryPoint { rva, found } => {
                write!(
                    f,
                    "entry point {rva:#x} is {}, not DriverEntry",
                    found.as_deref().unwrap_or("no exported symbol")
                )
            }
            Self::ForeignDll { dll, symbol } => {
                write!(f, "import {dll}!{symbol}: only ndis.sys, ntoskrnl.exe and hal.dll are allowed")
            }
            Self::NotAllowlisted { dll, symbol } => {
                write!(f, "import {dll}!{symbol} is not in crates/ndis-sys/imports.txt")
            }
            Self::OrdinalImport { dll, ordinal } => {
                write!(f, "import {dll}!#{ordinal} is by ordinal")
            }
            Self::WritableExecutable(name) => {
                write!(f, "section {name} is writable and executable")
            }
            Self::MissingImport(symbol) => write!(f, "required import {symbol} is missing"),
            Self::BadChecksum { stored, computed } => {
                write!(f, "checksum {stored:#010x} does not match the file ({computed:#010x})")
            }
            Self::MissingDllCharacteristic(name) => write!(f, "DllCharacteristics lacks {name}"),
        }
    }
}

/// The `DllCharacteristics` bits `/DYNAMICBASE /NXCOMPAT /INTEGRITYCHECK` set.
const REQUIRED_DLL_CHARACTERISTICS: [(pe::DllFlags, &str); 3] = [
    (pe::IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE, "DYNAMIC_BASE"),
    (pe::IMAGE_DLLCHARACTERISTICS_NX_COMPAT, "NX_COMPAT"),
    (pe::IMAGE_DLLCHARACTERISTICS_FORCE_INTEGRITY, "FORCE_INTEGRITY"),
];

/// Runs every rule; an empty result means the image passes.
pub fn check(report: &ImageReport, policy: &Policy<'_>) -> Vec<Violation> {
    let mut violations = Vec::new();
    if report.machine != pe::IMAGE_FILE_MACHINE_AMD64.0 {
        violations.push(Violation::NotAmd64(report.machine));
    }
    if report.subsystem != pe::IMAGE_SUBSYSTEM_NATIVE.0 {
        violations.push(Violation::NotNative(report.subsystem));
    }
    if report.entry_symbol.as_deref() != Some(policy.entry) {
        violations.push(Violation::WrongEntryPoint { rva: report.entry_rva, found: report.entry_symbol.clone() });
    }
    for import in &report.imports {
        let symbol = match (&import.name, import.ordinal) {
            (Some(name), _) => name.clone(),
            (None, ordinal) => format!("#{}", ordinal.unwrap_or_default()),
        };
        if !is_allowed_dll(&import.dll) {
            violations.push(Violation::ForeignDll { dll: import.dll.clone(), symbol });
        } else if let Some(ordinal) = import.ordinal {
            violations.push(Violation::OrdinalImport { dll: import.dll.clone(), ordinal });
        } else if !policy.allowlist.allows(&import.dll, &symbol) {
            violations.push(Violation::NotAllowlisted { dll: import.dll.clone(), symbol });
        }
    }
    for (dll, symbol) in policy.required_imports {
        let present =
            report.imports.iter().any(|i| i.dll.eq_ignore_ascii_case(dll) && i.name.as_deref() == Some(*symbol));
        if !present {
            violations.push(Violation::MissingImport(format!("{dll}!{symbol}")));
        }
    }
    for section in report.sections.iter().filter(|s| s.is_writable_and_executable()) {
        violations.push(Violation::WritableExecutable(section.name.clone()));
    }
    if report.checksum != report.computed_checksum {
        violations.push(Violation::BadChecksum { stored: report.checksum, computed: report.computed_checksum });
    }
    for (flag, name) in REQUIRED_DLL_CHARACTERISTICS {
        if report.dll_characteristics & flag.0 == 0 {
            violations.push(Violation::MissingDllCharacteristic(name));
        }
    }
    violations
}

impl fmt::Display for ImageReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let machine = if self.machine == pe::IMAGE_FILE_MACHINE_AMD64.0 {
            "AMD64".to_owned()
        } else {
            format!("{:#06x}", self.machine)
        };
        let subsystem = if self.subsystem == pe::IMAGE_SUBSYSTEM_NATIVE.0 {
            "NATIVE".to_owned()
        } else {
            self.subsystem.to_string()
        };
        writeln!(
            f,
            "image: PE32+ {machine}, subsystem {subsystem}, {} bytes on disk, SizeOfImage {:#x}",
            self.file_size, self.size_of_image
        )?;
        writeln!(f, "  entry point {:#x} = {}", self.entry_rva, self.entry_symbol.as_deref().unwrap_or("?"))?;
        writeln!(
            f,
            "  DllCharacteristics {:#06x}, CheckSum {:#010x} (file: {:#010x})",
            self.dll_characteristics, self.checksum, self.computed_checksum
        )?;
        writeln!(f, "sections:")?;
        writeln!(f, "  {:<10} {:>10} {:>10}  prot  characteristics", "name", "virtual", "raw")?;
        for s in &self.sections {
            writeln!(
                f,
                "  {:<10} {:>10} {:>10}  {}   {:#010x}",
                s.name,
                s.virtual_size,
                s.raw_size,
                s.protection(),
                s.characteristics
            )?;
        }
        let mut dlls: Vec<&str> = Vec::new();
        for import in &self.imports {
            if !dlls.contains(&import.dll.as_str()) {
                dlls.push(&import.dll);
            }
        }
        writeln!(f, "imports: {} from {} DLL(s)", self.imports.len(), dlls.len())?;
        for dll in dlls {
            writeln!(f, "  {dll}")?;
            for import in self.imports.iter().filter(|i| i.dll == dll) {
                match (&import.name, import.ordinal) {
                    (Some(name), _) => writeln!(f, "    {name}")?,
                    (None, ordinal) => writeln!(f, "    #{}", ordinal.unwrap_or_default())?,
                }
            }
        }
        if let Some(codeview) = &self.codeview {
            writeln!(f, "  PDB: {} (age {})", codeview.path, codeview.age)?;
        }
        let names: Vec<&str> = self.exports.iter().map(|e| e.name.as_str()).collect();
        writeln!(f, "exports: {}", if names.is_empty() { "(none)".to_owned() } else { names.join(", ") })
    }
}

#[cfg(test)]
mod tests;
