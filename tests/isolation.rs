//! VM isolation as a property over random filters and frames.
//!
//! Rules (<https://learn.microsoft.com/windows-hardware/drivers/network/setting-a-vmq-filter>): "Within a filter, all field tests are ANDed. Filters on a queue are
//! ORed"; with VLAN_UNTAGGED_OR_ZERO the MAC test matches "the MAC and (untagged or VID
//! 0)", and with a VLAN filter "Do not indicate untagged or VID-0 frames"; <https://learn.microsoft.com/windows-hardware/drivers/network/vmq-receive-path>: "No filters
//! → do not indicate or retain packets on that queue"; <https://learn.microsoft.com/windows-hardware/drivers/network/freeing-a-vm-queue>: "Do not indicate on the queue
//! after completing FREE_QUEUE", whose shared memory has gone back to NDIS.
//!
//! For 200 seeded cases (one or two adapters, random queues, filters from a small pool of MACs
//! and VLANs so that filters of different VMs differ only by VLAN, random frames): every frame
//! lands on the one queue whose filters match it, or on the default queue, as an oracle written
//! here independently of ndis-sim and the driver predicts; never on another VM's queue (ndis-sim:
//! `misdelivered`, `receive.cross-vm-leak`); after a queue is freed mid-case its frames go to the
//! default queue, nothing is indicated from it (`receive.queue-freed`), and its freed shared
//! memory is never written again (`shared-memory.touched-after-free`, checked on poisoned blocks).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::collections::BTreeMap;

use ndis_sim::model::rng::SplitMix64;
use ndis_sim::{AdapterId, FrameSpec, Host, HostConfig, QueueId};
use ndis_sys::{NDIS_STATUS_PENDING, NDIS_STATUS_SUCCESS};

const CASES: u64 = 200;
const BROADCAST: [u8; 6] = [0xFF; 6];

/// MACs the filters and frames draw from: few, so filters collide on the MAC.
fn mac(n: u64) -> [u8; 6] {
    // CAST: n < 8.
    [0x02, 0x15, 0x5D, 0x10, 0x00, n as u8]
}

/// One filter NDIS accepted: (MAC, VLAN), VLAN `None` = untagged or VID 0.
type Rule = ([u8; 6], Option<u16>);
/// The filters NDIS accepted, by QueueId.
type Filters = BTreeMap<u32, Vec<Rule>>;

fn matches(rule: &Rule, frame: &FrameSpec) -> bool {
    rule.0 == frame.dst
        && match rule.1 {
            None => matches!(frame.vlan, None | Some(0)),
            Some(v) => frame.vlan == Some(v),
        }
}

/// Where the oracle sends `frame`: the queue whose filters match it, else the default queue.
fn expected_queue(filters: &Filters, frame: &FrameSpec) -> u32 {
    let hits: Vec<u32> =
        filters.iter().filter(|(_, rules)| rules.iter().any(|r| matches(r, frame))).map(|(q, _)| *q).collect();
    assert!(hits.len() <= 1, "the driver accepted overlapping filters: {hits:?} for {frame:?}");
    hits.first().copied().unwrap_or(0)
}

struct Case {
    rng: SplitMix64,
    host: Host,
}

impl Case {
    fn below(&mut self, n: u64) -> u64 {
        self.rng.below(n)
    }

    fn vlan(&mut self) -> Option<u16> {
        // CAST: small values.
        [None, Some(5), Some(6), Some(7)][self.below(4) as usize]
    }

    /// Allocates and completes 1..=5 queues with 0..=3 filters each; returns the filters NDIS
    /// accepted, by queue, and (queue, filter id) pairs.
    fn vms(&mut self, a: AdapterId) -> (Filters, Vec<(QueueId, u32)>) {
        let n = 1 + self.below(5) as usize;
        let queues = common::allocated_queues(&mut self.host, a, n);
        let mut filters = BTreeMap::new();
        let mut ids = Vec::new();
        for q in queues {
            let rules: &mut Vec<Rule> = filters.entry(q.0).or_default();
            for _ in 0..self.below(4) {
                let rule = (mac(self.rng.below(6)), self.vlan());
                // A filter equal to one already set anywhere is a vSwitch mistake; skip it.
                if let Ok(id) = self.host.set_mac_filter(a, q, rule.0, rule.1) {
                    rules.push(rule);
                    ids.push((q, id));
                }
            }
        }
        (filters, ids)
    }

