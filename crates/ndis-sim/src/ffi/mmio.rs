//! Register access of the host build: the driver's `READ_REGISTER_ULONG` /
//! `WRITE_REGISTER_ULONG` (its `kernel::mmio`) call these instead of touching the address, so
//! every access goes through the model's mapping check to the device. Host-only: not NDIS
//! exports, and not in the image's import list.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-read_register_ulong>.

use super::with_host;

/// `READ_REGISTER_ULONG(Register)` of the host build.
///
/// # Safety
/// `register` is an address inside a mapping `NdisMMapIoSpace` returned (the model checks it
/// and reports the access otherwise; it never dereferences an unmapped address).
#[unsafe(no_mangle)]
pub unsafe extern "system" fn ndis_sim_read_register_ulong(register: *const u32) -> u32 {
    let address = register as usize as u64;
    with_host("READ_REGISTER_ULONG", u32::MAX, |m, mem| m.read_register(mem, address))
}

/// `WRITE_REGISTER_ULONG(Register, Value)` of the host build.
///
/// # Safety
/// As [`ndis_sim_read_register_ulong`].
#[unsafe(no_mangle)]
pub unsafe extern "system" fn ndis_sim_write_register_ulong(register: *mut u32, value: u32) {
    let address = register as usize as u64;
    with_host("WRITE_REGISTER_ULONG", (), |m, mem| m.write_register(mem, address, value));
}
