//! A PCI NIC behind an adapter: the device seam ([`PciDevice`]), what the PCI bus driver hands
//! the miniport (`AllocatedResources`, `NdisMGetBusData`), and register access through the
//! mappings `NdisMMapIoSpace` returned, with the rule that MMIO stays inside them.
//!
//! One device per host; the first adapter initialized after [`Model::attach_pci_device`] gets
//! it. Adapters without a device (the software NIC) are unchanged.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/initializing-a-miniport-adapter>
//! and <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismgetbusdata>.

use std::fmt;

use ndis_sys::{
    CM_MEMORY_LENGTH, CM_MEMORY_START, CM_MESSAGE_AFFINITY, CM_MESSAGE_LEVEL, CM_MESSAGE_VECTOR,
    CM_PARTIAL_RESOURCE_DESCRIPTOR, CM_PARTIAL_RESOURCE_LIST, CM_RESOURCE_INTERRUPT_LATCHED,
    CM_RESOURCE_INTERRUPT_MESSAGE, CmResourceShareDeviceExclusive, CmResourceTypeInterrupt, CmResourceTypeMemory,
    NDIS_MINIPORT_INIT_PARAMETERS, PCI_WHICHSPACE_CONFIG,
};

use super::Model;
use super::config::DISPATCH_LEVEL;
use super::frames::{FrameKey, FrameSpec, build_frame};
use super::memory::{AddressSpace, Fault, MemExt};
use super::{dma, processors};

/// A register access (read or write) outside every live `NdisMMapIoSpace` mapping, or not a
/// 4-aligned 32-bit access inside one.
pub const MMIO_OUTSIDE_MAPPING: &str = "mmio.outside-mapping";
/// The device failed (QEMU died or a qtest round trip failed).
pub const DEVICE_FAILED: &str = "pci.device-failed";
/// What a PCI adapter's driver sent through MiniportSendNetBufferLists did not leave on the
/// wire byte for byte, in order (a frame missing, extra or different).
pub const TRANSMIT_MISMATCH: &str = "wire.transmit-mismatch";
/// `NdisMGetBusData` above DISPATCH_LEVEL, for another space than PCI config, or out of range.
pub const BUS_DATA_INVALID: &str = "pci.bus-data-invalid";

/// The device IRQL message-signaled interrupts of the simulated NIC run at (a DIRQL).
pub const DEVICE_IRQL: u8 = 8;

