//! `vmqbench`: the receive hot path of vmqnic, timed against memcpy of the same bytes.
//!
//! The driver runs on ndis-sim (its shared memory is real host memory), but the timed
//! loop calls the driver's receive session directly — demux, free-buffer pop, copy into
//! the queue's shared memory, NBL preparation — and gives the buffers back as if NDIS
//! returned them at once, so NDIS's (here: the simulator's) own indication work is not
//! timed. Each figure is a ratio of two measurements taken in this one run.
//! Not a test: nothing here asserts a time.

#![forbid(unsafe_code)]

use std::hint::black_box;
use std::time::Instant;

use ndis_sim::{AdapterConfig, AdapterId, Host, HostConfig, QueueId, QueueSpec};
use vmqsim::json::Json;

/// Frames per receive session (one lock acquisition), like one send call of 32 NBLs.
const BATCH: usize = 32;

fn mac(i: usize) -> [u8; 6] {
    let b = u32::try_from(i).unwrap_or(0).to_be_bytes();
    [0x02, 0x15, b[0], b[1], b[2], b[3]]
}

fn frame(dst: [u8; 6], len: usize) -> Vec<u8> {
    let mut f = vec![0u8; len];
    f[..6].copy_from_slice(&dst);
    f[6..12].copy_from_slice(&[0x02, 0, 0, 0, 0, 1]);
    f[12..14].copy_from_slice(&[0x08, 0x00]);
    for (i, b) in f.iter_mut().enumerate().skip(14) {
        *b = (i % 251) as u8;
    }
    f
}

/// Frames per second of a plain copy of `len`-byte frames into 2 KiB slots of a
/// 2 MiB arena (the footprint of one queue's receive buffers).
fn memcpy_fps(len: usize, frames: usize) -> f64 {
    let source = frame(mac(0), len);
    let mut arena = vec![0u8; 1024 * 2048];
    let start = Instant::now();
    for n in 0..frames {
        let at = (n % 1024) * 2048;
        arena[at..at + len].copy_from_slice(black_box(&source));
        black_box(&arena[at]);
    }
    frames as f64 / start.elapsed().as_secs_f64()
}

struct Setup {
    host: Host,
    adapter: AdapterId,
    context: u64,
}

/// A host with one adapter, `queues` VM queues of `buffers` buffers, and `filters`
/// MAC filters spread over the queues.
fn setup(queues: usize, buffers: u32, filters: usize) -> Setup {
    let mut host = Host::new(HostConfig::default().seed(1));
    let _ = host.load_driver(vmqnic::DriverEntry);
    let Ok(adapter) = host.add_adapter(AdapterConfig::default()) else { std::process::exit(3) };
    let ids: Vec<QueueId> = (0..queues)
        .filter_map(|_| host.allocate_queue(adapter, QueueSpec::default().suggested_buffers(buffers)).ok())
        .collect();
    let _ = host.complete_queue_allocation(adapter, &ids);
    for i in 0..filters {
        let _ = host.set_mac_filter(adapter, ids[i % ids.len()], mac(i), None);
    }
    let context = host.registration_attributes(adapter).map_or(0, |r| r.context);
    Setup { host, adapter, context }
}

/// Nanoseconds per frame of the driver's receive hot path (demux, copy into shared memory,
/// NBL preparation, under the lock) and, separately, of giving the buffers back (the
/// return path's work), frames cycling over `targets`.
fn rx_ns_per_frame(setup: &Setup, targets: &[Vec<u8>], frames: usize) -> (f64, f64) {
    vmqnic::ffi::host_hooks::with_adapter(setup.context, |adapter| {
        let run = |count: usize| {
            let (mut receive, mut recycle) = (0.0f64, 0.0f64);
            let mut n = 0;
            while n < count {
                let start = Instant::now();
                let mut session = adapter.receive_session(false);
                for _ in 0..BATCH {
                    black_box(session.receive(&targets[n % targets.len()]));
                    n += 1;
                }
                let middle = Instant::now();
                session.recycle_unindicated();
                let end = Instant::now();
                receive += (middle - start).as_secs_f64();
                recycle += (end - middle).as_secs_f64();
            }
            (receive * 1e9 / count as f64, recycle * 1e9 / count as f64)
        };
        run(frames / 10); // warm up
        run(frames)
    })
    .unwrap_or((f64::NAN, f64::NAN))
}

/// Nanoseconds per empty receive session (the simulator's spin-lock acquire and release).
fn session_ns(setup: &Setup, sessions: usize) -> f64 {
    vmqnic::ffi::host_hooks::with_adapter(setup.context, |adapter| {
        let start = Instant::now();
        for _ in 0..sessions {
            adapter.receive_session(false).recycle_unindicated();
        }
        start.elapsed().as_secs_f64() * 1e9 / sessions as f64
    })
    .unwrap_or(f64::NAN)
}

