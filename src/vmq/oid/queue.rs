//! The VM queue OIDs: ALLOCATE_QUEUE, QUEUE_ALLOCATION_COMPLETE, QUEUE_PARAMETERS (set), FREE_QUEUE.
//!
//! <https://learn.microsoft.com/windows-hardware/drivers/network/allocating-a-vm-queue>
//! <https://learn.microsoft.com/windows-hardware/drivers/network/oid-receive-filter-queue-allocation-complete>
//! <https://learn.microsoft.com/windows-hardware/drivers/network/freeing-a-vm-queue>
//!
//! IRQL: PASSIVE_LEVEL. Shared memory is allocated and freed with the adapter lock
//! released; the lock only guards reading and committing queue state.

use ndis_sys::{
    NDIS_RECEIVE_FILTER_VM_QUEUES_ENABLED, NDIS_RECEIVE_QUEUE_PARAMETERS_CHANGE_MASK,
    NDIS_RECEIVE_QUEUE_PARAMETERS_FLAGS_CHANGED, NDIS_RECEIVE_QUEUE_PARAMETERS_INTERRUPT_COALESCING_DOMAIN_ID_CHANGED,
    NDIS_RECEIVE_QUEUE_PARAMETERS_LOOKAHEAD_SPLIT_REQUIRED, NDIS_RECEIVE_QUEUE_PARAMETERS_NAME_CHANGED,
    NDIS_RECEIVE_QUEUE_PARAMETERS_PER_QUEUE_RECEIVE_INDICATION,
    NDIS_RECEIVE_QUEUE_PARAMETERS_PROCESSOR_AFFINITY_CHANGED,
    NDIS_RECEIVE_QUEUE_PARAMETERS_SUGGESTED_RECV_BUFFER_NUMBERS_CHANGED,
    NDIS_SIZEOF_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY_REVISION_1,
    NDIS_SIZEOF_RECEIVE_QUEUE_ALLOCATION_COMPLETE_PARAMETERS_REVISION_1,
    NDIS_SIZEOF_RECEIVE_QUEUE_FREE_PARAMETERS_REVISION_1, NDIS_SIZEOF_RECEIVE_QUEUE_PARAMETERS_REVISION_1,
    NDIS_SIZEOF_RECEIVE_QUEUE_PARAMETERS_REVISION_2, NDIS_SIZEOF_RECEIVE_QUEUE_PARAMETERS_REVISION_3,
    NDIS_STATUS_REQUEST_ABORTED, NDIS_STATUS_SUCCESS, NdisReceiveQueueTypeVMQueue,
};

use super::Transfer;
use crate::backend::NicBackend;
use crate::kernel::QueueId;
use crate::kernel::dpc::flush_queued_dpcs;
use crate::kernel::indicate::{QueueOperationalState, indicate_queue_state};
use crate::kernel::oid_request::OidToken;
use crate::kernel::pool::PoolBox;
use crate::vmq::adapter::{Adapter, DEFAULT_VM_QUEUE_BUFFERS, MAX_VM_QUEUE_BUFFERS, MIN_VM_QUEUE_BUFFERS, QUEUE_TAG};
use crate::vmq::error::{CompletionError, OidError};
use crate::vmq::queue_state::{QueueEvent, QueueState};
use crate::vmq::queues::{Queue, affinity_processor};
use crate::vmq::rx_memory::{QueueSlot, RxMemory};
use crate::vmq::wire::{
    COMPLETION_QUEUE_ID_OFFSET, COMPLETION_STATUS_OFFSET, CompletionArray, ObjectHeader, QUEUE_PARAMETERS_MSIX_OFFSET,
    QueueFreeParameters, QueueParameters, len_u32, put_u32, u32_at,
};

/// Flags ALLOCATE_QUEUE may carry.
const ALLOCATE_FLAGS: u32 =
    NDIS_RECEIVE_QUEUE_PARAMETERS_PER_QUEUE_RECEIVE_INDICATION | NDIS_RECEIVE_QUEUE_PARAMETERS_LOOKAHEAD_SPLIT_REQUIRED;
