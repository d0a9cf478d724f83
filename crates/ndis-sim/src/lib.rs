//! A strict, deterministic simulated NDIS for host tests of the vmqnic miniport; see <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-miniport-drivers2>.
//!
//! The crate *defines* the NDIS and ntoskrnl exports the driver imports (`NdisAllocateSharedMemory`,
//! `NdisMRegisterMiniportDriver`, ...), so the driver's real FFI calls land here unchanged, and
//! calls the driver back through the handlers it registered.
//!
//! Layers, each using only the ones above it in this list:
//! - [`model`]: the NDIS model (ledgers, rules, fault injection, VMQ OID payloads),
//!   `#![forbid(unsafe_code)]`, reaching memory only through [`model::AddressSpace`] and the
//!   driver only through [`model::Env`].
//! - [`sim`]: [`Sim`], the host actions that call into the driver (load, add adapter, OIDs,
//!   pause, halt, send, work items), written once for any `Env`.
//! - `ffi` (private): the `#[no_mangle]` exports, [`HostMemory`] and [`HostEnv`]; all `unsafe`.
//! - [`host`]: [`Host`], the test-facing handle (one per test thread).
//! - [`vswitch`]: the Hyper-V vSwitch script (and the VMQ payload API) over any `Sim<E>`.

/// `offset_of!` on an `ndis_sys` struct, as a `u64` address offset.
macro_rules! off {
    ($ty:ident, $($field:tt)+) => {
        (::core::mem::offset_of!(::ndis_sys::$ty, $($field)+) as u64)
    };
}

/// `size_of` of an `ndis_sys` struct, as `usize`.
macro_rules! size {
    ($ty:ident) => {
        ::core::mem::size_of::<::ndis_sys::$ty>()
    };
}

#[forbid(unsafe_code)]
#[path = "model/mod.rs"]
mod model_layer;

/// The NDIS model (the bottom layer), plus [`Sim`] kept at its former
/// path `ndis_sim::model::Sim`.
pub mod model {
    pub use crate::model_layer::*;
    pub use crate::sim::Sim;
}

#[forbid(unsafe_code)]
pub mod sim;

mod ffi;
pub mod host;
pub mod qemu;
#[forbid(unsafe_code)]
pub mod vswitch;

pub use ffi::{HostEnv, HostMemory, current_irql};
pub use host::{DriverEntryFn, Host};
pub use model::adapter::Phase;
pub use model::attributes::{GeneralAttributes, ReceiveFilterCapabilities, RegistrationAttributes};
pub use model::config::{APC_LEVEL, DISPATCH_LEVEL, HIGH_LEVEL, PASSIVE_LEVEL};
pub use model::frames::{FrameError, FrameSpec};
pub use model::oid::{OidResult, RequestKind};
pub use model::report::{PoolReport, QueueSharedMemory, Report, SharedMemoryReport, StatusRecord, TagReport};
pub use model::rules;
pub use model::traffic::{QueueTraffic, Traffic};
pub use model::{AdapterConfig, AddressSpace, Env, HostConfig, MiniportCall, Model, Violation};
pub use sim::{AdapterId, SendResult, Sim, SimError};
pub use vswitch::{FilterField, QueueId, QueueSpec};