/// Nanoseconds per ALLOCATE_QUEUE + ALLOCATION_COMPLETE + FREE_QUEUE cycle with `live` queues.
fn queue_cycle_ns(live: usize, cycles: usize) -> f64 {
    let mut s = setup(live - 1, 16, 0);
    let start = Instant::now();
    for _ in 0..cycles {
        if let Ok(q) = s.host.allocate_queue(s.adapter, QueueSpec::default().suggested_buffers(16)) {
            let _ = s.host.complete_queue_allocation(s.adapter, &[q]);
            let _ = s.host.free_queue(s.adapter, q);
        }
    }
    start.elapsed().as_secs_f64() * 1e9 / cycles as f64
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".to_string())
}

fn main() {
    let json = std::env::args().any(|a| a == "--json");
    let frames = 1_000_000;

    let memcpy_64 = memcpy_fps(64, frames);
    let memcpy_1514 = memcpy_fps(1514, frames);

    let mut one = setup(1, 1024, 1);
    let pool_before = one.host.pool_allocation_calls() + one.host.shared_memory_allocation_calls();
    let (rx_64_ns, return_64_ns) = rx_ns_per_frame(&one, &[frame(mac(0), 64)], frames);
    let (rx_1514_ns, return_1514_ns) = rx_ns_per_frame(&one, &[frame(mac(0), 1514)], frames);
    let (rx_64, rx_1514) = (1e9 / rx_64_ns, 1e9 / rx_1514_ns);
    // Every pool and shared-memory allocation the driver made while timing (warm-ups included).
    let allocations = one.host.pool_allocation_calls() + one.host.shared_memory_allocation_calls() - pool_before;
    let lock_ns = session_ns(&one, 100_000);
    let timed_frames = 2 * (frames + frames / 10);
    drop(one);

    let targets_1 = [frame(mac(0), 64)];
    let single = setup(64, 1024, 1);
    let (ns_1, _) = rx_ns_per_frame(&single, &targets_1, frames);
    drop(single);
    let many = setup(64, 1024, 512);
    let targets_512: Vec<Vec<u8>> = (0..512).map(|i| frame(mac(i), 64)).collect();
    let (ns_512, _) = rx_ns_per_frame(&many, &targets_512, frames);
    drop(many);

    let cycle_1 = queue_cycle_ns(1, 2000);
    let cycle_256 = queue_cycle_ns(256, 2000);

    let report = Json::object([
        (
            "machine",
            Json::Str(format!(
                "{} ({} cores)",
                cpu_model(),
                std::thread::available_parallelism().map_or(0, |n| n.get())
            )),
        ),
        ("frames_per_measurement", Json::Int(frames as u64)),
        ("memcpy_64_fps", Json::Int(memcpy_64 as u64)),
        ("memcpy_1514_fps", Json::Int(memcpy_1514 as u64)),
        ("rx_64_fps", Json::Int(rx_64 as u64)),
        ("rx_1514_fps", Json::Int(rx_1514 as u64)),
        ("return_64_ns_per_frame", Json::Str(format!("{return_64_ns:.1}"))),
        ("return_1514_ns_per_frame", Json::Str(format!("{return_1514_ns:.1}"))),
        ("rx_64_vs_memcpy", Json::Str(format!("{:.3}", rx_64 / memcpy_64))),
        ("rx_1514_vs_memcpy", Json::Str(format!("{:.3}", rx_1514 / memcpy_1514))),
        ("session_lock_ns", Json::Str(format!("{lock_ns:.1}"))),
        ("demux_ns_1_filter", Json::Str(format!("{ns_1:.1}"))),
        ("demux_ns_512_filters", Json::Str(format!("{ns_512:.1}"))),
        ("filters_512_vs_1", Json::Str(format!("{:.3}", ns_512 / ns_1))),
        ("queue_cycle_us_1", Json::Str(format!("{:.1}", cycle_1 / 1e3))),
        ("queue_cycle_us_256", Json::Str(format!("{:.1}", cycle_256 / 1e3))),
        ("queues_256_vs_1", Json::Str(format!("{:.3}", cycle_256 / cycle_1))),
        ("allocations_per_frame", Json::Str(format!("{}", allocations as f64 / timed_frames as f64))),
        ("allocations_during_rx", Json::Int(allocations)),
    ]);
    if json {
        println!("{}", report.render());
    } else if let Json::Object(pairs) = report {
        for (key, value) in pairs {
            println!("{key:>24}: {}", value.render());
        }
    }
}
