//! OID_RECEIVE_FILTER_SET_FILTER (method) and OID_RECEIVE_FILTER_CLEAR_FILTER (set).
//!
//! <https://learn.microsoft.com/windows-hardware/drivers/network/oid-receive-filter-set-filter>
//! <https://learn.microsoft.com/windows-hardware/drivers/network/oid-receive-filter-clear-filter>
//!
//! IRQL: PASSIVE_LEVEL. Filters take effect in the demux table under the adapter lock,
//! so a frame is steered by the old or the new filter set, never by a half-updated one.

use ndis_sys::{
    NDIS_RECEIVE_FILTER_MAC_HEADER_VLAN_ID_SUPPORTED, NDIS_RECEIVE_FILTER_VMQ_FILTERS_ENABLED,
    NDIS_SIZEOF_RECEIVE_FILTER_CLEAR_PARAMETERS_REVISION_1,
};

use super::Transfer;
use crate::backend::NicBackend;
use crate::vmq::adapter::Adapter;
use crate::vmq::error::OidError;
use crate::vmq::filter::{parse_clear_filter, parse_set_filter};
use crate::vmq::queue_state::QueueEvent;
use crate::vmq::rx_memory::QueueSlot;

impl<B: NicBackend + Send> Adapter<B> {
    /// SET_FILTER: validate, then install the filter on its queue.
    pub(super) fn set_filter(&self, buffer: &[u8], input_len: usize) -> Result<Transfer, OidError> {
        let current = self.receive_filter_capabilities().1;
        if current.enabled_filter_types & NDIS_RECEIVE_FILTER_VMQ_FILTERS_ENABLED == 0 {
            return Err(OidError::NotSupported);
        }
        let vlan_filtering =
            current.supported_mac_header_fields & NDIS_RECEIVE_FILTER_MAC_HEADER_VLAN_ID_SUPPORTED != 0;
        let (spec, read) = parse_set_filter(&buffer[..input_len.min(buffer.len())], vlan_filtering)?;
        let mut state = self.state().lock();
        let state = &mut *state;
        if state.filters.get(spec.filter_id).is_some() {
            return Err(OidError::InvalidParameter);
        }
        // Demux target: the default queue (anyone may filter on it) or the VM queue's slot.
        let (target, next) = if spec.queue_id.is_default() {
            (QueueSlot::DEFAULT.raw(), None)
        } else {
            let slot = state.queues.slot_of(spec.queue_id).ok_or(OidError::InvalidParameter)?;
            let queue = state.queues.get(spec.queue_id).ok_or(OidError::InvalidParameter)?;
            let next = queue.state.on(QueueEvent::SetFilter).map_err(|_| OidError::InvalidParameter)?;
            // VM queues: the tag leaves the data for filters that want it so.
            let strip = if spec.strips_tag() { crate::vmq::rx_session::STRIP_TAG } else { 0 };
            (QueueSlot::vm(slot).raw() | strip, Some(next))
        };
        // The NIC mirrors the table: its hardware filter first (the one step that can run out).
        let key = spec.key();
        state.backend.set_filter(spec.queue_id, key.mac(), key.vlan()).map_err(|_| OidError::Resources)?;
        if state.demux.insert(key, target).is_err() {
            state.backend.clear_filter(spec.queue_id, key.mac(), key.vlan());
            return Err(OidError::InvalidParameter);
        }
        if !state.filters.insert(&spec) {
            state.demux.remove(key);
            state.backend.clear_filter(spec.queue_id, key.mac(), key.vlan());
            return Err(OidError::Resources);
        }
        if let (Some(next), Some(queue)) = (next, state.queues.get_mut(spec.queue_id)) {
            queue.filters += 1;
            queue.state = next;
        }
        Ok(Transfer { read, written: 0 })
    }

    /// CLEAR_FILTER: remove the filter; after the queue's last filter nothing more is
    /// indicated on it (state Paused). Refusals become NOT_ACCEPTED (see `oid`).
    pub(super) fn clear_filter(&self, buffer: &[u8]) -> Result<Transfer, OidError> {
        let (queue_id, filter_id) = parse_clear_filter(buffer).ok_or(OidError::InvalidParameter)?;
        let mut state = self.state().lock();
        let state = &mut *state;
        let record =
            *state.filters.get(filter_id).filter(|r| r.queue_id == queue_id).ok_or(OidError::InvalidParameter)?;
        let next = match state.queues.get(queue_id) {
            Some(queue) => {
                let event = if queue.filters <= 1 { QueueEvent::ClearLastFilter } else { QueueEvent::ClearFilter };
                Some(queue.state.on(event).map_err(|_| OidError::InvalidParameter)?)
            }
            None if queue_id.is_default() => None,
            None => return Err(OidError::InvalidParameter),
        };
        state.filters.remove(filter_id);
        state.demux.remove(record.key);
        state.backend.clear_filter(queue_id, record.key.mac(), record.key.vlan());
        if let (Some(next), Some(queue)) = (next, state.queues.get_mut(queue_id)) {
            queue.filters = queue.filters.saturating_sub(1);
            queue.state = next;
        }
        Ok(Transfer { read: u32::from(NDIS_SIZEOF_RECEIVE_FILTER_CLEAR_PARAMETERS_REVISION_1), written: 0 })
    }
}
