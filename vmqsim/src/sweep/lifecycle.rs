//! The sweep's lifecycle: one full vSwitch run with traffic, growth, held NBLs, pause/restart
//! and a pended FREE_QUEUE, recording every status the driver gave so that a run with one
//! failing allocation can be judged (leak, violation, visible failure, still usable).
//! <https://learn.microsoft.com/windows-hardware/drivers/network/vmq-receive-queues>

use ndis_sim::{AdapterId, FrameSpec, Host, HostConfig, QueueId, QueueSpec, Report, SimError, Traffic};
use ndis_sys::{NDIS_STATUS_FAILURE, NDIS_STATUS_PENDING, NDIS_STATUS_SUCCESS};

use crate::{FRAMES_PER_SEND, GROWN_BUFFERS, INITIAL_BUFFERS, UNKNOWN_MAC, vm_mac};

/// Which allocation routine a fault point fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// `NdisAllocateSharedMemory` (NDIS_STATUS_RESOURCES).
    SharedMemory,
    /// `NdisAllocateMemoryWithTagPriority` (NULL).
    Pool,
    /// `NdisAllocateNetBufferListPool` / `NdisAllocateNetBufferAndNetBufferList` /
    /// `NdisAllocateMdl`, counted together (NULL).
    Nbl,
}

impl FaultKind {
    /// Every kind, in report order.
    pub const ALL: [Self; 3] = [Self::SharedMemory, Self::Pool, Self::Nbl];

    /// The JSON key of the kind.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::SharedMemory => "shared_memory",
            Self::Pool => "pool",
            Self::Nbl => "nbl",
        }
    }

    /// The kind's calls in `calls`.
    #[must_use]
    pub fn count(self, calls: &Calls) -> u64 {
        match self {
            Self::SharedMemory => calls.shared_memory,
            Self::Pool => calls.pool,
            Self::Nbl => calls.nbl,
        }
    }
}

/// What a lifecycle run does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// VM queues allocated.
    pub queues: u32,
    /// Frames per traffic phase.
    pub frames: u64,
    /// Host seed.
    pub seed: u64,
    /// The one failing allocation call (1-based), if any.
    pub fault: Option<(FaultKind, u64)>,
}

/// Allocation calls of each kind a run made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Calls {
    /// `NdisAllocateSharedMemory`.
    pub shared_memory: u64,
    /// `NdisAllocateMemoryWithTagPriority`.
    pub pool: u64,
    /// NBL pool / NBL / MDL allocations.
    pub nbl: u64,
}

/// The result of one lifecycle run.
#[derive(Clone, Debug)]
pub struct Run {
    /// Every status the host received, as (step, status), in order.
    pub statuses: Vec<(&'static str, i32)>,
    /// Allocation calls made.
    pub calls: Calls,
    /// ndis-sim's report after unload.
    pub report: Report,
    /// (NBL pools, NBLs, MDLs) still allocated after unload.
    pub nbl_live: (usize, usize, usize),
    /// Rule violations.
    pub violations: Vec<String>,
    /// `Err` says how the driver stopped being usable where NDIS would keep using it.
    pub usable: Result<(), String>,
}

impl Run {
    /// The first status that was not SUCCESS: where the failure became visible.
    #[must_use]
    pub fn first_failure(&self) -> Option<(&'static str, i32)> {
        self.statuses.iter().copied().find(|(_, s)| *s != NDIS_STATUS_SUCCESS)
    }
}

/// One VM queue of the run.
#[derive(Clone, Copy, Debug)]
struct Vm {
    index: usize,
    queue: QueueId,
    filter: Option<u32>,
}

impl Vm {
    fn address(&self) -> ([u8; 6], Option<u16>) {
        // CAST: small index.
        (vm_mac(self.index), (self.index % 2 == 1).then_some(100 + self.index as u16))
    }
}

struct Recorder<'h> {
    host: &'h mut Host,
    statuses: Vec<(&'static str, i32)>,
}

impl Recorder<'_> {
    fn see(&mut self, step: &'static str, status: i32) {
        self.statuses.push((step, status));
    }

    fn see_error(&mut self, step: &'static str, error: &SimError) {
        let status = match error {
            SimError::DriverEntryFailed(s) | SimError::InitializeFailed(s) | SimError::RestartFailed(s) => *s,
            _ => NDIS_STATUS_FAILURE,
        };
        self.see(step, status);
    }
}

