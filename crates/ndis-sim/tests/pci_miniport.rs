//! A bus-master test miniport over QEMU's igb: it finds BAR0 and its MSI-X messages in
//! `AllocatedResources`, reads its IDs with `NdisMGetBusData`, maps the BAR
//! (`NdisMMapIoSpace`), registers MSI-X handlers (`NdisMRegisterInterruptEx`), allocates a
//! receive ring with `NdisMAllocateSharedMemory`, receives frames by DMA and gets its DPC on the
//! message's processor. Each rule test breaks one rule on purpose and checks it is reported.
//!
//! Every test starts its own QEMU; without QEMU they fail naming the package to install.
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismregisterinterruptex>.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(non_upper_case_globals, reason = "the WDK names of the CmResourceType constants")]

mod common;

use std::cell::RefCell;
use std::ptr::{null_mut, read_unaligned};

use common::{Point, assert_rule, hook, init_parameters, knobs};
use ndis_sim::model::dma::DMA_MEMORY_WITHOUT_SG_DMA;
use ndis_sim::model::dma::{DMA_ADDRESS_NOT_NDIS_MEMORY, DMA_MEMORY_LEAK_AT_HALT, IO_SPACE_NOT_UNMAPPED_AT_HALT};
use ndis_sim::model::interrupts::{
    INTERRUPT_ENABLED_AFTER_HALT, INTERRUPT_ISR_CALL_ABOVE_DISPATCH, INTERRUPT_NOT_DEREGISTERED_AT_HALT,
    INTERRUPT_REGISTER_CONTEXT,
};
use ndis_sim::model::pci::{DEVICE_IRQL, MMIO_OUTSIDE_MAPPING, TRANSMIT_MISMATCH};
use ndis_sim::model::sg_list::SG_LIST_NOT_FREED_AT_HALT;
use ndis_sim::qemu::regs::{dctl, gpie, ivar, rctl, tctl, vmolr, vt_ctl};
use ndis_sim::qemu::{QemuOptions, Reg, attach_igb};
use ndis_sim::{AdapterConfig, AdapterId, DISPATCH_LEVEL, Host, HostConfig, current_irql};
use ndis_sys::*;

unsafe extern "system" {
    /// ndis-sim's host-build `READ_REGISTER_ULONG`.
    fn ndis_sim_read_register_ulong(register: *const u32) -> u32;
    /// ndis-sim's host-build `WRITE_REGISTER_ULONG`.
    fn ndis_sim_write_register_ulong(register: *mut u32, value: u32);
}

const RING: u32 = 32;
const BUFFER: u32 = 2048;
/// Receive queue 0 signals this MSI-X vector (IVAR), which targets processor 2 of 4.
const RX_VECTOR: u32 = 2;
const PROCESSORS: u32 = 4;
const BROADCAST: [u8; 6] = [0xFF; 6];

/// What the test breaks on purpose.
#[derive(Clone, Copy, Default)]
struct Faults {
    /// Hand the device a descriptor whose buffer is not NDIS DMA memory.
    foreign_buffer: bool,
    skip_deregister: bool,
    leave_interrupts_enabled: bool,
    skip_unmap_and_free: bool,
    /// Call a DISPATCH_LEVEL routine from MiniportMessageInterrupt.
    ndis_call_in_isr: bool,
    /// (Not a fault.) Let the fake allocate VMQ shared memory for the default queue.
    vmq_memory: bool,
    /// (Not a fault.) The ISR also queues the DPC on processor 3 with NdisMQueueDpcEx.
    dpc_on_3: bool,
    /// (Not a fault.) The DPC synchronizes with the interrupt (NdisMSynchronizeWithInterruptEx).
    synchronize: bool,
    /// Keep each transmit SG list instead of freeing it.
    leak_sg_lists: bool,
    /// Never transmit the last NBL of a send.
    drop_last_frame: bool,
    /// Transmit each frame one byte short (the last byte is lost).
    truncate_frames: bool,
    /// (Not a fault.) Leave the receive ring without buffers (RDT = RDH) after initialize.
    starve_rx: bool,
}

/// The miniport's device state (one adapter per thread).
struct Nic {
    adapter: NDIS_HANDLE,
    registers: usize,
    bar_len: u32,
    messages: u32,
    interrupt: NDIS_HANDLE,
    ring: (PVOID, NDIS_PHYSICAL_ADDRESS),
    tx_ring: (PVOID, NDIS_PHYSICAL_ADDRESS),
    tx_next: u32,
    sg_dma: NDIS_HANDLE,
    buffers: (PVOID, NDIS_PHYSICAL_ADDRESS),
    next: u32,
    /// (MessageId, processor, IRQL) of each MiniportMessageInterrupt.
    isr: Vec<(u32, u32, u8)>,
    /// (MessageId, processor, IRQL) of each MiniportMessageInterruptDPC.
    dpc: Vec<(u32, u32, u8)>,
    /// MiniportDpcContext of each DPC.
    dpc_contexts: Vec<usize>,
    frames: Vec<Vec<u8>>,
    faults: Faults,
}

thread_local! {
    static NIC: RefCell<Option<Nic>> = const { RefCell::new(None) };
    static FAULTS: RefCell<Faults> = RefCell::new(Faults::default());
}

