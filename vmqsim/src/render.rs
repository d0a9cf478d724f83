//! The run report: a text table for people and one JSON object for scripts.

use std::fmt::Write as _;

use crate::Outcome;
use ndis_sim::QueueTraffic;

use crate::json::Json;
use crate::status::status_name;

fn opt_status(status: Option<i32>) -> Json {
    status.map_or(Json::Null, |s| Json::Str(status_name(s)))
}

fn traffic_json(t: &QueueTraffic) -> Json {
    Json::object([
        ("sent", Json::Int(t.sent)),
        ("delivered", Json::Int(t.delivered)),
        ("dropped", Json::Int(t.dropped)),
        ("misdelivered", Json::Int(t.misdelivered)),
        ("in_order", Json::Bool(t.in_order)),
    ])
}

/// The processors queue `q`'s indications came on, as a JSON array.
fn processors_json(outcome: &Outcome, q: u32) -> Json {
    let set = outcome.indication_processors.get(&q);
    Json::Array(set.into_iter().flatten().map(|p| Json::Int(u64::from(*p))).collect())
}

/// What the PCI device did (`--nic igb`), or `null`.
fn device_json(outcome: &Outcome) -> Json {
    let Some(p) = &outcome.pci else { return Json::Null };
    let link_cycle = p.link_cycle.iter().map(|s| s.map_or(Json::Null, |s| Json::SignedInt(i64::from(s)))).collect();
    Json::object([
        ("frames_dma", Json::Int(p.frames_indicated)),
        ("frames_dma_counted_as", Json::Str("NBLs the PCI-backed adapter indicated".into())),
        ("msix_interrupts", Json::Int(p.counters.interrupts)),
        ("dpcs", Json::Int(p.counters.dpcs)),
        ("link_up_after_initialize_ms", p.link_up_after_initialize.map_or(Json::Null, Json::Int)),
        (
            "transmit",
            p.transmit.map_or(Json::Null, |(sent, on_wire, mismatches)| {
                Json::object([
                    ("sent", Json::Int(sent as u64)),
                    ("on_wire", Json::Int(on_wire as u64)),
                    ("mismatches", Json::Int(mismatches as u64)),
                ])
            }),
        ),
        ("link_cycle_media_connect_states", Json::Array(link_cycle)),
        (
            "freed_with_frames_in_device",
            p.freed_with_frames.map_or(Json::Null, |(q, n)| {
                Json::object([("queue_id", Json::Int(u64::from(q))), ("frames", Json::Int(n))])
            }),
        ),
    ])
}