    fn frames(&mut self, count: usize) -> Vec<FrameSpec> {
        (0..count)
            .map(|_| {
                let dst = match self.below(10) {
                    0 => BROADCAST,
                    1 => mac(7),
                    _ => mac(self.below(6)),
                };
                // CAST: within 60..=1514.
                let spec = FrameSpec::new(dst, 60 + self.below(1455) as usize);
                match self.below(6) {
                    0 | 1 => spec,
                    2 => spec.vlan(0),
                    3 => spec.vlan(100),
                    _ => spec.vlan(self.vlan().unwrap_or(0)),
                }
            })
            .collect()
    }

    /// Sends `frames` in batches (NDIS gets every NBL back after each) and adds the oracle's
    /// destinations to `expected`.
    fn send(&mut self, a: AdapterId, filters: &Filters, frames: &[FrameSpec], expected: &mut BTreeMap<u32, u64>) {
        for f in frames {
            *expected.entry(expected_queue(filters, f)).or_default() += 1;
        }
        for batch in frames.chunks(16) {
            self.host.send_frames(a, batch).unwrap();
            // The other adapters on the segment got the frames too (and hold them): NDIS
            // gives every adapter its NBLs back.
            for b in self.host.live_adapters() {
                self.host.return_received(b);
            }
        }
    }
}

/// What the cases covered.
#[derive(Default)]
struct Coverage {
    frames: u64,
    /// FREE_QUEUEs that waited for held NBLs.
    pended_frees: u64,
    /// Adapters where two queues had filters on the same MAC (differing by VLAN).
    shared_macs: u64,
}

/// One case.
fn run_case(case: u64, cover: &mut Coverage) {
    let host = common::host_with(HostConfig::default().seed(case).hold_received(true));
    let mut c = Case { rng: SplitMix64::new(0x1_5017 ^ case), host };
    let adapters: Vec<AdapterId> =
        (0..1 + c.below(2)).map(|_| common::add_adapter(&mut c.host, &[("*VMQVlanFiltering", 1)])).collect();
    for &a in &adapters {
        let (mut filters, ids) = c.vms(a);
        let mut owners: BTreeMap<[u8; 6], Vec<u32>> = BTreeMap::new();
        for (q, rules) in &filters {
            for rule in rules {
                owners.entry(rule.0).or_default().push(*q);
            }
        }
        let shared = owners.values().any(|qs| qs.iter().any(|q| *q != qs[0]));
        cover.shared_macs += u64::from(shared);
        let mut expected = BTreeMap::new();
        let count = 40 + c.below(60) as usize;
        let frames = c.frames(count);
        c.send(a, &filters, &frames, &mut expected);
        // Free one queue mid-case, with a batch still held by NDIS so FREE_QUEUE waits for it.
        let pick = c.below(filters.len() as u64) as usize;
        let victim = *filters.keys().nth(pick).unwrap();
        let held = c.frames(16);
        for f in &held {
            *expected.entry(expected_queue(&filters, f)).or_default() += 1;
        }
        c.host.send_frames(a, &held).unwrap();
        for (q, id) in ids.iter().filter(|(q, _)| q.0 == victim) {
            assert_eq!(c.host.clear_filter(a, *q, *id).status, NDIS_STATUS_SUCCESS);
        }
        filters.remove(&victim);
        let r = c.host.free_queue(a, QueueId(victim));
        if r.status == NDIS_STATUS_PENDING {
            cover.pended_frees += 1;
            c.host.return_received(a);
            let done = c.host.take_oid_completions(a);
            assert_eq!(done.iter().find(|d| d.request_id == r.request_id).map(|d| d.status), Some(NDIS_STATUS_SUCCESS));
        } else {
            assert_eq!(r.status, NDIS_STATUS_SUCCESS);
        }
        // Frames after the free, including the freed VM's addresses: default queue or others.
        let after = c.frames(40);
        c.send(a, &filters, &after, &mut expected);
        c.host.check_freed_shared_memory();

        let t = c.host.traffic(a);
        assert_eq!(t.misdelivered, 0, "case {case}: {t:#?}");
        assert_eq!(t.frames_dropped, 0, "case {case}: {t:#?}");
        for (q, n) in &expected {
            let got = t.per_queue.get(q).copied().unwrap_or_default();
            assert_eq!((got.sent, got.delivered), (*n, *n), "case {case}, queue {q}: oracle {n}, traffic {t:#?}");
            assert!(got.in_order, "case {case}, queue {q}");
        }
        let unexpected: Vec<u32> =
            t.per_queue.iter().filter(|(q, x)| x.delivered > 0 && !expected.contains_key(q)).map(|(q, _)| *q).collect();
        assert!(unexpected.is_empty(), "case {case}: frames on queues the oracle never chose: {unexpected:?}");
        cover.frames += t.frames_sent;
    }
    for a in adapters {
        c.host.halt(a, 0).unwrap();
    }
    c.host.unload_driver().unwrap();
    let violations = c.host.take_violations();
    assert!(violations.is_empty(), "case {case}: {violations:#?}");
    let report = c.host.report();
    assert_eq!((report.shared_memory.bytes_outstanding, report.frames.misdelivered), (0, 0), "case {case}");
}

