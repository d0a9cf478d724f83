//! Unit tests: `imports.txt` is the import table's list, and a few layout spot checks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::string::String;

use crate::IMPORTS;

const IMPORTS_TXT: &str = include_str!("../imports.txt");

/// `imports.txt` as the table says it must be.
fn expected_imports_txt() -> String {
    let mut text = String::from(
        "# The import allowlist of vmqnic.sys, one `dll!Symbol` a line: generated from the table in\n\
         # crates/ndis-sys/src/import_table.rs (`cargo test -p ndis-sys` fails when they differ).\n\
         # Regenerate with `VMQNIC_BLESS=1 cargo test -p ndis-sys`.\n",
    );
    for import in IMPORTS {
        text.push_str(&std::format!("{}!{}\n", import.dll, import.name));
    }
    text
}

#[test]
fn imports_txt_is_the_import_table() {
    let expected = expected_imports_txt();
    if std::env::var_os("VMQNIC_BLESS").is_some() {
        std::fs::write(std::concat!(std::env!("CARGO_MANIFEST_DIR"), "/imports.txt"), &expected).unwrap();
        return;
    }
    assert_eq!(
        IMPORTS_TXT, expected,
        "crates/ndis-sys/imports.txt differs from the import table; run `VMQNIC_BLESS=1 cargo test -p ndis-sys`"
    );
}

#[test]
fn import_table_has_unique_names_from_the_allowed_dlls() {
    let mut names = BTreeSet::new();
    for import in IMPORTS {
        assert!(names.insert(import.name), "{} listed twice", import.name);
        assert!(["ndis.sys", "ntoskrnl.exe"].contains(&import.dll), "{}: DLL {}", import.name, import.dll);
    }
    assert!(IMPORTS.contains(&crate::Import { dll: "ndis.sys", name: "NdisAllocateSharedMemory" }));
    assert!(IMPORTS.contains(&crate::Import { dll: "ntoskrnl.exe", name: "__chkstk" }));
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
