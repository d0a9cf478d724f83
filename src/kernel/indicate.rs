//! Status indications to NDIS (`NdisMIndicateStatusEx`): the receive-queue state, the link state.
//!
//! FREE_QUEUE requires exactly one: `NDIS_STATUS_RECEIVE_QUEUE_STATE` with
//! `NdisReceiveQueueOperationalStateDmaStopped`, once DMA into the queue stopped.
//! <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-status-receive-queue-state>
//!
//! IRQL: <= DISPATCH_LEVEL; never after MiniportHaltEx returned.

use core::mem::size_of;

use ndis_sys::{
    MediaConnectStateConnected, MediaConnectStateDisconnected, MediaDuplexStateFull, MediaDuplexStateUnknown,
    NDIS_LINK_STATE, NDIS_LINK_STATE_REVISION_1, NDIS_OBJECT_HEADER, NDIS_OBJECT_TYPE_DEFAULT,
    NDIS_OBJECT_TYPE_STATUS_INDICATION, NDIS_RECEIVE_QUEUE_STATE, NDIS_RECEIVE_QUEUE_STATE_REVISION_1,
    NDIS_SIZEOF_LINK_STATE_REVISION_1, NDIS_SIZEOF_NDIS_RECEIVE_QUEUE_STATE_REVISION_1,
    NDIS_SIZEOF_STATUS_INDICATION_REVISION_1, NDIS_STATUS_INDICATION, NDIS_STATUS_INDICATION_REVISION_1,
    NDIS_STATUS_LINK_STATE, NDIS_STATUS_RECEIVE_QUEUE_STATE, NET_IF_LINK_SPEED_UNKNOWN, NdisMIndicateStatusEx,
    NdisPauseFunctionsUnsupported, NdisReceiveQueueOperationalStateDmaStopped,
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
    indicate_status(adapter, NDIS_STATUS_RECEIVE_QUEUE_STATE, &mut payload);
}

/// `NdisMIndicateStatusEx` of `code` with `payload` (port 0). The payload is an initialized
/// NDIS structure (plain data: `Copy`) that lives for the call; NDIS copies what it keeps.
fn indicate_status<T: Copy>(adapter: NdisHandle, code: i32, payload: &mut T) {
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
    indication.StatusCode = code;
    indication.StatusBuffer = core::ptr::from_mut(payload).cast();
    // CAST: the status payloads are a few dozen bytes.
    indication.StatusBufferSize = size_of::<T>() as u32;
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

/// Indicates `NDIS_STATUS_LINK_STATE` ("NDIS_STATUS_LINK_STATE": a miniport indicates every
/// change of its media connect state, and the link speed with it). IRQL <= DISPATCH_LEVEL.
/// <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-status-link-state>
pub fn indicate_link_state(adapter: NdisHandle, up: bool, speed: u64) {
    let mut payload = NDIS_LINK_STATE {
        Header: NDIS_OBJECT_HEADER::new(
            NDIS_OBJECT_TYPE_DEFAULT,
            NDIS_LINK_STATE_REVISION_1,
            NDIS_SIZEOF_LINK_STATE_REVISION_1,
        ),
        ..NDIS_LINK_STATE::default()
    };
    if up {
        payload.MediaConnectState = MediaConnectStateConnected;
        payload.MediaDuplexState = MediaDuplexStateFull;
        payload.XmitLinkSpeed = speed;
        payload.RcvLinkSpeed = speed;
    } else {
        payload.MediaConnectState = MediaConnectStateDisconnected;
        payload.MediaDuplexState = MediaDuplexStateUnknown;
        payload.XmitLinkSpeed = NET_IF_LINK_SPEED_UNKNOWN;
        payload.RcvLinkSpeed = NET_IF_LINK_SPEED_UNKNOWN;
    }
    payload.PauseFunctions = NdisPauseFunctionsUnsupported;
    indicate_status(adapter, NDIS_STATUS_LINK_STATE, &mut payload);
}
