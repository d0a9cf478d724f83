//! OID completion: NdisMOidRequestComplete, the completion rules (Driver Verifier
//! NdisOidComplete / NdisOidDoubleComplete, BytesWritten/Read/Needed) and NDIS's VMQ
//! queue/filter bookkeeping when a request finishes.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismoidrequestcomplete>.

use ndis_sys::{
    NDIS_STATUS_BUFFER_TOO_SHORT, NDIS_STATUS_INVALID_LENGTH, NDIS_STATUS_NOT_ACCEPTED, NDIS_STATUS_PENDING,
    NDIS_STATUS_REQUEST_ABORTED, NDIS_STATUS_SUCCESS, OID_RECEIVE_FILTER_ALLOCATE_QUEUE,
    OID_RECEIVE_FILTER_CLEAR_FILTER, OID_RECEIVE_FILTER_FREE_QUEUE, OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE,
    OID_RECEIVE_FILTER_QUEUE_PARAMETERS, OID_RECEIVE_FILTER_SET_FILTER,
};

use super::super::config::DISPATCH_LEVEL;
use super::super::filters::{FilterRule, parse_filter};
use super::super::memory::{AddressSpace, MemExt};
use super::super::payload;
use super::super::queue_state::{QueueEvent, QueueState};
use super::super::{Model, rules};
use super::{OidRecord, OidResult, OidState, RequestKind};

impl Model {
    /// Called when MiniportOidRequest returned `status`. Returns the result unless the request
    /// is now pending.
    pub fn end_oid_call(&mut self, mem: &mut dyn AddressSpace, adapter: u64, status: i32) -> Option<OidResult> {
        let record = self.adapters.get_mut(&adapter)?.oid.current.take()?;
        let early = match record.state {
            OidState::InHandler(early) => early,
            OidState::Pending => None,
        };
        match (status == NDIS_STATUS_PENDING, early) {
            (true, Some(completed)) => Some(self.finish_oid(mem, adapter, record, completed, true)),
            (true, None) => {
                let a = self.adapters.get_mut(&adapter)?;
                if let (OID_RECEIVE_FILTER_FREE_QUEUE, Some(queue)) = (record.oid, record.queue) {
                    // The miniport accepted FREE_QUEUE and stopped DMA; it waits only for NBLs to
                    // come back. A host that left filters set broke "clear filters before
                    // FREE_QUEUE", and FREE_QUEUE must not fail, so the miniport may drop them
                    // now: from here on frames that matched them belong elsewhere.
                    a.filters.withdraw_queue(queue);
                }
                a.oid.current = Some(OidRecord { state: OidState::Pending, ..record });
                None
            }
            (false, early) => {
                if early.is_some() {
                    self.violate(
                        rules::OID_COMPLETE_NOT_PENDING,
                        format!("OID {:#010x}: NdisMOidRequestComplete was called but MiniportOidRequest returned {status:#x}, not PENDING", record.oid),
                    );
                }
                Some(self.finish_oid(mem, adapter, record, status, false))
            }
        }
    }

    /// `NdisMOidRequestComplete` (<= DISPATCH).
    pub fn complete_oid(&mut self, mem: &mut dyn AddressSpace, adapter: u64, request: u64, status: i32) {
        const API: &str = "NdisMOidRequestComplete";
        if !self.check_adapter(adapter, API) {
            return;
        }
        if self.irql > DISPATCH_LEVEL {
            self.violate(rules::OID_IRQL, format!("{API} at IRQL {} (> DISPATCH_LEVEL)", self.irql));
        }
        if status == NDIS_STATUS_PENDING {
            self.violate(
                rules::OID_COMPLETE_WITH_PENDING,
                format!("{API} for request {request:#x} with Status NDIS_STATUS_PENDING"),
            );
            return;
        }
        let Some(a) = self.adapters.get_mut(&adapter) else {
            return;
        };
        let current = a.oid.current.as_ref().filter(|r| r.request == request).map(|r| r.state);
        let finished = a.oid.finished.contains(&request);
        match current {
            Some(OidState::InHandler(None)) => {
                if let Some(r) = a.oid.current.as_mut() {
                    r.state = OidState::InHandler(Some(status));
                }
            }
            Some(OidState::InHandler(Some(_))) => {
                self.violate(rules::OID_DOUBLE_COMPLETE, format!("{API}: request {request:#x} completed twice"));
            }
            Some(OidState::Pending) => {
                if let Some(record) = a.oid.current.take() {
                    let result = self.finish_oid(mem, adapter, record, status, true);
                    if let Some(a) = self.adapters.get_mut(&adapter) {
                        a.oid.completions.push(result);
                    }
                }
            }
            None if finished => {
                self.violate(rules::OID_DOUBLE_COMPLETE, format!("{API}: request {request:#x} was already completed"));
            }
            None => {
                self.violate(
                    rules::OID_COMPLETE_NOT_PENDING,
                    format!("{API}: {request:#x} is not a request this adapter has pending"),
                );
            }
        }
    }

