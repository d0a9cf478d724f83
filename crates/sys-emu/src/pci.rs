//! QEMU's igb as the PCI NIC of an emulated host: the driver image reaches the device the way
//! it would on Windows — DMA memory through its virtual addresses (QEMU's guest RAM, mapped
//! into the emulator at [`GUEST_RAM_WINDOW`], so bus address `pa` is guest-virtual
//! `GUEST_RAM_WINDOW + pa`), and registers through the `NdisMMapIoSpace` mapping, an emulator
//! MMIO range at [`MMIO_WINDOW`] whose reads and writes go through the model (mapping check,
//! DMA check) to QEMU.
//!
//! The one module of the crate with `unsafe`: `mem_map_ptr` hands unicorn a host pointer.

use std::time::Duration;

use ndis_sim::qemu::regs::BAR0_LEN;
use ndis_sim::qemu::{Igb, IgbNic, QemuError, QemuOptions};

use crate::host::EmuEnv;
use crate::machine::with_model;
use unicorn_engine::Prot;

/// Guest-virtual address of guest-physical 0 (a kernel address away from the heap).
pub const GUEST_RAM_WINDOW: u64 = 0xFFFF_B000_0000_0000;
/// Guest-virtual address of BAR0's register window.
pub const MMIO_WINDOW: u64 = 0xFFFF_C000_0000_0000;

impl EmuEnv {
    /// Starts QEMU's igb, resets it and waits for link, maps its guest RAM and its BAR0 window
    /// into the emulator, and attaches it to the model: the next adapter initialized is this
    /// PCI NIC. Once per host (a second call fails). Returns how long the link took.
    pub fn attach_igb(&mut self, options: &QemuOptions) -> Result<Duration, QemuError> {
        if with_model(&mut self.uc, |m, _| m.pci_device().is_some()) {
            return Err(QemuError::Pci("a PCI device is already attached to this host".into()));
        }
        let mut igb = Igb::start(options)?;
        let link = igb.reset_and_link_up(Duration::from_secs(10))?;
        let (host, len) = (igb.ram().host_address(), igb.ram().len());
        let map = |e| QemuError::Pci(format!("mapping guest RAM into the emulator: {e:?}"));
        // `host` starts the shared mapping of `len` bytes of guest RAM, owned by the `Igb` that
        // moves into the model below; the model lives in this unicorn instance's user data,
        // which unicorn drops only after closing the engine (and with it this mapping).
        // SAFETY: so the memory outlives every guest access through the mapping, and a host
        // attaches a device once (checked above).
        unsafe { self.uc.mem_map_ptr(GUEST_RAM_WINDOW, len, Prot::READ | Prot::WRITE, host as usize as *mut _) }
            .map_err(map)?;
        self.uc
            .mmio_map(
                MMIO_WINDOW,
                u64::from(BAR0_LEN),
                Some(|uc: &mut unicorn_engine::Unicorn<'_, _>, offset: u64, _size: usize| {
                    u64::from(with_model(uc, |m, mem| m.read_register(mem, MMIO_WINDOW + offset)))
                }),
                Some(|uc: &mut unicorn_engine::Unicorn<'_, _>, offset: u64, _size: usize, value: u64| {
                    // CAST: the 82576's registers are 32 bits wide.
                    with_model(uc, |m, mem| m.write_register(mem, MMIO_WINDOW + offset, value as u32));
                }),
            )
            .map_err(map)?;
        with_model(&mut self.uc, |m, _| {
            m.attach_pci_device(Box::new(IgbNic::new(igb)), GUEST_RAM_WINDOW);
            m.set_mmio_window(MMIO_WINDOW);
        });
        Ok(link)
    }
}
