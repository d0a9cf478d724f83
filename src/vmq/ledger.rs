//! Per-queue shared-memory ledger: every `NdisAllocateSharedMemory` result a queue owns,
//! each with the receive buffers bound to it.
//!
//! A queue may grow (more allocations) until it is freed; freeing the queue frees
//! every entry (buffers first: their NBLs and MDLs, then the shared memory). The
//! ledger never frees under a lock: callers move it (or the queue holding it) out
//! of the locked state and drop it at PASSIVE_LEVEL.
//! <https://learn.microsoft.com/windows-hardware/drivers/network/shared-memory-resource-allocation>

use crate::kernel::NdisHandle;
use crate::kernel::nbl::{BUFFERS_PER_BLOCK, NblPool, RxBlock};
use crate::kernel::pool::{PoolBox, PoolTag};
use crate::kernel::shared_memory::{SharedMemory, SharedMemoryError, SharedMemoryRequest, SharedMemoryUsage};

/// Allocations one queue can hold.
pub const MAX_ALLOCATIONS_PER_QUEUE: usize = 32;
/// Largest single allocation: receive memory is requested in blocks of this size.
pub const MAX_BLOCK_BYTES: u32 = 64 * 1024;

/// One allocation and the buffers carved out of it. Field order is drop order:
/// the NBLs/MDLs go before the memory they describe.
pub struct RxAllocation {
    /// Receive buffers bound to this allocation.
    pub buffers: RxBlock,
    /// The shared memory.
    pub memory: SharedMemory,
}

/// The allocations of one queue, indexed by block number (no holes). Each entry lives in
/// its own pool block, so a ledger is 32 pointers: small enough to build and move on the
/// 24 KiB kernel stack (the emulated image showed a 24.8 KB initialize frame when the
/// entries were inline).
pub struct Ledger {
    entries: [Option<PoolBox<RxAllocation>>; MAX_ALLOCATIONS_PER_QUEUE],
}

/// Pool tag of ledger entries.
pub const LEDGER_TAG: PoolTag = PoolTag::new(*b"VqLg");

/// Why the ledger could not grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrowError {
    /// NDIS (or the SG buffer pool allocation) failed.
    Allocation(SharedMemoryError),
    /// An MDL, NBL or descriptor block could not be allocated.
    Buffers,
    /// The ledger has no room for more allocations.
    Full,
}

/// What [`Ledger::allocate_receive`] allocates.
pub struct ReceiveRequest<'a> {
    /// The miniport adapter handle.
    pub owner: NdisHandle,
    /// The adapter's NBL pool.
    pub pool: &'a NblPool,
    /// QueueId (0 = default queue).
    pub queue_id: u32,
    /// Buffers wanted.
    pub buffers: u32,
    /// Ask for contiguous memory.
    pub contiguous: bool,
    /// Distance between buffers (2 KiB rounded to the shared-data alignment).
    pub stride: u32,
    /// Block number the first new allocation will have in the destination ledger.
    pub first_block: usize,
    /// The NBL token of buffer `index` of block `block`.
    pub token: &'a dyn Fn(usize, usize) -> usize,
}

impl Ledger {
    /// An empty ledger.
    #[must_use]
    pub const fn new() -> Self {
        Self { entries: [const { None }; MAX_ALLOCATIONS_PER_QUEUE] }
    }

    /// Number of allocations (they occupy blocks `0..len`).
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.iter().take_while(|e| e.is_some()).count()
    }

    /// No allocation.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries[0].is_none()
    }

    /// Entries still free.
    #[must_use]
    pub fn room(&self) -> usize {
        MAX_ALLOCATIONS_PER_QUEUE - self.len()
    }

    /// Bytes allocated in total.
    #[must_use]
    pub fn bytes(&self) -> u64 {
        self.iter().map(|a| u64::from(a.memory.length())).sum()
    }

    /// Receive buffers bound.
    #[must_use]
    pub fn buffers(&self) -> u32 {
        // CAST: at most 32 * 32 buffers.
        self.iter().map(|a| a.buffers.len() as u32).sum()
    }

    /// The allocations, by block number.
    pub fn iter(&self) -> impl Iterator<Item = &RxAllocation> {
        self.entries.iter().flatten().map(|entry| &**entry)
    }

    /// Block `block`, mutable (the hot path fills its buffers).
    pub fn block_mut(&mut self, block: usize) -> Option<&mut RxAllocation> {
        self.entries.get_mut(block).and_then(Option::as_mut).map(|entry| &mut **entry)
    }

    /// Moves the allocations of `staged` (made outside the lock for blocks
    /// `first..first + staged.len()`) into `self` at those block numbers. Returns the
    /// (block, buffers) added; an allocation whose block number is taken is handed back
    /// in `staged` (the caller frees it), which keeps NBL tokens and blocks in step.
    pub fn absorb(&mut self, staged: &mut Self, first: usize, mut added: impl FnMut(usize, usize)) {
        for (k, slot) in staged.entries.iter_mut().enumerate() {
            let Some(allocation) = slot.take() else { break };
            let block = first + k;
            match self.entries.get_mut(block) {
                Some(dst @ None) => {
                    added(block, allocation.buffers.len());
                    *dst = Some(allocation);
                }
                _ => {
                    *slot = Some(allocation);
                    return;
                }
            }
        }
    }

    /// Allocates receive memory for `request.buffers` buffers in blocks of at most
    /// [`MAX_BLOCK_BYTES`] and binds their buffers, at PASSIVE_LEVEL, into a new ledger
    /// the caller commits with [`Ledger::absorb`] under its lock. On failure, what this
    /// call allocated is freed.
    ///
    /// # Errors
    /// [`GrowError`] naming the first failure.
    pub fn allocate_receive(request: &ReceiveRequest<'_>) -> Result<Self, GrowError> {
        let stride = request.stride.max(1);
        let per_block = (MAX_BLOCK_BYTES / stride).clamp(1, BUFFERS_PER_BLOCK as u32);
        let blocks = request.buffers.div_ceil(per_block) as usize;
        if request.first_block + blocks > MAX_ALLOCATIONS_PER_QUEUE {
            return Err(GrowError::Full);
        }
        let mut staged = Self::new();
        let mut remaining = request.buffers;
        for k in 0..blocks {
            let count = remaining.min(per_block);
            let memory = SharedMemory::allocate(
                request.owner,
                SharedMemoryRequest {
                    queue_id: request.queue_id,
                    length: count * stride,
                    usage: SharedMemoryUsage::Receive,
                    contiguous: request.contiguous,
                },
            )
            .map_err(GrowError::Allocation)?;
            let block = request.first_block + k;
            let buffers = RxBlock::new(request.owner, request.pool, &memory, request.queue_id, stride, |i| {
                (request.token)(block, i)
            })
            .map_err(|_| GrowError::Buffers)?;
            // On failure the allocation comes back and is dropped here: buffers, then memory.
            let entry = PoolBox::try_new(request.owner, LEDGER_TAG, RxAllocation { buffers, memory })
                .map_err(|_| GrowError::Buffers)?;
            staged.entries[k] = Some(entry);
            remaining -= count;
        }
        Ok(staged)
    }
}

impl Default for Ledger {
    fn default() -> Self {
        Self::new()
    }
}