/// Runs the lifecycle once under `plan`.
#[must_use]
pub fn run_lifecycle(plan: &Plan) -> Run {
    let mut config = HostConfig::default().seed(plan.seed).hold_received(true);
    config = match plan.fault {
        Some((FaultKind::SharedMemory, k)) => config.fail_shared_memory_allocation(k),
        Some((FaultKind::Pool, k)) => config.fail_pool_allocation(k),
        Some((FaultKind::Nbl, k)) => config.fail_nbl_allocation(k),
        None => config,
    };
    let mut host = Host::new(config);
    let mut rec = Recorder { host: &mut host, statuses: Vec::new() };
    let usable = match bring_up(&mut rec) {
        Some(adapter) => vswitch(&mut rec, adapter, plan),
        None => Err("the driver never initialized an adapter".to_string()),
    };
    let statuses = std::mem::take(&mut rec.statuses);
    let _ = host.unload_driver();
    let calls = Calls {
        shared_memory: host.shared_memory_allocation_calls(),
        pool: host.pool_allocation_calls(),
        nbl: host.nbl_allocation_calls(),
    };
    let violations = host.take_violations().iter().map(ToString::to_string).collect();
    Run { statuses, calls, report: host.report(), nbl_live: host.nbl_live(), violations, usable }
}

/// DriverEntry and one adapter, each retried once: a failed attempt must leave the driver
/// able to try again (NDIS reloads the driver / re-initializes the device).
fn bring_up(rec: &mut Recorder<'_>) -> Option<AdapterId> {
    let mut loaded = false;
    for _ in 0..2 {
        match rec.host.load_driver(vmqnic::DriverEntry) {
            Ok(()) => {
                loaded = true;
                break;
            }
            Err(e) => rec.see_error("driver_entry", &e),
        }
    }
    if !loaded {
        return None;
    }
    for _ in 0..2 {
        match rec.host.add_adapter(ndis_sim::AdapterConfig::default()) {
            Ok(adapter) => return Some(adapter),
            Err(e) => {
                rec.see_error("initialize", &e);
                // A restart failure leaves an initialized adapter: NDIS halts it.
                for a in rec.host.live_adapters() {
                    let _ = rec.host.halt(a, 0);
                }
            }
        }
    }
    None
}

/// Allocate, complete, filter, traffic, grow, traffic with NBLs held, pause/restart, traffic
/// (the usability check), clear, free (one FREE_QUEUE pended on held NBLs), halt.
fn vswitch(rec: &mut Recorder<'_>, a: AdapterId, plan: &Plan) -> Result<(), String> {
    let mut vms = Vec::new();
    for index in 0..plan.queues as usize {
        let spec = QueueSpec::default().suggested_buffers(INITIAL_BUFFERS).affinity(1u64 << (index % 64));
        match rec.host.allocate_queue(a, spec) {
            Ok(queue) => vms.push(Vm { index, queue, filter: None }),
            Err(r) => rec.see("allocate_queue", r.status),
        }
    }
    complete(rec, a, &mut vms);
    for vm in &mut vms {
        let (mac, vlan) = vm.address();
        match rec.host.set_mac_filter(a, vm.queue, mac, vlan) {
            Ok(id) => vm.filter = Some(id),
            Err(r) => rec.see("set_filter", r.status),
        }
    }
    send(rec, a, &vms, plan.frames, Returns::EachBatch)?;
    for vm in &vms {
        let status = rec.host.set_queue_suggested_buffers(a, vm.queue, GROWN_BUFFERS).status;
        rec.see("grow", status);
    }
    send(rec, a, &vms, plan.frames, Returns::Half)?;
    if let Err(e) = rec.host.pause(a) {
        rec.see_error("pause", &e);
    }
    if let Err(e) = rec.host.restart(a) {
        rec.see_error("restart", &e);
        return Err(format!("restart after pause failed: {e}"));
    }
    let before = rec.host.traffic(a);
    send(rec, a, &vms, plan.frames, Returns::EachBatch)?;
    let after = rec.host.traffic(a);
    let usable = check_delivery(&before, &after, &vms);
    // One more batch left with NDIS, so the first FREE_QUEUE pends until it comes back.
    send(rec, a, &vms, FRAMES_PER_SEND as u64, Returns::Never)?;
    for vm in &vms {
        if let Some(filter) = vm.filter {
            let status = rec.host.clear_filter(a, vm.queue, filter).status;
            rec.see("clear_filter", status);
        }
    }
    for vm in &vms {
        free(rec, a, vm.queue)?;
    }
    let _ = rec.host.halt(a, 0);
    usable
}

