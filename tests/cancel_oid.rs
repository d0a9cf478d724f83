//! MiniportCancelOidRequest of a pended FREE_QUEUE ("Canceling OID requests",
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_cancel_oid_request>):
//! "If the request processing is still not complete in a miniport driver, the driver calls the
//! NdisMOidRequestComplete function with its status set to NDIS_STATUS_REQUEST_ABORTED."
//! ndis-sim reports `oid.cancel-ignored` for a pended request a cancel left pending.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use ndis_sim::{FrameSpec, HostConfig};
use ndis_sys::{NDIS_STATUS_PENDING, NDIS_STATUS_REQUEST_ABORTED, NDIS_STATUS_SUCCESS};

fn mac(i: u8) -> [u8; 6] {
    [0x02, 0, 0, 0, 1, i]
}

#[test]
fn a_canceled_free_queue_is_aborted_and_the_queue_still_drains() {
    let mut host = common::host_with(HostConfig::default().hold_received(true));
    let adapter = common::add_adapter(&mut host, &[]);
    let q = common::allocated_queues(&mut host, adapter, 1)[0];
    let f = host.set_mac_filter(adapter, q, mac(1), None).unwrap();
    host.send_frames(adapter, &[FrameSpec::new(mac(1), 300); 8]).unwrap();
    assert_eq!(host.clear_filter(adapter, q, f).status, NDIS_STATUS_SUCCESS);
    let r = host.free_queue(adapter, q);
    assert_eq!(r.status, NDIS_STATUS_PENDING, "8 NBLs are still with the protocol");
    let aborted = host.cancel_oid(adapter, r.request_id).expect("completed by the cancel");
    assert_eq!(aborted.status, NDIS_STATUS_REQUEST_ABORTED);
    common::assert_clean(&mut host);
    // NDIS frees the queue again: it waits for the same drain.
    let again = host.free_queue(adapter, q);
    assert_eq!(again.status, NDIS_STATUS_PENDING);
    host.return_received(adapter);
    let completions = host.take_oid_completions(adapter);
    assert_eq!(completions.iter().map(|c| c.status).collect::<Vec<_>>(), [NDIS_STATUS_SUCCESS]);
    assert_eq!(common::outstanding_blocks(&mut host, adapter, q.0), 0);
    common::assert_clean(&mut host);
}

#[test]
fn a_cancel_for_a_request_not_pended_changes_nothing() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let q = common::allocated_queues(&mut host, adapter, 1)[0];
    assert!(host.cancel_oid(adapter, 12345).is_none());
    assert_eq!(host.free_queue(adapter, q).status, NDIS_STATUS_SUCCESS);
    common::assert_clean(&mut host);
}
