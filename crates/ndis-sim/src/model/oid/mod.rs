//! OID requests: the result type, per-adapter tracking, and building NDIS_OID_REQUEST
//! (completion and its rules are in `complete.rs`).
//!
//! NDIS assigns QueueIds (ALLOCATE_QUEUE) and FilterIds (SET_FILTER) before the miniport sees
//! the request, so the model writes them into the payload when it builds the request.
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>.

use std::collections::BTreeSet;

mod complete;

use ndis_sys::{
    NDIS_OBJECT_TYPE_OID_REQUEST, NDIS_RECEIVE_QUEUE_PARAMETERS_PER_QUEUE_RECEIVE_INDICATION,
    NDIS_SIZEOF_OID_REQUEST_REVISION_1, NDIS_STATUS_ADAPTER_NOT_READY, NDIS_STATUS_PENDING, NDIS_STATUS_RESOURCES,
    NDIS_STATUS_SUCCESS, NdisRequestMethod, NdisRequestQueryInformation, NdisRequestSetInformation,
    OID_RECEIVE_FILTER_ALLOCATE_QUEUE, OID_RECEIVE_FILTER_CLEAR_FILTER, OID_RECEIVE_FILTER_FREE_QUEUE,
    OID_RECEIVE_FILTER_SET_FILTER,
};

use super::Model;
use super::handles::HandleKind;
use super::memory::{AddressSpace, Fault, Header, MemExt};
use super::queue_state::QueueRecord;
use super::queue_state::{QueueEvent, QueueState};

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
    /// The information buffer after completion: a query's first BytesWritten bytes, a
    /// method's whole output buffer (OutputBufferLength bytes), nothing for a set.
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
        if a.phase.is_gone() || a.phase == super::phase::Phase::Initializing {
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
        let header =
            Header { kind: NDIS_OBJECT_TYPE_OID_REQUEST, revision: 1, size: NDIS_SIZEOF_OID_REQUEST_REVISION_1 };
        let data = off!(NDIS_OID_REQUEST, DATA);
        let w = |mem: &mut dyn AddressSpace| -> Result<(), Fault> {
            mem.write(request, &header.bytes())?;
            mem.write_u32(request + off!(NDIS_OID_REQUEST, RequestType), kind.ndis() as u32)?;
            mem.write_u64(request + off!(NDIS_OID_REQUEST, RequestId), request_id)?;
            mem.write_u64(request + off!(NDIS_OID_REQUEST, RequestHandle), request_handle)?;
            mem.write_u32(request + data + off!(NDIS_OID_REQUEST_QUERY, Oid), oid)?;
            mem.write_u64(request + data + off!(NDIS_OID_REQUEST_QUERY, InformationBuffer), buffer)?;
            match kind {
                RequestKind::Query => {
                    mem.write_u32(request + data + off!(NDIS_OID_REQUEST_QUERY, InformationBufferLength), output_len)
                }
                RequestKind::Set => {
                    mem.write_u32(request + data + off!(NDIS_OID_REQUEST_SET, InformationBufferLength), input_len)
                }
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
        let Some(a) = self.adapters.get_mut(&adapter) else {
            return Ok((None, None));
        };
        let fits = |o: u64| u64::from(len) >= o + 4;
        Ok(match (kind, oid) {
            (RequestKind::Method, OID_RECEIVE_FILTER_ALLOCATE_QUEUE)
                if fits(off!(NDIS_RECEIVE_QUEUE_PARAMETERS, QueueId)) =>
            {
                let id = a.next_queue_id();
                mem.write_u32(buffer + off!(NDIS_RECEIVE_QUEUE_PARAMETERS, QueueId), id)?;
                let flags = mem.read_u32(buffer + off!(NDIS_RECEIVE_QUEUE_PARAMETERS, Flags))?;
                let affinity = read_affinity(mem, buffer, len)?.unwrap_or((0, 0));
                a.freed_queues.remove(&id);
                a.queues.insert(
                    id,
                    QueueRecord {
                        state: QueueState::Allocating,
                        per_queue_receive_indication: flags
                            & NDIS_RECEIVE_QUEUE_PARAMETERS_PER_QUEUE_RECEIVE_INDICATION
                            != 0,
                        affinity,
                    },
                );
                (Some(id), None)
            }
            (RequestKind::Set, OID_RECEIVE_FILTER_FREE_QUEUE) => {
                let q = u32_within(mem, buffer, len, off!(NDIS_RECEIVE_QUEUE_FREE_PARAMETERS, QueueId))?;
                if let Some(q) = q {
                    a.queue_event(q, QueueEvent::FreeDelivered);
                }
                (q, None)
            }
            (RequestKind::Method, OID_RECEIVE_FILTER_SET_FILTER)
                if fits(off!(NDIS_RECEIVE_FILTER_PARAMETERS, FilterId)) =>
            {
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
}

/// Reads the `u32` at `offset` of a buffer of `len` bytes, if it fits.
fn u32_within(mem: &dyn AddressSpace, buffer: u64, len: u32, offset: u64) -> Result<Option<u32>, Fault> {
    if u64::from(len) >= offset + 4 { mem.read_u32(buffer + offset).map(Some) } else { Ok(None) }
}

/// `ProcessorAffinity` of a queue: (Group, Mask).
pub type Affinity = (u16, u64);

/// Reads `ProcessorAffinity` of an NDIS_RECEIVE_QUEUE_PARAMETERS of `len` bytes at `buffer`.
pub(crate) fn read_affinity(mem: &dyn AddressSpace, buffer: u64, len: u32) -> Result<Option<Affinity>, Fault> {
    let at = off!(NDIS_RECEIVE_QUEUE_PARAMETERS, ProcessorAffinity);
    if u64::from(len) < at + 10 {
        return Ok(None);
    }
    Ok(Some((mem.read_u16(buffer + at + 8)?, mem.read_u64(buffer + at)?)))
}
