//! Shared test support: finds (or builds) `target/package/vmqnic/vmqnic.sys` and runs the
//! vSwitch lifecycle of `vmqsim` over any `Sim<E>`, host or emulated.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use ndis_sim::{AdapterConfig, AdapterId, Env, FrameSpec, QueueId, QueueSpec, Report, Sim, Traffic};

/// The packaged image (built with `cargo xtask package` when missing).
pub fn image() -> Option<PathBuf> {
    match sys_emu::packaged_image() {
        Ok(path) => Some(path),
        Err(e) => panic!("cannot test the emulated image: {e}"),
    }
}

/// VM queues of the lifecycle.
pub const QUEUES: usize = 8;
/// Receive buffers each VM queue is created with, and grown to (as vmqsim).
pub const INITIAL_BUFFERS: u32 = 64;
/// See [`INITIAL_BUFFERS`].
pub const GROWN_BUFFERS: u32 = 128;
/// Frames per MiniportSendNetBufferLists call (as vmqsim).
pub const FRAMES_PER_SEND: usize = 32;
/// A MAC no filter uses (default queue).
pub const UNKNOWN_MAC: [u8; 6] = [0x02, 0x15, 0x5D, 0xFF, 0xFF, 0xFE];

/// What one lifecycle produced, in host-independent terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// ALLOCATE_QUEUE results (QueueId or failure status).
    pub queues: Vec<Result<u32, i32>>,
    /// FilterIds set.
    pub filters: Vec<u32>,
    /// The report after unload.
    pub report: Report,
    /// Traffic counters.
    pub traffic: Traffic,
    /// NdisAllocateSharedMemory calls.
    pub shared_memory_calls: u64,
    /// Every violation (as text).
    pub violations: Vec<String>,
}

fn vm_mac(i: usize) -> [u8; 6] {
    let [hi, lo] = (i as u16).to_be_bytes();
    [0x02, 0x15, 0x5D, 0x00, hi, lo]
}

/// The `vmqsim` sequence: initialize, allocate `QUEUES` queues, complete, grow, set a MAC
/// filter on each (odd queues tagged), send `frames` frames, clear the filters, free the
/// queues, halt, unload. The driver must already be loaded (`load` ran DriverEntry).
pub fn lifecycle<E: Env>(sim: &mut Sim<E>, loaded: Result<(), ndis_sim::SimError>, frames: u64) -> Outcome {
    let mut queues = Vec::new();
    let mut filters = Vec::new();
    let mut traffic = Traffic::default();
    if loaded.is_ok()
        && let Ok(a) = sim.add_adapter(AdapterConfig::default())
    {
        queues = (0..QUEUES)
            .map(|i| {
                let spec = QueueSpec::default().suggested_buffers(INITIAL_BUFFERS).affinity(1u64 << i);
                sim.allocate_queue(a, spec).map(|q| q.0).map_err(|r| r.status)
            })
            .collect();
        let ids: Vec<QueueId> = queues.iter().filter_map(|q| q.ok().map(QueueId)).collect();
        let mut done = Vec::new();
        if !ids.is_empty()
            && let Ok(statuses) = sim.complete_queue_allocation(a, &ids)
        {
            done = statuses.into_iter().filter(|(_, s)| *s == 0).map(|(q, _)| q).collect();
        }
        let mut targets = Vec::new();
        for (i, q) in queues.iter().enumerate() {
            let Ok(q) = *q else { continue };
            if !done.contains(&QueueId(q)) {
                continue;
            }
            sim.set_queue_suggested_buffers(a, QueueId(q), GROWN_BUFFERS);
            let vlan = (i % 2 == 1).then_some(100 + i as u16);
            if let Ok(id) = sim.set_mac_filter(a, QueueId(q), vm_mac(i), vlan) {
                filters.push(id);
                targets.push((q, id, vm_mac(i), vlan));
            }
        }
        send(sim, a, frames, &targets);
        traffic = sim.traffic(a);
        for (q, id, _, _) in &targets {
            sim.clear_filter(a, QueueId(*q), *id);
        }
        for q in queues.iter().filter_map(|q| q.ok()) {
            sim.free_queue(a, QueueId(q));
        }
        let _ = sim.halt(a, 0);
    }
    let _ = sim.unload_driver();
    let violations = sim.take_violations().iter().map(ToString::to_string).collect();
    Outcome {
        queues,
        filters,
        report: sim.report(),
        traffic,
        shared_memory_calls: sim.shared_memory_allocation_calls(),
        violations,
    }
}

fn send<E: Env>(sim: &mut Sim<E>, a: AdapterId, frames: u64, targets: &[(u32, u32, [u8; 6], Option<u16>)]) {
    let mut batch = Vec::with_capacity(FRAMES_PER_SEND);
    for n in 0..frames {
        let spec = if targets.is_empty() || n % 9 == 8 {
            FrameSpec::new(UNKNOWN_MAC, 60)
        } else {
            let (_, _, mac, vlan) = targets[(n % targets.len() as u64) as usize];
            let spec = FrameSpec::new(mac, 60);
            match vlan {
                Some(id) => spec.vlan(id),
                None => spec,
            }
        };
        batch.push(spec);
        if batch.len() == FRAMES_PER_SEND || n + 1 == frames {
            let _ = sim.send_frames(a, &batch);
            batch.clear();
        }
    }
}
