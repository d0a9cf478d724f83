//! OID requests: building NDIS_OID_REQUEST, NdisMOidRequestComplete, and the completion rules
//! (Driver Verifier NdisOidComplete / NdisOidDoubleComplete, BytesWritten/Read/Needed).
//!
//! NDIS assigns QueueIds (ALLOCATE_QUEUE) and FilterIds (SET_FILTER) before the miniport sees
//! the request, so the model writes them into the payload when it builds the request.
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>.

use std::collections::BTreeSet;

use ndis_sys::{
    NDIS_OBJECT_TYPE_OID_REQUEST, NDIS_SIZEOF_OID_REQUEST_REVISION_1, NDIS_STATUS_ADAPTER_NOT_READY,
    NDIS_STATUS_BUFFER_TOO_SHORT, NDIS_STATUS_INVALID_LENGTH, NDIS_STATUS_NOT_ACCEPTED, NDIS_STATUS_PENDING,
    NDIS_STATUS_REQUEST_ABORTED, NDIS_STATUS_RESOURCES, NDIS_STATUS_SUCCESS, NdisRequestMethod,
    NdisRequestQueryInformation, NdisRequestSetInformation, OID_RECEIVE_FILTER_ALLOCATE_QUEUE,
    OID_RECEIVE_FILTER_CLEAR_FILTER, OID_RECEIVE_FILTER_FREE_QUEUE, OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE,
    OID_RECEIVE_FILTER_SET_FILTER,
};

use super::adapter::QueueState;
use super::config::DISPATCH_LEVEL;
use super::handles::HandleKind;
use super::memory::{AddressSpace, Fault, Header, MemExt};
use super::{Model, rules};

/// The three kinds of OID request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestKind {
    /// NdisRequestQueryInformation.
    Query,
    /// NdisRequestSetInformation.
    Set,
    /// NdisRequestMethod.
    Method,
}

impl RequestKind {
    fn ndis(self) -> i32 {
        match self {
            Self::Query => NdisRequestQueryInformation,
            Self::Set => NdisRequestSetInformation,
            Self::Method => NdisRequestMethod,
        }
    }
}

/// The outcome of one OID request, as the requester sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OidResult {
    /// The OID.
    pub oid: u32,
    /// Query, set or method.
    pub kind: RequestKind,
    /// RequestId NDIS put in the request (for `cancel_oid`).
    pub request_id: u64,
    /// Final status (PENDING if the request is still pending).
    pub status: i32,
    /// BytesWritten (query, method).
    pub bytes_written: u32,
    /// BytesRead (set, method).
    pub bytes_read: u32,
    /// BytesNeeded.
    pub bytes_needed: u32,
    /// The information buffer after completion, truncated to BytesWritten (query, method).
    pub data: Vec<u8>,
    /// The miniport returned PENDING (and, unless `status` is PENDING, completed it later).
    pub pended: bool,
    /// `false` if NDIS did not deliver the request (another one is pending, adapter gone).
    pub delivered: bool,
    /// QueueId NDIS assigned (ALLOCATE_QUEUE) or named (FREE_QUEUE, SET/CLEAR_FILTER).
    pub queue_id: Option<u32>,
    /// FilterId NDIS assigned (SET_FILTER) or named (CLEAR_FILTER).
    pub filter_id: Option<u32>,
}

impl OidResult {
    /// `status == NDIS_STATUS_SUCCESS`.
    pub fn succeeded(&self) -> bool {
        self.status == NDIS_STATUS_SUCCESS
    }

    /// The request is still pending (not completed yet).
    pub fn is_pending(&self) -> bool {
        self.status == NDIS_STATUS_PENDING
    }

    fn undelivered(oid: u32, kind: RequestKind, status: i32) -> Self {
        Self {
            oid,
            kind,
            request_id: 0,
            status,
            bytes_written: 0,
            bytes_read: 0,
            bytes_needed: 0,
            data: Vec::new(),
            pended: status == NDIS_STATUS_PENDING,
            delivered: false,
            queue_id: None,
            filter_id: None,
        }
    }
}

/// Where a delivered request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OidState {
    /// MiniportOidRequest has not returned; `Some` once completed early.
    InHandler(Option<i32>),
    /// MiniportOidRequest returned PENDING.
    Pending,
}

/// One delivered request NDIS is tracking.
#[derive(Clone, Debug)]
pub struct OidRecord {
    request: u64,
    buffer: u64,
    buffer_len: u32,
    kind: RequestKind,
    oid: u32,
    input_len: u32,
    output_len: u32,
    request_id: u64,
    state: OidState,
    queue: Option<u32>,
    filter: Option<u32>,
}

