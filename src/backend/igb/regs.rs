//! Intel 82576 registers the driver uses: BAR0 offsets and bit fields, named as in the
//! Intel 82576 GbE Controller Datasheet, section 8 ("Programming Interface").
//!
//! [`Registers`] is the one way the driver touches them: the kernel layer implements it over
//! the BAR0 mapping (`READ_REGISTER_ULONG` / `WRITE_REGISTER_ULONG`, which order the access
//! after every earlier memory write, so a tail write follows the descriptors it publishes);
//! tests implement it over QEMU's igb model or a fake register file.

/// 32-bit access to the 82576's BAR0 register space.
pub trait Registers {
    /// Reads the register at byte `offset` of BAR0.
    fn read(&mut self, offset: u32) -> u32;
    /// Writes `value` to the register at byte `offset` of BAR0.
    fn write(&mut self, offset: u32, value: u32);
    /// Busy-waits about `microseconds` between two polls of a register (`NdisStallExecution`
    /// in the kernel). The default does nothing: each register read is itself a delay.
    fn stall(&mut self, microseconds: u32) {
        let _ = microseconds;
    }
}

/// Receive and transmit queues (8.10, 8.12: 16 of each; VMDq pool `n` uses queue `n`).
pub const QUEUES: u32 = 16;
/// VMDq pools (7.10.1: 8 pools).
pub const POOLS: u32 = 8;
/// VM queues NDIS may allocate: every pool but the default queue's.
pub const VM_QUEUES: u32 = POOLS - 1;
/// Receive-address entries (8.10.13/8.10.14: RAL/RAH 0..=15 at 0x5400, 16..=23 at 0x54E0).
pub const RAR_ENTRIES: u32 = 24;
/// VLAN VM filter entries (8.10.22: VLVF 0..=31).
pub const VLVF_ENTRIES: u32 = 32;
/// MSI-X vectors the 82576 offers (6.1, MSI-X table size 25).
pub const MSIX_VECTORS: u32 = 25;

/// Device Control (8.2.1).
pub const CTRL: u32 = 0x0000;
/// Device Status (8.2.2).
pub const STATUS: u32 = 0x0008;
/// MDI Control (8.2.4): PHY register access.
pub const MDIC: u32 = 0x0020;
/// Interrupt Cause Read (8.8.1).
pub const ICR: u32 = 0x00C0;
/// Interrupt Mask Set/Read (8.8.5).
pub const IMS: u32 = 0x00D0;
/// Interrupt Mask Clear (8.8.6).
pub const IMC: u32 = 0x00D8;
/// Receive Control (8.10.1).
pub const RCTL: u32 = 0x0100;
/// Transmit Control (8.12.1).
pub const TCTL: u32 = 0x0400;
/// VF Receive Enable (8.26.x VFRE): one bit a pool.
pub const VFRE: u32 = 0x0C8C;
/// VF Transmit Enable (VFTE): one bit a pool.
pub const VFTE: u32 = 0x0C90;
/// General Purpose Interrupt Enable (8.8.15).
pub const GPIE: u32 = 0x1514;
/// Extended Interrupt Cause Set (8.8.8).
pub const EICS: u32 = 0x1520;
/// Extended Interrupt Mask Set/Read (8.8.9).
pub const EIMS: u32 = 0x1524;
/// Extended Interrupt Mask Clear (8.8.10).
pub const EIMC: u32 = 0x1528;
/// Extended Interrupt Auto Clear (8.8.11).
pub const EIAC: u32 = 0x152C;
/// Extended Interrupt Auto Mask (8.8.12).
pub const EIAM: u32 = 0x1530;
/// Extended Interrupt Cause Read (8.8.7).
pub const EICR: u32 = 0x1580;
/// Interrupt Vector Allocation for the other causes (8.8.16, IVAR_MISC).
pub const IVAR_MISC: u32 = 0x1740;
/// Multiple Receive Queues Command (8.10.11).
pub const MRQC: u32 = 0x5818;
/// VMDq Control (8.10.x VT_CTL).
pub const VT_CTL: u32 = 0x581C;

