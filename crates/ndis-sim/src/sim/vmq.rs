//! The VMQ OIDs as host actions: OID_RECEIVE_FILTER_ALLOCATE_QUEUE, QUEUE_ALLOCATION_COMPLETE,
//! QUEUE_PARAMETERS, FREE_QUEUE, SET_FILTER and CLEAR_FILTER, each built from
//! [`crate::model::payload`] and sent through [`Sim::oid_method`] / [`Sim::oid_set`].
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/allocating-a-vm-queue>.

use ndis_sys::{
    NDIS_RECEIVE_QUEUE_PARAMETERS_SUGGESTED_RECV_BUFFER_NUMBERS_CHANGED, NDIS_STATUS_SUCCESS,
    OID_RECEIVE_FILTER_ALLOCATE_QUEUE, OID_RECEIVE_FILTER_CLEAR_FILTER, OID_RECEIVE_FILTER_FREE_QUEUE,
    OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE, OID_RECEIVE_FILTER_QUEUE_PARAMETERS, OID_RECEIVE_FILTER_SET_FILTER,
};

use super::{AdapterId, Sim};
use crate::model::Env;
use crate::model::oid::OidResult;
use crate::model::payload::{
    FilterField, QueueId, QueueSpec, allocation_complete_bytes, clear_filter_bytes, filter_parameters_bytes,
    parse_allocation_complete, queue_free_bytes, queue_parameters_bytes, queue_parameters_set_bytes,
};

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