/// Changes OID_RECEIVE_FILTER_QUEUE_PARAMETERS may request of this driver.
const SUPPORTED_CHANGES: u32 = NDIS_RECEIVE_QUEUE_PARAMETERS_FLAGS_CHANGED
    | NDIS_RECEIVE_QUEUE_PARAMETERS_PROCESSOR_AFFINITY_CHANGED
    | NDIS_RECEIVE_QUEUE_PARAMETERS_SUGGESTED_RECV_BUFFER_NUMBERS_CHANGED
    | NDIS_RECEIVE_QUEUE_PARAMETERS_NAME_CHANGED
    | NDIS_RECEIVE_QUEUE_PARAMETERS_INTERRUPT_COALESCING_DOMAIN_ID_CHANGED;
// InterruptCoalescingDomainId ("NDIS_RECEIVE_QUEUE_PARAMETERS"): reserved for NDIS; the
// miniport accepts the change flag and does not interpret the value.

/// Minimum `Header.Size` (and buffer length) for a queue-parameters revision.
fn queue_parameters_size(revision: u8) -> u32 {
    match revision {
        0 => u32::MAX,
        1 => u32::from(NDIS_SIZEOF_RECEIVE_QUEUE_PARAMETERS_REVISION_1),
        2 => u32::from(NDIS_SIZEOF_RECEIVE_QUEUE_PARAMETERS_REVISION_2),
        _ => u32::from(NDIS_SIZEOF_RECEIVE_QUEUE_PARAMETERS_REVISION_3),
    }
}

/// Validates the header and length of an `NDIS_RECEIVE_QUEUE_PARAMETERS` payload.
fn read_queue_parameters(input: &[u8]) -> Result<(QueueParameters, u32), OidError> {
    let revision_2 = u32::from(NDIS_SIZEOF_RECEIVE_QUEUE_PARAMETERS_REVISION_2);
    let header = ObjectHeader::checked_by_revision(input, 0, queue_parameters_size)
        .map_err(|e| OidError::from_header(e, revision_2))?;
    let needed = queue_parameters_size(header.revision);
    if len_u32(input.len()) < needed {
        return Err(OidError::InvalidLength { needed });
    }
    let parameters = QueueParameters::read(input).ok_or(OidError::InvalidLength { needed })?;
    Ok((parameters, needed))
}

/// The ALLOCATE_QUEUE field rules; returns the flags the queue keeps.
fn check_allocate(p: &QueueParameters) -> Result<u32, OidError> {
    let split = p.flags & NDIS_RECEIVE_QUEUE_PARAMETERS_LOOKAHEAD_SPLIT_REQUIRED != 0;
    if p.queue_type != NdisReceiveQueueTypeVMQueue as u32
        || p.queue_id.is_default()
        || p.flags & !ALLOCATE_FLAGS != 0
        || (!split && p.lookahead_size != 0)
        || p.affinity_mask == 0
        // The queue's receive interrupt (an MSI-X message, or the software NIC's DPC) targets a
        // processor of group 0; a queue named elsewhere is refused rather than served off its
        // affinity.
        || p.affinity_group != 0
    {
        return Err(OidError::InvalidParameter);
    }
    // NDIS 6.30: lookahead split is not supported and the flag is ignored.
    Ok(p.flags & NDIS_RECEIVE_QUEUE_PARAMETERS_PER_QUEUE_RECEIVE_INDICATION)
}

fn clamp_buffers(suggested: u32) -> u32 {
    if suggested == 0 { DEFAULT_VM_QUEUE_BUFFERS } else { suggested.clamp(MIN_VM_QUEUE_BUFFERS, MAX_VM_QUEUE_BUFFERS) }
}