/// Interrupt Throttle of MSI-X vector `v` (8.8.13, EITR 0..=24).
#[must_use]
pub const fn eitr(v: u32) -> u32 {
    0x1680 + 4 * v
}
/// Interrupt Vector Allocation `n` (8.8.16): byte 0 RX queue `n`, byte 1 TX queue `n`,
/// byte 2 RX queue `n + 8`, byte 3 TX queue `n + 8`.
#[must_use]
pub const fn ivar(n: u32) -> u32 {
    0x1700 + 4 * n
}
/// Receive Address Low of entry `n` (8.10.13).
#[must_use]
pub const fn ral(n: u32) -> u32 {
    if n < 16 { 0x5400 + 8 * n } else { 0x54E0 + 8 * (n - 16) }
}
/// Receive Address High of entry `n` (8.10.14).
#[must_use]
pub const fn rah(n: u32) -> u32 {
    ral(n) + 4
}
/// VLAN Filter Table Array word `n` (8.10.21, 0..=127: bit `vid % 32` of word `vid / 32`).
#[must_use]
pub const fn vfta(n: u32) -> u32 {
    0x5600 + 4 * n
}
/// VM Offload register of pool `n` (8.10.x VMOLR).
#[must_use]
pub const fn vmolr(n: u32) -> u32 {
    0x5AD0 + 4 * n
}
/// VLAN VM Filter `n` (8.10.22).
#[must_use]
pub const fn vlvf(n: u32) -> u32 {
    0x5D00 + 4 * n
}

/// Per-queue register `base` of queue `q` (receive and transmit queues have a 0x40 stride).
const fn per_queue(base: u32, q: u32) -> u32 {
    base + 0x40 * q
}
/// Receive Descriptor Base Address Low, queue `q` (8.10.5).
#[must_use]
pub const fn rdbal(q: u32) -> u32 {
    per_queue(0xC000, q)
}
/// Receive Descriptor Base Address High (8.10.6).
#[must_use]
pub const fn rdbah(q: u32) -> u32 {
    per_queue(0xC004, q)
}
/// Receive Descriptor Ring Length in bytes (8.10.7).
#[must_use]
pub const fn rdlen(q: u32) -> u32 {
    per_queue(0xC008, q)
}
/// Split and Replication Receive Control (8.10.2).
#[must_use]
pub const fn srrctl(q: u32) -> u32 {
    per_queue(0xC00C, q)
}
/// Receive Descriptor Head (8.10.8).
#[must_use]
pub const fn rdh(q: u32) -> u32 {
    per_queue(0xC010, q)
}
/// Receive Descriptor Tail (8.10.9).
#[must_use]
pub const fn rdt(q: u32) -> u32 {
    per_queue(0xC018, q)
}
/// Receive Descriptor Control (8.10.10).
#[must_use]
pub const fn rxdctl(q: u32) -> u32 {
    per_queue(0xC028, q)
}
/// Transmit Descriptor Base Address Low (8.12.x TDBAL).
#[must_use]
pub const fn tdbal(q: u32) -> u32 {
    per_queue(0xE000, q)
}
/// Transmit Descriptor Base Address High.
#[must_use]
pub const fn tdbah(q: u32) -> u32 {
    per_queue(0xE004, q)
}
/// Transmit Descriptor Ring Length in bytes.
#[must_use]
pub const fn tdlen(q: u32) -> u32 {
    per_queue(0xE008, q)
}
/// Transmit Descriptor Head.
#[must_use]
pub const fn tdh(q: u32) -> u32 {
    per_queue(0xE010, q)
}
/// Transmit Descriptor Tail.
#[must_use]
pub const fn tdt(q: u32) -> u32 {
    per_queue(0xE018, q)
}
/// Transmit Descriptor Control.
#[must_use]
pub const fn txdctl(q: u32) -> u32 {
    per_queue(0xE028, q)
}

