//! A minimal bus-master test miniport over QEMU's 82576, written with the kernel layer's owners
//! (no raw NDIS calls here): `kernel::resources` parses `AllocatedResources`, `kernel::bus_data`
//! checks the ids with `NdisMGetBusData`, `kernel::io_space` maps BAR0 with `NdisMMapIoSpace`,
//! `backend::igb` brings the NIC up through the glue, `kernel::interrupt` registers the MSI-X
//! handlers (`NdisMRegisterInterruptEx`, trampolines in `ffi::interrupt`), `kernel::dma_ring`
//! allocates the receive ring and buffers with `NdisMAllocateSharedMemory`; frames sent on the
//! wire arrive by DMA and are reaped in the queue's DPC on the message's processor; halt resets
//! the NIC and drops the owners. ndis-sim checks the rules (unmap, deregister and free at halt,
//! DMA addresses, IRQLs).
//!
//! The fake miniport of ndis-sim's own tests (`crates/ndis-sim/tests/common`) provides the
//! NDIS registration, attributes and scatter-gather DMA around the owners. Every test starts its
//! own QEMU; without QEMU they fail naming the package to install.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "../crates/ndis-sim/tests/common/mod.rs"]
mod common;

use std::cell::RefCell;
use std::time::{Duration, Instant};

use common::{Point, hook, init_parameters, knobs};
use ndis_sim::model::dma::{DMA_ADDRESS_NOT_NDIS_MEMORY, DMA_MEMORY_LEAK_AT_HALT};
use ndis_sim::model::interrupts::INTERRUPT_NOT_DEREGISTERED_AT_HALT;
use ndis_sim::qemu::{QemuOptions, attach_igb};
use ndis_sim::{AdapterConfig, AdapterId, DISPATCH_LEVEL, Host, HostConfig, current_irql};
use vmqnic::backend::igb::queues::RingPlacement;
use vmqnic::backend::igb::ring::RxRing;
use vmqnic::backend::igb::vmdq::PoolOptions;
use vmqnic::backend::igb::{Device, MsixLayout};
use vmqnic::kernel::NdisHandle;
use vmqnic::kernel::bus_data::{self, PciIds};
use vmqnic::kernel::dma_ring::DmaBlock;
use vmqnic::kernel::interrupt::{Interrupt, InterruptHandler, IsrResult};
use vmqnic::kernel::io_space::IoSpace;
use vmqnic::kernel::nbl::BufferIndex;
use vmqnic::kernel::resources::Resources;

const RING: usize = 32;
const BUFFER: u32 = 2048;
const PROCESSORS: u32 = 4;
/// Receive queue 0 signals MSI-X vector 0 (`MsixLayout::dense`).
const RX_MESSAGE: u32 = 0;
const WAIT: Duration = Duration::from_secs(10);
const INTEL_82576: PciIds = PciIds { vendor: 0x8086, device: 0x10C9 };

/// What a test leaves out on purpose.
#[derive(Clone, Copy, Default)]
struct Faults {
    /// `mem::forget` the interrupt owner at halt (safe Rust can leak an owner).
    forget_interrupt: bool,
    /// `mem::forget` the buffer block at halt.
    forget_buffers: bool,
    /// Free the posted buffers' block before the tail hands them to the device (the owners do
    /// not tie a block's lifetime to the device's use of it: the caller orders stop, then free).
    free_posted_buffers: bool,
}

/// Calls the test's handler state (one adapter per thread).
struct Handler;

/// (message, IRQL) of each ISR and DPC call; frames reaped by the DPC.
#[derive(Default)]
struct Seen {
    isr: Vec<(u32, u8)>,
    dpc: Vec<(u32, u8)>,
    frames: Vec<Vec<u8>>,
}

/// The miniport's adapter: field order is drop order (interrupt, memory, then the mapping).
struct Nic {
    interrupt: Interrupt<Handler>,
    ring: RxRing<RING>,
    descriptors: DmaBlock,
    buffers: DmaBlock,
    device: Device<IoSpace>,
}

thread_local! {
    static NIC: RefCell<Option<Nic>> = const { RefCell::new(None) };
    static SEEN: RefCell<Seen> = RefCell::new(Seen::default());
    static FAULTS: RefCell<Faults> = RefCell::new(Faults::default());
}

impl InterruptHandler for Handler {
    fn isr(&self, message: u32) -> IsrResult {
        SEEN.with(|s| s.borrow_mut().isr.push((message, current_irql().unwrap_or(0))));
        IsrResult { recognized: true, queue_dpc: true }
    }

    fn dpc(&self, message: u32, _context: usize) {
        SEEN.with(|s| s.borrow_mut().dpc.push((message, current_irql().unwrap_or(0))));
        NIC.with(|n| {
            if let Some(nic) = n.borrow_mut().as_mut() {
                nic.reap();
                nic.device.unmask_vectors(1 << message);
            }
        });
    }

    fn enable(&self, _message: u32) {}

    fn disable(&self, _message: u32) {}
}