fn with_nic<R>(f: impl FnOnce(&mut Nic) -> R) -> R {
    NIC.with(|n| f(n.borrow_mut().as_mut().expect("the PCI miniport is initialized")))
}

impl Nic {
    fn write(&self, reg: Reg, value: u32) {
        let at = (self.registers + reg.offset() as usize) as *mut u32;
        // SAFETY: a register of the live mapping (ndis-sim checks it).
        unsafe { ndis_sim_write_register_ulong(at, value) };
    }

    fn read_at(&self, offset: u32) -> u32 {
        // SAFETY: ndis-sim checks the address against the live mappings before any access.
        unsafe { ndis_sim_read_register_ulong((self.registers + offset as usize) as *const u32) }
    }

    fn desc(&self, i: u32) -> *mut u64 {
        self.ring.0.cast::<u8>().wrapping_add(16 * i as usize).cast()
    }

    /// Descriptor `i` in advanced receive read format: buffer `i`, no header buffer.
    fn arm(&self, i: u32) {
        let buffer = self.buffers.1 as u64 + u64::from(BUFFER * i);
        // SAFETY: descriptor `i` lies in the ring NdisMAllocateSharedMemory returned.
        unsafe {
            self.desc(i).write_volatile(buffer);
        }
        // SAFETY: as above (second quadword).
        unsafe { self.desc(i).wrapping_add(1).write_volatile(0) };
    }

    /// Takes every completed descriptor (write-back DD) and gives it back to the device.
    fn drain(&mut self) {
        loop {
            // SAFETY: the ring is live DMA memory; the device writes status back into it.
            let status = unsafe { self.desc(self.next).cast::<u32>().wrapping_add(2).read_volatile() };
            if status & 1 == 0 {
                return;
            }
            // SAFETY: as above: length is the low half of the fourth dword.
            let len = unsafe { self.desc(self.next).cast::<u32>().wrapping_add(3).read_volatile() } & 0xFFFF;
            let at = self.buffers.0.cast::<u8>().wrapping_add((BUFFER * self.next) as usize);
            // SAFETY: buffer `next` holds `len` <= BUFFER bytes the device wrote.
            let frame = unsafe { std::slice::from_raw_parts(at, len as usize) }.to_vec();
            self.frames.push(frame);
            self.arm(self.next);
            self.write(Reg::rdt(0), self.next);
            self.next = (self.next + 1) % RING;
        }
    }
}

/// # Safety
/// Called by ndis-sim as MiniportMessageInterrupt with valid out-parameters.
unsafe extern "system" fn message_isr(
    _: NDIS_HANDLE,
    message: ULONG,
    queue_dpc: *mut BOOLEAN,
    _: *mut ULONG,
) -> BOOLEAN {
    let processor = KeGetCurrentProcessorNumberEx(null_mut());
    let (_, call_ndis, dpc_on_3, interrupt) = with_nic(|n| {
        n.isr.push((message, processor, current_irql().unwrap_or(0)));
        (n.read_at(Reg::STATUS.offset()), n.faults.ndis_call_in_isr, n.faults.dpc_on_3, n.interrupt)
    });
    if dpc_on_3 {
        let mut targets = GROUP_AFFINITY { Mask: 1 << 3, ..GROUP_AFFINITY::default() };
        // SAFETY: the live interrupt handle and a valid GROUP_AFFINITY.
        let queued = unsafe { NdisMQueueDpcEx(interrupt, message, &raw mut targets, 0x77 as PVOID) };
        assert_eq!(queued, 1 << 3);
    }
    if call_ndis {
        // SAFETY: no arguments; wrong only because of the IRQL.
        unsafe { NdisGetSharedDataAlignment() };
    }
    // SAFETY: NDIS's out-parameter.
    unsafe { queue_dpc.write(TRUE) };
    TRUE
}

/// # Safety
/// Called by ndis-sim as MiniportMessageInterruptDPC.
unsafe extern "system" fn message_dpc(_: NDIS_HANDLE, message: ULONG, context: PVOID, _: PVOID, _: PVOID) {
    let processor = KeGetCurrentProcessorNumberEx(null_mut());
    with_nic(|n| {
        n.dpc.push((message, processor, current_irql().unwrap_or(0)));
        n.dpc_contexts.push(context as usize);
        if n.faults.synchronize {
            // SAFETY: the live interrupt handle and a MINIPORT_SYNCHRONIZE_INTERRUPT routine.
            let r =
                unsafe { NdisMSynchronizeWithInterruptEx(n.interrupt, message, synchronized as PVOID, 0x55 as PVOID) };
            assert_eq!(r, TRUE, "the synchronize function's result");
        }
        n.drain();
    });
}

thread_local! {
    /// (IRQL, context) each synchronize function call saw.
    static SYNCHRONIZED: RefCell<Vec<(u8, usize)>> = const { RefCell::new(Vec::new()) };
}

