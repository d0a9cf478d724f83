//! Status indications to NDIS (`NdisMIndicateStatusEx`): the receive-queue state.
//!
//! FREE_QUEUE requires exactly one: `NDIS_STATUS_RECEIVE_QUEUE_STATE` with
//! `NdisReceiveQueueOperationalStateDmaStopped`, once DMA into the queue stopped.
//! <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-status-receive-queue-state>
//!
//! IRQL: <= DISPATCH_LEVEL; never after MiniportHaltEx returned.

use core::mem::size_of;

use ndis_sys::{
    NDIS_OBJECT_HEADER, NDIS_OBJECT_TYPE_DEFAULT, NDIS_OBJECT_TYPE_STATUS_INDICATION, NDIS_RECEIVE_QUEUE_STATE,
    NDIS_RECEIVE_QUEUE_STATE_REVISION_1, NDIS_SIZEOF_NDIS_RECEIVE_QUEUE_STATE_REVISION_1,
    NDIS_SIZEOF_STATUS_INDICATION_REVISION_1, NDIS_STATUS_INDICATION, NDIS_STATUS_INDICATION_REVISION_1,
    NDIS_STATUS_RECEIVE_QUEUE_STATE, NdisMIndicateStatusEx, NdisReceiveQueueOperationalStateDmaStopped,
};

use super::{NdisHandle, QueueId};

/// `NDIS_RECEIVE_QUEUE_OPERATIONAL_STATE`: the one state this miniport indicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueOperationalState {
    /// DMA into the queue's shared memory has stopped.
    DmaStopped,
}

/// Indicates `NDIS_STATUS_RECEIVE_QUEUE_STATE` for `queue_id`.
pub fn indicate_queue_state(adapter: NdisHandle, queue: QueueId, state: QueueOperationalState) {
    let mut payload = NDIS_RECEIVE_QUEUE_STATE {
        Header: NDIS_OBJECT_HEADER::new(
            NDIS_OBJECT_TYPE_DEFAULT,
            NDIS_RECEIVE_QUEUE_STATE_REVISION_1,
            NDIS_SIZEOF_NDIS_RECEIVE_QUEUE_STATE_REVISION_1,
        ),
        ..NDIS_RECEIVE_QUEUE_STATE::default()
    };
    payload.QueueId = queue.raw();
    payload.QueueState = match state {
        QueueOperationalState::DmaStopped => NdisReceiveQueueOperationalStateDmaStopped,
    };
    let mut indication = NDIS_STATUS_INDICATION {
        Header: NDIS_OBJECT_HEADER::new(
            NDIS_OBJECT_TYPE_STATUS_INDICATION,
            NDIS_STATUS_INDICATION_REVISION_1,
            NDIS_SIZEOF_STATUS_INDICATION_REVISION_1,
        ),
        ..NDIS_STATUS_INDICATION::default()
    };
    indication.SourceHandle = adapter.as_raw();
    indication.PortNumber = 0;
    indication.StatusCode = NDIS_STATUS_RECEIVE_QUEUE_STATE;
    indication.StatusBuffer = (&raw mut payload).cast();
    // CAST: the payload is 16 bytes.
    indication.StatusBufferSize = size_of::<NDIS_RECEIVE_QUEUE_STATE>() as u32;
    // SAFETY: both structures are initialized and outlive the call; NDIS copies
    // what it keeps before returning.
    unsafe { NdisMIndicateStatusEx(adapter.as_raw(), &raw mut indication) };
}

/// Completes a pause that returned NDIS_STATUS_PENDING (`NdisMPauseComplete`). IRQL <= DISPATCH_LEVEL.
pub fn pause_complete(adapter: NdisHandle) {
    // SAFETY: the adapter's MiniportPause returned PENDING and this completes it once
    // (the core flips Pausing to Paused exactly once before calling).
    unsafe { ndis_sys::NdisMPauseComplete(adapter.as_raw()) };
}