/// A PCI NIC as the host sees it: BAR0 registers, config space, DMA memory and MSI-X
/// messages. Implemented over QEMU's igb (`crate::qemu`); tests may implement it too.
pub trait PciDevice: fmt::Debug + Send {
    /// BAR0: bus-relative base and length.
    fn memory_bar(&self) -> (u64, u32);
    /// Number of MSI-X vectors programmed.
    fn msix_vectors(&self) -> u16;
    /// The MSI-X message address and data of `vector` (what the bus driver programmed).
    fn message(&self, vector: u16) -> (u64, u32);
    /// 32-bit register read at `offset` in BAR0.
    fn read_register(&mut self, offset: u32) -> Result<u32, String>;
    /// 32-bit register write at `offset` in BAR0.
    fn write_register(&mut self, offset: u32, value: u32) -> Result<(), String>;
    /// Config-space bytes at `offset`.
    fn read_config(&mut self, offset: u32, out: &mut [u8]) -> Result<(), String>;
    /// Allocates `len` bytes of device-reachable memory; returns its bus address.
    fn alloc_dma(&mut self, len: u64, align: u64) -> Option<u64>;
    /// Frees what [`PciDevice::alloc_dma`] returned.
    fn free_dma(&mut self, bus_address: u64);
    /// Reads device-reachable memory at a bus address.
    fn read_dma(&self, bus_address: u64, out: &mut [u8]) -> Result<(), String>;
    /// The ranges `(bus address, length)` the device will DMA to or from once `value` is
    /// written to the register at `offset` (a ring's base and the buffers of the descriptors a
    /// tail write hands over); empty for other registers. Called before the write.
    fn dma_targets(&mut self, offset: u32, value: u32) -> Result<Vec<(u64, u64)>, String>;
    /// Points MSI-X table `entry` at `message`'s address and data (what the bus driver
    /// programmed for that message).
    fn set_msix_entry(&mut self, entry: u16, message: u16) -> Result<(), String>;
    /// Masks or unmasks MSI-X table `entry` (its Vector Control mask bit).
    fn mask_msix_entry(&mut self, entry: u16, masked: bool) -> Result<(), String>;
    /// Whether the device would still raise interrupts (any cause enabled).
    fn interrupts_enabled(&mut self) -> Result<bool, String>;
    /// Waits (bounded) until the device is quiet and returns the MSI-X messages per vector
    /// seen since the last call.
    fn settle(&mut self) -> Result<Vec<u64>, String>;
    /// Sends a frame into the device's wire.
    fn send_frame(&mut self, frame: &[u8]) -> Result<(), String>;
    /// A frame the device transmitted, if one arrives within a short bounded wait.
    fn receive_frame(&mut self) -> Result<Option<Vec<u8>>, String>;
    /// Whether the register at `offset` is a receive or transmit descriptor tail (RDT or TDT
    /// of any queue): a write there can make the device DMA and interrupt.
    fn is_ring_tail(&self, _offset: u32) -> bool {
        false
    }
    /// Waits (bounded) until frames sent into the wire have landed and the device is quiet,
    /// keeping the MSI-X messages for the next [`PciDevice::settle`] (nothing is delivered).
    fn quiesce(&mut self) -> Result<(), String> {
        Ok(())
    }
    /// Plugs (`true`) or pulls (`false`) the device's cable.
    fn set_link(&mut self, _up: bool) -> Result<(), String> {
        Err("this device has no cable to pull".to_string())
    }
}

/// What the host delivered for the PCI-backed adapter (for reports).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PciCounters {
    /// MSI-X messages delivered as MiniportMessageInterrupt.
    pub interrupts: u64,
    /// MiniportMessageInterruptDPC calls (the handler's own DPC and those NdisMQueueDpcEx queued).
    pub dpcs: u64,
}

/// The device of this host and what has been handed out over it.
#[derive(Debug, Default)]
pub struct PciState {
    device: Option<Box<dyn PciDevice>>,
    /// The address the driver sees for bus address 0 (the mapping of device-reachable memory).
    pub(super) window: u64,
    /// The adapter the device belongs to, once one was initialized.
    pub(super) adapter: Option<u64>,
    /// Where an emulator traps BAR0 accesses (its MMIO range): `NdisMMapIoSpace` of the
    /// device returns addresses there. `None` on the host build (accesses go through
    /// `READ_REGISTER_ULONG`'s call into ndis-sim).
    mmio_window: Option<u64>,
    /// A ring tail was written since the last delivery: the host delivers pending interrupts
    /// once the driver call that wrote it returns.
    armed: bool,
    /// The host is delivering interrupts (calls it makes do not start another delivery).
    delivering: bool,
    /// What was delivered.
    counters: PciCounters,
}

impl Model {
    /// Attaches a PCI NIC to this host: the next adapter initialized gets its resources.
    /// `window` is the address at which the driver sees bus address 0 of the device-reachable
    /// memory (the host's or the emulator's mapping of guest RAM).
    pub fn attach_pci_device(&mut self, device: Box<dyn PciDevice>, window: u64) {
        self.pci = PciState { device: Some(device), window, adapter: None, ..PciState::default() };
    }

    /// Makes `NdisMMapIoSpace` of the device return addresses in `[window, window + BAR0
    /// length)`, a range an emulator traps as MMIO.
    pub fn set_mmio_window(&mut self, window: u64) {
        self.pci.mmio_window = Some(window);
    }

