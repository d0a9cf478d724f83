//! OID completion rules and status-indication rules: one test per rule.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::ptr::null_mut;

use common::oid::{complete, decode, set_counts};
use common::{Point, assert_rule, hook, host_with_adapter, knobs, status_indication};
use ndis_sim::{QueueSpec, rules};
use ndis_sys::*;

/// Hooks MiniportOidRequest for `oid` only.
fn on_oid(oid: NDIS_OID, mut f: impl FnMut(&mut common::Ctx) -> Option<NDIS_STATUS> + 'static) {
    hook(Point::Oid, move |ctx| if decode(ctx.request).1 == oid { f(ctx) } else { None });
}

#[test]
fn oid_complete_not_pending_is_reported() {
    on_oid(OID_GEN_VENDOR_ID, |ctx| {
        complete(ctx.adapter, ctx.request, NDIS_STATUS_SUCCESS);
        Some(NDIS_STATUS_SUCCESS)
    });
    let (mut host, a) = host_with_adapter();
    host.oid_query(a, OID_GEN_VENDOR_ID, 4);
    assert_rule(&mut host, rules::OID_COMPLETE_NOT_PENDING);
}

#[test]
fn oid_complete_of_unknown_request_is_reported() {
    let (mut host, a) = host_with_adapter();
    complete(a.0 as NDIS_HANDLE, common::oid::no_request(), NDIS_STATUS_SUCCESS);
    assert_rule(&mut host, rules::OID_COMPLETE_NOT_PENDING);
}

#[test]
fn oid_double_complete_is_reported() {
    on_oid(OID_GEN_VENDOR_ID, |ctx| {
        complete(ctx.adapter, ctx.request, NDIS_STATUS_SUCCESS);
        complete(ctx.adapter, ctx.request, NDIS_STATUS_SUCCESS);
        Some(NDIS_STATUS_PENDING)
    });
    let (mut host, a) = host_with_adapter();
    let r = host.oid_query(a, OID_GEN_VENDOR_ID, 4);
    assert!(r.pended && r.succeeded());
    assert_rule(&mut host, rules::OID_DOUBLE_COMPLETE);
}

#[test]
fn oid_double_complete_after_completion_is_reported() {
    let keep = std::rc::Rc::new(std::cell::Cell::new(null_mut()));
    let k = keep.clone();
    on_oid(OID_GEN_VENDOR_ID, move |ctx| {
        k.set(ctx.request);
        complete(ctx.adapter, ctx.request, NDIS_STATUS_SUCCESS);
        Some(NDIS_STATUS_PENDING)
    });
    let (mut host, a) = host_with_adapter();
    host.oid_query(a, OID_GEN_VENDOR_ID, 4);
    complete(a.0 as NDIS_HANDLE, keep.get(), NDIS_STATUS_SUCCESS);
    assert_rule(&mut host, rules::OID_DOUBLE_COMPLETE);
}

#[test]
fn oid_complete_with_pending_is_reported() {
    on_oid(OID_GEN_VENDOR_ID, |ctx| {
        complete(ctx.adapter, ctx.request, NDIS_STATUS_PENDING);
        Some(NDIS_STATUS_NOT_SUPPORTED)
    });
    let (mut host, a) = host_with_adapter();
    host.oid_query(a, OID_GEN_VENDOR_ID, 4);
    assert_rule(&mut host, rules::OID_COMPLETE_WITH_PENDING);
}

#[test]
fn oid_irql_is_reported() {
    hook(Point::Shutdown, |ctx| {
        complete(ctx.adapter, common::oid::no_request(), NDIS_STATUS_SUCCESS);
        None
    });
    let (mut host, a) = host_with_adapter();
    host.shutdown(a, NdisShutdownBugCheck).unwrap();
    assert_rule(&mut host, rules::OID_IRQL);
}

#[test]
fn oid_status_not_allowed_for_free_queue_is_reported() {
    on_oid(OID_RECEIVE_FILTER_FREE_QUEUE, |_| Some(NDIS_STATUS_FAILURE));
    let (mut host, a) = host_with_adapter();
    let q = host.allocate_queue(a, QueueSpec::default()).unwrap();
    host.free_queue(a, q);
    assert_rule(&mut host, rules::OID_STATUS_NOT_ALLOWED);
}