/// Per-adapter OID bookkeeping.
#[derive(Debug, Default)]
pub struct OidTracker {
    current: Option<OidRecord>,
    /// Results of pended requests completed by NdisMOidRequestComplete, not yet taken.
    pub completions: Vec<OidResult>,
    finished: BTreeSet<u64>,
}

impl OidTracker {
    /// The RequestId of the request being processed (in the handler or pending).
    pub fn current_request_id(&self) -> Option<u64> {
        self.current.as_ref().map(|r| r.request_id)
    }
}

/// A request the model built: where it is and what to pass to MiniportOidRequest.
#[derive(Clone, Copy, Debug)]
pub struct BuiltRequest {
    /// The NDIS_OID_REQUEST address.
    pub request: u64,
    /// The RequestId in it.
    pub request_id: u64,
}

impl Model {
    /// Builds an OID request for `adapter` (PASSIVE, between host actions). `Err` carries the
    /// undelivered result when NDIS would not deliver it.
    pub fn begin_oid(
        &mut self,
        mem: &mut dyn AddressSpace,
        adapter: u64,
        kind: RequestKind,
        oid: u32,
        input: &[u8],
        output_len: u32,
    ) -> Result<BuiltRequest, OidResult> {
        let Some(a) = self.adapters.get(&adapter) else {
            return Err(OidResult::undelivered(oid, kind, NDIS_STATUS_ADAPTER_NOT_READY));
        };
        if a.phase.is_gone() || a.phase == super::adapter::Phase::Initializing {
            return Err(OidResult::undelivered(oid, kind, NDIS_STATUS_ADAPTER_NOT_READY));
        }
        if a.oid.current.is_some() {
            return Err(OidResult::undelivered(oid, kind, NDIS_STATUS_PENDING));
        }
        let input_len = u32::try_from(input.len()).unwrap_or(u32::MAX);
        let (input_len, output_len) = match kind {
            RequestKind::Query => (0, output_len),
            RequestKind::Set => (input_len, 0),
            RequestKind::Method => (input_len, output_len),
        };
        let buffer_len = input_len.max(output_len);
        let built = self.build_request(mem, adapter, kind, oid, input, input_len, output_len, buffer_len);
        built.ok_or_else(|| OidResult::undelivered(oid, kind, NDIS_STATUS_RESOURCES))
    }

    #[allow(clippy::too_many_arguments)]
    fn build_request(
        &mut self,
        mem: &mut dyn AddressSpace,
        adapter: u64,
        kind: RequestKind,
        oid: u32,
        input: &[u8],
        input_len: u32,
        output_len: u32,
        buffer_len: u32,
    ) -> Option<BuiltRequest> {
        let buffer = mem.alloc_with(&input[..input_len as usize], buffer_len as usize, 16)?;
        let request = mem.alloc(size!(NDIS_OID_REQUEST).max(248), 16)?;
        self.next_request_id += 1;
        let request_id = self.next_request_id;
        let request_handle = self.handles.issue(HandleKind::OidRequest);
        let (queue, filter) = self.assign_ids(mem, adapter, kind, oid, buffer, buffer_len).ok()?;
        let header = Header { kind: NDIS_OBJECT_TYPE_OID_REQUEST, revision: 1, size: NDIS_SIZEOF_OID_REQUEST_REVISION_1 };
        let data = off!(NDIS_OID_REQUEST, DATA);
        let w = |mem: &mut dyn AddressSpace| -> Result<(), Fault> {
            mem.write(request, &header.bytes())?;
            mem.write_u32(request + off!(NDIS_OID_REQUEST, RequestType), kind.ndis() as u32)?;
            mem.write_u64(request + off!(NDIS_OID_REQUEST, RequestId), request_id)?;
            mem.write_u64(request + off!(NDIS_OID_REQUEST, RequestHandle), request_handle)?;
            mem.write_u32(request + data + off!(NDIS_OID_REQUEST_QUERY, Oid), oid)?;
            mem.write_u64(request + data + off!(NDIS_OID_REQUEST_QUERY, InformationBuffer), buffer)?;
            match kind {
                RequestKind::Query => mem.write_u32(request + data + off!(NDIS_OID_REQUEST_QUERY, InformationBufferLength), output_len),
                RequestKind::Set => mem.write_u32(request + data + off!(NDIS_OID_REQUEST_SET, InformationBufferLength), input_len),
                RequestKind::Method => {
                    mem.write_u32(request + data + off!(NDIS_OID_REQUEST_METHOD, InputBufferLength), input_len)?;
                    mem.write_u32(request + data + off!(NDIS_OID_REQUEST_METHOD, OutputBufferLength), output_len)
                }
            }
        };
        w(mem).ok()?;
        let record = OidRecord {
            request,
            buffer,
            buffer_len,
            kind,
            oid,
            input_len,
            output_len,
            request_id,
            state: OidState::InHandler(None),
            queue,
            filter,
        };
        self.adapters.get_mut(&adapter)?.oid.current = Some(record);
        Some(BuiltRequest { request, request_id })
    }