    /// The address `NdisMMapIoSpace` returns for `physical` of `adapter`'s device when an MMIO
    /// window is set.
    pub(super) fn mmio_window_address(&self, adapter: u64, physical: u64) -> Option<u64> {
        let window = self.pci.mmio_window?;
        let (bar, _) = self.pci.device.as_deref()?.memory_bar();
        self.is_pci_adapter(adapter).then(|| window + (physical - bar))
    }

    /// Whether `va` lies in the MMIO window (not memory the address space allocated).
    pub(super) fn in_mmio_window(&self, va: u64) -> bool {
        let len = self.pci.device.as_deref().map_or(0, |d| u64::from(d.memory_bar().1));
        self.pci.mmio_window.is_some_and(|w| va >= w && va < w + len)
    }

    /// The attached device, if any.
    pub fn pci_device(&mut self) -> Option<&mut (dyn PciDevice + 'static)> {
        self.pci.device.as_deref_mut()
    }

    /// The adapter the device belongs to.
    pub fn pci_adapter(&self) -> Option<u64> {
        self.pci.adapter
    }

    /// Whether a ring tail write asks for a delivery now: armed, no driver call running and no
    /// delivery under way. Disarms when it says yes.
    pub fn take_armed_delivery(&mut self) -> bool {
        let now = self.pci.armed && !self.pci.delivering && self.frames.is_empty();
        if now {
            self.pci.armed = false;
        }
        now
    }

    /// Takes the mark a ring tail write left (whatever runs).
    pub fn take_armed(&mut self) -> bool {
        std::mem::take(&mut self.pci.armed)
    }

    /// Marks a delivery under way (or over); returns the previous mark.
    pub fn set_delivering(&mut self, on: bool) -> bool {
        std::mem::replace(&mut self.pci.delivering, on)
    }

    /// `adapter` halted: its device goes back to the bus, and the next adapter initialized gets
    /// it again (NDIS re-initializing the same NIC).
    pub(super) fn release_pci_device(&mut self, adapter: u64) {
        if self.pci.adapter == Some(adapter) {
            self.pci.adapter = None;
            self.pci.armed = false;
        }
    }

    /// Counts one delivered MSI-X message (`dpc`: its DPC ran) or, with `interrupt` false, one
    /// DPC queued with NdisMQueueDpcEx that ran.
    pub fn count_delivery(&mut self, interrupt: bool, dpc: bool) {
        self.pci.counters.interrupts += u64::from(interrupt);
        self.pci.counters.dpcs += u64::from(dpc);
    }

    /// What the host delivered to the PCI-backed adapter so far.
    pub fn pci_counters(&self) -> PciCounters {
        self.pci.counters
    }

    /// Whether `adapter` is backed by the PCI device.
    pub(super) fn is_pci_adapter(&self, adapter: u64) -> bool {
        self.pci.adapter == Some(adapter) && self.pci.device.is_some()
    }

    /// Records a device failure and returns `None`.
    pub(super) fn device_failed<T>(&mut self, what: &str, error: String) -> Option<T> {
        self.violate(DEVICE_FAILED, format!("{what}: {error}"));
        None
    }

