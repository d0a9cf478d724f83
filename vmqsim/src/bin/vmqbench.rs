//! `vmqbench`: the receive path of vmqnic, timed against memcpy of the same bytes into the same
//! buffers in the same order, plus the deterministic figure: guest instructions per received
//! frame in the emulated image.
//!
//! The driver runs on ndis-sim (its shared memory is real host memory). The timed loop calls the
//! driver's receive session directly — demux, free-buffer pop, copy into the queue's shared
//! memory, NBL preparation, under the adapter lock — and holds the NBLs instead of indicating
//! them (NDIS's own indication work is not timed). Buffers come back the way a NIC ring sees
//! them: in FIFO order, a batch at a time, once a ring's worth of frames is outstanding, through
//! the driver's return session (the MiniportReturnNetBufferLists work), which is timed too. The
//! memcpy baseline replays the exact sequence of destination buffers the receive loop used (the
//! same 64 KiB blocks carved into 2 KiB buffers, the same order), so both touch the same footprint
//! in the same order. Each figure is a ratio of two measurements taken in this one run.
//! Not a test: nothing here asserts a time.

#![forbid(unsafe_code)]

use std::collections::{HashSet, VecDeque};
use std::hint::black_box;
use std::time::Instant;

use ndis_sim::{AdapterConfig, AdapterId, Host, HostConfig, QueueId, QueueSpec};
use vmqnic::kernel::nbl::{BUFFERS_PER_BLOCK, RX_BUFFER_BYTES};
use vmqnic::vmq::rx_memory::BufferId;
use vmqsim::json::Json;

/// Frames per receive session (one lock acquisition), like one send call of 32 NBLs.
const BATCH: usize = 32;
/// Buffers of the measured queue (32 shared-memory blocks of 32 buffers).
const RING: usize = 1024;
/// Bytes between two buffers of a block, and of one block.
const STRIDE: usize = RX_BUFFER_BYTES as usize;
const BLOCK_BYTES: usize = STRIDE * BUFFERS_PER_BLOCK;

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

struct Setup {
    host: Host,
    adapter: AdapterId,
    context: u64,
}

/// A host with one adapter, `queues` VM queues of `buffers` buffers, and `filters`
/// MAC filters spread over the queues.
fn setup(queues: usize, buffers: u32, filters: usize) -> Setup {
    setup_spread(queues, buffers, filters, queues)
}

/// [`setup`] with the filters spread over the first `spread` queues only (1: every filter on
/// one queue, so a run of frames over them measures the demux table, not the queues touched).
fn setup_spread(queues: usize, buffers: u32, filters: usize, spread: usize) -> Setup {
    let mut host = Host::new(HostConfig::default().seed(1));
    let _ = host.load_driver(vmqnic::DriverEntry);
    let Ok(adapter) = host.add_adapter(AdapterConfig::default()) else { std::process::exit(3) };
    let ids: Vec<QueueId> = (0..queues)
        .filter_map(|_| host.allocate_queue(adapter, QueueSpec::default().suggested_buffers(buffers)).ok())
        .collect();
    let _ = host.complete_queue_allocation(adapter, &ids);
    for i in 0..filters {
        let _ = host.set_mac_filter(adapter, ids[i % spread.clamp(1, ids.len().max(1))], mac(i), None);
    }
    let context = host.registration_attributes(adapter).map_or(0, |r| r.context);
    Setup { host, adapter, context }
}

/// Per-frame nanoseconds of one measurement.
#[derive(Clone, Copy)]
struct RxCost {
    receive_ns: f64,
    return_ns: f64,
}

impl RxCost {
    fn total_ns(self) -> f64 {
        self.receive_ns + self.return_ns
    }
}

