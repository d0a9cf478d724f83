//! The VMQ OID payloads the vSwitch sends and NDIS reads back: the request types ([`QueueId`],
//! [`QueueSpec`], [`FilterField`]), byte builders (NDIS_RECEIVE_QUEUE_PARAMETERS,
//! allocation-complete arrays, filter parameters) and parsers, using the `ndis_sys` layouts.
//! Builders are free functions returning bytes so tests can corrupt them before sending.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/oid-receive-filter-allocate-queue>.

use std::fmt;

use ndis_sys::{
    NDIS_OBJECT_TYPE_DEFAULT, NDIS_RECEIVE_FILTER_FIELD_MAC_HEADER_VLAN_UNTAGGED_OR_ZERO, NdisFrameHeaderMac,
    NdisMacHeaderFieldDestinationAddress, NdisMacHeaderFieldVlanId, NdisReceiveFilterTestEqual,
    NdisReceiveFilterTypeVMQueue, NdisReceiveQueueTypeVMQueue,
};

use super::memory::Header;

/// `offset_of!` on an `ndis_sys` struct, as `usize`.
macro_rules! at {
    ($ty:ident, $field:ident) => {
        ::core::mem::offset_of!(::ndis_sys::$ty, $field)
    };
}

/// A VM queue id (NDIS assigns them; 0 is the default queue).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QueueId(pub u32);

impl fmt::Display for QueueId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "queue {}", self.0)
    }
}

/// What the vSwitch asks for in OID_RECEIVE_FILTER_ALLOCATE_QUEUE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueSpec {
    /// NumSuggestedReceiveBuffers.
    pub suggested_buffers: u32,
    /// LookaheadSize (0 = no split; NDIS 6.30 always passes 0).
    pub lookahead: u32,
    /// Flags (PER_QUEUE_RECEIVE_INDICATION, LOOKAHEAD_SPLIT_REQUIRED).
    pub flags: u32,
    /// ProcessorAffinity.Mask (never 0).
    pub affinity: u64,
    /// ProcessorAffinity.Group.
    pub group: u16,
    /// QueueType (NdisReceiveQueueTypeVMQueue).
    pub queue_type: i32,
    /// VmName.
    pub vm_name: String,
    /// QueueName.
    pub queue_name: String,
    /// PortId (6.30).
    pub port_id: u32,
    /// Header revision: 2 (size 1092, default) or 1 (size 1084).
    pub revision: u8,
}

impl Default for QueueSpec {
    fn default() -> Self {
        Self {
            suggested_buffers: 256,
            lookahead: 0,
            flags: 0,
            affinity: 1,
            group: 0,
            queue_type: NdisReceiveQueueTypeVMQueue,
            vm_name: "vm".to_string(),
            queue_name: "vmq".to_string(),
            port_id: 0,
            revision: 2,
        }
    }
}

impl QueueSpec {
    /// Sets NumSuggestedReceiveBuffers.
    pub fn suggested_buffers(mut self, n: u32) -> Self {
        self.suggested_buffers = n;
        self
    }
    /// Sets LookaheadSize.
    pub fn lookahead(mut self, n: u32) -> Self {
        self.lookahead = n;
        self
    }
    /// Sets Flags.
    pub fn flags(mut self, flags: u32) -> Self {
        self.flags = flags;
        self
    }
    /// Sets the processor affinity mask (group 0).
    pub fn affinity(mut self, mask: u64) -> Self {
        self.affinity = mask;
        self
    }
}

/// One field test of a VMQ filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterField {
    /// Destination MAC equals; `untagged_or_zero` sets VLAN_UNTAGGED_OR_ZERO.
    DestinationMac {
        /// The MAC address.
        mac: [u8; 6],
        /// Match only untagged or VLAN 0 frames.
        untagged_or_zero: bool,
    },
    /// VLAN ID equals (FieldShortValue in host byte order, as the Hyper-V switch writes it).
    VlanId(u16),
}

fn put_u16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_le_bytes());
}
fn put_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}
fn put_u64(b: &mut [u8], at: usize, v: u64) {
    b[at..at + 8].copy_from_slice(&v.to_le_bytes());
}
fn get_u32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4).map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}
fn put_header(b: &mut [u8], revision: u8, size: u16) {
    b[..4].copy_from_slice(&Header { kind: NDIS_OBJECT_TYPE_DEFAULT, revision, size }.bytes());
}
fn put_counted_string(b: &mut [u8], at: usize, s: &str) {
    let units: Vec<u16> = s.encode_utf16().take(256).collect();
    put_u16(b, at, (units.len() * 2) as u16);
    for (i, u) in units.iter().enumerate() {
        put_u16(b, at + 2 + 2 * i, *u);
    }
}

