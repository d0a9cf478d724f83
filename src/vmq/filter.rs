//! VMQ receive filters: SET_FILTER payload validation and the filter table.
//!
//! A VMQ filter is a destination-MAC equality test, optionally ANDed with a VLAN-ID
//! equality test. With `VLAN_UNTAGGED_OR_ZERO` on the MAC test the filter matches only
//! untagged or VID-0 frames; a MAC + VLAN filter matches only frames tagged with that VID; a
//! MAC test with neither matches every frame to that MAC ("Setting a VMQ Filter" gives a 6.30
//! miniport no refusal for it). A VLAN test is refused when `*VMQVlanFiltering` is off.
//!
//! "NDIS_RECEIVE_FILTER_FIELD_PARAMETERS" (remarks): for a MAC + non-zero VLAN filter, and for
//! a MAC-only filter without `VLAN_UNTAGGED_OR_ZERO`, the miniport removes the 802.1Q tag from
//! the packet data and puts it in the NBL's `NDIS_NET_BUFFER_LIST_8021Q_INFO`
//! ([`FilterSpec::strips_tag`]; the receive path does it).
//! <https://learn.microsoft.com/windows-hardware/drivers/network/setting-a-vmq-filter>
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_receive_filter_field_parameters>

use core::mem::offset_of;

use ndis_sys::{
    NDIS_RECEIVE_FILTER_CLEAR_PARAMETERS, NDIS_RECEIVE_FILTER_FIELD_MAC_HEADER_VLAN_UNTAGGED_OR_ZERO,
    NDIS_RECEIVE_FILTER_FIELD_PARAMETERS, NDIS_RECEIVE_FILTER_PARAMETERS,
    NDIS_SIZEOF_RECEIVE_FILTER_CLEAR_PARAMETERS_REVISION_1, NDIS_SIZEOF_RECEIVE_FILTER_FIELD_PARAMETERS_REVISION_1,
    NDIS_SIZEOF_RECEIVE_FILTER_PARAMETERS_REVISION_1, NdisFrameHeaderMac, NdisMacHeaderFieldDestinationAddress,
    NdisMacHeaderFieldVlanId, NdisReceiveFilterTestEqual, NdisReceiveFilterTypeVMQueue,
};

use super::demux::{DemuxKey, FILTER_TAG, MAX_FILTERS};
use super::error::OidError;
use super::wire::{ObjectHeader, len_u32, u32_at};
use crate::kernel::pool::PoolBox;
use crate::kernel::{NdisHandle, QueueId};

/// Which frames of a MAC a filter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VlanMatch {
    /// `VLAN_UNTAGGED_OR_ZERO`: untagged or VID-0 frames only.
    UntaggedOrZero,
    /// Frames tagged with this VLAN ID only.
    Id(u16),
    /// MAC-only filter without `VLAN_UNTAGGED_OR_ZERO`: every frame to the MAC, any VLAN.
    Any,
}

/// A validated SET_FILTER request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilterSpec {
    /// QueueId the filter is for.
    pub queue_id: QueueId,
    /// FilterId NDIS assigned.
    pub filter_id: u32,
    /// Destination MAC.
    pub mac: [u8; 6],
    /// VLAN part of the test.
    pub vlan: VlanMatch,
}

impl FilterSpec {
    /// The demux key frames matching this filter have.
    #[must_use]
    pub fn key(&self) -> DemuxKey {
        match self.vlan {
            VlanMatch::UntaggedOrZero => DemuxKey::new(self.mac, 0),
            VlanMatch::Id(id) => DemuxKey::new(self.mac, id),
            VlanMatch::Any => DemuxKey::any_vlan(self.mac),
        }
    }

    /// Whether a tagged frame this filter takes loses its tag to the NBL's 802.1Q info
    /// ("NDIS_RECEIVE_FILTER_FIELD_PARAMETERS" remarks: MAC + non-zero VLAN, or MAC-only
    /// without `VLAN_UNTAGGED_OR_ZERO`).
    #[must_use]
    pub const fn strips_tag(&self) -> bool {
        !matches!(self.vlan, VlanMatch::UntaggedOrZero)
    }
}

/// One field test as read from the array.
struct FieldTest {
    flags: u32,
    field: u32,
    bytes: [u8; 16],
}

