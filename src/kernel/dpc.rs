//! `DpcSet`: one kernel DPC per processor, for a NIC without interrupts (the software NIC's
//! receive path). A root-enumerated miniport has no interrupt object, so NDIS's
//! `NdisMQueueDpcEx` is not available to it; `KeInitializeDpc` / `KeSetTargetProcessorDpcEx` /
//! `KeInsertQueueDpc` are. Each DPC is bound to its processor the first time it is queued;
//! queuing an already queued DPC does nothing (the queues of one processor share its DPC:
//! "coalesced", as a NIC coalesces the interrupts of queues with the same affinity).
//!
//! Teardown: [`DpcSet::cancel`] takes every queued DPC off its queue, then the owner calls
//! [`flush_queued_dpcs`] at PASSIVE_LEVEL (no lock held) to wait for one still running,
//! before the objects' pool block is freed.
//!
//! <https://learn.microsoft.com/windows-hardware/drivers/kernel/introduction-to-dpc-objects>

use core::ffi::c_void;

use ndis_sys::{
    KDPC, KeFlushQueuedDpcs, KeInitializeDpc, KeInsertQueueDpc, KeRemoveQueueDpc, KeSetTargetProcessorDpcEx,
    PKDEFERRED_ROUTINE, PROCESSOR_NUMBER, STATUS_SUCCESS,
};

use super::NdisHandle;
use super::pool::{PoolBytes, PoolTag};

/// Processors a set covers (group 0): one 64-byte KDPC each.
pub const DPC_PROCESSORS: u32 = 64;
/// Pool tag of the DPC objects.
pub const DPC_TAG: PoolTag = PoolTag::new(*b"VqDp");

const KDPC_BYTES: usize = core::mem::size_of::<KDPC>();

/// One KDPC per processor in pool, their routine and context.
///
/// # Invariants
/// `objects` holds [`DPC_PROCESSORS`] KDPCs; a bit of `initialized` is set once
/// `KeInitializeDpc` ran for that KDPC (and the target processor was set); only those are ever
/// queued. The objects do not move (pool) and are freed only after [`DpcSet::cancel`] and
/// [`flush_queued_dpcs`] (the owner's halt).
pub struct DpcSet {
    objects: PoolBytes,
    routine: PKDEFERRED_ROUTINE,
    context: usize,
    initialized: u64,
    /// Processors whose DPC could not be targeted (no such processor): their queues use
    /// processor 0's DPC.
    unusable: u64,
}

impl core::fmt::Debug for DpcSet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DpcSet").field("initialized", &self.initialized).finish_non_exhaustive()
    }
}

impl DpcSet {
    /// Allocates the objects (nothing is initialized until [`DpcSet::start`]).
    #[must_use]
    pub fn allocate(owner: NdisHandle) -> Option<Self> {
        let objects = PoolBytes::zeroed(owner, DPC_TAG, DPC_PROCESSORS as usize * KDPC_BYTES)?;
        Some(Self { objects, routine: None, context: 0, initialized: 0, unusable: 0 })
    }

    /// Names the routine every DPC runs and its context (the adapter context, whose address
    /// is final). No DPC is queued before this.
    pub fn start(&mut self, routine: PKDEFERRED_ROUTINE, context: *mut c_void) {
        self.routine = routine;
        self.context = context as usize;
    }

    /// Whether [`DpcSet::start`] ran.
    #[must_use]
    pub const fn started(&self) -> bool {
        self.routine.is_some()
    }

    fn object(&mut self, processor: u32) -> *mut KDPC {
        // CAST: below DPC_PROCESSORS (callers check).
        let at = processor as usize * KDPC_BYTES;
        // SAFETY: `at` + 64 is inside the block of DPC_PROCESSORS KDPCs (type invariant).
        unsafe { self.objects.as_mut_ptr().add(at).cast::<KDPC>() }
    }

    /// Queues the DPC of `processor` (<= DISPATCH_LEVEL; the adapter lock may be held): it
    /// runs on that processor at DISPATCH_LEVEL with `SystemArgument1` = the processor. A
    /// processor the system does not have falls back to processor 0's DPC.
    pub fn queue(&mut self, processor: u32) {
        if !self.started() {
            return;
        }
        let mut processor = if processor < DPC_PROCESSORS { processor } else { 0 };
        if self.unusable & (1 << processor) != 0 {
            processor = 0;
        }
        let bit = 1u64 << processor;
        if self.initialized & bit == 0 {
            let dpc = self.object(processor);
            // SAFETY: a KDPC of this set, not queued (never initialized before); the routine
            // and context stay valid until the set is cancelled and flushed.
            unsafe { KeInitializeDpc(dpc, self.routine, self.context as *mut c_void) };
            // CAST: below 64, a UCHAR.
            let mut number = PROCESSOR_NUMBER { Group: 0, Number: processor as u8, Reserved: 0 };
            // SAFETY: an initialized, unqueued KDPC and a valid PROCESSOR_NUMBER.
            let status = unsafe { KeSetTargetProcessorDpcEx(dpc, &raw mut number) };
            self.initialized |= bit;
            if status != STATUS_SUCCESS && processor != 0 {
                self.unusable |= bit;
                return self.queue(0);
            }
        }
        let dpc = self.object(processor);
        // SAFETY: an initialized KDPC of this set; the arguments are plain numbers.
        let _ = unsafe { KeInsertQueueDpc(dpc, processor as usize as *mut c_void, core::ptr::null_mut()) };
    }

    /// Takes every DPC of the set off its queue (a running one is not waited for: call
    /// [`flush_queued_dpcs`] next, at PASSIVE_LEVEL).
    pub fn cancel(&mut self) {
        let mut left = self.initialized;
        while left != 0 {
            let processor = left.trailing_zeros();
            left &= left - 1;
            let dpc = self.object(processor);
            // SAFETY: an initialized KDPC of this set.
            let _ = unsafe { KeRemoveQueueDpc(dpc) };
        }
    }
}

/// `KeFlushQueuedDpcs` (PASSIVE_LEVEL, no spin lock held): returns once every DPC queued when
/// it was called has run, on every processor.
pub fn flush_queued_dpcs() {
    // SAFETY: no arguments; the caller runs at PASSIVE_LEVEL.
    unsafe { KeFlushQueuedDpcs() };
}
