//! The emulator's machine checks on hand-built images: inline CR8 accesses answered from the
//! model's IRQL, an unknown import, a misaligned import call, the instruction budget, and a
//! stack overflow of the real image on a tiny stack.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use ndis_sim::{DISPATCH_LEVEL, HostConfig, MiniportCall, PASSIVE_LEVEL};
use sys_emu::image::{Image, ImportSlot, scan_cr8};
use sys_emu::{EmuError, EmuHost, EmuOptions};

const CODE_RVA: u32 = 0x1000;
const IAT_RVA: u32 = 0x1800;

/// An image whose code at 0x1000 is `code`, with one import `name` whose IAT slot is at 0x1800.
fn image(code: &[u8], import: Option<&str>) -> Image {
    let mut bytes = vec![0u8; 0x2000];
    bytes[CODE_RVA as usize..CODE_RVA as usize + code.len()].copy_from_slice(code);
    Image {
        preferred_base: 0x1_4000_0000,
        size: 0x2000,
        entry_rva: CODE_RVA,
        cr8_sites: scan_cr8(&bytes, CODE_RVA, code.len() as u32),
        bytes,
        code: vec![(CODE_RVA, code.len() as u32)],
        relocations: vec![],
        imports: import
            .map(|n| ImportSlot { symbol: format!("ntoskrnl.exe!{n}"), name: n.into(), iat_rva: IAT_RVA })
            .into_iter()
            .collect(),
    }
}

fn host(image: &Image, options: EmuOptions) -> EmuHost {
    EmuHost::from_image(image, HostConfig::default(), options).unwrap()
}

/// Calls the image's code as a routine of two arguments at `irql`; returns rax.
fn call(host: &mut EmuHost, irql: u8, rcx: u64) -> u64 {
    let routine = host.entry_point();
    host.invoke(MiniportCall::DriverEntry { routine, driver_object: rcx, registry_path: 0 }, irql)
}

/// `call [rip + disp32]` of the IAT slot, for code at `at` (RVA of the instruction).
fn call_iat(at: u32) -> [u8; 6] {
    let disp = (IAT_RVA as i32 - (at as i32 + 6)).to_le_bytes();
    [0xFF, 0x15, disp[0], disp[1], disp[2], disp[3]]
}

#[test]
fn cr8_reads_return_the_model_irql() {
    // mov rax, cr8 ; ret
    let mut host = host(&image(&[0x44, 0x0F, 0x20, 0xC0, 0xC3], None), EmuOptions::default());
    assert_eq!(call(&mut host, DISPATCH_LEVEL, 0), u64::from(DISPATCH_LEVEL));
    assert_eq!(call(&mut host, PASSIVE_LEVEL, 0), u64::from(PASSIVE_LEVEL));
    assert!(host.take_violations().is_empty());
}

#[test]
fn cr8_writes_set_the_model_irql() {
    // mov cr8, rcx ; mov r9, cr8 ; mov rax, r9 ; ret — returns at the raised IRQL, which the
    // model reports as a handler changing the IRQL.
    let code = [0x44, 0x0F, 0x22, 0xC1, 0x45, 0x0F, 0x20, 0xC1, 0x4C, 0x89, 0xC8, 0xC3];
    let mut host = host(&image(&code, None), EmuOptions::default());
    assert_eq!(call(&mut host, PASSIVE_LEVEL, 2), 2);
    let v = host.take_violations();
    assert_eq!(v.len(), 1, "{v:#?}");
    assert_eq!(v[0].rule, ndis_sim::rules::IRQL_CHANGED_BY_HANDLER);
}

