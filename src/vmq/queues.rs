//! The VM queue table: one pool-allocated [`Queue`] per live QueueId.
//!
//! QueueIds are assigned by NDIS (unique per adapter, never 0); the table maps them
//! to slots. Control-path lookups scan the slots (at most `MAX_VM_QUEUES`); the
//! receive hot path never looks a queue up by id.

use super::queue_state::QueueState;
use super::rx_memory::{QueueSlot, RxMemory};
use crate::kernel::nbl::RxChain;
use crate::kernel::pool::{PoolBox, PoolTag};
use crate::kernel::{NdisHandle, QueueId};

/// Pool tag of the queue table.
pub const QUEUE_TABLE_TAG: PoolTag = PoolTag::new(*b"VqQt");

/// Slots in the table: the most VM queues any back end may advertise.
pub const MAX_VM_QUEUES: usize = 256;

/// One VM queue.
pub struct Queue {
    /// QueueId NDIS assigned.
    pub id: QueueId,
    /// Lifecycle state.
    pub state: QueueState,
    /// `NDIS_RECEIVE_QUEUE_PARAMETERS.Flags` (PER_QUEUE_RECEIVE_INDICATION).
    pub flags: u32,
    /// Receive buffers the host suggested (after clamping).
    pub suggested_buffers: u32,
    /// `ProcessorAffinity` (mask, group).
    pub affinity: (u64, u16),
    /// Filters set on the queue.
    pub filters: u32,
    /// Shared memory the queue owns and the receive buffers carved out of it.
    pub rx: RxMemory,
    /// Frames copied into `rx` that wait for the receive DPC of the queue's processor (a NIC
    /// that defers receive), in arrival order.
    pub pending: RxChain,
    /// A receive DPC is indicating a chain it took from `pending` (with the lock released):
    /// another processor's DPC leaves the queue alone meanwhile, so an affinity change cannot
    /// reorder its frames.
    pub indicating: bool,
}

impl Queue {
    /// A queue just reserved by ALLOCATE_QUEUE.
    #[must_use]
    pub const fn new(id: QueueId, flags: u32, suggested_buffers: u32, affinity: (u64, u16), rx: RxMemory) -> Self {
        Self {
            id,
            state: QueueState::Allocated,
            flags,
            suggested_buffers,
            affinity,
            filters: 0,
            rx,
            pending: RxChain::EMPTY,
            indicating: false,
        }
    }

    /// The processor the queue's receive interrupt (DPC) goes to: the lowest of its
    /// `ProcessorAffinity` (group 0).
    #[must_use]
    pub const fn processor(&self) -> u32 {
        affinity_processor(self.affinity.0)
    }
}

/// The lowest processor of an affinity mask (0 for an empty one).
#[must_use]
pub const fn affinity_processor(mask: u64) -> u32 {
    if mask == 0 { 0 } else { mask.trailing_zeros() }
}

/// The live VM queues of an adapter (the slot array lives in pool: 2 KiB that would
/// otherwise be built and moved on the kernel stack during initialize).
pub struct QueueTable {
    slots: PoolBox<[Option<PoolBox<Queue>>; MAX_VM_QUEUES]>,
}

impl QueueTable {
    /// An empty table, or `None` when the pool allocation fails.
    #[must_use]
    pub fn new(owner: NdisHandle) -> Option<Self> {
        Some(Self { slots: PoolBox::try_nones(owner, QUEUE_TABLE_TAG)? })
    }

    /// The queue with this id.
    #[must_use]
    pub fn get(&self, id: QueueId) -> Option<&Queue> {
        self.slots.iter().flatten().map(|q| &**q).find(|q| q.id == id)
    }

    /// The queue with this id, mutable.
    pub fn get_mut(&mut self, id: QueueId) -> Option<&mut Queue> {
        self.slots.iter_mut().flatten().map(|q| &mut **q).find(|q| q.id == id)
    }

    /// Live queues.
    #[must_use]
    pub(crate) fn len(&self) -> usize {
        self.slots.iter().flatten().count()
    }

    /// Inserts a queue; returns its slot, or hands it back when the table is full.
    ///
    /// # Errors
    /// `Err(queue)` when every slot is taken.
    pub fn insert(&mut self, queue: PoolBox<Queue>) -> Result<usize, PoolBox<Queue>> {
        match self.slots.iter().position(Option::is_none) {
            Some(slot) => {
                self.slots[slot] = Some(queue);
                Ok(slot)
            }
            None => Err(queue),
        }
    }

    /// The slot of the queue with this id.
    #[must_use]
    pub fn slot_of(&self, id: QueueId) -> Option<usize> {
        self.slots.iter().position(|slot| slot.as_ref().is_some_and(|q| q.id == id))
    }

    /// The queue in slot `slot` (the receive and return paths address queues by slot).
    pub fn slot_mut(&mut self, slot: usize) -> Option<&mut Queue> {
        self.slots.get_mut(slot).and_then(Option::as_mut).map(|q| &mut **q)
    }

    /// Removes the queue with this id (its memory is freed when the box is dropped,
    /// which the caller does at PASSIVE_LEVEL outside the lock).
    pub fn remove(&mut self, id: QueueId) -> Option<PoolBox<Queue>> {
        self.slots.iter_mut().find(|slot| slot.as_ref().is_some_and(|q| q.id == id)).and_then(Option::take)
    }

    /// Removes any one queue (halt-time cleanup).
    pub fn pop(&mut self) -> Option<PoolBox<Queue>> {
        self.slots.iter_mut().find_map(Option::take)
    }

    /// The live queues.
    pub fn iter(&self) -> impl Iterator<Item = &Queue> {
        self.slots.iter().flatten().map(|q| &**q)
    }
}

const SLOT_WORDS: usize = (MAX_VM_QUEUES + 1).div_ceil(64);

/// Queue slots with frames pending for a receive DPC, by raw [`QueueSlot`] (bit 0: the
/// default queue); see [`super::rx_dpc`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingSlots([u64; SLOT_WORDS]);

impl PendingSlots {
    /// No slot pending.
    pub const EMPTY: Self = Self([0; SLOT_WORDS]);

    pub(super) fn set(&mut self, slot: QueueSlot) {
        let raw = usize::from(slot.raw());
        self.0[raw / 64] |= 1 << (raw % 64);
    }

    pub(super) fn clear(&mut self, slot: QueueSlot) {
        let raw = usize::from(slot.raw());
        self.0[raw / 64] &= !(1 << (raw % 64));
    }

    /// The pending slots at or after `from`, lowest first.
    pub(super) fn next_from(&self, from: usize) -> Option<QueueSlot> {
        let mut word = from / 64;
        let mut bits = self.0.get(word)? & (!0u64 << (from % 64));
        loop {
            if bits != 0 {
                // CAST: below 64 * SLOT_WORDS, a u16.
                return Some(QueueSlot::from_raw((word * 64 + bits.trailing_zeros() as usize) as u16));
            }
            word += 1;
            bits = *self.0.get(word)?;
        }
    }
}
