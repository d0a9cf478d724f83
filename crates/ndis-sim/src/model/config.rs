//! Host-wide and per-adapter configuration: seed, fault injection, IRQLs, registry keywords.

use std::collections::{BTreeMap, BTreeSet};

/// `PASSIVE_LEVEL`.
pub const PASSIVE_LEVEL: u8 = 0;
/// `APC_LEVEL`.
pub const APC_LEVEL: u8 = 1;
/// `DISPATCH_LEVEL`.
pub const DISPATCH_LEVEL: u8 = 2;
/// `HIGH_LEVEL` (x64).
pub const HIGH_LEVEL: u8 = 15;

/// How the simulated host behaves; built with the chained setters, e.g.
/// `HostConfig::default().seed(7).fail_pool_allocation(3)`.
#[derive(Clone, Debug)]
pub struct HostConfig {
    /// PRNG seed: chooses SG-list splits and physical addresses.
    pub seed: u64,
    /// 1-based NdisAllocateSharedMemory calls (counted over the host's life) that fail.
    pub failing_shared_memory_allocations: BTreeSet<u64>,
    /// 1-based NdisAllocateMemoryWithTagPriority calls that return NULL.
    pub failing_pool_allocations: BTreeSet<u64>,
    /// 1-based calls to NdisAllocateNetBufferListPool, NdisAllocateNetBufferAndNetBufferList
    /// and NdisAllocateMdl (counted together) that return NULL.
    pub failing_nbl_allocations: BTreeSet<u64>,
    /// IRQL MiniportSendNetBufferLists is called at (DISPATCH by default).
    pub send_irql: u8,
    /// IRQL MiniportReturnNetBufferLists is called at (DISPATCH by default).
    pub return_irql: u8,
    /// What NdisGetSharedDataAlignment returns (64, a cache line, by default).
    pub shared_data_alignment: u32,
    /// Most SG elements a non-contiguous shared-memory allocation is split into.
    pub max_sg_elements: u32,
    /// Keep indicated receive NBLs until `return_received` instead of returning them
    /// at the end of each host action.
    pub hold_received: bool,
    /// Processors of the host (group 0; `processors::DEFAULT_PROCESSOR_COUNT` by default).
    pub processor_count: u32,
    /// Send the mandatory OIDs after each MiniportInitializeEx and check the answers
    /// (on by default; off for test drivers that answer no OID).
    pub query_mandatory_oids: bool,
    /// The OID_GEN_CURRENT_PACKET_FILTER the host sets after each MiniportInitializeEx (the
    /// Hyper-V switch's by default; `None` for test drivers that answer no OID).
    pub packet_filter: Option<u32>,
    /// Check the queue-affinity rule (`receive.queue-processor`, `receive.queue-irql`: a VM
    /// queue's indications arrive on its affinity processor, at DISPATCH_LEVEL) for every
    /// adapter, not only the PCI-backed one. On by default (the software NIC indicates from
    /// per-processor receive DPCs); off for test miniports that indicate from their send path.
    pub queue_affinity_for_all_adapters: bool,
    /// The traffic source sends to an adapter through a support adapter of the same driver
    /// (its MiniportSendNetBufferLists; the HLK's support adapter on the segment), initialized
    /// by the host when first needed. On by default; off for test miniports that loop their
    /// own sends back (the frames then go through the adapter's own send path).
    pub support_adapter: bool,
    /// Leave DPCs queued with KeInsertQueueDpc queued after a host action (until
    /// `Sim::run_kernel_dpcs` or KeFlushQueuedDpcs), so a test can act while frames wait for a
    /// receive DPC. Off by default: they run once the outermost driver call returns.
    pub hold_kernel_dpcs: bool,
}

impl Default for HostConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            failing_shared_memory_allocations: BTreeSet::new(),
            failing_pool_allocations: BTreeSet::new(),
            failing_nbl_allocations: BTreeSet::new(),
            send_irql: DISPATCH_LEVEL,
            return_irql: DISPATCH_LEVEL,
            shared_data_alignment: 64,
            max_sg_elements: 8,
            hold_received: false,
            processor_count: super::processors::DEFAULT_PROCESSOR_COUNT,
            query_mandatory_oids: true,
            packet_filter: Some(super::packet_filter::VSWITCH_PACKET_FILTER),
            queue_affinity_for_all_adapters: true,
            support_adapter: true,
            hold_kernel_dpcs: false,
        }
    }
}

