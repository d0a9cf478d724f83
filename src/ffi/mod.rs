//! The trampolines: every `extern "system"` entry point NDIS calls, in one place.
//!
//! Each turns raw pointers into borrowed safe values whose lifetime is the call,
//! calls the safe core, and writes the result back in NDIS's terms. `unsafe` is
//! allowed here and in [`crate::kernel`], nowhere else in the driver.

use crate::backend::soft::SoftNic;
use crate::vmq::adapter::Adapter;

pub mod driver;
#[cfg(not(windows))]
pub mod host_hooks;
pub mod interrupt;
mod miniport;
mod oid;

/// The adapter the trampolines instantiate: the VMQ core over the software NIC. This is
/// the one place a concrete back end is chosen.
pub type DriverAdapter = Adapter<SoftNic>;
