//! Reads a PE32+ kernel image: sections, base relocations, imports, the entry point, and the
//! inline `mov reg, cr8` / `mov cr8, reg` instructions of its executable sections.
//! See <https://learn.microsoft.com/windows/win32/debug/pe-format>.

use object::LittleEndian as LE;
use object::pe;
use object::read::pe::{ImageOptionalHeader as _, Import, PeFile64};

use crate::error::LoadError;

/// One imported routine and the RVA of its IAT slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportSlot {
    /// `dll!name`, e.g. `ndis.sys!NdisAllocateSharedMemory`.
    pub symbol: String,
    /// The routine's name alone.
    pub name: String,
    /// RVA of the 8-byte IAT entry the loader fills.
    pub iat_rva: u32,
}

/// An inline CR8 access: `mov reg, cr8` (read) or `mov cr8, reg` (write).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cr8Site {
    /// RVA of the instruction (4 bytes: REX, 0F, 20/22, ModRM).
    pub rva: u32,
    /// `true` for `mov cr8, reg`.
    pub write: bool,
    /// The general register (0 = rax ... 15 = r15).
    pub reg: u8,
}

/// The image as the loader sees it: a flat, relocated copy ready to map.
#[derive(Clone, Debug)]
pub struct Image {
    /// The preferred base from the optional header.
    pub preferred_base: u64,
    /// `SizeOfImage`.
    pub size: u64,
    /// RVA of the entry point (DriverEntry).
    pub entry_rva: u32,
    /// The image laid out by RVA (headers and sections), relocations not yet applied.
    pub bytes: Vec<u8>,
    /// (RVA, length) of each executable section.
    pub code: Vec<(u32, u32)>,
    /// RVAs of the DIR64 base relocations.
    pub relocations: Vec<u32>,
    /// Imports in table order.
    pub imports: Vec<ImportSlot>,
    /// Inline CR8 accesses found in executable sections.
    pub cr8_sites: Vec<Cr8Site>,
}

fn bad(what: impl Into<String>) -> LoadError {
    LoadError::Image(what.into())
}

impl Image {
    /// Parses a PE32+ image.
    pub fn parse(data: &[u8]) -> Result<Self, LoadError> {
        let file = PeFile64::parse(data).map_err(|e| bad(e.to_string()))?;
        let optional = &file.nt_headers().optional_header;
        let size = u64::from(optional.size_of_image());
        let mut bytes = vec![0u8; usize::try_from(size).map_err(|_| bad("SizeOfImage"))?];
        let headers = usize::try_from(optional.size_of_headers()).map_err(|_| bad("SizeOfHeaders"))?;
        let head = data.get(..headers.min(data.len())).ok_or_else(|| bad("headers"))?;
        bytes.get_mut(..head.len()).ok_or_else(|| bad("headers exceed the image"))?.copy_from_slice(head);
        let mut code = Vec::new();
        for section in file.section_table().iter() {
            let rva = section.virtual_address.get(LE);
            let raw = section.pe_data(data).map_err(|e| bad(e.to_string()))?;
            let len = raw.len().min(section.virtual_size.get(LE) as usize);
            let start = rva as usize;
            let dst = bytes.get_mut(start..start + len).ok_or_else(|| bad("section outside SizeOfImage"))?;
            dst.copy_from_slice(&raw[..len]);
            if section.characteristics.get(LE).0 & pe::IMAGE_SCN_MEM_EXECUTE.0 != 0 {
                code.push((rva, section.virtual_size.get(LE)));
            }
        }
        let relocations = relocations(&file, data)?;
        let imports = imports(&file)?;
        let cr8_sites = code.iter().flat_map(|&(rva, len)| scan_cr8(&bytes, rva, len)).collect();
        Ok(Self {
            preferred_base: optional.image_base(),
            size,
            entry_rva: optional.address_of_entry_point(),
            bytes,
            code,
            relocations,
            imports,
            cr8_sites,
        })
    }

    /// The image bytes relocated for `base`.
    pub fn relocated(&self, base: u64) -> Result<Vec<u8>, LoadError> {
        let delta = base.wrapping_sub(self.preferred_base);
        let mut bytes = self.bytes.clone();
        for &rva in &self.relocations {
            let at = rva as usize;
            let slot = bytes.get_mut(at..at + 8).ok_or_else(|| bad(format!("relocation at {rva:#x}")))?;
            let mut word = [0u8; 8];
            word.copy_from_slice(slot);
            slot.copy_from_slice(&u64::from_le_bytes(word).wrapping_add(delta).to_le_bytes());
        }
        Ok(bytes)
    }
}

