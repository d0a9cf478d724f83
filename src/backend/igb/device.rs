//! The 82576 bring-up and control sequences over [`Registers`]: reset, permanent MAC, link,
//! MSI-X routing and interrupt causes. Pools, filters and queues are in `vmdq.rs` and
//! `queues.rs`, counters in `stats.rs`.

use super::regs::{self, Registers, ctrl, gpie, icr, ivar, mdic, status};

/// How many times a self-clearing bit or a queue enable is polled before giving up.
pub const POLL_LIMIT: u32 = 10_000;
/// Microseconds between two polls (`Registers::stall`).
pub const POLL_INTERVAL_US: u32 = 10;

/// What can go wrong talking to the 82576.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IgbError {
    /// CTRL.RST did not clear (datasheet 4.3.1: the reset completes within about 1 ms).
    ResetTimeout,
    /// MDIC.READY did not rise, or MDIC.E reported a PHY error.
    Phy,
    /// RXDCTL/TXDCTL.ENABLE did not read back as asked for this queue.
    QueueTimeout {
        /// The queue.
        queue: u32,
    },
    /// An index past what the 82576 has (queue, pool, RAR or VLVF entry, vector).
    OutOfRange,
    /// No free RAR or VLVF entry.
    NoFreeEntry,
}

/// Polls `offset` until `(value & mask) == want`, at most [`POLL_LIMIT`] times.
pub(super) fn poll<R: Registers>(regs: &mut R, offset: u32, mask: u32, want: u32) -> bool {
    for _ in 0..POLL_LIMIT {
        if regs.read(offset) & mask == want {
            return true;
        }
        regs.stall(POLL_INTERVAL_US);
    }
    false
}

/// Where each interrupt cause goes in MSI-X mode (GPIE.Multiple_MSIX, IVAR, IVAR_MISC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MsixLayout {
    /// Receive queues `0..rx_queues` each get the vector of their number.
    pub rx_queues: u32,
    /// Transmit queue 0's vector.
    pub tx_vector: u32,
    /// The vector of the other causes (link status change, receiver overrun).
    pub other_vector: u32,
    /// EITR value of every vector used: 0 sends each message at once; otherwise the interval
    /// field (bits 14:2) of EITR, as the datasheet's 8.8.13 encodes it.
    pub eitr: u32,
}

impl MsixLayout {
    /// RX queue `q` → vector `q` for `rx_queues` queues, then TX, then the other causes:
    /// `rx_queues + 2` vectors in all.
    #[must_use]
    pub const fn dense(rx_queues: u32) -> Self {
        Self { rx_queues, tx_vector: rx_queues, other_vector: rx_queues + 1, eitr: 0 }
    }

    /// The EICR/EIMS bit of every vector used.
    #[must_use]
    pub const fn vector_mask(&self) -> u32 {
        let rx = if self.rx_queues >= 32 { u32::MAX } else { (1u32 << self.rx_queues) - 1 };
        rx | bit(self.tx_vector) | bit(self.other_vector)
    }
}

const fn bit(n: u32) -> u32 {
    if n < 32 { 1 << n } else { 0 }
}

/// Extended interrupt causes (EICR, 8.8.7 in MSI-X mode: one bit a vector).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtendedCauses(pub u32);

impl ExtendedCauses {
    /// Whether vector `v` has a pending cause.
    #[must_use]
    pub const fn vector(self, v: u32) -> bool {
        self.0 & bit(v) != 0
    }
}

/// Other interrupt causes (ICR, 8.8.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Causes(pub u32);

impl Causes {
    /// Link status changed: read STATUS.LU and indicate the new link state.
    #[must_use]
    pub const fn link_status_change(self) -> bool {
        self.0 & icr::LSC != 0
    }
    /// Receiver overrun: a frame was dropped for want of descriptors (counted in hardware).
    #[must_use]
    pub const fn receiver_overrun(self) -> bool {
        self.0 & icr::RXO != 0
    }
}

/// The link as STATUS reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkState {
    /// STATUS.LU.
    pub up: bool,
    /// Bits per second (STATUS.SPEED), 0 when down.
    pub speed: u64,
}

/// An 82576 behind its registers.
#[derive(Debug)]
pub struct Device<R> {
    regs: R,
}

impl<R: Registers> Device<R> {
    /// The device behind `regs` (nothing is written yet).
    pub const fn new(regs: R) -> Self {
        Self { regs }
    }

    /// The register access, e.g. for a test to look at what was written.
    pub const fn registers(&self) -> &R {
        &self.regs
    }

    /// The register access, mutable.
    pub const fn registers_mut(&mut self) -> &mut R {
        &mut self.regs
    }

    /// Gives the register access back.
    pub fn into_registers(self) -> R {
        self.regs
    }

    /// Global reset (4.3.1): every interrupt masked (IMC, EIMC), CTRL.RST set, then polled
    /// until it clears; interrupts masked again since the reset restores defaults. RAL0/RAH0
    /// hold the permanent MAC from the EEPROM afterwards.
    pub fn reset(&mut self) -> Result<(), IgbError> {
        self.regs.write(regs::IMC, u32::MAX);
        self.regs.write(regs::EIMC, u32::MAX);
        let ctrl = self.regs.read(regs::CTRL);
        self.regs.write(regs::CTRL, ctrl | ctrl::RST);
        self.regs.stall(1000);
        if !poll(&mut self.regs, regs::CTRL, ctrl::RST, 0) {
            return Err(IgbError::ResetTimeout);
        }
        self.regs.write(regs::IMC, u32::MAX);
        self.regs.write(regs::EIMC, u32::MAX);
        self.regs.read(regs::ICR);
        Ok(())
    }

