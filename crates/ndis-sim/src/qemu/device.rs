//! [`Igb`]: an Intel 82576 (QEMU's `igb`) as the simulated host's PCI device.
//!
//! What a miniport's `MiniportInitializeEx` finds on real hardware is set up here the way
//! Windows' PCI bus driver and the HAL would leave it: BARs assigned, memory decoding and bus
//! mastering on, one MSI-X message per vector at an address the host chose (here a word in
//! guest RAM, see [`MsixTargets`]). The owner then touches BAR0 registers (what
//! `NdisMMapIoSpace` maps), hands out DMA memory from [`GuestRam`], polls MSI-X messages
//! (what would run `MiniportInterruptDPC`) and sends/receives frames on the [`Wire`].

use std::time::{Duration, Instant};

use super::error::QemuError;
use super::guest_ram::GuestRam;
use super::msix::MsixTargets;
use super::pci::{Bars, MsixCapability, PciFunction};
use super::process::{NETDEV_ID, QemuOptions, QemuProcess, StartTimings};
use super::qtest::Qtest;
use super::regs::{Reg, ctrl, status};
use super::wire::Wire;

/// Intel's PCI vendor ID.
pub const VENDOR_INTEL: u16 = 0x8086;
/// The 82576's PCI device ID (copper).
pub const DEVICE_82576: u16 = 0x10C9;

/// MDIC write of PHY 1 register 0 (BMCR) = auto-negotiation enable | restart.
const MDIC_RESTART_AUTONEG: u32 = 0x0420_1200;

/// How long a poll loop sleeps between looks.
const POLL_INTERVAL: Duration = Duration::from_micros(500);

/// One QEMU igb NIC, owned by one simulated host.
#[derive(Debug)]
pub struct Igb {
    qemu: QemuProcess,
    ram: GuestRam,
    msix: MsixTargets,
    function: PciFunction,
    bars: Bars,
    msix_capability: MsixCapability,
}

impl Igb {
    /// Starts QEMU and brings the NIC up on PCI: BARs, command register, MSI-X table (every
    /// vector pointed at its word in guest RAM, unmasked) and MSI-X enable.
    pub fn start(options: &QemuOptions) -> Result<Self, QemuError> {
        let (mut qemu, map) = QemuProcess::start(options)?;
        let qt = &mut qemu.qtest;
        let function = PciFunction::find(qt, VENDOR_INTEL, DEVICE_82576)?;
        let bars = function.assign_bars(qt)?;
        if bars.memory[0] == 0 {
            return Err(QemuError::Pci("BAR0 is not a memory BAR".into()));
        }
        let msix_capability = function.msix(qt, &bars)?;
        let msix = MsixTargets::new(msix_capability.table_size)?;
        for vector in 0..msix_capability.table_size {
            PciFunction::program_msix_vector(
                qt,
                &msix_capability,
                vector,
                MsixTargets::address(vector),
                MsixTargets::data(vector),
            )?;
        }
        function.enable_msix(qt, &msix_capability)?;
        Ok(Self { qemu, ram: GuestRam::new(map), msix, function, bars, msix_capability })
    }

    /// BAR0 register read (one qtest round trip).
    pub fn read(&mut self, reg: Reg) -> Result<u32, QemuError> {
        Ok(self.qemu.qtest.readl(self.bars.memory[0] + u64::from(reg.offset()))?)
    }

    /// BAR0 register write.
    pub fn write(&mut self, reg: Reg, value: u32) -> Result<(), QemuError> {
        Ok(self.qemu.qtest.writel(self.bars.memory[0] + u64::from(reg.offset()), value)?)
    }

    /// Read-modify-write: sets `bits` in `reg`.
    pub fn set_bits(&mut self, reg: Reg, bits: u32) -> Result<(), QemuError> {
        let value = self.read(reg)?;
        self.write(reg, value | bits)
    }

    /// Software reset (CTRL.RST, self-clearing), then link set up and auto-negotiation
    /// restarted through the PHY; waits for STATUS.LU and returns how long the link took.
    pub fn reset_and_link_up(&mut self, timeout: Duration) -> Result<Duration, QemuError> {
        self.set_bits(Reg::CTRL, ctrl::RST | ctrl::SLU)?;
        self.write(Reg::MDIC, MDIC_RESTART_AUTONEG)?;
        let started = Instant::now();
        self.wait_until("STATUS.LU after reset", timeout, |igb| Ok(igb.read(Reg::STATUS)? & status::LU != 0))?;
        Ok(started.elapsed())
    }

