//! The receive DPC of a NIC that defers receive (the software NIC): frames wait in their
//! queue's pending chain until the DPC of the queue's processor indicates them.
//!
//! A VM queue's processor is the lowest of its `ProcessorAffinity` (from ALLOCATE_QUEUE, moved
//! by OID_RECEIVE_FILTER_QUEUE_PARAMETERS); the default queue's is processor 0. The queues of
//! one processor share its DPC ("VMQ interrupt requirements": with
//! INTERRUPT_VECTOR_COALESCING_SUPPORTED the miniport "must coalesce receive interrupts for VM
//! queues with the same processor affinity"). The DPC runs at DISPATCH_LEVEL on that
//! processor and indicates each queue's chain in one call (SINGLE_QUEUE), in arrival order; no
//! allocation, no blocking.
//!
//! Frames pending when the queue can no longer indicate are dropped, their buffers given back
//! (counted as never indicated): at FREE_QUEUE, whose DMA stop comes before the DmaStopped
//! indication and after which "the miniport driver must not indicate" frames of the queue
//! ("Freeing a VM queue"); at pause, D3, shutdown, surprise removal and halt.
//! <https://learn.microsoft.com/windows-hardware/drivers/network/vmq-interrupt-requirements>
//! <https://learn.microsoft.com/windows-hardware/drivers/network/freeing-a-vm-queue>

use ndis_sys::{
    NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL, NDIS_RECEIVE_FLAGS_PERFECT_FILTERED,
    NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID, NDIS_RECEIVE_FLAGS_SINGLE_QUEUE,
};

use super::adapter::{Adapter, AdapterState, RunState};
use super::rx_memory::QueueSlot;
use super::rx_session::{AfterReturn, SESSION_QUEUES, after_release, recycle_token};
use crate::backend::NicBackend;
use crate::kernel::QueueId;
use crate::kernel::nbl::RxChain;

/// The processor of the default queue's receive DPC.
pub const DEFAULT_QUEUE_PROCESSOR: u32 = 0;

impl<B: NicBackend> AdapterState<B> {
    /// The pending chain and processor of `slot` (`None`: no such queue).
    fn pending_of(&mut self, slot: QueueSlot) -> Option<(&mut RxChain, u32)> {
        self.dpc_side(slot).map(|(chain, processor, _)| (chain, processor))
    }

    /// The pending chain, processor and indicating flag of `slot`.
    fn dpc_side(&mut self, slot: QueueSlot) -> Option<(&mut RxChain, u32, &mut bool)> {
        match slot.table_slot() {
            None => Some((&mut self.default_pending, DEFAULT_QUEUE_PROCESSOR, &mut self.default_indicating)),
            Some(table_slot) => self.queues.slot_mut(table_slot).map(|q| {
                let processor = q.processor();
                (&mut q.pending, processor, &mut q.indicating)
            }),
        }
    }

    /// Appends a received frame's NBL to `slot`'s pending chain; returns the processor whose
    /// DPC must run.
    pub(super) fn pend(&mut self, slot: QueueSlot, nbl: crate::kernel::nbl::RxNbl) -> u32 {
        let Some((chain, processor)) = self.pending_of(slot) else { return DEFAULT_QUEUE_PROCESSOR };
        chain.push(nbl);
        self.pending_slots.set(slot);
        processor
    }

    /// Gives the buffers of `chain` (never indicated) back to their queue.
    fn drop_chain(&mut self, chain: RxChain) {
        chain.for_each_token(|token| recycle_token(self, token));
    }

    /// Drops the frames pending on `queue` (its DMA stops: FREE_QUEUE, D3, halt).
    pub fn drop_pending(&mut self, queue: QueueId) {
        let slot =
            if queue.is_default() { Some(QueueSlot::DEFAULT) } else { self.queues.slot_of(queue).map(QueueSlot::vm) };
        let Some(slot) = slot else { return };
        if let Some((chain, _)) = self.pending_of(slot) {
            let chain = chain.take();
            self.pending_slots.clear(slot);
            self.drop_chain(chain);
        }
    }

