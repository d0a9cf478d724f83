//! The vSwitch script: the one Hyper-V VMQ sequence every runner and test drives a driver
//! through, over any [`Sim<E>`] (the driver's Rust source on the host, or the real
//! `vmqnic.sys` under the emulator).
//!
//! Load the driver and initialize an adapter and, for a software adapter, the support adapter
//! on its segment that the traffic source sends from (retried when [`Script::attempts`] allows),
//! allocate the VM queues (OID_RECEIVE_FILTER_ALLOCATE_QUEUE), complete their allocation in one
//! OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE (a queue whose CompletionStatus failed is freed
//! at once, as the vSwitch does), give each queue a MAC filter (even queues untagged, odd queues
//! MAC + VLAN), grow each queue (OID_RECEIVE_FILTER_QUEUE_PARAMETERS with a larger suggested
//! buffer count), send frames round-robin over the queues' addresses (every ninth to an unknown
//! MAC, for the default queue), clear the filters, free the queues (OID_RECEIVE_FILTER_FREE_QUEUE,
//! waiting for a pended one), halt, unload.
//!
//! [`Script::thorough`] adds what the fault-injection sweep needs to judge a run: traffic
//! before the queues grow, traffic with half the NBLs held, a pause/restart, a traffic phase
//! that must still reach every queue, and one batch left with NDIS so a FREE_QUEUE pends.
//!
//! On the PCI-backed adapter (QEMU's 82576, [`crate::qemu::attach_igb`]) the traffic comes from
//! the device's wire instead ([`Sim::wire_send_frames`]: the frames are built and recorded the
//! same way, so the same receive checks apply), the script first waits for the driver to report
//! the link up, and the main run adds the hardware phases of [`super::script_pci`]: a transmit
//! check, a link down/up, and a FREE_QUEUE while frames for the queue sit in the device.
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/vmq-receive-queues>.

use std::collections::BTreeMap;

use ndis_sys::{NDIS_STATUS_FAILURE, NDIS_STATUS_PENDING, NDIS_STATUS_SUCCESS};

use crate::model::Env;
use crate::model::config::AdapterConfig;
use crate::model::frames::FrameSpec;
use crate::model::payload::{QueueId, QueueSpec};
use crate::model::traffic::Traffic;
use crate::sim::{AdapterId, Sim};

pub use super::script_outcome::{Address, Calls, PciOutcome, QueueOutcome, ScriptRun, sim_error_status};

/// Receive buffers each VM queue is created with, and grown to.
pub const INITIAL_BUFFERS: u32 = 64;
/// See [`INITIAL_BUFFERS`].
pub const GROWN_BUFFERS: u32 = 128;
/// Frames per MiniportSendNetBufferLists call.
pub const FRAMES_PER_SEND: usize = 32;
/// A MAC address no filter uses (its frames belong to the default queue).
pub const UNKNOWN_MAC: [u8; 6] = [0x02, 0x15, 0x5D, 0xFF, 0xFF, 0xFE];

/// The MAC address the simulated VM behind queue index `i` uses.
#[must_use]
pub fn vm_mac(i: usize) -> [u8; 6] {
    // CAST: the queue index fits in 16 bits.
    let [hi, lo] = (i as u16).to_be_bytes();
    [0x02, 0x15, 0x5D, 0x00, hi, lo]
}

/// The VLAN of the VM behind queue index `i`: odd queues are tagged `100 + i`.
#[must_use]
pub fn vm_vlan(i: usize) -> Option<u16> {
    // CAST: small index.
    (i % 2 == 1).then_some(100 + i as u16)
}

/// The frame lengths of a traffic phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameLen {
    /// Every frame this long.
    Fixed(usize),
    /// `60 + 37·n mod 1455` for the n-th frame of the phase (60..=1514 bytes).
    Varying,
    /// [`FrameLen::Varying`], but every fifth frame a jumbo frame of `1515 + 997·n mod 7500`
    /// bytes (1515..=9014), for an adapter with `*JumboPacket` 9014.
    VaryingJumbo,
}