impl HostConfig {
    /// Sets the PRNG seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Fails the `k`-th (1-based) NdisAllocateSharedMemory with NDIS_STATUS_RESOURCES.
    pub fn fail_shared_memory_allocation(mut self, k: u64) -> Self {
        self.failing_shared_memory_allocations.insert(k);
        self
    }
    /// Makes the `k`-th (1-based) NdisAllocateMemoryWithTagPriority return NULL.
    pub fn fail_pool_allocation(mut self, k: u64) -> Self {
        self.failing_pool_allocations.insert(k);
        self
    }
    /// Makes the `k`-th (1-based) NBL-pool / NBL / MDL allocation call return NULL.
    pub fn fail_nbl_allocation(mut self, k: u64) -> Self {
        self.failing_nbl_allocations.insert(k);
        self
    }
    /// Sets the IRQL sends are delivered at.
    pub fn send_irql(mut self, irql: u8) -> Self {
        self.send_irql = irql;
        self
    }
    /// Sets the IRQL received NBLs are returned at.
    pub fn return_irql(mut self, irql: u8) -> Self {
        self.return_irql = irql;
        self
    }
    /// Sets the value NdisGetSharedDataAlignment returns.
    pub fn shared_data_alignment(mut self, alignment: u32) -> Self {
        self.shared_data_alignment = alignment;
        self
    }
    /// Sets the most SG elements a non-contiguous allocation is split into (at least 1).
    pub fn max_sg_elements(mut self, n: u32) -> Self {
        self.max_sg_elements = n.max(1);
        self
    }
    /// Whether the mandatory OIDs are sent after MiniportInitializeEx (default on).
    pub fn query_mandatory_oids(mut self, query: bool) -> Self {
        self.query_mandatory_oids = query;
        self
    }
    /// The packet filter the host sets after MiniportInitializeEx (`None`: none).
    pub fn packet_filter(mut self, filter: Option<u32>) -> Self {
        self.packet_filter = filter;
        self
    }
    /// For a test miniport that answers no OID: the host neither queries the mandatory OIDs nor
    /// sets a packet filter after MiniportInitializeEx (the rules about both are tested on their own).
    pub fn without_host_oids(self) -> Self {
        self.query_mandatory_oids(false).packet_filter(None)
    }
    /// Checks the queue-affinity rule on every adapter (see the field of the same name).
    pub fn queue_affinity_for_all_adapters(mut self, on: bool) -> Self {
        self.queue_affinity_for_all_adapters = on;
        self
    }
    /// Whether the traffic source sends through a support adapter (see the field).
    pub fn support_adapter(mut self, on: bool) -> Self {
        self.support_adapter = on;
        self
    }
    /// Whether queued kernel DPCs wait for `Sim::run_kernel_dpcs` (see the field).
    pub fn hold_kernel_dpcs(mut self, hold: bool) -> Self {
        self.hold_kernel_dpcs = hold;
        self
    }
    /// Holds indicated receive NBLs until `return_received` is called.
    pub fn hold_received(mut self, hold: bool) -> Self {
        self.hold_received = hold;
        self
    }
    /// Sets how many processors the host has (at least 1).
    pub fn processor_count(mut self, n: u32) -> Self {
        self.processor_count = n.max(1);
        self
    }
}

/// One simulated adapter: its registry keywords and what the test expects of it.
#[derive(Clone, Debug)]
pub struct AdapterConfig {
    /// Integer registry keywords by name (matched case-insensitively, like the registry).
    pub keywords: BTreeMap<String, u32>,
    /// Expected value of the BUS_MASTER registration attribute flag, if the test cares.
    pub bus_master: Option<bool>,
    /// Call MiniportRestartEx after a successful MiniportInitializeEx (NDIS does; default on).
    pub restart_after_initialize: bool,
    /// `IfIndex` passed in NDIS_MINIPORT_INIT_PARAMETERS (0 = assigned by the host).
    pub if_index: u32,
    /// The standardized `NetworkAddress` keyword (the administrator's current address), as
    /// `NdisReadNetworkAddress` returns it; `None`: absent.
    pub network_address: Option<[u8; 6]>,
}

impl Default for AdapterConfig {
    /// An adapter bound to the Hyper-V extensible switch: the OS has set the hidden
    /// `*RssOrVmqPreference` to 1 (VMQ preference; "Handling SR-IOV, VMQ, and RSS Standardized
    /// INF Keywords"). `without_keyword("*RssOrVmqPreference")` gives an adapter bound to TCP/IP.
    fn default() -> Self {
        let keywords = BTreeMap::from([(RSS_OR_VMQ_PREFERENCE.to_string(), 1)]);
        Self { keywords, bus_master: None, restart_after_initialize: true, if_index: 0, network_address: None }
    }
}

/// The hidden keyword that selects VMQ (1) or RSS (0 or absent), lower case.
pub const RSS_OR_VMQ_PREFERENCE: &str = "*rssorvmqpreference";

impl AdapterConfig {
    /// Adds an integer keyword (e.g. `keyword("*VMQ", 1)`).
    pub fn keyword(mut self, name: &str, value: u32) -> Self {
        self.keywords.insert(name.to_ascii_lowercase(), value);
        self
    }
    /// Sets the `NetworkAddress` keyword.
    pub fn network_address(mut self, address: [u8; 6]) -> Self {
        self.network_address = Some(address);
        self
    }
    /// Removes a keyword (it is then absent from the registry).
    pub fn without_keyword(mut self, name: &str) -> Self {
        self.keywords.remove(&name.to_ascii_lowercase());
        self
    }
    /// Declares whether the device is a bus master (DMA); the model checks the driver's
    /// NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER flag against it.
    pub fn bus_master(mut self, bus_master: bool) -> Self {
        self.bus_master = Some(bus_master);
        self
    }
    /// Whether `add_adapter` also restarts the adapter (default `true`).
    pub fn restart_after_initialize(mut self, restart: bool) -> Self {
        self.restart_after_initialize = restart;
        self
    }
    /// Looks a keyword up case-insensitively.
    pub fn lookup(&self, name: &str) -> Option<u32> {
        self.keywords.get(&name.to_ascii_lowercase()).copied()
    }
}
