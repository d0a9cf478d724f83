//! Intel 82576 registers (BAR0 offsets), named as in Intel's 82576 datasheet.
//!
//! The indexed constructors (`Reg::rdt(q)`, ...) panic on an index past the register array:
//! that is a bug in the caller, not a device condition.

/// A BAR0 register: a 4-aligned offset inside the 128 KiB register space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reg(u32);

/// Size of BAR0 (memory-mapped registers) on the 82576.
pub const BAR0_LEN: u32 = 128 * 1024;

/// Number of receive and of transmit queues (16 each; VMDq pool n uses queue n).
pub const QUEUES: u32 = 16;

/// Number of VMDq pools.
pub const POOLS: u32 = 8;

/// Number of receive-address (RAL/RAH) entries: 16 at 0x5400 and 8 more at 0x54E0.
pub const RAR_ENTRIES: u32 = 24;

/// Number of VLVF entries.
pub const VLVF_ENTRIES: u32 = 32;

/// `i` when below `count`; a register index past its array is a bug in the caller.
const fn index(i: u32, count: u32) -> u32 {
    assert!(i < count, "register index out of range");
    i
}

impl Reg {
    const fn at(offset: u32) -> Self {
        assert!(offset.is_multiple_of(4) && offset < BAR0_LEN, "not a BAR0 register offset");
        Self(offset)
    }

    /// The register at byte `offset` of BAR0, if it is 4-aligned and inside BAR0: how an access
    /// through the mapping `NdisMMapIoSpace` returned becomes a register.
    pub const fn from_offset(offset: u32) -> Option<Self> {
        if offset.is_multiple_of(4) && offset < BAR0_LEN { Some(Self(offset)) } else { None }
    }

    /// Byte offset in BAR0.
    pub const fn offset(self) -> u32 {
        self.0
    }

    /// Device control.
    pub const CTRL: Self = Self::at(0x0000);
    /// Device status (bit 1 LU: link up).
    pub const STATUS: Self = Self::at(0x0008);
    /// MDI control (PHY register access).
    pub const MDIC: Self = Self::at(0x0020);
    /// Interrupt cause read (read/write-1-to-clear).
    pub const ICR: Self = Self::at(0x00C0);
    /// Interrupt mask set/read.
    pub const IMS: Self = Self::at(0x00D0);
    /// Interrupt mask clear.
    pub const IMC: Self = Self::at(0x00D8);
    /// Receive control.
    pub const RCTL: Self = Self::at(0x0100);
    /// Transmit control.
    pub const TCTL: Self = Self::at(0x0400);
    /// VF receive enable (one bit a pool).
    pub const VFRE: Self = Self::at(0x0C8C);
    /// VF transmit enable (one bit a pool).
    pub const VFTE: Self = Self::at(0x0C90);
    /// General purpose interrupt enable (bit 4: MSI-X mode).
    pub const GPIE: Self = Self::at(0x1514);
    /// Extended interrupt cause read.
    pub const EICR: Self = Self::at(0x1580);
    /// Extended interrupt cause set.
    pub const EICS: Self = Self::at(0x1520);
    /// Extended interrupt mask set/read.
    pub const EIMS: Self = Self::at(0x1524);
    /// Extended interrupt mask clear.
    pub const EIMC: Self = Self::at(0x1528);
    /// Extended interrupt auto clear.
    pub const EIAC: Self = Self::at(0x152C);
    /// Extended interrupt auto mask.
    pub const EIAM: Self = Self::at(0x1530);
    /// Interrupt vector allocation for the "other" causes and the TCP timer.
    pub const IVAR_MISC: Self = Self::at(0x1740);
    /// Multiple receive queues command (3 = VMDq).
    pub const MRQC: Self = Self::at(0x5818);
    /// VMDq control (default pool in bits 9:7, bit 29 disables the default pool).
    pub const VT_CTL: Self = Self::at(0x581C);

