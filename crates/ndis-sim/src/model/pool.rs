//! Non-paged pool: NdisAllocateMemoryWithTagPriority / NdisFreeMemoryWithTagPriority ledger.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocatememorywithtagpriority>.

use std::collections::{BTreeMap, BTreeSet};

use super::config::DISPATCH_LEVEL;
use super::handles::HandleKind;
use super::memory::AddressSpace;
use super::{Model, rules};

/// Pool blocks are 16-byte aligned on x64 (MEMORY_ALLOCATION_ALIGNMENT).
const POOL_ALIGNMENT: usize = 16;
/// Fresh pool is not zeroed; fill it with a recognisable pattern.
const FILL: u8 = 0xA5;

/// One live pool block.
#[derive(Clone, Copy, Debug)]
pub struct PoolBlock {
    /// The NdisHandle passed at allocation (driver or adapter handle).
    pub owner: u64,
    /// The pool tag.
    pub tag: u32,
    /// Length in bytes.
    pub len: u64,
}

/// Per-tag counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TagCounters {
    /// Allocations made with the tag.
    pub allocations: u64,
    /// Frees made with the tag.
    pub frees: u64,
    /// Bytes still allocated with the tag.
    pub bytes_outstanding: u64,
}

/// The pool ledger.
#[derive(Debug, Default)]
pub struct PoolLedger {
    /// Live blocks by address.
    pub live: BTreeMap<u64, PoolBlock>,
    /// Addresses freed and not reallocated since (for double-free detection).
    freed: BTreeSet<u64>,
    /// Calls to NdisAllocateMemoryWithTagPriority (including failed ones).
    pub calls: u64,
    /// Successful allocations.
    pub allocations: u64,
    /// Successful frees.
    pub frees: u64,
    /// Counters by tag.
    pub by_tag: BTreeMap<u32, TagCounters>,
}

/// The tag as the four characters it is written as (`'vmqn'` in memory order).
pub fn tag_text(tag: u32) -> String {
    tag.to_le_bytes().iter().map(|&b| if (0x20..0x7f).contains(&b) { char::from(b) } else { '?' }).collect()
}

impl Model {
    /// `NdisAllocateMemoryWithTagPriority` (<= DISPATCH): returns the block or 0.
    pub fn allocate_pool(&mut self, mem: &mut dyn AddressSpace, handle: u64, len: u32, tag: u32) -> u64 {
        const API: &str = "NdisAllocateMemoryWithTagPriority";
        self.pool.calls += 1;
        let call = self.pool.calls;
        if !self.check_owner_handle(handle, API) {
            return 0;
        }
        if self.irql > DISPATCH_LEVEL {
            self.violate(rules::POOL_IRQL, format!("{API} at IRQL {} (> DISPATCH_LEVEL)", self.irql));
        }
        let printable = tag.to_le_bytes().iter().all(|b| (0x20..0x7f).contains(b));
        if tag == 0 || !printable {
            self.violate(rules::POOL_BAD_TAG, format!("{API} with tag {tag:#010x}: use four printable characters"));
        }
        if self.config.failing_pool_allocations.contains(&call) {
            return 0;
        }
        let size = (len as usize).max(1);
        let Some(addr) = mem.alloc(size, POOL_ALIGNMENT) else {
            return 0;
        };
        if mem.write(addr, &vec![FILL; size]).is_err() {
            mem.free(addr);
            return 0;
        }
        self.pool.freed.remove(&addr);
        self.pool.live.insert(addr, PoolBlock { owner: handle, tag, len: u64::from(len) });
        self.pool.allocations += 1;
        let c = self.pool.by_tag.entry(tag).or_default();
        c.allocations += 1;
        c.bytes_outstanding += u64::from(len);
        addr
    }

    /// `NdisFreeMemoryWithTagPriority`.
    pub fn free_pool(&mut self, mem: &mut dyn AddressSpace, _handle: u64, addr: u64, tag: u32) {
        const API: &str = "NdisFreeMemoryWithTagPriority";
        if self.irql > DISPATCH_LEVEL {
            self.violate(rules::POOL_IRQL, format!("{API} at IRQL {} (> DISPATCH_LEVEL)", self.irql));
        }
        let Some(block) = self.pool.live.remove(&addr) else {
            if self.pool.freed.contains(&addr) {
                self.violate(rules::POOL_DOUBLE_FREE, format!("{API}: block {addr:#x} was already freed"));
            } else {
                self.violate(rules::POOL_UNKNOWN_FREE, format!("{API}: {addr:#x} is not a pool block NDIS allocated"));
            }
            return;
        };
        if block.tag != tag {
            self.violate(
                rules::POOL_TAG_MISMATCH,
                format!(
                    "{API}: block {addr:#x} allocated with tag '{}' freed with tag '{}'",
                    tag_text(block.tag),
                    tag_text(tag)
                ),
            );
        }
        self.check_dpcs_in_freed_block(addr, block.len);
        self.pool.freed.insert(addr);
        self.pool.frees += 1;
        let c = self.pool.by_tag.entry(block.tag).or_default();
        c.frees += 1;
        c.bytes_outstanding -= block.len;
        mem.free(addr);
    }

    /// Halt-time check: pool blocks allocated with the adapter's handle.
    pub(super) fn check_pool_at_halt(&mut self, adapter: u64) {
        let left: Vec<(u64, PoolBlock)> =
            self.pool.live.iter().filter(|(_, b)| b.owner == adapter).map(|(a, b)| (*a, *b)).collect();
        for (addr, b) in left {
            self.violate(
                rules::POOL_LEAK_AT_HALT,
                format!("pool block {addr:#x} ({} bytes, tag '{}') allocated with adapter {adapter:#x} still allocated when MiniportHaltEx returned", b.len, tag_text(b.tag)),
            );
        }
    }

    /// Unload-time check: every pool block.
    pub(super) fn check_pool_at_unload(&mut self) {
        let left: Vec<(u64, PoolBlock)> = self.pool.live.iter().map(|(a, b)| (*a, *b)).collect();
        for (addr, b) in left {
            let owner = self.handles.kind(b.owner).unwrap_or(HandleKind::Driver);
            self.violate(
                rules::POOL_LEAK_AT_UNLOAD,
                format!(
                    "pool block {addr:#x} ({} bytes, tag '{}', {owner}) still allocated when Unload returned",
                    b.len,
                    tag_text(b.tag)
                ),
            );
        }
    }

    /// Calls made to NdisAllocateMemoryWithTagPriority so far (for fault-injection sweeps).
    pub fn pool_allocation_calls(&self) -> u64 {
        self.pool.calls
    }
}