#[test]
fn an_unknown_import_stops_the_run_naming_it() {
    // sub rsp, 0x28 ; call [iat] ; add rsp, 0x28 ; ret
    let mut code = vec![0x48, 0x83, 0xEC, 0x28];
    code.extend(call_iat(CODE_RVA + 4));
    code.extend([0x48, 0x83, 0xC4, 0x28, 0xC3]);
    let mut host = host(&image(&code, Some("ZwBogusRoutine")), EmuOptions::default());
    assert_eq!(host.unimplemented_imports(), ["ntoskrnl.exe!ZwBogusRoutine".to_owned()]);
    call(&mut host, PASSIVE_LEVEL, 0);
    assert_eq!(host.errors(), vec![EmuError::UnknownImport("ntoskrnl.exe!ZwBogusRoutine".into())]);
    let v = host.take_violations();
    assert_eq!(v[0].rule, "emulator.unknown-import");
    // The machine is dead: later calls do not run guest code.
    assert_eq!(call(&mut host, PASSIVE_LEVEL, 0), 0xC000_0001);
    host.take_violations();
}

#[test]
fn an_import_called_with_a_misaligned_stack_is_caught() {
    // sub rsp, 0x20 ; call [iat] (rsp % 16 == 0 at the stub) ; add rsp, 0x20 ; ret
    let mut code = vec![0x48, 0x83, 0xEC, 0x20];
    code.extend(call_iat(CODE_RVA + 4));
    code.extend([0x48, 0x83, 0xC4, 0x20, 0xC3]);
    let mut host = host(&image(&code, Some("memset")), EmuOptions::default());
    call(&mut host, PASSIVE_LEVEL, 0);
    let errors = host.errors();
    assert!(matches!(&errors[..], [EmuError::StackAlignment { import, .. }] if import == "ntoskrnl.exe!memset"));
    host.take_violations();
}

#[test]
fn an_endless_loop_runs_out_of_budget() {
    // jmp $
    let mut host = host(&image(&[0xEB, 0xFE], None), EmuOptions { budget: 10_000, ..EmuOptions::default() });
    call(&mut host, PASSIVE_LEVEL, 0);
    let errors = host.errors();
    assert!(matches!(errors[..], [EmuError::Budget { call: "DriverEntry", .. }]), "{errors:?}");
    assert!(host.stats().instructions <= 10_002);
    host.take_violations();
}

#[test]
fn the_real_image_overflows_a_tiny_stack() {
    let Some(path) = common::image() else { return };
    let options = EmuOptions { stack_size: 512, ..EmuOptions::default() };
    let mut host = EmuHost::load_with(&path, HostConfig::default(), options).unwrap();
    let _ = host.load_driver();
    let _ = host.add_adapter(ndis_sim::AdapterConfig::default());
    let errors = host.errors();
    assert!(matches!(errors[..], [EmuError::StackOverflow { .. }]), "{errors:?}");
    host.take_violations();
}

#[test]
fn dbg_print_formats_its_arguments() {
    const FORMAT_RVA: u32 = 0x1900;
    let lea_at = CODE_RVA + 4;
    let disp = (FORMAT_RVA as i32 - (lea_at as i32 + 7)).to_le_bytes();
    let mut code = vec![0x48, 0x83, 0xEC, 0x28]; // sub rsp, 0x28
    code.extend([0x48, 0x8D, 0x0D, disp[0], disp[1], disp[2], disp[3]]); // lea rcx, [rip + format]
    code.extend([0xBA, 42, 0, 0, 0]); // mov edx, 42
    code.extend([0x41, 0xB8, 0xFF, 0, 0, 0]); // mov r8d, 0xff
    code.extend(call_iat(CODE_RVA + 4 + 7 + 5 + 6));
    code.extend([0x48, 0x83, 0xC4, 0x28, 0xC3]); // add rsp, 0x28 ; ret
    let mut image = image(&code, Some("DbgPrint"));
    let format = b"vmqnic: v=%d h=%x %%\n\0";
    image.bytes[FORMAT_RVA as usize..FORMAT_RVA as usize + format.len()].copy_from_slice(format);
    let mut host = host(&image, EmuOptions::default());
    call(&mut host, PASSIVE_LEVEL, 0);
    assert!(host.errors().is_empty(), "{:?}", host.errors());
    assert_eq!(host.debug_output(), vec!["vmqnic: v=42 h=ff %\n".to_owned()]);
    assert_eq!(host.import_calls().get("ntoskrnl.exe!DbgPrint"), Some(&1));
    assert!(host.take_violations().is_empty());
}