/// NDIS_RECEIVE_QUEUE_PARAMETERS for ALLOCATE_QUEUE (QueueId 0: NDIS fills it in on delivery).
pub fn queue_parameters_bytes(spec: &QueueSpec) -> Vec<u8> {
    let size = if spec.revision >= 2 {
        ndis_sys::NDIS_SIZEOF_RECEIVE_QUEUE_PARAMETERS_REVISION_2
    } else {
        ndis_sys::NDIS_SIZEOF_RECEIVE_QUEUE_PARAMETERS_REVISION_1
    };
    let mut b = vec![0; usize::from(size)];
    put_header(&mut b, spec.revision, size);
    put_u32(&mut b, at!(NDIS_RECEIVE_QUEUE_PARAMETERS, Flags), spec.flags);
    put_u32(&mut b, at!(NDIS_RECEIVE_QUEUE_PARAMETERS, QueueType), spec.queue_type as u32);
    let affinity = at!(NDIS_RECEIVE_QUEUE_PARAMETERS, ProcessorAffinity);
    put_u64(&mut b, affinity, spec.affinity);
    put_u16(&mut b, affinity + 8, spec.group);
    put_u32(&mut b, at!(NDIS_RECEIVE_QUEUE_PARAMETERS, NumSuggestedReceiveBuffers), spec.suggested_buffers);
    put_u32(&mut b, at!(NDIS_RECEIVE_QUEUE_PARAMETERS, LookaheadSize), spec.lookahead);
    put_counted_string(&mut b, at!(NDIS_RECEIVE_QUEUE_PARAMETERS, VmName), &spec.vm_name);
    put_counted_string(&mut b, at!(NDIS_RECEIVE_QUEUE_PARAMETERS, QueueName), &spec.queue_name);
    if spec.revision >= 2 {
        put_u32(&mut b, at!(NDIS_RECEIVE_QUEUE_PARAMETERS, PortId), spec.port_id);
    }
    b
}

/// NDIS_RECEIVE_QUEUE_PARAMETERS for an OID_RECEIVE_FILTER_QUEUE_PARAMETERS *set*: `changed`
/// holds the `*_CHANGED` flags, the other fields come from `spec`.
pub fn queue_parameters_set_bytes(queue: QueueId, changed: u32, spec: &QueueSpec) -> Vec<u8> {
    let mut b = queue_parameters_bytes(spec);
    put_u32(&mut b, at!(NDIS_RECEIVE_QUEUE_PARAMETERS, Flags), changed | spec.flags);
    put_u32(&mut b, at!(NDIS_RECEIVE_QUEUE_PARAMETERS, QueueId), queue.0);
    b
}

/// NDIS_RECEIVE_QUEUE_FREE_PARAMETERS.
pub fn queue_free_bytes(queue: QueueId) -> Vec<u8> {
    let size = ndis_sys::NDIS_SIZEOF_RECEIVE_QUEUE_FREE_PARAMETERS_REVISION_1;
    let mut b = vec![0; usize::from(size)];
    put_header(&mut b, 1, size);
    put_u32(&mut b, at!(NDIS_RECEIVE_QUEUE_FREE_PARAMETERS, QueueId), queue.0);
    b
}

/// NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY followed by one element per queue
/// (FirstElementOffset 20, ElementSize 16, CompletionStatus 0 for the miniport to fill).
pub fn allocation_complete_bytes(queues: &[QueueId]) -> Vec<u8> {
    let head = usize::from(ndis_sys::NDIS_SIZEOF_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY_REVISION_1);
    let elem = usize::from(ndis_sys::NDIS_SIZEOF_RECEIVE_QUEUE_ALLOCATION_COMPLETE_PARAMETERS_REVISION_1);
    let mut b = vec![0; head + elem * queues.len()];
    put_header(&mut b, 1, head as u16);
    put_u32(&mut b, at!(NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY, FirstElementOffset), head as u32);
    put_u32(&mut b, at!(NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY, NumElements), queues.len() as u32);
    put_u32(&mut b, at!(NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY, ElementSize), elem as u32);
    for (i, q) in queues.iter().enumerate() {
        let e = &mut b[head + i * elem..head + (i + 1) * elem];
        put_header(e, 1, elem as u16);
        put_u32(e, at!(NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_PARAMETERS, QueueId), q.0);
    }
    b
}

/// Parses (QueueId, CompletionStatus) from an allocation-complete array; `None` if malformed.
pub fn parse_allocation_complete(b: &[u8]) -> Option<Vec<(u32, i32)>> {
    let first = get_u32(b, at!(NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY, FirstElementOffset))? as usize;
    let n = get_u32(b, at!(NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY, NumElements))? as usize;
    let size = get_u32(b, at!(NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY, ElementSize))? as usize;
    (0..n)
        .map(|i| {
            let e = first.checked_add(i.checked_mul(size)?)?;
            let q = get_u32(b, e + at!(NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_PARAMETERS, QueueId))?;
            let s = get_u32(b, e + at!(NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_PARAMETERS, CompletionStatus))?;
            Some((q, s as i32))
        })
        .collect()
}