/// Statistics (8.19): clear-on-read counters of the whole port.
pub mod stats {
    /// CRC Error Count.
    pub const CRCERRS: u32 = 0x4000;
    /// Missed Packets Count (no room in the packet buffer / descriptors).
    pub const MPC: u32 = 0x4010;
    /// Good Packets Received Count.
    pub const GPRC: u32 = 0x4074;
    /// Broadcast Packets Received Count.
    pub const BPRC: u32 = 0x4078;
    /// Multicast Packets Received Count.
    pub const MPRC: u32 = 0x407C;
    /// Good Packets Transmitted Count.
    pub const GPTC: u32 = 0x4080;
    /// Good Octets Received Count, low 32 bits (read before GORCH).
    pub const GORCL: u32 = 0x4088;
    /// Good Octets Received Count, high bits.
    pub const GORCH: u32 = 0x408C;
    /// Good Octets Transmitted Count, low 32 bits (read before GOTCH).
    pub const GOTCL: u32 = 0x4090;
    /// Good Octets Transmitted Count, high bits.
    pub const GOTCH: u32 = 0x4094;
    /// Receive No Buffers Count.
    pub const RNBC: u32 = 0x40A0;
    /// Multicast Packets Transmitted Count.
    pub const MPTC: u32 = 0x40F0;
    /// Broadcast Packets Transmitted Count.
    pub const BPTC: u32 = 0x40F4;

    /// Receive Queue Drop Packet Count of queue `q` (8.10.x RQDPC): frames dropped for want
    /// of descriptors with SRRCTL.Drop_En set.
    #[must_use]
    pub const fn rqdpc(q: u32) -> u32 {
        0xC030 + 0x40 * q
    }

    /// Per-pool (VF) counters (8.19.x, PVFGPRC...): not cleared on read, they wrap.
    const fn pool(base: u32, n: u32) -> u32 {
        base + 0x100 * n
    }
    /// Per-pool Good Packets Received Count.
    #[must_use]
    pub const fn pvfgprc(n: u32) -> u32 {
        pool(0x1_0010, n)
    }
    /// Per-pool Good Packets Transmitted Count.
    #[must_use]
    pub const fn pvfgptc(n: u32) -> u32 {
        pool(0x1_0014, n)
    }
    /// Per-pool Good Octets Received Count.
    #[must_use]
    pub const fn pvfgorc(n: u32) -> u32 {
        pool(0x1_0018, n)
    }
    /// Per-pool Good Octets Transmitted Count.
    #[must_use]
    pub const fn pvfgotc(n: u32) -> u32 {
        pool(0x1_0034, n)
    }
    /// Per-pool Multicast Packets Received Count.
    #[must_use]
    pub const fn pvfmprc(n: u32) -> u32 {
        pool(0x1_0038, n)
    }
}

/// CTRL bits (8.2.1).
pub mod ctrl {
    /// Set Link Up.
    pub const SLU: u32 = 1 << 6;
    /// Device Reset (self-clearing).
    pub const RST: u32 = 1 << 26;
}

/// STATUS bits (8.2.2).
pub mod status {
    /// Link Up.
    pub const LU: u32 = 1 << 1;
    /// Link speed field, bits 7:6 (00 10 Mb/s, 01 100 Mb/s, 1x 1000 Mb/s).
    pub const SPEED_SHIFT: u32 = 6;
}

/// MDIC fields (8.2.4).
pub mod mdic {
    /// Register data, bits 15:0.
    pub const DATA_MASK: u32 = 0xFFFF;
    /// PHY register address, bits 20:16.
    pub const REG_SHIFT: u32 = 16;
    /// PHY address, bits 25:21.
    pub const PHY_SHIFT: u32 = 21;
    /// Opcode write (bits 27:26 = 01b).
    pub const OP_WRITE: u32 = 1 << 26;
    /// Ready: the access completed.
    pub const READY: u32 = 1 << 28;
    /// Error: the PHY did not answer.
    pub const ERROR: u32 = 1 << 30;
    /// The internal PHY's address.
    pub const PHY_ADDRESS: u32 = 1;
    /// PHY Control register (BMCR).
    pub const PHY_CONTROL: u32 = 0;
    /// BMCR: auto-negotiation enable (bit 12) and restart (bit 9).
    pub const AUTONEG_ENABLE_RESTART: u32 = (1 << 12) | (1 << 9);
}

/// ICR / IMS bits (8.8.1).
pub mod icr {
    /// Link Status Change.
    pub const LSC: u32 = 1 << 2;
    /// Receiver Overrun (a frame dropped for want of descriptors).
    pub const RXO: u32 = 1 << 6;
}

