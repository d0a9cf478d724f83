//! QEMU's Intel 82576 (`igb`) driven the way a miniport would, without the driver: each test
//! names the 82576 datasheet behaviour it checks, by the registers and fields that define it
//! (Intel 82576 GbE Controller Datasheet, register descriptions), and what QEMU's model does.
//!
//! Every test starts its own QEMU (one per simulated host), so they run in parallel. Without
//! QEMU they fail with the message naming the Debian package to install; they never skip.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use ndis_sim::qemu::regs::{ctrl, dctl, gpie, icr, ivar, rah, rctl, status, tctl, vlvf, vmolr, vt_ctl};
use ndis_sim::qemu::{DmaRegion, Igb, QemuOptions, Reg};

const WAIT: Duration = Duration::from_secs(10);
const SETTLE: Duration = Duration::from_millis(20);
const RING: u32 = 64;
const BUFFER: u64 = 2048;
/// MSI-X vector layout programmed below: RX queue q -> vector q, TX queue 0 -> 8, other -> 9.
const TX_VECTOR: u16 = 8;
const OTHER_VECTOR: u16 = 9;
const DEFAULT_POOL: u32 = 2;
const POOLS_USED: u32 = 3;

const NIC_MAC: [u8; 6] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
const POOL0_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x0A, 0x0A];
const POOL1_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x0B, 0x0B];
const UNKNOWN_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x0C, 0x0C];
const BROADCAST: [u8; 6] = [0xFF; 6];
const SOURCE_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x99, 0x01];

/// An Ethernet frame with an optional 802.1Q tag, an experimental EtherType and `tag` in its payload.
fn frame(dst: [u8; 6], vlan: Option<u16>, tag: u32, len: usize) -> Vec<u8> {
    let mut f = Vec::with_capacity(len);
    f.extend_from_slice(&dst);
    f.extend_from_slice(&SOURCE_MAC);
    if let Some(vid) = vlan {
        f.extend_from_slice(&[0x81, 0x00]);
        f.extend_from_slice(&vid.to_be_bytes());
    }
    f.extend_from_slice(&[0x88, 0xB5]);
    f.extend_from_slice(&tag.to_be_bytes());
    while f.len() < len {
        f.push((f.len() % 251) as u8);
    }
    f
}

fn frame_tag(f: &[u8]) -> u32 {
    let at = if f[12..14] == [0x81, 0x00] { 18 } else { 14 };
    u32::from_be_bytes(f[at..at + 4].try_into().unwrap())
}

fn start() -> Igb {
    Igb::start(&QemuOptions::default()).unwrap_or_else(|e| panic!("starting QEMU's igb: {e}"))
}

/// A receive queue with advanced one-buffer descriptors (SRRCTL.DESCTYPE = 001b) in guest RAM.
struct RxRing {
    queue: u32,
    ring: DmaRegion,
    buffers: DmaRegion,
    next: u32,
    taken: u32,
}

impl RxRing {
    /// Receive queue initialization (datasheet): base, length, SRRCTL, head/tail,
    /// RXDCTL.ENABLE, then the tail: every descriptor but one is given to the device.
    fn new(igb: &mut Igb, queue: u32) -> Self {
        let ring = igb.ram_mut().alloc(u64::from(RING) * 16, 128).unwrap();
        let buffers = igb.ram_mut().alloc(u64::from(RING) * BUFFER, 4096).unwrap();
        let rx = Self { queue, ring, buffers, next: 0, taken: 0 };
        for i in 0..RING {
            rx.arm(igb, i);
        }
        igb.write(Reg::rxdctl(queue), 0).unwrap();
        igb.write(Reg::rdbal(queue), rx.ring.addr() as u32).unwrap();
        igb.write(Reg::rdbah(queue), (rx.ring.addr() >> 32) as u32).unwrap();
        igb.write(Reg::rdlen(queue), RING * 16).unwrap();
        // Advanced one-buffer descriptors, 2 KiB packet buffers.
        igb.write(Reg::srrctl(queue), 0x0200_0000 | (BUFFER / 1024) as u32).unwrap();
        igb.write(Reg::rdh(queue), 0).unwrap();
        igb.write(Reg::rdt(queue), 0).unwrap();
        igb.write(Reg::rxdctl(queue), dctl::ENABLE).unwrap();
        igb.write(Reg::rdt(queue), RING - 1).unwrap();
        rx
    }

