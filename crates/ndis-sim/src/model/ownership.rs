//! Which indicated NBLs NDIS owns right now (indicated without RESOURCES, not returned yet), and
//! what each of them points at: its queue, its MDL, and the shared-memory blocks its data and
//! NET_BUFFER_SHARED_MEMORY name. The counters answer "is anything NDIS owns still using this"
//! for NdisFreeSharedMemory, NdisFreeMdl, NdisFreeNetBufferList, FREE_QUEUE and pause.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/receiving-network-data>.

use std::collections::BTreeMap;

/// MDLs and shared-memory blocks one owned NBL is tracked by: a 9014-byte frame with its tag
/// in 2 KiB receive buffers takes five, each possibly in its own allocation.
pub const NBL_LINKS: usize = 8;

/// One NBL NDIS owns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OwnedNbl {
    /// The adapter that indicated it.
    pub adapter: u64,
    /// Its receive queue (from the NBL filtering info).
    pub queue: u32,
    /// Its NET_BUFFER's MDL chain, in order (0 = none): NdisFreeMdl of any of them is a use
    /// after free while NDIS owns the NBL.
    pub mdls: [u64; NBL_LINKS],
    /// AllocationHandles of the shared-memory blocks it points into (0 = none).
    pub blocks: [u64; NBL_LINKS],
}

/// Adds `value` to the first free (0) entry of `set` unless it is 0 or already there; `false`
/// when the set is full.
pub fn add_link(set: &mut [u64; NBL_LINKS], value: u64) -> bool {
    if value == 0 || set.contains(&value) {
        return true;
    }
    match set.iter_mut().find(|v| **v == 0) {
        Some(slot) => {
            *slot = value;
            true
        }
        None => false,
    }
}

/// The NBLs NDIS owns, with reference counts by block, queue and MDL.
#[derive(Debug, Default)]
pub struct Ownership {
    owned: BTreeMap<u64, OwnedNbl>,
    per_block: BTreeMap<u64, u32>,
    per_queue: BTreeMap<(u64, u32), u32>,
    per_mdl: BTreeMap<u64, u32>,
}

fn up<K: Ord>(map: &mut BTreeMap<K, u32>, key: K) {
    *map.entry(key).or_default() += 1;
}

fn down<K: Ord>(map: &mut BTreeMap<K, u32>, key: K) {
    if let Some(n) = map.get_mut(&key) {
        *n -= 1;
        if *n == 0 {
            map.remove(&key);
        }
    }
}

impl Ownership {
    /// NDIS takes `nbl`; `false` (and nothing changes) if it already owns it.
    pub fn take(&mut self, nbl: u64, o: OwnedNbl) -> bool {
        if self.owned.contains_key(&nbl) {
            return false;
        }
        self.owned.insert(nbl, o);
        o.blocks.iter().filter(|b| **b != 0).for_each(|b| up(&mut self.per_block, *b));
        up(&mut self.per_queue, (o.adapter, o.queue));
        o.mdls.iter().filter(|m| **m != 0).for_each(|m| up(&mut self.per_mdl, *m));
        true
    }

    /// NDIS gives `nbl` back (returned to the miniport, or forgotten).
    pub fn release(&mut self, nbl: u64) -> Option<OwnedNbl> {
        let o = self.owned.remove(&nbl)?;
        o.blocks.iter().filter(|b| **b != 0).for_each(|b| down(&mut self.per_block, *b));
        down(&mut self.per_queue, (o.adapter, o.queue));
        o.mdls.iter().filter(|m| **m != 0).for_each(|m| down(&mut self.per_mdl, *m));
        Some(o)
    }

    /// Whether NDIS owns `nbl`.
    pub fn owns(&self, nbl: u64) -> bool {
        self.owned.contains_key(&nbl)
    }

    /// Owned NBLs pointing into the shared-memory block `allocation`.
    pub fn block_refs(&self, allocation: u64) -> u32 {
        self.per_block.get(&allocation).copied().unwrap_or(0)
    }

    /// Owned NBLs of `queue` on `adapter`.
    pub fn queue_refs(&self, adapter: u64, queue: u32) -> u32 {
        self.per_queue.get(&(adapter, queue)).copied().unwrap_or(0)
    }

    /// Owned NBLs of `adapter`, all queues.
    pub fn adapter_refs(&self, adapter: u64) -> u32 {
        self.per_queue.range((adapter, 0)..=(adapter, u32::MAX)).map(|(_, n)| *n).sum()
    }

    /// Owned NBLs whose MDL chain holds `mdl`.
    pub fn mdl_refs(&self, mdl: u64) -> u32 {
        self.per_mdl.get(&mdl).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_follow_take_and_release() {
        let mut o = Ownership::default();
        let mut mdls = [0; NBL_LINKS];
        let mut blocks = [0; NBL_LINKS];
        assert!(add_link(&mut mdls, 0x30) && add_link(&mut blocks, 0x40) && add_link(&mut blocks, 0x40));
        assert_eq!(blocks[..2], [0x40, 0]);
        let n = OwnedNbl { adapter: 1, queue: 2, mdls, blocks };
        assert!(o.take(0x10, n));
        assert!(!o.take(0x10, n));
        assert!(o.take(0x20, OwnedNbl { queue: 0, ..n }));
        assert_eq!((o.block_refs(0x40), o.queue_refs(1, 2), o.adapter_refs(1)), (2, 1, 2));
        assert_eq!(o.mdl_refs(0x30), 2);
        assert_eq!(o.release(0x10), Some(n));
        assert_eq!(o.release(0x10), None);
        assert_eq!((o.block_refs(0x40), o.adapter_refs(1)), (1, 1));
        assert!(o.owns(0x20) && !o.owns(0x10));
    }
}