fn read_field(buf: &[u8], at: usize) -> Option<FieldTest> {
    type F = NDIS_RECEIVE_FILTER_FIELD_PARAMETERS;
    ObjectHeader::checked(buf, at, NDIS_SIZEOF_RECEIVE_FILTER_FIELD_PARAMETERS_REVISION_1).ok()?;
    let frame_header = u32_at(buf, at + offset_of!(F, FrameHeader))?;
    let test = u32_at(buf, at + offset_of!(F, ReceiveFilterTest))?;
    if frame_header != NdisFrameHeaderMac as u32 || test != NdisReceiveFilterTestEqual as u32 {
        return None;
    }
    let value = at + offset_of!(F, FieldValue);
    Some(FieldTest {
        flags: u32_at(buf, at + offset_of!(F, Flags))?,
        field: u32_at(buf, at + offset_of!(F, HeaderField))?,
        bytes: buf.get(value..value + 16)?.try_into().ok()?,
    })
}

/// Validates an `NDIS_RECEIVE_FILTER_PARAMETERS` + field array for a VMQ filter.
/// `vlan_filtering` is whether VLAN-ID tests are currently enabled.
///
/// # Errors
/// `InvalidLength` (with the bytes needed) for a short buffer or an array outside it,
/// `NotSupported` for tests the adapter does not advertise, `InvalidParameter` otherwise.
pub fn parse_set_filter(input: &[u8], vlan_filtering: bool) -> Result<(FilterSpec, u32), OidError> {
    type P = NDIS_RECEIVE_FILTER_PARAMETERS;
    let size = u32::from(NDIS_SIZEOF_RECEIVE_FILTER_PARAMETERS_REVISION_1);
    let header = ObjectHeader::checked(input, 0, NDIS_SIZEOF_RECEIVE_FILTER_PARAMETERS_REVISION_1)
        .map_err(|e| OidError::from_header(e, size))?;
    let field = |off: usize| u32_at(input, off).ok_or(OidError::InvalidLength { needed: size });
    let (flags, filter_type) = (field(offset_of!(P, Flags))?, field(offset_of!(P, FilterType))?);
    let (queue_id, filter_id) = (field(offset_of!(P, QueueId))?, field(offset_of!(P, FilterId))?);
    let offset = field(offset_of!(P, FieldParametersArrayOffset))?;
    let count = field(offset_of!(P, FieldParametersArrayNumElements))?;
    let stride = field(offset_of!(P, FieldParametersArrayElementSize))?;
    let bit_count = field(offset_of!(P, RequestedFilterIdBitCount))?;
    // Revision 2 adds VPortId (SR-IOV only): it must be 0 for VMQ.
    let vport = if header.revision >= 2 { u32_at(input, offset_of!(P, VPortId)).unwrap_or(0) } else { 0 };
    if flags != 0
        || filter_type != NdisReceiveFilterTypeVMQueue as u32
        || filter_id == 0
        || bit_count != 0
        || vport != 0
        || !(1..=2).contains(&count)
        || stride < u32::from(NDIS_SIZEOF_RECEIVE_FILTER_FIELD_PARAMETERS_REVISION_1)
        || offset < size
    {
        return Err(OidError::InvalidParameter);
    }
    let span = u64::from(offset) + u64::from(count) * u64::from(stride);
    if span > input.len() as u64 {
        return Err(OidError::InvalidLength { needed: u32::try_from(span).unwrap_or(u32::MAX) });
    }
    let (mut mac, mut vlan, mut untagged) = (None, None, false);
    for i in 0..count {
        let at = (offset + i * stride) as usize;
        let test = read_field(input, at).ok_or(OidError::InvalidParameter)?;
        match test.field {
            f if f == NdisMacHeaderFieldDestinationAddress as u32 && mac.is_none() => {
                if test.flags & !NDIS_RECEIVE_FILTER_FIELD_MAC_HEADER_VLAN_UNTAGGED_OR_ZERO != 0 {
                    return Err(OidError::InvalidParameter);
                }
                untagged = test.flags & NDIS_RECEIVE_FILTER_FIELD_MAC_HEADER_VLAN_UNTAGGED_OR_ZERO != 0;
                let mut address = [0u8; 6];
                address.copy_from_slice(&test.bytes[..6]);
                mac = Some(address);
            }
            f if f == NdisMacHeaderFieldVlanId as u32 && vlan.is_none() => {
                if test.flags != 0 {
                    return Err(OidError::InvalidParameter);
                }
                // FieldShortValue. Some of Microsoft's VMQ text speaks of network byte order;
                // vmqnic reads the VLAN id in host (little-endian) order. Evidence: netvmini's vmq.c (SetRxFilter)
                // stores FieldValue.FieldShortValue unswapped in its filter and MatchRxFilter
                // compares it with NDIS_NET_BUFFER_LIST_8021Q_INFO.TagHeader.VlanId, a host-order
                // bit field — Microsoft's sample, run against the Hyper-V switch, only works if
                // the switch writes the VLAN ID in host order. The AMD/Pensando ionic driver, a
                // shipping VMQ driver, does the same: its SET_FILTER path stores
                // `FieldValue.FieldShortValue` unswapped as the filter's VLAN id and programs the
                // hardware with it. The structure's own page describes the member only as "a
                // USHORT value to compare with a field in a network packet".
                // ndis-sim's switch writes host order too (model/payload.rs).
                let id = u16::from_le_bytes([test.bytes[0], test.bytes[1]]);
                if id == 0 || id >= 0x0FFF {
                    return Err(OidError::InvalidParameter);
                }
                vlan = Some(id);
            }
            _ => return Err(OidError::InvalidParameter),
        }
    }
    let mac = mac.ok_or(OidError::InvalidParameter)?;
    let vlan = match (vlan, untagged) {
        (Some(_), _) if !vlan_filtering => return Err(OidError::NotSupported),
        (Some(id), false) => VlanMatch::Id(id),
        (None, true) => VlanMatch::UntaggedOrZero,
        (Some(_), true) => return Err(OidError::InvalidParameter),
        (None, false) => VlanMatch::Any,
    };
    Ok((FilterSpec { queue_id: QueueId::new(queue_id), filter_id, mac, vlan }, len_u32(span as usize)))
}

