//! [`GuestRam`]: the guest's physical memory as the host sees it, and DMA memory handed out of it.
//!
//! Layout (guest-physical address = RAM-file offset):
//! - `[0, 1 MiB)`: left alone (legacy ISA and firmware shadow ranges of the PC).
//! - `[1 MiB, 1 MiB + 4 KiB)`: MSI-X message targets, one 32-bit word a vector.
//! - `[2 MiB, end)`: DMA memory, allocated with [`GuestRam::alloc`].

use super::dma_alloc::RangeAllocator;
use super::error::QemuError;
use super::ram_map::RamMap;

/// Guest-physical base of the MSI-X message words.
pub const MSIX_TARGETS: u64 = 0x10_0000;
/// Size of the MSI-X message region.
pub const MSIX_TARGETS_LEN: u64 = 0x1000;
/// Guest-physical start of the DMA allocator.
pub const DMA_BASE: u64 = 0x20_0000;

/// A block of guest RAM the device may DMA to or from. Not `Clone`: it is given back with
/// [`GuestRam::free`].
#[derive(Debug, PartialEq, Eq)]
pub struct DmaRegion {
    addr: u64,
    len: u64,
}

impl DmaRegion {
    /// Guest-physical (= bus) address, what a descriptor or base register holds.
    pub fn addr(&self) -> u64 {
        self.addr
    }

    /// Length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the region is empty (never, for an allocated region).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The address `offset` bytes in, or `None` past the end.
    pub fn at(&self, offset: u64) -> Option<u64> {
        (offset < self.len).then(|| self.addr + offset)
    }
}

/// Guest RAM: checked access and an allocator.
#[derive(Debug)]
pub struct GuestRam {
    map: RamMap,
    alloc: RangeAllocator,
}

fn out_of_range(addr: u64, len: usize) -> QemuError {
    QemuError::GuestRam(format!("{len} bytes at {addr:#x} lie outside guest RAM"))
}

impl GuestRam {
    pub(crate) fn new(map: RamMap) -> Self {
        // CAST: usize fits u64 on every supported target.
        let end = map.len() as u64;
        Self { map, alloc: RangeAllocator::new(DMA_BASE, end) }
    }

    /// The address guest-physical 0 has in this process (the shared mapping): a host-built
    /// driver reaches guest-physical `pa` at `host_address() + pa`.
    pub fn host_address(&self) -> u64 {
        self.map.base_address()
    }

    /// Size in bytes.
    pub fn len(&self) -> u64 {
        // CAST: usize fits u64.
        self.map.len() as u64
    }

    /// Whether guest RAM is empty (never).
    pub fn is_empty(&self) -> bool {
        self.map.len() == 0
    }

