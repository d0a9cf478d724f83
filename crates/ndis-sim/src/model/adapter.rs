//! Per-adapter state NDIS keeps for a miniport adapter: phase, attributes, queues, filters, I/O.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/miniport-adapter-states-and-operations>.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::attributes::AdapterAttributes;
use super::config::AdapterConfig;
use super::filters::FilterTable;
use super::oid::OidTracker;

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

impl Phase {
    /// `true` once the adapter is gone (no NDIS call may name it any more).
    pub fn is_gone(self) -> bool {
        self == Self::Halted
    }
}

/// NDIS's view of one non-default VM queue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueState {
    /// ALLOCATE_QUEUE has been delivered but has not completed yet.
    pub allocating: bool,
    /// QUEUE_ALLOCATION_COMPLETE reported SUCCESS for it.
    pub allocation_complete: bool,
    /// A DmaStopped queue-state indication was made for it.
    pub dma_stopped: bool,
    /// FREE_QUEUE has been delivered and not completed yet.
    pub freeing: bool,
    /// Allocated with NDIS_RECEIVE_QUEUE_PARAMETERS_PER_QUEUE_RECEIVE_INDICATION.
    pub per_queue_receive_indication: bool,
}

/// A completion status observed for a pause or restart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completion {
    /// Nothing pending.
    Idle,
    /// The handler is running; a completion now is an early completion.
    InHandler,
    /// The handler returned PENDING; waiting for the completion call.
    Pending,
    /// The completion call arrived with this status.
    Completed(i32),
}

/// Everything NDIS remembers about one adapter.
#[derive(Debug)]
pub struct AdapterState {
    /// The MiniportAdapterHandle (also the test-facing adapter id).
    pub handle: u64,
    /// The test's configuration (keywords, expectations).
    pub config: AdapterConfig,
    /// MiniportAdapterContext from the registration attributes (0 until set).
    pub context: u64,
    /// Current phase.
    pub phase: Phase,
    /// Attributes set with NdisMSetMiniportAttributes.
    pub attributes: AdapterAttributes,
    /// Handle returned by NdisMRegisterScatterGatherDma while registered.
    pub sg_dma: Option<u64>,
    /// Non-default queues NDIS has allocated (or is allocating), by QueueId.
    pub queues: BTreeMap<u32, QueueState>,
    /// Filters NDIS has set, FilterId -> QueueId.
    pub filters: BTreeMap<u32, u32>,
    /// The same filters with their field tests, indexed for the receive checks.
    pub filter_table: FilterTable,
    /// QueueIds whose FREE_QUEUE completed and that NDIS has not allocated again since.
    pub freed_queues: BTreeSet<u32>,
    /// OID request bookkeeping.
    pub oid: OidTracker,
    /// Pause completion state.
    pub pause: Completion,
    /// Restart completion state.
    pub restart: Completion,
    /// NBLs sent and not completed yet.
    pub sends_outstanding: BTreeSet<u64>,
    /// Send completions observed: (NBL address, NBL Status).
    pub send_completions: Vec<(u64, i32)>,
    /// Indicated receive NBLs NDIS still owns (to be returned), oldest first.
    pub received: VecDeque<u64>,
    /// Number of NBLs indicated, by receive queue id from the NBL filtering info.
    pub received_by_queue: BTreeMap<u32, u64>,
    /// Keywords the driver read, in order (lower case).
    pub keywords_read: Vec<String>,
    /// A surprise-removal PnP event was delivered.
    pub surprise_removed: bool,
}

impl AdapterState {
    /// A new adapter in the `Initializing` phase.
    pub fn new(handle: u64, config: AdapterConfig) -> Self {
        Self {
            handle,
            config,
            context: 0,
            phase: Phase::Initializing,
            attributes: AdapterAttributes::default(),
            sg_dma: None,
            queues: BTreeMap::new(),
            filters: BTreeMap::new(),
            filter_table: FilterTable::default(),
            freed_queues: BTreeSet::new(),
            oid: OidTracker::default(),
            pause: Completion::Idle,
            restart: Completion::Idle,
            sends_outstanding: BTreeSet::new(),
            send_completions: Vec::new(),
            received: VecDeque::new(),
            received_by_queue: BTreeMap::new(),
            keywords_read: Vec::new(),
            surprise_removed: false,
        }
    }

    /// `true` if `queue` is 0 (the default queue) or a queue NDIS allocated and has not freed.
    pub fn queue_exists(&self, queue: u32) -> bool {
        queue == 0 || self.queues.contains_key(&queue)
    }

    /// The lowest QueueId >= 1 not currently allocated (NDIS assigns QueueIds; ids are reused
    /// after a queue is freed, so they stay within 1..=NumQueues like netvmini expects).
    pub fn next_queue_id(&self) -> u32 {
        (1..).find(|id| !self.queues.contains_key(id)).unwrap_or(u32::MAX)
    }

    /// The lowest FilterId >= 1 not currently set (NDIS assigns FilterIds per adapter).
    pub fn next_filter_id(&self) -> u32 {
        (1..).find(|id| !self.filters.contains_key(id)).unwrap_or(u32::MAX)
    }

    /// Whether the driver set NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER.
    pub fn is_bus_master(&self) -> bool {
        self.attributes.registration.is_some_and(|r| r.attribute_flags & 0x40 != 0)
    }
}
