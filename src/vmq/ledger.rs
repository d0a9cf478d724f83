//! Per-queue shared-memory ledger: every `NdisAllocateSharedMemory` result a queue owns.
//!
//! A queue may grow (more allocations) until it is freed; freeing the queue frees
//! every entry. The ledger never frees by itself under a lock: callers move the
//! ledger (or the queue holding it) out of the locked state and drop it at
//! PASSIVE_LEVEL. <https://learn.microsoft.com/windows-hardware/drivers/network/shared-memory-resource-allocation>

use crate::kernel::NdisHandle;
use crate::kernel::shared_memory::{
    SharedMemory, SharedMemoryError, SharedMemoryRequest, SharedMemoryUsage,
};

/// Allocations one queue can hold.
pub const MAX_ALLOCATIONS_PER_QUEUE: usize = 32;
/// Largest single allocation: receive memory is requested in blocks of this size.
pub const MAX_BLOCK_BYTES: u32 = 64 * 1024;
/// Bytes of one receive buffer (a 1514-byte frame plus VLAN tag, rounded for alignment).
pub const RX_BUFFER_BYTES: u32 = 2048;

/// The allocations of one queue.
pub struct Ledger {
    entries: [Option<SharedMemory>; MAX_ALLOCATIONS_PER_QUEUE],
}

/// Why the ledger could not grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrowError {
    /// NDIS (or the SG buffer pool allocation) failed.
    Allocation(SharedMemoryError),
    /// The ledger has no room for more allocations.
    Full,
}

impl Ledger {
    /// An empty ledger.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            entries: [const { None }; MAX_ALLOCATIONS_PER_QUEUE],
        }
    }

    /// Number of live allocations.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.iter().flatten().count()
    }

    /// No allocation.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes allocated in total.
    #[must_use]
    pub fn bytes(&self) -> u64 {
        self.entries
            .iter()
            .flatten()
            .map(|m| u64::from(m.length()))
            .sum()
    }

    /// Receive buffers the allocations hold.
    #[must_use]
    pub fn buffers(&self) -> u32 {
        self.entries
            .iter()
            .flatten()
            .map(|m| m.length() / RX_BUFFER_BYTES)
            .sum()
    }

    /// The allocations, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &SharedMemory> {
        self.entries.iter().flatten()
    }

    /// Records an allocation; hands it back when the ledger is full.
    ///
    /// # Errors
    /// `Err(memory)` when every slot is taken.
    pub fn push(&mut self, memory: SharedMemory) -> Result<(), SharedMemory> {
        match self.entries.iter_mut().find(|slot| slot.is_none()) {
            Some(slot) => {
                *slot = Some(memory);
                Ok(())
            }
            None => Err(memory),
        }
    }

    /// Moves every entry of `other` into `self` (used to commit allocations made
    /// outside the lock). Entries that do not fit stay in `other`.
    pub fn absorb(&mut self, other: &mut Self) {
        for slot in &mut other.entries {
            if let Some(memory) = slot.take()
                && let Err(memory) = self.push(memory)
            {
                *slot = Some(memory);
                return;
            }
        }
    }

    /// Allocates receive memory for `buffers` buffers in blocks of at most
    /// [`MAX_BLOCK_BYTES`], at PASSIVE_LEVEL, into a new ledger the caller commits
    /// with [`Ledger::absorb`] (under its lock). `room` is how many entries the
    /// destination can still take. On failure, what this call allocated is freed.
    ///
    /// # Errors
    /// [`GrowError`] naming the first failure.
    pub fn allocate_receive(
        owner: NdisHandle,
        queue_id: u32,
        buffers: u32,
        contiguous: bool,
        room: usize,
    ) -> Result<Self, GrowError> {
        let mut staged = Self::new();
        let mut remaining = u64::from(buffers) * u64::from(RX_BUFFER_BYTES);
        let blocks = remaining.div_ceil(u64::from(MAX_BLOCK_BYTES));
        if blocks > room as u64 {
            return Err(GrowError::Full);
        }
        while remaining > 0 {
            // CAST: bounded by MAX_BLOCK_BYTES.
            let length = remaining.min(u64::from(MAX_BLOCK_BYTES)) as u32;
            let request = SharedMemoryRequest {
                queue_id,
                length,
                usage: SharedMemoryUsage::Receive,
                contiguous,
            };
            let memory = SharedMemory::allocate(owner, request).map_err(GrowError::Allocation)?;
            staged.push(memory).map_err(|_| GrowError::Full)?;
            remaining -= u64::from(length);
        }
        Ok(staged)
    }

    /// Entries still free.
    #[must_use]
    pub fn room(&self) -> usize {
        MAX_ALLOCATIONS_PER_QUEUE - self.len()
    }
}

impl Default for Ledger {
    fn default() -> Self {
        Self::new()
    }
}
