//! A pended OID request: kept by the core until it can complete it with `NdisMOidRequestComplete`.
//!
//! "After it returns PENDING, NDIS sends no further request to the adapter until this one
//! completes"; completion happens once, never with NDIS_STATUS_PENDING.
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismoidrequestcomplete>

use core::ptr::NonNull;

use ndis_sys::{NDIS_OID_REQUEST, NDIS_STATUS, NdisMOidRequestComplete, NdisRequestSetInformation};

use super::NdisHandle;

/// The `NDIS_OID_REQUEST` being handled, as an opaque token.
///
/// # Invariants
/// Points to the request NDIS passed to MiniportOidRequest; valid until completed.
#[derive(Debug)]
pub struct OidToken(NonNull<NDIS_OID_REQUEST>);

// SAFETY: the request is owned by the miniport between PENDING and completion, and
// may be completed from another thread (a work item).
unsafe impl Send for OidToken {}

impl OidToken {
    /// Wraps the request pointer of the current MiniportOidRequest call.
    #[must_use]
    pub(crate) fn new(request: NonNull<NDIS_OID_REQUEST>) -> Self {
        Self(request)
    }

    /// `RequestId` of the request, what MiniportCancelOidRequest names it by.
    #[must_use]
    pub fn request_id(&self) -> usize {
        // SAFETY: type invariant: the request is live and still ours.
        let id = unsafe { (*self.0.as_ptr()).RequestId };
        // CAST: RequestId is an opaque pointer-sized cookie, compared by value.
        id as usize
    }

    /// Completes a pended request: writes `BytesRead` (set requests) and calls
    /// `NdisMOidRequestComplete`. IRQL <= DISPATCH_LEVEL. Consumes the token: at most once.
    pub fn complete(self, adapter: NdisHandle, status: NDIS_STATUS, bytes_read: u32) {
        let request = self.0.as_ptr();
        // SAFETY: type invariant: the request is live and still ours.
        let request_type = unsafe { (*request).RequestType };
        if request_type == NdisRequestSetInformation {
            // SAFETY: type invariant, as above.
            let data = unsafe { &mut (*request).DATA };
            // Writing a `Copy` union field needs no `unsafe`; SET_INFORMATION is the live member.
            data.SET_INFORMATION.BytesRead = bytes_read;
        }
        // SAFETY: the request returned PENDING and is completed exactly once (by value).
        unsafe { NdisMOidRequestComplete(adapter.as_raw(), request, status) };
    }
}