/// Times `frames` frames cycling over `targets` through the receive session, returning
/// buffers in FIFO order a batch at a time once `RING - BATCH` are outstanding. Returns the
/// cost and the NBL tokens of the buffers used, in order.
fn rx_cycle(setup: &Setup, targets: &[Vec<u8>], frames: usize) -> (RxCost, Vec<usize>) {
    vmqnic::ffi::host_hooks::with_adapter(setup.context, |adapter| {
        let mut held: VecDeque<usize> = VecDeque::with_capacity(RING + BATCH);
        let mut run = |count: usize, order: &mut Vec<usize>| {
            let (mut receive, mut give_back) = (0.0f64, 0.0f64);
            let mut n = 0;
            while n < count {
                let start = Instant::now();
                let mut session = adapter.receive_session(false);
                for _ in 0..BATCH {
                    black_box(session.receive(&targets[n % targets.len()]));
                    n += 1;
                }
                let before = held.len();
                session.hold_unindicated(|token| held.push_back(token));
                let pushed = held.len() - before;
                let middle = Instant::now();
                if held.len() > RING - BATCH {
                    let mut returns = adapter.return_session();
                    for token in held.drain(..BATCH) {
                        returns.recycle(token);
                    }
                    black_box(returns.finish());
                }
                let end = Instant::now();
                receive += (middle - start).as_secs_f64();
                give_back += (end - middle).as_secs_f64();
                order.extend(held.range(held.len().saturating_sub(pushed)..).copied());
            }
            RxCost { receive_ns: receive * 1e9 / count as f64, return_ns: give_back * 1e9 / count as f64 }
        };
        let mut order = Vec::with_capacity(frames + frames / 10 + BATCH);
        run(frames / 10, &mut order); // warm up
        order.clear();
        let cost = run(frames, &mut order);
        let mut returns = adapter.return_session();
        for token in held.drain(..) {
            returns.recycle(token);
        }
        black_box(returns.finish());
        (cost, order)
    })
    .unwrap_or((RxCost { receive_ns: f64::NAN, return_ns: f64::NAN }, Vec::new()))
}

/// Where buffer `token` lies in a copy of its queue's blocks laid end to end.
fn arena_offset(token: usize) -> usize {
    let index = BufferId::from_token(token).index;
    index.block() * BLOCK_BYTES + index.within() * STRIDE
}

/// Nanoseconds per frame of a plain copy of the frame into the buffers `order` names, in that
/// order, in an arena laid out like the queue's shared memory.
fn memcpy_ns(source: &[u8], order: &[usize]) -> f64 {
    let blocks = order.iter().map(|t| BufferId::from_token(*t).index.block() + 1).max().unwrap_or(1);
    let mut arena = vec![0u8; blocks * BLOCK_BYTES];
    let offsets: Vec<usize> = order.iter().map(|t| arena_offset(*t)).collect();
    let len = source.len();
    let copy = |arena: &mut Vec<u8>, offsets: &[usize]| {
        for at in offsets {
            arena[*at..*at + len].copy_from_slice(black_box(source));
            black_box(&arena[*at]);
        }
    };
    copy(&mut arena, &offsets[..offsets.len() / 10]); // warm up
    let start = Instant::now();
    copy(&mut arena, &offsets);
    start.elapsed().as_secs_f64() * 1e9 / offsets.len() as f64
}

