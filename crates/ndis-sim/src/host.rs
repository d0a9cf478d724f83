//! [`Host`]: one simulated Windows host with NDIS, for one test thread.
//!
//! ```ignore
//! let mut host = Host::new(HostConfig::default().seed(7));
//! host.load_driver(vmqnic::DriverEntry)?;
//! let a = host.add_adapter(AdapterConfig::default().keyword("*VMQ", 1))?;
//! let q = host.allocate_queue(a, QueueSpec::default())?;
//! ```
//!
//! `Host` dereferences to [`Sim<HostEnv>`](crate::sim::Sim), which carries every action
//! (`add_adapter`, `oid_query`, `pause`, `halt`, `send`, `allocate_queue`, ...) and view
//! (`report`, `take_violations`, ...). Dropping a host with violations nobody took panics,
//! naming the rules, so a test that breaks an NDIS rule fails.

use std::cell::RefCell;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::rc::Rc;

use crate::ffi::{self, HostEnv, HostMemory, HostState, SharedHost};
use crate::model::{HostConfig, Model};
use crate::sim::{Sim, SimError};

/// `DRIVER_INITIALIZE`: the type of a driver's `DriverEntry`.
pub type DriverEntryFn = ndis_sys::DRIVER_INITIALIZE;

/// The address of a host-linked DriverEntry, as [`Sim::load_driver_at`] and
/// [`Script::run`](crate::vswitch::Script::run) take it (the counterpart of the emulator's
/// guest entry point).
pub fn entry_point(entry: DriverEntryFn) -> u64 {
    // CAST: a function pointer fits in 64 bits on every host this runs on.
    entry as usize as u64
}

/// One simulated host, installed as the current host of this thread while it lives.
#[derive(Debug)]
pub struct Host {
    sim: Sim<HostEnv>,
    state: SharedHost,
    /// A host belongs to the thread whose exports it answers.
    _not_send: PhantomData<*const ()>,
}

impl Host {
    /// Creates a host and makes it this thread's current host (hosts nest: the newest wins).
    pub fn new(config: HostConfig) -> Self {
        let state = Rc::new(RefCell::new(HostState { model: Model::new(config), memory: HostMemory::new() }));
        ffi::install(Rc::clone(&state));
        Self { sim: Sim::new(HostEnv::new(Rc::clone(&state))), state, _not_send: PhantomData }
    }

    /// Loads a driver: builds a fake DRIVER_OBJECT and registry path and calls `entry`
    /// (DriverEntry) at PASSIVE_LEVEL. Pass the function by value, e.g. `vmqnic::DriverEntry`.
    pub fn load_driver(&mut self, entry: DriverEntryFn) -> Result<(), SimError> {
        self.sim.load_driver_at(entry_point(entry))
    }
}

impl Default for Host {
    fn default() -> Self {
        Self::new(HostConfig::default())
    }
}

impl Deref for Host {
    type Target = Sim<HostEnv>;

    fn deref(&self) -> &Self::Target {
        &self.sim
    }
}

impl DerefMut for Host {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.sim
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        ffi::uninstall(&self.state);
        if std::thread::panicking() {
            return;
        }
        let left = self.sim.take_violations();
        if !left.is_empty() {
            let list: Vec<String> = left.iter().map(|v| format!("  {v}")).collect();
            #[allow(clippy::panic, reason = "strictness: an NDIS rule violation nobody took must fail the test")]
            {
                panic!(
                    "ndis-sim: {} NDIS rule violation(s) not taken with take_violations():\n{}",
                    left.len(),
                    list.join("\n")
                );
            }
        }
    }
}
