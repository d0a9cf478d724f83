//! The statistics the NIC keeps, and their `NDIS_STATISTICS_INFO` for `OID_GEN_STATISTICS`.
//!
//! <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-statistics>: "NDIS 6.0
//! and later drivers must support all statistics and must report them when queried for
//! OID_GEN_STATISTICS" — every counter of the structure is kept, per destination class.

use crate::backend::HardwareCounters;
use ndis_sys::{
    NDIS_OBJECT_TYPE_DEFAULT, NDIS_SIZEOF_STATISTICS_INFO_REVISION_1, NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_RCV,
    NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_XMIT, NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_RCV,
    NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_XMIT, NDIS_STATISTICS_FLAGS_VALID_BYTES_RCV,
    NDIS_STATISTICS_FLAGS_VALID_BYTES_XMIT, NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_RCV,
    NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_XMIT, NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_RCV,
    NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_XMIT, NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_RCV,
    NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_XMIT, NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_RCV,
    NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_XMIT, NDIS_STATISTICS_FLAGS_VALID_RCV_DISCARDS,
    NDIS_STATISTICS_FLAGS_VALID_RCV_ERROR, NDIS_STATISTICS_FLAGS_VALID_XMIT_DISCARDS,
    NDIS_STATISTICS_FLAGS_VALID_XMIT_ERROR, NDIS_STATISTICS_INFO_REVISION_1,
};

/// Bytes of `NDIS_STATISTICS_INFO` revision 1.
pub const STATISTICS_INFO_SIZE: usize = NDIS_SIZEOF_STATISTICS_INFO_REVISION_1 as usize;

/// `SupportedStatistics`: every counter of the structure is kept.
pub const SUPPORTED_STATISTICS: u32 = NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_RCV
    | NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_RCV
    | NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_RCV
    | NDIS_STATISTICS_FLAGS_VALID_BYTES_RCV
    | NDIS_STATISTICS_FLAGS_VALID_RCV_DISCARDS
    | NDIS_STATISTICS_FLAGS_VALID_RCV_ERROR
    | NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_XMIT
    | NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_XMIT
    | NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_XMIT
    | NDIS_STATISTICS_FLAGS_VALID_BYTES_XMIT
    | NDIS_STATISTICS_FLAGS_VALID_XMIT_ERROR
    | NDIS_STATISTICS_FLAGS_VALID_XMIT_DISCARDS
    | NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_RCV
    | NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_RCV
    | NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_RCV
    | NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_XMIT
    | NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_XMIT
    | NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_XMIT;

/// Frames and bytes of one destination class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClassCount {
    /// Frames.
    pub frames: u64,
    /// Bytes (the Ethernet frame without FCS).
    pub bytes: u64,
}

/// Frames and bytes by destination: directed, multicast, broadcast (in that order).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ByClass(pub [ClassCount; 3]);

impl ByClass {
    /// Counts one frame by its destination address (a runt counts as directed).
    pub fn count(&mut self, frame: &[u8]) {
        // CAST: a frame length fits in u64.
        self.count_len(frame.get(..6), frame.len() as u64);
    }

    /// Counts one `len`-byte frame to `destination` (`None`: a runt, directed).
    pub fn count_len(&mut self, destination: Option<&[u8]>, len: u64) {
        let class = match destination {
            Some([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]) => 2,
            Some(d) if d.first().is_some_and(|b| b & 1 != 0) => 1,
            _ => 0,
        };
        let c = &mut self.0[class];
        c.frames += 1;
        c.bytes += len;
    }

    /// Frames of every class.
    #[must_use]
    pub fn frames(&self) -> u64 {
        self.0.iter().map(|c| c.frames).sum()
    }

    /// Bytes of every class.
    #[must_use]
    pub fn bytes(&self) -> u64 {
        self.0.iter().map(|c| c.bytes).sum()
    }

    /// Adds `other` into `self`.
    pub fn add(&mut self, other: &Self) {
        for (c, o) in self.0.iter_mut().zip(other.0) {
            c.frames += o.frames;
            c.bytes += o.bytes;
        }
    }
}

/// What one MiniportSendNetBufferLists call sent, added to the counters once at its end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendTally {
    /// Frames put on the wire.
    pub sent: ByClass,
    /// Frames that could not be sent (unreadable buffer, too long).
    pub failed: u64,
}

