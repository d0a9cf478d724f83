//! The trampolines: every `extern "system"` entry point NDIS calls, in one place.
//!
//! Each turns raw pointers into borrowed safe values whose lifetime is the call,
//! calls the safe core, and writes the result back in NDIS's terms. `unsafe` is
//! allowed here and in [`crate::kernel`], nowhere else in the driver.

pub mod driver;
#[cfg(not(windows))]
pub mod host_hooks;
mod miniport;
mod oid;