#[test]
fn oid_status_not_allowed_for_clear_filter_is_reported() {
    on_oid(OID_RECEIVE_FILTER_CLEAR_FILTER, |_| Some(NDIS_STATUS_INVALID_PARAMETER));
    let (mut host, a) = host_with_adapter();
    let q = host.allocate_queue(a, QueueSpec::default()).unwrap();
    let f = host.set_mac_filter(a, q, [2, 0, 0, 0, 0, 3], None).unwrap();
    host.clear_filter(a, q, f);
    assert_rule(&mut host, rules::OID_STATUS_NOT_ALLOWED);
}

#[test]
fn oid_bytes_written_is_reported() {
    on_oid(OID_GEN_VENDOR_ID, |ctx| {
        set_counts(ctx.request, 100, 0, 0);
        Some(NDIS_STATUS_SUCCESS)
    });
    let (mut host, a) = host_with_adapter();
    host.oid_query(a, OID_GEN_VENDOR_ID, 4);
    assert_rule(&mut host, rules::OID_BYTES_WRITTEN);
}

#[test]
fn oid_bytes_read_is_reported() {
    on_oid(OID_GEN_CURRENT_LOOKAHEAD, |ctx| {
        set_counts(ctx.request, 0, 8, 0);
        Some(NDIS_STATUS_SUCCESS)
    });
    let (mut host, a) = host_with_adapter();
    host.oid_set(a, OID_GEN_CURRENT_LOOKAHEAD, &256u32.to_le_bytes());
    assert_rule(&mut host, rules::OID_BYTES_READ);
}

#[test]
fn oid_bytes_needed_is_reported() {
    on_oid(OID_GEN_VENDOR_ID, |ctx| {
        set_counts(ctx.request, 0, 0, 0);
        Some(NDIS_STATUS_BUFFER_TOO_SHORT)
    });
    let (mut host, a) = host_with_adapter();
    host.oid_query(a, OID_GEN_VENDOR_ID, 2);
    assert_rule(&mut host, rules::OID_BYTES_NEEDED);
}

#[test]
fn oid_free_queue_before_dma_stopped_is_reported() {
    knobs(|k| k.skip_dma_stopped = true);
    let (mut host, a) = host_with_adapter();
    let q = host.allocate_queue(a, QueueSpec::default()).unwrap();
    host.free_queue(a, q);
    assert_rule(&mut host, rules::OID_FREE_QUEUE_BEFORE_DMA_STOPPED);
}

#[test]
fn oid_never_completed_is_reported() {
    on_oid(OID_GEN_VENDOR_ID, |_| Some(NDIS_STATUS_PENDING));
    let (mut host, a) = host_with_adapter();
    assert!(host.oid_query(a, OID_GEN_VENDOR_ID, 4).is_pending());
    host.halt(a, NdisHaltDeviceDisabled).unwrap();
    assert_rule(&mut host, rules::OID_NEVER_COMPLETED);
}

#[test]
fn status_bad_header_is_reported() {
    let (mut host, a) = host_with_adapter();
    let mut ind = status_indication(a.0 as NDIS_HANDLE, NDIS_STATUS_MEDIA_CONNECT);
    ind.Header.Size = 100;
    // SAFETY: a valid local.
    unsafe { NdisMIndicateStatusEx(a.0 as NDIS_HANDLE, &raw mut ind) };
    assert_rule(&mut host, rules::STATUS_BAD_HEADER);
}

#[test]
fn status_source_handle_is_reported() {
    let (mut host, a) = host_with_adapter();
    let mut ind = status_indication(null_mut(), NDIS_STATUS_MEDIA_CONNECT);
    // SAFETY: a valid local.
    unsafe { NdisMIndicateStatusEx(a.0 as NDIS_HANDLE, &raw mut ind) };
    assert_rule(&mut host, rules::STATUS_SOURCE_HANDLE);
}

