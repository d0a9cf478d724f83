//! The stress driver's picture of the host — what NDIS has allocated, set and pended on each
//! adapter — so that it only sends what NDIS would send, and its seeded random choices.
//! <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-virtual-machine-queue-states>

use ndis_sim::model::rng::SplitMix64;
use ndis_sim::{AdapterId, QueueId};

/// VM queues the stress keeps allocated per adapter at most.
pub const MAX_QUEUES: usize = 8;
/// Filters per queue at most.
pub const MAX_FILTERS_PER_QUEUE: usize = 3;
/// Adapters alive at once at most.
pub const MAX_ADAPTERS: usize = 2;

/// A filter NDIS has set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FilterView {
    /// FilterId NDIS assigned.
    pub id: u32,
    /// Destination MAC it matches.
    pub mac: [u8; 6],
    /// VLAN it matches (`None`: untagged or VLAN 0).
    pub vlan: Option<u16>,
}

/// A VM queue NDIS has allocated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueView {
    /// QueueId NDIS assigned.
    pub id: QueueId,
    /// ALLOCATION_COMPLETE succeeded for it.
    pub completed: bool,
    /// Its filters.
    pub filters: Vec<FilterView>,
}

/// An adapter NDIS has initialized and not halted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdapterView {
    /// The adapter.
    pub id: AdapterId,
    /// Running (else paused).
    pub running: bool,
    /// A surprise removal was signalled: NDIS only tears down from here on.
    pub removed: bool,
    /// Its VM queues.
    pub queues: Vec<QueueView>,
    /// A pended FREE_QUEUE (RequestId, queue): no other OID goes out until it completes.
    pub pending_free: Option<(u64, QueueId)>,
}

impl AdapterView {
    /// A freshly initialized, running adapter.
    #[must_use]
    pub fn new(id: AdapterId) -> Self {
        Self { id, running: true, removed: false, queues: Vec::new(), pending_free: None }
    }

    /// NDIS may send this adapter an OID now (none is pending).
    #[must_use]
    pub fn oid_ok(&self) -> bool {
        self.pending_free.is_none()
    }

    /// Every filter of every queue.
    pub fn filters(&self) -> impl Iterator<Item = (QueueId, FilterView)> + '_ {
        self.queues.iter().flat_map(|q| q.filters.iter().map(move |f| (q.id, *f)))
    }
}

/// The stress's seeded PRNG (ndis-sim's splitmix64; no clock, no new dependency).
#[derive(Clone, Debug)]
pub struct Rng(SplitMix64);

impl Rng {
    /// A generator for `seed` (its own stream, apart from the host's).
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self(SplitMix64::new(seed ^ 0x57E5_5000_0000_0001))
    }

    /// A value in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        // CAST: usize fits u64 on every supported target, and the result is below `n`.
        self.0.below(n as u64) as usize
    }

    /// A value in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// A random element.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() { None } else { items.get(self.below(items.len())) }
    }

    /// Index chosen with probability proportional to its weight (`None` if all are 0).
    pub fn weighted(&mut self, weights: &[u32]) -> Option<usize> {
        let total: u32 = weights.iter().sum();
        if total == 0 {
            return None;
        }
        // CAST: `total` fits usize.
        let mut at = self.below(total as usize) as u32;
        weights.iter().position(|w| {
            if at < *w {
                true
            } else {
                at -= w;
                false
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn weighted_choice_skips_zero_weights_and_is_seeded() {
        let mut a = Rng::new(5);
        for _ in 0..200 {
            assert_ne!(a.weighted(&[3, 0, 2]), Some(1));
        }
        assert_eq!(a.weighted(&[0, 0]), None);
        let (mut x, mut y) = (Rng::new(9), Rng::new(9));
        let xs: Vec<usize> = (0..20).map(|_| x.below(1000)).collect();
        let ys: Vec<usize> = (0..20).map(|_| y.below(1000)).collect();
        assert_eq!(xs, ys);
    }
}