impl Nic {
    fn buffer_address(&self, b: BufferIndex) -> u64 {
        self.buffers.logical_address() + u64::from(BUFFER) * u64::from(b.raw())
    }

    /// Takes every completed descriptor, copies its frame out, posts the buffer again.
    fn reap(&mut self) {
        while let Some(done) = self.ring.reap(&self.descriptors) {
            let mut frame = vec![0; usize::from(done.length)];
            let at = BUFFER as usize * usize::from(done.buffer.raw());
            self.buffers.read(at, &mut frame).expect("inside the buffer block");
            SEEN.with(|s| s.borrow_mut().frames.push(frame));
            let address = self.buffer_address(done.buffer);
            self.ring.post(&mut self.descriptors, done.buffer, address).unwrap();
            self.device.set_rx_tail(0, self.ring.tail());
        }
    }
}

/// MiniportInitializeEx's device part, with the owners only.
fn initialize(adapter: NdisHandle) -> Nic {
    // SAFETY: the init parameters of the running MiniportInitializeEx.
    let list = unsafe { (*init_parameters()).AllocatedResources };
    // SAFETY: NDIS's AllocatedResources, live during MiniportInitializeEx.
    let resources = unsafe { Resources::from_raw(list.cast()) }.unwrap();
    let bar0 = resources.bar0().expect("BAR0");
    assert_eq!(resources.message_interrupts(), 10, "QEMU's igb has 10 MSI-X vectors");
    bus_data::check_ids(adapter, |ids| ids == INTEL_82576).expect("an Intel 82576");

    let mut device = Device::new(IoSpace::map(adapter, bar0).unwrap());
    device.reset().unwrap();
    let mac = device.permanent_mac().expect("RAR0 valid after reset");
    device.link_up().unwrap();
    let started = Instant::now();
    while !device.link().up {
        assert!(started.elapsed() < WAIT, "link did not come up");
        std::thread::sleep(Duration::from_millis(2));
    }
    let interrupt = Interrupt::register(adapter, Handler, &vmqnic::ffi::interrupt::trampolines()).unwrap();
    assert!(interrupt.message_based());
    device.configure_msix(&MsixLayout::dense(1)).unwrap();
    device.enable_vmdq(0).unwrap();
    device.enable_pool(0, PoolOptions::VM_QUEUE).unwrap();
    device.set_mac_filter(0, mac, 1).unwrap();

    let descriptors = DmaBlock::allocate(adapter, RxRing::<RING>::BYTES, true).unwrap();
    let buffers = DmaBlock::allocate(adapter, BUFFER * RING as u32, true).unwrap();
    let placement = RingPlacement { base: descriptors.logical_address(), bytes: RxRing::<RING>::BYTES };
    device.setup_rx_queue(0, placement, BUFFER).unwrap();
    let mut nic = Nic { interrupt, ring: RxRing::new(), descriptors, buffers, device };
    for i in 0..RING - 1 {
        let b = BufferIndex::new(i / 32, i % 32);
        let address = nic.buffer_address(b);
        nic.ring.post(&mut nic.descriptors, b, address).unwrap();
    }
    if FAULTS.with(|f| f.borrow().free_posted_buffers) {
        let spare = DmaBlock::allocate(adapter, BUFFER * RING as u32, true).unwrap();
        drop(std::mem::replace(&mut nic.buffers, spare));
    }
    nic.device.set_rx_tail(0, nic.ring.tail());
    nic.device.enable_receiver();
    nic
}

/// MiniportHaltEx's device part: reset (the device stops DMA and masks every cause), then the
/// owners drop in field order.
fn halt() {
    let Some(mut nic) = NIC.with(|n| n.borrow_mut().take()) else { return };
    nic.device.reset().unwrap();
    let faults = FAULTS.with(|f| *f.borrow());
    let Nic { interrupt, ring: _, descriptors, buffers, device } = nic;
    if faults.forget_interrupt {
        std::mem::forget(interrupt);
    } else {
        drop(interrupt);
    }
    if faults.forget_buffers {
        std::mem::forget(buffers);
    } else {
        drop(buffers);
    }
    drop(descriptors);
    drop(device);
}

fn igb_host(faults: Faults) -> (Host, AdapterId) {
    // The test miniport answers no OID: the mandatory-OID queries and the packet filter are off.
    let config = HostConfig::default().processor_count(PROCESSORS).without_host_oids();
    let mut host = Host::new(config);
    host.with_model(|m, _| attach_igb(m, &QemuOptions::default()))
        .unwrap_or_else(|e| panic!("starting QEMU's igb: {e}"));
    FAULTS.with(|f| *f.borrow_mut() = faults);
    SEEN.with(|s| *s.borrow_mut() = Seen::default());
    knobs(|k| k.bus_master = true);
    hook(Point::Initialize, |ctx| {
        let nic = initialize(NdisHandle::from_raw(ctx.adapter).unwrap());
        NIC.with(|n| *n.borrow_mut() = Some(nic));
        None
    });
    hook(Point::Halt, |_| {
        halt();
        None
    });
    host.load_driver(common::fake_driver_entry).unwrap();
    let a = host.add_adapter(AdapterConfig::default().bus_master(true)).unwrap();
    (host, a)
}