impl<B: NicBackend + Send> Adapter<B> {
    /// OID_RECEIVE_FILTER_ALLOCATE_QUEUE (method): validate, reserve the queue.
    pub(super) fn allocate_queue(
        &self,
        buffer: &mut [u8],
        input_len: usize,
        output_len: usize,
    ) -> Result<Transfer, OidError> {
        if self.receive_filter_capabilities().1.enabled_queue_types & NDIS_RECEIVE_FILTER_VM_QUEUES_ENABLED == 0 {
            return Err(OidError::NotSupported);
        }
        let (p, size) = read_queue_parameters(&buffer[..input_len])?;
        let flags = check_allocate(&p)?;
        let rx = RxMemory::new(self.handle(), self.max_frame()).ok_or(OidError::Resources)?;
        let queue =
            Queue::new(p.queue_id, flags, clamp_buffers(p.suggested_buffers), (p.affinity_mask, p.affinity_group), rx);
        let queue = PoolBox::try_new(self.handle(), QUEUE_TAG, queue).map_err(|_| OidError::Resources)?;
        let msix_entry = {
            let mut state = self.state().lock();
            if state.surprise_removed {
                return Err(OidError::NotAccepted);
            }
            if state.queues.get(p.queue_id).is_some() {
                return Err(OidError::InvalidParameter);
            }
            // CAST: NumQueues is at most MAX_VM_QUEUES.
            if state.queues.len() >= self.receive_filter_capabilities().1.num_queues as usize {
                return Err(OidError::Resources);
            }
            // The NIC reserves a hardware queue (an 82576 pool) before the table takes it.
            if !state.backend.bind_queue(p.queue_id) {
                return Err(OidError::Resources);
            }
            if let Err(queue) = state.queues.insert(queue) {
                state.backend.unbind_queue(p.queue_id);
                drop(queue);
                return Err(OidError::Resources);
            }
            state.backend.set_queue_processor(p.queue_id, affinity_processor(p.affinity_mask));
            state.backend.msix_table_entry(p.queue_id)
        };
        // The one output field: the queue's MSI-X table entry (0 for the software NIC).
        let msix_end = QUEUE_PARAMETERS_MSIX_OFFSET + 4;
        let written =
            if output_len >= msix_end && put_u32(&mut buffer[..output_len], QUEUE_PARAMETERS_MSIX_OFFSET, msix_entry) {
                size.min(len_u32(output_len))
            } else {
                0
            };
        Ok(Transfer { read: size, written })
    }

    /// OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE (method): allocate each queue's
    /// shared memory and write each element's `CompletionStatus`.
    pub(super) fn complete_queue_allocation(
        &self,
        buffer: &mut [u8],
        input_len: usize,
        output_len: usize,
    ) -> Result<Transfer, OidError> {
        let header_size = u32::from(NDIS_SIZEOF_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY_REVISION_1);
        let array =
            CompletionArray::read(&buffer[..input_len]).ok_or(OidError::InvalidLength { needed: header_size })?;
        let element_min = u32::from(NDIS_SIZEOF_RECEIVE_QUEUE_ALLOCATION_COMPLETE_PARAMETERS_REVISION_1);
        if array.header.validate(NDIS_SIZEOF_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY_REVISION_1).is_err()
            || array.first_element_offset < header_size
            || (array.num_elements > 0 && array.element_size < element_min)
        {
            return Err(OidError::InvalidParameter);
        }
        let span = array.span().ok_or(OidError::InvalidParameter)?;
        if span > input_len || span > output_len {
            return Err(OidError::InvalidLength { needed: len_u32(span) });
        }
        for index in 0..array.num_elements {
            let Some(at) = array.element_offset(index) else {
                return Err(OidError::InvalidParameter);
            };
            let status =
                self.complete_one(&buffer[at..span]).map_or_else(CompletionError::status, |()| NDIS_STATUS_SUCCESS);
            // In bounds: `at + element_size <= span <= output_len` and the status field is inside an element.
            // CAST: NDIS_STATUS is written as the ULONG-sized field's bit pattern.
            put_u32(buffer, at + COMPLETION_STATUS_OFFSET, status as u32);
        }
        Ok(Transfer { read: len_u32(span), written: len_u32(span) })
    }

    /// One element of the completion array: allocates the queue's memory and starts its DMA.
    fn complete_one(&self, element: &[u8]) -> Result<(), CompletionError> {
        let queue_id =
            u32_at(element, COMPLETION_QUEUE_ID_OFFSET).map(QueueId::new).ok_or(CompletionError::InvalidParameter)?;
        ObjectHeader::checked(element, 0, NDIS_SIZEOF_RECEIVE_QUEUE_ALLOCATION_COMPLETE_PARAMETERS_REVISION_1)
            .map_err(|_| CompletionError::InvalidParameter)?;
        let grow = {
            let state = self.state().lock();
            let (Some(slot), Some(q)) = (state.queues.slot_of(queue_id), state.queues.get(queue_id)) else {
                return Err(CompletionError::InvalidParameter);
            };
            q.state.on(QueueEvent::AllocationComplete).map_err(|_| CompletionError::InvalidParameter)?;
            q.rx.grow_request(queue_id, QueueSlot::vm(slot), q.suggested_buffers)
        };
        // PASSIVE_LEVEL, lock released. On failure whatever this queue got is freed
        // before returning (the staged blocks are dropped here, after the guard below).
        let mut staged = self.allocate_receive(&grow).map_err(CompletionError::Grow)?;
        let mut state = self.state().lock();
        let state = &mut *state;
        let queue = state.queues.get_mut(queue_id).ok_or(CompletionError::InvalidParameter)?;
        let next = queue.state.on(QueueEvent::AllocationComplete).map_err(|_| CompletionError::InvalidParameter)?;
        queue.rx.commit(&mut staged);
        queue.state = next;
        state.start_dma(queue_id);
        Ok(())
    }