    /// Writes descriptor `i` in read format (packet buffer address, header address 0), which
    /// also clears the write-back status the device left there.
    fn arm(&self, igb: &Igb, i: u32) {
        let desc = self.ring.addr() + 16 * u64::from(i);
        igb.ram().write_u64(desc, self.buffers.addr() + BUFFER * u64::from(i)).unwrap();
        igb.ram().write_u64(desc + 8, 0).unwrap();
    }

    /// The next completed frame (write-back status DD), re-armed; the tail is moved
    /// every `batch` frames.
    fn take(&mut self, igb: &mut Igb, batch: u32) -> Option<Vec<u8>> {
        let desc = self.ring.addr() + 16 * u64::from(self.next);
        let status = igb.ram().read_u32(desc + 8).unwrap();
        if status & 1 == 0 {
            return None;
        }
        assert!(status & 2 != 0, "one-buffer frames end in their descriptor (EOP)");
        let len = igb.ram().read_u32(desc + 12).unwrap() & 0xFFFF;
        let mut bytes = vec![0; len as usize];
        igb.ram().read(self.buffers.addr() + BUFFER * u64::from(self.next), &mut bytes).unwrap();
        self.arm(igb, self.next);
        self.next = (self.next + 1) % RING;
        self.taken += 1;
        if self.taken.is_multiple_of(batch) {
            igb.write(Reg::rdt(self.queue), (self.next + RING - 1) % RING).unwrap();
        }
        Some(bytes)
    }

    fn wait(&mut self, igb: &mut Igb) -> Vec<u8> {
        let mut got = None;
        igb.wait_until("a received frame", WAIT, |igb| {
            got = self.take(igb, 1);
            Ok(got.is_some())
        })
        .unwrap_or_else(|e| panic!("queue {}: {e}", self.queue));
        got.unwrap()
    }
}

/// The adapter as a VMDq miniport would set it up: rings for pools 0..=2, MSI-X per queue.
struct Nic {
    igb: Igb,
    rx: Vec<RxRing>,
}

impl Nic {
    fn vmdq() -> Self {
        let mut igb = start();
        igb.reset_and_link_up(WAIT).unwrap();
        // MSI-X mode (datasheet, GPIE): GPIE.Multiple_MSIX, and GPIE.NSICR so that reading ICR
        // clears it (otherwise a pending LSC hides the next one). IVAR routes RX queue q to
        // vector q (byte 0 of IVAR q) and TX queue 0 to vector 8 (byte 1 of IVAR 0); IVAR_MISC
        // routes the "other" causes to vector 9. EIAC auto-clears each vector's EICR bit when its
        // message is sent; EITR 0 sends each message without throttling.
        igb.write(Reg::GPIE, gpie::MULTIPLE_MSIX | gpie::NSICR).unwrap();
        for q in 0..POOLS_USED {
            let tx = if q == 0 { (ivar::VALID | u32::from(TX_VECTOR)) << 8 } else { 0 };
            igb.write(Reg::ivar(q), ivar::VALID | q | tx).unwrap();
        }
        igb.write(Reg::IVAR_MISC, (ivar::VALID | u32::from(OTHER_VECTOR)) << 8).unwrap();
        for v in 0..10 {
            igb.write(Reg::eitr(v), 0).unwrap();
        }
        igb.write(Reg::EIAC, 0x3FF).unwrap();
        igb.write(Reg::EIMS, 0x3FF).unwrap();
        igb.write(Reg::IMS, icr::LSC).unwrap();
        // VMDq (datasheet, MRQC/VT_CTL/VFRE/VFTE/VMOLR): MRQC = VMDq, a default pool, pools 0..=2
        // may receive, pool 0 may transmit; each pool accepts untagged and broadcast frames.
        igb.write(Reg::RCTL, 0).unwrap();
        igb.write(Reg::MRQC, 3).unwrap();
        igb.write(Reg::VT_CTL, vt_ctl::default_pool(DEFAULT_POOL)).unwrap();
        igb.write(Reg::VFRE, (1 << POOLS_USED) - 1).unwrap();
        igb.write(Reg::VFTE, 1).unwrap();
        for pool in 0..POOLS_USED {
            igb.write(Reg::vmolr(pool), vmolr::AUPE | vmolr::BAM | vmolr::STRCRC).unwrap();
        }
        set_rar(&mut igb, 0, POOL0_MAC, rah::pool(0));
        set_rar(&mut igb, 1, POOL1_MAC, rah::pool(1));
        // VLAN filters (datasheet, VFTA/VLVF): VFTA admits VIDs 100 and 200; VLVF0 sends VID 100
        // to pool 1, VLVF1 sends VID 200 to pools 0 and 1.
        for vid in [100u32, 200] {
            igb.set_bits(Reg::vfta(vid >> 5), 1 << (vid & 31)).unwrap();
        }
        igb.write(Reg::vlvf(0), vlvf::VIEN | vlvf::pool(1) | 100).unwrap();
        igb.write(Reg::vlvf(1), vlvf::VIEN | vlvf::pool(0) | vlvf::pool(1) | 200).unwrap();
        let rx = (0..POOLS_USED).map(|q| RxRing::new(&mut igb, q)).collect();
        igb.write(Reg::RCTL, rctl::EN | rctl::BAM | rctl::VFE | rctl::SECRC).unwrap();
        igb.wait_quiet(&[], SETTLE, WAIT).unwrap();
        igb.msix_mut().take_counts();
        Self { igb, rx }
    }