    /// Reads the request's final counters, applies the completion rules and NDIS's queue and
    /// filter bookkeeping.
    fn finish_oid(
        &mut self,
        mem: &mut dyn AddressSpace,
        adapter: u64,
        r: OidRecord,
        status: i32,
        pended: bool,
    ) -> OidResult {
        let read = |o: u64| mem.read_u32(r.request + off!(NDIS_OID_REQUEST, DATA) + o).unwrap_or(0);
        let (written, bytes_read, needed) = match r.kind {
            RequestKind::Query => {
                (read(off!(NDIS_OID_REQUEST_QUERY, BytesWritten)), 0, read(off!(NDIS_OID_REQUEST_QUERY, BytesNeeded)))
            }
            RequestKind::Set => {
                (0, read(off!(NDIS_OID_REQUEST_SET, BytesRead)), read(off!(NDIS_OID_REQUEST_SET, BytesNeeded)))
            }
            RequestKind::Method => (
                read(off!(NDIS_OID_REQUEST_METHOD, BytesWritten)),
                read(off!(NDIS_OID_REQUEST_METHOD, BytesRead)),
                read(off!(NDIS_OID_REQUEST_METHOD, BytesNeeded)),
            ),
        };
        let name = format!("OID {:#010x} ({:?})", r.oid, r.kind);
        if matches!(r.oid, OID_RECEIVE_FILTER_FREE_QUEUE | OID_RECEIVE_FILTER_CLEAR_FILTER)
            && ![NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_STATUS_NOT_ACCEPTED, NDIS_STATUS_REQUEST_ABORTED]
                .contains(&status)
        {
            self.violate(
                rules::OID_STATUS_NOT_ALLOWED,
                format!("{name} completed with {status:#x}; only SUCCESS, PENDING, NOT_ACCEPTED or REQUEST_ABORTED are allowed"),
            );
        }
        if written > r.output_len {
            self.violate(
                rules::OID_BYTES_WRITTEN,
                format!("{name}: BytesWritten {written} exceeds the output buffer length {}", r.output_len),
            );
        }
        if bytes_read > r.input_len {
            self.violate(
                rules::OID_BYTES_READ,
                format!("{name}: BytesRead {bytes_read} exceeds the input buffer length {}", r.input_len),
            );
        }
        let given = match r.kind {
            RequestKind::Query => r.output_len,
            RequestKind::Set => r.input_len,
            RequestKind::Method => r.input_len.min(r.output_len),
        };
        if (status == NDIS_STATUS_BUFFER_TOO_SHORT || status == NDIS_STATUS_INVALID_LENGTH) && needed <= given {
            self.violate(
                rules::OID_BYTES_NEEDED,
                format!(
                    "{name} failed with {status:#x} but BytesNeeded {needed} does not exceed the length given ({given})"
                ),
            );
        }
        // Queries return what the miniport wrote; methods share the buffer with the caller
        // (the vSwitch reads per-element results from it), so they return the whole output.
        let keep = match r.kind {
            RequestKind::Query => written.min(r.output_len),
            RequestKind::Method => r.output_len,
            RequestKind::Set => 0,
        }
        .min(r.buffer_len) as usize;
        let data = if keep == 0 { Vec::new() } else { mem.read_vec(r.buffer, keep).unwrap_or_default() };
        self.apply_vmq_bookkeeping(mem, adapter, &r, status);
        if status == NDIS_STATUS_SUCCESS {
            self.record_packet_filter(mem, adapter, r.oid, r.kind, r.buffer, r.input_len.min(r.buffer_len));
            self.record_power(mem, adapter, r.oid, r.kind, r.buffer);
        }
        if let Some(a) = self.adapters.get_mut(&adapter) {
            a.oid.finished.insert(r.request);
        }
        OidResult {
            oid: r.oid,
            kind: r.kind,
            request_id: r.request_id,
            status,
            bytes_written: written,
            bytes_read,
            bytes_needed: needed,
            data,
            pended,
            delivered: true,
            queue_id: r.queue,
            filter_id: r.filter,
        }
    }

