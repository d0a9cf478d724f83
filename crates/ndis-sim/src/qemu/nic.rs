//! [`IgbNic`]: QEMU's igb as the [`PciDevice`] of a simulated host, and [`attach_igb`], which
//! starts one, brings its link up (paid once per host) and hands it to the host's model.
//!
//! The DMA check reads what the 82576 will consume when a ring is armed: the ring base of a
//! queue (RDBAL/RDBAH or TDBAL/TDBAH with RDLEN/TDLEN) and the buffer addresses of the
//! descriptors between the old and the new tail (Intel 82576 datasheet, receive and transmit
//! descriptor rings).

use std::collections::BTreeMap;
use std::time::Duration;

use super::device::Igb;
use super::error::QemuError;
use super::guest_ram::DmaRegion;
use super::msix::MsixTargets;
use super::pci::PciFunction;
use super::process::QemuOptions;
use super::regs::{BAR0_LEN, QUEUES, Reg};
use crate::model::Model;
use crate::model::pci::PciDevice;

/// How long the device must show no change before it counts as quiet.
const SETTLE: Duration = Duration::from_millis(20);
/// Bound of every wait on the device.
const WAIT: Duration = Duration::from_secs(10);
/// How long `settle` waits for a frame just sent to reach the device (QEMU takes the datagram
/// in its own time); a frame the filters drop shows nothing, so the wait ends quietly.
const ARRIVAL_WAIT: Duration = Duration::from_secs(1);
/// How long `receive_frame` waits for a transmitted frame.
const RECEIVE_WAIT: Duration = Duration::from_millis(200);
/// Advanced transmit descriptor: DEXT (bit 29) and DTYP (bits 20..24) of CMD_TYPE_LEN.
const TX_DEXT: u32 = 1 << 29;
const TX_DTYP_CONTEXT: u32 = 0x2 << 20;
const TX_DTYP_MASK: u32 = 0xF << 20;
/// RXDCTL/TXDCTL.ENABLE (bit 25).
const DCTL_ENABLE: u32 = 1 << 25;

/// QEMU's igb with the DMA regions handed out over it.
#[derive(Debug)]
pub struct IgbNic {
    igb: Igb,
    regions: BTreeMap<u64, DmaRegion>,
    /// Ring heads when a frame was last sent into the wire and not yet seen to land.
    sent_at: Option<Vec<u32>>,
}

impl IgbNic {
    /// Wraps a started device.
    pub fn new(igb: Igb) -> Self {
        Self { igb, regions: BTreeMap::new(), sent_at: None }
    }

    /// The device.
    pub fn igb(&mut self) -> &mut Igb {
        &mut self.igb
    }

    /// The receive and transmit heads of every queue: what moves when the device DMAs.
    fn heads() -> Vec<Reg> {
        (0..QUEUES).flat_map(|q| [Reg::rdh(q), Reg::tdh(q)]).collect()
    }

    fn reg(offset: u32) -> Result<Reg, String> {
        Reg::from_offset(offset).ok_or_else(|| format!("{offset:#x} is not a BAR0 register"))
    }

    fn read(&mut self, reg: Reg) -> Result<u32, String> {
        self.igb.read(reg).map_err(|e| e.to_string())
    }

    fn read_u64(&self, bus: u64) -> Result<u64, String> {
        self.igb.ram().read_u64(bus).map_err(|e| e.to_string())
    }

    /// The queue whose tail register is at `offset`: `Some((receive?, queue))`.
    fn tail_queue(offset: u32) -> Option<(bool, u32)> {
        (0..QUEUES).find_map(|q| {
            if Reg::rdt(q).offset() == offset {
                Some((true, q))
            } else if Reg::tdt(q).offset() == offset {
                Some((false, q))
            } else {
                None
            }
        })
    }

