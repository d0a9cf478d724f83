//! Traffic accounting: the frames the traffic source sent, where they were expected, where
//! they arrived, in which order, and the per-queue report built from that.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/vmq-receive-path>.

use std::collections::BTreeMap;

use super::Model;
use super::frames::FrameSpec;

/// One frame the traffic source sent and that has not arrived yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SentFrame {
    /// The adapter it was sent to (the one under test; 0: no adapter in particular, a send
    /// of the adapter's own send path onto the segment).
    pub adapter: u64,
    /// The adapter whose MiniportSendNetBufferLists sent it (`None`: it came from a wire).
    pub sender: Option<u64>,
    /// What was sent (the bytes are rebuilt from it and the sequence number).
    pub spec: FrameSpec,
    /// The queue whose filters matched at send time (0 = default queue).
    pub expected_queue: u32,
}

/// Arrived frames remembered for their copies on other adapters of the segment (a copy is
/// indicated within the same send, a few dozen frames later at most).
const RECENT_ARRIVALS: usize = 4096;

/// Counters of one receive queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct QueueCounters {
    sent: u64,
    /// Frames expected here that arrived on some queue.
    arrived: u64,
    delivered: u64,
    misdelivered: u64,
    last_sequence: u64,
    in_order: bool,
}

impl Default for QueueCounters {
    fn default() -> Self {
        Self { sent: 0, arrived: 0, delivered: 0, misdelivered: 0, last_sequence: 0, in_order: true }
    }
}

/// The traffic source's ledger (host-wide).
#[derive(Debug, Default)]
pub struct TrafficLedger {
    next_sequence: u64,
    /// Frames sent and not yet arrived, by sequence number.
    pending: BTreeMap<u64, SentFrame>,
    /// The last [`RECENT_ARRIVALS`] frames that arrived where they were sent, for the copies
    /// other adapters on the segment receive after them.
    recent: BTreeMap<u64, SentFrame>,
    /// Counters by (adapter, queue).
    queues: BTreeMap<(u64, u32), QueueCounters>,
}

/// What one queue saw of the traffic source's frames.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueTraffic {
    /// Frames sent whose filters pointed at this queue when they were sent.
    pub sent: u64,
    /// Frames indicated on this queue whose filters matched them.
    pub delivered: u64,
    /// Frames expected here that never arrived anywhere (`sent` minus arrivals).
    pub dropped: u64,
    /// Frames indicated on this queue although its filters do not match them.
    pub misdelivered: u64,
    /// Every frame indicated on this queue came in send order.
    pub in_order: bool,
}

/// The traffic report of one adapter (or, summed, of the host).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Traffic {
    /// Per receive queue (0 = default queue).
    pub per_queue: BTreeMap<u32, QueueTraffic>,
    /// Frames the traffic source sent.
    pub frames_sent: u64,
    /// Frames indicated on a queue whose filters match them.
    pub frames_delivered: u64,
    /// Frames that never arrived.
    pub frames_dropped: u64,
    /// Frames indicated on a queue whose filters do not match them (must be 0).
    pub misdelivered: u64,
}

/// Where one arriving frame landed, for [`Model::account_arrival`].
#[derive(Clone, Copy, Debug)]
pub struct Arrival {
    /// The adapter that indicated it.
    pub adapter: u64,
    /// The queue it was indicated on.
    pub queue: u32,
    /// Its sequence number.
    pub sequence: u64,
    /// The adapter it was sent to.
    pub home_adapter: u64,
    /// The queue it was expected on at send time.
    pub home: u32,
    /// It was indicated on a queue whose filters do not match it.
    pub misdelivered: bool,
}

impl TrafficLedger {
    /// Assigns the next sequence number to a frame `sender` sent to `adapter` and expected on
    /// `expected_queue`.
    pub fn record_send(&mut self, adapter: u64, sender: Option<u64>, spec: FrameSpec, expected_queue: u32) -> u64 {
        self.next_sequence += 1;
        let sequence = self.next_sequence;
        self.pending.insert(sequence, SentFrame { adapter, sender, spec, expected_queue });
        self.queues.entry((adapter, expected_queue)).or_default().sent += 1;
        sequence
    }

    /// Takes the record of a frame that arrived; `None` if unknown or already arrived.
    pub fn take_pending(&mut self, sequence: u64) -> Option<SentFrame> {
        let sent = self.pending.remove(&sequence)?;
        self.recent.insert(sequence, sent);
        if self.recent.len() > RECENT_ARRIVALS {
            self.recent.pop_first();
        }
        Some(sent)
    }

    /// The record of a frame sent (still expected, or recently arrived where it was sent), for
    /// a copy another adapter on the segment received.
    pub fn sent(&self, sequence: u64) -> Option<SentFrame> {
        self.pending.get(&sequence).or_else(|| self.recent.get(&sequence)).copied()
    }

    /// The sequence number the next sent frame gets.
    pub fn next_sequence(&self) -> u64 {
        self.next_sequence + 1
    }

    /// The report of `adapter` (`None`: all adapters summed).
    pub fn report(&self, adapter: Option<u64>) -> Traffic {
        let mut t = Traffic::default();
        for (&(a, q), c) in &self.queues {
            if adapter.is_some_and(|x| x != a) {
                continue;
            }
            let e = t.per_queue.entry(q).or_insert(QueueTraffic { in_order: true, ..QueueTraffic::default() });
            let dropped = c.sent.saturating_sub(c.arrived);
            e.sent += c.sent;
            e.delivered += c.delivered;
            e.dropped += dropped;
            e.misdelivered += c.misdelivered;
            e.in_order &= c.in_order;
            t.frames_sent += c.sent;
            t.frames_delivered += c.delivered;
            t.frames_dropped += dropped;
            t.misdelivered += c.misdelivered;
        }
        t
    }
}

impl Model {
    /// Counts one arrival; returns `false` if it broke the queue's send order.
    pub(super) fn account_arrival(&mut self, a: Arrival) -> bool {
        let queues = &mut self.traffic.queues;
        queues.entry((a.home_adapter, a.home)).or_default().arrived += 1;
        let c = queues.entry((a.adapter, a.queue)).or_default();
        if a.misdelivered {
            c.misdelivered += 1;
        } else {
            c.delivered += 1;
        }
        let in_order = a.sequence > c.last_sequence;
        c.in_order &= in_order;
        c.last_sequence = c.last_sequence.max(a.sequence);
        in_order
    }

    /// The traffic report of `adapter`.
    pub fn traffic(&self, adapter: u64) -> Traffic {
        self.traffic.report(Some(adapter))
    }
}
