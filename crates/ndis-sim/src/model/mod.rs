//! The simulated NDIS itself: state, ledgers and rules, with no `unsafe` and no raw pointers.
//!
//! Addresses are `u64`; memory is reached only through [`AddressSpace`] and the driver only
//! through [`Env::call_driver`], so the same model can serve host tests (real pointers) and an
//! x86-64 emulator running the cross-built `vmqnic.sys` (guest addresses). Every NDIS export is
//! a `Model` method taking `&mut dyn AddressSpace`. This is the bottom layer: the multi-step
//! host actions that call the driver are built on it one layer up (`crate::sim`), and nothing
//! here calls up into them.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-miniport-drivers2>.

pub mod adapter;
pub mod attributes;
pub mod calls;
pub mod config;
mod datapath;
pub mod dma;
mod dma_stopped;
pub mod driver;
pub mod filters;
pub mod frames;
pub mod handles;
pub mod interrupts;
pub mod io_space;
pub mod kernel_dpc;
pub mod lifecycle;
mod locks;
pub mod mandatory;
pub mod memory;
pub mod nbl_pool;
pub mod oid;
mod ownership;
pub mod packet_filter;
pub mod payload;
pub mod pci;
pub mod phase;
pub mod pool;
mod power;
pub mod processors;
pub mod quarantine;
mod queue_affinity;
pub mod queue_state;
mod receive;
mod registry;
pub mod report;
pub mod rng;
pub mod rules;
mod sg_dma;
pub mod sg_list;
pub mod shared_memory;
mod status;
pub mod traffic;
pub mod work_items;

use std::collections::{BTreeMap, BTreeSet};

pub use calls::{Env, MiniportCall};
pub use config::{AdapterConfig, HostConfig};
pub use memory::{AddressSpace, ArenaMemory, Fault, MemExt};
pub use rules::Violation;

use adapter::{AdapterState, Phase};
use driver::DriverState;
use handles::{HandleKind, Handles};
use locks::{Frame, SpinLocks};
use nbl_pool::NblLedger;
use ownership::Ownership;
use pool::PoolLedger;
use registry::ConfigHandle;
use report::StatusRecord;
use rng::SplitMix64;
use shared_memory::SharedMemoryLedger;
use traffic::TrafficLedger;
use work_items::WorkItems;

/// The whole simulated NDIS state of one host.
#[derive(Debug)]
pub struct Model {
    config: HostConfig,
    rng: SplitMix64,
    irql: u8,
    handles: Handles,
    driver: Option<DriverState>,
    adapters: BTreeMap<u64, AdapterState>,
    shared: SharedMemoryLedger,
    pool: PoolLedger,
    locks: SpinLocks,
    frames: Vec<Frame>,
    work: WorkItems,
    configs: BTreeMap<u64, ConfigHandle>,
    status_log: Vec<StatusRecord>,
    violations: Vec<Violation>,
    history: Vec<Violation>,
    next_request_id: u64,
    next_if_index: u32,
    /// (queues allocated, queues freed) by successful OIDs.
    queue_counters: (u64, u64),
    /// Outstanding sent NBLs (each the start of the block holding it and its frame).
    send_blocks: BTreeSet<u64>,
    /// NBL pools, NBLs and MDLs.
    nbl: NblLedger,
    /// Indicated NBLs NDIS owns.
    ownership: Ownership,
    /// The traffic source's frames and the per-queue counters.
    traffic: TrafficLedger,
    /// Violations recorded per receive rule (for the listing cap).
    rx_violations: BTreeMap<&'static str, u64>,
    /// Reused buffers: an indicated frame, and the frame rebuilt from the ledger.
    rx_scratch: Vec<u8>,
    rx_expected: Vec<u8>,
    /// Chooses NBLs for `return_received_shuffled` (its own stream, so returns do not change
    /// shared-memory layouts).
    return_rng: SplitMix64,
    /// Freed shared-memory blocks kept poisoned (use-after-free check).
    quarantine: quarantine::Quarantine,
    io_space: io_space::IoSpace,
    processors: processors::Processors,
    pci: pci::PciState,
    dma: dma::DmaMemory,
    interrupts: interrupts::Interrupts,
    sg_lists: sg_list::SgLists,
    /// Copies of queues' shared memory at their DmaStopped indication.
    dma_stopped: dma_stopped::DmaStoppedCopies,
    /// VM queues' affinity processors and the processors their indications came on.
    affinity: queue_affinity::QueueAffinity,
    /// The support adapter the traffic source sends from (`HostConfig::support_adapter`).
    support: Option<u64>,
    /// Kernel DPC objects (KeInitializeDpc) and the DPC queue.
    kernel_dpcs: kernel_dpc::KernelDpcs,
}