    /// The buffers of the descriptors `[old, new)` of a ring, and the ring itself.
    fn ring_targets(&mut self, rx: bool, q: u32, new_tail: u32) -> Result<Vec<(u64, u64)>, String> {
        let (bal, bah, len, tail, control) = if rx {
            (Reg::rdbal(q), Reg::rdbah(q), Reg::rdlen(q), Reg::rdt(q), Reg::rxdctl(q))
        } else {
            (Reg::tdbal(q), Reg::tdbah(q), Reg::tdlen(q), Reg::tdt(q), Reg::txdctl(q))
        };
        // A disabled queue fetches nothing: software sets its head and tail while it is off
        // (datasheet 4.5.9 / 4.5.10, queue initialization), and only the tail writes after the
        // enable hand descriptors over.
        if self.read(control)? & DCTL_ENABLE == 0 {
            return Ok(Vec::new());
        }
        let base = u64::from(self.read(bal)?) | (u64::from(self.read(bah)?) << 32);
        let ring_len = self.read(len)?;
        let count = ring_len / 16;
        if count == 0 {
            // No ring configured yet: the device fetches nothing.
            return Ok(Vec::new());
        }
        let mut targets = vec![(base, u64::from(ring_len))];
        let buffer = if rx { u64::from(self.read(Reg::srrctl(q))? & 0x7F).max(2) * 1024 } else { 0 };
        let mut i = self.read(tail)? % count;
        let end = new_tail % count;
        while i != end {
            let desc = base + 16 * u64::from(i);
            if rx {
                targets.push((self.read_u64(desc)?, buffer));
                let header = self.read_u64(desc + 8)?;
                if header != 0 {
                    targets.push((header, 1));
                }
            } else {
                let cmd = (self.read_u64(desc + 8)? & 0xFFFF_FFFF) as u32;
                let context = cmd & TX_DEXT != 0 && cmd & TX_DTYP_MASK == TX_DTYP_CONTEXT;
                if !context {
                    targets.push((self.read_u64(desc)?, u64::from(cmd & 0xFFFF).max(1)));
                }
            }
            i = (i + 1) % count;
        }
        Ok(targets)
    }
}

impl PciDevice for IgbNic {
    fn memory_bar(&self) -> (u64, u32) {
        (self.igb.bars().memory[0], BAR0_LEN)
    }

    fn msix_vectors(&self) -> u16 {
        self.igb.msix_capability().table_size
    }

    fn message(&self, vector: u16) -> (u64, u32) {
        (MsixTargets::address(vector), MsixTargets::data(vector))
    }

    fn read_register(&mut self, offset: u32) -> Result<u32, String> {
        let reg = Self::reg(offset)?;
        self.read(reg)
    }

    fn write_register(&mut self, offset: u32, value: u32) -> Result<(), String> {
        let reg = Self::reg(offset)?;
        self.igb.write(reg, value).map_err(|e| e.to_string())
    }

    fn read_config(&mut self, offset: u32, out: &mut [u8]) -> Result<(), String> {
        let function = self.igb.function();
        for (i, byte) in out.iter_mut().enumerate() {
            let at = offset as usize + i;
            *byte = match u8::try_from(at & !3) {
                Ok(dword) => {
                    let word = function.read32(self.igb.qtest(), dword).map_err(|e| e.to_string())?;
                    word.to_le_bytes()[at & 3]
                }
                // Extended config space is not reachable through CF8/CFC.
                Err(_) => 0xFF,
            };
        }
        Ok(())
    }

    fn alloc_dma(&mut self, len: u64, align: u64) -> Option<u64> {
        let region = self.igb.ram_mut().alloc(len, align).ok()?;
        let bus = region.addr();
        self.regions.insert(bus, region);
        Some(bus)
    }

    fn free_dma(&mut self, bus_address: u64) {
        if let Some(region) = self.regions.remove(&bus_address) {
            self.igb.ram_mut().free(region);
        }
    }