    /// OID_RECEIVE_FILTER_QUEUE_PARAMETERS (set): affinity, flags, names and — what
    /// makes a queue grow — the suggested number of receive buffers.
    pub(super) fn set_queue_parameters(&self, input: &[u8]) -> Result<Transfer, OidError> {
        let (p, size) = read_queue_parameters(input)?;
        let changes = p.flags & NDIS_RECEIVE_QUEUE_PARAMETERS_CHANGE_MASK;
        let new_flags = p.flags & !NDIS_RECEIVE_QUEUE_PARAMETERS_CHANGE_MASK;
        if changes & !SUPPORTED_CHANGES != 0
            || (changes & NDIS_RECEIVE_QUEUE_PARAMETERS_PROCESSOR_AFFINITY_CHANGED != 0
                && (p.affinity_mask == 0 || p.affinity_group != 0))
            || (changes & NDIS_RECEIVE_QUEUE_PARAMETERS_FLAGS_CHANGED != 0 && new_flags & !ALLOCATE_FLAGS != 0)
        {
            return Err(OidError::InvalidParameter);
        }
        let grow = {
            let mut state = self.state().lock();
            let slot = state.queues.slot_of(p.queue_id).ok_or(OidError::InvalidParameter)?;
            let queue = state.queues.get_mut(p.queue_id).ok_or(OidError::InvalidParameter)?;
            queue.state.on(QueueEvent::Grow).map_err(|_| OidError::InvalidParameter)?;
            if changes & NDIS_RECEIVE_QUEUE_PARAMETERS_FLAGS_CHANGED != 0 {
                queue.flags = new_flags & NDIS_RECEIVE_QUEUE_PARAMETERS_PER_QUEUE_RECEIVE_INDICATION;
            }
            let affinity_changed = changes & NDIS_RECEIVE_QUEUE_PARAMETERS_PROCESSOR_AFFINITY_CHANGED != 0;
            if affinity_changed {
                queue.affinity = (p.affinity_mask, p.affinity_group);
            }
            let mut grow_by = 0;
            if changes & NDIS_RECEIVE_QUEUE_PARAMETERS_SUGGESTED_RECV_BUFFER_NUMBERS_CHANGED != 0 {
                queue.suggested_buffers = clamp_buffers(p.suggested_buffers);
                // Before ALLOCATION_COMPLETE only the number is kept; memory comes then.
                if queue.state.is_complete() {
                    grow_by = queue.suggested_buffers.saturating_sub(queue.rx.buffers());
                }
            }
            let grow = queue.rx.grow_request(p.queue_id, QueueSlot::vm(slot), grow_by);
            if affinity_changed {
                // Dynamic affinity: the queue's interrupt follows to the new processor; frames
                // already waiting for a DPC go to the new processor's.
                let processor = affinity_processor(p.affinity_mask);
                state.backend.set_queue_processor(p.queue_id, processor);
                if state.queues.get(p.queue_id).is_some_and(|q| !q.pending.is_empty()) {
                    state.backend.queue_receive_dpc(processor);
                }
            }
            grow
        };
        if grow.buffers > 0 {
            let mut staged = self.allocate_receive(&grow).map_err(|_| OidError::Resources)?;
            let mut state = self.state().lock();
            let queue = state.queues.get_mut(p.queue_id).ok_or(OidError::InvalidParameter)?;
            queue.rx.commit(&mut staged);
            state.refill(p.queue_id);
        }
        Ok(Transfer { read: size, written: 0 })
    }

