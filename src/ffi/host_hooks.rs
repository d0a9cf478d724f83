//! Host-only access to live adapters, for benchmarks and tools (not built for Windows).
//!
//! NDIS keeps the adapter context; a host program that wants to time the driver's
//! receive hot path without NDIS in the loop asks for it by the context address
//! ndis-sim saw in the registration attributes. Only contexts registered by a
//! successful MiniportInitializeEx and not yet halted are handed out, and the
//! registry lock is held while the caller uses the adapter, so halt cannot free it.

extern crate std;

use std::sync::Mutex;
use std::vec::Vec;

use super::DriverAdapter;

static LIVE: Mutex<Vec<usize>> = Mutex::new(Vec::new());

pub(super) fn register(context: usize) {
    if let Ok(mut live) = LIVE.lock() {
        live.push(context);
    }
}

pub(super) fn unregister(context: usize) {
    if let Ok(mut live) = LIVE.lock() {
        live.retain(|c| *c != context);
    }
}

/// Runs `f` with the live adapter whose MiniportAdapterContext is `context`
/// (`None` if there is no such adapter).
pub fn with_adapter<R>(context: u64, f: impl FnOnce(&DriverAdapter) -> R) -> Option<R> {
    let live = LIVE.lock().ok()?;
    let address = usize::try_from(context).ok()?;
    if !live.contains(&address) {
        return None;
    }
    // SAFETY: `address` was registered by `initialize` for a live adapter context and is
    // removed by `halt` before the context is freed; `live` stays locked while `f` runs.
    let adapter = unsafe { &*(address as *const DriverAdapter) };
    Some(f(adapter))
}