/// Distinct buffers in `order` and the fewest frames between two uses of one buffer.
fn footprint(order: &[usize]) -> (usize, usize) {
    let distinct = order.iter().collect::<HashSet<_>>().len();
    let mut last = std::collections::HashMap::new();
    let mut min_reuse = usize::MAX;
    for (i, token) in order.iter().enumerate() {
        if let Some(previous) = last.insert(*token, i) {
            min_reuse = min_reuse.min(i - previous);
        }
    }
    (distinct, min_reuse)
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

/// Guest instructions per delivered frame in the emulated image: what MiniportSendNetBufferLists
/// (the support adapter's transmit walk, the hub, demux, copy into shared memory, queuing the
/// receive DPC), the receive DPCs (indication) and MiniportReturnNetBufferLists executed,
/// divided by the frames delivered. The copies themselves
/// run in the imported `memcpy`, which the emulator answers outside the guest, so they are excluded.
fn instructions_per_frame(image: &str, frames: u64) -> Json {
    let options = vmqsim::Options { queues: 8, frames, sys: Some(image.to_owned()), ..vmqsim::Options::default() };
    let Some((delivered, stats)) = emulated_run(&options) else { return Json::Null };
    let of = |name: &str| stats.by_call.get(name).map_or(0, |c| c.instructions);
    let send = of("MiniportSendNetBufferLists");
    let dpc = of("KDEFERRED_ROUTINE");
    let give_back = of("MiniportReturnNetBufferLists");
    Json::object([
        ("frames_delivered", Json::Int(delivered)),
        ("send_and_receive_per_frame", Json::Num(send as f64 / delivered as f64, 1)),
        ("receive_dpc_per_frame", Json::Num(dpc as f64 / delivered as f64, 1)),
        ("return_per_frame", Json::Num(give_back as f64 / delivered as f64, 1)),
        ("total_per_frame", Json::Num((send + dpc + give_back) as f64 / delivered as f64, 1)),
        ("whole_run", Json::Int(stats.instructions)),
    ])
}

/// Guest instructions per received frame on QEMU's 82576 in the emulated image (the DPC path):
/// what MiniportMessageInterrupt (the ISR), MiniportMessageInterruptDPC (reap, indicate, re-post)
/// and MiniportReturnNetBufferLists (give back, re-post, tail write) executed over the vSwitch
/// script, divided by the frames the device wrote and the driver indicated. `Null` without QEMU.
fn igb_instructions_per_frame(image: &str, frames: u64) -> Json {
    let options = vmqsim::Options {
        queues: 7,
        frames,
        sys: Some(image.to_owned()),
        nic: vmqsim::Nic::Igb,
        ..vmqsim::Options::default()
    };
    let Some((delivered, stats)) = emulated_run(&options) else { return Json::Null };
    let of = |name: &str| stats.by_call.get(name).map_or(0, |c| c.instructions);
    let isr = of("MiniportMessageInterrupt");
    let dpc = of("MiniportMessageInterruptDPC");
    let give_back = of("MiniportReturnNetBufferLists");
    Json::object([
        ("frames_delivered", Json::Int(delivered)),
        ("isr_per_frame", Json::Num(isr as f64 / delivered as f64, 1)),
        ("dpc_per_frame", Json::Num(dpc as f64 / delivered as f64, 1)),
        ("return_per_frame", Json::Num(give_back as f64 / delivered as f64, 1)),
        ("total_per_frame", Json::Num((isr + dpc + give_back) as f64 / delivered as f64, 1)),
        ("whole_run", Json::Int(stats.instructions)),
    ])
}

/// Runs the vSwitch script of `options` on the emulated image (`options.sys`), on QEMU's 82576
/// when `options.nic` says so; returns the frames delivered (at least 1) and the emulator's
/// counters. `None` when the image does not load or QEMU cannot start.
fn emulated_run(options: &vmqsim::Options) -> Option<(u64, sys_emu::Stats)> {
    let script = vmqsim::script(options);
    let image = options.sys.as_deref()?;
    let mut host = sys_emu::EmuHost::load(image, HostConfig::default().seed(options.seed)).ok()?;
    if options.nic == vmqsim::Nic::Igb {
        host.env().attach_igb(&ndis_sim::qemu::QemuOptions::default()).ok()?;
    }
    let entry = host.entry_point();
    let run = script.run(&mut host, entry);
    Some((run.report.frames.frames_delivered.max(1), host.stats().clone()))
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
    let args: Vec<String> = std::env::args().collect();
    let json = args.iter().any(|a| a == "--json");
    let image = args.iter().position(|a| a == "--sys").and_then(|i| args.get(i + 1)).cloned();
    let frames = 1_000_000;

    let mut one = setup(1, RING as u32, 1);
    let before = one.host.pool_allocation_calls() + one.host.shared_memory_allocation_calls();
    let mut sizes = Vec::new();
    for len in [64usize, 1514] {
        let source = frame(mac(0), len);
        let (rx, order) = rx_cycle(&one, std::slice::from_ref(&source), frames);
        let (buffers, min_reuse) = footprint(&order);
        let copy_ns = memcpy_ns(&source, &order);
        sizes.push((len, rx, copy_ns, buffers, min_reuse));
    }
    // Every pool and shared-memory allocation the driver made while timing (warm-ups included).
    let allocations = one.host.pool_allocation_calls() + one.host.shared_memory_allocation_calls() - before;
    let timed_frames = 2 * (frames + frames / 10);
    drop(one);

    let single = setup(64, RING as u32, 1);
    let (demux_1, _) = rx_cycle(&single, &[frame(mac(0), 64)], frames);
    drop(single);
    // 512 filters on one queue: the demux table's cost at 512 entries against 1.
    let many = setup_spread(64, RING as u32, 512, 1);
    let targets_512: Vec<Vec<u8>> = (0..512).map(|i| frame(mac(i), 64)).collect();
    let (demux_512, _) = rx_cycle(&many, &targets_512, frames);
    drop(many);
    // The same 512 filters spread over 64 queues: every batch of frames touches 32 queues
    // (their receive memory, pending chains and DPCs) instead of one.
    let spread = setup(64, RING as u32, 512);
    let (spread_64, _) = rx_cycle(&spread, &targets_512, frames);
    drop(spread);

    let cycle_1 = queue_cycle_ns(1, 2000);
    let cycle_256 = queue_cycle_ns(256, 2000);

    let mut pairs: Vec<(String, Json)> = vec![
        (
            "machine".into(),
            Json::Str(format!(
                "{} ({} cores)",
                cpu_model(),
                std::thread::available_parallelism().map_or(0, |n| n.get())
            )),
        ),
        ("frames_per_measurement".into(), Json::Int(frames as u64)),
    ];
    for (len, rx, copy_ns, buffers, min_reuse) in sizes {
        pairs.push((
            format!("frames_{len}"),
            Json::object([
                ("receive_ns_per_frame", Json::Num(rx.receive_ns, 2)),
                ("return_ns_per_frame", Json::Num(rx.return_ns, 2)),
                ("receive_and_return_ns_per_frame", Json::Num(rx.total_ns(), 2)),
                ("memcpy_ns_per_frame", Json::Num(copy_ns, 2)),
                ("frames_per_second", Json::Num(1e9 / rx.total_ns(), 0)),
                ("memcpy_frames_per_second", Json::Num(1e9 / copy_ns, 0)),
                ("receive_vs_memcpy", Json::Num(copy_ns / rx.receive_ns, 3)),
                ("receive_and_return_vs_memcpy", Json::Num(copy_ns / rx.total_ns(), 3)),
                ("destination_buffers", Json::Int(buffers as u64)),
                ("min_frames_between_reuse", Json::Int(min_reuse as u64)),
            ]),
        ));
    }
    pairs.extend([
        ("demux_ns_1_filter".into(), Json::Num(demux_1.receive_ns, 2)),
        ("demux_ns_512_filters".into(), Json::Num(demux_512.receive_ns, 2)),
        ("filters_512_vs_1".into(), Json::Num(demux_512.receive_ns / demux_1.receive_ns, 3)),
        ("receive_ns_64_queues".into(), Json::Num(spread_64.receive_ns, 2)),
        ("queues_64_vs_1".into(), Json::Num(spread_64.receive_ns / demux_1.receive_ns, 3)),
        ("queue_cycle_us_1".into(), Json::Num(cycle_1 / 1e3, 1)),
        ("queue_cycle_us_256".into(), Json::Num(cycle_256 / 1e3, 1)),
        ("queues_256_vs_1".into(), Json::Num(cycle_256 / cycle_1, 3)),
        ("allocations_per_frame".into(), Json::Num(allocations as f64 / timed_frames as f64, 6)),
        ("allocations_during_rx".into(), Json::Int(allocations)),
    ]);
    if let Some(image) = image {
        pairs.push(("emulated_instructions".into(), instructions_per_frame(&image, 10_000)));
        if args.iter().any(|a| a == "--igb") {
            pairs.push(("emulated_instructions_igb".into(), igb_instructions_per_frame(&image, 2_000)));
        }
    }
    let report = Json::Object(pairs);
    if json {
        println!("{}", report.render());
    } else if let Json::Object(pairs) = report {
        for (key, value) in pairs {
            println!("{key:>24}: {}", value.render());
        }
    }
}
