//! `SpinLock<T>`: data guarded by an `NDIS_SPIN_LOCK`, released by the guard's `Drop`.
//!
//! Acquiring raises the IRQL to DISPATCH_LEVEL, so nothing that requires
//! PASSIVE_LEVEL (NdisAllocateSharedMemory, NdisFreeSharedMemory) may run while a
//! guard lives; the core takes what it must free out of the guarded state and
//! drops it after the guard. ndis-sim checks the IRQL of every such call.
//! <https://learn.microsoft.com/windows-hardware/drivers/network/synchronization-and-notification-in-network-drivers>

use core::cell::UnsafeCell;
use core::ops::{Deref, DerefMut};

use ndis_sys::{NDIS_SPIN_LOCK, NdisAcquireSpinLock, NdisAllocateSpinLock, NdisFreeSpinLock, NdisReleaseSpinLock};

/// Data of type `T` protected by an NDIS spin lock.
///
/// # Invariants
/// `data` is only accessed through a [`SpinLockGuard`], which exists only while
/// `lock` is held. The lock is initialized with `NdisAllocateSpinLock` by
/// [`SpinLock::init`] once the value has its final address, and freed by `Drop`.
pub struct SpinLock<T> {
    lock: UnsafeCell<NDIS_SPIN_LOCK>,
    data: UnsafeCell<T>,
}

// SAFETY: access to `data` is serialized by the spin lock.
unsafe impl<T: Send> Send for SpinLock<T> {}
// SAFETY: as above: `&SpinLock<T>` only yields `&mut T` under the lock.
unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    /// A new lock around `value`. A zeroed `KSPIN_LOCK` is a released lock;
    /// [`SpinLock::init`] still registers it with NDIS once placed.
    pub const fn new(value: T) -> Self {
        Self { lock: UnsafeCell::new(NDIS_SPIN_LOCK { SpinLock: 0, OldIrql: 0 }), data: UnsafeCell::new(value) }
    }

    /// Initializes the lock in place (`NdisAllocateSpinLock`). IRQL <= DISPATCH_LEVEL.
    /// Call once, after the owner reached its final (pool) address.
    pub fn init(&self) {
        // SAFETY: the lock is not held (no guard exists yet) and lives at this address.
        unsafe { NdisAllocateSpinLock(self.lock.get()) };
    }

    /// Acquires the lock from any IRQL <= DISPATCH_LEVEL (raises to DISPATCH_LEVEL).
    pub fn lock(&self) -> SpinLockGuard<'_, T> {
        // SAFETY: the lock was initialized; NDIS saves the previous IRQL in the lock.
        unsafe { NdisAcquireSpinLock(self.lock.get()) };
        SpinLockGuard { owner: self }
    }

    /// Exclusive access without locking, for the owner that holds `&mut self`
    /// (initialization and halt, when no other path can reach the value).
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

impl<T> Drop for SpinLock<T> {
    fn drop(&mut self) {
        // SAFETY: `&mut self` proves no guard is alive, so the lock is not held.
        unsafe { NdisFreeSpinLock(self.lock.get()) };
    }
}

/// Access to the data of a held [`SpinLock`]; releasing happens on drop.
pub struct SpinLockGuard<'a, T> {
    owner: &'a SpinLock<T>,
}

impl<T> Deref for SpinLockGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard exists only while the lock is held (type invariant of SpinLock).
        unsafe { &*self.owner.data.get() }
    }
}

impl<T> DerefMut for SpinLockGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, and `&mut self` makes this the only access.
        unsafe { &mut *self.owner.data.get() }
    }
}

impl<T> Drop for SpinLockGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: this guard acquired the lock and NDIS restores the saved IRQL.
        unsafe { NdisReleaseSpinLock(self.owner.lock.get()) };
    }
}
