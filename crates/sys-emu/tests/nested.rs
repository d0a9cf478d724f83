//! A handler that calls back into the driver: a hand-built image whose DriverEntry calls
//! NdisMRegisterMiniportDriver, inside which NDIS calls its MiniportSetOptions, which calls
//! another import — the nested run returns and DriverEntry resumes with its registers intact.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::mem::offset_of;

use ndis_sim::HostConfig;
use ndis_sys::NDIS_MINIPORT_DRIVER_CHARACTERISTICS as Chars;
use sys_emu::image::{Image, ImportSlot};
use sys_emu::{EmuHost, EmuOptions};

const BASE: u64 = 0x1_4000_0000;
const ENTRY: u32 = 0x1000;
const SET_OPTIONS: u32 = 0x1100;
const DEFAULT_HANDLER: u32 = 0x1180;
const IAT: u32 = 0x1800;
const CHARS: u32 = 0x2000;
const HANDLE_OUT: u32 = 0x2400;

fn rel(target: u32, next: u32) -> [u8; 4] {
    (target as i32 - next as i32).to_le_bytes()
}

fn put(bytes: &mut [u8], at: u32, data: &[u8]) {
    bytes[at as usize..at as usize + data.len()].copy_from_slice(data);
}

fn driver() -> Image {
    let mut b = vec![0u8; 0x3000];
    let mut entry = vec![0x48, 0x83, 0xEC, 0x38, 0xBB, 0x34, 0x12, 0, 0]; // sub rsp,0x38 ; mov ebx,0x1234
    entry.extend([0x4C, 0x8D, 0x0D]); // lea r9, [rip + chars]
    entry.extend(rel(CHARS, ENTRY + 16));
    entry.extend([0x48, 0x8D, 0x05]); // lea rax, [rip + handle_out]
    entry.extend(rel(HANDLE_OUT, ENTRY + 23));
    entry.extend([0x48, 0x89, 0x44, 0x24, 0x20, 0x45, 0x31, 0xC0]); // mov [rsp+0x20],rax ; xor r8d,r8d
    entry.extend([0xFF, 0x15]); // call [NdisMRegisterMiniportDriver]
    entry.extend(rel(IAT, ENTRY + 37));
    entry.extend([0x81, 0xFB, 0x34, 0x12, 0, 0, 0x74, 0x05]); // cmp ebx,0x1234 ; je +5
    entry.extend([0xB8, 0x01, 0, 0, 0xC0, 0x48, 0x83, 0xC4, 0x38, 0xC3]); // mov eax,STATUS_UNSUCCESSFUL ; add rsp,0x38 ; ret
    put(&mut b, ENTRY, &entry);
    let mut options = vec![0x48, 0x83, 0xEC, 0x28, 0xFF, 0x15]; // sub rsp,0x28 ; call [NdisGetSharedDataAlignment]
    options.extend(rel(IAT + 8, SET_OPTIONS + 10));
    options.extend([0x48, 0x83, 0xC4, 0x28, 0x31, 0xC0, 0xC3]); // add rsp,0x28 ; xor eax,eax ; ret
    put(&mut b, SET_OPTIONS, &options);
    put(&mut b, DEFAULT_HANDLER, &[0x31, 0xC0, 0xC3]);

    // NDIS_MINIPORT_DRIVER_CHARACTERISTICS, revision 2, NDIS 6.30, every handler set.
    put(&mut b, CHARS, &[0x8A, 2, 152, 0]);
    put(&mut b, CHARS + offset_of!(Chars, MajorNdisVersion) as u32, &[6]);
    put(&mut b, CHARS + offset_of!(Chars, MinorNdisVersion) as u32, &[30]);
    let mut relocations = Vec::new();
    let mut slots = vec![(offset_of!(Chars, SetOptionsHandler), SET_OPTIONS)];
    let first = offset_of!(Chars, InitializeHandlerEx);
    slots.extend((0..9).map(|i| (first + 8 * i, DEFAULT_HANDLER)));
    for field in [
        offset_of!(Chars, DevicePnPEventNotifyHandler),
        offset_of!(Chars, ShutdownHandlerEx),
        offset_of!(Chars, CancelOidRequestHandler),
    ] {
        slots.push((field, DEFAULT_HANDLER));
    }
    for (field, handler) in slots {
        let at = CHARS + field as u32;
        put(&mut b, at, &(BASE + u64::from(handler)).to_le_bytes());
        relocations.push(at);
    }
    let import =
        |i: u32, name: &str| ImportSlot { symbol: format!("ndis.sys!{name}"), name: name.into(), iat_rva: IAT + 8 * i };
    Image {
        preferred_base: BASE,
        size: 0x3000,
        entry_rva: ENTRY,
        bytes: b,
        code: vec![(ENTRY, 0x200)],
        relocations,
        imports: vec![import(0, "NdisMRegisterMiniportDriver"), import(1, "NdisGetSharedDataAlignment")],
        cr8_sites: vec![],
    }
}

#[test]
fn set_options_runs_nested_inside_the_registration() {
    let mut host = EmuHost::from_image(&driver(), HostConfig::default(), EmuOptions::default()).unwrap();
    host.load_driver().unwrap();
    assert!(host.errors().is_empty(), "{:?}", host.errors());
    let stats = host.stats();
    assert_eq!(stats.by_call.get("DriverEntry").map(|c| c.calls), Some(1));
    assert_eq!(stats.by_call.get("MiniportSetOptions").map(|c| c.calls), Some(1));
    let imports = host.import_calls();
    assert_eq!(imports.get("ndis.sys!NdisMRegisterMiniportDriver"), Some(&1));
    assert_eq!(imports.get("ndis.sys!NdisGetSharedDataAlignment"), Some(&1));
    assert!(host.characteristics().is_some());
    let v = host.take_violations();
    assert!(v.is_empty(), "{v:#?}");
}
