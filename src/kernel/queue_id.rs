//! The receive queue id NDIS assigns (`NDIS_RECEIVE_QUEUE_ID`): one type from the OID
//! payload that names the queue to the NBL filtering OOB that carries it back.
//! <https://learn.microsoft.com/windows-hardware/drivers/network/allocating-a-vm-queue>

use ndis_sys::NDIS_DEFAULT_RECEIVE_QUEUE_ID;

/// An `NDIS_RECEIVE_QUEUE_ID`: 0 is the default queue; NDIS assigns VM queues the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueueId(u32);

impl QueueId {
    /// The default queue (`NDIS_DEFAULT_RECEIVE_QUEUE_ID`).
    pub const DEFAULT: Self = Self(NDIS_DEFAULT_RECEIVE_QUEUE_ID);

    /// The id as an OID payload or NDIS call carries it.
    #[must_use]
    pub const fn new(raw: u32) -> Self {
        Self(raw)
    }

    /// The id as NDIS takes it.
    #[must_use]
    pub const fn raw(self) -> u32 {
        self.0
    }

    /// The default queue.
    #[must_use]
    pub const fn is_default(self) -> bool {
        self.0 == NDIS_DEFAULT_RECEIVE_QUEUE_ID
    }
}