/// Counters reported through `OID_GEN_STATISTICS` and the older per-counter OIDs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Frames (and bytes) transmitted, by destination class.
    pub xmit: ByClass,
    /// Frames (and bytes) indicated, by destination class.
    pub rcv: ByClass,
    /// Frames whose send failed.
    pub xmit_error: u64,
    /// Frames received with errors, or for a queue that is not running.
    pub rcv_error: u64,
    /// Frames dropped for lack of a receive buffer.
    pub rcv_no_buffer: u64,
}

impl Counters {
    /// Adds what only the NIC saw: frames it dropped for want of a descriptor or buffer
    /// (ifInDiscards) and frames it received with errors (ifInErrors). The driver's own class
    /// counts stay: they describe what it indicated and sent.
    pub fn add_hardware(&mut self, hw: &HardwareCounters) {
        self.rcv_no_buffer += hw.rx_missed;
        self.rcv_error += hw.rx_errors;
    }

    /// Frames transmitted.
    #[must_use]
    pub fn xmit_ok(&self) -> u64 {
        self.xmit.frames()
    }

    /// Frames indicated.
    #[must_use]
    pub fn rcv_ok(&self) -> u64 {
        self.rcv.frames()
    }

    /// The `NDIS_STATISTICS_INFO` (revision 1) of these counters.
    #[must_use]
    pub fn statistics_info(&self) -> [u8; STATISTICS_INFO_SIZE] {
        let mut out = [0u8; STATISTICS_INFO_SIZE];
        out[0] = NDIS_OBJECT_TYPE_DEFAULT;
        out[1] = NDIS_STATISTICS_INFO_REVISION_1;
        out[2..4].copy_from_slice(&NDIS_SIZEOF_STATISTICS_INFO_REVISION_1.to_le_bytes());
        out[4..8].copy_from_slice(&SUPPORTED_STATISTICS.to_le_bytes());
        let [rd, rm, rb] = self.rcv.0;
        let [xd, xm, xb] = self.xmit.0;
        let fields = [
            self.rcv_no_buffer, // ifInDiscards
            self.rcv_error,     // ifInErrors
            self.rcv.bytes(),   // ifHCInOctets
            rd.frames,          // ifHCInUcastPkts
            rm.frames,          // ifHCInMulticastPkts
            rb.frames,          // ifHCInBroadcastPkts
            self.xmit.bytes(),  // ifHCOutOctets
            xd.frames,          // ifHCOutUcastPkts
            xm.frames,          // ifHCOutMulticastPkts
            xb.frames,          // ifHCOutBroadcastPkts
            self.xmit_error,    // ifOutErrors
            0,                  // ifOutDiscards: the NIC discards no send
            rd.bytes,           // ifHCInUcastOctets
            rm.bytes,           // ifHCInMulticastOctets
            rb.bytes,           // ifHCInBroadcastOctets
            xd.bytes,           // ifHCOutUcastOctets
            xm.bytes,           // ifHCOutMulticastOctets
            xb.bytes,           // ifHCOutBroadcastOctets
        ];
        for (chunk, value) in out[8..].chunks_exact_mut(8).zip(fields) {
            chunk.copy_from_slice(&value.to_le_bytes());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_counted_by_destination_class() {
        let mut c = ByClass::default();
        c.count(&[0xFF; 60]);
        c.count(&[0x01, 0, 0x5E, 0, 0, 1, 0, 0]);
        c.count(&[0x02, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
        assert_eq!(c.0.map(|x| (x.frames, x.bytes)), [(1, 10), (1, 8), (1, 60)]);
    }

    #[test]
    fn the_nics_drops_and_errors_join_the_drivers() {
        let mut c = Counters { rcv_no_buffer: 2, rcv_error: 1, ..Counters::default() };
        c.add_hardware(&HardwareCounters { rx_missed: 5, rx_errors: 3, rx_frames: 99, ..HardwareCounters::default() });
        assert_eq!((c.rcv_no_buffer, c.rcv_error, c.rcv_ok()), (7, 4, 0));
    }

    #[test]
    fn statistics_info_has_its_header_and_counters_in_place() {
        let mut c = Counters { rcv_no_buffer: 7, xmit_error: 3, ..Counters::default() };
        c.rcv.count(&[0xFF; 64]);
        let info = c.statistics_info();
        assert_eq!(&info[..4], &[0x80, 1, 152, 0]);
        assert_eq!(crate::kernel::bytes::u32_at(&info, 4), Some(SUPPORTED_STATISTICS));
        let at = |i: usize| crate::kernel::bytes::u64_at(&info, 8 + 8 * i).unwrap_or(u64::MAX);
        assert_eq!((at(0), at(2), at(5), at(10), at(14)), (7, 64, 1, 3, 64));
    }
}
