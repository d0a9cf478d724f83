//! The receive path: per-queue buffer rings, demux of looped-back frames into queues,
//! indication batches, and the return path.
//!
//! Hot path (per frame, under the adapter lock, no allocation, no blocking): demux
//! lookup → pop a free buffer → copy the frame into the queue's shared memory →
//! append the buffer's pre-bound NBL to that queue's batch. After the lock is
//! released each queue's batch is indicated in one call (SINGLE_QUEUE). Frames
//! that find no free buffer are dropped and counted. Nothing is read back from
//! shared memory (the VM may write it).
//! <https://learn.microsoft.com/windows-hardware/drivers/network/vmq-receive-path>

use ndis_sys::{
    NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL, NDIS_RECEIVE_FLAGS_PERFECT_FILTERED,
    NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID, NDIS_RECEIVE_FLAGS_SINGLE_QUEUE,
};

use super::adapter::{Adapter, AdapterState, RING_TAG, RunState};
use super::demux::DemuxKey;
use super::ledger::{Ledger, MAX_ALLOCATIONS_PER_QUEUE};
use crate::backend::NicBackend;
use crate::kernel::NdisHandle;
use crate::kernel::lock::{SpinLock, SpinLockGuard};
use crate::kernel::nbl::{BUFFERS_PER_BLOCK, RxChain, RxNbl};
use crate::kernel::pool::PoolBox;

/// Most buffers one queue holds.
pub const MAX_RING: usize = MAX_ALLOCATIONS_PER_QUEUE * BUFFERS_PER_BLOCK;
const _: () = assert!(MAX_RING <= u16::MAX as usize);

/// Receive-queue "slot" as carried in NBL tokens and demux targets:
/// 0 = the default queue, `s + 1` = slot `s` of the VM queue table.
pub type QueueSlot = u16;

/// The NBL token of buffer `index` of block `block` of queue `slot`.
#[must_use]
pub const fn rx_token(slot: QueueSlot, block: usize, index: usize) -> usize {
    ((slot as usize) << 32) | (block << 16) | index
}

/// Splits a token back into (slot, ring index).
#[must_use]
pub const fn split_token(token: usize) -> (QueueSlot, u16) {
    // CAST: the token was built by `rx_token` from a u16 slot and indices < 1024.
    let slot = (token >> 32) as QueueSlot;
    let block = (token >> 16) & 0xFFFF;
    let index = token & 0xFFFF;
    (slot, (block * BUFFERS_PER_BLOCK + index) as u16)
}

/// Free receive buffers of a queue (a stack of ring indices) and how many are indicated.
pub struct RxRing {
    free: PoolBox<[u16; MAX_RING]>,
    free_len: usize,
    outstanding: u32,
}

impl RxRing {
    /// An empty ring (its index stack allocated zeroed in pool).
    #[must_use]
    pub fn new(owner: NdisHandle) -> Option<Self> {
        Some(Self { free: PoolBox::try_zeroed(owner, RING_TAG)?, free_len: 0, outstanding: 0 })
    }

    /// Buffers indicated and not yet returned.
    #[must_use]
    pub const fn outstanding(&self) -> u32 {
        self.outstanding
    }

    /// Free buffers.
    #[must_use]
    pub const fn free(&self) -> usize {
        self.free_len
    }

    fn push(&mut self, index: u16) {
        if let Some(slot) = self.free.get_mut(self.free_len) {
            *slot = index;
            self.free_len += 1;
        }
    }

    fn pop(&mut self) -> Option<u16> {
        self.free_len = self.free_len.checked_sub(1)?;
        Some(self.free[self.free_len])
    }
}

/// A queue's receive memory: the ledger of allocations and the ring of their buffers.
pub struct RxQueue {
    /// Shared-memory allocations with their bound buffers.
    pub ledger: Ledger,
    /// Buffer availability.
    pub ring: RxRing,
}

impl RxQueue {
    /// An empty queue.
    #[must_use]
    pub fn new(owner: NdisHandle) -> Option<Self> {
        Some(Self { ledger: Ledger::new(), ring: RxRing::new(owner)? })
    }

    /// Commits allocations staged for blocks `first..`; their buffers become free.
    /// Anything that could not be committed stays in `staged` for the caller to free.
    pub fn absorb(&mut self, staged: &mut Ledger, first: usize) {
        let ring = &mut self.ring;
        self.ledger.absorb(staged, first, |block, count| {
            for i in 0..count {
                // CAST: block < 32, i < 32.
                ring.push((block * BUFFERS_PER_BLOCK + i) as u16);
            }
        });
    }

    fn fill(&mut self, index: u16, frame: &[u8]) -> Option<RxNbl> {
        let (block, i) = (usize::from(index) / BUFFERS_PER_BLOCK, usize::from(index) % BUFFERS_PER_BLOCK);
        self.ledger.block_mut(block)?.buffers.fill(i, frame)
    }
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
}

/// Queues one session batches before it must indicate (keeps the session small on the
/// kernel stack whatever the number of queues).
pub const SESSION_QUEUES: usize = 8;

/// Frames received under the adapter lock, indicated (per queue, in order) when the
/// session flushes: when it ends, or when a frame targets a ninth queue.
pub struct RxSession<'a, B: NicBackend> {
    handle: NdisHandle,
    lock: &'a SpinLock<AdapterState<B>>,
    guard: Option<SpinLockGuard<'a, AdapterState<B>>>,
    batches: [(QueueSlot, RxChain); SESSION_QUEUES],
    batched: usize,
    at_dispatch: bool,
}

