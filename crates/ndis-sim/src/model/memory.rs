//! The address-space seam: the model reads and writes driver memory only through [`AddressSpace`].
//!
//! Addresses are plain `u64` values. On the host they are real pointers (`ffi::HostMemory`);
//! under an emulator they are guest addresses. All multi-byte values are little-endian, as on x64.

use std::collections::BTreeMap;
use std::fmt;

/// A failed memory access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    /// The first address of the access.
    pub addr: u64,
    /// The length of the access in bytes.
    pub len: usize,
    /// `true` for a write, `false` for a read.
    pub write: bool,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.write { "write" } else { "read" };
        write!(f, "{kind} of {} bytes at {:#x} faulted", self.len, self.addr)
    }
}

/// The memory the model works on: the driver's memory plus allocations made on its behalf.
pub trait AddressSpace {
    /// Copies `out.len()` bytes starting at `addr` into `out`.
    fn read(&self, addr: u64, out: &mut [u8]) -> Result<(), Fault>;
    /// Copies `data` to memory starting at `addr`.
    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), Fault>;
    /// Allocates `len` zeroed bytes aligned to `align` (a power of two); `None` when exhausted.
    fn alloc(&mut self, len: usize, align: usize) -> Option<u64>;
    /// Frees a block returned by [`AddressSpace::alloc`]; unknown addresses are ignored.
    fn free(&mut self, addr: u64);
}

/// Typed little-endian accessors for any [`AddressSpace`].
pub trait MemExt: AddressSpace {
    /// Reads `len` bytes into a new vector.
    fn read_vec(&self, addr: u64, len: usize) -> Result<Vec<u8>, Fault> {
        let mut out = vec![0; len];
        self.read(addr, &mut out)?;
        Ok(out)
    }
    /// Reads one byte.
    fn read_u8(&self, addr: u64) -> Result<u8, Fault> {
        let mut b = [0; 1];
        self.read(addr, &mut b)?;
        Ok(b[0])
    }
    /// Reads a little-endian `u16`.
    fn read_u16(&self, addr: u64) -> Result<u16, Fault> {
        let mut b = [0; 2];
        self.read(addr, &mut b)?;
        Ok(u16::from_le_bytes(b))
    }
    /// Reads a little-endian `u32`.
    fn read_u32(&self, addr: u64) -> Result<u32, Fault> {
        let mut b = [0; 4];
        self.read(addr, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    /// Reads a little-endian `u64` (also pointers and handles).
    fn read_u64(&self, addr: u64) -> Result<u64, Fault> {
        let mut b = [0; 8];
        self.read(addr, &mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    /// Writes one byte.
    fn write_u8(&mut self, addr: u64, v: u8) -> Result<(), Fault> {
        self.write(addr, &[v])
    }
    /// Writes a little-endian `u16`.
    fn write_u16(&mut self, addr: u64, v: u16) -> Result<(), Fault> {
        self.write(addr, &v.to_le_bytes())
    }
    /// Writes a little-endian `u32`.
    fn write_u32(&mut self, addr: u64, v: u32) -> Result<(), Fault> {
        self.write(addr, &v.to_le_bytes())
    }
    /// Writes a little-endian `u64` (also pointers and handles).
    fn write_u64(&mut self, addr: u64, v: u64) -> Result<(), Fault> {
        self.write(addr, &v.to_le_bytes())
    }
    /// Allocates a zeroed block and copies `data` into its start.
    fn alloc_with(&mut self, data: &[u8], len: usize, align: usize) -> Option<u64> {
        let addr = self.alloc(len.max(data.len()).max(1), align)?;
        self.write(addr, data).ok()?;
        Some(addr)
    }
}

impl<T: AddressSpace + ?Sized> MemExt for T {}

/// A little-endian `NDIS_OBJECT_HEADER` decoded from memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// `Type`.
    pub kind: u8,
    /// `Revision`.
    pub revision: u8,
    /// `Size`.
    pub size: u16,
}

impl Header {
    /// Reads the four header bytes at `addr`.
    pub fn read(mem: &dyn AddressSpace, addr: u64) -> Result<Self, Fault> {
        let mut b = [0; 4];
        mem.read(addr, &mut b)?;
        Ok(Self { kind: b[0], revision: b[1], size: u16::from_le_bytes([b[2], b[3]]) })
    }
    /// Encodes the header as its four bytes.
    pub fn bytes(self) -> [u8; 4] {
        let s = self.size.to_le_bytes();
        [self.kind, self.revision, s[0], s[1]]
    }
}

impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Type {:#x} Revision {} Size {}", self.kind, self.revision, self.size)
    }
}

/// A self-contained [`AddressSpace`] backed by vectors, for model unit tests and for embedding
/// the model without real pointers. Addresses start at a high, page-aligned base.
#[derive(Debug, Default)]
pub struct ArenaMemory {
    blocks: BTreeMap<u64, Vec<u8>>,
    next: u64,
}

impl ArenaMemory {
    /// First address handed out.
    pub const BASE: u64 = 0x0000_7f00_0000_0000;

    /// An empty arena.
    pub fn new() -> Self {
        Self { blocks: BTreeMap::new(), next: Self::BASE }
    }

    fn locate(&self, addr: u64, len: usize) -> Option<(u64, usize)> {
        let (&start, block) = self.blocks.range(..=addr).next_back()?;
        let offset = usize::try_from(addr - start).ok()?;
        (offset.checked_add(len)? <= block.len()).then_some((start, offset))
    }
}

impl AddressSpace for ArenaMemory {
    fn read(&self, addr: u64, out: &mut [u8]) -> Result<(), Fault> {
        let fault = Fault { addr, len: out.len(), write: false };
        let (start, offset) = self.locate(addr, out.len()).ok_or(fault)?;
        let block = self.blocks.get(&start).ok_or(fault)?;
        out.copy_from_slice(&block[offset..offset + out.len()]);
        Ok(())
    }

    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), Fault> {
        let fault = Fault { addr, len: data.len(), write: true };
        let (start, offset) = self.locate(addr, data.len()).ok_or(fault)?;
        let block = self.blocks.get_mut(&start).ok_or(fault)?;
        block[offset..offset + data.len()].copy_from_slice(data);
        Ok(())
    }

    fn alloc(&mut self, len: usize, align: usize) -> Option<u64> {
        let align = u64::try_from(align.max(16)).ok()?;
        let start = self.next.checked_add(align - 1)? & !(align - 1);
        // A guard gap of one page between blocks catches overruns as faults.
        self.next = start.checked_add(u64::try_from(len).ok()?)?.checked_add(0x1000)?;
        self.blocks.insert(start, vec![0; len]);
        Some(start)
    }

    fn free(&mut self, addr: u64) {
        self.blocks.remove(&addr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arena_round_trips_and_faults_outside_blocks() {
        let mut m = ArenaMemory::new();
        let a = m.alloc(8, 4096).unwrap_or_default();
        assert_eq!(a % 4096, 0);
        assert_eq!(m.write_u32(a + 4, 0xdead_beef), Ok(()));
        assert_eq!(m.read_u32(a + 4), Ok(0xdead_beef));
        assert!(m.read_u32(a + 6).is_err());
        m.free(a);
        assert!(m.read_u8(a).is_err());
    }
}