    /// OID_RECEIVE_FILTER_FREE_QUEUE (set): stop DMA, indicate DmaStopped, and free every
    /// allocation of the queue once every NBL indicated from it came back — now
    /// (`Ok(Some(..))`) or from the work item the last return queues (`Ok(None)`: the
    /// caller returns NDIS_STATUS_PENDING). Refusals are NOT_ACCEPTED (see `oid`).
    pub(super) fn free_queue(&self, input: &[u8], token: OidToken) -> Result<Option<Transfer>, OidError> {
        let size = u32::from(NDIS_SIZEOF_RECEIVE_QUEUE_FREE_PARAMETERS_REVISION_1);
        let p = QueueFreeParameters::read(input).ok_or(OidError::InvalidLength { needed: size })?;
        p.header
            .validate(NDIS_SIZEOF_RECEIVE_QUEUE_FREE_PARAMETERS_REVISION_1)
            .map_err(|_| OidError::InvalidParameter)?;
        let canceled_before = {
            let state = self.state().lock();
            matches!(state.pending_free, Some((id, None)) if id == p.queue_id)
        };
        if canceled_before {
            return Ok(self.free_canceled_queue(p.queue_id, token));
        }
        let defers_receive = {
            let mut state = self.state().lock();
            let state = &mut *state;
            let queue = state.queues.get_mut(p.queue_id).ok_or(OidError::InvalidParameter)?;
            queue.state = queue.state.on(QueueEvent::FreeQueue).map_err(|_| OidError::InvalidParameter)?;
            // 1. Stop DMA into the queue's shared memory; a host that left filters set
            //    loses them now (FREE_QUEUE must not fail). Frames still waiting for a receive
            //    DPC are dropped.
            remove_queue_filters(state, p.queue_id);
            state.stop_dma(p.queue_id);
            state.backend.defers_receive()
        };
        if defers_receive {
            // A receive DPC on another processor may be indicating a chain of this queue it
            // took before the stop (the lock is released while it indicates): wait for it
            // (PASSIVE_LEVEL, no lock held), so nothing of the queue is indicated after
            // DmaStopped ("Freeing a VM queue").
            flush_queued_dpcs();
        }
        // 2. The one required queue-state indication.
        indicate_queue_state(self.handle(), p.queue_id, QueueOperationalState::DmaStopped);
        let queue = {
            let mut state = self.state().lock();
            let queue = state.queues.get_mut(p.queue_id).ok_or(OidError::InvalidParameter)?;
            queue.state = queue.state.on(QueueEvent::DmaStopped).map_err(|_| OidError::InvalidParameter)?;
            // 3. Wait for every NBL indicated from the queue to come back.
            if !queue.rx.is_drained() {
                state.pending_free = Some((p.queue_id, Some(token)));
                return Ok(None);
            }
            queue.state = queue.state.on(QueueEvent::Drained).map_err(|_| OidError::InvalidParameter)?;
            state.backend.unbind_queue(p.queue_id);
            state.queues.remove(p.queue_id)
        };
        // 4. Free every allocation (PASSIVE_LEVEL, lock released), then the queue itself.
        drop(queue);
        Ok(Some(Transfer { read: size, written: 0 }))
    }

    /// FREE_QUEUE for a queue whose earlier FREE_QUEUE was canceled: its DMA is stopped and
    /// its filters are gone; indicate DmaStopped for this request, then wait for the same
    /// drain (`None`: PENDING) or, drained already, free what is left now.
    fn free_canceled_queue(&self, queue_id: QueueId, token: OidToken) -> Option<Transfer> {
        indicate_queue_state(self.handle(), queue_id, QueueOperationalState::DmaStopped);
        let queue = {
            let mut state = self.state().lock();
            let drained = state.queues.get(queue_id).is_none_or(|q| q.rx.is_drained());
            if !drained {
                state.pending_free = Some((queue_id, Some(token)));
                return None;
            }
            state.pending_free = None;
            state.backend.unbind_queue(queue_id);
            state.queues.remove(queue_id)
        };
        drop(queue);
        Some(Transfer { read: u32::from(NDIS_SIZEOF_RECEIVE_QUEUE_FREE_PARAMETERS_REVISION_1), written: 0 })
    }

    /// The work item's half of a pended FREE_QUEUE (PASSIVE_LEVEL): free the drained
    /// queue and complete the request.
    pub fn finish_pending_free(&self) {
        let (queue, token) = {
            let mut state = self.state().lock();
            state.free_work_queued = false;
            let Some(queue_id) = state.pending_free_queue() else {
                return;
            };
            let drained = state.queues.get(queue_id).is_none_or(|q| q.rx.is_drained());
            if !drained {
                return;
            }
            let Some((_, token)) = state.pending_free.take() else {
                return;
            };
            if token.is_none() {
                // Its FREE_QUEUE was canceled: free the memory now, and remember the queue
                // for the FREE_QUEUE NDIS sends again (completed at once then).
                state.pending_free = Some((queue_id, None));
            }
            state.backend.unbind_queue(queue_id);
            let mut queue = state.queues.remove(queue_id);
            if let Some(q) = queue.as_mut() {
                q.state = q.state.on(QueueEvent::Drained).unwrap_or(QueueState::Freed);
            }
            (queue, token)
        };
        drop(queue);
        if let Some(token) = token {
            token.complete(
                self.handle(),
                NDIS_STATUS_SUCCESS,
                u32::from(NDIS_SIZEOF_RECEIVE_QUEUE_FREE_PARAMETERS_REVISION_1),
            );
        }
    }