    /// Binds the device to a new adapter and writes `AllocatedResources` into its
    /// NDIS_MINIPORT_INIT_PARAMETERS: BAR0 (`CmResourceTypeMemory`) and one message-signaled
    /// `CmResourceTypeInterrupt` per MSI-X vector, as the PCI bus driver would.
    pub(super) fn give_pci_resources(
        &mut self,
        mem: &mut dyn AddressSpace,
        adapter: u64,
        params: u64,
    ) -> Result<(), Fault> {
        if self.pci.adapter.is_some() {
            return Ok(());
        }
        let Some(device) = self.pci.device.as_deref() else { return Ok(()) };
        let (bar, bar_len) = device.memory_bar();
        let vectors = device.msix_vectors();
        self.pci.adapter = Some(adapter);
        self.assign_io_range(adapter, bar, bar_len);
        let descriptor = size_of::<CM_PARTIAL_RESOURCE_DESCRIPTOR>();
        let first = std::mem::offset_of!(CM_PARTIAL_RESOURCE_LIST, PartialDescriptors);
        let count = 1 + usize::from(vectors);
        let len = first + count * descriptor;
        let list = mem.alloc(len, 8).ok_or(Fault { addr: 0, len, write: true })?;
        mem.write_u16(list, 1)?;
        mem.write_u16(list + 2, 1)?;
        // CAST: at most 1 + 65535 descriptors.
        mem.write_u32(list + 4, count as u32)?;
        let at = |i: usize| list + (first + i * descriptor) as u64;
        let d = at(0);
        mem.write(d, &[CmResourceTypeMemory, CmResourceShareDeviceExclusive])?;
        mem.write_u16(d + 2, 0)?;
        mem.write_u64(d + CM_MEMORY_START as u64, bar)?;
        mem.write_u32(d + CM_MEMORY_LENGTH as u64, bar_len)?;
        for vector in 0..vectors {
            let d = at(1 + usize::from(vector));
            mem.write(d, &[CmResourceTypeInterrupt, CmResourceShareDeviceExclusive])?;
            mem.write_u16(d + 2, CM_RESOURCE_INTERRUPT_MESSAGE | CM_RESOURCE_INTERRUPT_LATCHED)?;
            // Translated: Level (USHORT) and Group 0, the vector, one target processor.
            mem.write_u16(d + CM_MESSAGE_LEVEL as u64, u16::from(DEVICE_IRQL))?;
            mem.write_u32(d + CM_MESSAGE_VECTOR as u64, 0x40 + u32::from(vector))?;
            let processor = processors::message_processor(vector, self.processor_count());
            mem.write_u64(d + CM_MESSAGE_AFFINITY as u64, 1 << processor)?;
        }
        mem.write_u64(params + std::mem::offset_of!(NDIS_MINIPORT_INIT_PARAMETERS, AllocatedResources) as u64, list)?;
        Ok(())
    }

    /// The traffic source's frame for the device's wire: numbered and recorded like a send to
    /// `adapter` (with the queue its filters send it to), so whatever the driver indicates of
    /// it goes through the same receive checks as the software path (content, queue, order).
    pub fn wire_frame(&mut self, adapter: u64, spec: &FrameSpec) -> Vec<u8> {
        let key = FrameKey { dst: spec.dst, vlan: spec.vlan };
        let expected = self.adapter(adapter).map_or(0, |a| a.filters.expected_queue(&key));
        let sequence = self.traffic.record_send(adapter, None, *spec, expected);
        let mut frame = Vec::with_capacity(spec.len);
        build_frame(&mut frame, spec, sequence, expected);
        frame
    }

    /// `NdisMGetBusData` (<= DISPATCH_LEVEL): PCI config space of the adapter's device;
    /// returns the bytes copied into `buffer`.
    pub fn get_bus_data(
        &mut self,
        mem: &mut dyn AddressSpace,
        adapter: u64,
        which: u32,
        offset: u32,
        buffer: u64,
        length: u32,
    ) -> u32 {
        const API: &str = "NdisMGetBusData";
        if self.irql > DISPATCH_LEVEL {
            self.violate(BUS_DATA_INVALID, format!("{API} called at IRQL {}", self.irql));
            return 0;
        }
        if !self.check_adapter(adapter, API) {
            return 0;
        }
        if which != PCI_WHICHSPACE_CONFIG || u64::from(offset) + u64::from(length) > 4096 {
            self.violate(BUS_DATA_INVALID, format!("{API}: WhichSpace {which}, {length} bytes at {offset:#x}"));
            return 0;
        }
        if !self.is_pci_adapter(adapter) {
            return 0;
        }
        let mut bytes = vec![0; length as usize];
        let read = self.pci.device.as_deref_mut().map(|d| d.read_config(offset, &mut bytes));
        if let Some(Err(e)) = read {
            return self.device_failed(API, e).unwrap_or(0);
        }
        match mem.write(buffer, &bytes) {
            Ok(()) => length,
            Err(fault) => self.fault(API, fault).unwrap_or(0),
        }
    }