/// A MINIPORT_SYNCHRONIZE_INTERRUPT routine.
///
/// # Safety
/// Called by ndis-sim with the context passed to NdisMSynchronizeWithInterruptEx.
unsafe extern "system" fn synchronized(context: PVOID) -> BOOLEAN {
    SYNCHRONIZED.with(|s| s.borrow_mut().push((current_irql().unwrap_or(0), context as usize)));
    TRUE
}

#[allow(non_snake_case)]
fn KeGetCurrentProcessorNumberEx(out: *mut PROCESSOR_NUMBER) -> u32 {
    // SAFETY: NULL or a valid PROCESSOR_NUMBER.
    unsafe { ndis_sys::KeGetCurrentProcessorNumberEx(out) }
}

/// (BAR0 start, length, message-signaled interrupts) from `AllocatedResources`.
fn resources() -> (u64, u32, u32) {
    // SAFETY: the init parameters of the running MiniportInitializeEx.
    let list = unsafe { (*init_parameters()).AllocatedResources }.cast::<u8>();
    assert!(!list.is_null(), "a PCI adapter gets AllocatedResources");
    // SAFETY: a CM_PARTIAL_RESOURCE_LIST; `Count` descriptors follow its header.
    let count = unsafe { read_unaligned(list.wrapping_add(4).cast::<u32>()) };
    let (mut bar, mut messages) = (None, 0);
    for i in 0..count as usize {
        let at = list.wrapping_add(8 + i * size_of::<CM_PARTIAL_RESOURCE_DESCRIPTOR>());
        // SAFETY: descriptor `i` of the list.
        let d = unsafe { read_unaligned(at.cast::<CM_PARTIAL_RESOURCE_DESCRIPTOR>()) };
        let u = d.u;
        match d.Type {
            CmResourceTypeMemory => bar = Some((u64::from(u[0]) | (u64::from(u[1]) << 32), u[2])),
            CmResourceTypeInterrupt if d.Flags & CM_RESOURCE_INTERRUPT_MESSAGE != 0 => messages += 1,
            other => panic!("unexpected resource type {other}"),
        }
    }
    let (start, len) = bar.expect("a memory BAR");
    (start, len, messages)
}

/// MiniportInitializeEx of the PCI miniport (run after the fake's attributes and SG DMA).
fn initialize(adapter: NDIS_HANDLE, sg_dma: NDIS_HANDLE) {
    let faults = FAULTS.with(|f| *f.borrow());
    let (bar, bar_len, messages) = resources();
    let mut ids = 0u32;
    // SAFETY: a 4-byte buffer.
    let read = unsafe { NdisMGetBusData(adapter, PCI_WHICHSPACE_CONFIG, 0, (&raw mut ids).cast(), 4) };
    assert_eq!((read, ids), (4, 0x10C9_8086), "vendor Intel, device 82576");
    let mut va: PVOID = null_mut();
    // SAFETY: a valid out-parameter; the range is the adapter's BAR0.
    let status = unsafe { NdisMMapIoSpace(&raw mut va, adapter, bar as i64, bar_len) };
    assert_eq!(status, NDIS_STATUS_SUCCESS);

    let mut characteristics = NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS {
        Header: NDIS_OBJECT_HEADER::new(
            NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT,
            NDIS_MINIPORT_INTERRUPT_REVISION_1,
            NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1,
        ),
        MsiSupported: TRUE,
        MessageInterruptHandler: Some(message_isr),
        MessageInterruptDpcHandler: Some(message_dpc),
        ..Default::default()
    };
    let mut interrupt: NDIS_HANDLE = null_mut();
    // SAFETY: valid locals; the context is the adapter handle.
    let status = unsafe { NdisMRegisterInterruptEx(adapter, adapter, &raw mut characteristics, &raw mut interrupt) };
    assert_eq!(status, NDIS_STATUS_SUCCESS);
    assert_eq!(characteristics.InterruptType, NDIS_CONNECT_MESSAGE_BASED);
    // SAFETY: the table NDIS returned.
    let table = unsafe { &*characteristics.MessageInfoTable };
    assert_eq!(table.MessageCount, messages, "one message per interrupt resource");

    let allocate = |len: u32| {
        let (mut va, mut pa): (PVOID, NDIS_PHYSICAL_ADDRESS) = (null_mut(), 0);
        // SAFETY: valid out-parameters.
        unsafe { NdisMAllocateSharedMemory(adapter, len, TRUE, &raw mut va, &raw mut pa) };
        assert!(!va.is_null());
        (va, pa)
    };
    let ring = allocate(RING * 16);
    let tx_ring = allocate(RING * 16);
    let buffers = allocate(RING * BUFFER);
    let nic = Nic {
        adapter,
        registers: va as usize,
        bar_len,
        messages,
        interrupt,
        ring,
        tx_ring,
        tx_next: 0,
        sg_dma,
        buffers,
        next: 0,
        isr: Vec::new(),
        dpc: Vec::new(),
        dpc_contexts: Vec::new(),
        frames: Vec::new(),
        faults,
    };
    program(&nic);
    NIC.with(|n| *n.borrow_mut() = Some(nic));
}