impl FrameLen {
    fn of(self, n: u64) -> usize {
        match self {
            Self::Fixed(len) => len,
            // CAST: modulo a small count.
            Self::Varying => 60 + (n as usize * 37) % 1455,
            // CAST: as above.
            Self::VaryingJumbo if n % 5 == 4 => 1515 + (n as usize * 997) % 7500,
            Self::VaryingJumbo => Self::Varying.of(n),
        }
    }
}

/// What one run of the script does.
#[derive(Clone, Debug)]
pub struct Script {
    /// VM queues allocated.
    pub queues: u32,
    /// Frames per traffic phase.
    pub frames: u64,
    /// Frame lengths.
    pub frame_len: FrameLen,
    /// The adapter's configuration (keywords).
    pub adapter: AdapterConfig,
    /// DriverEntry and MiniportInitializeEx attempts (a failed attempt must leave the driver
    /// able to try again: NDIS reloads the driver / re-initializes the device).
    pub attempts: u32,
    /// Add the sweep's phases (see the module documentation).
    pub thorough: bool,
}

impl Default for Script {
    fn default() -> Self {
        Self {
            queues: 8,
            frames: 10_000,
            frame_len: FrameLen::Fixed(60),
            adapter: AdapterConfig::default(),
            attempts: 1,
            thorough: false,
        }
    }
}

/// When the host hands received NBLs back during a traffic phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Returns {
    /// As NDIS does on its own (the host configuration decides).
    Host,
    /// After every send.
    EachBatch,
    /// Half of those held, in random order, after every second send (the rest stay held).
    Half,
    /// Never (they stay with NDIS).
    Never,
}

/// One run in progress.
pub(super) struct Run<'s, E: Env> {
    pub(super) sim: &'s mut Sim<E>,
    pub(super) script: &'s Script,
    pub(super) statuses: Vec<(&'static str, i32)>,
    pub(super) queues: Vec<QueueOutcome>,
    capped_at: Option<u32>,
    /// What the hardware phases saw (`Some` on the PCI-backed adapter).
    pub(super) pci: Option<PciOutcome>,
}

impl Script {
    /// Runs the script on `sim`, whose driver's DriverEntry is at `entry`, through unload.
    pub fn run<E: Env>(&self, sim: &mut Sim<E>, entry: u64) -> ScriptRun {
        let mut run = Run { sim, script: self, statuses: Vec::new(), queues: Vec::new(), capped_at: None, pci: None };
        let (initialize_status, traffic, usable, processors) = match run.bring_up(entry) {
            Ok(a) => {
                let usable = run.vswitch(a);
                let traffic = run.sim.traffic(a);
                let _ = run.sim.halt(a, 0);
                let processors = run.sim.with_model(|m, _| m.indication_processors(a.0));
                (NDIS_STATUS_SUCCESS, traffic, usable, processors)
            }
            Err(status) => (
                status,
                Traffic::default(),
                Err("the driver never initialized an adapter".to_string()),
                BTreeMap::new(),
            ),
        };
        let Run { sim, statuses, queues, capped_at, mut pci, .. } = run;
        if let Some(p) = pci.as_mut() {
            p.counters = sim.with_model(|m, _| m.pci_counters());
        }
        let _ = sim.unload_driver();
        let calls = Calls {
            shared_memory: sim.shared_memory_allocation_calls(),
            pool: sim.pool_allocation_calls(),
            nbl: sim.nbl_allocation_calls(),
        };
        let violations = sim.take_violations();
        ScriptRun {
            initialize_status,
            queues,
            queues_capped_at: capped_at,
            statuses,
            traffic,
            usable,
            report: sim.report(),
            calls,
            nbl_live: sim.nbl_live(),
            violations,
            indication_processors: processors,
            pci,
        }
    }
}