    /// The BAR0 offset of a register access at `address` through a live mapping of `adapter`'s
    /// device, or a `mmio.outside-mapping` violation.
    fn register_offset(&mut self, address: u64, what: &str) -> Option<u32> {
        let hit = self.io_mappings().into_iter().find(|(va, m)| {
            address >= *va && address.checked_add(4).is_some_and(|end| end <= *va + u64::from(m.length))
        });
        let Some((va, mapping)) = hit.filter(|_| address.is_multiple_of(4)) else {
            self.violate(
                MMIO_OUTSIDE_MAPPING,
                format!("{what} at {address:#x}: not a 4-aligned register inside a live NdisMMapIoSpace mapping"),
            );
            return None;
        };
        let (bar, _) = self.pci.device.as_deref()?.memory_bar();
        if !self.is_pci_adapter(mapping.adapter) {
            return None;
        }
        // CAST: a mapping lies inside BAR0, whose length is a u32.
        Some((mapping.physical - bar + (address - va)) as u32)
    }

    /// `READ_REGISTER_ULONG` of the host build: a register read through a mapping. Without a
    /// device behind the mapping the stand-in memory is read.
    pub fn read_register(&mut self, mem: &mut dyn AddressSpace, address: u64) -> u32 {
        const API: &str = "READ_REGISTER_ULONG";
        let device = self.pci.device.is_some();
        match self.register_offset(address, API) {
            Some(offset) if device => {
                let r = self.pci.device.as_deref_mut().map(|d| d.read_register(offset));
                match r {
                    Some(Ok(v)) => v,
                    Some(Err(e)) => self.device_failed(API, e).unwrap_or(u32::MAX),
                    None => u32::MAX,
                }
            }
            Some(_) | None if self.mapped_stand_in(address) => mem.read_u32(address).unwrap_or(u32::MAX),
            _ => u32::MAX,
        }
    }

    /// `WRITE_REGISTER_ULONG` of the host build: a register write through a mapping; a write
    /// that hands the device DMA addresses (a ring base or tail) is checked first.
    pub fn write_register(&mut self, mem: &mut dyn AddressSpace, address: u64, value: u32) {
        const API: &str = "WRITE_REGISTER_ULONG";
        let device = self.pci.device.is_some();
        match self.register_offset(address, API) {
            Some(offset) if device => {
                let targets = self.pci.device.as_deref_mut().map(|d| d.dma_targets(offset, value));
                match targets {
                    Some(Ok(ranges)) => self.check_dma_targets(offset, &ranges),
                    Some(Err(e)) => return self.device_failed(API, e).unwrap_or(()),
                    None => {}
                }
                match self.pci.device.as_deref_mut().map(|d| d.write_register(offset, value)) {
                    Some(Err(e)) => {
                        self.device_failed::<()>(API, e);
                    }
                    Some(Ok(())) => {
                        self.pci.armed |= self.pci.device.as_deref().is_some_and(|d| d.is_ring_tail(offset));
                    }
                    None => {}
                }
            }
            Some(_) | None if self.mapped_stand_in(address) => {
                let _ = mem.write_u32(address, value);
            }
            _ => {}
        }
    }

    /// Whether `address` is a register of a mapping with no device behind it.
    fn mapped_stand_in(&self, address: u64) -> bool {
        self.io_mappings().iter().any(|(va, m)| {
            !self.is_pci_adapter(m.adapter) && address >= *va && address + 4 <= *va + u64::from(m.length)
        })
    }

    /// Checks DMA targets a register write hands the device: each must lie inside DMA memory
    /// the adapter got from NDIS.
    fn check_dma_targets(&mut self, offset: u32, ranges: &[(u64, u64)]) {
        for &(bus, len) in ranges {
            if !self.dma_covers(bus, len) {
                self.violate(
                    dma::DMA_ADDRESS_NOT_NDIS_MEMORY,
                    format!(
                        "register {offset:#x} hands the device {len} bytes at bus address {bus:#x}, outside \
                         memory NDIS allocated for DMA (the IOMMU would fault)"
                    ),
                );
            }
        }
    }
}
