//! A queue's DMA as the adapter state drives it: start (and post the free buffers into the
//! NIC's ring), refill as buffers come back, stop (and take back what was still posted).
//!
//! For the software NIC [`NicBackend::receive_slots`] is 0: nothing is posted, start and stop
//! only flip its per-queue DMA bit. Under the adapter lock; no allocation.

use super::adapter::AdapterState;
use super::queues::MAX_VM_QUEUES;
use super::rx_memory::{QueueSlot, RxMemory};
use crate::backend::NicBackend;
use crate::kernel::QueueId;

/// A queue's slot, receive memory, and whether it may indicate (the default queue, or a VM
/// queue of the table).
pub(super) fn queue_memory<B>(state: &mut AdapterState<B>, queue: QueueId) -> Option<(QueueSlot, &mut RxMemory, bool)> {
    let slot = if queue.is_default() { QueueSlot::DEFAULT } else { QueueSlot::vm(state.queues.slot_of(queue)?) };
    slot_memory(state, slot).map(|(memory, may_indicate)| (slot, memory, may_indicate))
}

/// The receive memory of the queue in `slot`, and whether it may indicate (no search: the
/// receive path resolves a queue's slot once per frame).
pub(super) fn slot_memory<B>(state: &mut AdapterState<B>, slot: QueueSlot) -> Option<(&mut RxMemory, bool)> {
    match slot.table_slot() {
        None => Some((&mut state.default_queue, true)),
        Some(table_slot) => state.queues.slot_mut(table_slot).map(|q| {
            let may_indicate = q.state.may_indicate();
            (&mut q.rx, may_indicate)
        }),
    }
}

impl<B: NicBackend> AdapterState<B> {
    /// Posts `queue`'s free buffers into its ring as far as the ring takes them, then hands
    /// them to the NIC (one tail write). Nothing for a NIC without rings.
    pub fn refill(&mut self, queue: QueueId) {
        let mut slots = self.backend.receive_slots(queue);
        if slots == 0 {
            return;
        }
        let Some((slot, _, _)) = queue_memory(self, queue) else { return };
        let mut posted = false;
        while slots > 0 {
            let Some((memory, _)) = slot_memory(self, slot) else { return };
            let Some(buffer) = memory.take() else { break };
            let Some(location) = memory.location(buffer) else {
                memory.cancel(buffer);
                break;
            };
            if !self.backend.post_receive(queue, buffer, location.logical_address) {
                if let Some((memory, _)) = slot_memory(self, slot) {
                    memory.cancel(buffer);
                }
                break;
            }
            posted = true;
            slots -= 1;
        }
        if posted {
            self.backend.flush_receive(queue);
        }
    }

    /// [`AdapterState::refill`] for the queue of a slot (the return path knows slots).
    pub fn refill_slot(&mut self, slot: QueueSlot) {
        let queue = match slot.table_slot() {
            None => Some(QueueId::DEFAULT),
            Some(table_slot) => self.queues.slot_mut(table_slot).map(|q| q.id),
        };
        if let Some(queue) = queue {
            self.refill(queue);
        }
    }

    /// Starts DMA into `queue` and posts its free buffers.
    pub fn start_dma(&mut self, queue: QueueId) {
        self.backend.start_queue_dma(queue);
        self.refill(queue);
    }

    /// Stops DMA into `queue` (when this returns the NIC writes nothing more into its memory)
    /// and takes back, unused, every buffer still posted — written or not: after DmaStopped
    /// nothing more is indicated from the queue.
    pub fn stop_dma(&mut self, queue: QueueId) {
        self.backend.stop_queue_dma(queue);
        // Frames copied in before the stop and still waiting for a receive DPC are not
        // indicated after DmaStopped: their buffers go back ("Freeing a VM queue").
        self.drop_pending(queue);
        let slot = queue_memory(self, queue).map(|(slot, _, _)| slot);
        while let Some(buffer) = self.backend.cancel_receive(queue) {
            if let Some((memory, _)) = slot.and_then(|slot| slot_memory(self, slot)) {
                memory.cancel(buffer);
            }
        }
    }

    /// Stops DMA into the default queue and every VM queue (D3, shutdown, surprise removal).
    pub fn stop_all_dma(&mut self) {
        self.stop_dma(QueueId::DEFAULT);
        for table_slot in 0..MAX_VM_QUEUES {
            if let Some(id) = self.queues.slot_mut(table_slot).map(|q| q.id) {
                self.stop_dma(id);
            }
        }
    }

    /// Starts DMA into the default queue and every queue `keep` selects (back in D0).
    pub fn start_all_dma(&mut self, keep: impl Fn(&super::queues::Queue) -> bool) {
        self.start_dma(QueueId::DEFAULT);
        for table_slot in 0..MAX_VM_QUEUES {
            if let Some(id) = self.queues.slot_mut(table_slot).filter(|q| keep(q)).map(|q| q.id) {
                self.start_dma(id);
            }
        }
    }
}
