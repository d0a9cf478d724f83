//! Guest code reaching QEMU's igb through the emulator: a register read and writes through the
//! `NdisMMapIoSpace` mapping (an MMIO window forwarded to QEMU), and a write the device DMAs into
//! guest RAM (an MSI-X message) read back by guest code at its guest-virtual address.
//! Hand-assembled routines, as in `machine.rs`. Starts QEMU: fails, naming the package, without it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use ndis_sim::model::pci::MMIO_OUTSIDE_MAPPING;
use ndis_sim::qemu::guest_ram::MSIX_TARGETS;
use ndis_sim::qemu::msix::MsixTargets;
use ndis_sim::qemu::regs::{BAR0_LEN, gpie};
use ndis_sim::qemu::{QemuOptions, Reg};
use ndis_sim::{AdapterConfig, HostConfig, MiniportCall, PASSIVE_LEVEL};
use sys_emu::image::{Image, scan_cr8};
use sys_emu::pci::{GUEST_RAM_WINDOW, MMIO_WINDOW};
use sys_emu::{EmuHost, EmuOptions};

/// `mov eax, [rcx]; ret` at 0x1000 and `mov [rcx], edx; ret` at 0x1010.
fn image() -> Image {
    let mut bytes = vec![0u8; 0x2000];
    bytes[0x1000..0x1003].copy_from_slice(&[0x8B, 0x01, 0xC3]);
    bytes[0x1010..0x1013].copy_from_slice(&[0x89, 0x11, 0xC3]);
    Image {
        preferred_base: 0x1_4000_0000,
        size: 0x2000,
        entry_rva: 0x1000,
        cr8_sites: scan_cr8(&bytes, 0x1000, 0x20),
        bytes,
        code: vec![(0x1000, 0x20)],
        relocations: vec![],
        imports: vec![],
    }
}

/// Runs the routine at `offset` from the entry point with rcx, rdx; returns eax.
fn run(host: &mut EmuHost, offset: u64, rcx: u64, rdx: u64) -> u32 {
    let routine = host.entry_point() + offset;
    host.invoke(MiniportCall::DriverEntry { routine, driver_object: rcx, registry_path: rdx }, PASSIVE_LEVEL) as u32
}

fn read(host: &mut EmuHost, address: u64) -> u32 {
    run(host, 0, address, 0)
}

fn write(host: &mut EmuHost, address: u64, value: u32) {
    run(host, 0x10, address, u64::from(value));
}

#[test]
fn guest_code_reaches_the_device_through_mmio_and_sees_its_dma() {
    let mut host = EmuHost::from_image(&image(), HostConfig::default(), EmuOptions::default()).unwrap();
    host.env().attach_igb(&QemuOptions::default()).unwrap_or_else(|e| panic!("starting QEMU's igb: {e}"));
    // An adapter of the device and a mapping of its BAR0, as MiniportInitializeEx would make.
    let va = host.with_model(|m, mem| {
        let (adapter, _) = m.create_adapter(mem, AdapterConfig::default()).unwrap();
        let bar = m.pci_device().unwrap().memory_bar().0;
        let out = mem.alloc(8, 8).unwrap();
        assert_eq!(m.map_io_space(mem, out, adapter, bar, BAR0_LEN), 0);
        let mut va = [0u8; 8];
        mem.read(out, &mut va).unwrap();
        u64::from_le_bytes(va)
    });
    assert_eq!(va, MMIO_WINDOW, "the mapping is the emulator's MMIO window");

    // MMIO read: RAL0 holds the low half of QEMU's default MAC 52:54:00:12:34:56.
    assert_eq!(read(&mut host, va + u64::from(Reg::ral(0).offset())), 0x1200_5452);
    // MMIO write then read back through QEMU.
    write(&mut host, va + u64::from(Reg::ral(1).offset()), 0x0A0B_0C0D);
    assert_eq!(read(&mut host, va + u64::from(Reg::ral(1).offset())), 0x0A0B_0C0D);

    // DMA: MSI-X mode, vector 3 enabled and auto-cleared, then its cause set (EICS): the device
    // writes vector 3's message data to its MSI-X address in guest RAM, which guest code reads.
    const VECTOR: u16 = 3;
    write(&mut host, va + u64::from(Reg::GPIE.offset()), gpie::MULTIPLE_MSIX | gpie::NSICR);
    write(&mut host, va + u64::from(Reg::eitr(u32::from(VECTOR)).offset()), 0);
    write(&mut host, va + u64::from(Reg::EIAC.offset()), 1 << VECTOR);
    write(&mut host, va + u64::from(Reg::EIMS.offset()), 1 << VECTOR);
    write(&mut host, va + u64::from(Reg::EICS.offset()), 1 << VECTOR);
    let word = GUEST_RAM_WINDOW + MSIX_TARGETS + 4 * u64::from(VECTOR);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = 0;
    while seen != MsixTargets::data(VECTOR) && Instant::now() < deadline {
        seen = read(&mut host, word);
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(seen, MsixTargets::data(VECTOR), "guest code sees the message the device wrote");
    assert!(host.take_violations().is_empty());

    // A read past the mapping is reported, and QEMU is not asked.
    host.with_model(|m, _| {
        let mappings = m.io_mappings();
        let (va, mapping) = mappings[0];
        assert_eq!(va, MMIO_WINDOW);
        assert_eq!(mapping.length, BAR0_LEN);
    });
    let v = host.with_model(|m, mem| {
        m.read_register(mem, MMIO_WINDOW + u64::from(BAR0_LEN));
        m.take_violations()
    });
    assert!(v.iter().any(|v| v.rule == MMIO_OUTSIDE_MAPPING), "{v:#?}");
}
