//! Trampolines for MiniportOidRequest and MiniportCancelOidRequest.
//!
//! Decodes `NDIS_OID_REQUEST` (request type, OID, information buffer and its
//! lengths) into a safe [`OidRequest`], and writes BytesRead/BytesWritten/BytesNeeded back.
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>
//!
//! IRQL: PASSIVE_LEVEL.

use core::ptr::NonNull;

use ndis_sys::{
    NDIS_HANDLE, NDIS_OID_REQUEST, NDIS_STATUS, NDIS_STATUS_FAILURE, NDIS_STATUS_INVALID_PARAMETER,
    NDIS_STATUS_NOT_SUPPORTED, NDIS_STATUS_PENDING, NdisRequestMethod, NdisRequestQueryInformation,
    NdisRequestQueryStatistics, NdisRequestSetInformation, PVOID,
};

use super::miniport::adapter;
use crate::kernel::oid_request::OidToken;
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
///
/// The request's fields are read by value before the core runs and written back only
/// for a request that did not pend: a pended request may be completed (and freed by
/// NDIS) from a work item on another processor before this function returns.
///
/// # Safety
/// Called only by NDIS, with the MiniportAdapterContext registered in MiniportInitializeEx (or the handle and parameters the prototype names), valid for the duration of the call, at the IRQL the handler documents.
pub(super) unsafe extern "system" fn oid_request(context: NDIS_HANDLE, request: *mut NDIS_OID_REQUEST) -> NDIS_STATUS {
    // SAFETY: NDIS passes the live adapter context.
    let Some(adapter) = (unsafe { adapter(context) }) else {
        return NDIS_STATUS_FAILURE;
    };
    let Some(request) = NonNull::new(request) else {
        return NDIS_STATUS_FAILURE;
    };
    let raw = request.as_ptr();
    // SAFETY: NDIS owns the request and hands it to us until we return or complete it.
    let request_type = unsafe { (*raw).RequestType };
    if request_type == NdisRequestQueryInformation || request_type == NdisRequestQueryStatistics {
        // SAFETY: for queries the QUERY_INFORMATION member of the union is the live one.
        let data = unsafe { (*raw).DATA };
        // SAFETY: the request type names the live member of the union.
        let query = unsafe { data.QUERY_INFORMATION };
        // SAFETY: NDIS guarantees InformationBufferLength bytes at InformationBuffer.
        let buffer = unsafe { bytes(query.InformationBuffer, query.InformationBufferLength) };
        let reply = adapter.oid_request(OidRequest::Query { oid: query.Oid, buffer }, OidToken::new(request));
        if reply.status != NDIS_STATUS_PENDING {
            // SAFETY: not pended: the request is still ours.
            let data = unsafe { &mut (*raw).DATA };
            // SAFETY: the request type names the live member of the union.
            let out = unsafe { &mut data.QUERY_INFORMATION };
            out.BytesWritten = reply.bytes_written;
            out.BytesNeeded = reply.bytes_needed;
        }
        reply.status
    } else if request_type == NdisRequestSetInformation {
        // SAFETY: for sets the SET_INFORMATION member is the live one.
        let data = unsafe { (*raw).DATA };
        // SAFETY: the request type names the live member of the union.
        let set = unsafe { data.SET_INFORMATION };
        // SAFETY: as for queries.
        let buffer = unsafe { bytes(set.InformationBuffer, set.InformationBufferLength) };
        let reply = adapter.oid_request(OidRequest::Set { oid: set.Oid, buffer }, OidToken::new(request));
        if reply.status != NDIS_STATUS_PENDING {
            // SAFETY: not pended: the request is still ours.
            let data = unsafe { &mut (*raw).DATA };
            // SAFETY: the request type names the live member of the union.
            let out = unsafe { &mut data.SET_INFORMATION };
            out.BytesRead = reply.bytes_read;
            out.BytesNeeded = reply.bytes_needed;
        }
        reply.status
    } else if request_type == NdisRequestMethod {
        // SAFETY: for methods the METHOD_INFORMATION member is the live one.
        let data = unsafe { (*raw).DATA };
        // SAFETY: the request type names the live member of the union.
        let method = unsafe { data.METHOD_INFORMATION };
        let len = method.InputBufferLength.max(method.OutputBufferLength);
        // SAFETY: a method buffer holds the input and receives the output in place,
        // so it spans the larger of the two lengths.
        let buffer = unsafe { bytes(method.InformationBuffer, len) };
        let call = OidRequest::Method {
            oid: method.Oid,
            buffer,
            input_len: method.InputBufferLength as usize,
            output_len: method.OutputBufferLength as usize,
        };
        let reply = adapter.oid_request(call, OidToken::new(request));
        if reply.status != NDIS_STATUS_PENDING {
            // SAFETY: not pended: the request is still ours.
            let data = unsafe { &mut (*raw).DATA };
            // SAFETY: the request type names the live member of the union.
            let out = unsafe { &mut data.METHOD_INFORMATION };
            out.BytesRead = reply.bytes_read;
            out.BytesWritten = reply.bytes_written;
            out.BytesNeeded = reply.bytes_needed;
        }
        reply.status
    } else if request_type < 0 {
        NDIS_STATUS_INVALID_PARAMETER
    } else {
        NDIS_STATUS_NOT_SUPPORTED
    }
}

/// MiniportCancelOidRequest (<= DISPATCH_LEVEL): a pended FREE_QUEUE with this RequestId is
/// completed with NDIS_STATUS_REQUEST_ABORTED; every other request completed synchronously.
///
/// # Safety
/// Called by NDIS with the adapter context it registered; the request id is not dereferenced.
pub(super) unsafe extern "system" fn cancel_oid_request(context: NDIS_HANDLE, request_id: PVOID) {
    // SAFETY: NDIS passes the live adapter context.
    if let Some(adapter) = unsafe { adapter(context) } {
        // CAST: RequestId is an opaque cookie, compared by value.
        adapter.cancel_oid(request_id as usize);
    }
}
