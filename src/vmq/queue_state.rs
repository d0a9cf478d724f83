//! The VM queue state machine: one enum, one transition function.
//!
//! States and transitions follow "Queue States and Operations"
//! (<https://learn.microsoft.com/windows-hardware/drivers/network/queue-states-and-operations>):
//! Allocated → (SET_FILTER) Set → (ALLOCATION_COMPLETE) Running; Allocated +
//! ALLOCATION_COMPLETE → Paused; Running + CLEAR_FILTER(last) → Paused; Paused +
//! SET_FILTER → Running; FREE_QUEUE → DMA stopping → (DMA stopped, indication sent)
//! Freeing → (all indications returned, resources freed) gone.
//!
//! One deliberate widening: FREE_QUEUE is accepted from Set and Running too. NDIS
//! clears a queue's filters before freeing it, but FREE_QUEUE is an OID that must
//! not fail (bug check 0x7C/0x1C), so a host that forgets is answered by the driver
//! dropping the filters itself rather than by a failure.

/// Where a VM queue is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueState {
    /// ALLOCATE_QUEUE succeeded; no filter, allocation not complete.
    Allocated,
    /// At least one filter set before ALLOCATION_COMPLETE.
    Set,
    /// Allocation complete and at least one filter: receive indications allowed.
    Running,
    /// Allocation complete and no filter: frames are not indicated on this queue.
    Paused,
    /// FREE_QUEUE arrived: DMA into the queue's shared memory is being stopped.
    DmaStopping,
    /// DMA stopped and indicated; waiting for indicated NBLs to come back.
    Freeing,
    /// Every resource is released; the slot can be reused.
    Freed,
}

/// What happens to a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueEvent {
    /// OID_RECEIVE_FILTER_SET_FILTER on this queue.
    SetFilter,
    /// OID_RECEIVE_FILTER_CLEAR_FILTER of a filter that is not the queue's last.
    ClearFilter,
    /// OID_RECEIVE_FILTER_CLEAR_FILTER of the queue's last filter.
    ClearLastFilter,
    /// OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE succeeded for this queue.
    AllocationComplete,
    /// OID_RECEIVE_FILTER_QUEUE_PARAMETERS grows the queue's receive memory.
    Grow,
    /// OID_RECEIVE_FILTER_FREE_QUEUE.
    FreeQueue,
    /// The back end stopped DMA and the DmaStopped state was indicated.
    DmaStopped,
    /// Every NBL indicated from the queue came back and its memory was freed.
    Drained,
}

/// The event does not apply in the current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidTransition {
    /// State the queue was in.
    pub from: QueueState,
    /// Event that was refused.
    pub event: QueueEvent,
}

impl QueueState {
    /// Every state, for exhaustive tests.
    pub const ALL: [Self; 7] =
        [Self::Allocated, Self::Set, Self::Running, Self::Paused, Self::DmaStopping, Self::Freeing, Self::Freed];

    /// The state after `event`, or the refusal.
    ///
    /// # Errors
    /// [`InvalidTransition`] when the event has no meaning in this state.
    pub const fn on(self, event: QueueEvent) -> Result<Self, InvalidTransition> {
        use QueueEvent as E;
        use QueueState as S;
        let next = match (self, event) {
            (S::Allocated | S::Set, E::SetFilter) => S::Set,
            (S::Set, E::ClearFilter) => S::Set,
            (S::Set, E::ClearLastFilter) => S::Allocated,
            (S::Allocated, E::AllocationComplete) => S::Paused,
            (S::Set, E::AllocationComplete) => S::Running,
            (S::Running | S::Paused, E::SetFilter) => S::Running,
            (S::Running, E::ClearFilter) => S::Running,
            (S::Running, E::ClearLastFilter) => S::Paused,
            (S::Allocated | S::Set | S::Running | S::Paused, E::Grow) => self,
            (S::Allocated | S::Set | S::Running | S::Paused, E::FreeQueue) => S::DmaStopping,
            (S::DmaStopping, E::DmaStopped) => S::Freeing,
            (S::Freeing, E::Drained) => S::Freed,
            _ => return Err(InvalidTransition { from: self, event }),
        };
        Ok(next)
    }

    /// Receive indications are allowed only in Running.
    #[must_use]
    pub const fn may_indicate(self) -> bool {
        matches!(self, Self::Running)
    }

    /// ALLOCATION_COMPLETE has been processed successfully for this queue.
    #[must_use]
    pub const fn is_complete(self) -> bool {
        matches!(self, Self::Running | Self::Paused)
    }
}

impl QueueEvent {
    /// Every event, for exhaustive tests.
    pub const ALL: [Self; 8] = [
        Self::SetFilter,
        Self::ClearFilter,
        Self::ClearLastFilter,
        Self::AllocationComplete,
        Self::Grow,
        Self::FreeQueue,
        Self::DmaStopped,
        Self::Drained,
    ];
}

#[cfg(test)]
mod tests {
    use super::{QueueEvent as E, QueueState as S};

