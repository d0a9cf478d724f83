//! Kernel support: safe owners of NDIS resources (pool, spin locks, shared memory,
//! configuration, attributes, indications) and the target glue the wdk-* crates
//! provide on a WDK build (panic handler, debug print) with their cross-build twins.
//!
//! `unsafe` is allowed here (and in `ffi`), nowhere else in the driver: every type
//! below wraps one NDIS resource and exposes a safe API to the VMQ core.

pub mod attributes;
pub mod bus_data;
pub mod bytes;
pub mod config;
pub mod dma;
pub mod dma_ring;
pub mod dpc;
mod handle;
pub mod hub;
pub mod indicate;
pub mod interrupt;
pub mod io_space;
pub mod lock;
pub mod mmio;
pub mod msix;
pub mod nbl;
pub mod oid_request;
pub mod pool;
mod queue_id;
pub mod resources;
pub mod shared_memory;
pub mod work_item;

pub use handle::NdisHandle;
pub use queue_id::QueueId;

#[cfg(all(windows, vmqnic_cross))]
mod cross;
#[cfg(all(windows, not(vmqnic_cross)))]
mod wdk;

/// Writes a line to the kernel debugger (a no-op on the host build).
#[cfg(not(windows))]
pub fn debug_print(_msg: &str) {}
#[cfg(all(windows, vmqnic_cross))]
pub use cross::debug_print;
#[cfg(all(windows, not(vmqnic_cross)))]
pub use wdk::debug_print;

/// The OID payloads the driver reads only through bounds-checked byte views (never as typed
/// values), so rustc would not describe them in the PDB. This never-set function pointer
/// (8 bytes, always `None`) makes the PDB describe each under its WDK name: WinDbg can
/// `dt vmqnic!NDIS_RECEIVE_QUEUE_PARAMETERS <InformationBuffer>`, and `cargo xtask package`
/// holds their layouts against ndis-sys's assertions. Windows builds only.
#[cfg(windows)]
type OidPayloadTypes = fn(
    &ndis_sys::NDIS_RECEIVE_QUEUE_PARAMETERS,
    &ndis_sys::NDIS_RECEIVE_QUEUE_FREE_PARAMETERS,
    &ndis_sys::NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY,
    &ndis_sys::NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_PARAMETERS,
    &ndis_sys::NDIS_RECEIVE_FILTER_PARAMETERS,
    &ndis_sys::NDIS_RECEIVE_FILTER_FIELD_PARAMETERS,
    &ndis_sys::NDIS_RECEIVE_FILTER_CLEAR_PARAMETERS,
);

/// See [`OidPayloadTypes`]; kept by `#[used]`, never read.
#[cfg(windows)]
#[used]
static OID_PAYLOAD_DEBUG_TYPES: Option<OidPayloadTypes> = None;
