//! PCI bring-up as Windows' PCI bus driver leaves a function before the miniport starts: found by
//! vendor/device ID, BARs sized and assigned, memory decoding and bus mastering on, MSI-X table
//! programmed. Configuration space is reached through ports 0xCF8/0xCFC (PCI Local Bus
//! Specification 3.0, configuration mechanism #1); MSI-X per PCI 3.0 section 6.8.2.

use super::error::QemuError;
use super::qtest::Qtest;

const CONFIG_ADDRESS: u16 = 0xCF8;
const CONFIG_DATA: u16 = 0xCFC;

/// Configuration-space offsets.
mod cfg {
    pub const VENDOR_DEVICE: u8 = 0x00;
    pub const COMMAND: u8 = 0x04;
    pub const STATUS: u8 = 0x06;
    pub const BAR0: u8 = 0x10;
    pub const CAPABILITIES: u8 = 0x34;
    /// Status bit: a capability list exists.
    pub const STATUS_CAP_LIST: u16 = 1 << 4;
    /// Command bits: I/O space, memory space, bus master.
    pub const COMMAND_IO_MEM_MASTER: u16 = 0x7;
    pub const CAP_MSIX: u8 = 0x11;
    /// MSI-X message control: enable.
    pub const MSIX_ENABLE: u16 = 1 << 15;
}

/// A function on bus 0 (no bridges: `-nodefaults` q35).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PciFunction {
    /// Device number 0 ..= 31.
    pub device: u8,
}

/// Where the BARs of a function went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bars {
    /// Guest-physical base of each memory BAR (a 64-bit BAR fills its first slot), 0 if none.
    pub memory: [u64; 6],
    /// Port base of each I/O BAR, 0 if none.
    pub io: [u16; 6],
}

/// The MSI-X capability of a function, with its table and PBA located in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MsixCapability {
    /// Configuration offset of the capability.
    pub offset: u8,
    /// Number of table entries.
    pub table_size: u16,
    /// Guest-physical address of the table (16 bytes an entry).
    pub table: u64,
    /// Guest-physical address of the pending-bit array.
    pub pba: u64,
}

/// Where BARs are placed: above guest RAM, below the q35 firmware and APIC ranges.
const MMIO_WINDOW: u64 = 0xE000_0000;
const IO_WINDOW: u16 = 0xC000;

impl PciFunction {
    fn address(self, offset: u8) -> u32 {
        0x8000_0000 | (u32::from(self.device) << 11) | u32::from(offset & 0xFC)
    }

    /// 32-bit configuration read.
    pub fn read32(self, qt: &mut Qtest, offset: u8) -> Result<u32, QemuError> {
        qt.outl(CONFIG_ADDRESS, self.address(offset))?;
        Ok(qt.inl(CONFIG_DATA)?)
    }

    /// 32-bit configuration write.
    pub fn write32(self, qt: &mut Qtest, offset: u8, value: u32) -> Result<(), QemuError> {
        qt.outl(CONFIG_ADDRESS, self.address(offset))?;
        Ok(qt.outl(CONFIG_DATA, value)?)
    }

    /// 16-bit configuration read (`offset` even).
    pub fn read16(self, qt: &mut Qtest, offset: u8) -> Result<u16, QemuError> {
        qt.outl(CONFIG_ADDRESS, self.address(offset))?;
        Ok(qt.inw(CONFIG_DATA + u16::from(offset & 2))?)
    }

    /// 16-bit configuration write (`offset` even).
    pub fn write16(self, qt: &mut Qtest, offset: u8, value: u16) -> Result<(), QemuError> {
        qt.outl(CONFIG_ADDRESS, self.address(offset))?;
        Ok(qt.outw(CONFIG_DATA + u16::from(offset & 2), value)?)
    }

    /// The first function on bus 0 with this vendor and device ID.
    pub fn find(qt: &mut Qtest, vendor: u16, device: u16) -> Result<Self, QemuError> {
        let wanted = u32::from(device) << 16 | u32::from(vendor);
        for number in 0..32 {
            let function = Self { device: number };
            if function.read32(qt, cfg::VENDOR_DEVICE)? == wanted {
                return Ok(function);
            }
        }
        Err(QemuError::Pci(format!("no {vendor:04x}:{device:04x} on bus 0")))
    }

