//! Trampolines for MiniportOidRequest and MiniportCancelOidRequest.
//!
//! Decodes `NDIS_OID_REQUEST` (request type, OID, information buffer and its
//! lengths) into a safe [`OidRequest`], and writes BytesRead/BytesWritten/BytesNeeded back.
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>
//!
//! IRQL: PASSIVE_LEVEL.

use ndis_sys::{
    NDIS_HANDLE, NDIS_OID_REQUEST, NDIS_STATUS, NDIS_STATUS_FAILURE, NDIS_STATUS_INVALID_PARAMETER,
    NDIS_STATUS_NOT_SUPPORTED, NdisRequestMethod, NdisRequestQueryInformation,
    NdisRequestQueryStatistics, NdisRequestSetInformation, PVOID,
};

use super::miniport::adapter;
use crate::vmq::oid::OidRequest;

/// A mutable byte slice over an information buffer (empty for NULL or 0 bytes).
///
/// # Safety
/// A non-NULL `buffer` must point to `len` bytes valid for reads and writes for `'a`.
unsafe fn bytes<'a>(buffer: PVOID, len: u32) -> &'a mut [u8] {
    if buffer.is_null() || len == 0 {
        return &mut [];
    }
    // SAFETY: the caller guarantees `len` valid bytes at `buffer`.
    unsafe { core::slice::from_raw_parts_mut(buffer.cast::<u8>(), len as usize) }
}

/// MiniportOidRequest.
pub(super) unsafe extern "system" fn oid_request(
    context: NDIS_HANDLE,
    request: *mut NDIS_OID_REQUEST,
) -> NDIS_STATUS {
    // SAFETY: NDIS passes the live adapter context and a request it owns until we return.
    let (Some(adapter), Some(request)) = (unsafe { adapter(context) }, unsafe { request.as_mut() })
    else {
        return NDIS_STATUS_FAILURE;
    };
    let request_type = request.RequestType;
    if request_type == NdisRequestQueryInformation || request_type == NdisRequestQueryStatistics {
        // SAFETY: for queries the QUERY_INFORMATION member of the union is the live one.
        let query = unsafe { &mut request.DATA.QUERY_INFORMATION };
        // SAFETY: NDIS guarantees InformationBufferLength bytes at InformationBuffer.
        let buffer = unsafe { bytes(query.InformationBuffer, query.InformationBufferLength) };
        let reply = adapter.oid_request(OidRequest::Query {
            oid: query.Oid,
            buffer,
        });
        query.BytesWritten = reply.bytes_written;
        query.BytesNeeded = reply.bytes_needed;
        reply.status
    } else if request_type == NdisRequestSetInformation {
        // SAFETY: for sets the SET_INFORMATION member is the live one.
        let set = unsafe { &mut request.DATA.SET_INFORMATION };
        // SAFETY: as for queries.
        let buffer = unsafe { bytes(set.InformationBuffer, set.InformationBufferLength) };
        let reply = adapter.oid_request(OidRequest::Set {
            oid: set.Oid,
            buffer,
        });
        set.BytesRead = reply.bytes_read;
        set.BytesNeeded = reply.bytes_needed;
        reply.status
    } else if request_type == NdisRequestMethod {
        // SAFETY: for methods the METHOD_INFORMATION member is the live one.
        let method = unsafe { &mut request.DATA.METHOD_INFORMATION };
        let len = method.InputBufferLength.max(method.OutputBufferLength);
        // SAFETY: a method buffer holds the input and receives the output in place,
        // so it spans the larger of the two lengths.
        let buffer = unsafe { bytes(method.InformationBuffer, len) };
        let reply = adapter.oid_request(OidRequest::Method {
            oid: method.Oid,
            buffer,
            input_len: method.InputBufferLength as usize,
            output_len: method.OutputBufferLength as usize,
        });
        method.BytesRead = reply.bytes_read;
        method.BytesWritten = reply.bytes_written;
        method.BytesNeeded = reply.bytes_needed;
        reply.status
    } else if request_type < 0 {
        NDIS_STATUS_INVALID_PARAMETER
    } else {
        NDIS_STATUS_NOT_SUPPORTED
    }
}

/// MiniportCancelOidRequest: every request completes synchronously, none is pending to cancel.
pub(super) unsafe extern "system" fn cancel_oid_request(_context: NDIS_HANDLE, _request_id: PVOID) {
}
