//! MiniportOidRequest logic: the request as safe slices, dispatch by OID and type, one reply shape.
//!
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>
//! IRQL: PASSIVE_LEVEL. NDIS delivers one request at a time per adapter.

mod filter;
pub mod general;
mod queue;

use ndis_sys::{
    NDIS_STATUS, NDIS_STATUS_SUCCESS, OID_RECEIVE_FILTER_ALLOCATE_QUEUE, OID_RECEIVE_FILTER_CLEAR_FILTER,
    OID_RECEIVE_FILTER_FREE_QUEUE, OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE, OID_RECEIVE_FILTER_QUEUE_PARAMETERS,
    OID_RECEIVE_FILTER_SET_FILTER,
};

use super::adapter::Adapter;
use super::error::OidError;
use crate::backend::NicBackend;
use crate::kernel::oid_request::OidToken;

pub use super::caps::SUPPORTED_OIDS;

/// One OID request, with its information buffer as a slice.
#[derive(Debug)]
pub enum OidRequest<'a> {
    /// `NdisRequestQueryInformation` / `NdisRequestQueryStatistics`: answer into `buffer`.
    Query {
        /// The OID.
        oid: u32,
        /// Output buffer (`InformationBufferLength` bytes).
        buffer: &'a mut [u8],
    },
    /// `NdisRequestSetInformation`: read `buffer`.
    Set {
        /// The OID.
        oid: u32,
        /// Input buffer.
        buffer: &'a [u8],
    },
    /// `NdisRequestMethod`: `buffer[..input_len]` is input, the reply goes into
    /// `buffer[..output_len]` (the same memory).
    Method {
        /// The OID.
        oid: u32,
        /// In/out buffer, `max(input_len, output_len)` bytes.
        buffer: &'a mut [u8],
        /// `InputBufferLength`.
        input_len: usize,
        /// `OutputBufferLength`.
        output_len: usize,
    },
}

/// What goes back into `NDIS_OID_REQUEST`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OidReply {
    /// Status returned by the handler.
    pub status: NDIS_STATUS,
    /// `BytesRead` (set and method).
    pub bytes_read: u32,
    /// `BytesWritten` (query and method).
    pub bytes_written: u32,
    /// `BytesNeeded`.
    pub bytes_needed: u32,
}

/// Bytes consumed and produced by a successful request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Transfer {
    /// Bytes read from the input.
    pub read: u32,
    /// Bytes written to the output.
    pub written: u32,
}

impl OidReply {
    /// The reply of a request that returned NDIS_STATUS_PENDING (completed later).
    pub const PENDING: Self =
        Self { status: ndis_sys::NDIS_STATUS_PENDING, bytes_read: 0, bytes_written: 0, bytes_needed: 0 };

    fn from_result(result: Result<Transfer, OidError>) -> Self {
        match result {
            Ok(t) => {
                Self { status: NDIS_STATUS_SUCCESS, bytes_read: t.read, bytes_written: t.written, bytes_needed: 0 }
            }
            Err(e) => Self { status: e.status(), bytes_read: 0, bytes_written: 0, bytes_needed: e.bytes_needed() },
        }
    }
}

impl<B: NicBackend + Send> Adapter<B> {
    /// Handles one OID request. `token` is the request itself; an OID that must wait
    /// (FREE_QUEUE with indicated NBLs outstanding) keeps it and replies
    /// [`OidReply::PENDING`], completing it later with `NdisMOidRequestComplete`.
    pub fn oid_request(&self, request: OidRequest<'_>, token: OidToken) -> OidReply {
        let (oid, result) = match request {
            OidRequest::Method { oid, buffer, input_len, output_len } => {
                let input_len = input_len.min(buffer.len());
                let output_len = output_len.min(buffer.len());
                let result = match oid {
                    OID_RECEIVE_FILTER_ALLOCATE_QUEUE => self.allocate_queue(buffer, input_len, output_len),
                    OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE => {
                        self.complete_queue_allocation(buffer, input_len, output_len)
                    }
                    OID_RECEIVE_FILTER_SET_FILTER => self.set_filter(buffer, input_len),
                    _ => Err(OidError::NotSupported),
                };
                (oid, result)
            }
            OidRequest::Set { oid, buffer } => {
                let result = match oid {
                    OID_RECEIVE_FILTER_FREE_QUEUE => match self.free_queue(buffer, token) {
                        Ok(None) => return OidReply::PENDING,
                        Ok(Some(transfer)) => Ok(transfer),
                        Err(e) => Err(e),
                    },
                    OID_RECEIVE_FILTER_QUEUE_PARAMETERS => self.set_queue_parameters(buffer),
                    OID_RECEIVE_FILTER_CLEAR_FILTER => self.clear_filter(buffer),
                    _ => self.set_general(oid, buffer),
                };
                (oid, result)
            }
            OidRequest::Query { oid, buffer } => (oid, self.query_general(oid, buffer)),
        };
        OidReply::from_result(result.map_err(|e| must_succeed_refusal(oid, e)))
    }
}

/// FREE_QUEUE and CLEAR_FILTER may only be refused with NOT_ACCEPTED or
/// REQUEST_ABORTED (Driver Verifier rule NdisOidComplete): any refusal of them,
/// whatever its cause, becomes NOT_ACCEPTED.
fn must_succeed_refusal(oid: u32, error: OidError) -> OidError {
    match oid {
        OID_RECEIVE_FILTER_FREE_QUEUE | OID_RECEIVE_FILTER_CLEAR_FILTER => OidError::NotAccepted,
        _ => error,
    }
}