fn frame(dst: [u8; 6], tag: u8, len: usize) -> Vec<u8> {
    let mut f = dst.to_vec();
    f.extend_from_slice(&[0x02, 0, 0, 0, 0x99, 0x01, 0x88, 0xB5, tag]);
    f.resize(len, tag);
    f
}

/// The permanent MAC (RAR0), read through the mapped BAR.
fn mac() -> [u8; 6] {
    NIC.with(|n| {
        let mut n = n.borrow_mut();
        let nic = n.as_mut().unwrap();
        nic.device.permanent_mac().unwrap()
    })
}

#[test]
fn owners_bring_the_82576_up_receive_by_dma_in_the_queue_dpc_and_halt_clean() {
    // NdisMRegisterInterruptEx / MiniportMessageInterruptDPC: the DPC of a message runs at
    // DISPATCH_LEVEL on the message's target processor; halt leaves nothing behind.
    let (mut host, a) = igb_host(Faults::default());
    let (messages, target) = NIC.with(|n| {
        let n = n.borrow();
        let i = &n.as_ref().unwrap().interrupt;
        (i.message_count(), i.target_processors(RX_MESSAGE).unwrap())
    });
    assert_eq!(messages, 10);
    let dst = mac();
    let sent: Vec<Vec<u8>> = (1..=5u8).map(|t| frame(dst, t, 60 + 100 * usize::from(t))).collect();
    for f in &sent {
        let delivered = host.wire_send(f).unwrap();
        let rx: Vec<_> = delivered.iter().filter(|d| d.message_id == RX_MESSAGE).collect();
        assert_eq!(rx.len(), 1, "one receive message per frame (EITR 0): {delivered:?}");
        let other_vector = MsixLayout::dense(1).other_vector;
        let known = |m: u32| m == RX_MESSAGE || m == other_vector;
        assert!(delivered.iter().all(|d| known(d.message_id)), "only the other-causes vector besides: {delivered:?}");
        let d = rx[0];
        assert_eq!((d.message_id, d.recognized, d.dpc), (RX_MESSAGE, true, true));
        assert_eq!(1usize << d.processor, target, "the DPC ran on the message's TargetProcessorSet");
    }
    let (isr, dpc, frames) = SEEN.with(|s| {
        let s = s.borrow();
        (s.isr.clone(), s.dpc.clone(), s.frames.clone())
    });
    assert_eq!(frames, sent, "every frame arrived by DMA into the NdisMAllocateSharedMemory buffers, in order");
    assert_eq!(isr.iter().filter(|&&(m, _)| m == RX_MESSAGE).count(), sent.len());
    assert!(isr.iter().all(|&(_, irql)| irql > DISPATCH_LEVEL), "ISR at DIRQL: {isr:?}");
    assert!(dpc.iter().all(|&(_, irql)| irql == DISPATCH_LEVEL), "DPC at DISPATCH_LEVEL: {dpc:?}");
    host.halt(a, 0).unwrap();
    let v = host.take_violations();
    assert!(v.is_empty(), "{v:#?}");
}

#[test]
fn a_forgotten_interrupt_owner_is_reported_at_halt() {
    // NdisMDeregisterInterruptEx in MiniportHaltEx: drop does it, but safe Rust may leak
    // (`mem::forget`) an owner; ndis-sim reports the interrupt left registered.
    let (mut host, a) = igb_host(Faults { forget_interrupt: true, ..Faults::default() });
    host.halt(a, 0).unwrap();
    let v = host.take_violations();
    assert!(v.iter().any(|v| v.rule == INTERRUPT_NOT_DEREGISTERED_AT_HALT), "{v:#?}");
}

#[test]
fn a_forgotten_dma_block_is_reported_at_halt() {
    // NdisMFreeSharedMemory in MiniportHaltEx: a leaked block is reported.
    let (mut host, a) = igb_host(Faults { forget_buffers: true, ..Faults::default() });
    host.halt(a, 0).unwrap();
    let v = host.take_violations();
    assert!(v.iter().any(|v| v.rule == DMA_MEMORY_LEAK_AT_HALT), "{v:#?}");
}

#[test]
fn freeing_posted_buffers_before_the_device_stops_is_reported_at_the_tail_write() {
    // NdisMFreeSharedMemory: memory the device may still write must not be freed. The owners
    // free on drop but cannot know the device holds the addresses; ndis-sim reports the tail
    // write that hands the device freed memory (the IOMMU would fault).
    let (mut host, a) = igb_host(Faults { free_posted_buffers: true, ..Faults::default() });
    let v = host.take_violations();
    assert!(v.iter().any(|v| v.rule == DMA_ADDRESS_NOT_NDIS_MEMORY), "{v:#?}");
    host.halt(a, 0).unwrap();
}
