//! MSI-X routing: which processor each message targets, an interrupt handler that forwards to
//! the adapter without the layers below naming its type, and `NdisMConfigMSIXTableEntry`.
//!
//! A VMQ NIC routes a queue's receive interrupt to the queue's processor by pointing the
//! queue's MSI-X table entry at a message whose `TargetProcessorSet` holds that processor
//! ("NDIS_RECEIVE_FILTER_CAPABILITIES": MSI_X_SUPPORTED, an MSI-X table entry for each receive
//! queue; "NdisMConfigMSIXTableEntry": map MSI-X table entries to device-assigned messages).
//! Queues with the same processor then share a message: their receive interrupts are
//! coalesced onto one DPC, which the INTERRUPT_VECTOR_COALESCING_SUPPORTED flag requires.
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismconfigmsixtableentry>
//!
//! IRQL: [`map_table_entry`] <= DISPATCH_LEVEL.

use core::ffi::c_void;
use core::ptr::NonNull;

use ndis_sys::{
    NDIS_MSIX_CONFIG_PARAMETERS, NDIS_MSIX_CONFIG_PARAMETERS_REVISION_1, NDIS_OBJECT_HEADER, NDIS_OBJECT_TYPE_DEFAULT,
    NDIS_SIZEOF_MSIX_CONFIG_PARAMETERS_REVISION_1, NDIS_STATUS, NDIS_STATUS_SUCCESS, NdisMConfigMSIXTableEntry,
    NdisMSIXTableConfigSetTableEntry,
};

use super::NdisHandle;
use super::interrupt::{Interrupt, InterruptHandler, IsrResult};

/// Messages whose targets are kept (the 82576 has 25 MSI-X vectors; QEMU's model 10).
pub const MAX_MESSAGES: usize = 32;

/// The processor set (group 0 mask) of each granted message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageTargets {
    masks: [usize; MAX_MESSAGES],
    count: u32,
}

impl MessageTargets {
    /// No message (line-based or no interrupt).
    pub const NONE: Self = Self { masks: [0; MAX_MESSAGES], count: 0 };

    /// The targets of the messages NDIS granted `interrupt` (at most [`MAX_MESSAGES`]).
    #[must_use]
    pub fn of<H: InterruptHandler>(interrupt: &Interrupt<H>) -> Self {
        let mut targets = Self::NONE;
        // CAST: MAX_MESSAGES is small.
        let count = interrupt.message_count().min(MAX_MESSAGES as u32);
        for m in 0..count {
            targets.masks[m as usize] = interrupt.target_processors(m).unwrap_or(0);
        }
        targets.count = count;
        targets
    }

    /// Targets given directly (tests, and NICs whose messages are known).
    #[must_use]
    pub fn from_masks(masks: &[usize]) -> Self {
        let mut targets = Self::NONE;
        for (slot, mask) in targets.masks.iter_mut().zip(masks) {
            *slot = *mask;
            targets.count += 1;
        }
        targets
    }

    /// Messages granted.
    #[must_use]
    pub const fn count(&self) -> u32 {
        self.count
    }

    /// The processor set of `message` (0 when not granted).
    #[must_use]
    pub fn mask(&self, message: u32) -> usize {
        if message < self.count { self.masks.get(message as usize).copied().unwrap_or(0) } else { 0 }
    }

    /// The first message below `limit` that targets `processor`.
    #[must_use]
    pub fn message_for(&self, processor: u32, limit: u32) -> Option<u32> {
        let bit = 1usize.checked_shl(processor)?;
        (0..self.count.min(limit)).find(|&m| self.mask(m) & bit != 0)
    }
}

/// The adapter's DPC entry: a function the trampolines module provides, and the context it
/// takes (the adapter).
pub type DpcEntry = unsafe fn(NonNull<c_void>, u32);

/// An [`InterruptHandler`] for a NIC whose MSI-X messages are never shared: every message is
/// the NIC's, so the ISR claims it and asks for the DPC without touching the device (EIAC
/// auto-clears the cause); the DPC calls the adapter.
pub struct Forward {
    context: NonNull<c_void>,
    dpc: DpcEntry,
}

// SAFETY: the context is the adapter, which is `Sync` (its state is behind a spin lock); the
// handler only passes the pointer to `dpc`.
unsafe impl Send for Forward {}
// SAFETY: as above.
unsafe impl Sync for Forward {}

impl Forward {
    /// A handler that calls `dpc(context, message)` from each message's DPC.
    ///
    /// # Safety
    /// `dpc` must be sound to call with `context` at DISPATCH_LEVEL for as long as the
    /// interrupt is registered (the context outlives the [`Interrupt`] owning this handler).
    #[must_use]
    pub const unsafe fn new(context: NonNull<c_void>, dpc: DpcEntry) -> Self {
        Self { context, dpc }
    }
}

impl InterruptHandler for Forward {
    fn isr(&self, _message: u32) -> IsrResult {
        IsrResult { recognized: true, queue_dpc: true }
    }

    fn dpc(&self, message: u32, _context: usize) {
        // SAFETY: `new`'s contract: `dpc` is sound for `context` while registered.
        unsafe { (self.dpc)(self.context, message) };
    }

    fn enable(&self, _message: u32) {}

    fn disable(&self, _message: u32) {}
}

/// Maps MSI-X table entry `entry` of the adapter's device to message `message`
/// (`NdisMSIXTableConfigSetTableEntry`).
///
/// # Errors
/// The NDIS_STATUS NDIS returned.
pub fn map_table_entry(adapter: NdisHandle, entry: u32, message: u32) -> Result<(), NDIS_STATUS> {
    let mut parameters = NDIS_MSIX_CONFIG_PARAMETERS {
        Header: NDIS_OBJECT_HEADER::new(
            NDIS_OBJECT_TYPE_DEFAULT,
            NDIS_MSIX_CONFIG_PARAMETERS_REVISION_1,
            NDIS_SIZEOF_MSIX_CONFIG_PARAMETERS_REVISION_1,
        ),
        ConfigOperation: NdisMSIXTableConfigSetTableEntry,
        TableEntry: entry,
        MessageNumber: message,
    };
    // SAFETY: a valid revision-1 structure for the duration of the call.
    let status = unsafe { NdisMConfigMSIXTableEntry(adapter.as_raw(), &raw mut parameters) };
    if status == NDIS_STATUS_SUCCESS { Ok(()) } else { Err(status) }
}

#[cfg(test)]
mod tests {
    use super::MessageTargets;

    #[test]
    fn the_first_message_of_a_processor_below_the_limit() {
        let t = MessageTargets::from_masks(&[1, 2, 4, 8, 1, 2, 4, 8, 1, 2]);
        assert_eq!(t.count(), 10);
        assert_eq!(t.message_for(2, 8), Some(2));
        assert_eq!(t.message_for(0, 8), Some(0));
        assert_eq!(t.message_for(5, 8), None);
        assert_eq!(t.message_for(64, 8), None);
        assert_eq!(t.mask(12), 0);
    }
}
