//! Test fixture: writes small PE32+ images with `object::write::pe`, with any of the faults the inspection must catch.

use object::pe;
use object::write::pe::{NtHeaders, Writer};

use crate::{Error, Result, checksum};

/// What to put into a fixture image. [`Spec::good`] passes every check.
#[derive(Debug, Clone)]
pub struct Spec {
    /// `IMAGE_FILE_HEADER::Machine`.
    pub machine: pe::Machine,
    /// `Subsystem`.
    pub subsystem: pe::Subsystem,
    /// `DllCharacteristics`.
    pub dll_characteristics: pe::DllFlags,
    /// Named exports, each at its own 16-byte slot in `.text` (the first is the entry point).
    pub exports: Vec<&'static str>,
    /// Index into `exports` of the entry point.
    pub entry_index: usize,
    /// `(dll, symbol)` imports by name; a symbol `#n` becomes an import by ordinal `n`.
    pub imports: Vec<(&'static str, &'static str)>,
    /// Mark `.text` writable as well.
    pub writable_text: bool,
    /// Write the correct `CheckSum` (else leave 0).
    pub fix_checksum: bool,
}

impl Spec {
    /// A tiny but well-formed WDM image importing from ndis.sys and ntoskrnl.exe.
    pub fn good() -> Self {
        Self {
            machine: pe::IMAGE_FILE_MACHINE_AMD64,
            subsystem: pe::IMAGE_SUBSYSTEM_NATIVE,
            dll_characteristics: pe::IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE
                | pe::IMAGE_DLLCHARACTERISTICS_NX_COMPAT
                | pe::IMAGE_DLLCHARACTERISTICS_FORCE_INTEGRITY
                | pe::IMAGE_DLLCHARACTERISTICS_HIGH_ENTROPY_VA,
            exports: vec!["DriverEntry", "Helper"],
            entry_index: 0,
            imports: vec![
                ("ndis.sys", "NdisMRegisterMiniportDriver"),
                ("ntoskrnl.exe", "KeBugCheckEx"),
                ("ntoskrnl.exe", "DbgPrint"),
            ],
            writable_text: false,
            fix_checksum: true,
        }
    }
}

/// Little-endian byte sink with absolute offsets.
struct Blob(Vec<u8>);

impl Blob {
    fn u16_at(&mut self, at: usize, value: u16) {
        self.0[at..at + 2].copy_from_slice(&value.to_le_bytes());
    }
    fn u32_at(&mut self, at: usize, value: u32) {
        self.0[at..at + 4].copy_from_slice(&value.to_le_bytes());
    }
    fn u64_at(&mut self, at: usize, value: u64) {
        self.0[at..at + 8].copy_from_slice(&value.to_le_bytes());
    }
    /// Appends bytes plus a NUL (and a pad byte to keep 2-byte alignment); returns the offset.
    fn push_str(&mut self, text: &str) -> usize {
        let at = self.0.len();
        self.0.extend_from_slice(text.as_bytes());
        self.0.push(0);
        if self.0.len() % 2 == 1 {
            self.0.push(0);
        }
        at
    }
}

/// Groups imports by DLL in first-seen order.
fn group_imports(imports: &[(&'static str, &'static str)]) -> Vec<(&'static str, Vec<&'static str>)> {
    let mut groups: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
    for &(dll, symbol) in imports {
        match groups.iter_mut().find(|(d, _)| *d == dll) {
            Some((_, symbols)) => symbols.push(symbol),
            None => groups.push((dll, vec![symbol])),
        }
    }
    groups
}

// CAST (whole file): fixture tables are a few hundred bytes, far below u32::MAX.

/// Builds the import directory, lookup tables, IATs and names placed at `rva`.
fn import_table(imports: &[(&'static str, &'static str)], rva: u32) -> Vec<u8> {
    let groups = group_imports(imports);
    let descriptors_len = (groups.len() + 1) * 20;
    let thunk_tables_len: usize = groups.iter().map(|(_, s)| (s.len() + 1) * 8 * 2).sum();
    let mut blob = Blob(vec![0; descriptors_len + thunk_tables_len]);
    let mut thunk_at = descriptors_len;
    for (index, (dll, symbols)) in groups.iter().enumerate() {
        let lookup_at = thunk_at;
        let iat_at = lookup_at + (symbols.len() + 1) * 8;
        thunk_at = iat_at + (symbols.len() + 1) * 8;
        for (slot, symbol) in symbols.iter().enumerate() {
            let thunk = match symbol.strip_prefix('#').and_then(|n| n.parse::<u64>().ok()) {
                Some(ordinal) => pe::IMAGE_ORDINAL_FLAG64 | ordinal,
                None => {
                    let hint_name = blob.0.len();
                    blob.0.extend_from_slice(&[0, 0]);
                    blob.push_str(symbol);
                    u64::from(rva) + hint_name as u64
                }
            };
            blob.u64_at(lookup_at + slot * 8, thunk);
            blob.u64_at(iat_at + slot * 8, thunk);
        }
        let name = blob.push_str(dll);
        let descriptor = index * 20;
        blob.u32_at(descriptor, rva + lookup_at as u32);
        blob.u32_at(descriptor + 12, rva + name as u32);
        blob.u32_at(descriptor + 16, rva + iat_at as u32);
    }
    blob.0
}

