//! [`RangeAllocator`]: first-fit allocation of guest-physical ranges, with coalescing free.
//!
//! Pure bookkeeping (no memory is touched), so the model can later answer
//! `NdisMAllocateSharedMemory` / `NdisFreeSharedMemory` from guest RAM with it.

use std::collections::BTreeMap;

/// Free ranges of `[start, end)`, keyed by start, never adjacent (they are merged).
#[derive(Debug, Clone)]
pub struct RangeAllocator {
    free: BTreeMap<u64, u64>,
    allocated: BTreeMap<u64, u64>,
}

impl RangeAllocator {
    /// An allocator owning `[start, end)`.
    pub fn new(start: u64, end: u64) -> Self {
        let mut free = BTreeMap::new();
        if end > start {
            free.insert(start, end - start);
        }
        Self { free, allocated: BTreeMap::new() }
    }

    /// A range of `len` bytes whose start is a multiple of `align` (a power of two), or `None`.
    pub fn alloc(&mut self, len: u64, align: u64) -> Option<u64> {
        if len == 0 || !align.is_power_of_two() {
            return None;
        }
        let (start, size, at) = self.free.iter().find_map(|(&start, &size)| {
            let at = start.checked_add(align - 1)? & !(align - 1);
            (at.checked_add(len)? <= start + size).then_some((start, size, at))
        })?;
        self.free.remove(&start);
        if at > start {
            self.free.insert(start, at - start);
        }
        let end = start + size;
        if at + len < end {
            self.free.insert(at + len, end - (at + len));
        }
        self.allocated.insert(at, len);
        Some(at)
    }

    /// Returns the range allocated at `start`; `false` if nothing was allocated there.
    pub fn free(&mut self, start: u64) -> bool {
        let Some(len) = self.allocated.remove(&start) else { return false };
        let (mut from, mut to) = (start, start + len);
        if let Some((&prev, &size)) = self.free.range(..start).next_back()
            && prev + size == start
        {
            self.free.remove(&prev);
            from = prev;
        }
        if let Some(size) = self.free.remove(&to) {
            to += size;
        }
        self.free.insert(from, to - from);
        true
    }

    /// Bytes currently allocated.
    pub fn allocated_bytes(&self) -> u64 {
        self.allocated.values().sum()
    }

    /// Number of live allocations.
    pub fn allocations(&self) -> usize {
        self.allocated.len()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn allocations_are_aligned_disjoint_and_coalesce_on_free() {
        let mut a = RangeAllocator::new(0x1000, 0x9000);
        let x = a.alloc(0x100, 0x1000).unwrap();
        let y = a.alloc(0x1000, 0x1000).unwrap();
        let z = a.alloc(0x10, 16).unwrap();
        assert_eq!((x, y), (0x1000, 0x2000));
        assert_eq!(z, 0x1100, "first fit reuses the gap after x");
        assert_eq!(a.allocations(), 3);
        assert!(a.alloc(0x8000, 1).is_none(), "larger than what is left");
        assert!(a.free(y) && a.free(x) && a.free(z));
        assert!(!a.free(z), "double free is refused");
        assert_eq!(a.allocated_bytes(), 0);
        assert_eq!(a.alloc(0x8000, 0x1000), Some(0x1000), "all ranges merged back");
    }

    #[test]
    fn zero_length_and_bad_alignment_are_refused() {
        let mut a = RangeAllocator::new(0, 0x1000);
        assert!(a.alloc(0, 8).is_none());
        assert!(a.alloc(8, 3).is_none());
    }
}
