//! The indicated frame itself: cross-VM leak and wrong-queue checks against the adapter's filter
//! table, and, for the traffic source's frames, content, order and accounting.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/setting-a-vmq-filter>.

use super::super::frames::{FrameKey, build_frame, first_difference, parse_key, parse_sim_header};
use ndis_sys::Ieee8021QNetBufferListInfo;

use super::super::memory::{AddressSpace, MemExt};
use super::super::traffic::Arrival;
use super::super::{Model, rules};
use super::API;

impl Model {
    /// Reads the indicated frame and checks it against the filters and the traffic ledger.
    pub(super) fn check_frame(
        &mut self,
        mem: &dyn AddressSpace,
        adapter: u64,
        nbl: u64,
        q: u32,
        pieces: &[(u64, u32)],
    ) {
        let mut frame = std::mem::take(&mut self.rx_scratch);
        frame.clear();
        for &(va, n) in pieces {
            let start = frame.len();
            frame.resize(start + n as usize, 0);
            if let Err(fault) = mem.read(va, &mut frame[start..]) {
                self.fault::<()>(API, fault);
                self.rx_scratch = frame;
                return;
            }
        }
        let tagged_in_data = parse_key(&frame).is_some_and(|k| k.vlan.is_some());
        // A tag of all zeros may stay: an 8021Q info of 0 means "no tag" and could not carry it.
        let nonzero_tag_in_data = tagged_in_data && frame.get(14..16).is_some_and(|t| t != [0, 0]);
        let info_at = nbl + off!(NET_BUFFER_LIST, NetBufferListInfo) + 8 * Ieee8021QNetBufferListInfo as u64;
        let info = mem.read_u64(info_at).unwrap_or(0);
        if info & 0xFFFF != 0 {
            if tagged_in_data {
                self.violate_rx(
                    rules::RECEIVE_VLAN_TAG_IN_DATA,
                    format!("{API}: NBL {nbl:#x} carries an 802.1Q tag both in its data and in NDIS_NET_BUFFER_LIST_8021Q_INFO"),
                );
            } else if frame.len() >= 12 {
                // The frame as it was on the wire: the tag back after the source MAC.
                // CAST: the info value's low 16 bits are UserPriority:3, CFI:1, VlanId:12.
                let (prio, cfi, vid) = ((info & 7) as u16, ((info >> 3) & 1) as u16, ((info >> 4) & 0x0FFF) as u16);
                let [hi, lo] = ((prio << 13) | (cfi << 12) | vid).to_be_bytes();
                frame.splice(12..12, [0x81, 0x00, hi, lo]);
            }
        }
        let key = parse_key(&frame);
        if q != 0
            && nonzero_tag_in_data
            && let Some(k) = key.as_ref()
            && self.adapter(adapter).is_some_and(|a| a.filters.strip_required(k, q))
        {
            self.violate_rx(
                rules::RECEIVE_VLAN_TAG_IN_DATA,
                format!(
                    "{API}: NBL {nbl:#x} on queue {q}: a frame to {:02x?} VLAN {:?} keeps its 802.1Q tag in the data; \
                     its filter wants it in NDIS_NET_BUFFER_LIST_8021Q_INFO",
                    k.dst, k.vlan
                ),
            );
        }
        if q == 0
            && let Some(k) = key.as_ref()
        {
            self.check_packet_filter(adapter, nbl, &k.dst);
        }
        let misdelivered = self.check_demux(adapter, nbl, q, key.as_ref());
        if let Some(h) = parse_sim_header(&frame) {
            self.check_sim_frame(adapter, nbl, q, &frame, h.sequence, misdelivered);
        }
        self.rx_scratch = frame;
    }

    /// Cross-VM leak / wrong queue; returns whether the frame is misdelivered.
    fn check_demux(&mut self, adapter: u64, nbl: u64, q: u32, key: Option<&FrameKey>) -> bool {
        let Some(a) = self.adapter(adapter) else {
            return false;
        };
        let table = &a.filters;
        let (leak, wrong) = match key {
            None => (q != 0, None),
            Some(k) if q != 0 => (!table.queue_matches(k, q), None),
            Some(k) => (false, table.matching_vm_queue(k).filter(|_| !table.queue_matches(k, 0))),
        };
        let what = key.map_or("a runt frame".to_string(), |k| format!("a frame to {:02x?} VLAN {:?}", k.dst, k.vlan));
        if leak {
            self.violate_rx(
                rules::RECEIVE_CROSS_VM_LEAK,
                format!("{API}: NBL {nbl:#x} delivers {what} on queue {q}, whose filters do not match it"),
            );
        }
        if let Some(vm) = wrong {
            self.violate_rx(
                rules::RECEIVE_WRONG_QUEUE,
                format!("{API}: NBL {nbl:#x} delivers {what} on the default queue; queue {vm}'s filters match it"),
            );
        }
        leak || wrong.is_some()
    }

    fn check_sim_frame(&mut self, adapter: u64, nbl: u64, q: u32, frame: &[u8], sequence: u64, misdelivered: bool) {
        // A frame sent on the segment reaches every adapter but its sender: the adapter it was
        // sent to accounts for it; another adapter's copy is only checked.
        let copy = self.traffic.sent(sequence).is_some_and(|s| s.adapter != adapter);
        let sent = if copy { self.traffic.sent(sequence) } else { self.traffic.take_pending(sequence) };
        let Some(sent) = sent else {
            self.violate_rx(
                rules::RECEIVE_CORRUPT,
                format!(
                    "{API}: NBL {nbl:#x} carries frame #{sequence}, which was never sent or has already been indicated"
                ),
            );
            return;
        };
        let mut expected = std::mem::take(&mut self.rx_expected);
        build_frame(&mut expected, &sent.spec, sequence, sent.expected_queue);
        if let Some(at) = first_difference(&expected, frame) {
            self.violate_rx(
                rules::RECEIVE_CORRUPT,
                format!("{API}: NBL {nbl:#x}: frame #{sequence} ({} bytes sent, {} indicated) differs from what was sent at byte {at}", expected.len(), frame.len()),
            );
        }
        self.rx_expected = expected;
        let no_loopback = self
            .adapter(adapter)
            .and_then(|a| a.attributes.general.as_ref())
            .is_some_and(|g| g.mac_options & ndis_sys::NDIS_MAC_OPTION_NO_LOOPBACK != 0);
        if no_loopback && sent.sender == Some(adapter) {
            self.violate_rx(
                rules::RECEIVE_LOOPBACK,
                format!("{API}: frame #{sequence} is indicated by adapter {adapter:#x}, which sent it and claims NDIS_MAC_OPTION_NO_LOOPBACK"),
            );
        }
        if copy {
            // Another adapter on the segment: its filters were checked above; the frame stays
            // expected at the adapter it was sent to.
            return;
        }
        let arrival = Arrival {
            adapter,
            queue: q,
            sequence,
            home_adapter: sent.adapter,
            home: sent.expected_queue,
            misdelivered,
        };
        if !self.account_arrival(arrival) {
            self.violate_rx(
                rules::RECEIVE_REORDERED,
                format!("{API}: frame #{sequence} indicated on queue {q} after a later frame of that queue"),
            );
        }
    }
}
