//! The trampolines: every `extern "system"` entry point NDIS calls, in one place.
//!
//! Each turns raw pointers into borrowed safe values whose lifetime is the call,
//! calls the safe core, and writes the result back in NDIS's terms. `unsafe` is
//! allowed here and in [`crate::kernel`], nowhere else in the driver.

use crate::backend::nic::Nic;
use crate::vmq::adapter::Adapter;

pub mod driver;
mod extension;
#[cfg(not(windows))]
pub mod host_hooks;
pub mod interrupt;
mod miniport;
mod oid;
mod transmit;

/// The adapter the trampolines instantiate: the VMQ core over [`Nic`], the 82576 or the
/// software NIC, chosen per adapter from its resources in MiniportInitializeEx
/// (`miniport::initialize`). This is the one place back ends are named.
pub type DriverAdapter = Adapter<Nic>;