#[test]
fn frames_reach_only_the_queue_whose_filters_match_or_the_default_queue() {
    let mut cover = Coverage::default();
    for case in 0..CASES {
        run_case(case, &mut cover);
    }
    assert!(cover.frames > CASES * 90, "{} frames", cover.frames);
    // The property was tested where it matters: VMs whose filters differ only by VLAN, and
    // frees that had to wait for indicated NBLs.
    assert!(cover.shared_macs > CASES / 4, "{} adapters with shared MACs", cover.shared_macs);
    assert!(cover.pended_frees > CASES / 4, "{} pended frees", cover.pended_frees);
}

/// The oracle itself: MAC and VLAN are ANDed, untagged-or-zero accepts VID 0 only.
#[test]
fn the_oracle_follows_the_filter_rules() {
    let m = mac(1);
    let mut filters = BTreeMap::new();
    filters.insert(1, vec![(m, None)]);
    filters.insert(2, vec![(m, Some(5))]);
    assert_eq!(expected_queue(&filters, &FrameSpec::new(m, 60)), 1);
    assert_eq!(expected_queue(&filters, &FrameSpec::new(m, 60).vlan(0)), 1);
    assert_eq!(expected_queue(&filters, &FrameSpec::new(m, 60).vlan(5)), 2);
    assert_eq!(expected_queue(&filters, &FrameSpec::new(m, 60).vlan(6)), 0);
    assert_eq!(expected_queue(&filters, &FrameSpec::new(mac(2), 60)), 0);
}

/// The freed-memory check can fail: a write into a freed queue's block is reported.
#[test]
fn a_write_into_a_freed_queue_block_is_caught() {
    let (mut host, a) = common::host_and_adapter(&[]);
    let q = common::allocated_queues(&mut host, a, 1)[0];
    let block = host.shared_memory_blocks(a).into_iter().find(|b| b.queue == q.0).unwrap();
    assert_eq!(host.free_queue(a, q).status, NDIS_STATUS_SUCCESS);
    host.check_freed_shared_memory();
    assert!(host.take_violations().is_empty());
    // What a driver that kept DMA running after FREE_QUEUE would do.
    host.with_model(|_, mem| mem.write(block.virtual_address + 100, &[0x42])).unwrap();
    host.check_freed_shared_memory();
    let v = host.take_violations();
    assert_eq!(v.len(), 1, "{v:#?}");
    assert_eq!(v[0].rule, ndis_sim::rules::SHARED_MEMORY_TOUCHED_AFTER_FREE);
    host.halt(a, 0).unwrap();
    host.unload_driver().unwrap();
    // Unload checks the quarantine once more and reports the same block again.
    assert_eq!(host.take_violations().len(), 1);
}