    /// Pulls (`false`) or plugs (`true`) the cable: QMP `set_link` on the NIC's netdev.
    pub fn set_link(&mut self, up: bool) -> Result<(), QemuError> {
        self.qemu.qmp.set_link(NETDEV_ID, up)
    }

    /// Guest RAM (descriptor rings and buffers live here).
    pub fn ram(&self) -> &GuestRam {
        &self.ram
    }

    /// Guest RAM, to allocate or free DMA memory.
    pub fn ram_mut(&mut self) -> &mut GuestRam {
        &mut self.ram
    }

    /// The cable's far end.
    pub fn wire(&self) -> &Wire {
        &self.qemu.wire
    }

    /// Takes new MSI-X messages into the per-vector counts; returns how many were new.
    pub fn poll_msix(&mut self) -> Result<u64, QemuError> {
        self.msix.poll(&self.ram)
    }

    /// The MSI-X message counts.
    pub fn msix(&self) -> &MsixTargets {
        &self.msix
    }

    /// The MSI-X message counts, to take or reset them.
    pub fn msix_mut(&mut self) -> &mut MsixTargets {
        &mut self.msix
    }

    /// Polls (every 0.5 ms, bounded by `timeout`) until `done` holds; MSI-X messages are
    /// collected on the way.
    pub fn wait_until(
        &mut self,
        what: &'static str,
        timeout: Duration,
        mut done: impl FnMut(&mut Self) -> Result<bool, QemuError>,
    ) -> Result<(), QemuError> {
        let deadline = Instant::now() + timeout;
        loop {
            self.poll_msix()?;
            if done(self)? {
                return Ok(());
            }
            if Instant::now() >= deadline {
                self.qemu.check_alive()?;
                return Err(QemuError::Timeout { what, after: timeout });
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// Waits until at least one message of `vector` has been counted.
    pub fn wait_for_message(&mut self, vector: u16, timeout: Duration) -> Result<(), QemuError> {
        let index = usize::from(vector);
        self.wait_until("an MSI-X message", timeout, |igb| Ok(igb.msix.counts().get(index).is_some_and(|&n| n > 0)))
    }

    /// Waits until the device is quiet: for `settle`, no new MSI-X message and no change in the
    /// registers in `watch` (ring heads, typically). Bounded by `timeout`.
    pub fn wait_quiet(&mut self, watch: &[Reg], settle: Duration, timeout: Duration) -> Result<(), QemuError> {
        let mut last = Vec::with_capacity(watch.len());
        let mut quiet_since = Instant::now();
        self.wait_until("the device to go quiet", timeout, |igb| {
            let messages = igb.msix.poll(&igb.ram)?;
            let now = watch.iter().map(|&reg| igb.read(reg)).collect::<Result<Vec<u32>, QemuError>>()?;
            if messages > 0 || now != last {
                last = now;
                quiet_since = Instant::now();
            }
            Ok(quiet_since.elapsed() >= settle)
        })
    }

    /// The qtest session, for anything the typed API does not cover.
    pub fn qtest(&mut self) -> &mut Qtest {
        &mut self.qemu.qtest
    }

    /// Where the PCI bring-up put the BARs.
    pub fn bars(&self) -> &Bars {
        &self.bars
    }

    /// The MSI-X capability found and enabled.
    pub fn msix_capability(&self) -> &MsixCapability {
        &self.msix_capability
    }

    /// The NIC's PCI function.
    pub fn function(&self) -> PciFunction {
        self.function
    }

    /// What starting QEMU cost.
    pub fn timings(&self) -> StartTimings {
        self.qemu.timings
    }

    /// The QEMU process behind the device (pid, files).
    pub fn process(&self) -> &QemuProcess {
        &self.qemu
    }
}

/// The device can move to the thread of the model that owns it.
const _: fn() = || {
    fn send<T: Send>() {}
    send::<Igb>();
};