    /// MiniportCancelOidRequest (<= DISPATCH_LEVEL): the one request this miniport pends is
    /// FREE_QUEUE. "Canceling OID requests" / MiniportCancelOidRequest: "If the request
    /// processing is still not complete in a miniport driver, the driver calls the
    /// NdisMOidRequestComplete function with its status set to NDIS_STATUS_REQUEST_ABORTED."
    /// The queue's DMA is already stopped and its filters gone, so the queue keeps draining
    /// and is freed by the work item as before; only the request is given back now.
    pub fn cancel_oid(&self, request_id: usize) {
        let token = {
            let mut state = self.state().lock();
            match state.pending_free.as_mut() {
                Some((_, request)) if request.as_ref().is_some_and(|t| t.request_id() == request_id) => request.take(),
                _ => None,
            }
        };
        if let Some(token) = token {
            token.complete(self.handle(), NDIS_STATUS_REQUEST_ABORTED, 0);
        }
    }
}

/// Drops every filter of `queue_id` from the filter and demux tables.
pub(super) fn remove_queue_filters<B: NicBackend>(state: &mut crate::vmq::adapter::AdapterState<B>, queue_id: QueueId) {
    let mut ids = [0u32; 8];
    loop {
        let mut n = 0;
        for record in state.filters.of_queue(queue_id).take(ids.len()) {
            ids[n] = record.filter_id;
            n += 1;
        }
        if n == 0 {
            break;
        }
        for id in &ids[..n] {
            if let Some(record) = state.filters.remove(*id) {
                state.demux.remove(record.key);
                state.backend.clear_filter(queue_id, record.key.mac(), record.key.vlan());
            }
        }
    }
    if let Some(queue) = state.queues.get_mut(queue_id) {
        queue.filters = 0;
    }
}

#[cfg(test)]
mod tests {
    use ndis_sys::NDIS_OBJECT_TYPE_DEFAULT;

    use super::*;

    fn valid() -> QueueParameters {
        QueueParameters {
            header: ObjectHeader { kind: NDIS_OBJECT_TYPE_DEFAULT, revision: 2, size: 1092 },
            flags: 0,
            queue_type: NdisReceiveQueueTypeVMQueue as u32,
            queue_id: QueueId::new(3),
            affinity_mask: 1,
            affinity_group: 0,
            suggested_buffers: 0,
            lookahead_size: 0,
        }
    }

    /// NDIS assigns QueueIds and never 0 (the default queue), so ndis-sim cannot send one;
    /// the rule is checked here.
    #[test]
    fn queue_id_zero_is_refused() {
        assert_eq!(check_allocate(&valid()), Ok(0));
        assert_eq!(
            check_allocate(&QueueParameters { queue_id: QueueId::DEFAULT, ..valid() }),
            Err(OidError::InvalidParameter)
        );
    }

    #[test]
    fn split_flag_is_ignored_and_per_queue_indication_kept() {
        let split = NDIS_RECEIVE_QUEUE_PARAMETERS_LOOKAHEAD_SPLIT_REQUIRED;
        let per_queue = NDIS_RECEIVE_QUEUE_PARAMETERS_PER_QUEUE_RECEIVE_INDICATION;
        let p = QueueParameters { flags: split | per_queue, lookahead_size: 128, ..valid() };
        assert_eq!(check_allocate(&p), Ok(per_queue));
    }

    #[test]
    fn buffer_counts_are_clamped() {
        assert_eq!(clamp_buffers(0), DEFAULT_VM_QUEUE_BUFFERS);
        assert_eq!(clamp_buffers(1), MIN_VM_QUEUE_BUFFERS);
        assert_eq!(clamp_buffers(u32::MAX), MAX_VM_QUEUE_BUFFERS);
    }
}
