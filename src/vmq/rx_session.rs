//! Receive and return sessions: demux of frames from the segment into queues, indication
//! batches, and the return path.
//!
//! Hot path (per frame, under the adapter lock, no allocation, no blocking): demux
//! lookup → take a free buffer → copy the frame into the queue's shared memory →
//! append the buffer's pre-bound NBL to that queue's batch. After the lock is
//! released each queue's batch is indicated in one call (SINGLE_QUEUE) — or, on a NIC that
//! defers receive (the software NIC), the NBL goes to the queue's pending chain and the
//! session queues the receive DPC of the queue's processor ([`super::rx_dpc`]). Frames
//! that find no free buffer are dropped and counted. Nothing is read back from
//! shared memory (the VM may write it).
//! <https://learn.microsoft.com/windows-hardware/drivers/network/vmq-receive-path>

use ndis_sys::{
    NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL, NDIS_RECEIVE_FLAGS_PERFECT_FILTERED,
    NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID, NDIS_RECEIVE_FLAGS_SINGLE_QUEUE,
};

use super::adapter::{Adapter, AdapterState, RunState};
use super::demux::DemuxKey;
use super::packet_filter;
use super::rx_memory::{BufferId, CopyError, QueueSlot, RxMemory};
use crate::backend::NicBackend;
use crate::kernel::NdisHandle;
use crate::kernel::lock::{SpinLock, SpinLockGuard};
use crate::kernel::nbl::{RxChain, RxNbl};

/// Set in a demux target when the filter wants the 802.1Q tag out of the data and in the
/// NBL's `NDIS_NET_BUFFER_LIST_8021Q_INFO` ("NDIS_RECEIVE_FILTER_FIELD_PARAMETERS" remarks).
pub const STRIP_TAG: u16 = 0x8000;

/// A tagged frame as (bytes before the tag, bytes after it, `NDIS_NET_BUFFER_LIST_8021Q_INFO`
/// value: UserPriority in bits 0-2, CanonicalFormatId in bit 3, VlanId in bits 4-15); `None`
/// for an untagged frame, and for a tag of all zeros (priority 0, VLAN 0), which an
/// `NDIS_NET_BUFFER_LIST_8021Q_INFO` of 0 — "no tag" — could not carry: that one stays.
fn split_tag(frame: &[u8]) -> Option<(&[u8], &[u8], usize)> {
    let (head, rest) = frame.split_at_checked(12)?;
    let [0x81, 0x00, hi, lo] = *rest.get(..4)? else { return None };
    let tci = u16::from_be_bytes([hi, lo]);
    if tci == 0 {
        return None;
    }
    let info = usize::from(tci >> 13) | (usize::from((tci >> 12) & 1) << 3) | (usize::from(tci & 0x0FFF) << 4);
    Some((head, &rest[4..], info))
}

/// What happened to one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RxOutcome {
    /// Queued for indication on this queue slot.
    Delivered(QueueSlot),
    /// No free buffer on the target queue (counted in `rcv_no_buffer`).
    NoBuffer,
    /// The target VM queue is not Running (or the frame is malformed): dropped, counted.
    Dropped,
    /// The adapter is not running.
    NotRunning,
    /// A default-queue frame the packet filter in force does not admit.
    Filtered,
}

/// Queues one session batches before it must indicate (keeps the session small on the
/// kernel stack whatever the number of queues).
pub const SESSION_QUEUES: usize = 8;

/// Frames received under the adapter lock, indicated (per queue, in order) when the
/// session flushes: when it ends, or when a frame targets a ninth queue.
pub struct RxSession<'a, B: NicBackend> {
    handle: NdisHandle,
    lock: &'a SpinLock<AdapterState<B>>,
    pub(super) guard: Option<SpinLockGuard<'a, AdapterState<B>>>,
    batches: [(QueueSlot, RxChain); SESSION_QUEUES],
    batched: usize,
    at_dispatch: bool,
    /// Processors (below 64) whose receive DPC must be queued before the lock is released.
    dpcs: u64,
}

impl<B: NicBackend + Send> Adapter<B> {
    /// Starts receiving (takes the adapter lock). `at_dispatch`: the caller runs at
    /// DISPATCH_LEVEL (indications then carry NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL).
    pub fn receive_session(&self, at_dispatch: bool) -> RxSession<'_, B> {
        RxSession {
            handle: self.handle(),
            lock: self.state(),
            guard: Some(self.state().lock()),
            batches: [(QueueSlot::DEFAULT, RxChain::EMPTY); SESSION_QUEUES],
            batched: 0,
            at_dispatch,
            dpcs: 0,
        }
    }
}