/// Builds an export directory for `names` (function `i` at `text_rva + 16 * i`) placed at `rva`.
fn export_table(names: &[&str], text_rva: u32, rva: u32) -> Vec<u8> {
    let count = names.len();
    let mut sorted: Vec<(usize, &str)> = names.iter().copied().enumerate().collect();
    sorted.sort_by_key(|&(_, name)| name);
    let functions_at = 40;
    let names_at = functions_at + count * 4;
    let ordinals_at = names_at + count * 4;
    let mut blob = Blob(vec![0; ordinals_at + count * 2]);
    if blob.0.len() % 2 == 1 {
        blob.0.push(0);
    }
    let dll_name = blob.push_str("fixture.sys");
    blob.u32_at(12, rva + dll_name as u32);
    blob.u32_at(16, 1);
    blob.u32_at(20, count as u32);
    blob.u32_at(24, count as u32);
    blob.u32_at(28, rva + functions_at as u32);
    blob.u32_at(32, rva + names_at as u32);
    blob.u32_at(36, rva + ordinals_at as u32);
    for index in 0..count {
        blob.u32_at(functions_at + index * 4, text_rva + 16 * index as u32);
    }
    for (slot, (index, name)) in sorted.into_iter().enumerate() {
        let at = blob.push_str(name);
        blob.u32_at(names_at + slot * 4, rva + at as u32);
        blob.u16_at(ordinals_at + slot * 2, index as u16);
    }
    blob.0
}

/// Writes the image described by `spec`.
pub fn build(spec: &Spec) -> Result<Vec<u8>> {
    // Table sizes do not depend on their RVA, so a dry run at RVA 0 sizes the sections.
    let text_len = (spec.exports.len().max(1) * 16) as u32;
    let idata_len = import_table(&spec.imports, 0).len() as u32;
    let edata_len = export_table(&spec.exports, 0, 0).len() as u32;

    let mut data = Vec::new();
    let mut writer = Writer::new(true, 0x1000, 0x200, &mut data);
    writer.reserve_dos_header_and_stub();
    writer.reserve_nt_headers(16);
    writer.reserve_section_headers(3);
    let text_flags = if spec.writable_text {
        pe::IMAGE_SCN_CNT_CODE | pe::IMAGE_SCN_MEM_EXECUTE | pe::IMAGE_SCN_MEM_READ | pe::IMAGE_SCN_MEM_WRITE
    } else {
        pe::IMAGE_SCN_CNT_CODE | pe::IMAGE_SCN_MEM_EXECUTE | pe::IMAGE_SCN_MEM_READ
    };
    let text = writer.reserve_section(*b".text\0\0\0", text_flags, text_len, text_len);
    let idata = writer.reserve_idata_section(idata_len);
    let edata = writer.reserve_edata_section(edata_len);

    writer.write_dos_header_and_stub().map_err(|error| Error(error.to_string()))?;
    writer.write_nt_headers(NtHeaders {
        machine: spec.machine,
        time_date_stamp: 0,
        characteristics: pe::IMAGE_FILE_EXECUTABLE_IMAGE | pe::IMAGE_FILE_LARGE_ADDRESS_AWARE | pe::IMAGE_FILE_DLL,
        major_linker_version: 14,
        minor_linker_version: 0,
        address_of_entry_point: text.virtual_address + 16 * spec.entry_index as u32,
        image_base: 0x1_4000_0000,
        major_operating_system_version: 10,
        minor_operating_system_version: 0,
        major_image_version: 0,
        minor_image_version: 0,
        major_subsystem_version: 10,
        minor_subsystem_version: 0,
        subsystem: spec.subsystem,
        dll_characteristics: spec.dll_characteristics,
        size_of_stack_reserve: 0x40000,
        size_of_stack_commit: 0x1000,
        size_of_heap_reserve: 0,
        size_of_heap_commit: 0,
    });
    writer.write_section_headers();
    writer.write_section(text.file_offset, &vec![0xC3; text_len as usize]);
    writer.write_section(idata.file_offset, &import_table(&spec.imports, idata.virtual_address));
    writer.write_section(edata.file_offset, &export_table(&spec.exports, text.virtual_address, edata.virtual_address));

    if spec.fix_checksum {
        let field = checksum::checksum_offset(&data)?;
        let sum = checksum::compute(&data, field);
        data[field..field + 4].copy_from_slice(&sum.to_le_bytes());
    }
    Ok(data)
}
