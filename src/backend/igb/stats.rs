//! Statistics counters (82576 datasheet 8.19) for `OID_GEN_STATISTICS`.
//!
//! The port counters clear on read (GORCL/GOTCL before their high halves), so the driver
//! accumulates them in [`Statistics`]; the per-pool counters (PVFGPRC ...) do not clear and
//! wrap at 32 bits, so they are read as they are and differenced by the caller.

use super::device::{Device, IgbError};
use super::regs::{self, Registers, stats};

/// Port-wide totals since the driver started, accumulated from the clear-on-read counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Statistics {
    /// Good packets received (GPRC).
    pub rx_packets: u64,
    /// Good octets received (GORC).
    pub rx_octets: u64,
    /// Broadcast packets received (BPRC).
    pub rx_broadcast: u64,
    /// Multicast packets received (MPRC).
    pub rx_multicast: u64,
    /// Packets missed: no room in the packet buffer (MPC).
    pub rx_missed: u64,
    /// Packets that found no descriptor (RNBC).
    pub rx_no_buffer: u64,
    /// CRC errors (CRCERRS).
    pub rx_crc_errors: u64,
    /// Good packets transmitted (GPTC).
    pub tx_packets: u64,
    /// Good octets transmitted (GOTC).
    pub tx_octets: u64,
    /// Broadcast packets transmitted (BPTC).
    pub tx_broadcast: u64,
    /// Multicast packets transmitted (MPTC).
    pub tx_multicast: u64,
}

/// One pool's counters as the device holds them (32-bit, wrapping).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolCounters {
    /// Good packets received into the pool (PVFGPRC).
    pub rx_packets: u32,
    /// Good octets received (PVFGORC).
    pub rx_octets: u32,
    /// Multicast packets received (PVFMPRC).
    pub rx_multicast: u32,
    /// Good packets transmitted from the pool (PVFGPTC).
    pub tx_packets: u32,
    /// Good octets transmitted (PVFGOTC).
    pub tx_octets: u32,
    /// Frames dropped for want of descriptors in the pool's queue (RQDPC; QEMU's model
    /// leaves it 0).
    pub rx_dropped: u32,
}

impl<R: Registers> Device<R> {
    /// Reads the port counters (which clears them) and adds them to `totals`.
    pub fn accumulate_statistics(&mut self, totals: &mut Statistics) {
        let r = self.registers_mut();
        let mut add = |field: &mut u64, offset: u32| *field = field.wrapping_add(u64::from(r.read(offset)));
        add(&mut totals.rx_packets, stats::GPRC);
        add(&mut totals.rx_broadcast, stats::BPRC);
        add(&mut totals.rx_multicast, stats::MPRC);
        add(&mut totals.rx_missed, stats::MPC);
        add(&mut totals.rx_no_buffer, stats::RNBC);
        add(&mut totals.rx_crc_errors, stats::CRCERRS);
        add(&mut totals.tx_packets, stats::GPTC);
        add(&mut totals.tx_broadcast, stats::BPTC);
        add(&mut totals.tx_multicast, stats::MPTC);
        let rx_low = u64::from(r.read(stats::GORCL));
        let rx_high = u64::from(r.read(stats::GORCH));
        totals.rx_octets = totals.rx_octets.wrapping_add((rx_high << 32) | rx_low);
        let tx_low = u64::from(r.read(stats::GOTCL));
        let tx_high = u64::from(r.read(stats::GOTCH));
        totals.tx_octets = totals.tx_octets.wrapping_add((tx_high << 32) | tx_low);
    }

    /// Pool `pool`'s counters (a VM queue's per-queue statistics).
    pub fn pool_counters(&mut self, pool: u32) -> Result<PoolCounters, IgbError> {
        if pool >= regs::POOLS {
            return Err(IgbError::OutOfRange);
        }
        let r = self.registers_mut();
        Ok(PoolCounters {
            rx_packets: r.read(stats::pvfgprc(pool)),
            rx_octets: r.read(stats::pvfgorc(pool)),
            rx_multicast: r.read(stats::pvfmprc(pool)),
            tx_packets: r.read(stats::pvfgptc(pool)),
            tx_octets: r.read(stats::pvfgotc(pool)),
            rx_dropped: r.read(stats::rqdpc(pool)),
        })
    }
}
