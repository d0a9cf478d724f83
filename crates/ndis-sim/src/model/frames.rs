//! The traffic source's Ethernet frames: building them, and parsing what a miniport indicates.
//!
//! A frame is `dst | src | [0x8100 | TCI] | EtherType 0x88B5 | "VMQS" | sequence (u64 BE) |
//! expected queue (u32 BE) | padding`, `len` bytes in all (the 802.1Q tag included). The padding
//! is a function of the sequence number, so the model can rebuild any frame from its record and
//! compare it byte for byte with what was indicated.
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/vmq-receive-path>.

use std::fmt;

/// 802.1Q tag protocol identifier.
pub const TPID_8021Q: u16 = 0x8100;
/// EtherType of the traffic source's frames (IEEE 802 local experimental 1).
pub const ETHERTYPE_SIM: u16 = 0x88B5;
/// Source MAC of every frame the traffic source builds (locally administered).
pub const SIM_SOURCE_MAC: [u8; 6] = [0x02, 0x00, 0x5E, 0x51, 0x4D, 0x01];
/// The broadcast MAC.
pub const BROADCAST_MAC: [u8; 6] = [0xFF; 6];
/// Shortest frame the source builds (without FCS).
pub const MIN_FRAME_LEN: usize = 60;
/// Longest frame the source builds (without FCS): a 9014-byte jumbo frame ("Standardized INF
/// Keywords for Jumbo Packet"; a miniport receives it only with `*JumboPacket` 9014).
pub const MAX_FRAME_LEN: usize = 9014;
/// Longest frame of a standard (non-jumbo) Ethernet adapter, without FCS.
pub const STANDARD_FRAME_LEN: usize = 1514;
/// Marks the sim header after the EtherType.
const MAGIC: [u8; 4] = *b"VMQS";
/// VLAN IDs are 12 bits.
const MAX_VLAN_ID: u16 = 0x0FFF;

/// One frame for `Sim::send_frames` (the host action one layer up).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameSpec {
    /// Destination MAC.
    pub dst: [u8; 6],
    /// 802.1Q VLAN ID (the TCI is the VLAN ID, priority 0); `None` for an untagged frame.
    pub vlan: Option<u16>,
    /// Total length in bytes, tag included, FCS excluded (60..=9014; above 1514 a jumbo frame).
    pub len: usize,
}

impl FrameSpec {
    /// An untagged frame of `len` bytes to `dst`.
    pub fn new(dst: [u8; 6], len: usize) -> Self {
        Self { dst, vlan: None, len }
    }

    /// The same frame tagged with VLAN `id`.
    pub fn vlan(mut self, id: u16) -> Self {
        self.vlan = Some(id);
        self
    }

    /// Checks the length and VLAN ID.
    pub fn validate(&self) -> Result<(), FrameError> {
        if !(MIN_FRAME_LEN..=MAX_FRAME_LEN).contains(&self.len) {
            return Err(FrameError::Length(self.len));
        }
        match self.vlan {
            Some(id) if id > MAX_VLAN_ID => Err(FrameError::VlanId(id)),
            _ => Ok(()),
        }
    }

    /// Offset of the sim header (after the EtherType).
    fn header_at(&self) -> usize {
        if self.vlan.is_some() { 18 } else { 14 }
    }
}

/// Why a [`FrameSpec`] cannot be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// Length outside 60..=9014.
    Length(usize),
    /// VLAN ID above 4095.
    VlanId(u16),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Length(n) => write!(f, "frame length {n} is outside {MIN_FRAME_LEN}..={MAX_FRAME_LEN}"),
            Self::VlanId(v) => write!(f, "VLAN ID {v} does not fit 12 bits"),
        }
    }
}

/// The header fields the receive demux looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameKey {
    /// Destination MAC.
    pub dst: [u8; 6],
    /// VLAN ID of an 802.1Q-tagged frame; `None` when untagged.
    pub vlan: Option<u16>,
}

/// What the traffic source wrote after the EtherType.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimHeader {
    /// Host-wide sequence number (1, 2, ... in send order).
    pub sequence: u64,
    /// The queue whose filters matched when the frame was sent (0 = default queue).
    pub expected_queue: u32,
}