    /// Sends `f`, then a barrier frame to pool 0. QEMU handles datagrams in order, so once the
    /// barrier is on queue 0, `f` has been filtered; the device is then left to go quiet.
    /// Returns the queues `f` landed on.
    fn deliver(&mut self, f: &[u8]) -> Vec<u32> {
        const BARRIER: u32 = 0xBA44_1E40;
        self.igb.wire().send(f).unwrap();
        self.igb.wire().send(&frame(POOL0_MAC, None, BARRIER, 64)).unwrap();
        let mut landed = Vec::new();
        loop {
            let got = self.rx[0].wait(&mut self.igb);
            if frame_tag(&got) == BARRIER {
                break;
            }
            assert_eq!(got, f, "queue 0 holds the frame sent, byte for byte");
            landed.push(0);
        }
        self.igb.wait_quiet(&self.heads(), SETTLE, WAIT).unwrap();
        for q in 1..POOLS_USED {
            while let Some(got) = self.rx[q as usize].take(&mut self.igb, 1) {
                assert_eq!(got, f, "queue {q} holds the frame sent, byte for byte");
                landed.push(q);
            }
        }
        landed
    }

    fn heads(&self) -> Vec<Reg> {
        (0..POOLS_USED).map(Reg::rdh).collect()
    }
}

fn set_rar(igb: &mut Igb, n: u32, mac: [u8; 6], pools: u32) {
    igb.write(Reg::ral(n), u32::from_le_bytes([mac[0], mac[1], mac[2], mac[3]])).unwrap();
    igb.write(Reg::rah(n), rah::AV | pools | u32::from(u16::from_le_bytes([mac[4], mac[5]]))).unwrap();
}

#[test]
fn reset_brings_the_link_up_and_reloads_the_station_address() {
    // Datasheet, CTRL.RST (software reset, self-clearing), PHY auto-negotiation restart through
    // MDIC, STATUS.LU (link up); RAL0/RAH0 are loaded with the NVM's MAC address and RAH0.AV.
    let mut igb = start();
    let took = igb.reset_and_link_up(WAIT).unwrap();
    assert!(igb.read(Reg::STATUS).unwrap() & status::LU != 0);
    assert_eq!(igb.read(Reg::CTRL).unwrap() & ctrl::RST, 0, "CTRL.RST self-clears");
    assert_eq!(igb.read(Reg::ral(0)).unwrap(), u32::from_le_bytes([NIC_MAC[0], NIC_MAC[1], NIC_MAC[2], NIC_MAC[3]]));
    assert_eq!(igb.read(Reg::rah(0)).unwrap(), rah::AV | u32::from(u16::from_le_bytes([NIC_MAC[4], NIC_MAC[5]])));
    assert!(took < WAIT);
}