/// Offset of the field array in the SET_FILTER payload (44 rounded up to the array's 8-byte alignment).
const FIELD_ARRAY_OFFSET: usize = 48;

/// NDIS_RECEIVE_FILTER_PARAMETERS (revision 2) followed by its field parameters.
pub fn filter_parameters_bytes(queue: QueueId, fields: &[FilterField]) -> Vec<u8> {
    let elem = usize::from(ndis_sys::NDIS_SIZEOF_RECEIVE_FILTER_FIELD_PARAMETERS_REVISION_2);
    let mut b = vec![0; FIELD_ARRAY_OFFSET + elem * fields.len()];
    put_header(&mut b, 2, ndis_sys::NDIS_SIZEOF_RECEIVE_FILTER_PARAMETERS_REVISION_2);
    put_u32(&mut b, at!(NDIS_RECEIVE_FILTER_PARAMETERS, FilterType), NdisReceiveFilterTypeVMQueue as u32);
    put_u32(&mut b, at!(NDIS_RECEIVE_FILTER_PARAMETERS, QueueId), queue.0);
    put_u32(&mut b, at!(NDIS_RECEIVE_FILTER_PARAMETERS, FieldParametersArrayOffset), FIELD_ARRAY_OFFSET as u32);
    put_u32(&mut b, at!(NDIS_RECEIVE_FILTER_PARAMETERS, FieldParametersArrayNumElements), fields.len() as u32);
    put_u32(&mut b, at!(NDIS_RECEIVE_FILTER_PARAMETERS, FieldParametersArrayElementSize), elem as u32);
    for (i, f) in fields.iter().enumerate() {
        let e = &mut b[FIELD_ARRAY_OFFSET + i * elem..FIELD_ARRAY_OFFSET + (i + 1) * elem];
        put_header(e, 2, elem as u16);
        put_u32(e, at!(NDIS_RECEIVE_FILTER_FIELD_PARAMETERS, FrameHeader), NdisFrameHeaderMac as u32);
        put_u32(e, at!(NDIS_RECEIVE_FILTER_FIELD_PARAMETERS, ReceiveFilterTest), NdisReceiveFilterTestEqual as u32);
        let value = at!(NDIS_RECEIVE_FILTER_FIELD_PARAMETERS, FieldValue);
        let field = at!(NDIS_RECEIVE_FILTER_FIELD_PARAMETERS, HeaderField);
        match *f {
            FilterField::DestinationMac { mac, untagged_or_zero } => {
                let flags =
                    if untagged_or_zero { NDIS_RECEIVE_FILTER_FIELD_MAC_HEADER_VLAN_UNTAGGED_OR_ZERO } else { 0 };
                put_u32(e, at!(NDIS_RECEIVE_FILTER_FIELD_PARAMETERS, Flags), flags);
                put_u32(e, field, NdisMacHeaderFieldDestinationAddress as u32);
                e[value..value + 6].copy_from_slice(&mac);
            }
            FilterField::VlanId(vlan) => {
                put_u32(e, field, NdisMacHeaderFieldVlanId as u32);
                // FieldShortValue in host byte order, as the Hyper-V switch writes it (see the
                // byte-order note in vmqnic's src/vmq/filter.rs: netvmini compares it unswapped).
                e[value..value + 2].copy_from_slice(&vlan.to_le_bytes());
            }
        }
    }
    b
}

/// NDIS_RECEIVE_FILTER_CLEAR_PARAMETERS.
pub fn clear_filter_bytes(queue: QueueId, filter_id: u32) -> Vec<u8> {
    let mut b = vec![0; 16];
    put_header(&mut b, 1, 16);
    put_u32(&mut b, at!(NDIS_RECEIVE_FILTER_CLEAR_PARAMETERS, QueueId), queue.0);
    put_u32(&mut b, at!(NDIS_RECEIVE_FILTER_CLEAR_PARAMETERS, FilterId), filter_id);
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_complete_round_trips() {
        let b = allocation_complete_bytes(&[QueueId(1), QueueId(3)]);
        assert_eq!(b.len(), 20 + 32);
        assert_eq!(parse_allocation_complete(&b), Some(vec![(1, 0), (3, 0)]));
    }

    #[test]
    fn queue_parameters_have_revision_2_size_1092() {
        let b = queue_parameters_bytes(&QueueSpec::default());
        assert_eq!(b.len(), 1092);
        assert_eq!(&b[..4], &[0x80, 2, 0x44, 0x04]);
        assert_eq!(b[24], 1, "affinity mask");
    }

    #[test]
    fn vlan_is_in_host_byte_order() {
        let b = filter_parameters_bytes(QueueId(1), &[FilterField::VlanId(0x0123)]);
        assert_eq!(&b[48 + 24..48 + 26], &[0x23, 0x01]);
    }
}