/// Writes the frame `spec` with sequence `sequence` into `out` (cleared first).
pub fn build_frame(out: &mut Vec<u8>, spec: &FrameSpec, sequence: u64, expected_queue: u32) {
    out.clear();
    out.extend_from_slice(&spec.dst);
    out.extend_from_slice(&SIM_SOURCE_MAC);
    if let Some(id) = spec.vlan {
        out.extend_from_slice(&TPID_8021Q.to_be_bytes());
        out.extend_from_slice(&(id & MAX_VLAN_ID).to_be_bytes());
    }
    out.extend_from_slice(&ETHERTYPE_SIM.to_be_bytes());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&sequence.to_be_bytes());
    out.extend_from_slice(&expected_queue.to_be_bytes());
    let seed = sequence.wrapping_mul(0x9E37_79B9_7F4A_7C15).to_le_bytes()[7];
    let start = out.len();
    out.extend((start..spec.len).map(|i| seed.wrapping_add(i as u8)));
    debug_assert_eq!(out.len(), spec.len.max(spec.header_at() + 16));
}

/// Destination MAC and VLAN ID of an Ethernet frame; `None` if shorter than a header.
pub fn parse_key(frame: &[u8]) -> Option<FrameKey> {
    let dst: [u8; 6] = frame.get(..6)?.try_into().ok()?;
    let ethertype = u16::from_be_bytes([*frame.get(12)?, *frame.get(13)?]);
    let vlan = if ethertype == TPID_8021Q {
        let tci = u16::from_be_bytes([*frame.get(14)?, *frame.get(15)?]);
        Some(tci & MAX_VLAN_ID)
    } else {
        None
    };
    Some(FrameKey { dst, vlan })
}

/// The sim header of a frame the traffic source built; `None` for any other frame.
pub fn parse_sim_header(frame: &[u8]) -> Option<SimHeader> {
    let key = parse_key(frame)?;
    let at = if key.vlan.is_some() { 18 } else { 14 };
    let ethertype = u16::from_be_bytes([*frame.get(at - 2)?, *frame.get(at - 1)?]);
    if ethertype != ETHERTYPE_SIM || frame.get(at..at + 4)? != MAGIC {
        return None;
    }
    let sequence = u64::from_be_bytes(frame.get(at + 4..at + 12)?.try_into().ok()?);
    let expected_queue = u32::from_be_bytes(frame.get(at + 12..at + 16)?.try_into().ok()?);
    Some(SimHeader { sequence, expected_queue })
}

/// Index of the first byte where `a` and `b` differ (or the shorter length), `None` if equal.
pub fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    if a == b {
        return None;
    }
    Some(a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tagged_frame_round_trips() {
        let spec = FrameSpec::new([2, 0, 0, 0, 0, 9], 64).vlan(7);
        let mut f = Vec::new();
        build_frame(&mut f, &spec, 42, 3);
        assert_eq!(f.len(), 64);
        assert_eq!(&f[12..16], &[0x81, 0x00, 0x00, 0x07]);
        assert_eq!(&f[16..18], &[0x88, 0xB5]);
        let key = parse_key(&f);
        assert_eq!(key, Some(FrameKey { dst: [2, 0, 0, 0, 0, 9], vlan: Some(7) }));
        let h = parse_sim_header(&f);
        assert_eq!(h, Some(SimHeader { sequence: 42, expected_queue: 3 }));
    }

    #[test]
    fn untagged_frame_and_foreign_frames() {
        let mut f = Vec::new();
        build_frame(&mut f, &FrameSpec::new(BROADCAST_MAC, 1514), 1, 0);
        assert_eq!(f.len(), 1514);
        assert_eq!(parse_key(&f).map(|k| k.vlan), Some(None));
        assert!(parse_sim_header(&f).is_some());
        f[14] ^= 1;
        assert_eq!(parse_sim_header(&f), None, "magic broken");
        assert_eq!(parse_key(&f[..10]), None);
    }

    #[test]
    fn padding_depends_on_the_sequence() {
        let spec = FrameSpec::new([2; 6], 100);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        build_frame(&mut a, &spec, 1, 0);
        build_frame(&mut b, &spec, 2, 0);
        assert_eq!(first_difference(&a, &a.clone()), None);
        assert!(first_difference(&a, &b).is_some());
    }

    #[test]
    fn validation() {
        assert_eq!(FrameSpec::new([0; 6], 59).validate(), Err(FrameError::Length(59)));
        assert_eq!(FrameSpec::new([0; 6], 60).vlan(4096).validate(), Err(FrameError::VlanId(4096)));
        assert_eq!(FrameSpec::new([0; 6], 1514).vlan(4095).validate(), Ok(()));
        assert_eq!(FrameSpec::new([0; 6], 9014).vlan(7).validate(), Ok(()));
        assert_eq!(FrameSpec::new([0; 6], 9015).validate(), Err(FrameError::Length(9015)));
    }
}