    /// Hands the token of every pending NBL to `keep` and empties the chains: the buffers
    /// stay outstanding, as if indicated (benchmarks; see `RxSession::hold_unindicated`).
    pub(super) fn take_all_pending(&mut self, mut keep: impl FnMut(usize)) {
        let mut from = 0;
        while let Some(slot) = self.pending_slots.next_from(from) {
            from = usize::from(slot.raw()) + 1;
            if let Some((chain, _)) = self.pending_of(slot) {
                chain.take().for_each_token(&mut keep);
            }
            self.pending_slots.clear(slot);
        }
    }

    /// Drops every pending frame (pause).
    pub fn drop_all_pending(&mut self) {
        let mut from = 0;
        while let Some(slot) = self.pending_slots.next_from(from) {
            from = usize::from(slot.raw()) + 1;
            if let Some((chain, _)) = self.pending_of(slot) {
                let chain = chain.take();
                self.drop_chain(chain);
            }
            self.pending_slots.clear(slot);
        }
    }
}

impl<B: NicBackend + Send> Adapter<B> {
    /// The receive DPC of `processor` (DISPATCH_LEVEL, on that processor): indicates the
    /// pending chain of every queue whose processor it is, one indication per queue, with the
    /// lock released; a queue that may not indicate (not Running, being freed) or an adapter
    /// that may not (pausing, paused, D1-D3, removed) has its chain dropped instead. Returns
    /// what a drop made possible (a pause or FREE_QUEUE to finish), as the return path does.
    pub fn receive_dpc(&self, processor: u32) -> AfterReturn {
        let base = NDIS_RECEIVE_FLAGS_SINGLE_QUEUE
            | NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID
            | NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL;
        let mut after = AfterReturn::default();
        let mut from = 0;
        loop {
            let mut chains = [(QueueSlot::DEFAULT, RxChain::EMPTY); SESSION_QUEUES];
            let mut taken = 0;
            let mut more = false;
            {
                let mut guard = self.state().lock();
                let state = &mut *guard;
                let live = state.run == RunState::Running && !state.surprise_removed && !state.low_power;
                while let Some(slot) = state.pending_slots.next_from(from) {
                    if taken == SESSION_QUEUES {
                        more = true;
                        break;
                    }
                    from = usize::from(slot.raw()) + 1;
                    let may_indicate = match slot.table_slot() {
                        None => true,
                        Some(t) => state.queues.slot_mut(t).is_some_and(|q| q.state.may_indicate()),
                    };
                    let Some((chain, owner, indicating)) = state.dpc_side(slot) else {
                        state.pending_slots.clear(slot);
                        continue;
                    };
                    let deliver = live && may_indicate;
                    // Another processor's queue, or one whose earlier frames another DPC is
                    // still indicating (that DPC re-queues the queue's DPC when it is done).
                    if deliver && (owner != processor || *indicating) {
                        continue;
                    }
                    let chain = chain.take();
                    if deliver {
                        // Cleared by this DPC once the chain is indicated (a drop leaves the mark
                        // of another DPC alone).
                        *indicating = true;
                    }
                    state.pending_slots.clear(slot);
                    if deliver {
                        chains[taken] = (slot, chain);
                        taken += 1;
                    } else {
                        state.drop_chain(chain);
                    }
                }
                let now = after_release(state);
                after.queue_free_work |= now.queue_free_work;
                after.complete_pause |= now.complete_pause;
            }
            for (slot, chain) in &chains[..taken] {
                let flags = if *slot == QueueSlot::DEFAULT { base } else { base | NDIS_RECEIVE_FLAGS_PERFECT_FILTERED };
                chain.indicate(self.handle(), flags);
            }
            if taken > 0 {
                // Done with these queues: frames that arrived meanwhile go to the DPC of the
                // queue's processor now (it may have moved).
                let mut guard = self.state().lock();
                let state = &mut *guard;
                for (slot, _) in &chains[..taken] {
                    let Some((chain, owner, indicating)) = state.dpc_side(*slot) else { continue };
                    *indicating = false;
                    if !chain.is_empty() && owner != processor {
                        state.backend.queue_receive_dpc(owner);
                    }
                }
            }
            if !more {
                return after;
            }
        }
    }
}
