//! One `NdisMMapIoSpace` mapping of device registers, owned: unmapped by `NdisMUnmapIoSpace`
//! (same address and length) on drop. Accesses go through [`super::mmio::Registers`].
//!
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismmapiospace>,
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismunmapiospace>.
//!
//! IRQL: map and unmap are PASSIVE_LEVEL (MiniportInitializeEx, MiniportHaltEx, or an
//! initialize failure); register accesses through [`IoSpace::registers`] are any IRQL.

use core::ffi::c_void;

use ndis_sys::{NDIS_STATUS, NDIS_STATUS_FAILURE, NDIS_STATUS_SUCCESS, NdisMMapIoSpace, NdisMUnmapIoSpace};

use super::NdisHandle;
use super::mmio::Registers;
use super::resources::MemoryBar;

/// A live mapping of a memory BAR.
///
/// # Invariants
/// `registers` wraps the VirtualAddress `NdisMMapIoSpace(adapter, bar.start, bar.length)`
/// returned, not yet unmapped.
#[derive(Debug)]
pub struct IoSpace {
    adapter: NdisHandle,
    registers: Registers,
}

// SAFETY: a register mapping is usable from any processor (READ/WRITE_REGISTER_ULONG at any
// IRQL); the owner is the only one to unmap it.
unsafe impl Send for IoSpace {}
// SAFETY: register accesses through `&Registers` are single volatile accesses; the device
// serializes them. Sequences that must not interleave are the caller's to lock.
unsafe impl Sync for IoSpace {}

impl IoSpace {
    /// Maps `bar` of `adapter`. PASSIVE_LEVEL.
    ///
    /// # Errors
    /// The status NDIS returned (`NDIS_STATUS_FAILURE` if it returned success with a NULL or
    /// misaligned address, which is then unmapped).
    pub fn map(adapter: NdisHandle, bar: MemoryBar) -> Result<Self, NDIS_STATUS> {
        let physical = i64::try_from(bar.start).map_err(|_| NDIS_STATUS_FAILURE)?;
        let mut va: *mut c_void = core::ptr::null_mut();
        // SAFETY: `va` is a valid out slot; the range is the adapter's (NDIS checks it).
        let status = unsafe { NdisMMapIoSpace(&raw mut va, adapter.as_raw(), physical, bar.length) };
        if status != NDIS_STATUS_SUCCESS {
            return Err(status);
        }
        // SAFETY: `va` is the mapping just made for `bar.length` bytes; it lives until `Drop`.
        match unsafe { Registers::new(va, bar.length) } {
            Some(registers) => Ok(Self { adapter, registers }),
            None => {
                if !va.is_null() {
                    // SAFETY: the mapping just made, unmapped once with its length.
                    unsafe { NdisMUnmapIoSpace(adapter.as_raw(), va, bar.length) };
                }
                Err(NDIS_STATUS_FAILURE)
            }
        }
    }

    /// The registers of the mapping (borrowed: they cannot outlive it).
    #[must_use]
    pub const fn registers(&self) -> &Registers {
        &self.registers
    }
}

impl Drop for IoSpace {
    fn drop(&mut self) {
        // SAFETY: the type invariant: the live mapping of `len` bytes, unmapped once.
        unsafe { NdisMUnmapIoSpace(self.adapter.as_raw(), self.registers.base_ptr(), self.registers.len()) };
    }
}
