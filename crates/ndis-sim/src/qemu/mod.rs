//! QEMU's Intel 82576 (`igb`) device model as the simulated host's NIC, driven over qtest.
//!
//! No guest OS runs: QEMU halts its vCPU at reset, and this process plays the parts of the PCI
//! bus driver, the HAL's interrupt delivery and the miniport's register accesses.
//!
//! Layers:
//! - plumbing: [`process`] (start QEMU, unique sockets and files per instance, `Drop` kills and
//!   cleans up), [`qtest`] / [`qtest_line`] (the qtest protocol, typed), [`qmp`] (`set_link`),
//!   and `ram_map`, the only `unsafe` (the shared mapping of the guest-RAM file).
//! - device, `#![forbid(unsafe_code)]`: [`pci`] (bring-up), [`regs`] (82576 registers),
//!   [`guest_ram`] and [`dma_alloc`] (DMA memory), [`msix`] (messages observed as memory
//!   writes), [`wire`] (frames in and out), and [`device::Igb`], the object a model owns.
//!
//! QEMU is found by [`find::find_qemu`]; without it every entry point fails with an error that
//! names the Debian package (`apt-get install -t bookworm-backports qemu-system-x86`).
//!
//! ```no_run
//! use std::time::Duration;
//! use ndis_sim::qemu::{Igb, QemuOptions, Reg};
//!
//! # fn main() -> Result<(), ndis_sim::qemu::QemuError> {
//! let mut igb = Igb::start(&QemuOptions::default())?; // QEMU up, PCI and MSI-X set up
//! igb.reset_and_link_up(Duration::from_secs(10))?;    // ~0.5 s of auto-negotiation
//! let ring = igb.ram_mut().alloc(64 * 16, 128)?;      // DMA memory in guest RAM
//! igb.write(Reg::rdbal(0), ring.addr() as u32)?;      // BAR0 registers over qtest
//! igb.wire().send(&[0xFF; 60])?;                       // a frame onto the NIC's cable
//! igb.poll_msix()?;                                    // MSI-X messages seen as RAM writes
//! # Ok(()) }
//! ```

pub mod error;
pub mod find;
pub mod process;
pub mod qmp;
pub mod qtest;
pub mod qtest_line;
mod ram_map;

#[forbid(unsafe_code)]
pub mod device;
#[forbid(unsafe_code)]
pub mod dma_alloc;
#[forbid(unsafe_code)]
pub mod guest_ram;
#[forbid(unsafe_code)]
pub mod msix;
#[forbid(unsafe_code)]
pub mod nic;
#[forbid(unsafe_code)]
pub mod pci;
#[forbid(unsafe_code)]
pub mod regs;
#[forbid(unsafe_code)]
pub mod wire;

pub use device::Igb;
pub use error::QemuError;
pub use guest_ram::{DmaRegion, GuestRam};
pub use nic::{IgbNic, attach_igb};
pub use process::{QemuOptions, StartTimings};
pub use regs::Reg;
