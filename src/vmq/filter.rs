//! VMQ receive filters: SET_FILTER payload validation and the filter table.
//!
//! A VMQ filter is a destination-MAC equality test, optionally ANDed with a VLAN-ID
//! equality test; multibyte values are big-endian. With `VLAN_UNTAGGED_OR_ZERO` on the
//! MAC test the filter matches only untagged or VID-0 frames; a MAC + VLAN filter
//! matches only frames tagged with that VID. A MAC test with neither is refused (NDIS
//! 6.30 lets a miniport fail it), as is a VLAN test when `*VMQVlanFiltering` is off.
//! <https://learn.microsoft.com/windows-hardware/drivers/network/setting-a-vmq-filter>
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_receive_filter_field_parameters>

use core::mem::offset_of;

use ndis_sys::{
    NDIS_OBJECT_TYPE_DEFAULT, NDIS_RECEIVE_FILTER_CLEAR_PARAMETERS,
    NDIS_RECEIVE_FILTER_FIELD_MAC_HEADER_VLAN_UNTAGGED_OR_ZERO, NDIS_RECEIVE_FILTER_FIELD_PARAMETERS,
    NDIS_RECEIVE_FILTER_PARAMETERS, NDIS_SIZEOF_RECEIVE_FILTER_CLEAR_PARAMETERS_REVISION_1,
    NDIS_SIZEOF_RECEIVE_FILTER_FIELD_PARAMETERS_REVISION_1, NDIS_SIZEOF_RECEIVE_FILTER_PARAMETERS_REVISION_1,
    NdisFrameHeaderMac, NdisMacHeaderFieldDestinationAddress, NdisMacHeaderFieldVlanId, NdisReceiveFilterTestEqual,
    NdisReceiveFilterTypeVMQueue,
};

use super::demux::{DemuxKey, MAX_FILTERS};
use super::error::OidError;
use super::oid::len_u32;
use super::wire::{ObjectHeader, u32_at};

/// Which frames of a MAC a filter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VlanMatch {
    /// `VLAN_UNTAGGED_OR_ZERO`: untagged or VID-0 frames only.
    UntaggedOrZero,
    /// Frames tagged with this VLAN ID only.
    Id(u16),
}

/// A validated SET_FILTER request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilterSpec {
    /// QueueId the filter is for.
    pub queue_id: u32,
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
        }
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
    let header = ObjectHeader::read(buf, at)?;
    if header.kind != NDIS_OBJECT_TYPE_DEFAULT
        || header.revision == 0
        || header.size < NDIS_SIZEOF_RECEIVE_FILTER_FIELD_PARAMETERS_REVISION_1
    {
        return None;
    }
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
    let header = ObjectHeader::read(input, 0).ok_or(OidError::InvalidLength { needed: size })?;
    if header.kind != NDIS_OBJECT_TYPE_DEFAULT || header.revision == 0 || u32::from(header.size) < size {
        return Err(OidError::InvalidParameter);
    }
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
                // FieldShortValue, network byte order.
                let id = u16::from_be_bytes([test.bytes[0], test.bytes[1]]);
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
        // Both, or MAC-only without the flag (NDIS 6.30 allows failing it).
        (Some(_), true) => return Err(OidError::InvalidParameter),
        (None, false) => return Err(OidError::NotSupported),
    };
    Ok((FilterSpec { queue_id, filter_id, mac, vlan }, len_u32(span as usize)))
}

/// Reads `NDIS_RECEIVE_FILTER_CLEAR_PARAMETERS`: (QueueId, FilterId).
#[must_use]
pub fn parse_clear_filter(input: &[u8]) -> Option<(u32, u32)> {
    let header = ObjectHeader::read(input, 0)?;
    if header.kind != NDIS_OBJECT_TYPE_DEFAULT
        || header.revision == 0
        || header.size < NDIS_SIZEOF_RECEIVE_FILTER_CLEAR_PARAMETERS_REVISION_1
    {
        return None;
    }
    Some((
        u32_at(input, offset_of!(NDIS_RECEIVE_FILTER_CLEAR_PARAMETERS, QueueId))?,
        u32_at(input, offset_of!(NDIS_RECEIVE_FILTER_CLEAR_PARAMETERS, FilterId))?,
    ))
}

/// One recorded filter (all-zero = empty slot: NDIS never assigns FilterId 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C)]
pub struct FilterRecord {
    /// FilterId NDIS assigned (0 = free slot).
    pub filter_id: u32,
    /// Queue the filter steers to.
    pub queue_id: u32,
    /// The demux key it installed.
    pub key: DemuxKey,
}

/// The filters set on an adapter (control path only; the hot path uses the demux table).
///
/// All-zero bytes are a valid empty table, so it is allocated zeroed in pool.
#[repr(C)]
pub struct FilterTable {
    records: [FilterRecord; MAX_FILTERS],
}

impl FilterTable {
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
    pub fn of_queue(&self, queue_id: u32) -> impl Iterator<Item = &FilterRecord> {
        self.records.iter().filter(move |r| r.filter_id != 0 && r.queue_id == queue_id)
    }
}