/// Reads `NDIS_RECEIVE_FILTER_CLEAR_PARAMETERS`: (QueueId, FilterId).
#[must_use]
pub fn parse_clear_filter(input: &[u8]) -> Option<(QueueId, u32)> {
    ObjectHeader::checked(input, 0, NDIS_SIZEOF_RECEIVE_FILTER_CLEAR_PARAMETERS_REVISION_1).ok()?;
    Some((
        QueueId::new(u32_at(input, offset_of!(NDIS_RECEIVE_FILTER_CLEAR_PARAMETERS, QueueId))?),
        u32_at(input, offset_of!(NDIS_RECEIVE_FILTER_CLEAR_PARAMETERS, FilterId))?,
    ))
}

/// One recorded filter (FilterId 0 = empty slot: NDIS never assigns FilterId 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilterRecord {
    /// FilterId NDIS assigned (0 = free slot).
    pub filter_id: u32,
    /// Queue the filter steers to.
    pub queue_id: QueueId,
    /// The demux key it installed.
    pub key: DemuxKey,
}

/// The filters set on an adapter (control path only; the hot path uses the demux table).
/// The records live in pool (filled in place, never on the kernel stack).
pub struct FilterTable {
    records: PoolBox<[FilterRecord; MAX_FILTERS]>,
}

impl FilterTable {
    /// An empty table, or `None` when the pool allocation fails.
    #[must_use]
    pub fn new(owner: NdisHandle) -> Option<Self> {
        let free = FilterRecord { filter_id: 0, queue_id: QueueId::DEFAULT, key: DemuxKey::new([0; 6], 0) };
        Some(Self { records: PoolBox::try_filled(owner, FILTER_TAG, free)? })
    }

    /// Records a filter; `false` when full.
    pub fn insert(&mut self, spec: &FilterSpec) -> bool {
        match self.records.iter_mut().find(|r| r.filter_id == 0) {
            Some(slot) => {
                *slot = FilterRecord { filter_id: spec.filter_id, queue_id: spec.queue_id, key: spec.key() };
                true
            }
            None => false,
        }
    }

    /// Removes the filter with this id.
    pub fn remove(&mut self, filter_id: u32) -> Option<FilterRecord> {
        if filter_id == 0 {
            return None;
        }
        let slot = self.records.iter_mut().find(|r| r.filter_id == filter_id)?;
        let record = *slot;
        slot.filter_id = 0;
        Some(record)
    }

    /// The filter with this id.
    #[must_use]
    pub fn get(&self, filter_id: u32) -> Option<&FilterRecord> {
        self.records.iter().find(|r| filter_id != 0 && r.filter_id == filter_id)
    }