#[test]
fn status_after_halt_is_reported() {
    let (mut host, a) = host_with_adapter();
    host.halt(a, NdisHaltDeviceDisabled).unwrap();
    let mut ind = status_indication(a.0 as NDIS_HANDLE, NDIS_STATUS_MEDIA_DISCONNECT);
    // SAFETY: a valid local; the halted adapter is the error under test.
    unsafe { NdisMIndicateStatusEx(a.0 as NDIS_HANDLE, &raw mut ind) };
    assert_rule(&mut host, rules::STATUS_AFTER_HALT);
}

#[test]
fn status_irql_is_reported() {
    hook(Point::Shutdown, |ctx| {
        let mut ind = status_indication(ctx.adapter, NDIS_STATUS_MEDIA_DISCONNECT);
        // SAFETY: a valid local.
        unsafe { NdisMIndicateStatusEx(ctx.adapter, &raw mut ind) };
        None
    });
    let (mut host, a) = host_with_adapter();
    host.shutdown(a, NdisShutdownBugCheck).unwrap();
    assert_rule(&mut host, rules::STATUS_IRQL);
}

#[test]
fn status_before_registration_is_reported() {
    hook(Point::InitializeStart, |ctx| {
        let mut ind = status_indication(ctx.adapter, NDIS_STATUS_MEDIA_CONNECT);
        // SAFETY: a valid local.
        unsafe { NdisMIndicateStatusEx(ctx.adapter, &raw mut ind) };
        None
    });
    let (mut host, _) = host_with_adapter();
    assert_rule(&mut host, rules::STATUS_BEFORE_REGISTRATION);
}

#[test]
fn status_queue_state_for_unknown_queue_is_reported() {
    let (mut host, a) = host_with_adapter();
    common::indicate_queue_state(a.0 as NDIS_HANDLE, 7, NdisReceiveQueueOperationalStateDmaStopped);
    assert_rule(&mut host, rules::STATUS_QUEUE_STATE);
}

#[test]
fn status_queue_state_with_wrong_buffer_size_is_reported() {
    let (mut host, a) = host_with_adapter();
    let mut ind = status_indication(a.0 as NDIS_HANDLE, NDIS_STATUS_RECEIVE_QUEUE_STATE);
    let mut payload = [0u32; 4];
    ind.StatusBuffer = payload.as_mut_ptr().cast();
    ind.StatusBufferSize = 12;
    // SAFETY: valid locals.
    unsafe { NdisMIndicateStatusEx(a.0 as NDIS_HANDLE, &raw mut ind) };
    assert_rule(&mut host, rules::STATUS_QUEUE_STATE);
}

/// "Mandatory OIDs for miniport drivers": the fake refuses OID_GEN_STATISTICS,
/// OID_GEN_INTERRUPT_MODERATION and OID_GEN_LINK_PARAMETERS and lists none of them.
#[test]
fn a_refused_mandatory_oid_is_reported() {
    let mut host = ndis_sim::Host::new(ndis_sim::HostConfig::default());
    host.load_driver(common::fake_driver_entry).unwrap();
    host.add_adapter(ndis_sim::AdapterConfig::default()).unwrap();
    let v = assert_rule(&mut host, rules::OID_MANDATORY);
    let details: Vec<&str> = v.iter().filter(|v| v.rule == rules::OID_MANDATORY).map(|v| v.detail.as_str()).collect();
    assert!(details.iter().any(|d| d.contains("SupportedOidList")), "{details:#?}");
    assert!(details.iter().any(|d| d.contains("OID_GEN_STATISTICS query")), "{details:#?}");
    assert!(details.iter().any(|d| d.contains("OID_GEN_LINK_PARAMETERS set")), "{details:#?}");
}

/// "Canceling OID requests": a pended request must be completed (REQUEST_ABORTED) when
/// MiniportCancelOidRequest names it; this fake ignores the cancel.
#[test]
fn an_ignored_cancel_is_reported() {
    on_oid(OID_GEN_VENDOR_ID, |ctx| {
        ctx.state().pending = ctx.request;
        Some(NDIS_STATUS_PENDING)
    });
    hook(Point::CancelOid, |_| Some(0));
    let (mut host, a) = host_with_adapter();
    let r = host.oid_query(a, OID_GEN_VENDOR_ID, 4);
    assert!(r.is_pending());
    assert!(host.cancel_oid(a, r.request_id).is_none());
    assert_rule(&mut host, rules::OID_CANCEL_IGNORED);
}
