//! Counters of an emulated run: instructions (total and per driver routine) and import calls.

use std::collections::BTreeMap;
use std::time::Duration;

/// Calls and instructions of one kind of driver routine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CallCount {
    /// Times NDIS called it.
    pub calls: u64,
    /// Instructions it executed itself (nested driver calls excluded).
    pub instructions: u64,
}

/// What an emulated run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Guest instructions executed in the image.
    pub instructions: u64,
    /// Per driver routine (`MiniportInitializeEx`, `MiniportSendNetBufferLists`, ...).
    pub by_call: BTreeMap<&'static str, CallCount>,
    /// Import calls by stub slot (see [`Stats::imports`]).
    pub import_slots: Vec<u64>,
    /// Import calls in total.
    pub import_calls: u64,
    /// Wall-clock time spent inside the emulator.
    pub emulated_time: Duration,
}

impl Stats {
    /// Zeroed counters for `imports` stubs.
    pub fn new(imports: usize) -> Self {
        Self { import_slots: vec![0; imports], ..Self::default() }
    }

    /// Import calls by symbol (`dll!name`), given the stubs' symbols in slot order.
    pub fn imports<'s>(&self, symbols: impl IntoIterator<Item = &'s str>) -> BTreeMap<String, u64> {
        symbols.into_iter().zip(&self.import_slots).filter(|(_, n)| **n > 0).map(|(s, n)| (s.to_owned(), *n)).collect()
    }
}
