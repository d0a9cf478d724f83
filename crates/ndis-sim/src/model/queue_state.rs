//! NDIS's view of one non-default VM queue: one enum, one transition function.
//!
//! NDIS (the model) learns a queue's state from the OIDs it delivers and their completions and
//! from the miniport's NDIS_STATUS_RECEIVE_QUEUE_STATE indications. Receive indications are
//! legal only once QUEUE_ALLOCATION_COMPLETE reported SUCCESS for the queue (and it has a
//! filter) and not after FREE_QUEUE was delivered; FREE_QUEUE may complete only after the
//! DmaStopped indication for it.
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/queue-states-and-operations>.

/// Where a VM queue is in its life, as NDIS sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueState {
    /// OID_RECEIVE_FILTER_ALLOCATE_QUEUE was delivered and has not completed yet.
    Allocating,
    /// ALLOCATE_QUEUE succeeded; QUEUE_ALLOCATION_COMPLETE has not reported SUCCESS for it.
    Allocated,
    /// QUEUE_ALLOCATION_COMPLETE reported SUCCESS for it (Running once it has a filter).
    Complete,
    /// OID_RECEIVE_FILTER_FREE_QUEUE was delivered; no DmaStopped indication yet. `complete`
    /// remembers whether the allocation had completed, for a FREE_QUEUE that fails.
    Freeing {
        /// QUEUE_ALLOCATION_COMPLETE had reported SUCCESS.
        complete: bool,
    },
    /// FREE_QUEUE delivered and the miniport indicated DmaStopped: it may complete.
    DmaStopped {
        /// QUEUE_ALLOCATION_COMPLETE had reported SUCCESS.
        complete: bool,
    },
}

/// What happens to a queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueEvent {
    /// ALLOCATE_QUEUE completed with SUCCESS.
    AllocateSucceeded,
    /// ALLOCATE_QUEUE failed: NDIS forgets the queue.
    AllocateFailed,
    /// QUEUE_ALLOCATION_COMPLETE reported CompletionStatus SUCCESS for the queue.
    AllocationComplete,
    /// FREE_QUEUE was delivered to the miniport.
    FreeDelivered,
    /// The miniport indicated NDIS_STATUS_RECEIVE_QUEUE_STATE with DmaStopped.
    DmaStoppedIndicated,
    /// FREE_QUEUE completed with a failure status: the queue stays.
    FreeFailed,
    /// FREE_QUEUE completed with SUCCESS: NDIS forgets the queue.
    FreeSucceeded,
}

impl QueueState {
    /// Every state, for exhaustive tests.
    pub const ALL: [Self; 7] = [
        Self::Allocating,
        Self::Allocated,
        Self::Complete,
        Self::Freeing { complete: false },
        Self::Freeing { complete: true },
        Self::DmaStopped { complete: false },
        Self::DmaStopped { complete: true },
    ];

    /// The state after `event`; `None` when NDIS forgets the queue. An event that does not
    /// apply in this state (it cannot arrive there: one OID at a time per adapter, or a
    /// DmaStopped indication outside FREE_QUEUE) leaves the state as it is.
    #[must_use]
    pub const fn on(self, event: QueueEvent) -> Option<Self> {
        use QueueEvent as E;
        use QueueState as S;
        Some(match (self, event) {
            (S::Allocating, E::AllocateSucceeded) => S::Allocated,
            (S::Allocating, E::AllocateFailed) | (S::Freeing { .. } | S::DmaStopped { .. }, E::FreeSucceeded) => {
                return None;
            }
            (S::Allocated | S::Complete, E::AllocationComplete) => S::Complete,
            (S::Allocated, E::FreeDelivered) => S::Freeing { complete: false },
            (S::Complete, E::FreeDelivered) => S::Freeing { complete: true },
            (S::Freeing { complete }, E::DmaStoppedIndicated) => S::DmaStopped { complete },
            (S::Freeing { complete } | S::DmaStopped { complete }, E::FreeFailed) => {
                if complete {
                    S::Complete
                } else {
                    S::Allocated
                }
            }
            _ => self,
        })
    }

    /// QUEUE_ALLOCATION_COMPLETE reported SUCCESS and FREE_QUEUE was not delivered.
    #[must_use]
    pub const fn is_complete(self) -> bool {
        matches!(self, Self::Complete)
    }

