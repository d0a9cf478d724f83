//! What NDIS knows about the VMQ filters it set: each filter's field tests, parsed from the
//! OID_RECEIVE_FILTER_SET_FILTER payload, and an index that answers "which queues' filters match
//! this frame" in a few map lookups whatever the number of filters.
//!
//! Semantics ("Setting a VMQ Filter", NDIS_RECEIVE_FILTER_FIELD_PARAMETERS): field tests within
//! a filter are ANDed, filters of a queue are ORed. A destination-MAC test with VLAN_UNTAGGED_OR_ZERO matches only untagged or VLAN 0
//! frames; MAC + VLAN tests match both. A filter with a test the model does not model (another
//! header, field or test kind) matches nothing.
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/setting-a-vmq-filter>.

use std::collections::{BTreeMap, BTreeSet};

use ndis_sys::{
    NDIS_RECEIVE_FILTER_FIELD_MAC_HEADER_VLAN_UNTAGGED_OR_ZERO, NdisFrameHeaderMac,
    NdisMacHeaderFieldDestinationAddress, NdisMacHeaderFieldVlanId, NdisReceiveFilterTestEqual,
};

use super::frames::FrameKey;

/// The VLAN key of an untagged frame.
const UNTAGGED: u16 = 0xFFFF;

/// One filter NDIS set, as far as the receive demux is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FilterRule {
    /// The queue the filter was set on.
    pub queue: u32,
    /// Destination-MAC equality test.
    pub mac: Option<[u8; 6]>,
    /// VLAN-ID equality test.
    pub vlan: Option<u16>,
    /// VLAN_UNTAGGED_OR_ZERO on the MAC test.
    pub untagged_or_zero: bool,
    /// Every field test is one the model understands (MAC header, Equal, dst MAC or VLAN ID).
    pub supported: bool,
}

/// One index entry kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    /// Destination MAC and VLAN key (a VLAN ID or [`UNTAGGED`]).
    MacVlan([u8; 6], u16),
    /// Destination MAC, any VLAN.
    MacAny([u8; 6]),
    /// VLAN key, any destination.
    VlanAny(u16),
}

impl FilterRule {
    /// The index keys a frame must hit for this filter to match it (empty: matches nothing).
    fn keys(&self) -> Vec<Key> {
        if !self.supported {
            return Vec::new();
        }
        let mut vlans: Option<Vec<u16>> = self.untagged_or_zero.then(|| vec![UNTAGGED, 0]);
        if let Some(v) = self.vlan {
            vlans = Some(match vlans {
                None => vec![v],
                Some(list) => list.into_iter().filter(|x| *x == v).collect(),
            });
        }
        match (self.mac, vlans) {
            (Some(mac), None) => vec![Key::MacAny(mac)],
            (Some(mac), Some(list)) => list.into_iter().map(|v| Key::MacVlan(mac, v)).collect(),
            (None, Some(list)) => list.into_iter().map(Key::VlanAny).collect(),
            (None, None) => Vec::new(),
        }
    }

    /// Whether a tagged frame this filter takes must lose its tag to the NBL's 802.1Q info
    /// ("NDIS_RECEIVE_FILTER_FIELD_PARAMETERS" remarks: MAC + non-zero VLAN, or MAC-only
    /// without VLAN_UNTAGGED_OR_ZERO).
    pub fn strips_tag(&self) -> bool {
        self.supported
            && self.mac.is_some()
            && match self.vlan {
                Some(v) => v != 0,
                None => !self.untagged_or_zero,
            }
    }

    /// Whether this filter alone matches `frame`.
    pub fn matches(&self, frame: &FrameKey) -> bool {
        let hit = frame_keys(frame);
        self.keys().iter().any(|k| hit.contains(k))
    }
}

/// The three keys a frame can hit.
fn frame_keys(frame: &FrameKey) -> [Key; 3] {
    let v = frame.vlan.unwrap_or(UNTAGGED);
    [Key::MacVlan(frame.dst, v), Key::MacAny(frame.dst), Key::VlanAny(v)]
}

