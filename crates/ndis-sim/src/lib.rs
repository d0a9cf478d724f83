//! A strict, deterministic simulated NDIS for host tests of the vmqnic miniport; see <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-miniport-drivers2>.
//!
//! The crate *defines* the NDIS and ntoskrnl exports the driver imports (`NdisAllocateSharedMemory`,
//! `NdisMRegisterMiniportDriver`, ...), so the driver's real FFI calls land here unchanged, and
//! calls the driver back through the handlers it registered.
//!
//! Layers:
//! - [`model`]: the NDIS model (ledgers, rules, fault injection), `#![forbid(unsafe_code)]`,
//!   reaching memory only through [`model::AddressSpace`] and the driver only through
//!   [`model::Env`]; [`model::Sim`] holds the host actions, written once for any `Env`.
//! - `ffi` (private): the `#[no_mangle]` exports, [`HostMemory`] and [`HostEnv`]; all `unsafe`.
//! - [`host`]: [`Host`], the test-facing handle (one per test thread).
//! - [`vswitch`]: VMQ OID payload builders/parsers and the queue helpers.

#[forbid(unsafe_code)]
pub mod model;

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
pub use model::sim::{self, AdapterId, SendResult, SimError};
pub use model::traffic::{QueueTraffic, Traffic};
pub use model::{AdapterConfig, AddressSpace, Env, HostConfig, MiniportCall, Model, Sim, Violation};
pub use vswitch::{FilterField, QueueId, QueueSpec};