#[test]
fn destination_mac_selects_the_pool_of_its_receive_address() {
    // Datasheet, RAH.POOLSEL: a frame whose destination matches RAL/RAH n goes to the pools named
    // by RAH n's pool-select bits (VMDq, MRQC.Multiple Receive Queues = 011b); pool n uses queue n.
    let mut nic = Nic::vmdq();
    assert_eq!(nic.deliver(&frame(POOL0_MAC, None, 1, 80)), [0]);
    assert_eq!(nic.deliver(&frame(POOL1_MAC, None, 2, 200)), [1]);
    assert_eq!(nic.deliver(&frame(POOL1_MAC, None, 3, 1514)), [1]);
    // Per-pool good-packet counters (PVFGPRC) agree: pool 0 also counts the three barriers.
    assert_eq!(nic.igb.read(Reg::pvfgprc(0)).unwrap(), 4);
    assert_eq!(nic.igb.read(Reg::pvfgprc(1)).unwrap(), 2);
    assert_eq!(nic.igb.read(Reg::pvfgprc(DEFAULT_POOL)).unwrap(), 0);
}

#[test]
fn unmatched_unicast_goes_to_the_default_pool() {
    // Datasheet, VT_CTL.DEF_PL: a unicast frame no RAL/RAH matches goes to the default pool (2 here).
    let mut nic = Nic::vmdq();
    assert_eq!(nic.deliver(&frame(UNKNOWN_MAC, None, 1, 64)), [DEFAULT_POOL]);
    // With the default pool disabled (VT_CTL.Dis_Def_Pool) the same frame is dropped.
    nic.igb.write(Reg::VT_CTL, vt_ctl::default_pool(DEFAULT_POOL) | vt_ctl::DIS_DEF_POOL).unwrap();
    assert_eq!(nic.deliver(&frame(UNKNOWN_MAC, None, 2, 64)), [] as [u32; 0]);
}

#[test]
fn vlvf_selects_the_pools_of_a_vlan() {
    // Datasheet, VLVF.POOLSEL: a tagged frame admitted by VFTA goes to the pools of its VLVF
    // entry that its destination's RAH.POOLSEL also names.
    let mut nic = Nic::vmdq();
    assert_eq!(nic.deliver(&frame(POOL1_MAC, Some(100), 1, 128)), [1], "VID 100 -> pool 1");
    assert_eq!(nic.deliver(&frame(POOL0_MAC, Some(200), 2, 128)), [0], "VID 200 -> pools 0, 1; MAC -> pool 0");
    assert_eq!(nic.deliver(&frame(POOL1_MAC, Some(200), 3, 128)), [1], "VID 200 -> pools 0, 1; MAC -> pool 1");
}

#[test]
fn a_vlan_missing_from_vfta_is_dropped() {
    // Datasheet, RCTL.VFE and VFTA: with VLAN filtering on, a tagged frame whose VID has no VFTA
    // bit is dropped before pool selection, even for a known MAC.
    let mut nic = Nic::vmdq();
    assert_eq!(nic.deliver(&frame(POOL0_MAC, Some(300), 1, 128)), [] as [u32; 0]);
    assert_eq!(nic.deliver(&frame(POOL1_MAC, Some(300), 2, 128)), [] as [u32; 0]);
    assert_eq!(nic.igb.read(Reg::pvfgprc(1)).unwrap(), 0);
}