/// Parses an NDIS_RECEIVE_FILTER_PARAMETERS payload (with its field array); `None` if the
/// array does not fit the buffer.
pub fn parse_filter(payload: &[u8]) -> Option<FilterRule> {
    let u32_at = |at: usize| -> Option<u32> { Some(u32::from_le_bytes(payload.get(at..at + 4)?.try_into().ok()?)) };
    let queue = u32_at(off!(NDIS_RECEIVE_FILTER_PARAMETERS, QueueId) as usize)?;
    let first = u32_at(off!(NDIS_RECEIVE_FILTER_PARAMETERS, FieldParametersArrayOffset) as usize)? as usize;
    let n = u32_at(off!(NDIS_RECEIVE_FILTER_PARAMETERS, FieldParametersArrayNumElements) as usize)? as usize;
    let size = u32_at(off!(NDIS_RECEIVE_FILTER_PARAMETERS, FieldParametersArrayElementSize) as usize)? as usize;
    let mut rule = FilterRule { queue, mac: None, vlan: None, untagged_or_zero: false, supported: n > 0 };
    for i in 0..n.min(64) {
        let e = first.checked_add(i.checked_mul(size)?)?;
        let get = |o: u64| u32_at(e + o as usize);
        let flags = get(off!(NDIS_RECEIVE_FILTER_FIELD_PARAMETERS, Flags))?;
        let header = get(off!(NDIS_RECEIVE_FILTER_FIELD_PARAMETERS, FrameHeader))?;
        let test = get(off!(NDIS_RECEIVE_FILTER_FIELD_PARAMETERS, ReceiveFilterTest))?;
        let which = get(off!(NDIS_RECEIVE_FILTER_FIELD_PARAMETERS, HeaderField))?;
        let value = e + off!(NDIS_RECEIVE_FILTER_FIELD_PARAMETERS, FieldValue) as usize;
        let bytes = payload.get(value..value + 6)?;
        if header != NdisFrameHeaderMac as u32 || test != NdisReceiveFilterTestEqual as u32 {
            rule.supported = false;
            continue;
        }
        if which == NdisMacHeaderFieldDestinationAddress as u32 {
            rule.mac = bytes.try_into().ok();
            rule.untagged_or_zero |= flags & NDIS_RECEIVE_FILTER_FIELD_MAC_HEADER_VLAN_UNTAGGED_OR_ZERO != 0;
        } else if which == NdisMacHeaderFieldVlanId as u32 {
            // FieldShortValue in host byte order (what the Hyper-V switch writes; see payload.rs).
            rule.vlan = Some(u16::from_le_bytes([bytes[0], bytes[1]]) & 0x0FFF);
        } else {
            rule.supported = false;
        }
    }
    Some(rule)
}

/// One filter NDIS set on an adapter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    rule: FilterRule,
    /// `false` once a pended FREE_QUEUE of its queue withdrew it from the receive checks: the
    /// miniport may drop a queue's filters when it accepts FREE_QUEUE (that OID must not fail,
    /// see OID_RECEIVE_FILTER_FREE_QUEUE), so frames that matched them belong elsewhere; the
    /// FilterId stays taken until the FREE_QUEUE completes or CLEAR_FILTER names it.
    active: bool,
}

/// The filters NDIS set on one adapter (every FilterId it handed out and not cleared) and the
/// lookup index of the active ones: the one filter table of the model.
#[derive(Clone, Debug, Default)]
pub struct FilterTable {
    entries: BTreeMap<u32, Entry>,
    index: BTreeSet<(Key, u32)>,
    per_queue: BTreeMap<u32, u32>,
}

impl FilterTable {
    /// Records filter `id` (replacing one with the same id).
    pub fn insert(&mut self, id: u32, rule: FilterRule) {
        self.entries.insert(id, Entry { rule, active: true });
        self.rebuild();
    }

    /// Forgets filter `id`.
    pub fn remove(&mut self, id: u32) {
        if self.entries.remove(&id).is_some() {
            self.rebuild();
        }
    }

    /// Forgets every filter of `queue` (its FREE_QUEUE completed).
    pub fn remove_queue(&mut self, queue: u32) {
        let before = self.entries.len();
        self.entries.retain(|_, e| e.rule.queue != queue);
        if self.entries.len() != before {
            self.rebuild();
        }
    }

    /// Withdraws every filter of `queue` from the receive checks and keeps their FilterIds
    /// (its FREE_QUEUE pended).
    pub fn withdraw_queue(&mut self, queue: u32) {
        let mut changed = false;
        for e in self.entries.values_mut().filter(|e| e.rule.queue == queue && e.active) {
            e.active = false;
            changed = true;
        }
        if changed {
            self.rebuild();
        }
    }

    fn rebuild(&mut self) {
        self.index.clear();
        self.per_queue.clear();
        for rule in self.entries.values().filter(|e| e.active).map(|e| &e.rule) {
            *self.per_queue.entry(rule.queue).or_default() += 1;
            for key in rule.keys() {
                self.index.insert((key, rule.queue));
            }
        }
    }

    /// Whether FilterId `id` is taken (set and not cleared).
    pub fn contains(&self, id: u32) -> bool {
        self.entries.contains_key(&id)
    }