    fn read_dma(&self, bus_address: u64, out: &mut [u8]) -> Result<(), String> {
        self.igb.ram().read(bus_address, out).map_err(|e| e.to_string())
    }

    fn dma_targets(&mut self, offset: u32, value: u32) -> Result<Vec<(u64, u64)>, String> {
        match Self::tail_queue(offset) {
            Some((rx, q)) => self.ring_targets(rx, q, value),
            None => Ok(Vec::new()),
        }
    }

    fn set_msix_entry(&mut self, entry: u16, message: u16) -> Result<(), String> {
        let capability = *self.igb.msix_capability();
        let (address, data) = self.message(message);
        PciFunction::program_msix_vector(self.igb.qtest(), &capability, entry, address, data).map_err(|e| e.to_string())
    }

    fn mask_msix_entry(&mut self, entry: u16, masked: bool) -> Result<(), String> {
        let capability = *self.igb.msix_capability();
        if entry >= capability.table_size {
            return Err(format!("MSI-X entry {entry} beyond the table ({})", capability.table_size));
        }
        // PCI Local Bus 3.0, MSI-X table: Vector Control (offset 12), bit 0 = Mask Bit.
        let control = capability.table + 16 * u64::from(entry) + 12;
        self.igb.qtest().writel(control, u32::from(masked)).map_err(|e| e.to_string())
    }

    fn interrupts_enabled(&mut self) -> Result<bool, String> {
        Ok(self.read(Reg::EIMS)? != 0 || self.read(Reg::IMS)? != 0)
    }

    fn settle(&mut self) -> Result<Vec<u64>, String> {
        self.quiesce()?;
        Ok(self.igb.msix_mut().take_counts())
    }

    fn quiesce(&mut self) -> Result<(), String> {
        let heads = Self::heads();
        if let Some(before) = self.sent_at.take() {
            let arrived = self.igb.wait_until("a sent frame to land", ARRIVAL_WAIT, |igb| {
                let now = heads.iter().map(|&r| igb.read(r)).collect::<Result<Vec<u32>, QemuError>>()?;
                Ok(now != before || igb.msix().counts().iter().any(|&n| n > 0))
            });
            match arrived {
                Ok(()) | Err(QemuError::Timeout { .. }) => {}
                Err(e) => return Err(e.to_string()),
            }
        }
        self.igb.wait_quiet(&heads, SETTLE, WAIT).map_err(|e| e.to_string())
    }

    fn set_link(&mut self, up: bool) -> Result<(), String> {
        self.igb.set_link(up).map_err(|e| e.to_string())
    }

    fn send_frame(&mut self, frame: &[u8]) -> Result<(), String> {
        if self.sent_at.is_none() {
            let heads = Self::heads().into_iter().map(|r| self.read(r)).collect::<Result<Vec<u32>, String>>()?;
            self.sent_at = Some(heads);
        }
        self.igb.wire().send(frame).map_err(|e| e.to_string())
    }

    fn receive_frame(&mut self) -> Result<Option<Vec<u8>>, String> {
        self.igb.wire().recv(RECEIVE_WAIT).map_err(|e| e.to_string())
    }

    fn is_ring_tail(&self, offset: u32) -> bool {
        (0..QUEUES).any(|q| offset == Reg::rdt(q).offset() || offset == Reg::tdt(q).offset())
    }
}

/// Starts QEMU's igb, resets it and waits for link (once per host), and attaches it to
/// `model`: the next adapter initialized is this PCI NIC. The driver sees guest RAM at the
/// host's shared mapping. Returns how long the link took.
pub fn attach_igb(model: &mut Model, options: &QemuOptions) -> Result<Duration, QemuError> {
    let mut igb = Igb::start(options)?;
    let link = igb.reset_and_link_up(WAIT)?;
    let window = igb.ram().host_address();
    model.attach_pci_device(Box::new(IgbNic::new(igb)), window);
    Ok(link)
}