/// RCTL bits (8.10.1).
pub mod rctl {
    /// Receiver Enable.
    pub const EN: u32 = 1 << 1;
    /// Broadcast Accept Mode.
    pub const BAM: u32 = 1 << 15;
    /// VLAN Filter Enable (VFTA).
    pub const VFE: u32 = 1 << 18;
    /// Strip Ethernet CRC.
    pub const SECRC: u32 = 1 << 26;
}

/// TCTL bits (8.12.1).
pub mod tctl {
    /// Transmit Enable.
    pub const EN: u32 = 1 << 1;
    /// Pad Short Packets.
    pub const PSP: u32 = 1 << 3;
}

/// RAH fields (8.10.14).
pub mod rah {
    /// Address Valid.
    pub const AV: u32 = 1 << 31;
    /// Pool select field, bits 25:18 (one bit a pool).
    pub const POOL_SHIFT: u32 = 18;
    /// The pool-select field.
    pub const POOL_MASK: u32 = 0xFF << POOL_SHIFT;
}

/// VMOLR bits (VM Offload register).
pub mod vmolr {
    /// Accept Untagged Packets Enable.
    pub const AUPE: u32 = 1 << 24;
    /// Accept Broadcast Packets.
    pub const BAM: u32 = 1 << 27;
    /// Strip VLAN tag of unicast and broadcast frames to this pool (multicast: RPLOLR).
    pub const STRVLAN: u32 = 1 << 30;
    /// Strip CRC.
    pub const STRCRC: u32 = 1 << 31;
}

/// VLVF fields (8.10.22).
pub mod vlvf {
    /// VLAN ID, bits 11:0.
    pub const VID_MASK: u32 = 0xFFF;
    /// Pool select field, bits 19:12 (one bit a pool).
    pub const POOL_SHIFT: u32 = 12;
    /// The pool-select field.
    pub const POOL_MASK: u32 = 0xFF << POOL_SHIFT;
    /// VLAN ID Enable: the entry is valid.
    pub const VIEN: u32 = 1 << 31;
}

/// MRQC values (8.10.11).
pub mod mrqc {
    /// Multiple Receive Queues Enable = 011b: VMDq, queue chosen by MAC/VLAN pool.
    pub const VMDQ: u32 = 0b011;
}

/// VT_CTL fields.
pub mod vt_ctl {
    /// Default pool, bits 9:7: where unmatched frames go.
    pub const DEFAULT_POOL_SHIFT: u32 = 7;
    /// Disable the default pool (unmatched frames are dropped).
    pub const DIS_DEF_POOL: u32 = 1 << 29;
}

/// GPIE bits (8.8.15).
pub mod gpie {
    /// Non-Selective Interrupt Clear on Read: reading ICR clears it.
    pub const NSICR: u32 = 1 << 0;
    /// Multiple MSI-X mode: one vector a cause group (IVAR).
    pub const MULTIPLE_MSIX: u32 = 1 << 4;
    /// PBA support, required with MSI-X.
    pub const PBA_SUPPORT: u32 = 1 << 31;
}

/// IVAR entry bits (8.8.16).
pub mod ivar {
    /// Entry valid.
    pub const VALID: u32 = 0x80;
}

/// SRRCTL fields (8.10.2).
pub mod srrctl {
    /// Packet buffer size in 1 KiB units, bits 6:0.
    pub const BSIZEPACKET_MASK: u32 = 0x7F;
    /// Descriptor type advanced one-buffer (bits 27:25 = 001b).
    pub const DESCTYPE_ADVANCED_ONE_BUFFER: u32 = 1 << 25;
    /// Drop Enable: a frame for this queue with no descriptor is dropped (and counted in
    /// RNBC) instead of holding up the packet buffer.
    pub const DROP_EN: u32 = 1 << 31;
}

/// RXDCTL / TXDCTL bits (8.10.10, 8.12.x).
pub mod dctl {
    /// Queue Enable: reads 1 once the queue runs, 0 once it has stopped.
    pub const ENABLE: u32 = 1 << 25;
}
