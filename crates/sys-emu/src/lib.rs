//! Runs the cross-built `vmqnic.sys` on Linux: an x86-64 emulator (unicorn) front end for
//! `ndis-sim`, so the PE image — its calling convention, struct layouts as compiled,
//! relocations, stack probes and imports — goes through the same NDIS model and rules as the
//! host-compiled driver. See <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-miniport-drivers2>.
//!
//! ```ignore
//! let mut host = EmuHost::load("target/package/vmqnic/vmqnic.sys", HostConfig::default().seed(7))?;
//! host.load_driver()?;
//! let a = host.add_adapter(AdapterConfig::default())?;   // any ndis_sim::Sim action
//! ```
//!
//! Layers: [`image`] reads the PE file; `cpu` maps it and runs guest calls (nested included);
//! `imports` answers every import through the model over `machine::GuestMemory`; [`pci`]
//! puts QEMU's igb behind an adapter (guest RAM and BAR0 mapped into the emulator);
//! [`EmuHost`] is the test- and runner-facing handle. `unsafe` only in [`pci`]: mapping
//! QEMU's guest RAM into the emulator (`mem_map_ptr`).

// `unsafe` is denied everywhere but `pci` (the guest-RAM mapping handed to unicorn).
#![deny(unsafe_code)]

mod cpu;
pub mod error;
mod host;
pub mod image;
mod imports;
pub mod layout;
mod machine;
#[allow(unsafe_code)]
pub mod pci;
pub mod stats;

pub use error::{EmuError, LoadError};
pub use host::{DEFAULT_BUDGET, EmuEnv, EmuHost, EmuOptions};
pub use imports::Cpu;
pub use stats::{CallCount, Stats};