impl<E: Env> Run<'_, E> {
    pub(super) fn see(&mut self, step: &'static str, status: i32) {
        self.statuses.push((step, status));
    }

    /// DriverEntry, then one adapter; `Err` carries the last failure's status.
    fn bring_up(&mut self, entry: u64) -> Result<AdapterId, i32> {
        let mut status = NDIS_STATUS_FAILURE;
        let mut loaded = false;
        for _ in 0..self.script.attempts {
            match self.sim.load_driver_at(entry) {
                Ok(()) => {
                    loaded = true;
                    break;
                }
                Err(e) => {
                    status = sim_error_status(&e);
                    self.see("driver_entry", status);
                }
            }
        }
        if !loaded {
            return Err(status);
        }
        for _ in 0..self.script.attempts {
            match self.sim.add_adapter(self.script.adapter.clone()).and_then(|a| self.support(a)) {
                Ok(adapter) => return Ok(adapter),
                Err(e) => {
                    status = sim_error_status(&e);
                    self.see("initialize", status);
                    // A restart failure leaves an initialized adapter: NDIS halts it.
                    for a in self.sim.live_adapters() {
                        let _ = self.sim.halt(a, 0);
                    }
                }
            }
        }
        Err(status)
    }

    /// The support adapter next to software adapter `a` (the HLK's VMQ tests start with the
    /// connectivity of the adapter under test and a support adapter on one segment): the
    /// traffic source sends from it. An adapter on the PCI device gets its frames from the
    /// device's wire instead. A support adapter that fails to initialize fails the bring-up
    /// (`a` is halted by the caller's retry loop).
    fn support(&mut self, a: AdapterId) -> Result<AdapterId, crate::sim::SimError> {
        let pci = self.sim.with_model(|m, _| m.pci_adapter()) == Some(a.0);
        let wanted = self.sim.with_model(|m, _| m.config().support_adapter);
        if !pci && wanted {
            self.sim.support_adapter()?;
        }
        Ok(a)
    }

    /// Everything between bring-up and halt.
    fn vswitch(&mut self, a: AdapterId) -> Result<(), String> {
        if self.sim.with_model(|m, _| m.pci_adapter()) == Some(a.0) {
            self.pci = Some(PciOutcome::default());
            self.wait_for_link_up(a);
        }
        self.allocate(a);
        self.complete(a);
        self.set_filters(a);
        let frames = self.script.frames;
        if self.script.thorough {
            self.send(a, frames, Returns::EachBatch)?;
        }
        self.grow(a);
        if !self.script.thorough {
            self.send(a, frames, Returns::Host)?;
            let hardware = if self.pci.is_some() { self.hardware_phases(a) } else { Ok(()) };
            self.clear_and_free(a)?;
            return hardware;
        }
        self.send(a, frames, Returns::Half)?;
        if let Err(e) = self.sim.pause(a) {
            self.see("pause", sim_error_status(&e));
        }
        if let Err(e) = self.sim.restart(a) {
            self.see("restart", sim_error_status(&e));
            return Err(format!("restart after pause failed: {e}"));
        }
        let before = self.sim.traffic(a);
        self.send(a, frames, Returns::EachBatch)?;
        let after = self.sim.traffic(a);
        let usable = self.check_delivery(&before, &after);
        // One more batch left with NDIS, so the first FREE_QUEUE pends until it comes back.
        self.send(a, FRAMES_PER_SEND as u64, Returns::Never)?;
        self.clear_and_free(a)?;
        usable
    }

    fn allocate(&mut self, a: AdapterId) {
        // A vSwitch allocates no more VM queues than the adapter advertises (NumQueues of the
        // current NDIS_RECEIVE_FILTER_CAPABILITIES).
        let offered = self.sim.receive_filter_capabilities(a).map(|(_, current)| current.num_queues);
        let count = match offered {
            Some(offered) if offered < self.script.queues => {
                self.capped_at = Some(offered);
                offered
            }
            _ => self.script.queues,
        };
        // Queue i's affinity is processor i mod the host's processors (a vSwitch names only
        // processors that exist).
        let processors = self.sim.with_model(|m, _| m.processor_count()).clamp(1, 64) as usize;
        for index in 0..count as usize {
            let spec = QueueSpec::default().suggested_buffers(INITIAL_BUFFERS).affinity(1u64 << (index % processors));
            let (queue_id, allocate_status) = match self.sim.allocate_queue(a, spec) {
                Ok(q) => (Some(q.0), NDIS_STATUS_SUCCESS),
                Err(r) => {
                    self.see("allocate_queue", r.status);
                    (None, r.status)
                }
            };
            self.queues.push(QueueOutcome {
                queue_id,
                allocate_status,
                completion_status: None,
                grow_status: None,
                free_status: None,
                filter: None,
                address: (vm_mac(index), vm_vlan(index)),
            });
        }
    }

    /// ALLOCATION_COMPLETE for every queue; a queue whose CompletionStatus failed (or all of
    /// them, when the OID failed) is freed, as the vSwitch does.
    fn complete(&mut self, a: AdapterId) {
        let ids: Vec<QueueId> = self.queues.iter().filter_map(QueueOutcome::live).collect();
        if ids.is_empty() {
            return;
        }
        let failed: Vec<QueueId> = match self.sim.complete_queue_allocation(a, &ids) {
            Ok(list) => {
                let mut failed = Vec::new();
                for (q, status) in list {
                    self.see("completion_status", status);
                    self.note(q, |o| o.completion_status = Some(status));
                    if status != NDIS_STATUS_SUCCESS {
                        failed.push(q);
                    }
                }
                failed
            }
            Err(r) => {
                self.see("allocation_complete", r.status);
                ids
            }
        };
        for q in failed {
            let status = self.sim.free_queue(a, q).status;
            self.see("free_queue", status);
            self.note(q, |o| o.free_status = Some(status));
        }
    }

    /// Records `f` in queue `q`'s outcome.
    pub(super) fn note(&mut self, q: QueueId, f: impl FnOnce(&mut QueueOutcome)) {
        if let Some(o) = self.queues.iter_mut().find(|o| o.queue_id == Some(q.0)) {
            f(o);
        }
    }

    pub(super) fn live(&self) -> Vec<QueueId> {
        self.queues.iter().filter_map(QueueOutcome::live).collect()
    }

    fn set_filters(&mut self, a: AdapterId) {
        let live: Vec<(QueueId, Address)> = self.queues.iter().filter_map(|o| Some((o.live()?, o.address))).collect();
        for (q, (mac, vlan)) in live {
            let filter = match self.sim.set_mac_filter(a, q, mac, vlan) {
                Ok(id) => (NDIS_STATUS_SUCCESS, Some(id)),
                Err(r) => {
                    self.see("set_filter", r.status);
                    (r.status, None)
                }
            };
            self.note(q, |o| o.filter = Some(filter));
        }
    }

    fn grow(&mut self, a: AdapterId) {
        for q in self.live() {
            let status = self.sim.set_queue_suggested_buffers(a, q, GROWN_BUFFERS).status;
            self.see("grow", status);
            self.note(q, |o| o.grow_status = Some(status));
        }
    }

    /// Sends `frames` frames round-robin over the filtered queues' addresses, every ninth to
    /// [`UNKNOWN_MAC`].
    pub(super) fn send(&mut self, a: AdapterId, frames: u64, returns: Returns) -> Result<(), String> {
        let targets: Vec<Address> =
            self.queues.iter().filter(|o| o.filter_id().is_some() && o.live().is_some()).map(|o| o.address).collect();
        let mut batch = Vec::with_capacity(FRAMES_PER_SEND);
        let mut batches = 0u64;
        for n in 0..frames {
            let len = self.script.frame_len.of(n);
            let spec = if targets.is_empty() || n % 9 == 8 {
                FrameSpec::new(UNKNOWN_MAC, len)
            } else {
                // CAST: modulo a small count.
                let (mac, vlan) = targets[(n % targets.len() as u64) as usize];
                let spec = FrameSpec::new(mac, len);
                vlan.map_or(spec, |id| spec.vlan(id))
            };
            batch.push(spec);
            if batch.len() == FRAMES_PER_SEND || n + 1 == frames {
                if self.pci.is_some() {
                    self.sim.wire_send_frames(&batch).map_err(|e| format!("wire send failed: {e}"))?;
                } else {
                    self.sim.send_frames(a, &batch).map_err(|e| format!("send failed: {e}"))?;
                }
                batch.clear();
                batches += 1;
                match returns {
                    Returns::EachBatch => {
                        self.sim.return_received(a);
                    }
                    Returns::Half if batches.is_multiple_of(2) => {
                        let held = self.sim.received_outstanding(a);
                        self.sim.return_received_shuffled(a, held / 2);
                    }
                    Returns::Host | Returns::Half | Returns::Never => {}
                }
            }
        }
        Ok(())
    }

    /// Every frame sent between the two snapshots reached the queue its filters chose, and
    /// each filtered queue got some.
    pub(super) fn check_delivery(&self, before: &Traffic, after: &Traffic) -> Result<(), String> {
        let mut sent_total = 0;
        for (q, now) in &after.per_queue {
            let then = before.per_queue.get(q).copied().unwrap_or_default();
            let (sent, delivered) = (now.sent - then.sent, now.delivered - then.delivered);
            sent_total += sent;
            if sent != delivered || now.misdelivered != then.misdelivered {
                return Err(format!("queue {q}: {delivered} of {sent} frames delivered after the failure"));
            }
        }
        for q in self.queues.iter().filter(|o| o.filter_id().is_some()).filter_map(QueueOutcome::live).map(|q| q.0) {
            let got = after.per_queue.get(&q).map_or(0, |t| t.delivered);
            let had = before.per_queue.get(&q).map_or(0, |t| t.delivered);
            if got == had {
                return Err(format!("{} received nothing after the failure", QueueId(q)));
            }
        }
        if sent_total == 0 {
            return Err("no frame was sent after the failure".to_string());
        }
        Ok(())
    }

    /// CLEAR_FILTER for every filter, then FREE_QUEUE for every queue; a pended FREE_QUEUE
    /// completes once NDIS returns the queue's NBLs.
    fn clear_and_free(&mut self, a: AdapterId) -> Result<(), String> {
        let live = self.live();
        self.clear_and_free_queues(a, &live)
    }

    /// [`Run::clear_and_free`] for `queues` only.
    pub(super) fn clear_and_free_queues(&mut self, a: AdapterId, queues: &[QueueId]) -> Result<(), String> {
        let filters: Vec<(QueueId, u32)> = self
            .queues
            .iter()
            .filter_map(|o| Some((o.live()?, o.filter_id()?)))
            .filter(|(q, _)| queues.contains(q))
            .collect();
        for (q, filter) in filters {
            let status = self.sim.clear_filter(a, q, filter).status;
            self.see("clear_filter", status);
        }
        for &q in queues {
            let r = self.sim.free_queue(a, q);
            let status = if r.status == NDIS_STATUS_PENDING {
                self.sim.return_received(a);
                let done = self.sim.take_oid_completions(a);
                done.iter().find(|c| c.request_id == r.request_id).map_or(NDIS_STATUS_PENDING, |c| c.status)
            } else {
                r.status
            };
            self.see("free_queue", status);
            self.note(q, |o| o.free_status = Some(status));
            if status == NDIS_STATUS_PENDING {
                return Err(format!("FREE_QUEUE of {q} never completed after its NBLs came back"));
            }
        }
        Ok(())
    }
}
