//! The thin FFI layer: the `#[no_mangle]` NDIS exports, [`HostMemory`], and [`HostEnv`], which
//! calls the driver through real function pointers. All `unsafe` of the crate lives here.
//!
//! One simulated host per thread: [`install`] pushes a host on this thread's stack (tests run
//! in parallel threads, each with its own host) and [`uninstall`] pops it; exports always talk
//! to the innermost host of the calling thread.

mod abi;
mod adapters;
mod calls;
mod exports;
mod memory;
mod mmio;

use std::cell::RefCell;
use std::rc::Rc;

pub use memory::HostMemory;

use crate::model::{AddressSpace, Env, MiniportCall, Model};

/// The model and memory of one host.
#[derive(Debug)]
pub struct HostState {
    /// The simulated NDIS.
    pub model: Model,
    /// Real host memory.
    pub memory: HostMemory,
}

/// A shared handle on one host's state.
pub type SharedHost = Rc<RefCell<HostState>>;

thread_local! {
    static HOSTS: RefCell<Vec<SharedHost>> = const { RefCell::new(Vec::new()) };
}

/// Makes `host` the current host of this thread (innermost first).
pub fn install(host: SharedHost) {
    HOSTS.with(|h| h.borrow_mut().push(host));
}

/// Removes `host` from this thread's stack.
pub fn uninstall(host: &SharedHost) {
    HOSTS.with(|h| h.borrow_mut().retain(|x| !Rc::ptr_eq(x, host)));
}

/// The current host of this thread.
fn current() -> Option<SharedHost> {
    HOSTS.with(|h| h.borrow().last().cloned())
}

/// [`Env`] over real host memory and real function pointers.
#[derive(Clone, Debug)]
pub struct HostEnv {
    state: SharedHost,
}

impl HostEnv {
    /// An environment for `state`.
    pub fn new(state: SharedHost) -> Self {
        Self { state }
    }

    /// The environment of this thread's current host, if any.
    pub fn current() -> Option<Self> {
        current().map(Self::new)
    }
}

impl Env for HostEnv {
    fn with_model<R>(&mut self, f: impl FnOnce(&mut Model, &mut dyn AddressSpace) -> R) -> R {
        let mut state = self.state.borrow_mut();
        let HostState { model, memory } = &mut *state;
        f(model, memory)
    }

    fn call_driver(&mut self, call: MiniportCall) -> u64 {
        calls::call_driver(call)
    }
}

/// Runs `f` on the current host's model, or returns `default` (and says so on stderr) when the
/// thread has no host or the model is busy (an export called from inside the model).
fn with_host<R>(api: &str, default: R, f: impl FnOnce(&mut Model, &mut HostMemory) -> R) -> R {
    let Some(host) = current() else {
        eprintln!("ndis-sim: {api} called on a thread without a simulated host");
        return default;
    };
    let Ok(mut state) = host.try_borrow_mut() else {
        eprintln!("ndis-sim: {api} called re-entrantly while the model was busy");
        return default;
    };
    let HostState { model, memory } = &mut *state;
    model.check_call_from_isr(api);
    f(model, memory)
}

/// The simulated IRQL of this thread's current host (`None` without a host). Lets host builds
/// of a driver answer `KeGetCurrentIrql` (inline on x64, so not an export) from the model.
pub fn current_irql() -> Option<u8> {
    let host = current()?;
    let state = host.try_borrow().ok()?;
    Some(state.model.irql())
}