    fn apply_vmq_bookkeeping(&mut self, mem: &dyn AddressSpace, adapter: u64, r: &OidRecord, status: i32) {
        let ok = status == NDIS_STATUS_SUCCESS;
        match (r.oid, r.queue, r.filter) {
            (OID_RECEIVE_FILTER_ALLOCATE_QUEUE, Some(q), _) if r.kind == RequestKind::Method => {
                if ok {
                    self.queue_counters.0 += 1;
                    if let Some(a) = self.adapter_mut(adapter) {
                        a.queue_event(q, QueueEvent::AllocateSucceeded);
                    }
                } else {
                    self.check_shared_memory_freed(
                        adapter,
                        Some(q),
                        rules::SHARED_MEMORY_LEAK_AT_FAILED_ALLOCATE,
                        "after its ALLOCATE_QUEUE failed",
                    );
                    if let Some(a) = self.adapter_mut(adapter) {
                        a.queue_event(q, QueueEvent::AllocateFailed);
                    }
                }
            }
            (OID_RECEIVE_FILTER_FREE_QUEUE, Some(q), _) if r.kind == RequestKind::Set => {
                let Some(state) = self.adapter(adapter).and_then(|a| a.queues.get(&q)).map(|r| r.state) else {
                    return;
                };
                if !ok {
                    if let Some(a) = self.adapter_mut(adapter) {
                        a.queue_event(q, QueueEvent::FreeFailed);
                    }
                    self.forget_queue_snapshots(adapter, q);
                    return;
                }
                if !matches!(state, QueueState::DmaStopped { .. }) {
                    self.violate(
                        rules::OID_FREE_QUEUE_BEFORE_DMA_STOPPED,
                        format!("FREE_QUEUE for queue {q} completed before an NDIS_STATUS_RECEIVE_QUEUE_STATE DmaStopped indication for it"),
                    );
                }
                self.check_shared_memory_freed(
                    adapter,
                    Some(q),
                    rules::SHARED_MEMORY_LEAK_AT_FREE_QUEUE,
                    "when its FREE_QUEUE completed",
                );
                let owned = self.ownership.queue_refs(adapter, q);
                if owned > 0 {
                    self.violate(
                        rules::RECEIVE_OUTSTANDING_AT_FREE_QUEUE,
                        format!(
                            "FREE_QUEUE for queue {q} completed while NDIS still owns {owned} NBL(s) indicated from it"
                        ),
                    );
                }
                self.queue_counters.1 += 1;
                if let Some(a) = self.adapter_mut(adapter) {
                    a.queue_event(q, QueueEvent::FreeSucceeded);
                    a.filters.remove_queue(q);
                    a.freed_queues.insert(q);
                }
            }
            (OID_RECEIVE_FILTER_SET_FILTER, Some(q), Some(f)) if ok => {
                let payload = mem.read_vec(r.buffer, r.buffer_len as usize).unwrap_or_default();
                let rule = parse_filter(&payload).unwrap_or(FilterRule {
                    queue: q,
                    mac: None,
                    vlan: None,
                    untagged_or_zero: false,
                    supported: false,
                });
                if let Some(a) = self.adapter_mut(adapter) {
                    a.filters.insert(f, FilterRule { queue: q, ..rule });
                }
            }
            (OID_RECEIVE_FILTER_CLEAR_FILTER, _, Some(f)) if ok => {
                if let Some(a) = self.adapter_mut(adapter) {
                    a.filters.remove(f);
                }
            }
            (OID_RECEIVE_FILTER_QUEUE_PARAMETERS, _, _) if ok && r.kind == RequestKind::Set => {
                self.apply_queue_parameters(mem, adapter, r.buffer, r.input_len.min(r.buffer_len));
            }
            (OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE, _, _) if ok && r.kind == RequestKind::Method => {
                for (q, s) in parse_allocation_complete(mem, r.buffer, r.buffer_len) {
                    if let Some(a) = self.adapter_mut(adapter).filter(|_| s == NDIS_STATUS_SUCCESS) {
                        a.queue_event(q, QueueEvent::AllocationComplete);
                    }
                }
            }
            _ => {}
        }
    }

    /// The RequestId of the request the adapter has pended (returned PENDING, not completed).
    pub fn pending_oid(&self, adapter: u64) -> Option<u64> {
        let a = self.adapters.get(&adapter)?;
        a.oid.current.as_ref().filter(|r| matches!(r.state, OidState::Pending)).map(|r| r.request_id)
    }

    /// Takes the completion of a pended request, if it has arrived.
    pub fn take_oid_completion(&mut self, adapter: u64, request_id: u64) -> Option<OidResult> {
        let a = self.adapters.get_mut(&adapter)?;
        let i = a.oid.completions.iter().position(|r| r.request_id == request_id)?;
        Some(a.oid.completions.remove(i))
    }

    /// Takes every completion of pended requests not yet taken.
    pub fn take_oid_completions(&mut self, adapter: u64) -> Vec<OidResult> {
        self.adapters.get_mut(&adapter).map(|a| std::mem::take(&mut a.oid.completions)).unwrap_or_default()
    }

    /// Drops a request that never completed (reported as `oid.never-completed`).
    pub fn abandon_pending_oid(&mut self, adapter: u64, when: &str) {
        let Some(r) = self.adapters.get_mut(&adapter).and_then(|a| a.oid.current.take()) else {
            return;
        };
        self.violate(
            rules::OID_NEVER_COMPLETED,
            format!("OID {:#010x} (RequestId {}) still pending {when}", r.oid, r.request_id),
        );
    }
}

/// Reads (QueueId, CompletionStatus) pairs from an allocation-complete array in memory.
fn parse_allocation_complete(mem: &dyn AddressSpace, buffer: u64, len: u32) -> Vec<(u32, i32)> {
    let Ok(bytes) = mem.read_vec(buffer, len as usize) else {
        return Vec::new();
    };
    payload::parse_allocation_complete(&bytes).unwrap_or_default()
}
