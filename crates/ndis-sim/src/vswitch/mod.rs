//! The Hyper-V vSwitch side of VMQ: payload builders and result parsers for the
//! OID_RECEIVE_FILTER_* requests, and [`Sim`] helpers that drive a queue's lifecycle.
//!
//! Builders are free functions returning bytes so tests can corrupt them before sending.
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/allocating-a-vm-queue>.

use std::fmt;

use ndis_sys::{
    NDIS_RECEIVE_QUEUE_PARAMETERS_SUGGESTED_RECV_BUFFER_NUMBERS_CHANGED, NDIS_STATUS_SUCCESS,
    NdisReceiveQueueTypeVMQueue, OID_RECEIVE_FILTER_ALLOCATE_QUEUE, OID_RECEIVE_FILTER_CLEAR_FILTER,
    OID_RECEIVE_FILTER_FREE_QUEUE, OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE, OID_RECEIVE_FILTER_QUEUE_PARAMETERS,
    OID_RECEIVE_FILTER_SET_FILTER,
};

mod payload;

pub use payload::{
    allocation_complete_bytes, clear_filter_bytes, filter_parameters_bytes, parse_allocation_complete,
    queue_free_bytes, queue_parameters_bytes, queue_parameters_set_bytes,
};

use crate::model::oid::OidResult;
use crate::model::sim::AdapterId;
use crate::model::{Env, Sim};

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
    /// VLAN ID equals (stored big-endian, per the DDI).
    VlanId(u16),
}

impl<E: Env> Sim<E> {
    /// OID_RECEIVE_FILTER_ALLOCATE_QUEUE (method). NDIS assigns the QueueId (lowest unused >= 1).
    pub fn allocate_queue(&mut self, a: AdapterId, spec: QueueSpec) -> Result<QueueId, OidResult> {
        let bytes = queue_parameters_bytes(&spec);
        let r = self.oid_method(a, OID_RECEIVE_FILTER_ALLOCATE_QUEUE, &bytes, bytes.len() as u32);
        match r.queue_id {
            Some(q) if r.status == NDIS_STATUS_SUCCESS => Ok(QueueId(q)),
            _ => Err(r),
        }
    }

    /// OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE (method) for `queues`; returns each
    /// queue's CompletionStatus as the miniport wrote it.
    pub fn complete_queue_allocation(
        &mut self,
        a: AdapterId,
        queues: &[QueueId],
    ) -> Result<Vec<(QueueId, i32)>, OidResult> {
        let bytes = allocation_complete_bytes(queues);
        let r = self.oid_method(a, OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE, &bytes, bytes.len() as u32);
        if r.status != NDIS_STATUS_SUCCESS {
            return Err(r);
        }
        match parse_allocation_complete(&r.data) {
            Some(list) if list.len() == queues.len() => Ok(list.into_iter().map(|(q, s)| (QueueId(q), s)).collect()),
            _ => Err(r),
        }
    }

    /// OID_RECEIVE_FILTER_QUEUE_PARAMETERS (set) with SUGGESTED_RECV_BUFFER_NUMBERS_CHANGED:
    /// how the vSwitch makes a queue grow or shrink.
    pub fn set_queue_suggested_buffers(&mut self, a: AdapterId, q: QueueId, n: u32) -> OidResult {
        let spec = QueueSpec::default().suggested_buffers(n);
        let bytes =
            queue_parameters_set_bytes(q, NDIS_RECEIVE_QUEUE_PARAMETERS_SUGGESTED_RECV_BUFFER_NUMBERS_CHANGED, &spec);
        self.oid_set(a, OID_RECEIVE_FILTER_QUEUE_PARAMETERS, &bytes)
    }

    /// OID_RECEIVE_FILTER_FREE_QUEUE (set).
    pub fn free_queue(&mut self, a: AdapterId, q: QueueId) -> OidResult {
        self.oid_set(a, OID_RECEIVE_FILTER_FREE_QUEUE, &queue_free_bytes(q))
    }

    /// OID_RECEIVE_FILTER_SET_FILTER (method) with `fields`; NDIS assigns the FilterId.
    pub fn set_filter(&mut self, a: AdapterId, q: QueueId, fields: &[FilterField]) -> Result<u32, OidResult> {
        let bytes = filter_parameters_bytes(q, fields);
        let r = self.oid_method(a, OID_RECEIVE_FILTER_SET_FILTER, &bytes, bytes.len() as u32);
        match r.filter_id {
            Some(f) if r.status == NDIS_STATUS_SUCCESS => Ok(f),
            _ => Err(r),
        }
    }

    /// A destination-MAC filter, plus a VLAN filter if `vlan` is given (otherwise the MAC test
    /// carries VLAN_UNTAGGED_OR_ZERO, as the vSwitch does).
    pub fn set_mac_filter(
        &mut self,
        a: AdapterId,
        q: QueueId,
        mac: [u8; 6],
        vlan: Option<u16>,
    ) -> Result<u32, OidResult> {
        let mut fields = vec![FilterField::DestinationMac { mac, untagged_or_zero: vlan.is_none() }];
        fields.extend(vlan.map(FilterField::VlanId));
        self.set_filter(a, q, &fields)
    }

    /// OID_RECEIVE_FILTER_CLEAR_FILTER (set).
    pub fn clear_filter(&mut self, a: AdapterId, q: QueueId, filter_id: u32) -> OidResult {
        self.oid_set(a, OID_RECEIVE_FILTER_CLEAR_FILTER, &clear_filter_bytes(q, filter_id))
    }
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
    fn vlan_is_big_endian() {
        let b = filter_parameters_bytes(QueueId(1), &[FilterField::VlanId(0x0123)]);
        assert_eq!(&b[48 + 24..48 + 26], &[0x01, 0x23]);
    }
}