    /// Filters of a queue.
    pub fn of_queue(&self, queue_id: QueueId) -> impl Iterator<Item = &FilterRecord> {
        self.records.iter().filter(move |r| r.filter_id != 0 && r.queue_id == queue_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `NDIS_RECEIVE_FILTER_PARAMETERS` rev 2 (44 bytes, padded to 48), QueueId 3, FilterId 9,
    /// array at 48 with `count` elements of 56 bytes, then the elements: a destination-MAC test
    /// 02:15:5d:00:00:01 with VLAN_UNTAGGED_OR_ZERO, and a VLAN-ID test for VID 0x0123 (stored
    /// in host byte order: 23 01).
    fn payload(count: u8) -> Vec<u8> {
        #[rustfmt::skip]
        let mut b = vec![
            0x80, 2, 44, 0,   0, 0, 0, 0,   1, 0, 0, 0,   3, 0, 0, 0,     // header, Flags, FilterType VMQueue, QueueId
            9, 0, 0, 0,       48, 0, 0, 0,  count, 0, 0, 0, 56, 0, 0, 0,  // FilterId, ArrayOffset, NumElements, ElementSize
            0, 0, 0, 0,       0, 0, 0, 0,   0, 0, 0, 0,   0, 0, 0, 0,     // BitCount, MaxCoalescingDelay, VPortId, pad
        ];
        #[rustfmt::skip]
        let mac = [
            0x80, 1, 56, 0,   1, 0, 0, 0,   1, 0, 0, 0,   1, 0, 0, 0,     // header, Flags UNTAGGED_OR_ZERO, FrameHeader Mac, Test Equal
            1, 0, 0, 0,       0, 0, 0, 0,                                 // HeaderField DestinationAddress, pad
            0x02, 0x15, 0x5d, 0, 0, 1, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0,     // FieldValue
            0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0,              // ResultValue
        ];
        #[rustfmt::skip]
        let vlan = [
            0x80, 1, 56, 0,   0, 0, 0, 0,   1, 0, 0, 0,   1, 0, 0, 0,     // header, Flags, FrameHeader Mac, Test Equal
            4, 0, 0, 0,       0, 0, 0, 0,                                 // HeaderField VlanId, pad
            0x23, 0x01, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0,        // FieldValue (FieldShortValue, host order)
            0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0,              // ResultValue
        ];
        b.extend_from_slice(&mac);
        if count >= 2 {
            b.extend_from_slice(&vlan);
        }
        b
    }

    /// The MAC test without UNTAGGED_OR_ZERO (the form a MAC + VLAN filter uses).
    fn mac_and_vlan() -> Vec<u8> {
        let mut b = payload(2);
        b[48 + 4] = 0;
        b
    }

    const MAC: [u8; 6] = [0x02, 0x15, 0x5d, 0, 0, 1];

    #[test]
    fn literal_layout_matches_the_bindings() {
        assert_eq!(u32::from(NDIS_SIZEOF_RECEIVE_FILTER_PARAMETERS_REVISION_1), 36);
        assert_eq!(u32::from(NDIS_SIZEOF_RECEIVE_FILTER_FIELD_PARAMETERS_REVISION_1), 56);
        assert_eq!(offset_of!(NDIS_RECEIVE_FILTER_FIELD_PARAMETERS, FieldValue), 24);
        assert_eq!(NdisMacHeaderFieldVlanId, 4);
    }

    #[test]
    fn good_mac_filter_untagged_or_zero() {
        let spec = FilterSpec { queue_id: QueueId::new(3), filter_id: 9, mac: MAC, vlan: VlanMatch::UntaggedOrZero };
        assert_eq!(parse_set_filter(&payload(1), false), Ok((spec, 48 + 56)));
        assert_eq!(parse_set_filter(&payload(1), true), Ok((spec, 48 + 56)));
        assert_eq!(spec.key(), DemuxKey::new(MAC, 0));
    }

    #[test]
    fn good_mac_plus_vlan_reads_the_id_in_host_byte_order() {
        let (spec, read) = parse_set_filter(&mac_and_vlan(), true).unwrap_or_else(|e| unreachable!("{e:?}"));
        assert_eq!((spec.mac, spec.vlan, read), (MAC, VlanMatch::Id(0x0123), 48 + 2 * 56));
        assert_eq!(spec.key(), DemuxKey::new(MAC, 0x0123));
    }

    #[test]
    fn vlan_test_without_vlan_filtering_is_not_supported() {
        assert_eq!(parse_set_filter(&mac_and_vlan(), false), Err(OidError::NotSupported));
    }

    #[test]
    fn short_buffers_are_invalid_length_with_bytes_needed() {
        let b = payload(1);
        assert_eq!(parse_set_filter(&b[..3], false), Err(OidError::InvalidLength { needed: 36 }));
        assert_eq!(parse_set_filter(&b[..20], false), Err(OidError::InvalidLength { needed: 36 }));
        // The array runs past the end of the buffer.
        assert_eq!(parse_set_filter(&b[..b.len() - 1], false), Err(OidError::InvalidLength { needed: 104 }));
        // A count that would overflow 32-bit arithmetic is refused before any read.
        let mut huge = b.clone();
        huge[28..32].copy_from_slice(&u32::MAX.to_le_bytes());
        huge[24] = 2;
        assert_eq!(parse_set_filter(&huge, false), Err(OidError::InvalidLength { needed: u32::MAX }));
    }

    #[test]
    fn each_refusal_is_invalid_parameter() {
        let refusals: &[(&str, usize, u8)] = &[
            ("header type", 0, 0x81),
            ("header revision 0", 1, 0),
            ("header size below revision 1", 2, 35),
            ("Flags", 4, 1),
            ("FilterType", 8, 2),
            ("FilterId 0", 16, 0),
            ("array offset inside the header", 20, 32),
            ("no elements", 24, 0),
            ("three elements", 24, 3),
            ("element size below 56", 28, 55),
            ("RequestedFilterIdBitCount", 32, 1),
            ("VPortId", 40, 1),
            ("element header type", 48, 0x81),
            ("element header size", 48 + 2, 55),
            ("FrameHeader", 48 + 8, 2),
            ("ReceiveFilterTest", 48 + 12, 2),
            ("HeaderField", 48 + 16, 2),
            ("MAC test flags", 48 + 4, 3),
        ];
        for (what, at, value) in refusals {
            let mut b = payload(1);
            b[*at] = *value;
            assert_eq!(parse_set_filter(&b, true), Err(OidError::InvalidParameter), "{what}");
        }
    }

    #[test]
    fn vlan_refusals() {
        // VID 0 and 0xFFF are not filterable; flags on the VLAN test; a VLAN test alone;
        // two MAC tests; MAC with UNTAGGED_OR_ZERO plus a VLAN test.
        for vid in [[0u8, 0], [0x0f, 0xff]] {
            let mut b = mac_and_vlan();
            b[48 + 56 + 24..48 + 56 + 26].copy_from_slice(&vid);
            assert_eq!(parse_set_filter(&b, true), Err(OidError::InvalidParameter), "VID {vid:?}");
        }
        let mut b = mac_and_vlan();
        b[48 + 56 + 4] = 1;
        assert_eq!(parse_set_filter(&b, true), Err(OidError::InvalidParameter), "flags on the VLAN test");
        let mut b = mac_and_vlan();
        b[48 + 16] = 4;
        assert_eq!(parse_set_filter(&b, true), Err(OidError::InvalidParameter), "two VLAN tests");
        let mut b = mac_and_vlan();
        b[48 + 56 + 16] = 1;
        assert_eq!(parse_set_filter(&b, true), Err(OidError::InvalidParameter), "two MAC tests");
        assert_eq!(parse_set_filter(&payload(2), true), Err(OidError::InvalidParameter), "untagged + VLAN");
        let mut vlan_only = payload(1);
        vlan_only[48 + 16] = 4;
        vlan_only[48 + 4] = 0;
        vlan_only[48 + 24] = 1;
        assert_eq!(parse_set_filter(&vlan_only, true), Err(OidError::InvalidParameter), "VLAN test alone");
    }

    #[test]
    fn mac_test_without_untagged_flag_alone_is_a_mac_only_filter() {
        let mut b = payload(1);
        b[48 + 4] = 0;
        let (spec, _) = parse_set_filter(&b, true).unwrap_or_else(|e| unreachable!("{e:?}"));
        assert_eq!((spec.vlan, spec.key()), (VlanMatch::Any, DemuxKey::any_vlan(MAC)));
        assert!(spec.strips_tag());
    }

    #[test]
    fn clear_filter_parameters() {
        let b = [0x80u8, 1, 16, 0, 0, 0, 0, 0, 3, 0, 0, 0, 9, 0, 0, 0];
        assert_eq!(parse_clear_filter(&b), Some((QueueId::new(3), 9)));
        assert_eq!(parse_clear_filter(&b[..15]), None);
        let mut bad = b;
        bad[2] = 15;
        assert_eq!(parse_clear_filter(&bad), None);
        bad = b;
        bad[1] = 0;
        assert_eq!(parse_clear_filter(&bad), None);
    }
}