#[test]
fn broadcast_is_copied_to_every_pool_with_vmolr_bam() {
    // Datasheet, VMOLR.BAM: in VMDq mode a broadcast is replicated to every pool whose VMOLR.BAM
    // is set; clearing it on pool 1 takes pool 1 out.
    let mut nic = Nic::vmdq();
    let mut landed = nic.deliver(&frame(BROADCAST, None, 1, 90));
    landed.sort_unstable();
    assert_eq!(landed, [0, 1, 2]);
    nic.igb.write(Reg::vmolr(1), vmolr::AUPE | vmolr::STRCRC).unwrap();
    let mut landed = nic.deliver(&frame(BROADCAST, None, 2, 90));
    landed.sort_unstable();
    assert_eq!(landed, [0, 2]);
}

#[test]
fn each_rx_queue_signals_its_own_msix_vector() {
    // Datasheet, IVAR and EIAC: in MSI-X mode a receive on queue q sends one message on the vector
    // IVAR names for q, at the address and with the data of that vector's MSI-X table entry
    // (PCI Local Bus 3.0, MSI-X), and nothing on the other vectors.
    let mut nic = Nic::vmdq();
    for (mac, queue) in [(POOL1_MAC, 1usize), (UNKNOWN_MAC, 2)] {
        nic.igb.wire().send(&frame(mac, None, 7, 64)).unwrap();
        nic.rx[queue].wait(&mut nic.igb);
        nic.igb.wait_for_message(queue as u16, WAIT).unwrap();
        nic.igb.wait_quiet(&nic.heads(), SETTLE, WAIT).unwrap();
        let mut expected = vec![0u64; usize::from(nic.igb.msix().vectors())];
        expected[queue] = 1;
        assert_eq!(nic.igb.msix_mut().take_counts(), expected, "queue {queue}");
    }
    // Frame and barrier back to back: their two messages may land between two polls and count
    // once (same word, same data), so at least one, and none elsewhere.
    nic.deliver(&frame(POOL0_MAC, None, 8, 64));
    let counts = nic.igb.msix_mut().take_counts();
    assert!(counts[0] >= 1 && counts[1..].iter().all(|&n| n == 0), "queue 0 -> vector 0 only: {counts:?}");
    assert_eq!(nic.igb.msix().strays(), 0, "no message carried another vector's data");
}

#[test]
fn a_frame_posted_on_tx_queue_0_reaches_the_wire_and_its_descriptor_gets_dd() {
    // Datasheet, advanced transmit data descriptor (DTYP = 0011b, DEXT, EOP, IFCS, RS): the frame
    // leaves byte for byte; with RS set the device writes DD back into the descriptor.
    let mut nic = Nic::vmdq();
    let igb = &mut nic.igb;
    let ring = igb.ram_mut().alloc(u64::from(RING) * 16, 128).unwrap();
    let buffer = igb.ram_mut().alloc(BUFFER, 128).unwrap();
    igb.write(Reg::tdbal(0), ring.addr() as u32).unwrap();
    igb.write(Reg::tdbah(0), (ring.addr() >> 32) as u32).unwrap();
    igb.write(Reg::tdlen(0), RING * 16).unwrap();
    igb.write(Reg::tdh(0), 0).unwrap();
    igb.write(Reg::tdt(0), 0).unwrap();
    igb.write(Reg::txdctl(0), dctl::ENABLE).unwrap();
    igb.write(Reg::TCTL, tctl::EN | tctl::PSP).unwrap();

    let sent = frame([0x02, 0, 0, 0, 0x77, 0x77], None, 42, 300);
    igb.ram().write(buffer.addr(), &sent).unwrap();
    // DTYP data | DEXT | RS | IFCS | EOP, length; PAYLEN in olinfo.
    let len = sent.len() as u32;
    igb.ram().write_u64(ring.addr(), buffer.addr()).unwrap();
    igb.ram().write_u32(ring.addr() + 8, 0x2B30_0000 | len).unwrap();
    igb.ram().write_u32(ring.addr() + 12, len << 14).unwrap();
    igb.write(Reg::tdt(0), 1).unwrap();

    let on_wire = igb.wire().recv(WAIT).unwrap().expect("a frame on the wire");
    assert_eq!(on_wire, sent);
    igb.wait_until("TX descriptor DD", WAIT, |igb| Ok(igb.ram().read_u32(ring.addr() + 12)? & 1 != 0)).unwrap();
    assert_eq!(igb.read(Reg::tdh(0)).unwrap(), 1);
    igb.wait_for_message(TX_VECTOR, WAIT).unwrap();
    assert_eq!(igb.wire().recv(Duration::from_millis(20)).unwrap(), None, "one frame, sent once");
}