/// The report as one JSON object (keys stable for scripts and CI).
#[must_use]
pub fn json_report(outcome: &Outcome) -> Json {
    let r = &outcome.report;
    let per_queue = |q: u32| r.shared_memory.per_queue.get(&q).copied().unwrap_or_default();
    let queues = outcome
        .queues
        .iter()
        .map(|o| {
            let memory = o.queue_id.map(per_queue).unwrap_or_default();
            let traffic = o.queue_id.and_then(|q| outcome.traffic.per_queue.get(&q).copied()).unwrap_or_default();
            Json::object([
                ("queue_id", o.queue_id.map_or(Json::Null, |q| Json::Int(u64::from(q)))),
                ("allocate_status", Json::Str(status_name(o.allocate_status))),
                ("completion_status", opt_status(o.completion_status)),
                ("grow_status", opt_status(o.grow_status)),
                ("free_status", opt_status(o.free_status)),
                ("allocations", Json::Int(memory.allocations)),
                ("frees", Json::Int(memory.frees)),
                ("bytes", Json::Int(memory.bytes)),
                ("sg_elements", Json::Int(memory.sg_elements)),
                ("contiguous_allocations", Json::Int(memory.contiguous)),
                ("filter_status", opt_status(o.filter.map(|f| f.0))),
                ("filter_id", o.filter.and_then(|f| f.1).map_or(Json::Null, |f| Json::Int(u64::from(f)))),
                ("vlan", o.address.1.map_or(Json::Null, |v| Json::Int(u64::from(v)))),
                ("frames", traffic_json(&traffic)),
                ("processors", o.queue_id.map_or(Json::Array(Vec::new()), |q| processors_json(outcome, q))),
            ])
        })
        .collect();
    let default = per_queue(0);
    let o = &outcome.options;
    Json::object([
        ("seed", Json::Int(o.seed)),
        ("nic", Json::Str(o.nic.name().into())),
        ("driver", Json::Str(o.sys.clone().unwrap_or_else(|| "vmqnic (Rust source linked into vmqsim)".to_string()))),
        ("emulated_instructions", outcome.emulation.map_or(Json::Null, Json::Int)),
        ("frame_size", Json::Int(o.frame_size as u64)),
        ("jumbo_packet", o.jumbo_packet().map_or(Json::Null, |v| Json::Int(u64::from(v)))),
        ("queues_requested", Json::Int(u64::from(o.queues))),
        ("queues_capped_at", outcome.queues_capped_at.map_or(Json::Null, |n| Json::Int(u64::from(n)))),
        ("fail_alloc", o.fail_alloc.map_or(Json::Null, Json::Int)),
        ("fail_pool", o.fail_pool.map_or(Json::Null, Json::Int)),
        ("initialize_status", Json::Str(status_name(outcome.initialize_status))),
        ("queues_allocated", Json::Int(r.queues_allocated)),
        ("queues_freed", Json::Int(r.queues_freed)),
        (
            "shared_memory",
            Json::object([
                ("allocations", Json::Int(r.shared_memory.allocations)),
                ("frees", Json::Int(r.shared_memory.frees)),
                ("bytes_allocated", Json::Int(r.shared_memory.bytes_allocated)),
                ("bytes_outstanding", Json::Int(r.shared_memory.bytes_outstanding)),
                ("allocation_calls", Json::Int(outcome.shared_memory_allocation_calls)),
            ]),
        ),
        (
            "default_queue",
            Json::object([
                ("allocations", Json::Int(default.allocations)),
                ("frees", Json::Int(default.frees)),
                ("bytes", Json::Int(default.bytes)),
            ]),
        ),
        (
            "pool",
            Json::object([
                ("allocations", Json::Int(r.pool.allocations)),
                ("frees", Json::Int(r.pool.frees)),
                ("bytes_outstanding", Json::Int(r.pool.bytes_outstanding)),
            ]),
        ),
        ("status_indications", Json::Int(r.status_indications.len() as u64)),
        (
            "frames",
            Json::object([
                ("sent", Json::Int(outcome.traffic.frames_sent)),
                ("delivered", Json::Int(outcome.traffic.frames_delivered)),
                ("dropped", Json::Int(outcome.traffic.frames_dropped)),
                ("misdelivered", Json::Int(outcome.traffic.misdelivered)),
                ("default_queue", traffic_json(&outcome.traffic.per_queue.get(&0).copied().unwrap_or_default())),
            ]),
        ),
        ("queues", Json::Array(queues)),
        ("default_queue_processors", processors_json(outcome, 0)),
        ("device", device_json(outcome)),
        ("violations", Json::Array(outcome.violations.iter().cloned().map(Json::Str).collect())),
    ])
}