    /// Copies guest memory at `addr` into `buf`.
    pub fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), QemuError> {
        self.map.read(addr, buf).ok_or_else(|| out_of_range(addr, buf.len()))
    }

    /// Copies `data` into guest memory at `addr`.
    pub fn write(&self, addr: u64, data: &[u8]) -> Result<(), QemuError> {
        self.map.write(addr, data).ok_or_else(|| out_of_range(addr, data.len()))
    }

    /// Little-endian 32-bit read.
    pub fn read_u32(&self, addr: u64) -> Result<u32, QemuError> {
        let mut b = [0; 4];
        self.read(addr, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    /// Little-endian 64-bit read.
    pub fn read_u64(&self, addr: u64) -> Result<u64, QemuError> {
        let mut b = [0; 8];
        self.read(addr, &mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    /// Little-endian 32-bit write.
    pub fn write_u32(&self, addr: u64, value: u32) -> Result<(), QemuError> {
        self.write(addr, &value.to_le_bytes())
    }

    /// Little-endian 64-bit write.
    pub fn write_u64(&self, addr: u64, value: u64) -> Result<(), QemuError> {
        self.write(addr, &value.to_le_bytes())
    }

    /// Atomically takes the 32-bit word at `addr` (4-aligned), leaving 0.
    pub fn take_u32(&self, addr: u64) -> Result<u32, QemuError> {
        self.map.swap_u32(addr, 0).ok_or_else(|| out_of_range(addr, 4))
    }

    /// Allocates `len` bytes aligned to `align` (a power of two), zeroed, for DMA.
    pub fn alloc(&mut self, len: u64, align: u64) -> Result<DmaRegion, QemuError> {
        let addr = self
            .alloc
            .alloc(len, align)
            .ok_or_else(|| QemuError::GuestRam(format!("no free block of {len} bytes aligned to {align}")))?;
        let region = DmaRegion { addr, len };
        // CAST: an allocation fits the mapping, whose length is a usize.
        self.write(addr, &vec![0; len as usize])?;
        Ok(region)
    }

    /// Gives a region back.
    pub fn free(&mut self, region: DmaRegion) {
        self.alloc.free(region.addr);
    }

    /// Bytes of DMA memory allocated and not freed.
    pub fn allocated_bytes(&self) -> u64 {
        self.alloc.allocated_bytes()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::fs::{self, OpenOptions};
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    /// A guest RAM of `len` bytes over a scratch file of its own (no QEMU needed).
    fn scratch(len: u64) -> GuestRam {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("vmqnic-guest-ram-test-{}-{n}", std::process::id()));
        let file = OpenOptions::new().read(true).write(true).create_new(true).open(&path).unwrap();
        file.set_len(len).unwrap();
        let ram = GuestRam::new(RamMap::new(&file).unwrap());
        fs::remove_file(&path).unwrap();
        ram
    }

    #[test]
    fn accesses_are_bounds_checked_and_little_endian() {
        let ram = scratch(4 << 20);
        ram.write_u32(0x1000, 0x1122_3344).unwrap();
        let mut bytes = [0; 4];
        ram.read(0x1000, &mut bytes).unwrap();
        assert_eq!(bytes, [0x44, 0x33, 0x22, 0x11]);
        ram.write_u64(0x2000, u64::MAX - 1).unwrap();
        assert_eq!(ram.read_u64(0x2000).unwrap(), u64::MAX - 1);
        let end = ram.len();
        assert!(ram.write(end - 2, &[1, 2]).is_ok());
        assert!(ram.write(end - 1, &[1, 2]).is_err(), "one byte past the end");
        assert!(ram.read_u32(u64::MAX - 1).is_err(), "no overflow on huge addresses");
    }

    #[test]
    fn taking_a_message_word_leaves_zero() {
        let ram = scratch(4 << 20);
        ram.write_u32(MSIX_TARGETS + 8, 0x4D58_0002).unwrap();
        assert_eq!(ram.take_u32(MSIX_TARGETS + 8).unwrap(), 0x4D58_0002);
        assert_eq!(ram.take_u32(MSIX_TARGETS + 8).unwrap(), 0);
        assert!(ram.take_u32(MSIX_TARGETS + 2).is_err(), "misaligned");
    }

    #[test]
    fn dma_memory_comes_zeroed_from_above_the_reserved_regions() {
        let mut ram = scratch(4 << 20);
        ram.write(DMA_BASE, &[0xAA; 64]).unwrap();
        let region = ram.alloc(64, 64).unwrap();
        assert!(region.addr() >= DMA_BASE && region.addr() >= MSIX_TARGETS + MSIX_TARGETS_LEN);
        let mut bytes = [0xFF; 64];
        ram.read(region.addr(), &mut bytes).unwrap();
        assert_eq!(bytes, [0; 64]);
        assert_eq!(region.at(63), Some(region.addr() + 63));
        assert_eq!(region.at(64), None);
        assert_eq!(ram.allocated_bytes(), 64);
        ram.free(region);
        assert_eq!(ram.allocated_bytes(), 0);
        assert!(ram.alloc(4 << 20, 4096).is_err(), "more than guest RAM");
    }
}