/// The 82576 set up for one receive queue (VMDq pool 0, the default pool) signalling
/// RX_VECTOR, without throttling (datasheet: GPIE, IVAR, EIAC, EIMS, EITR, MRQC, VT_CTL,
/// VFRE, VMOLR, SRRCTL, RXDCTL, RCTL).
fn program(n: &Nic) {
    n.write(Reg::GPIE, gpie::MULTIPLE_MSIX | gpie::NSICR);
    n.write(Reg::ivar(0), ivar::VALID | RX_VECTOR);
    n.write(Reg::eitr(RX_VECTOR), 0);
    n.write(Reg::EIAC, 1 << RX_VECTOR);
    n.write(Reg::EIMS, 1 << RX_VECTOR);
    n.write(Reg::RCTL, 0);
    n.write(Reg::MRQC, 3);
    n.write(Reg::VT_CTL, vt_ctl::default_pool(0));
    n.write(Reg::VFRE, 1);
    n.write(Reg::vmolr(0), vmolr::AUPE | vmolr::BAM | vmolr::STRCRC);
    for i in 0..RING {
        n.arm(i);
    }
    if n.faults.foreign_buffer {
        // A buffer the driver never got from NDIS: the IOMMU would fault on it.
        // SAFETY: descriptor 3 lies in the ring.
        unsafe { n.desc(3).write_volatile(0x7000_0000) };
    }
    n.write(Reg::rxdctl(0), 0);
    n.write(Reg::rdbal(0), n.ring.1 as u32);
    n.write(Reg::rdbah(0), (n.ring.1 as u64 >> 32) as u32);
    n.write(Reg::rdlen(0), RING * 16);
    n.write(Reg::srrctl(0), 0x0200_0000 | (BUFFER / 1024));
    n.write(Reg::rdh(0), 0);
    n.write(Reg::rdt(0), 0);
    n.write(Reg::rxdctl(0), dctl::ENABLE);
    n.write(Reg::rdt(0), if n.faults.starve_rx { 0 } else { RING - 1 });
    n.write(Reg::RCTL, rctl::EN | rctl::BAM | rctl::SECRC);
    // Transmit queue 0 (pool 0 may transmit: VFTE).
    n.write(Reg::VFTE, 1);
    n.write(Reg::tdbal(0), n.tx_ring.1 as u32);
    n.write(Reg::tdbah(0), (n.tx_ring.1 as u64 >> 32) as u32);
    n.write(Reg::tdlen(0), RING * 16);
    n.write(Reg::tdh(0), 0);
    n.write(Reg::tdt(0), 0);
    n.write(Reg::txdctl(0), dctl::ENABLE);
    n.write(Reg::TCTL, tctl::EN | tctl::PSP);
}

/// MiniportProcessSGList: one advanced data descriptor per SG element (DTYP data, DEXT, RS,
/// IFCS, EOP on the last), then the tail; QEMU transmits during the tail write, so the list is
/// freed right after.
///
/// # Safety
/// Called by ndis-sim with the SG list it built and the NET_BUFFER passed as context.
unsafe extern "system" fn process_sg_list(_: *mut DEVICE_OBJECT, _: PVOID, list: *mut SCATTER_GATHER_LIST, nb: PVOID) {
    with_nic(|n| {
        // SAFETY: the list NDIS built: NumberOfElements elements follow the header.
        let count = unsafe { (*list).NumberOfElements };
        let elements = list.cast::<u8>().wrapping_add(16).cast::<SCATTER_GATHER_ELEMENT>();
        let cut = u32::from(n.faults.truncate_frames);
        let total: u32 = (0..count as usize)
            // SAFETY: element `i` of the list.
            .map(|i| unsafe { elements.wrapping_add(i).read() }.Length)
            .sum::<u32>()
            - cut;
        for i in 0..count as usize {
            // SAFETY: as above.
            let mut e = unsafe { elements.wrapping_add(i).read() };
            let eop = if i + 1 == count as usize { 1 << 24 } else { 0 };
            if eop != 0 {
                e.Length -= cut;
            }
            let desc = n.tx_ring.0.cast::<u32>().wrapping_add(4 * n.tx_next as usize);
            // SAFETY: descriptor `tx_next` of the transmit ring (DMA memory).
            unsafe { desc.cast::<u64>().write_volatile(e.Address as u64) };
            // SAFETY: as above.
            unsafe { desc.wrapping_add(2).write_volatile(0x2A30_0000 | eop | e.Length) };
            // SAFETY: as above.
            unsafe { desc.wrapping_add(3).write_volatile(total << 14) };
            n.tx_next = (n.tx_next + 1) % RING;
        }
        n.write(Reg::tdt(0), n.tx_next);
        if !n.faults.leak_sg_lists {
            // SAFETY: the list and NET_BUFFER of this call, done with (QEMU sent the frame).
            unsafe { NdisMFreeNetBufferSGList(n.sg_dma, list, nb.cast()) };
        }
    });
}