    /// Sizes every BAR (write all ones, read the mask back), assigns naturally aligned addresses
    /// from the MMIO and I/O windows, and enables I/O, memory decoding and bus mastering.
    pub fn assign_bars(self, qt: &mut Qtest) -> Result<Bars, QemuError> {
        let mut bars = Bars::default();
        let (mut mmio, mut io) = (MMIO_WINDOW, IO_WINDOW);
        let mut slot = 0;
        while slot < 6 {
            // CAST: slot < 6.
            let offset = cfg::BAR0 + 4 * slot as u8;
            let original = self.read32(qt, offset)?;
            self.write32(qt, offset, u32::MAX)?;
            let mask = self.read32(qt, offset)?;
            if mask == 0 {
                slot += 1;
                continue;
            }
            if original & 1 == 1 {
                let size = (!(mask & !0x3) & 0xFFFF) + 1;
                // CAST: I/O BARs decode 16 bits.
                let base = align_up(u64::from(io), u64::from(size)) as u16;
                self.write32(qt, offset, u32::from(base))?;
                bars.io[slot] = base;
                io = base.checked_add(size as u16).ok_or_else(|| QemuError::Pci("I/O window full".into()))?;
                slot += 1;
                continue;
            }
            let is_64 = (original >> 1) & 3 == 2;
            let mut size_mask = u64::from(mask & !0xF);
            if is_64 {
                self.write32(qt, offset + 4, u32::MAX)?;
                size_mask |= u64::from(self.read32(qt, offset + 4)?) << 32;
            } else {
                size_mask |= 0xFFFF_FFFF_0000_0000;
            }
            let size = (!size_mask).wrapping_add(1);
            let base = align_up(mmio, size);
            // CAST: low and high halves of the 64-bit base.
            self.write32(qt, offset, base as u32)?;
            if is_64 {
                self.write32(qt, offset + 4, (base >> 32) as u32)?;
            }
            bars.memory[slot] = base;
            mmio = base + size;
            slot += if is_64 { 2 } else { 1 };
        }
        self.write16(qt, cfg::COMMAND, cfg::COMMAND_IO_MEM_MASTER)?;
        Ok(bars)
    }

    /// The configuration offset of capability `id`, walking the list from 0x34.
    pub fn capability(self, qt: &mut Qtest, id: u8) -> Result<Option<u8>, QemuError> {
        if self.read16(qt, cfg::STATUS)? & cfg::STATUS_CAP_LIST == 0 {
            return Ok(None);
        }
        // CAST: the pointer is the low byte.
        let mut next = (self.read32(qt, cfg::CAPABILITIES)? & 0xFC) as u8;
        for _ in 0..48 {
            if next == 0 {
                return Ok(None);
            }
            let header = self.read16(qt, next)?;
            // CAST: capability ID and next pointer are the two bytes of the header.
            if header as u8 == id {
                return Ok(Some(next));
            }
            next = ((header >> 8) as u8) & 0xFC;
        }
        Err(QemuError::Pci("capability list does not end".into()))
    }

    /// Locates the MSI-X capability, its table and its PBA in the assigned BARs.
    pub fn msix(self, qt: &mut Qtest, bars: &Bars) -> Result<MsixCapability, QemuError> {
        let offset = self.capability(qt, cfg::CAP_MSIX)?.ok_or_else(|| QemuError::Pci("no MSI-X capability".into()))?;
        let control = self.read16(qt, offset + 2)?;
        let locate = |word: u32| -> Result<u64, QemuError> {
            let bar = bars.memory[(word & 7) as usize];
            if bar == 0 {
                return Err(QemuError::Pci(format!("MSI-X structure in unassigned BAR {}", word & 7)));
            }
            Ok(bar + u64::from(word & !7))
        };
        let table = locate(self.read32(qt, offset + 4)?)?;
        let pba = locate(self.read32(qt, offset + 8)?)?;
        Ok(MsixCapability { offset, table_size: (control & 0x7FF) + 1, table, pba })
    }

    /// Programs MSI-X table entry `vector` (message address and data, unmasked).
    pub fn program_msix_vector(
        qt: &mut Qtest,
        msix: &MsixCapability,
        vector: u16,
        address: u64,
        data: u32,
    ) -> Result<(), QemuError> {
        if vector >= msix.table_size {
            return Err(QemuError::Pci(format!("MSI-X vector {vector} beyond the table ({})", msix.table_size)));
        }
        let entry = msix.table + 16 * u64::from(vector);
        // CAST: low and high halves of the message address.
        qt.writel(entry, address as u32)?;
        qt.writel(entry + 4, (address >> 32) as u32)?;
        qt.writel(entry + 8, data)?;
        qt.writel(entry + 12, 0)?;
        Ok(())
    }

    /// Sets the MSI-X enable bit (function mask clear).
    pub fn enable_msix(self, qt: &mut Qtest, msix: &MsixCapability) -> Result<(), QemuError> {
        let control = self.read16(qt, msix.offset + 2)?;
        self.write16(qt, msix.offset + 2, (control | cfg::MSIX_ENABLE) & !(1 << 14))
    }
}

fn align_up(value: u64, align: u64) -> u64 {
    let align = align.max(1);
    value.div_ceil(align) * align
}
