//! Per-queue DMA setup and teardown (82576 datasheet 4.5.9 receive and 4.5.10 transmit
//! initialization; 7.1.4 / 7.2.2 queue enable and disable).

use super::device::{Device, IgbError, poll};
use super::regs::{self, Registers, dctl, srrctl, tctl};

/// Where a ring lives and how big it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RingPlacement {
    /// Device-visible (logical) address of descriptor 0, 128-byte aligned.
    pub base: u64,
    /// Ring length in bytes (RDLEN/TDLEN): descriptors × 16, a multiple of 128.
    pub bytes: u32,
}

impl<R: Registers> Device<R> {
    /// Receive queue `queue` setup: RXDCTL cleared, base and length, SRRCTL advanced
    /// one-buffer descriptors with `buffer_bytes` packet buffers (rounded down to 1 KiB) and
    /// drop-enable (a frame finding no descriptor is dropped and counted, never held), head and
    /// tail 0, RXDCTL.ENABLE set and polled until it reads 1. Post the buffers and write the
    /// tail ([`Device::set_rx_tail`]) afterwards: frames flow from then on.
    pub fn setup_rx_queue(&mut self, queue: u32, ring: RingPlacement, buffer_bytes: u32) -> Result<(), IgbError> {
        if queue >= regs::QUEUES || ring.bytes == 0 || !ring.bytes.is_multiple_of(128) || buffer_bytes < 1024 {
            return Err(IgbError::OutOfRange);
        }
        let r = self.registers_mut();
        r.write(regs::rxdctl(queue), 0);
        // CAST: the two halves of a 64-bit address.
        r.write(regs::rdbal(queue), ring.base as u32);
        r.write(regs::rdbah(queue), (ring.base >> 32) as u32);
        r.write(regs::rdlen(queue), ring.bytes);
        let size = (buffer_bytes / 1024) & srrctl::BSIZEPACKET_MASK;
        r.write(regs::srrctl(queue), srrctl::DESCTYPE_ADVANCED_ONE_BUFFER | srrctl::DROP_EN | size);
        r.write(regs::rdh(queue), 0);
        r.write(regs::rdt(queue), 0);
        r.write(regs::rxdctl(queue), dctl::ENABLE);
        if !poll(r, regs::rxdctl(queue), dctl::ENABLE, dctl::ENABLE) {
            return Err(IgbError::QueueTimeout { queue });
        }
        Ok(())
    }

    /// Hands the device the descriptors up to, not including, `tail` (RDT).
    pub fn set_rx_tail(&mut self, queue: u32, tail: u32) {
        if queue < regs::QUEUES {
            self.registers_mut().write(regs::rdt(queue), tail);
        }
    }

    /// Receive queue disable (7.1.4.x): RXDCTL.ENABLE cleared, then read back until it is 0.
    /// The device finishes the frame it is writing and stops; once this returns `Ok` it
    /// writes nothing more into the queue's descriptors or buffers, so the queue's DMA has
    /// stopped (what a DmaStopped indication promises). Reap the ring, then cancel the rest.
    pub fn disable_rx_queue(&mut self, queue: u32) -> Result<(), IgbError> {
        if queue >= regs::QUEUES {
            return Err(IgbError::OutOfRange);
        }
        let r = self.registers_mut();
        let value = r.read(regs::rxdctl(queue));
        r.write(regs::rxdctl(queue), value & !dctl::ENABLE);
        if !poll(r, regs::rxdctl(queue), dctl::ENABLE, 0) {
            return Err(IgbError::QueueTimeout { queue });
        }
        Ok(())
    }

    /// Whether RXDCTL.ENABLE of `queue` reads 1.
    pub fn rx_queue_enabled(&mut self, queue: u32) -> bool {
        queue < regs::QUEUES && self.registers_mut().read(regs::rxdctl(queue)) & dctl::ENABLE != 0
    }

    /// The device's receive head (RDH), for diagnostics; the data path uses DD instead.
    pub fn rx_head(&mut self, queue: u32) -> u32 {
        if queue < regs::QUEUES { self.registers_mut().read(regs::rdh(queue)) } else { 0 }
    }

    /// Transmit queue `queue` setup: base, length, head = tail = 0, TXDCTL.ENABLE polled until
    /// it reads 1, then TCTL.EN with short packets padded.
    pub fn setup_tx_queue(&mut self, queue: u32, ring: RingPlacement) -> Result<(), IgbError> {
        if queue >= regs::QUEUES || ring.bytes == 0 || !ring.bytes.is_multiple_of(128) {
            return Err(IgbError::OutOfRange);
        }
        let r = self.registers_mut();
        r.write(regs::txdctl(queue), 0);
        // CAST: the two halves of a 64-bit address.
        r.write(regs::tdbal(queue), ring.base as u32);
        r.write(regs::tdbah(queue), (ring.base >> 32) as u32);
        r.write(regs::tdlen(queue), ring.bytes);
        r.write(regs::tdh(queue), 0);
        r.write(regs::tdt(queue), 0);
        r.write(regs::txdctl(queue), dctl::ENABLE);
        if !poll(r, regs::txdctl(queue), dctl::ENABLE, dctl::ENABLE) {
            return Err(IgbError::QueueTimeout { queue });
        }
        let t = r.read(regs::TCTL);
        r.write(regs::TCTL, t | tctl::EN | tctl::PSP);
        Ok(())
    }

    /// Hands the device the transmit descriptors up to `tail` (TDT).
    pub fn set_tx_tail(&mut self, queue: u32, tail: u32) {
        if queue < regs::QUEUES {
            self.registers_mut().write(regs::tdt(queue), tail);
        }
    }

    /// Transmit queue disable: TXDCTL.ENABLE cleared and read back as 0.
    pub fn disable_tx_queue(&mut self, queue: u32) -> Result<(), IgbError> {
        if queue >= regs::QUEUES {
            return Err(IgbError::OutOfRange);
        }
        let r = self.registers_mut();
        let value = r.read(regs::txdctl(queue));
        r.write(regs::txdctl(queue), value & !dctl::ENABLE);
        if !poll(r, regs::txdctl(queue), dctl::ENABLE, 0) {
            return Err(IgbError::QueueTimeout { queue });
        }
        Ok(())
    }
}