/// MiniportSendNetBufferLists of the PCI miniport: each NET_BUFFER through its SG list.
fn transmit(nbl: *mut NET_BUFFER_LIST) {
    let (sg_dma, drop_last) = with_nic(|n| (n.sg_dma, n.faults.drop_last_frame));
    let mut at = nbl;
    while !at.is_null() {
        // SAFETY: an NBL of the chain NDIS passed.
        let nb = unsafe { (*at).FirstNetBuffer };
        // SAFETY: as above.
        if drop_last && unsafe { (*at).Next }.is_null() {
            return;
        }
        // SAFETY: the SG DMA handle and a NET_BUFFER NDIS owns until the send completes.
        let status = unsafe { NdisMAllocateNetBufferSGList(sg_dma, nb, nb.cast(), 0, null_mut(), 0) };
        assert_eq!(status, NDIS_STATUS_SUCCESS);
        // SAFETY: as above.
        at = unsafe { (*at).Next };
    }
}

/// MiniportHaltEx of the PCI miniport: interrupts off, deregister, free, unmap (unless a fault
/// skips a step); the fake then releases the rest.
fn halt() {
    let Some(n) = NIC.with(|n| n.borrow_mut().take()) else { return };
    if !n.faults.leave_interrupts_enabled {
        n.write(Reg::RCTL, 0);
        n.write(Reg::EIMC, u32::MAX);
        n.write(Reg::IMC, u32::MAX);
    }
    if !n.faults.skip_deregister {
        // SAFETY: the handle NdisMRegisterInterruptEx returned.
        unsafe { NdisMDeregisterInterruptEx(n.interrupt) };
    }
    if !n.faults.skip_unmap_and_free {
        for ((va, pa), len) in [(n.ring, RING * 16), (n.tx_ring, RING * 16), (n.buffers, RING * BUFFER)] {
            // SAFETY: a block NdisMAllocateSharedMemory returned, with its Length.
            unsafe { NdisMFreeSharedMemory(n.adapter, len, TRUE, va, pa) };
        }
        // SAFETY: the mapping NdisMMapIoSpace returned, with its Length.
        unsafe { NdisMUnmapIoSpace(n.adapter, n.registers as PVOID, n.bar_len) };
    }
}