impl<B: NicBackend> RxSession<'_, B> {
    /// Demultiplexes one frame into its queue's next free buffer.
    pub fn receive(&mut self, frame: &[u8]) -> RxOutcome {
        loop {
            match self.try_receive(frame) {
                Err(BatchFull) => self.flush(),
                Ok(outcome) => return outcome,
            }
        }
    }

    fn try_receive(&mut self, frame: &[u8]) -> Result<RxOutcome, BatchFull> {
        let Some(guard) = self.guard.as_mut() else { return Ok(RxOutcome::NotRunning) };
        let state = &mut **guard;
        if state.run != RunState::Running || state.surprise_removed || state.low_power {
            return Ok(RxOutcome::NotRunning);
        }
        let Some(key) = DemuxKey::of_frame(frame) else {
            state.counters.rcv_error += 1;
            return Ok(RxOutcome::Dropped);
        };
        // An exact (MAC, VLAN) filter first; a MAC-only filter on a miss.
        let target = state.demux.lookup(key).or_else(|| state.demux.lookup(key.with_any_vlan()));
        let (slot, strip) =
            target.map_or((QueueSlot::DEFAULT, false), |t| (QueueSlot::from_raw(t & !STRIP_TAG), t & STRIP_TAG != 0));
        if slot == QueueSlot::DEFAULT {
            let multicast = &state.multicast[..state.multicast_len];
            if !packet_filter::accepts(state.packet_filter, &key.mac(), &state.current_address, multicast) {
                return Ok(RxOutcome::Filtered);
            }
        }
        let deferred = state.backend.defers_receive();
        let batch = if deferred { 0 } else { find_batch(&self.batches, self.batched, slot)? };
        let Some(memory) = receiving_memory(state, slot) else {
            state.counters.rcv_error += 1;
            return Ok(RxOutcome::Dropped);
        };
        let copied = match strip.then(|| split_tag(frame)).flatten() {
            Some((head, tail, info)) => memory.copy_in_parts(head, tail, info),
            None => memory.copy_in(frame),
        };
        let nbl = match copied {
            Ok(nbl) => nbl,
            Err(CopyError::NoBuffer) => {
                state.counters.rcv_no_buffer += 1;
                return Ok(RxOutcome::NoBuffer);
            }
            Err(CopyError::TooLong) => {
                state.counters.rcv_error += 1;
                return Ok(RxOutcome::Dropped);
            }
        };
        state.outstanding += 1;
        state.counters.rcv.count(frame);
        if deferred {
            let processor = state.pend(slot, nbl);
            self.dpcs |= 1u64 << processor.min(63);
        } else {
            self.push(batch, slot, nbl);
        }
        Ok(RxOutcome::Delivered(slot))
    }

    /// The batch of `slot`'s queue, or the next free one.
    ///
    /// # Errors
    /// [`BatchFull`]: every batch is another queue's; flush first.
    pub(super) fn batch_of(&self, slot: QueueSlot) -> Result<usize, BatchFull> {
        find_batch(&self.batches, self.batched, slot)
    }

    /// Appends `nbl` to batch `batch` (from [`RxSession::batch_of`]) of `slot`'s queue.
    pub(super) fn push(&mut self, batch: usize, slot: QueueSlot, nbl: RxNbl) {
        if batch == self.batched {
            self.batches[batch] = (slot, RxChain::EMPTY);
            self.batched += 1;
        }
        self.batches[batch].1.push(nbl);
    }

    /// Releases the lock, indicates every batch, and takes the lock again.
    pub(super) fn flush(&mut self) {
        self.indicate_batches();
        self.guard = Some(self.lock.lock());
    }

    fn indicate_batches(&mut self) {
        if let Some(guard) = self.guard.as_mut() {
            // One DPC per processor, queued under the lock (KeInsertQueueDpc: any IRQL).
            while self.dpcs != 0 {
                let processor = self.dpcs.trailing_zeros();
                self.dpcs &= self.dpcs - 1;
                guard.backend.queue_receive_dpc(processor);
            }
        }
        drop(self.guard.take());
        let base = NDIS_RECEIVE_FLAGS_SINGLE_QUEUE
            | NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID
            | if self.at_dispatch { NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL } else { 0 };
        for (slot, chain) in &self.batches[..self.batched] {
            let flags = if *slot == QueueSlot::DEFAULT { base } else { base | NDIS_RECEIVE_FLAGS_PERFECT_FILTERED };
            chain.indicate(self.handle, flags);
        }
        self.batched = 0;
    }

    /// Hands the NBL token of every batched buffer to `keep` instead of indicating it, and
    /// releases the lock: the buffers stay outstanding, as if indicated, until they come back
    /// through a [`ReturnSession`]. Benchmarks use it to time the driver's receive and return
    /// work without NDIS's own, and to return buffers in the order a NIC ring would.
    pub fn hold_unindicated(mut self, mut keep: impl FnMut(usize)) {
        for (_, chain) in &self.batches[..self.batched] {
            chain.for_each_token(&mut keep);
        }
        self.batched = 0;
        // A NIC that defers receive: what waits for a DPC is held instead, and no DPC is queued.
        self.dpcs = 0;
        if let Some(guard) = self.guard.as_mut() {
            guard.take_all_pending(keep);
        }
    }

    /// Releases the lock and indicates each queue's batch (one queue per call).
    pub fn finish(self) {
        drop(self);
    }
}