impl Model {
    /// A fresh host: no driver, no adapters, PASSIVE_LEVEL.
    pub fn new(config: HostConfig) -> Self {
        let seed = config.seed;
        let processors = processors::Processors::new(config.processor_count);
        Self {
            rng: SplitMix64::new(seed),
            config,
            irql: config::PASSIVE_LEVEL,
            handles: Handles::default(),
            driver: None,
            adapters: BTreeMap::new(),
            shared: SharedMemoryLedger::default(),
            pool: PoolLedger::default(),
            locks: SpinLocks::default(),
            frames: Vec::new(),
            work: WorkItems::default(),
            configs: BTreeMap::new(),
            status_log: Vec::new(),
            violations: Vec::new(),
            history: Vec::new(),
            next_request_id: 0,
            next_if_index: 0,
            queue_counters: (0, 0),
            send_blocks: BTreeSet::new(),
            nbl: NblLedger::default(),
            ownership: Ownership::default(),
            traffic: TrafficLedger::default(),
            rx_violations: BTreeMap::new(),
            rx_scratch: Vec::new(),
            rx_expected: Vec::new(),
            return_rng: SplitMix64::new(seed ^ 0x5EED_0F2E_7A2B_5D00),
            quarantine: quarantine::Quarantine::default(),
            io_space: io_space::IoSpace::default(),
            processors,
            pci: pci::PciState::default(),
            dma: dma::DmaMemory::default(),
            interrupts: interrupts::Interrupts::default(),
            sg_lists: sg_list::SgLists::default(),
            dma_stopped: dma_stopped::DmaStoppedCopies::default(),
            affinity: queue_affinity::QueueAffinity::default(),
            support: None,
            kernel_dpcs: kernel_dpc::KernelDpcs::default(),
        }
    }

    /// The support adapter the traffic source sends from, if the host made one.
    pub fn support_adapter(&self) -> Option<u64> {
        self.support
    }

    /// Records `adapter` as the support adapter.
    pub fn set_support_adapter(&mut self, adapter: Option<u64>) {
        self.support = adapter;
    }

    /// The host configuration.
    pub fn config(&self) -> &HostConfig {
        &self.config
    }

    /// The IRQL the simulated processor is at.
    pub fn irql(&self) -> u8 {
        self.irql
    }

    /// Records a violation of `rule`.
    pub fn violate(&mut self, rule: &'static str, detail: impl Into<String>) {
        let v = Violation { rule, detail: detail.into() };
        self.history.push(v.clone());
        self.violations.push(v);
    }

    /// Violations not yet taken, oldest first.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// Removes and returns the violations not yet taken.
    pub fn take_violations(&mut self) -> Vec<Violation> {
        std::mem::take(&mut self.violations)
    }

    /// The adapter with MiniportAdapterHandle `handle`.
    pub fn adapter(&self, handle: u64) -> Option<&AdapterState> {
        self.adapters.get(&handle)
    }

    /// The adapter handles of every adapter ever added, in creation order.
    pub fn adapter_handles(&self) -> Vec<u64> {
        self.adapters.keys().copied().collect()
    }

    /// Records a memory fault in `api` and returns `None`.
    fn fault<T>(&mut self, api: &str, fault: Fault) -> Option<T> {
        self.violate(rules::MEMORY_FAULT, format!("{api}: {fault}"));
        None
    }

    /// Validates an adapter handle passed to `api`: it must be an adapter handle of this host,
    /// and the adapter must not be halted. Records `handle.invalid` or `adapter.call-after-halt`.
    fn check_adapter(&mut self, handle: u64, api: &str) -> bool {
        match self.handles.kind(handle) {
            Some(HandleKind::Adapter) => {}
            _ => {
                let what = self.handles.describe(handle);
                self.violate(rules::HANDLE_INVALID, format!("{api}: expected a MiniportAdapterHandle, got {what}"));
                return false;
            }
        }
        let gone = self.adapters.get(&handle).is_none_or(|a| a.phase.is_gone());
        if gone {
            self.violate(
                rules::ADAPTER_CALL_AFTER_HALT,
                format!("{api} called for adapter {handle:#x} after MiniportHaltEx returned"),
            );
            return false;
        }
        true
    }

    /// Validates a handle that may be the driver handle or an adapter handle (pool, work items).
    fn check_owner_handle(&mut self, handle: u64, api: &str) -> bool {
        match self.handles.kind(handle) {
            Some(HandleKind::Driver) => true,
            Some(HandleKind::Adapter) => self.check_adapter(handle, api),
            _ => {
                let what = self.handles.describe(handle);
                self.violate(
                    rules::HANDLE_INVALID,
                    format!("{api}: expected the driver or an adapter handle, got {what}"),
                );
                false
            }
        }
    }

    /// The adapter state, if `handle` names one (no checks).
    fn adapter_mut(&mut self, handle: u64) -> Option<&mut AdapterState> {
        self.adapters.get_mut(&handle)
    }

    /// How many driver handlers are on the simulated call stack (0: the host is running).
    pub fn handler_depth(&self) -> usize {
        self.frames.len()
    }

    /// Whether a handler named `name` is on the simulated call stack.
    fn inside(&self, name: &str) -> bool {
        self.frames.iter().any(|f| f.name == name)
    }

    fn phase(&self, handle: u64) -> Option<Phase> {
        self.adapters.get(&handle).map(|a| a.phase)
    }
}
