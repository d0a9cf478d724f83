//! Unit tests: `imports.txt` matches the declarations in `functions.rs`, and a few layout spot checks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::string::{String, ToString};
use std::vec::Vec;

const FUNCTIONS_RS: &str = include_str!("functions.rs");
const IMPORTS_TXT: &str = include_str!("../imports.txt");

/// `dll!Symbol` for every `pub fn` in an extern block, the DLL taken from the block's
/// preceding `link(name = "...")` attribute.
fn declared_imports() -> BTreeSet<String> {
    let mut dll: Option<String> = None;
    let mut out = BTreeSet::new();
    for line in FUNCTIONS_RS.lines().map(str::trim) {
        if let Some(start) = line.find("link(name = \"") {
            let rest = &line[start + "link(name = \"".len()..];
            dll = Some(rest[..rest.find('"').unwrap()].to_string());
        } else if let Some(rest) = line.strip_prefix("pub fn ") {
            let name = &rest[..rest.find('(').unwrap()];
            let dll = dll.as_deref().expect("pub fn outside a linked extern block");
            assert!(out.insert(std::format!("{dll}!{name}")), "{name} declared twice");
        }
    }
    out
}

fn listed_imports() -> Vec<String> {
    IMPORTS_TXT
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(ToString::to_string)
        .collect()
}

#[test]
fn imports_txt_matches_declarations() {
    let declared = declared_imports();
    let listed_vec = listed_imports();
    let listed: BTreeSet<String> = listed_vec.iter().cloned().collect();
    assert_eq!(listed.len(), listed_vec.len(), "duplicate line in imports.txt");
    let missing: Vec<_> = declared.difference(&listed).collect();
    let extra: Vec<_> = listed.difference(&declared).collect();
    assert!(missing.is_empty(), "declared but not in imports.txt: {missing:?}");
    assert!(extra.is_empty(), "in imports.txt but not declared: {extra:?}");
    assert!(declared.contains("ndis.sys!NdisAllocateSharedMemory"));
    assert!(declared.contains("ntoskrnl.exe!__chkstk"));
}

#[test]
fn status_codes_keep_their_bit_patterns() {
    use crate::*;
    assert_eq!(NDIS_STATUS_FAILURE as u32, 0xC000_0001);
    assert_eq!(NDIS_STATUS_RESOURCES as u32, 0xC000_009A);
    assert_eq!(NDIS_STATUS_PENDING, 0x103);
    assert_eq!(NDIS_STATUS_BUFFER_OVERFLOW as u32, 0x8000_0005);
    assert_eq!(NDIS_STATUS_INVALID_LENGTH as u32, 0xC001_0014);
}

#[test]
fn defaults_are_zero() {
    use crate::*;
    let c = NDIS_MINIPORT_DRIVER_CHARACTERISTICS::default();
    assert!(c.InitializeHandlerEx.is_none());
    let nbl = NET_BUFFER_LIST::default();
    assert!(nbl.Next.is_null());
    assert_eq!(nbl.NetBufferListInfo.len(), 24);
    let q = NDIS_RECEIVE_QUEUE_PARAMETERS::default();
    assert_eq!(q.QueueName.Length, 0);
    let mut info = NDIS_NET_BUFFER_LIST_FILTERING_INFO::default();
    info.FilteringInfo.QueueVPortInfo.QueueId = 3;
    // SAFETY: `Value` covers the whole 8-byte union and every bit pattern is a valid pointer value.
    let raw = unsafe { info.Value } as usize;
    assert_eq!(raw, 3 << 16);
}
