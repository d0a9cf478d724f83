//! An NDIS I/O work item (`NdisAllocateIoWorkItem`/`NdisQueueIoWorkItem`): PASSIVE_LEVEL work
//! scheduled from the return path, which runs at DISPATCH_LEVEL.
//!
//! vmqnic uses one per adapter to free a queue's shared memory (PASSIVE only) after the
//! last NBL indicated from it came back, and to complete the pended FREE_QUEUE.
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisqueueioworkitem>

use core::ffi::c_void;

use ndis_sys::{NDIS_HANDLE, NdisAllocateIoWorkItem, NdisFreeIoWorkItem, NdisQueueIoWorkItem};

use super::NdisHandle;

/// The routine a work item runs: `(context, work item handle)` at PASSIVE_LEVEL.
pub type WorkRoutine = unsafe extern "system" fn(*mut c_void, NDIS_HANDLE);

/// An allocated work item, freed on drop (never while queued: the adapter waits for it).
pub struct IoWorkItem(NdisHandle);

impl IoWorkItem {
    /// Allocates a work item for the adapter. IRQL <= DISPATCH_LEVEL.
    #[must_use]
    pub fn allocate(adapter: NdisHandle) -> Option<Self> {
        // SAFETY: `adapter` is a live miniport adapter handle.
        let handle = unsafe { NdisAllocateIoWorkItem(adapter.as_raw()) };
        NdisHandle::from_raw(handle).map(Self)
    }

    /// Queues `routine(context)`. The caller guarantees the item is not already queued
    /// and that `context` outlives the run (the adapter context: halt comes after every
    /// pended OID completed).
    pub fn queue<T: Sync>(&self, routine: WorkRoutine, context: &T) {
        let context = core::ptr::from_ref(context).cast_mut().cast::<c_void>();
        // SAFETY: the work item is live and not queued (caller contract); `routine` has the
        // NDIS_IO_WORKITEM_ROUTINE signature.
        unsafe { NdisQueueIoWorkItem(self.0.as_raw(), Some(routine), context) };
    }
}

impl Drop for IoWorkItem {
    fn drop(&mut self) {
        // SAFETY: allocated by NdisAllocateIoWorkItem; not queued any more (the adapter only
        // drops it in halt, after every pended request completed).
        unsafe { NdisFreeIoWorkItem(self.0.as_raw()) };
    }
}