    /// The permanent MAC address: RAL0/RAH0 as loaded from the EEPROM (8.10.13), or `None`
    /// when entry 0 is not valid.
    pub fn permanent_mac(&mut self) -> Option<[u8; 6]> {
        let low = self.regs.read(regs::ral(0)).to_le_bytes();
        let high = self.regs.read(regs::rah(0));
        if high & regs::rah::AV == 0 {
            return None;
        }
        let high = high.to_le_bytes();
        Some([low[0], low[1], low[2], low[3], high[0], high[1]])
    }

    /// Writes PHY register `register` through MDIC (8.2.4) and waits for MDIC.READY.
    pub fn phy_write(&mut self, register: u32, value: u32) -> Result<(), IgbError> {
        let command = (value & mdic::DATA_MASK)
            | ((register & 0x1F) << mdic::REG_SHIFT)
            | (mdic::PHY_ADDRESS << mdic::PHY_SHIFT)
            | mdic::OP_WRITE;
        self.regs.write(regs::MDIC, command);
        if !poll(&mut self.regs, regs::MDIC, mdic::READY, mdic::READY) {
            return Err(IgbError::Phy);
        }
        if self.regs.read(regs::MDIC) & mdic::ERROR != 0 {
            return Err(IgbError::Phy);
        }
        Ok(())
    }

    /// Link setup (3.5.x, copper): CTRL.SLU, then auto-negotiation enabled and restarted in
    /// the PHY's control register. The link comes up later: LSC fires, [`Device::link`] says.
    pub fn link_up(&mut self) -> Result<(), IgbError> {
        let ctrl = self.regs.read(regs::CTRL);
        self.regs.write(regs::CTRL, ctrl | ctrl::SLU);
        self.phy_write(mdic::PHY_CONTROL, mdic::AUTONEG_ENABLE_RESTART)
    }

    /// The link state from STATUS (8.2.2).
    pub fn link(&mut self) -> LinkState {
        let s = self.regs.read(regs::STATUS);
        if s & status::LU == 0 {
            return LinkState { up: false, speed: 0 };
        }
        let speed = match (s >> status::SPEED_SHIFT) & 3 {
            0 => 10_000_000,
            1 => 100_000_000,
            _ => 1_000_000_000,
        };
        LinkState { up: true, speed }
    }

    /// MSI-X mode (7.3.1, 8.8.15, 8.8.16): GPIE multiple-MSI-X with PBA support and NSICR (the
    /// other-cause handler's ICR read clears ICR); IVAR byte 0 of entry `q` routes RX queue `q`,
    /// byte 1 of entry 0 routes TX queue 0, IVAR_MISC byte 1 routes the other causes; EITR of
    /// each vector; EIAC auto-clears each vector's EICR bit when its message is sent (without
    /// it the bit stays set and no further message goes out on that vector); EIMS unmasks the
    /// vectors, IMS the other causes (LSC, RXO). A cause already pending in ICR (the link-up
    /// of bring-up) sends the other vector's message at once; its handler must read ICR
    /// ([`Device::causes`]) every time, or a later LSC finds the bit still set and stays silent.
    pub fn configure_msix(&mut self, layout: &MsixLayout) -> Result<(), IgbError> {
        if layout.rx_queues > 8 || layout.tx_vector >= regs::MSIX_VECTORS || layout.other_vector >= regs::MSIX_VECTORS {
            return Err(IgbError::OutOfRange);
        }
        self.regs.write(regs::GPIE, gpie::MULTIPLE_MSIX | gpie::PBA_SUPPORT | gpie::NSICR);
        for entry in 0..8 {
            let rx = if entry < layout.rx_queues { ivar::VALID | entry } else { 0 };
            let tx = if entry == 0 { (ivar::VALID | layout.tx_vector) << 8 } else { 0 };
            self.regs.write(regs::ivar(entry), rx | tx);
        }
        self.regs.write(regs::IVAR_MISC, (ivar::VALID | layout.other_vector) << 8);
        let mask = layout.vector_mask();
        for v in 0..regs::MSIX_VECTORS {
            if mask & bit(v) != 0 {
                self.regs.write(regs::eitr(v), layout.eitr);
            }
        }
        self.regs.write(regs::EIAC, mask);
        self.regs.write(regs::EIMS, mask);
        self.regs.write(regs::IMS, icr::LSC | icr::RXO);
        Ok(())
    }

    /// Masks vectors (EIMC): what a message's ISR does before queuing its DPC.
    pub fn mask_vectors(&mut self, mask: u32) {
        self.regs.write(regs::EIMC, mask);
    }

    /// Unmasks vectors (EIMS): what a DPC does when it has drained its queue.
    pub fn unmask_vectors(&mut self, mask: u32) {
        self.regs.write(regs::EIMS, mask);
    }

    /// Reads EICR (8.8.7; with EIAC set the bits of sent messages are already clear).
    pub fn extended_causes(&mut self) -> ExtendedCauses {
        ExtendedCauses(self.regs.read(regs::EICR))
    }

    /// Reads ICR (8.8.1): with GPIE.NSICR the read clears it. The other-cause vector's handler.
    pub fn causes(&mut self) -> Causes {
        Causes(self.regs.read(regs::ICR))
    }
}

#[cfg(test)]
#[path = "device_tests.rs"]
mod tests;
