//! The adapter's phase in NDIS's miniport adapter state machine (simplified), with its one
//! transition function; see <https://learn.microsoft.com/windows-hardware/drivers/network/miniport-adapter-states-and-operations>.

/// The adapter's NDIS state (the miniport adapter state machine, simplified).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Inside MiniportInitializeEx.
    Initializing,
    /// Initialized, not running (NDIS 6 adapters start here after initialize).
    Paused,
    /// MiniportRestart returned PENDING; waiting for NdisMRestartComplete.
    Restarting,
    /// Running: sends are delivered.
    Running,
    /// MiniportPause returned PENDING; waiting for NdisMPauseComplete.
    Pausing,
    /// Inside MiniportHaltEx.
    Halting,
    /// MiniportHaltEx returned, or MiniportInitializeEx failed: the adapter is gone.
    Halted,
}

/// What moves an adapter from one phase to the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhaseEvent {
    /// MiniportInitializeEx returned (`ok`: NDIS_STATUS_SUCCESS).
    InitializeReturned {
        /// The miniport initialized the adapter.
        ok: bool,
    },
    /// NDIS calls MiniportPause.
    PauseCalled,
    /// NDIS calls MiniportRestart.
    RestartCalled,
    /// The pause finished (MiniportPause returned SUCCESS, or NdisMPauseComplete).
    PauseCompleted,
    /// The restart finished (`ok`: with NDIS_STATUS_SUCCESS).
    RestartCompleted {
        /// The adapter restarted.
        ok: bool,
    },
    /// A pended pause or restart never completed: NDIS gives up and treats the adapter as paused.
    TransitionAbandoned,
    /// NDIS calls MiniportHaltEx.
    HaltCalled,
    /// MiniportHaltEx returned.
    HaltReturned,
}

impl Phase {
    /// Every phase, for exhaustive tests.
    pub const ALL: [Self; 7] =
        [Self::Initializing, Self::Paused, Self::Restarting, Self::Running, Self::Pausing, Self::Halting, Self::Halted];

    /// `true` once the adapter is gone (no NDIS call may name it any more).
    pub fn is_gone(self) -> bool {
        self == Self::Halted
    }

    /// The phase after `event`. NDIS decides the phase by what it does and what it observes
    /// (the host actions check the phase before they act), so each event names its target;
    /// a halted adapter stays halted.
    /// See <https://learn.microsoft.com/windows-hardware/drivers/network/miniport-adapter-states-and-operations>.
    #[must_use]
    pub const fn on(self, event: PhaseEvent) -> Self {
        use PhaseEvent as E;
        match (self, event) {
            (Self::Halted, _) => Self::Halted,
            (_, E::InitializeReturned { ok: true }) => Self::Paused,
            (_, E::InitializeReturned { ok: false }) => Self::Halted,
            (_, E::PauseCalled) => Self::Pausing,
            (_, E::RestartCalled) => Self::Restarting,
            (_, E::PauseCompleted | E::RestartCompleted { ok: false } | E::TransitionAbandoned) => Self::Paused,
            (_, E::RestartCompleted { ok: true }) => Self::Running,
            (_, E::HaltCalled) => Self::Halting,
            (_, E::HaltReturned) => Self::Halted,
        }
    }
}

impl PhaseEvent {
    /// Every event, for exhaustive tests.
    pub const ALL: [Self; 10] = [
        Self::InitializeReturned { ok: true },
        Self::InitializeReturned { ok: false },
        Self::PauseCalled,
        Self::RestartCalled,
        Self::PauseCompleted,
        Self::RestartCompleted { ok: true },
        Self::RestartCompleted { ok: false },
        Self::TransitionAbandoned,
        Self::HaltCalled,
        Self::HaltReturned,
    ];
}

#[cfg(test)]
mod tests {
    use super::{Phase as P, PhaseEvent as E};

    /// The (phase, event) table written out independently of `Phase::on`: one row per event
    /// for every live phase; a halted adapter ignores everything.
    fn expected(phase: P, event: E) -> P {
        if phase == P::Halted {
            return P::Halted;
        }
        match event {
            E::InitializeReturned { ok: true } => P::Paused,
            E::InitializeReturned { ok: false } => P::Halted,
            E::PauseCalled => P::Pausing,
            E::RestartCalled => P::Restarting,
            E::PauseCompleted => P::Paused,
            E::RestartCompleted { ok: true } => P::Running,
            E::RestartCompleted { ok: false } => P::Paused,
            E::TransitionAbandoned => P::Paused,
            E::HaltCalled => P::Halting,
            E::HaltReturned => P::Halted,
        }
    }

    #[test]
    fn every_phase_event_pair_matches_the_table() {
        let mut checked = 0;
        for phase in P::ALL {
            for event in E::ALL {
                assert_eq!(phase.on(event), expected(phase, event), "{phase:?} + {event:?}");
                checked += 1;
            }
        }
        assert_eq!(checked, 70);
    }

    #[test]
    fn the_adapter_lifecycle_holds() {
        let p = P::Initializing
            .on(E::InitializeReturned { ok: true })
            .on(E::RestartCalled)
            .on(E::RestartCompleted { ok: true });
        assert_eq!(p, P::Running);
        let p = p.on(E::PauseCalled).on(E::PauseCompleted).on(E::HaltCalled).on(E::HaltReturned);
        assert_eq!(p, P::Halted);
        assert_eq!(P::Initializing.on(E::InitializeReturned { ok: false }), P::Halted);
    }
}
