//! Device registers mapped with `NdisMMapIoSpace`: 32-bit reads and writes with
//! `READ_REGISTER_ULONG` / `WRITE_REGISTER_ULONG` semantics (a volatile access the compiler
//! may neither drop, merge nor move across other memory accesses).
//!
//! The Windows builds (WDK and cross) touch the mapping directly. The host build calls
//! ndis-sim instead (`ndis_sim_read_register_ulong` / `ndis_sim_write_register_ulong`, host-only
//! symbols, not in the image's import list), which checks the access against the live
//! mappings and forwards it to the simulated device: the only place the host build differs
//! from the image.
//!
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-read_register_ulong>,
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-write_register_ulong>.

use core::ffi::c_void;
use core::ptr::NonNull;

#[cfg(not(windows))]
unsafe extern "system" {
    /// ndis-sim's `READ_REGISTER_ULONG` (host build only).
    fn ndis_sim_read_register_ulong(register: *const u32) -> u32;
    /// ndis-sim's `WRITE_REGISTER_ULONG` (host build only).
    fn ndis_sim_write_register_ulong(register: *mut u32, value: u32);
}

/// A live `NdisMMapIoSpace` mapping of `len` bytes of device registers.
#[derive(Debug)]
pub struct Registers {
    base: NonNull<u32>,
    len: u32,
}

impl Registers {
    /// Wraps the mapping at `base` (`None` for NULL or a misaligned base).
    ///
    /// # Safety
    /// `base` is the VirtualAddress `NdisMMapIoSpace` returned for `len` bytes, and the
    /// mapping stays live (no `NdisMUnmapIoSpace`) while the value exists.
    pub unsafe fn new(base: *mut c_void, len: u32) -> Option<Self> {
        let base = NonNull::new(base.cast::<u32>())?;
        base.as_ptr().is_aligned().then_some(Self { base, len })
    }

    /// Bytes mapped.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// The mapping's base, to unmap it (kernel-internal).
    pub(super) fn base_ptr(&self) -> *mut c_void {
        self.base.as_ptr().cast()
    }

    /// Whether nothing is mapped.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The register at `offset`, if it is 4-aligned and inside the mapping.
    fn at(&self, offset: u32) -> Option<*mut u32> {
        let inside = offset.is_multiple_of(4) && offset.checked_add(4).is_some_and(|end| end <= self.len);
        // CAST: `offset / 4` is below `len / 4`, a u32.
        inside.then(|| self.base.as_ptr().wrapping_add((offset / 4) as usize))
    }

    /// `READ_REGISTER_ULONG` at `offset`; `None` outside the mapping.
    pub fn read(&self, offset: u32) -> Option<u32> {
        let register = self.at(offset)?;
        // SAFETY: `register` is a 4-aligned u32 inside the live mapping (`at`, `new`'s contract).
        Some(unsafe { read_ulong(register) })
    }

    /// `WRITE_REGISTER_ULONG` at `offset`; `None` (and no access) outside the mapping.
    pub fn write(&self, offset: u32, value: u32) -> Option<()> {
        let register = self.at(offset)?;
        // SAFETY: as in `read`.
        unsafe { write_ulong(register, value) };
        Some(())
    }
}

/// # Safety
/// `register` is a 4-aligned register inside a live device mapping.
#[cfg(windows)]
unsafe fn read_ulong(register: *mut u32) -> u32 {
    use core::sync::atomic::{Ordering, compiler_fence};
    compiler_fence(Ordering::SeqCst);
    // SAFETY: the caller's contract.
    let value = unsafe { register.read_volatile() };
    compiler_fence(Ordering::SeqCst);
    value
}

/// # Safety
/// As [`read_ulong`].
#[cfg(windows)]
unsafe fn write_ulong(register: *mut u32, value: u32) {
    use core::sync::atomic::{Ordering, compiler_fence};
    compiler_fence(Ordering::SeqCst);
    // SAFETY: the caller's contract.
    unsafe { register.write_volatile(value) };
    compiler_fence(Ordering::SeqCst);
}

/// # Safety
/// As on Windows; ndis-sim checks the address against the live mappings before any access.
#[cfg(not(windows))]
unsafe fn read_ulong(register: *mut u32) -> u32 {
    // SAFETY: a host-only ndis-sim export taking any address (it validates it).
    unsafe { ndis_sim_read_register_ulong(register) }
}

/// # Safety
/// As [`read_ulong`].
#[cfg(not(windows))]
unsafe fn write_ulong(register: *mut u32, value: u32) {
    // SAFETY: as in `read_ulong`.
    unsafe { ndis_sim_write_register_ulong(register, value) }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use ndis_sim::model::pci::MMIO_OUTSIDE_MAPPING;
    use ndis_sim::{AdapterConfig, Host, HostConfig};
    use ndis_sys::{NDIS_HANDLE, NDIS_STATUS_SUCCESS, NdisMMapIoSpace, NdisMUnmapIoSpace};

    const BAR: u64 = 0xF7C0_0000;

    #[test]
    fn host_build_accesses_go_through_ndis_sim_and_stay_inside_the_mapping() {
        let mut host = Host::new(HostConfig::default());
        host.load_driver(crate::DriverEntry).unwrap();
        let a = host.add_adapter(AdapterConfig::default()).unwrap();
        host.with_model(|m, _| m.assign_io_range(a.0, BAR, 0x1000));
        let handle = a.0 as usize as NDIS_HANDLE;
        let mut va: *mut c_void = core::ptr::null_mut();
        // SAFETY: a valid out-parameter and this host's adapter handle.
        let status = unsafe { NdisMMapIoSpace(&raw mut va, handle, BAR as i64, 0x1000) };
        assert_eq!(status, NDIS_STATUS_SUCCESS);
        {
            // SAFETY: the mapping just returned, unmapped only after `regs` goes out of scope.
            let regs = unsafe { Registers::new(va, 0x1000) }.unwrap();
            assert_eq!(regs.write(0x10, 0xABCD_0123), Some(()));
            assert_eq!(regs.read(0x10), Some(0xABCD_0123));
            assert_eq!(regs.read(0x1000), None, "past the end: no access");
            assert_eq!(regs.read(0x2), None, "misaligned: no access");
        }
        // SAFETY: the mapping made above.
        unsafe { NdisMUnmapIoSpace(handle, va, 0x1000) };
        assert!(host.take_violations().is_empty());

        // A register block over memory NDIS never mapped: ndis-sim reports every access.
        let mut plain = [0u32; 4];
        // SAFETY: not a mapping (on purpose); ndis-sim never dereferences it.
        let bogus = unsafe { Registers::new(plain.as_mut_ptr().cast(), 16) }.unwrap();
        assert_eq!(bogus.read(0), Some(u32::MAX));
        let v = host.take_violations();
        assert!(v.iter().any(|v| v.rule == MMIO_OUTSIDE_MAPPING), "{v:#?}");
    }
}