    /// The whole (state, event) table, written out independently of `on`.
    /// `None` = refused.
    fn expected(state: S, event: E) -> Option<S> {
        let row: [Option<S>; 8] = match state {
            //            SetFilter       ClearFilter    ClearLast           AllocComplete     Grow               FreeQueue            DmaStopped        Drained
            S::Allocated => {
                [Some(S::Set), None, None, Some(S::Paused), Some(S::Allocated), Some(S::DmaStopping), None, None]
            }
            S::Set => [
                Some(S::Set),
                Some(S::Set),
                Some(S::Allocated),
                Some(S::Running),
                Some(S::Set),
                Some(S::DmaStopping),
                None,
                None,
            ],
            S::Running => [
                Some(S::Running),
                Some(S::Running),
                Some(S::Paused),
                None,
                Some(S::Running),
                Some(S::DmaStopping),
                None,
                None,
            ],
            S::Paused => [Some(S::Running), None, None, None, Some(S::Paused), Some(S::DmaStopping), None, None],
            S::DmaStopping => [None, None, None, None, None, None, Some(S::Freeing), None],
            S::Freeing => [None, None, None, None, None, None, None, Some(S::Freed)],
            S::Freed => [None; 8],
        };
        let index = E::ALL.iter().position(|e| *e == event).unwrap_or(usize::MAX);
        row.get(index).copied().flatten()
    }

    /// Position of a state in the table rows; the match is exhaustive, so a new state
    /// does not compile until it is placed here (and then must be in `ALL`).
    const fn state_index(state: S) -> usize {
        match state {
            S::Allocated => 0,
            S::Set => 1,
            S::Running => 2,
            S::Paused => 3,
            S::DmaStopping => 4,
            S::Freeing => 5,
            S::Freed => 6,
        }
    }

    /// As [`state_index`], for events (the table columns).
    const fn event_index(event: E) -> usize {
        match event {
            E::SetFilter => 0,
            E::ClearFilter => 1,
            E::ClearLastFilter => 2,
            E::AllocationComplete => 3,
            E::Grow => 4,
            E::FreeQueue => 5,
            E::DmaStopped => 6,
            E::Drained => 7,
        }
    }

    #[test]
    fn the_all_lists_hold_every_variant_once() {
        for (i, state) in S::ALL.iter().enumerate() {
            assert_eq!(state_index(*state), i, "{state:?}");
        }
        for (i, event) in E::ALL.iter().enumerate() {
            assert_eq!(event_index(*event), i, "{event:?}");
        }
    }

    #[test]
    fn every_state_event_pair_matches_the_table() {
        for state in S::ALL {
            for event in E::ALL {
                assert_eq!(state.on(event).ok(), expected(state, event), "{state:?} + {event:?}");
            }
        }
    }

    #[test]
    fn the_documented_paths_hold() {
        // Allocated -> Set -> Running (filter before completion).
        let s = S::Allocated.on(E::SetFilter).and_then(|s| s.on(E::AllocationComplete));
        assert_eq!(s, Ok(S::Running));
        // Allocated -> Paused -> Running -> Paused.
        let s = S::Allocated
            .on(E::AllocationComplete)
            .and_then(|s| s.on(E::SetFilter))
            .and_then(|s| s.on(E::ClearLastFilter));
        assert_eq!(s, Ok(S::Paused));
        // Free path.
        let s = S::Paused.on(E::FreeQueue).and_then(|s| s.on(E::DmaStopped)).and_then(|s| s.on(E::Drained));
        assert_eq!(s, Ok(S::Freed));
    }

    /// "Receive indications are allowed only in Running", where Running is what the queue
    /// reaches once ALLOCATION_COMPLETE succeeded and at least one filter is set, and leaves
    /// with its last filter or FREE_QUEUE (queue-states-and-operations). A model that counts
    /// filters and tracks completion and freeing walks every event sequence of up to six
    /// steps; `may_indicate` must agree with it in every state reached.
    #[test]
    fn indications_exactly_when_complete_with_a_filter_and_not_freeing() {
        #[derive(Clone, Copy)]
        struct Model {
            complete: bool,
            filters: u32,
            freeing: bool,
        }
        fn walk(state: S, model: Model, depth: u32, seen: &mut [bool; 7]) {
            seen[state_index(state)] = true;
            assert_eq!(
                state.may_indicate(),
                model.complete && model.filters > 0 && !model.freeing,
                "{state:?} (complete {}, filters {}, freeing {})",
                model.complete,
                model.filters,
                model.freeing
            );
            if depth == 0 {
                return;
            }
            for event in E::ALL {
                let Ok(next) = state.on(event) else { continue };
                let mut m = model;
                match event {
                    E::SetFilter => m.filters += 1,
                    E::ClearFilter if m.filters > 1 => m.filters -= 1,
                    E::ClearLastFilter if m.filters == 1 => m.filters = 0,
                    E::ClearFilter | E::ClearLastFilter => continue, // the caller picks the event by count
                    E::AllocationComplete => m.complete = true,
                    E::FreeQueue | E::DmaStopped | E::Drained => m.freeing = true,
                    E::Grow => {}
                }
                walk(next, m, depth - 1, seen);
            }
        }
        let mut seen = [false; 7];
        walk(S::Allocated, Model { complete: false, filters: 0, freeing: false }, 6, &mut seen);
        assert_eq!(seen, [true; 7], "the walk reaches every state");
    }
}
