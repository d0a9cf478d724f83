//! Growing a queue's receive memory: shared memory in blocks of at most 64 KiB, each
//! bound to its buffers' NBLs, allocated at PASSIVE_LEVEL outside the adapter lock.
//!
//! A queue may grow (more allocations) until it is freed.
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocatesharedmemory>

use super::{BLOCK_TAG, BufferId, BufferIndex, MAX_BLOCKS_PER_QUEUE, QueueSlot};
use crate::kernel::nbl::{BUFFERS_PER_BLOCK, NblPool, RxBlock};
use crate::kernel::pool::PoolBox;
use crate::kernel::shared_memory::{SharedMemory, SharedMemoryRequest, SharedMemoryUsage};
use crate::kernel::{NdisHandle, QueueId};
use crate::vmq::error::GrowError;

/// Largest single allocation: receive memory is requested in blocks of this size.
pub const MAX_BLOCK_BYTES: u32 = 64 * 1024;

/// What the adapter lends every allocation.
pub struct RxResources<'a> {
    /// The miniport adapter handle.
    pub owner: NdisHandle,
    /// The adapter's NBL pool.
    pub pool: &'a NblPool,
    /// Distance between buffers (2 KiB rounded to the shared-data alignment).
    pub stride: u32,
    /// Ask for contiguous memory.
    pub contiguous: bool,
}

/// A grow, as read under the lock by [`super::RxMemory::grow_request`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrowRequest {
    /// QueueId (0 = default queue): the shared-memory request and the NBLs' filtering OOB carry it.
    pub queue: QueueId,
    /// The slot the NBL tokens carry.
    pub slot: QueueSlot,
    /// Buffers wanted.
    pub buffers: u32,
    /// Block number the first new allocation will have.
    pub first_block: usize,
}

/// Blocks allocated for a queue and not yet committed to it. Dropping it frees them
/// (PASSIVE_LEVEL: never under the adapter lock).
pub struct Staged {
    pub(super) first_block: usize,
    pub(super) blocks: [Option<PoolBox<RxBlock>>; MAX_BLOCKS_PER_QUEUE],
}

impl GrowRequest {
    /// Allocates the memory for `buffers` buffers in blocks of at most [`MAX_BLOCK_BYTES`]
    /// and binds their buffers (PASSIVE_LEVEL, lock not held). On failure, what this call
    /// allocated is freed.
    ///
    /// # Errors
    /// [`GrowError`] naming the first failure.
    pub fn allocate(&self, resources: &RxResources<'_>) -> Result<Staged, GrowError> {
        let stride = resources.stride.max(1);
        let per_block = (MAX_BLOCK_BYTES / stride).clamp(1, BUFFERS_PER_BLOCK as u32);
        let blocks = self.buffers.div_ceil(per_block) as usize;
        if self.first_block + blocks > MAX_BLOCKS_PER_QUEUE {
            return Err(GrowError::Full);
        }
        let mut staged = Staged { first_block: self.first_block, blocks: [const { None }; MAX_BLOCKS_PER_QUEUE] };
        let mut remaining = self.buffers;
        for k in 0..blocks {
            let count = remaining.min(per_block);
            let memory = SharedMemory::allocate(
                resources.owner,
                SharedMemoryRequest {
                    queue: self.queue,
                    length: count * stride,
                    usage: SharedMemoryUsage::Receive,
                    contiguous: resources.contiguous,
                },
            )
            .map_err(GrowError::Allocation)?;
            let number = self.first_block + k;
            let token = |within| BufferId { slot: self.slot, index: BufferIndex::new(number, within) }.token();
            // On failure the memory is freed with the half-built block.
            let block = RxBlock::new(resources.owner, resources.pool, memory, self.queue, stride, token)
                .map_err(|_| GrowError::Buffers)?;
            // On failure the block comes back and is dropped here: buffers, then memory.
            let block = PoolBox::try_new(resources.owner, BLOCK_TAG, block).map_err(|_| GrowError::Buffers)?;
            staged.blocks[k] = Some(block);
            remaining -= count;
        }
        Ok(staged)
    }
}