    /// Interrupt throttle for MSI-X vector `v` (0 ..= 24).
    pub const fn eitr(v: u32) -> Self {
        Self::at(0x1680 + 4 * index(v, 25))
    }
    /// Interrupt vector allocation for queue pair `2i`, `2i + 1`.
    pub const fn ivar(i: u32) -> Self {
        Self::at(0x1700 + 4 * index(i, 8))
    }
    /// Receive address low of entry `n` (0 ..= 23).
    pub const fn ral(n: u32) -> Self {
        let n = index(n, RAR_ENTRIES);
        if n < 16 { Self::at(0x5400 + 8 * n) } else { Self::at(0x54E0 + 8 * (n - 16)) }
    }
    /// Receive address high of entry `n` (bit 31 AV; bits 25:18 pool select).
    pub const fn rah(n: u32) -> Self {
        Self::at(Self::ral(n).0 + 4)
    }
    /// VLAN filter table array word `n` (0 ..= 127).
    pub const fn vfta(n: u32) -> Self {
        Self::at(0x5600 + 4 * index(n, 128))
    }
    /// VLAN VM filter `n` (0 ..= 31).
    pub const fn vlvf(n: u32) -> Self {
        Self::at(0x5D00 + 4 * index(n, VLVF_ENTRIES))
    }
    /// VM offload register of pool `n` (0 ..= 7).
    pub const fn vmolr(n: u32) -> Self {
        Self::at(0x5AD0 + 4 * index(n, POOLS))
    }
    /// Per-pool good packets received count.
    pub const fn pvfgprc(n: u32) -> Self {
        Self::at(0x10010 + 0x100 * index(n, POOLS))
    }
    /// Receive descriptor base address low, queue `q`.
    pub const fn rdbal(q: u32) -> Self {
        Self::at(0xC000 + 0x40 * index(q, QUEUES))
    }
    /// Receive descriptor base address high, queue `q`.
    pub const fn rdbah(q: u32) -> Self {
        Self::at(0xC004 + 0x40 * index(q, QUEUES))
    }
    /// Receive descriptor ring length in bytes, queue `q`.
    pub const fn rdlen(q: u32) -> Self {
        Self::at(0xC008 + 0x40 * index(q, QUEUES))
    }
    /// Split and replication receive control, queue `q`.
    pub const fn srrctl(q: u32) -> Self {
        Self::at(0xC00C + 0x40 * index(q, QUEUES))
    }
    /// Receive descriptor head, queue `q`.
    pub const fn rdh(q: u32) -> Self {
        Self::at(0xC010 + 0x40 * index(q, QUEUES))
    }
    /// Receive descriptor tail, queue `q`.
    pub const fn rdt(q: u32) -> Self {
        Self::at(0xC018 + 0x40 * index(q, QUEUES))
    }
    /// Receive descriptor control, queue `q` (bit 25 enable).
    pub const fn rxdctl(q: u32) -> Self {
        Self::at(0xC028 + 0x40 * index(q, QUEUES))
    }
    /// Transmit descriptor base address low, queue `q`.
    pub const fn tdbal(q: u32) -> Self {
        Self::at(0xE000 + 0x40 * index(q, QUEUES))
    }
    /// Transmit descriptor base address high, queue `q`.
    pub const fn tdbah(q: u32) -> Self {
        Self::at(0xE004 + 0x40 * index(q, QUEUES))
    }
    /// Transmit descriptor ring length in bytes, queue `q`.
    pub const fn tdlen(q: u32) -> Self {
        Self::at(0xE008 + 0x40 * index(q, QUEUES))
    }
    /// Transmit descriptor head, queue `q`.
    pub const fn tdh(q: u32) -> Self {
        Self::at(0xE010 + 0x40 * index(q, QUEUES))
    }
    /// Transmit descriptor tail, queue `q`.
    pub const fn tdt(q: u32) -> Self {
        Self::at(0xE018 + 0x40 * index(q, QUEUES))
    }
    /// Transmit descriptor control, queue `q` (bit 25 enable).
    pub const fn txdctl(q: u32) -> Self {
        Self::at(0xE028 + 0x40 * index(q, QUEUES))
    }
}

/// CTRL bits.
pub mod ctrl {
    /// Set link up.
    pub const SLU: u32 = 1 << 6;
    /// Device reset (self-clearing).
    pub const RST: u32 = 1 << 26;
}

/// STATUS bits.
pub mod status {
    /// Link up.
    pub const LU: u32 = 1 << 1;
}

/// ICR / IMS bits.
pub mod icr {
    /// Link status change.
    pub const LSC: u32 = 1 << 2;
}

/// RCTL bits.
pub mod rctl {
    /// Receiver enable.
    pub const EN: u32 = 1 << 1;
    /// Broadcast accept mode.
    pub const BAM: u32 = 1 << 15;
    /// VLAN filter enable (VFTA).
    pub const VFE: u32 = 1 << 18;
    /// Strip Ethernet CRC.
    pub const SECRC: u32 = 1 << 26;
}

/// TCTL bits.
pub mod tctl {
    /// Transmit enable.
    pub const EN: u32 = 1 << 1;
    /// Pad short packets.
    pub const PSP: u32 = 1 << 3;
}

/// RAH bits.
pub mod rah {
    /// Address valid.
    pub const AV: u32 = 1 << 31;
    /// Pool-select bit of pool `n`.
    pub const fn pool(n: u32) -> u32 {
        1 << (18 + n)
    }
}

/// VMOLR bits.
pub mod vmolr {
    /// Accept untagged packets.
    pub const AUPE: u32 = 1 << 24;
    /// Accept broadcast packets.
    pub const BAM: u32 = 1 << 27;
    /// Strip CRC.
    pub const STRCRC: u32 = 1 << 31;
}

/// VLVF bits.
pub mod vlvf {
    /// Entry valid.
    pub const VIEN: u32 = 1 << 31;
    /// Pool-select bit of pool `n`.
    pub const fn pool(n: u32) -> u32 {
        1 << (12 + n)
    }
}

/// VT_CTL fields.
pub mod vt_ctl {
    /// Default pool `n` (bits 9:7).
    pub const fn default_pool(n: u32) -> u32 {
        (n & 7) << 7
    }
    /// Disable the default pool.
    pub const DIS_DEF_POOL: u32 = 1 << 29;
}

/// GPIE bits.
pub mod gpie {
    /// Non-selective interrupt clear on read: reading ICR clears it.
    pub const NSICR: u32 = 1 << 0;
    /// MSI-X mode.
    pub const MULTIPLE_MSIX: u32 = 1 << 4;
}

/// IVAR entry bit.
pub mod ivar {
    /// Entry valid.
    pub const VALID: u32 = 0x80;
}

/// RXDCTL / TXDCTL bits.
pub mod dctl {
    /// Queue enable.
    pub const ENABLE: u32 = 1 << 25;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_match_the_datasheet_layout() {
        assert_eq!(Reg::rdt(1).offset(), 0xC058);
        assert_eq!(Reg::txdctl(15).offset(), 0xE3E8);
        assert_eq!((Reg::ral(15).offset(), Reg::ral(16).offset(), Reg::rah(23).offset()), (0x5478, 0x54E0, 0x551C));
        assert_eq!(Reg::pvfgprc(7).offset(), 0x10710);
        assert_eq!(Reg::from_offset(0x8), Some(Reg::STATUS));
        assert_eq!(Reg::from_offset(0x6), None, "unaligned");
        assert_eq!(Reg::from_offset(BAR0_LEN), None, "past BAR0");
    }
}