impl<B: NicBackend> Drop for RxSession<'_, B> {
    /// A session never strands a batch: whatever is batched is indicated.
    fn drop(&mut self) {
        self.indicate_batches();
    }
}

/// The batch of `slot` among the first `batched`, or the next free one.
fn find_batch(batches: &[(QueueSlot, RxChain)], batched: usize, slot: QueueSlot) -> Result<usize, BatchFull> {
    match batches[..batched].iter().position(|(s, _)| *s == slot) {
        Some(i) => Ok(i),
        None if batched < SESSION_QUEUES => Ok(batched),
        None => Err(BatchFull),
    }
}

/// Every batch slot of the session is taken by another queue.
pub(super) struct BatchFull;

/// What the return path must do after the lock is released.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AfterReturn {
    /// A pended FREE_QUEUE can now finish: queue the work item.
    pub queue_free_work: bool,
    /// A pended pause can now complete: call NdisMPauseComplete.
    pub complete_pause: bool,
}

/// NBLs coming back through MiniportReturnNetBufferLists, recycled under one lock.
pub struct ReturnSession<'a, B: NicBackend> {
    guard: SpinLockGuard<'a, AdapterState<B>>,
    /// Queue slots (raw, below 64) that got buffers back: a DMA NIC re-posts them at the end.
    refill: u64,
}

impl<B: NicBackend + Send> Adapter<B> {
    /// Starts recycling returned NBLs (takes the adapter lock).
    pub fn return_session(&self) -> ReturnSession<'_, B> {
        ReturnSession { guard: self.state().lock(), refill: 0 }
    }
}

/// The memory frames for `slot` go to: the default queue's, or a Running VM queue's.
fn receiving_memory<B>(state: &mut AdapterState<B>, slot: QueueSlot) -> Option<&mut RxMemory> {
    match slot.table_slot() {
        None => Some(&mut state.default_queue),
        Some(table_slot) => state.queues.slot_mut(table_slot).filter(|q| q.state.may_indicate()).map(|q| &mut q.rx),
    }
}

/// Gives the buffer named by an NBL token back to its queue.
pub(super) fn recycle_token<B>(state: &mut AdapterState<B>, token: usize) {
    let id = BufferId::from_token(token);
    let memory = match id.slot.table_slot() {
        None => Some(&mut state.default_queue),
        Some(table_slot) => state.queues.slot_mut(table_slot).map(|q| &mut q.rx),
    };
    if memory.is_some_and(|m| m.give_back(id.index)) {
        state.outstanding = state.outstanding.saturating_sub(1);
    }
}

impl<B: NicBackend> ReturnSession<'_, B> {
    /// Puts the buffer named by an NBL token back on its queue's free list.
    pub fn recycle(&mut self, token: usize) {
        let slot = BufferId::from_token(token).slot;
        recycle_token(&mut self.guard, token);
        match 1u64.checked_shl(u32::from(slot.raw())) {
            Some(bit) => self.refill |= bit,
            // Beyond the mask (a software NIC's 65th queue): nothing to post anyway.
            None => self.guard.refill_slot(slot),
        }
    }

    /// Releases the lock; says whether a pended FREE_QUEUE or pause can now finish.
    #[must_use]
    pub fn finish(self) -> AfterReturn {
        let mut guard = self.guard;
        let state = &mut *guard;
        let mut refill = self.refill;
        while refill != 0 {
            let raw = refill.trailing_zeros();
            refill &= refill - 1;
            // CAST: below 64.
            state.refill_slot(QueueSlot::from_raw(raw as u16));
        }
        after_release(state)
    }
}

/// What buffers coming back (returned by NDIS, or dropped before indication) made possible,
/// recorded in the state: a pended FREE_QUEUE's work item to queue, a pended pause to complete.
pub(super) fn after_release<B: NicBackend>(state: &mut AdapterState<B>) -> AfterReturn {
    let mut after = AfterReturn::default();
    if let Some(queue_id) = state.pending_free_queue()
        && !state.free_work_queued
        && state.queues.get(queue_id).is_some_and(|q| q.rx.is_drained())
    {
        state.free_work_queued = true;
        after.queue_free_work = true;
    }
    if state.run == RunState::Pausing && state.outstanding == 0 && state.backend.sends_in_flight() == 0 {
        state.run = RunState::Paused;
        after.complete_pause = true;
    }
    after
}
