//! `Hub`: the virtual Ethernet segment the software adapters of one driver instance share
//! (netvmini's hub). A frame one adapter sends is received by every other adapter on the hub,
//! never by the sender itself (the software NIC does not loop back, so it reports
//! `NDIS_MAC_OPTION_NO_LOOPBACK`, "OID_GEN_MAC_OPTIONS").
//!
//! The hub is driver-wide state: it lives in the driver-object extension (not in a global, so
//! each driver object has its own), its spin lock is allocated in DriverEntry and freed at
//! unload. A port holds an adapter context's address: an adapter joins in MiniportInitializeEx
//! once its context exists and leaves in MiniportHaltEx *before* the context is freed. Delivery
//! walks the ports under the hub lock, so a context it hands out cannot be freed meanwhile
//! (halt's `leave` waits for the lock); under it a receiver only copies the frame into its
//! queue's memory and queues its receive DPC (the indication happens in the DPC, with no lock
//! held). Lock order: hub lock, then the receiving adapter's lock;
//! the sender's adapter lock is never held while delivering, and nothing takes the hub lock
//! under an adapter lock. No allocation: the ports are a fixed array.
//!
//! <https://github.com/microsoft/Windows-driver-samples/tree/main/network/ndis/netvmini>

use core::ffi::c_void;
use core::ptr::NonNull;

use super::lock::SpinLock;

/// Software adapters one driver instance can have on its segment.
pub const HUB_PORTS: usize = 32;

/// The segment: one port (an adapter context address, 0 = free) per software adapter.
pub struct Hub {
    ports: SpinLock<[usize; HUB_PORTS]>,
}

impl Hub {
    /// An empty hub; [`Hub::init`] registers its lock once it has its final address.
    #[must_use]
    pub const fn new() -> Self {
        Self { ports: SpinLock::new([0; HUB_PORTS]) }
    }

    /// Allocates the hub's spin lock in place (DriverEntry, after the extension is placed).
    pub fn init(&self) {
        self.ports.init();
    }

    /// Puts `context` on a free port; `false` when every port is taken.
    #[must_use]
    pub fn join(&self, context: NonNull<c_void>) -> bool {
        let mut ports = self.ports.lock();
        match ports.iter_mut().find(|p| **p == 0) {
            Some(port) => {
                *port = context.as_ptr() as usize;
                true
            }
            None => false,
        }
    }

    /// Takes `context` off its port. Returns once no delivery can still hand it out.
    pub fn leave(&self, context: NonNull<c_void>) {
        let address = context.as_ptr() as usize;
        let mut ports = self.ports.lock();
        for port in ports.iter_mut().filter(|p| **p == address) {
            *port = 0;
        }
    }

    /// Calls `deliver` with every adapter context on the hub except `sender`, under the hub
    /// lock (DISPATCH_LEVEL): each context stays live for its call.
    pub fn for_each_peer(&self, sender: NonNull<c_void>, mut deliver: impl FnMut(NonNull<c_void>)) {
        let me = sender.as_ptr() as usize;
        let ports = self.ports.lock();
        for &port in ports.iter() {
            if port != 0 && port != me {
                // The address came from a NonNull context in `join`.
                if let Some(peer) = NonNull::new(port as *mut c_void) {
                    deliver(peer);
                }
            }
        }
    }
}

impl Default for Hub {
    fn default() -> Self {
        Self::new()
    }
}

/// A reference to the driver's hub, kept by each software adapter.
///
/// # Invariants
/// Points at a [`Hub`] in the driver-object extension, whose lock was initialized; the hub
/// outlives every adapter (NDIS halts every adapter before MiniportDriverUnload).
#[derive(Clone, Copy)]
pub struct HubRef(NonNull<Hub>);

// SAFETY: the hub is only reached through its spin lock.
unsafe impl Send for HubRef {}
// SAFETY: as above.
unsafe impl Sync for HubRef {}

impl HubRef {
    /// A reference to the hub at `hub`.
    ///
    /// # Safety
    /// `hub` must point at an initialized [`Hub`] that outlives every adapter holding the
    /// returned reference (the driver-object extension DriverEntry filled in).
    #[must_use]
    pub const unsafe fn from_raw(hub: NonNull<Hub>) -> Self {
        Self(hub)
    }

    /// The hub.
    #[must_use]
    pub const fn get(&self) -> &Hub {
        // SAFETY: type invariant: the hub is live and initialized for as long as this exists.
        unsafe { self.0.as_ref() }
    }
}

impl core::fmt::Debug for HubRef {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("HubRef").field(&self.0).finish()
    }
}