    /// FREE_QUEUE was delivered and has not completed.
    #[must_use]
    pub const fn is_freeing(self) -> bool {
        matches!(self, Self::Freeing { .. } | Self::DmaStopped { .. })
    }
}

impl QueueEvent {
    /// Every event, for exhaustive tests.
    pub const ALL: [Self; 7] = [
        Self::AllocateSucceeded,
        Self::AllocateFailed,
        Self::AllocationComplete,
        Self::FreeDelivered,
        Self::DmaStoppedIndicated,
        Self::FreeFailed,
        Self::FreeSucceeded,
    ];
}

/// NDIS's record of one non-default VM queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueRecord {
    /// Where the queue is in its life.
    pub state: QueueState,
    /// Allocated with NDIS_RECEIVE_QUEUE_PARAMETERS_PER_QUEUE_RECEIVE_INDICATION.
    pub per_queue_receive_indication: bool,
    /// `ProcessorAffinity` (Group, Mask) from ALLOCATE_QUEUE or the latest
    /// OID_RECEIVE_FILTER_QUEUE_PARAMETERS that changed it (see `super::queue_affinity`).
    pub affinity: (u16, u64),
}

#[cfg(test)]
mod tests {
    use super::{QueueEvent as E, QueueState as S};

    /// The whole (state, event) table written out independently of `on`: `Some(next)`, or
    /// `None` when the queue is forgotten.
    fn expected(state: S, event: E) -> Option<S> {
        let f = S::Freeing { complete: false };
        let fc = S::Freeing { complete: true };
        let d = S::DmaStopped { complete: false };
        let dc = S::DmaStopped { complete: true };
        //                  AllocOk            AllocFailed   AllocComplete      FreeDelivered  DmaStopped  FreeFailed         FreeOk
        let row: [Option<S>; 7] = match state {
            S::Allocating => [
                Some(S::Allocated),
                None,
                Some(S::Allocating),
                Some(S::Allocating),
                Some(S::Allocating),
                Some(S::Allocating),
                Some(S::Allocating),
            ],
            S::Allocated => [
                Some(S::Allocated),
                Some(S::Allocated),
                Some(S::Complete),
                Some(f),
                Some(S::Allocated),
                Some(S::Allocated),
                Some(S::Allocated),
            ],
            S::Complete => [
                Some(S::Complete),
                Some(S::Complete),
                Some(S::Complete),
                Some(fc),
                Some(S::Complete),
                Some(S::Complete),
                Some(S::Complete),
            ],
            S::Freeing { complete: false } => [Some(f), Some(f), Some(f), Some(f), Some(d), Some(S::Allocated), None],
            S::Freeing { complete: true } => {
                [Some(fc), Some(fc), Some(fc), Some(fc), Some(dc), Some(S::Complete), None]
            }
            S::DmaStopped { complete: false } => {
                [Some(d), Some(d), Some(d), Some(d), Some(d), Some(S::Allocated), None]
            }
            S::DmaStopped { complete: true } => {
                [Some(dc), Some(dc), Some(dc), Some(dc), Some(dc), Some(S::Complete), None]
            }
        };
        let index = E::ALL.iter().position(|e| *e == event).unwrap_or(usize::MAX);
        row.get(index).copied().flatten()
    }

    #[test]
    fn every_state_event_pair_matches_the_table() {
        let mut checked = 0;
        for state in S::ALL {
            for event in E::ALL {
                assert_eq!(state.on(event), expected(state, event), "{state:?} + {event:?}");
                checked += 1;
            }
        }
        assert_eq!(checked, 49);
    }

    #[test]
    fn the_vswitch_path_holds() {
        let s = S::Allocating
            .on(E::AllocateSucceeded)
            .and_then(|s| s.on(E::AllocationComplete))
            .and_then(|s| s.on(E::FreeDelivered))
            .and_then(|s| s.on(E::DmaStoppedIndicated));
        assert_eq!(s, Some(S::DmaStopped { complete: true }));
        assert_eq!(s.and_then(|s| s.on(E::FreeSucceeded)), None);
    }

    #[test]
    fn receive_is_allowed_only_when_complete_and_not_freeing() {
        for state in S::ALL {
            assert_eq!(state.is_complete(), state == S::Complete, "{state:?}");
            assert_eq!(state.is_freeing(), matches!(state, S::Freeing { .. } | S::DmaStopped { .. }), "{state:?}");
        }
    }
}
