//! Per-adapter state NDIS keeps for a miniport adapter: phase, attributes, queues, filters, I/O.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/miniport-adapter-states-and-operations>.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::attributes::AdapterAttributes;
use super::config::AdapterConfig;
use super::filters::FilterTable;
use super::oid::OidTracker;
pub use super::phase::{Phase, PhaseEvent};
use super::queue_state::{QueueEvent, QueueRecord, QueueState};

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
    pub queues: BTreeMap<u32, QueueRecord>,
    /// Filters NDIS has set, with their field tests, indexed for the receive checks.
    pub filters: FilterTable,
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
    /// The last OID_GEN_CURRENT_PACKET_FILTER the miniport accepted (`None`: never set).
    pub packet_filter: Option<u32>,
    /// The last OID_802_3_MULTICAST_LIST the miniport accepted.
    pub multicast_list: Vec<[u8; 6]>,
    /// The last OID_PNP_SET_POWER the miniport accepted put it in D1-D3.
    pub low_power: bool,
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
            filters: FilterTable::default(),
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
            packet_filter: None,
            multicast_list: Vec::new(),
            low_power: false,
        }
    }

    /// `true` if `queue` is 0 (the default queue) or a queue NDIS allocated and has not freed.
    pub fn queue_exists(&self, queue: u32) -> bool {
        queue == 0 || self.queues.contains_key(&queue)
    }

    /// Applies `event` to queue `queue` (forgetting it when the transition says so). Returns
    /// the state the queue was in, `None` if it is not known.
    pub fn queue_event(&mut self, queue: u32, event: QueueEvent) -> Option<QueueState> {
        let record = self.queues.get_mut(&queue)?;
        let before = record.state;
        match before.on(event) {
            Some(next) => record.state = next,
            None => {
                self.queues.remove(&queue);
            }
        }
        Some(before)
    }

    /// The lowest QueueId >= 1 not currently allocated (NDIS assigns QueueIds; ids are reused
    /// after a queue is freed, so they stay within 1..=NumQueues like netvmini expects).
    pub fn next_queue_id(&self) -> u32 {
        (1..).find(|id| !self.queues.contains_key(id)).unwrap_or(u32::MAX)
    }

    /// The lowest FilterId >= 1 not currently set (NDIS assigns FilterIds per adapter).
    pub fn next_filter_id(&self) -> u32 {
        (1..).find(|id| !self.filters.contains(*id)).unwrap_or(u32::MAX)
    }

    /// Whether the driver set NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER.
    pub fn is_bus_master(&self) -> bool {
        self.attributes.registration.is_some_and(|r| r.attribute_flags & 0x40 != 0)
    }
}