/// A host with QEMU's igb attached and the PCI miniport's adapter initialized.
fn pci_host(faults: Faults) -> (Host, AdapterId) {
    let config = HostConfig::default().processor_count(PROCESSORS).without_host_oids();
    let mut host = Host::new(config);
    host.with_model(|m, _| attach_igb(m, &QemuOptions::default()))
        .unwrap_or_else(|e| panic!("starting QEMU's igb: {e}"));
    FAULTS.with(|f| *f.borrow_mut() = faults);
    knobs(|k| {
        k.process_sg_list = Some(process_sg_list);
        k.bus_master = true;
        k.default_queue_memory = faults.vmq_memory;
    });
    hook(Point::Initialize, |ctx| {
        let sg_dma = ctx.state().sg_dma;
        initialize(ctx.adapter, sg_dma);
        None
    });
    hook(Point::Send, |ctx| {
        transmit(ctx.nbl);
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

fn frame(tag: u8, len: usize) -> Vec<u8> {
    let mut f = BROADCAST.to_vec();
    f.extend_from_slice(&[0x02, 0, 0, 0, 0x99, 0x01, 0x88, 0xB5, tag]);
    f.resize(len, tag);
    f
}

#[test]
fn pci_miniport_receives_by_dma_and_gets_its_dpc_on_the_messages_processor() {
    let (mut host, a) = pci_host(Faults::default());
    assert_eq!(with_nic(|n| n.messages), 10, "QEMU's igb has 10 MSI-X vectors");
    let sent: Vec<Vec<u8>> = (1..=3).map(|t| frame(t, 60 + 100 * usize::from(t))).collect();
    for f in &sent {
        let delivered = host.wire_send(f).unwrap();
        assert_eq!(delivered.len(), 1, "one message per frame (EITR 0): {delivered:?}");
        let d = delivered[0];
        assert_eq!((d.message_id, d.processor, d.recognized, d.dpc), (RX_VECTOR, 2, true, true));
    }
    let (isr, dpc, frames) = with_nic(|n| (n.isr.clone(), n.dpc.clone(), n.frames.clone()));
    assert_eq!(frames, sent, "every frame arrived by DMA, byte for byte, in order");
    assert!(isr.iter().all(|&x| x == (RX_VECTOR, 2, DEVICE_IRQL)), "MiniportMessageInterrupt: {isr:?}");
    assert!(dpc.iter().all(|&x| x == (RX_VECTOR, 2, DISPATCH_LEVEL)), "MiniportMessageInterruptDPC: {dpc:?}");
    host.halt(a, 0).unwrap();
    let violations = host.take_violations();
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn mmio_past_the_mapping_is_reported() {
    let (mut host, a) = pci_host(Faults::default());
    let value = with_nic(|n| n.read_at(n.bar_len));
    assert_eq!(value, u32::MAX);
    assert_rule(&mut host, MMIO_OUTSIDE_MAPPING);
    host.halt(a, 0).unwrap();
}

#[test]
fn a_descriptor_buffer_outside_ndis_dma_memory_is_reported_at_the_tail_write() {
    let (mut host, a) = pci_host(Faults { foreign_buffer: true, ..Faults::default() });
    let v = assert_rule(&mut host, DMA_ADDRESS_NOT_NDIS_MEMORY);
    assert!(v.iter().any(|v| v.detail.contains("0x70000000")), "{v:#?}");
    host.halt(a, 0).unwrap();
}

#[test]
fn an_interrupt_left_registered_at_halt_is_reported() {
    let (mut host, a) = pci_host(Faults { skip_deregister: true, ..Faults::default() });
    host.halt(a, 0).unwrap();
    assert_rule(&mut host, INTERRUPT_NOT_DEREGISTERED_AT_HALT);
}

#[test]
fn device_interrupts_left_enabled_at_halt_are_reported() {
    let (mut host, a) = pci_host(Faults { leave_interrupts_enabled: true, ..Faults::default() });
    host.halt(a, 0).unwrap();
    assert_rule(&mut host, INTERRUPT_ENABLED_AFTER_HALT);
}

#[test]
fn a_mapping_and_dma_memory_left_at_halt_are_reported() {
    let (mut host, a) = pci_host(Faults { skip_unmap_and_free: true, ..Faults::default() });
    host.halt(a, 0).unwrap();
    let v = host.take_violations();
    assert!(v.iter().any(|v| v.rule == IO_SPACE_NOT_UNMAPPED_AT_HALT), "{v:#?}");
    assert!(v.iter().filter(|v| v.rule == DMA_MEMORY_LEAK_AT_HALT).count() == 3, "{v:#?}");
}

#[test]
fn a_dispatch_level_call_from_the_message_isr_is_reported() {
    let (mut host, a) = pci_host(Faults { ndis_call_in_isr: true, ..Faults::default() });
    host.wire_send(&frame(9, 64)).unwrap();
    let v = assert_rule(&mut host, INTERRUPT_ISR_CALL_ABOVE_DISPATCH);
    assert!(v.iter().any(|v| v.detail.contains("NdisGetSharedDataAlignment")), "{v:#?}");
    host.halt(a, 0).unwrap();
}

#[test]
fn registering_an_interrupt_outside_initialize_is_reported() {
    let (mut host, a) = common::host_with_adapter();
    let mut characteristics = NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS::default();
    let mut interrupt: NDIS_HANDLE = null_mut();
    let handle = a.0 as usize as NDIS_HANDLE;
    // SAFETY: valid locals; the adapter is running (initialize has returned).
    let status = unsafe { NdisMRegisterInterruptEx(handle, handle, &raw mut characteristics, &raw mut interrupt) };
    assert_eq!(status, NDIS_STATUS_FAILURE);
    assert_rule(&mut host, INTERRUPT_REGISTER_CONTEXT);
}

#[test]
fn dma_memory_before_scatter_gather_registration_is_reported() {
    knobs(|k| k.bus_master = false);
    hook(Point::Initialize, |ctx| {
        let (mut va, mut pa): (PVOID, NDIS_PHYSICAL_ADDRESS) = (null_mut(), 0);
        // SAFETY: valid out-parameters; the fake is not a bus master, so no SG DMA is registered.
        unsafe { NdisMAllocateSharedMemory(ctx.adapter, 4096, TRUE, &raw mut va, &raw mut pa) };
        assert!(va.is_null(), "VirtualAddress is NULL when nothing was allocated");
        None
    });
    let (mut host, _) = common::host_with_adapter();
    assert_rule(&mut host, DMA_MEMORY_WITHOUT_SG_DMA);
}

#[test]
fn vmq_shared_memory_of_a_pci_adapter_is_device_memory_the_nic_may_dma_into() {
    let (mut host, a) = pci_host(Faults { vmq_memory: true, ..Faults::default() });
    let blocks = host.with_model(|m, _| m.shared_memory_blocks(a.0));
    assert_eq!(blocks.len(), 1, "the fake's default-queue block");
    let b = &blocks[0];
    let (pa, _) = b.elements[0];
    assert!(pa >= ndis_sim::qemu::guest_ram::DMA_BASE, "a guest-RAM bus address: {pa:#x}");
    let window = b.virtual_address - pa;
    let mut at = pa;
    for &(element, len) in &b.elements {
        assert_eq!(element, at, "guest RAM blocks are contiguous");
        at += u64::from(len);
    }
    // The driver's view and the device's are the same bytes.
    let bytes = [0x5Au8; 16];
    // SAFETY: the block's VirtualAddress is valid for its length.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), b.virtual_address as *mut u8, 16) };
    let mut seen = [0u8; 16];
    host.with_model(|m, _| m.pci_device().unwrap().read_dma(pa, &mut seen)).unwrap();
    assert_eq!(seen, bytes);
    assert!(host.with_model(|m, _| m.dma_covers(pa, b.len)), "VMQ memory counts as NDIS DMA memory");
    assert!(window > 0);
    host.halt(a, 0).unwrap();
    let violations = host.take_violations();
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn a_dpc_queued_with_ndismqueuedpcex_runs_on_its_target_processor() {
    let (mut host, a) = pci_host(Faults { dpc_on_3: true, ..Faults::default() });
    host.wire_send(&frame(5, 64)).unwrap();
    let (dpc, contexts, frames) = with_nic(|n| (n.dpc.clone(), n.dpc_contexts.clone(), n.frames.len()));
    assert_eq!(
        dpc,
        [(RX_VECTOR, 2, DISPATCH_LEVEL), (RX_VECTOR, 3, DISPATCH_LEVEL)],
        "default DPC, then the queued one"
    );
    assert_eq!(contexts, [0, 0x77], "NULL for the default DPC, the caller's context for the queued one");
    assert_eq!(frames, 1);
    host.halt(a, 0).unwrap();
    let violations = host.take_violations();
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn a_synchronize_function_runs_at_the_device_irql_from_the_dpc() {
    let (mut host, a) = pci_host(Faults { synchronize: true, ..Faults::default() });
    host.wire_send(&frame(6, 64)).unwrap();
    let seen = SYNCHRONIZED.with(|s| s.borrow().clone());
    assert_eq!(seen, [(DEVICE_IRQL, 0x55)]);
    assert_eq!(current_irql(), Some(ndis_sim::PASSIVE_LEVEL), "back at the host's IRQL");
    host.halt(a, 0).unwrap();
    let violations = host.take_violations();
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn synchronizing_with_an_unknown_interrupt_is_reported_and_runs_nothing() {
    let (mut host, _) = common::host_with_adapter();
    // SAFETY: the handle is bogus on purpose; ndis-sim checks it before calling anything.
    let r = unsafe { NdisMSynchronizeWithInterruptEx(0x1234 as NDIS_HANDLE, 0, synchronized as PVOID, null_mut()) };
    assert_eq!(r, 0);
    assert!(SYNCHRONIZED.with(|s| s.borrow().is_empty()));
    assert_rule(&mut host, ndis_sim::rules::HANDLE_INVALID);
}

#[test]
fn the_traffic_source_sends_recorded_frames_through_the_wire() {
    let (mut host, a) = pci_host(Faults::default());
    let specs = [ndis_sim::FrameSpec::new([0xFF; 6], 64), ndis_sim::FrameSpec::new([0xFF; 6], 300)];
    let delivered = host.wire_send_frames(&specs).unwrap();
    assert!(!delivered.is_empty() && delivered.iter().all(|d| d.processor == 2 && d.dpc));
    let frames = with_nic(|n| n.frames.clone());
    assert_eq!(frames.iter().map(Vec::len).collect::<Vec<_>>(), [64, 300], "both arrived by DMA, in order");
    assert_eq!(&frames[0][..6], &[0xFF; 6]);
    assert_eq!(host.traffic(a).frames_sent, 2, "recorded like the software path's sends");
    host.halt(a, 0).unwrap();
    let violations = host.take_violations();
    assert!(violations.is_empty(), "{violations:#?}");
}

fn config_msix(adapter: NDIS_HANDLE, op: i32, entry: u32, message: u32) -> NDIS_STATUS {
    let mut p = NDIS_MSIX_CONFIG_PARAMETERS {
        Header: NDIS_OBJECT_HEADER::new(
            NDIS_OBJECT_TYPE_DEFAULT,
            NDIS_MSIX_CONFIG_PARAMETERS_REVISION_1,
            NDIS_SIZEOF_MSIX_CONFIG_PARAMETERS_REVISION_1,
        ),
        ConfigOperation: op,
        TableEntry: entry,
        MessageNumber: message,
    };
    // SAFETY: a valid local; the adapter handle NDIS passed to MiniportInitializeEx.
    unsafe { NdisMConfigMSIXTableEntry(adapter, &raw mut p) }
}

#[test]
fn msix_table_entries_can_be_masked_unmasked_and_remapped() {
    let (mut host, a) = pci_host(Faults::default());
    let adapter = a.0 as usize as NDIS_HANDLE;
    assert_eq!(config_msix(adapter, NdisMSIXTableConfigMaskTableEntry, RX_VECTOR, 0), NDIS_STATUS_SUCCESS);
    assert_eq!(host.wire_send(&frame(1, 64)).unwrap(), [], "a masked entry sends no message");
    assert_eq!(with_nic(|n| n.frames.len()), 0, "no DPC ran");
    // PCI Local Bus 3.0, MSI-X: the pending message is sent when the entry is unmasked.
    assert_eq!(config_msix(adapter, NdisMSIXTableConfigUnmaskTableEntry, RX_VECTOR, 0), NDIS_STATUS_SUCCESS);
    let d = host.deliver_interrupts().unwrap();
    assert_eq!(d.iter().map(|d| (d.message_id, d.processor)).collect::<Vec<_>>(), [(RX_VECTOR, 2)]);
    assert_eq!(with_nic(|n| n.frames.len()), 1);
    // Entry RX_VECTOR now signals message 5 (processor 1 of 4).
    assert_eq!(config_msix(adapter, NdisMSIXTableConfigSetTableEntry, RX_VECTOR, 5), NDIS_STATUS_SUCCESS);
    let d = host.wire_send(&frame(2, 64)).unwrap();
    assert_eq!(d.iter().map(|d| (d.message_id, d.processor)).collect::<Vec<_>>(), [(5, 1)]);
    assert_eq!(with_nic(|n| n.frames.len()), 2);
    assert_eq!(config_msix(adapter, NdisMSIXTableConfigMaskTableEntry, 99, 0), NDIS_STATUS_INVALID_PARAMETER);
    host.halt(a, 0).unwrap();
    let violations = host.take_violations();
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn transmit_maps_each_net_buffer_with_an_sg_list_the_nic_sends_from() {
    let (mut host, a) = pci_host(Faults::default());
    let specs = [ndis_sim::FrameSpec::new([0x02, 0, 0, 0, 0x77, 0x77], 100), ndis_sim::FrameSpec::new(BROADCAST, 333)];
    let sent = host.send_frames(a, &specs).unwrap();
    assert_eq!(sent.sent, 2);
    for spec in &specs {
        let on_wire = host.wire_receive().unwrap().expect("a frame on the wire");
        assert_eq!((on_wire.len(), &on_wire[..6]), (spec.len, &spec.dst[..]), "sent byte for byte, in order");
    }
    assert_eq!(host.wire_receive().unwrap(), None, "nothing else");
    host.halt(a, 0).unwrap();
    let violations = host.take_violations();
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn an_sg_list_left_at_halt_is_reported() {
    let (mut host, a) = pci_host(Faults { leak_sg_lists: true, ..Faults::default() });
    host.send_frames(a, &[ndis_sim::FrameSpec::new(BROADCAST, 64)]).unwrap();
    host.halt(a, 0).unwrap();
    assert_rule(&mut host, SG_LIST_NOT_FREED_AT_HALT);
}

fn transmit_specs() -> [ndis_sim::FrameSpec; 3] {
    [
        ndis_sim::FrameSpec::new([0x02, 0, 0, 0, 0x77, 0x77], 64),
        ndis_sim::FrameSpec::new(BROADCAST, 515),
        ndis_sim::FrameSpec::new(BROADCAST, 1514),
    ]
}

#[test]
fn frames_sent_through_the_driver_leave_on_the_wire_byte_for_byte() {
    let (mut host, a) = pci_host(Faults::default());
    let check = host.wire_transmit(a, &transmit_specs()).unwrap();
    assert_eq!(check.send.sent, 3);
    assert_eq!(check.on_wire, check.sent, "every frame on the wire, byte for byte, in order");
    assert_eq!(check.on_wire.iter().map(Vec::len).collect::<Vec<_>>(), [64, 515, 1514]);
    assert_eq!(check.mismatches, 0);
    host.halt(a, 0).unwrap();
    let violations = host.take_violations();
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn a_frame_the_driver_never_transmits_is_reported() {
    let (mut host, a) = pci_host(Faults { drop_last_frame: true, ..Faults::default() });
    let check = host.wire_transmit(a, &transmit_specs()).unwrap();
    assert_eq!((check.sent.len(), check.on_wire.len(), check.mismatches), (3, 2, 1));
    let v = assert_rule(&mut host, TRANSMIT_MISMATCH);
    assert!(v.iter().any(|v| v.detail.contains("frame 2 (1514 bytes) sent but not on the wire")), "{v:#?}");
    host.halt(a, 0).unwrap();
}

#[test]
fn a_frame_transmitted_with_a_byte_missing_is_reported() {
    let (mut host, a) = pci_host(Faults { truncate_frames: true, ..Faults::default() });
    let check = host.wire_transmit(a, &transmit_specs()[..1]).unwrap();
    assert_eq!(check.mismatches, 1, "{check:#?}");
    let v = assert_rule(&mut host, TRANSMIT_MISMATCH);
    assert!(v.iter().any(|v| v.detail.contains("frame 0: sent 64 bytes, 63 on the wire")), "{v:#?}");
    host.halt(a, 0).unwrap();
}

#[test]
fn a_ring_tail_write_gets_its_interrupts_delivered_once_the_driver_call_returns() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static DPCS_RIGHT_AFTER_THE_WRITE: AtomicUsize = AtomicUsize::new(usize::MAX);
    let (mut host, a) = pci_host(Faults { starve_rx: true, ..Faults::default() });
    hook(Point::Oid, |_| {
        with_nic(|n| {
            n.write(Reg::rdt(0), RING - 1);
            DPCS_RIGHT_AFTER_THE_WRITE.store(n.dpc.len(), Ordering::SeqCst);
        });
        None
    });
    let sent = frame(7, 128);
    assert_eq!(host.wire_send(&sent).unwrap(), [], "no receive buffers: the frame waits, nothing is signalled");
    assert!(with_nic(|n| n.dpc.is_empty() && n.frames.is_empty()));
    host.oid_set(a, OID_GEN_CURRENT_LOOKAHEAD, &128u32.to_le_bytes());
    assert_eq!(DPCS_RIGHT_AFTER_THE_WRITE.load(Ordering::SeqCst), 0, "nothing is delivered inside the write");
    let (isr, dpc, frames) = with_nic(|n| (n.isr.clone(), n.dpc.clone(), n.frames.clone()));
    assert_eq!(isr, [(RX_VECTOR, 2, DEVICE_IRQL)], "the message was delivered after the OID request returned");
    assert_eq!(dpc, [(RX_VECTOR, 2, DISPATCH_LEVEL)]);
    assert_eq!(frames, [sent], "the waiting frame arrived by DMA");
    host.halt(a, 0).unwrap();
    let violations = host.take_violations();
    assert!(violations.is_empty(), "{violations:#?}");
}
