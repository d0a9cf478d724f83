//! Advanced receive and transmit descriptors (82576 datasheet 7.1.5 and 7.2.3) as
//! little-endian 16-byte values, and [`DmaMemory`], the byte access to the memory that holds a ring.
//!
//! Encoders and decoders work on `[u8; 16]` only, so they are checked on literal bytes; the
//! rings read and write those bytes through [`DmaMemory`], which the kernel implements over
//! shared memory (`NdisMAllocateSharedMemory`) and tests over QEMU's guest RAM.

/// Bytes in one descriptor (receive or transmit, advanced format).
pub const DESCRIPTOR_LEN: usize = 16;

/// Byte access to a descriptor ring's memory, by offset from the ring's start.
pub trait DmaMemory {
    /// Reads `buf.len()` bytes at `offset`.
    fn read(&self, offset: usize, buf: &mut [u8]);
    /// Writes `data` at `offset`.
    fn write(&mut self, offset: usize, data: &[u8]);
}

fn u16_at(d: &[u8; DESCRIPTOR_LEN], at: usize) -> u16 {
    let mut b = [0u8; 2];
    if let Some(s) = d.get(at..at + 2) {
        b.copy_from_slice(s);
    }
    u16::from_le_bytes(b)
}

fn u32_at(d: &[u8; DESCRIPTOR_LEN], at: usize) -> u32 {
    let mut b = [0u8; 4];
    if let Some(s) = d.get(at..at + 4) {
        b.copy_from_slice(s);
    }
    u32::from_le_bytes(b)
}

fn put(d: &mut [u8; DESCRIPTOR_LEN], at: usize, bytes: &[u8]) {
    if let Some(s) = d.get_mut(at..at + bytes.len()) {
        s.copy_from_slice(bytes);
    }
}

/// Receive descriptor, read format (7.1.5.1): packet buffer address, then header buffer
/// address. Writing it also clears the write-back status (DD) the device left in the slot.
#[must_use]
pub fn rx_read_format(packet_address: u64, header_address: u64) -> [u8; DESCRIPTOR_LEN] {
    let mut d = [0u8; DESCRIPTOR_LEN];
    put(&mut d, 0, &packet_address.to_le_bytes());
    put(&mut d, 8, &header_address.to_le_bytes());
    d
}

/// Receive write-back status bits (7.1.5.2, "Extended Status", bits 19:0 of dword 2).
pub mod rx_status {
    /// Descriptor Done.
    pub const DD: u32 = 1 << 0;
    /// End Of Packet.
    pub const EOP: u32 = 1 << 1;
    /// VLAN Packet: the frame carried an 802.1Q tag (the VLAN field holds it).
    pub const VP: u32 = 1 << 3;
    /// Extended errors, bits 31:20 (RXE, IPE, L4E, HBO ...).
    pub const ERRORS_MASK: u32 = 0xFFF0_0000;
    /// RX Data Error (RXE, bit 31 of dword 2): CRC, symbol or length error.
    pub const RXE: u32 = 1 << 31;
    /// Errors that make the frame itself bad (CE bit 24, SE 25, SEQ 26, CXE 28, RXE 31); the
    /// checksum errors (L4E, IPE) only describe checksum offload, which vmqnic does not
    /// advertise, so such a frame is still delivered for the VM to judge.
    pub const FRAME_ERRORS: u32 = (1 << 24) | (1 << 25) | (1 << 26) | (1 << 28) | RXE;
}

/// A receive descriptor in write-back format (7.1.5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RxWriteBack {
    /// Extended status (bits 19:0) and errors (bits 31:20), dword 2.
    pub status_error: u32,
    /// Bytes written into the packet buffer (PKT_LEN).
    pub length: u16,
    /// The 802.1Q tag control (VLAN Tag field), meaningful when `VP` is set.
    pub vlan: u16,
}

impl RxWriteBack {
    /// Decodes a descriptor the device wrote back.
    #[must_use]
    pub fn decode(d: &[u8; DESCRIPTOR_LEN]) -> Self {
        Self { status_error: u32_at(d, 8), length: u16_at(d, 12), vlan: u16_at(d, 14) }
    }

    /// Descriptor Done: the device has written this descriptor back.
    #[must_use]
    pub const fn done(&self) -> bool {
        self.status_error & rx_status::DD != 0
    }

    /// End Of Packet: the whole frame is in this descriptor's buffer.
    #[must_use]
    pub const fn end_of_packet(&self) -> bool {
        self.status_error & rx_status::EOP != 0
    }

    /// The tag control of the frame's 802.1Q header, when it had one (VP).
    #[must_use]
    pub const fn vlan_tag(&self) -> Option<u16> {
        if self.status_error & rx_status::VP != 0 { Some(self.vlan) } else { None }
    }