impl<B: NicBackend + Send> Adapter<B> {
    /// Starts receiving (takes the adapter lock). `at_dispatch`: the caller runs at
    /// DISPATCH_LEVEL (indications then carry NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL).
    pub fn receive_session(&self, at_dispatch: bool) -> RxSession<'_, B> {
        RxSession {
            handle: self.handle(),
            lock: self.state(),
            guard: Some(self.state().lock()),
            batches: [(0, RxChain::EMPTY); SESSION_QUEUES],
            batched: 0,
            at_dispatch,
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
        if state.run != RunState::Running || state.surprise_removed {
            return Ok(RxOutcome::NotRunning);
        }
        let Some(key) = DemuxKey::of_frame(frame) else {
            state.counters.rcv_error += 1;
            return Ok(RxOutcome::Dropped);
        };
        let slot = state.demux.lookup(key).unwrap_or(0);
        let batch = match self.batches[..self.batched].iter().position(|(s, _)| *s == slot) {
            Some(i) => i,
            None if self.batched < SESSION_QUEUES => self.batched,
            None => return Err(BatchFull),
        };
        let queue = if slot == 0 {
            Some(&mut state.default_queue)
        } else {
            state.queues.slot_mut(usize::from(slot - 1)).filter(|q| q.state.may_indicate()).map(|q| &mut q.rx)
        };
        let Some(queue) = queue else {
            state.counters.rcv_error += 1;
            return Ok(RxOutcome::Dropped);
        };
        let Some(index) = queue.ring.pop() else {
            state.counters.rcv_no_buffer += 1;
            return Ok(RxOutcome::NoBuffer);
        };
        let Some(nbl) = queue.fill(index, frame) else {
            queue.ring.push(index);
            state.counters.rcv_error += 1;
            return Ok(RxOutcome::Dropped);
        };
        queue.ring.outstanding += 1;
        state.outstanding += 1;
        state.counters.rcv_ok += 1;
        if batch == self.batched {
            self.batches[batch] = (slot, RxChain::EMPTY);
            self.batched += 1;
        }
        self.batches[batch].1.push(nbl);
        Ok(RxOutcome::Delivered(slot))
    }

    /// Releases the lock, indicates every batch, and takes the lock again.
    fn flush(&mut self) {
        self.indicate_batches();
        self.guard = Some(self.lock.lock());
    }

    fn indicate_batches(&mut self) {
        drop(self.guard.take());
        let base = NDIS_RECEIVE_FLAGS_SINGLE_QUEUE
            | NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID
            | if self.at_dispatch { NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL } else { 0 };
        for (slot, chain) in &self.batches[..self.batched] {
            let flags = if *slot == 0 { base } else { base | NDIS_RECEIVE_FLAGS_PERFECT_FILTERED };
            chain.indicate(self.handle, flags);
        }
        self.batched = 0;
    }

    /// Gives every batched buffer back to its ring without indicating it, as if NDIS had
    /// returned it at once. Benchmarks use it to time the hot path (demux, copy, NBL
    /// preparation) without NDIS's own cost.
    pub fn recycle_unindicated(mut self) {
        if let Some(guard) = self.guard.as_mut() {
            for (_, chain) in &self.batches[..self.batched] {
                chain.for_each_token(|token| recycle_token(guard, token));
            }
        }
        self.batched = 0;
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

/// Every batch slot of the session is taken by another queue.
struct BatchFull;

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
}

impl<B: NicBackend + Send> Adapter<B> {
    /// Starts recycling returned NBLs (takes the adapter lock).
    pub fn return_session(&self) -> ReturnSession<'_, B> {
        ReturnSession { guard: self.state().lock() }
    }
}

/// Puts the buffer named by an NBL token back on its queue's free list.
fn recycle_token<B>(state: &mut AdapterState<B>, token: usize) {
    let (slot, index) = split_token(token);
    let queue = if slot == 0 {
        Some(&mut state.default_queue)
    } else {
        state.queues.slot_mut(usize::from(slot - 1)).map(|q| &mut q.rx)
    };
    if let Some(queue) = queue
        && queue.ring.outstanding > 0
    {
        queue.ring.outstanding -= 1;
        queue.ring.push(index);
        state.outstanding = state.outstanding.saturating_sub(1);
    }
}

impl<B: NicBackend> ReturnSession<'_, B> {
    /// Puts the buffer named by an NBL token back on its queue's free list.
    pub fn recycle(&mut self, token: usize) {
        recycle_token(&mut self.guard, token);
    }

    /// Releases the lock; says whether a pended FREE_QUEUE or pause can now finish.
    #[must_use]
    pub fn finish(self) -> AfterReturn {
        let mut guard = self.guard;
        let state = &mut *guard;
        let mut after = AfterReturn::default();
        if let Some(queue_id) = state.pending_free_queue()
            && !state.free_work_queued
            && state.queues.get(queue_id).is_some_and(|q| q.rx.ring.outstanding == 0)
        {
            state.free_work_queued = true;
            after.queue_free_work = true;
        }
        if state.run == RunState::Pausing && state.outstanding == 0 {
            state.run = RunState::Paused;
            after.complete_pause = true;
        }
        after
    }
}