#[test]
fn set_link_changes_status_lu_and_signals_the_other_vector() {
    // Datasheet, ICR.LSC and IVAR_MISC: a link change sets STATUS.LU accordingly and raises LSC,
    // routed by IVAR_MISC to the "other" MSI-X vector; the handler's ICR read clears it
    // (GPIE.NSICR) so the next change is signalled again.
    let mut nic = Nic::vmdq();
    let igb = &mut nic.igb;
    igb.read(Reg::ICR).unwrap();
    igb.set_link(false).unwrap();
    assert_eq!(igb.read(Reg::STATUS).unwrap() & status::LU, 0, "link down after set_link off");
    igb.wait_for_message(OTHER_VECTOR, WAIT).unwrap();
    assert!(igb.read(Reg::ICR).unwrap() & icr::LSC != 0);
    igb.msix_mut().take_counts();
    igb.set_link(true).unwrap();
    igb.wait_until("STATUS.LU after set_link on", WAIT, |igb| Ok(igb.read(Reg::STATUS)? & status::LU != 0)).unwrap();
    igb.wait_for_message(OTHER_VECTOR, WAIT).unwrap();
    let counts = igb.msix_mut().take_counts();
    assert_eq!(counts.iter().sum::<u64>(), counts[usize::from(OTHER_VECTOR)], "only the other vector: {counts:?}");
}

#[test]
fn a_panicking_test_leaves_no_qemu_and_no_files_behind() {
    // The plumbing's Drop runs on unwind: QEMU is killed and reaped, its files removed.
    let (pid, dir, ram) = std::thread::spawn(|| {
        let igb = start();
        let pid = igb.process().pid().unwrap();
        let (dir, ram) = igb.process().paths();
        let (dir, ram) = (dir.to_owned(), ram.to_owned());
        assert!(dir.exists(), "the instance directory exists while QEMU runs");
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let _owned = igb;
            panic!("a failing assertion while the device is alive");
        }));
        assert!(result.is_err());
        (pid, dir, ram)
    })
    .join()
    .unwrap();
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists(), "QEMU {pid} was reaped");
    assert!(!dir.exists(), "{} removed", dir.display());
    assert!(!ram.exists(), "{} removed", ram.display());
}

#[test]
#[ignore = "measurement: cargo test -p ndis-sim --test qemu_igb -- --ignored --nocapture"]
fn measure_costs() {
    ndis_sim::qemu::find::find_qemu().unwrap();
    let t0 = Instant::now();
    let mut igb = start();
    let started = t0.elapsed();
    let link = igb.reset_and_link_up(WAIT).unwrap();
    let timings = igb.timings();
    drop(igb);
    let mut nic = Nic::vmdq();
    let n = 2000;
    let t = Instant::now();
    for _ in 0..n {
        nic.igb.read(Reg::STATUS).unwrap();
    }
    let readl = t.elapsed() / n;
    let frames = 20_000u32;
    let f = frame(POOL1_MAC, None, 0, 64);
    let t = Instant::now();
    let mut got = 0;
    let mut sent = 0;
    while got < frames {
        while sent < frames && sent - got < 32 {
            nic.igb.wire().send(&f).unwrap();
            sent += 1;
        }
        if nic.rx[1].take(&mut nic.igb, 32).is_some() {
            got += 1;
        } else {
            std::thread::yield_now();
        }
        assert!(t.elapsed() < Duration::from_secs(60), "stalled at {got}");
    }
    let rate = f64::from(frames) / t.elapsed().as_secs_f64();
    println!(
        "spawn -> qtest connected {:?}, -> QMP ready {:?}; Igb::start (files, spawn, PCI, MSI-X) {started:?}; \
         reset -> link up {link:?}; \
         readl {readl:?}; {rate:.0} frames/s (RDT every 32)",
        timings.qtest_connected, timings.qmp_ready
    );
}