    /// The error bits (RXE and the checksum errors), 0 for a good frame.
    #[must_use]
    pub const fn errors(&self) -> u32 {
        self.status_error & rx_status::ERRORS_MASK
    }
}

/// Advanced transmit data descriptor command bits (7.2.3.3, DCMD and DTYP in dword 2).
pub mod tx_cmd {
    /// Descriptor type "data" (DTYP = 0011b, bits 23:20).
    pub const DTYP_DATA: u32 = 0b0011 << 20;
    /// End Of Packet.
    pub const EOP: u32 = 1 << 24;
    /// Insert FCS.
    pub const IFCS: u32 = 1 << 25;
    /// Report Status: write DD back when done.
    pub const RS: u32 = 1 << 27;
    /// Descriptor extension (advanced format).
    pub const DEXT: u32 = 1 << 29;
    /// Buffer length, bits 15:0 (DTALEN).
    pub const LENGTH_MASK: u32 = 0xFFFF;
    /// PAYLEN field of dword 3, bits 31:14: the whole frame's length (first descriptor).
    pub const PAYLEN_SHIFT: u32 = 14;
}

/// Transmit write-back status (7.2.3.3.x): dword 3 bit 0 is DD.
pub const TX_STATUS_DD: u32 = 1 << 0;

/// An advanced transmit data descriptor (7.2.3.3): one fragment of a frame at `address`,
/// `length` bytes; `last` marks the frame's final fragment (EOP, RS); `payload_length` is the
/// frame's total length, carried in the first fragment's PAYLEN (0 in the others).
#[must_use]
pub fn tx_data(address: u64, length: u16, last: bool, payload_length: u32) -> [u8; DESCRIPTOR_LEN] {
    let mut cmd = tx_cmd::DTYP_DATA | tx_cmd::DEXT | tx_cmd::IFCS | u32::from(length);
    if last {
        cmd |= tx_cmd::EOP | tx_cmd::RS;
    }
    let mut d = [0u8; DESCRIPTOR_LEN];
    put(&mut d, 0, &address.to_le_bytes());
    put(&mut d, 8, &cmd.to_le_bytes());
    put(&mut d, 12, &(payload_length << tx_cmd::PAYLEN_SHIFT).to_le_bytes());
    d
}

/// Whether a transmit descriptor has been written back with DD.
#[must_use]
pub fn tx_done(d: &[u8; DESCRIPTOR_LEN]) -> bool {
    u32_at(d, 12) & TX_STATUS_DD != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rx_read_format_is_two_little_endian_addresses() {
        let d = rx_read_format(0x0000_0001_2345_6780, 0);
        assert_eq!(d, [0x80, 0x67, 0x45, 0x23, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert!(!RxWriteBack::decode(&d).done(), "read format clears DD");
    }

    #[test]
    fn rx_write_back_decodes_length_status_and_vlan() {
        // Dword 2 = DD|EOP|VP|IPCS-ish bits, length 0x3C, VLAN 0x2064 (PCP 1, VID 100).
        let d = [0, 0, 0, 0, 0, 0, 0, 0, 0x4B, 0x02, 0, 0, 0x3C, 0, 0x64, 0x20];
        let wb = RxWriteBack::decode(&d);
        assert!(wb.done() && wb.end_of_packet());
        assert_eq!((wb.length, wb.vlan_tag(), wb.errors()), (60, Some(0x2064), 0));
        let untagged = RxWriteBack::decode(&[0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0x80, 0x40, 0, 0x64, 0]);
        assert_eq!(untagged.vlan_tag(), None, "no VP: the VLAN field means nothing");
        assert_eq!(untagged.errors(), rx_status::RXE);
    }

    #[test]
    fn tx_data_descriptor_carries_dcmd_dtyp_length_and_paylen() {
        let d = tx_data(0x1000, 300, true, 300);
        assert_eq!(&d[0..8], &[0, 0x10, 0, 0, 0, 0, 0, 0]);
        // 0x2B30_012C: DEXT|RS|IFCS|EOP, DTYP data, length 300.
        assert_eq!(&d[8..12], &[0x2C, 0x01, 0x30, 0x2B]);
        assert_eq!(u32::from_le_bytes([d[12], d[13], d[14], d[15]]), 300 << 14);
        let middle = tx_data(0x2000, 64, false, 0);
        assert_eq!(&middle[8..12], &[0x40, 0x00, 0x30, 0x22], "no EOP/RS on a middle fragment");
        assert!(!tx_done(&d));
        let mut wb = d;
        wb[12] |= 1;
        assert!(tx_done(&wb));
    }
}
