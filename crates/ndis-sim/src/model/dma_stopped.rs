//! Nothing writes into a queue's shared memory after its DmaStopped indication.
//!
//! "Freeing a VM queue": on OID_RECEIVE_FILTER_FREE_QUEUE the miniport stops DMA into the queue's
//! shared memory, *then* indicates NDIS_STATUS_RECEIVE_QUEUE_STATE with
//! NdisReceiveQueueOperationalStateDmaStopped, then (once its NBLs are back) frees the memory.
//! When the driver indicates DmaStopped for a queue the model copies every live shared-memory
//! block of that queue; when a block is freed (or the adapter halts with it still allocated)
//! it compares, and any change is `shared-memory.written-after-dma-stopped` — a NIC still
//! receiving into the queue, or the driver copying a frame after saying DMA had stopped.
//! A FREE_QUEUE that fails puts the queue back in service and drops its copies.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/freeing-a-vm-queue> and
//! <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-status-receive-queue-state>.

use std::collections::BTreeMap;

use super::memory::{AddressSpace, MemExt};
use super::{Model, rules};

/// A queue's block as it was at the DmaStopped indication.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Snapshot {
    adapter: u64,
    queue: u32,
    address: u64,
    bytes: Vec<u8>,
}

/// Copies of the blocks of queues that indicated DmaStopped, by AllocationHandle.
#[derive(Debug, Default)]
pub struct DmaStoppedCopies {
    blocks: BTreeMap<u64, Snapshot>,
}

impl Model {
    /// The driver indicated DmaStopped for `queue` of `adapter`: copies each live block of it
    /// (a later indication copies again).
    pub(super) fn snapshot_queue_memory(&mut self, mem: &dyn AddressSpace, adapter: u64, queue: u32) {
        let blocks: Vec<(u64, u64, u64)> = self
            .shared
            .live
            .values()
            .filter(|b| b.adapter == adapter && b.queue == queue)
            .map(|b| (b.allocation_handle, b.virtual_address, b.len))
            .collect();
        for (handle, address, len) in blocks {
            let Ok(len) = usize::try_from(len) else { continue };
            // A block the model cannot read is not judged (the driver owns its mapping).
            if let Ok(bytes) = mem.read_vec(address, len) {
                self.dma_stopped.blocks.insert(handle, Snapshot { adapter, queue, address, bytes });
            }
        }
    }

    /// FREE_QUEUE of `queue` failed: the queue stays in service, DMA may resume.
    pub(super) fn forget_queue_snapshots(&mut self, adapter: u64, queue: u32) {
        self.dma_stopped.blocks.retain(|_, s| s.adapter != adapter || s.queue != queue);
    }

    /// Compares block `allocation` with its DmaStopped copy, if it has one, and drops the copy.
    pub(super) fn check_dma_stopped_block(&mut self, mem: &dyn AddressSpace, allocation: u64, when: &str) {
        let Some(s) = self.dma_stopped.blocks.remove(&allocation) else { return };
        let Ok(now) = mem.read_vec(s.address, s.bytes.len()) else { return };
        if now == s.bytes {
            return;
        }
        let at = now.iter().zip(&s.bytes).position(|(a, b)| a != b).unwrap_or(0);
        let changed = now.iter().zip(&s.bytes).filter(|(a, b)| a != b).count();
        self.violate(
            rules::SHARED_MEMORY_WRITTEN_AFTER_DMA_STOPPED,
            format!(
                "shared memory {allocation:#x} (queue {} of adapter {:#x}, {} bytes at {:#x}) changed after the \
                 DmaStopped indication for its queue: {changed} byte(s), the first at offset {at} (seen {when})",
                s.queue,
                s.adapter,
                s.bytes.len(),
                s.address
            ),
        );
    }

    /// At halt: compares every block of `adapter` that still has a DmaStopped copy.
    pub(super) fn check_dma_stopped_at_halt(&mut self, mem: &dyn AddressSpace, adapter: u64, when: &str) {
        let handles: Vec<u64> =
            self.dma_stopped.blocks.iter().filter(|(_, s)| s.adapter == adapter).map(|(h, _)| *h).collect();
        for h in handles {
            self.check_dma_stopped_block(mem, h, when);
        }
    }

    /// Blocks holding a DmaStopped copy (for tests and reports).
    pub fn dma_stopped_copies(&self) -> usize {
        self.dma_stopped.blocks.len()
    }
}
