//! Freed shared memory kept poisoned for a while before it goes back to the allocator: a
//! miniport that writes into a block (DMA, a frame copy) after `NdisFreeSharedMemory` changes
//! the poison, and the check reports `shared-memory.touched-after-free` (Freeing a VM queue: the
//! miniport must not indicate on the queue after completing FREE_QUEUE; the memory belongs to
//! NDIS again).
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/freeing-a-vm-queue>.

use std::collections::VecDeque;

use super::memory::{AddressSpace, MemExt};
use super::{Model, rules};

/// The byte freed blocks are filled with.
pub const POISON: u8 = 0xDB;
/// Freed blocks kept poisoned at most; the oldest is checked and released beyond this.
pub const QUARANTINE_BLOCKS: usize = 64;

/// One freed, poisoned block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Quarantined {
    address: u64,
    len: usize,
    adapter: u64,
    queue: u32,
}

/// The freed blocks still poisoned, oldest first.
#[derive(Debug, Default)]
pub struct Quarantine {
    blocks: VecDeque<Quarantined>,
}

impl Model {
    /// Poisons a block NdisFreeSharedMemory just freed and keeps it; beyond
    /// [`QUARANTINE_BLOCKS`] the oldest block is checked and released.
    pub(super) fn quarantine_shared_block(
        &mut self,
        mem: &mut dyn AddressSpace,
        address: u64,
        len: u64,
        adapter: u64,
        queue: u32,
    ) {
        let Ok(len) = usize::try_from(len) else {
            self.release_shared_va(mem, address);
            return;
        };
        if mem.write(address, &vec![POISON; len]).is_err() {
            self.release_shared_va(mem, address);
            return;
        }
        self.quarantine.blocks.push_back(Quarantined { address, len, adapter, queue });
        while self.quarantine.blocks.len() > QUARANTINE_BLOCKS {
            if let Some(b) = self.quarantine.blocks.pop_front() {
                self.check_quarantined(mem, b);
                self.release_shared_va(mem, b.address);
            }
        }
    }

    /// Checks every freed block still in quarantine (they stay there).
    pub fn check_freed_shared_memory(&mut self, mem: &dyn AddressSpace) {
        let blocks: Vec<Quarantined> = self.quarantine.blocks.iter().copied().collect();
        for b in blocks {
            self.check_quarantined(mem, b);
        }
    }

    /// Checks and releases every quarantined block (at unload).
    pub(super) fn release_quarantine(&mut self, mem: &mut dyn AddressSpace) {
        self.check_freed_shared_memory(mem);
        for b in std::mem::take(&mut self.quarantine.blocks) {
            self.release_shared_va(mem, b.address);
        }
    }

    fn check_quarantined(&mut self, mem: &dyn AddressSpace, b: Quarantined) {
        let Ok(bytes) = mem.read_vec(b.address, b.len) else {
            return;
        };
        // One memcmp first (the common, clean case), the position only on a mismatch.
        if bytes == vec![POISON; b.len] {
            return;
        }
        if let Some(at) = bytes.iter().position(|x| *x != POISON) {
            self.violate(
                rules::SHARED_MEMORY_TOUCHED_AFTER_FREE,
                format!(
                    "shared memory at {:#x} (queue {} of adapter {:#x}) was written at offset {at} after NdisFreeSharedMemory",
                    b.address, b.queue, b.adapter
                ),
            );
        }
    }
}
