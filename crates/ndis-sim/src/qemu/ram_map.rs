//! The mapping of QEMU's guest-RAM file: the only `unsafe` of the QEMU layer.
//!
//! QEMU runs with `-object memory-backend-file,...,share=on`, so guest physical memory *is* the
//! file and a shared mapping of it sees every DMA write of the device model (descriptor
//! write-backs, frame bytes, MSI-X message words), while the device reads what the host writes.
//! Guest-physical address = file offset. Both processes write the memory concurrently, so it is
//! never exposed as a Rust reference to bytes: each access is a bounds-checked volatile copy
//! through the raw pointer, and taking an MSI-X message word is one atomic swap.

use std::fs::File;
use std::io;
use std::sync::atomic::{AtomicU32, Ordering, fence};

use memmap2::MmapRaw;

/// A shared, read-write mapping of the whole guest-RAM file.
///
/// # Invariants
/// `map` covers `[0, len)` for the life of the value; nothing else in this process maps or
/// references that memory.
#[derive(Debug)]
pub(crate) struct RamMap {
    map: MmapRaw,
}

impl RamMap {
    /// Maps `file` (opened read-write) shared.
    pub(crate) fn new(file: &File) -> io::Result<Self> {
        Ok(Self { map: MmapRaw::map_raw(file)? })
    }

    /// The address of offset 0 in this process: where a host-built driver sees guest RAM.
    pub(crate) fn base_address(&self) -> u64 {
        // CAST: an address fits u64.
        self.map.as_ptr() as usize as u64
    }

    /// Size of the mapping in bytes.
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// `offset` as an index when `[offset, offset + len)` lies in the mapping.
    fn index(&self, offset: u64, len: usize) -> Option<usize> {
        let start = usize::try_from(offset).ok()?;
        (start.checked_add(len)? <= self.map.len()).then_some(start)
    }

    /// Copies guest memory at `offset` into `buf`; `None` when the range leaves the mapping.
    pub(crate) fn read(&self, offset: u64, buf: &mut [u8]) -> Option<()> {
        let base = self.map.as_ptr().wrapping_add(self.index(offset, buf.len())?);
        for (i, byte) in buf.iter_mut().enumerate() {
            // SAFETY: `base + i` is inside the mapping (checked by `index`), which lives as long
            // as `self`; volatile because QEMU writes this memory behind the compiler's back.
            *byte = unsafe { base.wrapping_add(i).read_volatile() };
        }
        // Bytes read after a status word must not be read before it (descriptor DD, then data).
        fence(Ordering::Acquire);
        Some(())
    }

    /// Copies `data` into guest memory at `offset`; `None` when the range leaves the mapping.
    pub(crate) fn write(&self, offset: u64, data: &[u8]) -> Option<()> {
        let base = self.map.as_mut_ptr().wrapping_add(self.index(offset, data.len())?);
        // Everything written before (buffers) is visible before this (a descriptor, then RDT).
        fence(Ordering::Release);
        for (i, byte) in data.iter().enumerate() {
            // SAFETY: `base + i` is inside the writable shared mapping (checked by `index`), which
            // lives as long as `self`; volatile because QEMU reads this memory concurrently.
            unsafe { base.wrapping_add(i).write_volatile(*byte) };
        }
        fence(Ordering::Release);
        Some(())
    }

    /// Atomically replaces the 32-bit word at `offset` (4-aligned) by `value`, returning the old
    /// one; `None` when misaligned or outside the mapping. A device write racing with the swap
    /// lands either before it (returned) or after it (left for the next swap), never lost.
    pub(crate) fn swap_u32(&self, offset: u64, value: u32) -> Option<u32> {
        if !offset.is_multiple_of(4) {
            return None;
        }
        let ptr = self.map.as_mut_ptr().wrapping_add(self.index(offset, 4)?).cast::<u32>();
        // SAFETY: `ptr` is 4-aligned (the mapping is page-aligned, `offset` is a multiple of 4),
        // inside the mapping for the life of `self`, and only ever accessed atomically or by
        // volatile copies in this process; QEMU's DMA store to it is a single aligned store.
        let word = unsafe { AtomicU32::from_ptr(ptr) };
        Some(word.swap(value, Ordering::AcqRel))
    }
}
