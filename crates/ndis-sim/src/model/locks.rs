//! IRQL bookkeeping around handler calls, and the NDIS spin-lock routines.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisacquirespinlock>.

use std::collections::{BTreeMap, BTreeSet};

use super::config::DISPATCH_LEVEL;
use super::{Model, rules};

/// One handler call NDIS made into the driver that has not returned yet.
#[derive(Clone, Debug)]
pub struct Frame {
    /// The handler's documented name (e.g. `MiniportInitializeEx`).
    pub name: &'static str,
    /// The IRQL the handler was called at (and must return at).
    pub irql: u8,
    /// The IRQL before the call (restored afterwards).
    pub caller_irql: u8,
    /// Locks held when the handler was entered.
    pub held_at_entry: BTreeSet<u64>,
}

/// State of one NDIS_SPIN_LOCK, keyed by its address.
#[derive(Clone, Copy, Debug, Default)]
struct LockState {
    held: bool,
    /// IRQL to restore on release (non-Dpr acquire).
    saved_irql: u8,
    /// Acquired with the Dpr variant (release must use the Dpr variant too, not checked).
    dpr: bool,
}

/// Every spin lock the driver touched.
#[derive(Debug, Default)]
pub struct SpinLocks {
    locks: BTreeMap<u64, LockState>,
}

impl SpinLocks {
    fn held(&self) -> BTreeSet<u64> {
        self.locks.iter().filter(|(_, l)| l.held).map(|(a, _)| *a).collect()
    }
}

impl Model {
    /// Enters a driver handler at `irql` (NDIS is about to call it).
    pub fn enter_handler(&mut self, name: &'static str, irql: u8) {
        let frame = Frame { name, irql, caller_irql: self.irql, held_at_entry: self.locks.held() };
        self.frames.push(frame);
        self.irql = irql;
    }

    /// Leaves the innermost handler: checks the IRQL is unchanged and no lock acquired inside
    /// is still held, then restores the caller's IRQL.
    pub fn leave_handler(&mut self) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        let leaked: Vec<u64> = self.locks.held().difference(&frame.held_at_entry).copied().collect();
        for lock in &leaked {
            self.violate(
                rules::SPIN_LOCK_HELD_ON_RETURN,
                format!("{} returned holding spin lock {lock:#x}", frame.name),
            );
            if let Some(l) = self.locks.locks.get_mut(lock) {
                l.held = false;
            }
        }
        if self.irql != frame.irql && leaked.is_empty() {
            self.violate(
                rules::IRQL_CHANGED_BY_HANDLER,
                format!("{} was called at IRQL {} and returned at IRQL {}", frame.name, frame.irql, self.irql),
            );
        }
        self.irql = frame.caller_irql;
    }

    /// Sets the processor IRQL directly: how an emulator answers an inline `mov cr8, reg`
    /// (x64 `KeRaiseIrql` / `KeLowerIrql` compile to it). The handler-return check in
    /// [`Model::leave_handler`] still applies.
    pub fn set_irql(&mut self, irql: u8) {
        self.irql = irql;
    }

    /// `NdisAllocateSpinLock`: initializes the lock (not held).
    pub fn allocate_spin_lock(&mut self, lock: u64) {
        self.locks.locks.insert(lock, LockState::default());
    }

    /// `NdisFreeSpinLock`: forgets the lock.
    pub fn free_spin_lock(&mut self, lock: u64) {
        if self.locks.locks.get(&lock).is_some_and(|l| l.held) {
            self.violate(rules::SPIN_LOCK_RELEASE_NOT_HELD, format!("NdisFreeSpinLock on held lock {lock:#x}"));
        }
        self.locks.locks.remove(&lock);
    }

    /// `NdisAcquireSpinLock` (<= DISPATCH): raises to DISPATCH_LEVEL, saving the old IRQL.
    /// Returns the saved IRQL (NDIS stores it in `OldIrql`).
    pub fn acquire_spin_lock(&mut self, lock: u64, dpr: bool) -> u8 {
        let api = if dpr { "NdisDprAcquireSpinLock" } else { "NdisAcquireSpinLock" };
        if dpr && self.irql < DISPATCH_LEVEL {
            self.violate(
                rules::SPIN_LOCK_DPR_IRQL,
                format!("{api} on {lock:#x} at IRQL {} (< DISPATCH_LEVEL)", self.irql),
            );
        }
        if self.irql > DISPATCH_LEVEL {
            self.violate(rules::SPIN_LOCK_IRQL, format!("{api} on {lock:#x} at IRQL {} (> DISPATCH_LEVEL)", self.irql));
        }
        let saved = self.irql;
        let state = self.locks.locks.entry(lock).or_default();
        if state.held {
            self.violate(
                rules::SPIN_LOCK_DEADLOCK,
                format!("{api} on {lock:#x}, which is already held: this deadlocks"),
            );
            return saved;
        }
        *state = LockState { held: true, saved_irql: saved, dpr };
        if !dpr {
            self.irql = DISPATCH_LEVEL.max(self.irql);
        }
        saved
    }

    /// `NdisReleaseSpinLock` / `NdisDprReleaseSpinLock`: restores the saved IRQL (non-Dpr).
    pub fn release_spin_lock(&mut self, lock: u64, dpr: bool) {
        let api = if dpr { "NdisDprReleaseSpinLock" } else { "NdisReleaseSpinLock" };
        if dpr && self.irql < DISPATCH_LEVEL {
            self.violate(
                rules::SPIN_LOCK_DPR_IRQL,
                format!("{api} on {lock:#x} at IRQL {} (< DISPATCH_LEVEL)", self.irql),
            );
        }
        let Some(state) = self.locks.locks.get_mut(&lock).filter(|l| l.held) else {
            self.violate(rules::SPIN_LOCK_RELEASE_NOT_HELD, format!("{api} on {lock:#x}, which is not held"));
            return;
        };
        state.held = false;
        let (saved, was_dpr) = (state.saved_irql, state.dpr);
        if !dpr && !was_dpr {
            self.irql = saved;
        }
    }
}