    /// Plays NDIS's part of the VMQ OIDs: assigns QueueId / FilterId in the payload and notes
    /// which queue or filter the request names.
    fn assign_ids(
        &mut self,
        mem: &mut dyn AddressSpace,
        adapter: u64,
        kind: RequestKind,
        oid: u32,
        buffer: u64,
        len: u32,
    ) -> Result<(Option<u32>, Option<u32>), Fault> {
        let Some(a) = self.adapters.get_mut(&adapter) else { return Ok((None, None)) };
        let fits = |o: u64| u64::from(len) >= o + 4;
        Ok(match (kind, oid) {
            (RequestKind::Method, OID_RECEIVE_FILTER_ALLOCATE_QUEUE) if fits(off!(NDIS_RECEIVE_QUEUE_PARAMETERS, QueueId)) => {
                let id = a.next_queue_id();
                mem.write_u32(buffer + off!(NDIS_RECEIVE_QUEUE_PARAMETERS, QueueId), id)?;
                a.queues.insert(id, QueueState { allocating: true, ..QueueState::default() });
                (Some(id), None)
            }
            (RequestKind::Set, OID_RECEIVE_FILTER_FREE_QUEUE) => {
                let q = u32_within(mem, buffer, len, off!(NDIS_RECEIVE_QUEUE_FREE_PARAMETERS, QueueId))?;
                if let Some(s) = q.and_then(|q| a.queues.get_mut(&q)) {
                    s.freeing = true;
                }
                (q, None)
            }
            (RequestKind::Method, OID_RECEIVE_FILTER_SET_FILTER) if fits(off!(NDIS_RECEIVE_FILTER_PARAMETERS, FilterId)) => {
                let id = a.next_filter_id();
                mem.write_u32(buffer + off!(NDIS_RECEIVE_FILTER_PARAMETERS, FilterId), id)?;
                (u32_within(mem, buffer, len, off!(NDIS_RECEIVE_FILTER_PARAMETERS, QueueId))?, Some(id))
            }
            (RequestKind::Set, OID_RECEIVE_FILTER_CLEAR_FILTER) => (
                u32_within(mem, buffer, len, off!(NDIS_RECEIVE_FILTER_CLEAR_PARAMETERS, QueueId))?,
                u32_within(mem, buffer, len, off!(NDIS_RECEIVE_FILTER_CLEAR_PARAMETERS, FilterId))?,
            ),
            _ => (None, None),
        })
    }

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
            self.violate(rules::OID_COMPLETE_WITH_PENDING, format!("{API} for request {request:#x} with Status NDIS_STATUS_PENDING"));
            return;
        }
        let Some(a) = self.adapters.get_mut(&adapter) else { return };
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
                self.violate(rules::OID_COMPLETE_NOT_PENDING, format!("{API}: {request:#x} is not a request this adapter has pending"));
            }
        }
    }

    /// Reads the request's final counters, applies the completion rules and NDIS's queue and
    /// filter bookkeeping.
    fn finish_oid(&mut self, mem: &mut dyn AddressSpace, adapter: u64, r: OidRecord, status: i32, pended: bool) -> OidResult {
        let read = |o: u64| mem.read_u32(r.request + off!(NDIS_OID_REQUEST, DATA) + o).unwrap_or(0);
        let (written, bytes_read, needed) = match r.kind {
            RequestKind::Query => (read(off!(NDIS_OID_REQUEST_QUERY, BytesWritten)), 0, read(off!(NDIS_OID_REQUEST_QUERY, BytesNeeded))),
            RequestKind::Set => (0, read(off!(NDIS_OID_REQUEST_SET, BytesRead)), read(off!(NDIS_OID_REQUEST_SET, BytesNeeded))),
            RequestKind::Method => (
                read(off!(NDIS_OID_REQUEST_METHOD, BytesWritten)),
                read(off!(NDIS_OID_REQUEST_METHOD, BytesRead)),
                read(off!(NDIS_OID_REQUEST_METHOD, BytesNeeded)),
            ),
        };
        let name = format!("OID {:#010x} ({:?})", r.oid, r.kind);
        if matches!(r.oid, OID_RECEIVE_FILTER_FREE_QUEUE | OID_RECEIVE_FILTER_CLEAR_FILTER)
            && ![NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_STATUS_NOT_ACCEPTED, NDIS_STATUS_REQUEST_ABORTED].contains(&status)
        {
            self.violate(
                rules::OID_STATUS_NOT_ALLOWED,
                format!("{name} completed with {status:#x}; only SUCCESS, PENDING, NOT_ACCEPTED or REQUEST_ABORTED are allowed"),
            );
        }
        if written > r.output_len {
            self.violate(rules::OID_BYTES_WRITTEN, format!("{name}: BytesWritten {written} exceeds the output buffer length {}", r.output_len));
        }
        if bytes_read > r.input_len {
            self.violate(rules::OID_BYTES_READ, format!("{name}: BytesRead {bytes_read} exceeds the input buffer length {}", r.input_len));
        }
        let given = match r.kind {
            RequestKind::Query => r.output_len,
            RequestKind::Set => r.input_len,
            RequestKind::Method => r.input_len.min(r.output_len),
        };
        if (status == NDIS_STATUS_BUFFER_TOO_SHORT || status == NDIS_STATUS_INVALID_LENGTH) && needed <= given {
            self.violate(
                rules::OID_BYTES_NEEDED,
                format!("{name} failed with {status:#x} but BytesNeeded {needed} does not exceed the length given ({given})"),
            );
        }
        let keep = written.min(r.output_len).min(r.buffer_len) as usize;
        let data = if keep == 0 { Vec::new() } else { mem.read_vec(r.buffer, keep).unwrap_or_default() };
        self.apply_vmq_bookkeeping(mem, adapter, &r, status);
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
                    if let Some(s) = self.adapter_mut(adapter).and_then(|a| a.queues.get_mut(&q)) {
                        s.allocating = false;
                    }
                } else {
                    self.check_shared_memory_freed(adapter, Some(q), rules::SHARED_MEMORY_LEAK_AT_FAILED_ALLOCATE, "after its ALLOCATE_QUEUE failed");
                    if let Some(a) = self.adapter_mut(adapter) {
                        a.queues.remove(&q);
                    }
                }
            }
            (OID_RECEIVE_FILTER_FREE_QUEUE, Some(q), _) if r.kind == RequestKind::Set => {
                let Some(state) = self.adapter(adapter).and_then(|a| a.queues.get(&q)).cloned() else { return };
                if !ok {
                    if let Some(s) = self.adapter_mut(adapter).and_then(|a| a.queues.get_mut(&q)) {
                        s.freeing = false;
                    }
                    return;
                }
                if !state.dma_stopped {
                    self.violate(
                        rules::OID_FREE_QUEUE_BEFORE_DMA_STOPPED,
                        format!("FREE_QUEUE for queue {q} completed before an NDIS_STATUS_RECEIVE_QUEUE_STATE DmaStopped indication for it"),
                    );
                }
                self.check_shared_memory_freed(adapter, Some(q), rules::SHARED_MEMORY_LEAK_AT_FREE_QUEUE, "when its FREE_QUEUE completed");
                self.queue_counters.1 += 1;
                if let Some(a) = self.adapter_mut(adapter) {
                    a.queues.remove(&q);
                    a.filters.retain(|_, fq| *fq != q);
                }
            }
            (OID_RECEIVE_FILTER_SET_FILTER, Some(q), Some(f)) if ok => {
                if let Some(a) = self.adapter_mut(adapter) {
                    a.filters.insert(f, q);
                }
            }
            (OID_RECEIVE_FILTER_CLEAR_FILTER, _, Some(f)) if ok => {
                if let Some(a) = self.adapter_mut(adapter) {
                    a.filters.remove(&f);
                }
            }
            (OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE, _, _) if ok && r.kind == RequestKind::Method => {
                for (q, s) in parse_allocation_complete(mem, r.buffer, r.buffer_len) {
                    if let Some(qs) = self.adapter_mut(adapter).and_then(|a| a.queues.get_mut(&q)) {
                        qs.allocation_complete |= s == NDIS_STATUS_SUCCESS;
                    }
                }
            }
            _ => {}
        }
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
        let Some(r) = self.adapters.get_mut(&adapter).and_then(|a| a.oid.current.take()) else { return };
        self.violate(rules::OID_NEVER_COMPLETED, format!("OID {:#010x} (RequestId {}) still pending {when}", r.oid, r.request_id));
    }
}

/// Reads (QueueId, CompletionStatus) pairs from an allocation-complete array in memory.
fn parse_allocation_complete(mem: &dyn AddressSpace, buffer: u64, len: u32) -> Vec<(u32, i32)> {
    let Ok(bytes) = mem.read_vec(buffer, len as usize) else { return Vec::new() };
    crate::vswitch::parse_allocation_complete(&bytes).unwrap_or_default()
}

/// Reads the `u32` at `offset` of a buffer of `len` bytes, if it fits.
fn u32_within(mem: &dyn AddressSpace, buffer: u64, len: u32, offset: u64) -> Result<Option<u32>, Fault> {
    if u64::from(len) >= offset + 4 { mem.read_u32(buffer + offset).map(Some) } else { Ok(None) }
}