/// The report as text.
#[must_use]
pub fn text_report(outcome: &Outcome) -> String {
    let r = &outcome.report;
    let mut out = String::new();
    let o = &outcome.options;
    let _ = writeln!(
        out,
        "vmqsim: vmqnic through the Hyper-V VMQ lifecycle on ndis-sim (seed {}, nic {})",
        o.seed,
        o.nic.name()
    );
    if let Some(jumbo) = o.jumbo_packet() {
        let _ = writeln!(out, "*JumboPacket {jumbo} (set by vmqsim for --frame-size {})", o.frame_size);
    }
    if let Some(k) = o.fail_alloc {
        let _ = writeln!(out, "fault injection: NdisAllocateSharedMemory call #{k} fails");
    }
    if let Some(k) = o.fail_pool {
        let _ = writeln!(out, "fault injection: pool allocation #{k} fails");
    }
    let _ = writeln!(out, "MiniportInitializeEx: {}", status_name(outcome.initialize_status));
    if let Some(cap) = outcome.queues_capped_at {
        let _ = writeln!(out, "--queues {} capped at {cap}: the adapter advertises {cap} VM queues", o.queues);
    }
    let _ = writeln!(out, "queues allocated {}, freed {}", r.queues_allocated, r.queues_freed);
    let _ = writeln!(
        out,
        "{:>6} {:>22} {:>22} {:>22} {:>22} {:>5} {:>5} {:>9} {:>4}",
        "queue", "allocate", "completion", "grow", "free", "alloc", "frees", "bytes", "sg"
    );
    let mut rows: Vec<(String, Option<u32>, [String; 4])> =
        vec![("0 (def)".to_string(), Some(0), ["(initialize)".into(), "-".into(), "-".into(), "(halt)".into()])];
    for q in &outcome.queues {
        let show = |s: Option<i32>| s.map_or_else(|| "-".to_string(), status_name);
        rows.push((
            q.queue_id.map_or_else(|| "-".to_string(), |id| id.to_string()),
            q.queue_id,
            [status_name(q.allocate_status), show(q.completion_status), show(q.grow_status), show(q.free_status)],
        ));
    }
    for (name, id, statuses) in rows {
        let m = id.and_then(|q| r.shared_memory.per_queue.get(&q).copied()).unwrap_or_default();
        let short = |s: &str| s.trim_start_matches("NDIS_STATUS_").to_string();
        let _ = writeln!(
            out,
            "{:>6} {:>22} {:>22} {:>22} {:>22} {:>5} {:>5} {:>9} {:>4}",
            name,
            short(&statuses[0]),
            short(&statuses[1]),
            short(&statuses[2]),
            short(&statuses[3]),
            m.allocations,
            m.frees,
            m.bytes,
            m.sg_elements
        );
    }
    let _ = writeln!(
        out,
        "shared memory: {} allocations, {} frees, {} bytes allocated, {} bytes outstanding",
        r.shared_memory.allocations,
        r.shared_memory.frees,
        r.shared_memory.bytes_allocated,
        r.shared_memory.bytes_outstanding
    );
    let _ = writeln!(
        out,
        "pool: {} allocations, {} frees, {} bytes outstanding; status indications: {}",
        r.pool.allocations,
        r.pool.frees,
        r.pool.bytes_outstanding,
        r.status_indications.len()
    );
    let t = &outcome.traffic;
    if t.frames_sent > 0 {
        let _ = writeln!(
            out,
            "frames: {} sent, {} delivered, {} dropped, {} misdelivered",
            t.frames_sent, t.frames_delivered, t.frames_dropped, t.misdelivered
        );
        for (queue, q) in &t.per_queue {
            let _ = writeln!(
                out,
                "  queue {queue:>3}: sent {:>7} delivered {:>7} dropped {:>5} misdelivered {} {}",
                q.sent,
                q.delivered,
                q.dropped,
                q.misdelivered,
                if q.in_order { "in order" } else { "OUT OF ORDER" }
            );
        }
    }
    if !outcome.indication_processors.is_empty() {
        let by_queue: Vec<String> = outcome
            .indication_processors
            .iter()
            .map(|(q, set)| format!("{q}:{}", set.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")))
            .collect();
        let _ = writeln!(out, "indications by queue:processors: {}", by_queue.join(" "));
    }
    if let Some(p) = &outcome.pci {
        let _ = writeln!(
            out,
            "device (igb): {} frames DMA'd and indicated, {} MSI-X interrupts, {} DPCs; link up {} after initialize",
            p.frames_indicated,
            p.counters.interrupts,
            p.counters.dpcs,
            p.link_up_after_initialize.map_or_else(|| "never".to_string(), |ms| format!("{ms} ms"))
        );
        if let Some((sent, on_wire, mismatches)) = p.transmit {
            let _ = writeln!(out, "  transmit check: {sent} sent, {on_wire} on the wire, {mismatches} mismatches");
        }
        let _ = writeln!(out, "  link cycle: MediaConnectState indications {:?}", p.link_cycle);
        if let Some((q, n)) = p.freed_with_frames {
            let _ = writeln!(out, "  queue {q} freed with {n} frames for it in the device");
        }
    }
    if outcome.violations.is_empty() {
        let _ = writeln!(out, "violations: none");
    } else {
        let _ = writeln!(out, "violations ({}):", outcome.violations.len());
        for v in &outcome.violations {
            let _ = writeln!(out, "  {v}");
        }
    }
    out
}