    /// Every filter set, as (FilterId, QueueId), by FilterId.
    pub fn ids(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.entries.iter().map(|(id, e)| (*id, e.rule.queue))
    }

    /// Whether `queue` has at least one active filter.
    pub fn has_filters(&self, queue: u32) -> bool {
        self.per_queue.contains_key(&queue)
    }

    /// Whether `queue`'s filters that match `frame` all require its 802.1Q tag out of the data
    /// (and at least one matches).
    pub fn strip_required(&self, frame: &FrameKey, queue: u32) -> bool {
        let mut matching =
            self.entries.values().filter(|e| e.active && e.rule.queue == queue && e.rule.matches(frame)).peekable();
        matching.peek().is_some() && matching.all(|e| e.rule.strips_tag())
    }

    /// Whether one of `queue`'s filters matches `frame`.
    pub fn queue_matches(&self, frame: &FrameKey, queue: u32) -> bool {
        frame_keys(frame).iter().any(|k| self.index.contains(&(*k, queue)))
    }

    /// The lowest VM queue (id >= 1) one of whose filters matches `frame`.
    pub fn matching_vm_queue(&self, frame: &FrameKey) -> Option<u32> {
        frame_keys(frame)
            .iter()
            .filter_map(|k| self.index.range((*k, 1)..=(*k, u32::MAX)).next())
            .map(|(_, q)| *q)
            .min()
    }

    /// The queue a frame belongs to: the lowest VM queue whose filters match, else 0.
    pub fn expected_queue(&self, frame: &FrameKey) -> u32 {
        self.matching_vm_queue(frame).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::payload::{FilterField, QueueId, filter_parameters_bytes};

    const MAC: [u8; 6] = [2, 0, 0, 0, 0, 9];

    fn key(vlan: Option<u16>) -> FrameKey {
        FrameKey { dst: MAC, vlan }
    }

    fn rule(fields: &[FilterField]) -> FilterRule {
        parse_filter(&filter_parameters_bytes(QueueId(3), fields)).unwrap_or(FilterRule {
            queue: 0,
            mac: None,
            vlan: None,
            untagged_or_zero: false,
            supported: false,
        })
    }

    #[test]
    fn untagged_or_zero_matches_only_untagged_and_vlan_0() {
        let r = rule(&[FilterField::DestinationMac { mac: MAC, untagged_or_zero: true }]);
        assert_eq!((r.queue, r.mac, r.untagged_or_zero), (3, Some(MAC), true));
        assert!(r.matches(&key(None)));
        assert!(r.matches(&key(Some(0))));
        assert!(!r.matches(&key(Some(5))));
        assert!(!r.matches(&FrameKey { dst: [2; 6], vlan: None }));
    }

    #[test]
    fn mac_and_vlan_match_both() {
        let r = rule(&[FilterField::DestinationMac { mac: MAC, untagged_or_zero: false }, FilterField::VlanId(5)]);
        assert_eq!(r.vlan, Some(5));
        assert!(r.matches(&key(Some(5))));
        assert!(!r.matches(&key(None)));
        assert!(!r.matches(&key(Some(6))));
    }

    #[test]
    fn mac_only_matches_any_vlan_and_table_ors_filters() {
        let r = rule(&[FilterField::DestinationMac { mac: MAC, untagged_or_zero: false }]);
        assert!(r.matches(&key(Some(9))) && r.matches(&key(None)));
        let mut t = FilterTable::default();
        t.insert(1, r);
        t.insert(2, FilterRule { queue: 2, vlan: Some(9), mac: None, untagged_or_zero: false, supported: true });
        assert_eq!(t.expected_queue(&key(Some(9))), 2);
        assert!(t.queue_matches(&key(Some(9)), 3));
        assert_eq!(t.expected_queue(&key(Some(8))), 3);
        t.remove_queue(3);
        assert_eq!(t.expected_queue(&key(Some(8))), 0);
        assert!(!t.has_filters(3) && t.has_filters(2));
        t.remove(2);
        assert_eq!(t.expected_queue(&key(Some(9))), 0);
    }

    #[test]
    fn a_withdrawn_filter_keeps_its_id_but_matches_nothing() {
        let mut t = FilterTable::default();
        t.insert(4, rule(&[FilterField::DestinationMac { mac: MAC, untagged_or_zero: false }]));
        t.withdraw_queue(3);
        assert!(t.contains(4) && !t.has_filters(3));
        assert_eq!(t.ids().collect::<Vec<_>>(), vec![(4, 3)]);
        assert_eq!(t.expected_queue(&key(None)), 0);
        t.remove_queue(3);
        assert!(!t.contains(4));
    }
}
