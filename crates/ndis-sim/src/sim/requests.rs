//! Host actions over OID requests: query, set, method, cancel, and pended completions.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/miniport-adapter-oid-requests>.

use ndis_sys::NDIS_STATUS_PENDING;

use super::{AdapterId, Sim};
use crate::model::calls::{Env, MiniportCall};
use crate::model::config::PASSIVE_LEVEL;
use crate::model::oid::{OidResult, RequestKind};

impl<E: Env> Sim<E> {
    /// Sends a query OID with an output buffer of `output_len` bytes.
    pub fn oid_query(&mut self, a: AdapterId, oid: u32, output_len: u32) -> OidResult {
        self.oid_request(a, RequestKind::Query, oid, &[], output_len)
    }

    /// Sends a set OID with `input` as the information buffer.
    pub fn oid_set(&mut self, a: AdapterId, oid: u32, input: &[u8]) -> OidResult {
        self.oid_request(a, RequestKind::Set, oid, input, 0)
    }

    /// Sends a method OID: `input` in a buffer of max(input, `output_len`) bytes.
    pub fn oid_method(&mut self, a: AdapterId, oid: u32, input: &[u8], output_len: u32) -> OidResult {
        self.oid_request(a, RequestKind::Method, oid, input, output_len)
    }

    /// Delivers one OID request (MiniportOidRequest at PASSIVE_LEVEL). If the miniport pends
    /// it, runs work items until NdisMOidRequestComplete arrives; if it never does, the result
    /// has `status == NDIS_STATUS_PENDING` and no further OID is delivered to the adapter until
    /// it completes (collect the late completion with `take_oid_completions`).
    pub fn oid_request(
        &mut self,
        a: AdapterId,
        kind: RequestKind,
        oid: u32,
        input: &[u8],
        output_len: u32,
    ) -> OidResult {
        self.settle();
        let built = self.with_model(|m, mem| m.begin_oid(mem, a.0, kind, oid, input, output_len));
        let built = match built {
            Ok(b) => b,
            Err(undelivered) => return undelivered,
        };
        let target = self.adapter_call_target(a, |h| h.oid_request);
        let Ok((handler, context)) = target else {
            let status = self.with_model(|m, mem| m.end_oid_call(mem, a.0, ndis_sys::NDIS_STATUS_ADAPTER_NOT_READY));
            return status.unwrap_or_else(|| pending_result(oid, kind, built.request_id));
        };
        let status =
            self.invoke_status(MiniportCall::OidRequest { handler, context, request: built.request }, PASSIVE_LEVEL);
        if let Some(result) = self.with_model(|m, mem| m.end_oid_call(mem, a.0, status)) {
            self.settle();
            return result;
        }
        let mut result = None;
        self.run_work_items_until(|s| {
            result = result.take().or_else(|| s.with_model(|m, _| m.take_oid_completion(a.0, built.request_id)));
            result.is_some()
        });
        self.settle();
        result
            .or_else(|| self.with_model(|m, _| m.take_oid_completion(a.0, built.request_id)))
            .unwrap_or_else(|| pending_result(oid, kind, built.request_id))
    }

    /// Calls MiniportCancelOidRequest for `request_id`, then runs work items. Returns the
    /// request's completion if it arrived.
    pub fn cancel_oid(&mut self, a: AdapterId, request_id: u64) -> Option<OidResult> {
        let (handler, context) = self.adapter_call_target(a, |h| h.cancel_oid).ok()?;
        let pending = self.with_model(|m, _| m.pending_oid(a.0) == Some(request_id));
        self.invoke(MiniportCall::CancelOidRequest { handler, context, request_id }, PASSIVE_LEVEL);
        self.settle();
        let still = self.with_model(|m, _| m.pending_oid(a.0) == Some(request_id));
        if pending && still {
            self.with_model(|m, _| {
                m.violate(
                    crate::model::rules::OID_CANCEL_IGNORED,
                    format!("MiniportCancelOidRequest for RequestId {request_id}: the request is still pending"),
                );
            });
        }
        self.with_model(|m, _| m.take_oid_completion(a.0, request_id))
    }

    /// Runs work items and takes every completion of pended OIDs not collected yet.
    pub fn take_oid_completions(&mut self, a: AdapterId) -> Vec<OidResult> {
        self.settle();
        self.with_model(|m, _| m.take_oid_completions(a.0))
    }
}

fn pending_result(oid: u32, kind: RequestKind, request_id: u64) -> OidResult {
    OidResult {
        oid,
        kind,
        request_id,
        status: NDIS_STATUS_PENDING,
        bytes_written: 0,
        bytes_read: 0,
        bytes_needed: 0,
        data: Vec::new(),
        pended: true,
        delivered: true,
        queue_id: None,
        filter_id: None,
    }
}