/// ALLOCATION_COMPLETE for every queue; a queue whose CompletionStatus failed is freed, as
/// the vSwitch does.
fn complete(rec: &mut Recorder<'_>, a: AdapterId, vms: &mut Vec<Vm>) {
    if vms.is_empty() {
        return;
    }
    let ids: Vec<QueueId> = vms.iter().map(|v| v.queue).collect();
    let failed: Vec<QueueId> = match rec.host.complete_queue_allocation(a, &ids) {
        Ok(list) => list
            .into_iter()
            .filter_map(|(q, status)| {
                rec.see("completion_status", status);
                (status != NDIS_STATUS_SUCCESS).then_some(q)
            })
            .collect(),
        Err(r) => {
            rec.see("allocation_complete", r.status);
            ids
        }
    };
    for q in failed {
        let status = rec.host.free_queue(a, q).status;
        rec.see("free_queue", status);
        vms.retain(|v| v.queue != q);
    }
}

/// FREE_QUEUE; a pended one completes once NDIS returns the queue's NBLs.
fn free(rec: &mut Recorder<'_>, a: AdapterId, q: QueueId) -> Result<(), String> {
    let r = rec.host.free_queue(a, q);
    let status = if r.status == NDIS_STATUS_PENDING {
        rec.host.return_received(a);
        let done = rec.host.take_oid_completions(a);
        done.iter().find(|c| c.request_id == r.request_id).map_or(NDIS_STATUS_PENDING, |c| c.status)
    } else {
        r.status
    };
    rec.see("free_queue", status);
    if status == NDIS_STATUS_PENDING {
        return Err(format!("FREE_QUEUE of {q} never completed after its NBLs came back"));
    }
    Ok(())
}

/// When the host hands received NBLs back during a traffic phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Returns {
    /// After every send.
    EachBatch,
    /// Half of those held, in random order, after every second send (the rest stay held).
    Half,
    /// Never (they stay with NDIS).
    Never,
}

/// Sends `frames` frames: round-robin over the filtered queues' addresses with varying
/// lengths, every ninth to [`UNKNOWN_MAC`].
fn send(rec: &mut Recorder<'_>, a: AdapterId, vms: &[Vm], frames: u64, returns: Returns) -> Result<(), String> {
    let targets: Vec<([u8; 6], Option<u16>)> = vms.iter().filter(|v| v.filter.is_some()).map(Vm::address).collect();
    let mut batch = Vec::with_capacity(FRAMES_PER_SEND);
    let mut batches = 0u64;
    for n in 0..frames {
        // CAST: modulo small counts.
        let len = 60 + (n as usize * 37) % 1455;
        let spec = if targets.is_empty() || n % 9 == 8 {
            FrameSpec::new(UNKNOWN_MAC, len)
        } else {
            let (mac, vlan) = targets[(n % targets.len() as u64) as usize];
            let spec = FrameSpec::new(mac, len);
            vlan.map_or(spec, |id| spec.vlan(id))
        };
        batch.push(spec);
        if batch.len() == FRAMES_PER_SEND || n + 1 == frames {
            rec.host.send_frames(a, &batch).map_err(|e| format!("send failed: {e}"))?;
            batch.clear();
            batches += 1;
            match returns {
                Returns::EachBatch => {
                    rec.host.return_received(a);
                }
                Returns::Half if batches.is_multiple_of(2) => {
                    let held = rec.host.received_outstanding(a);
                    rec.host.return_received_shuffled(a, held / 2);
                }
                Returns::Half | Returns::Never => {}
            }
        }
    }
    Ok(())
}

/// Every frame sent between the two snapshots reached the queue its filters chose, and each
/// filtered queue got some.
fn check_delivery(before: &Traffic, after: &Traffic, vms: &[Vm]) -> Result<(), String> {
    let mut sent_total = 0;
    for (q, now) in &after.per_queue {
        let then = before.per_queue.get(q).copied().unwrap_or_default();
        let (sent, delivered) = (now.sent - then.sent, now.delivered - then.delivered);
        sent_total += sent;
        if sent != delivered || now.misdelivered != then.misdelivered {
            return Err(format!("queue {q}: {delivered} of {sent} frames delivered after the failure"));
        }
    }
    for vm in vms.iter().filter(|v| v.filter.is_some()) {
        let got = after.per_queue.get(&vm.queue.0).map_or(0, |t| t.delivered);
        let had = before.per_queue.get(&vm.queue.0).map_or(0, |t| t.delivered);
        if got == had {
            return Err(format!("{} received nothing after the failure", vm.queue));
        }
    }
    if sent_total == 0 {
        return Err("no frame was sent after the failure".to_string());
    }
    Ok(())
}