fn relocations(file: &PeFile64<'_>, data: &[u8]) -> Result<Vec<u32>, LoadError> {
    let mut out = Vec::new();
    let blocks = file.data_directories().relocation_blocks(data, &file.section_table());
    let Some(mut blocks) = blocks.map_err(|e| bad(e.to_string()))? else {
        return Ok(out);
    };
    while let Some(block) = blocks.next().map_err(|e| bad(e.to_string()))? {
        for reloc in block {
            match reloc.typ {
                pe::IMAGE_REL_BASED_ABSOLUTE => {}
                pe::IMAGE_REL_BASED_DIR64 => out.push(reloc.virtual_address),
                other => return Err(bad(format!("unsupported base relocation type {other}"))),
            }
        }
    }
    Ok(out)
}

fn imports(file: &PeFile64<'_>) -> Result<Vec<ImportSlot>, LoadError> {
    let mut out = Vec::new();
    let Some(table) = file.import_table().map_err(|e| bad(e.to_string()))? else {
        return Ok(out);
    };
    let mut descriptors = table.descriptors().map_err(|e| bad(e.to_string()))?;
    while let Some(descriptor) = descriptors.next().map_err(|e| bad(e.to_string()))? {
        let dll = table.name(descriptor.name.get(LE)).map_err(|e| bad(e.to_string()))?;
        let dll = String::from_utf8_lossy(dll).into_owned();
        let iat = descriptor.first_thunk.get(LE);
        let lookup = match descriptor.original_first_thunk.get(LE) {
            0 => iat,
            rva => rva,
        };
        let mut thunks = table.thunks(lookup).map_err(|e| bad(e.to_string()))?;
        let mut index = 0u32;
        while let Some(thunk) = thunks.next::<pe::ImageNtHeaders64>().map_err(|e| bad(e.to_string()))? {
            let name = match table.import::<pe::ImageNtHeaders64>(thunk).map_err(|e| bad(e.to_string()))? {
                Import::Name(_, name) => String::from_utf8_lossy(name).into_owned(),
                Import::Ordinal(ordinal) => format!("#{ordinal}"),
            };
            out.push(ImportSlot { symbol: format!("{dll}!{name}"), name, iat_rva: iat + 8 * index });
            index += 1;
        }
    }
    Ok(out)
}

/// Finds `mov r64, cr8` (REX.R 0F 20 /r) and `mov cr8, r64` (REX.R 0F 22 /r) with a register
/// operand (ModRM mod = 11, reg = 000 which REX.R extends to cr8).
pub fn scan_cr8(bytes: &[u8], rva: u32, len: u32) -> Vec<Cr8Site> {
    let start = rva as usize;
    let end = (start + len as usize).min(bytes.len());
    let Some(code) = bytes.get(start..end) else {
        return Vec::new();
    };
    code.windows(4)
        .enumerate()
        .filter_map(|(i, w)| {
            let rex_r = w[0] & 0xF4 == 0x44;
            let op = w[1] == 0x0F && (w[2] == 0x20 || w[2] == 0x22);
            let modrm = w[3] & 0xF8 == 0xC0;
            (rex_r && op && modrm).then(|| Cr8Site {
                rva: rva + i as u32,
                write: w[2] == 0x22,
                reg: (w[3] & 7) | ((w[0] & 1) << 3),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cr8_scan_finds_reads_and_writes() {
        // mov rax, cr8 ; mov cr8, rcx ; mov r9, cr8 ; mov rax, cr0 (not cr8)
        let code = [0x44, 0x0F, 0x20, 0xC0, 0x44, 0x0F, 0x22, 0xC1, 0x45, 0x0F, 0x20, 0xC1, 0x0F, 0x20, 0xC0];
        let sites = scan_cr8(&code, 0, code.len() as u32);
        assert_eq!(
            sites,
            vec![
                Cr8Site { rva: 0, write: false, reg: 0 },
                Cr8Site { rva: 4, write: true, reg: 1 },
                Cr8Site { rva: 8, write: false, reg: 9 },
            ]
        );
    }
}
