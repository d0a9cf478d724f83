//! One `NdisMAllocateSharedMemory` block (descriptor rings, receive buffers), owned: freed by
//! `NdisMFreeSharedMemory` with the same length, caching and addresses on drop.
//!
//! The driver reaches the bytes only through bounds-checked, volatile copies by offset: the
//! device writes into the block at any time (descriptor write-back, received frames), so no
//! Rust reference to its bytes is ever handed out.
//!
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismallocatesharedmemory>,
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismfreesharedmemory>.
//!
//! IRQL: allocate and free are PASSIVE_LEVEL (a `DmaBlock` is dropped only on PASSIVE paths:
//! initialize unwinding, halt); reads and writes are any IRQL. The adapter must have
//! registered scatter-gather DMA (`super::dma::ScatterGatherDma`) first.

use core::ptr::NonNull;

use ndis_sys::{BOOLEAN, FALSE, NDIS_PHYSICAL_ADDRESS, NdisMAllocateSharedMemory, NdisMFreeSharedMemory, TRUE};

use super::NdisHandle;

/// Why an allocation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DmaBlockError {
    /// A zero length.
    Empty,
    /// NDIS returned a NULL virtual address (out of memory, or no SG DMA registered).
    NotAllocated,
}

/// An owned block of NDIS DMA memory.
///
/// # Invariants
/// `va`/`logical` are what `NdisMAllocateSharedMemory(adapter, length, cached, ..)` returned,
/// not yet freed; `va` points to `length` bytes.
#[derive(Debug)]
pub struct DmaBlock {
    adapter: NdisHandle,
    va: NonNull<u8>,
    logical: u64,
    length: u32,
    cached: bool,
}

// SAFETY: the block is owned exclusively; its bytes are reached only by volatile copies.
unsafe impl Send for DmaBlock {}
// SAFETY: `&self` methods only read (volatile) or report addresses.
unsafe impl Sync for DmaBlock {}

impl DmaBlock {
    /// Allocates `length` bytes for `adapter`. PASSIVE_LEVEL.
    ///
    /// # Errors
    /// See [`DmaBlockError`]; nothing is left allocated on error.
    pub fn allocate(adapter: NdisHandle, length: u32, cached: bool) -> Result<Self, DmaBlockError> {
        if length == 0 {
            return Err(DmaBlockError::Empty);
        }
        let mut va: *mut core::ffi::c_void = core::ptr::null_mut();
        let mut logical: NDIS_PHYSICAL_ADDRESS = 0;
        let flag: BOOLEAN = if cached { TRUE } else { FALSE };
        // SAFETY: valid out slots; the adapter handle NDIS gave the driver.
        unsafe { NdisMAllocateSharedMemory(adapter.as_raw(), length, flag, &raw mut va, &raw mut logical) };
        let va = NonNull::new(va.cast::<u8>()).ok_or(DmaBlockError::NotAllocated)?;
        // CAST: a logical address is never negative (the WDK's LARGE_INTEGER carries a u64).
        Ok(Self { adapter, va, logical: logical as u64, length, cached })
    }

    /// The device's (logical) address of byte 0.
    #[must_use]
    pub const fn logical_address(&self) -> u64 {
        self.logical
    }

    /// Bytes allocated.
    #[must_use]
    pub const fn length(&self) -> u32 {
        self.length
    }

    /// The device address of byte `offset`, if inside the block.
    #[must_use]
    pub fn logical_at(&self, offset: u32) -> Option<u64> {
        (offset < self.length).then(|| self.logical + u64::from(offset))
    }

    fn range(&self, offset: usize, len: usize) -> Option<*mut u8> {
        let end = offset.checked_add(len)?;
        // CAST: u32 -> usize widens on every target.
        (end <= self.length as usize).then(|| self.va.as_ptr().wrapping_add(offset))
    }

    /// Copies bytes `offset..offset + buf.len()` out (volatile: the device may have written
    /// them). `None` (and nothing read) if the range leaves the block.
    pub fn read(&self, offset: usize, buf: &mut [u8]) -> Option<()> {
        let at = self.range(offset, buf.len())?;
        for (i, b) in buf.iter_mut().enumerate() {
            // SAFETY: `at + i` lies inside the live block (`range`); a byte read is aligned.
            *b = unsafe { at.wrapping_add(i).read_volatile() };
        }
        Some(())
    }

    /// Copies `data` in at `offset` (volatile: the device reads it). `None` (and nothing
    /// written) if the range leaves the block.
    pub fn write(&mut self, offset: usize, data: &[u8]) -> Option<()> {
        let at = self.range(offset, data.len())?;
        for (i, b) in data.iter().enumerate() {
            // SAFETY: as in `read`.
            unsafe { at.wrapping_add(i).write_volatile(*b) };
        }
        Some(())
    }
}

impl Drop for DmaBlock {
    fn drop(&mut self) {
        let flag: BOOLEAN = if self.cached { TRUE } else { FALSE };
        // CAST: back to the LARGE_INTEGER NDIS returned.
        let logical = self.logical as NDIS_PHYSICAL_ADDRESS;
        // SAFETY: the type invariant: freed once, with what the allocation returned.
        unsafe { NdisMFreeSharedMemory(self.adapter.as_raw(), self.length, flag, self.va.as_ptr().cast(), logical) };
    }
}
