//! "Handling SR-IOV, VMQ, and RSS Standardized INF Keywords"
//! (<https://learn.microsoft.com/windows-hardware/drivers/network/handling-sr-iov--vmq--and-rss-standardized-inf-keywords>):
//! the miniport reads `*RssOrVmqPreference`; at 1 it reads `*VMQ`, at 0 or absent (RSS
//! preference) it "must not read any of the VMQ or SR-IOV standardized keywords". ndis-sim
//! reports `config.rss-or-vmq-preference` otherwise.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use ndis_sim::{AdapterConfig, HostConfig};

#[test]
fn vmq_preference_reads_the_vmq_keywords_and_enables_vm_queues() {
    let (mut host, adapter) = common::host_and_adapter(&[]);
    let read = host.keywords_read(adapter);
    assert_eq!(read.first().map(String::as_str), Some("*rssorvmqpreference"), "{read:?}");
    assert!(read.iter().any(|k| k == "*vmq"), "{read:?}");
    let (_, current) = host.receive_filter_capabilities(adapter).unwrap();
    assert!(current.num_queues > 0);
    common::assert_clean(&mut host);
}

#[test]
fn rss_preference_reads_no_vmq_keyword_and_enables_nothing() {
    for config in [
        AdapterConfig::default().without_keyword("*RssOrVmqPreference"),
        AdapterConfig::default().keyword("*RssOrVmqPreference", 0),
    ] {
        let mut host = common::host_with(HostConfig::default());
        let adapter = host.add_adapter(config.keyword("*VMQ", 1)).unwrap();
        let read = host.keywords_read(adapter);
        assert!(!read.iter().any(|k| k.starts_with("*vmq")), "{read:?}");
        let (hardware, current) = host.receive_filter_capabilities(adapter).unwrap();
        assert!(hardware.num_queues > 0, "hardware capabilities stay complete");
        assert_eq!((current.num_queues, current.enabled_queue_types), (0, 0));
        common::assert_clean(&mut host);
    }
}
