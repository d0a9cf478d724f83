//! What the workspace lints cannot say about `unsafe`, checked over the whole repository.
//!
//! The lints already deny an unsafe block or impl without `// SAFETY:`
//! (`clippy::undocumented_unsafe_blocks`), several unsafe operations in one block, and
//! `unsafe` in the driver core (`#![forbid(unsafe_code)]` on `vmq` and `backend`). They
//! cannot say:
//! 1. where else the keyword may appear: only under [`ALLOWED`] (bindings, trampolines,
//!    kernel support, ndis-sim's FFI layer, the emulator, the fuzz target, fake miniports);
//! 2. that a non-public unsafe fn has a `# Safety` section (`clippy::missing_safety_doc`
//!    looks at public ones only);
//! 3. that the fuzz target, which is outside the workspace and its lints, documents its
//!    unsafe blocks.
//!
//! `planted_violations_are_found` shows each check fires.
//! <https://doc.rust-lang.org/nomicon/safe-unsafe-meaning.html>
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};

/// The keyword, spelled so that this file does not trip its own scan.
const KW: &str = concat!("un", "safe");

/// Where the keyword may appear (path prefixes relative to the repository root).
const ALLOWED: &[&str] = &[
    "crates/ndis-sys/",
    "crates/ndis-sim/src/ffi/",
    // `DriverEntryFn` is an unsafe fn pointer type (the type of a DriverEntry).
    "crates/ndis-sim/src/host.rs",
    // The shared mapping of QEMU's guest-RAM file (volatile copies, one atomic swap).
    "crates/ndis-sim/src/qemu/ram_map.rs",
    // ndis-sim's own tests: fake miniports (extern "system" handlers) and raw reads of
    // what the sim hands them.
    "crates/ndis-sim/tests/common/fake.rs",
    "crates/ndis-sim/tests/common/mod.rs",
    "crates/ndis-sim/tests/common/ndis.rs",
    "crates/ndis-sim/tests/common/oid.rs",
    "crates/ndis-sim/tests/common/rx.rs",
    "crates/ndis-sim/tests/rules_driver.rs",
    "crates/ndis-sim/tests/rules_io_space.rs",
    "crates/ndis-sim/tests/rules_nbl.rs",
    "crates/ndis-sim/tests/rules_oid.rs",
    "crates/ndis-sim/tests/rules_receive.rs",
    "crates/ndis-sim/tests/rules_resources.rs",
    "crates/ndis-sim/tests/rules_shared_memory.rs",
    "crates/ndis-sim/tests/traffic.rs",
    "crates/ndis-sim/tests/well_behaved.rs",
    "crates/ndis-sim/tests/pci_miniport.rs",
    // A test miniport over the kernel owners: one read of the AllocatedResources pointer.
    "tests/igb_kernel.rs",
    "src/ffi/",
    "src/kernel/",
    "crates/sys-emu/",
    // unicorn's FFI: bindgen's `extern` blocks and callback types, and `uc_strerror`.
    "crates/unicorn-engine-sys/",
    "fuzz/",
];

/// Outside the workspace: its lints do not run there.
const UNLINTED: &[&str] = &["fuzz/"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let rel = path.strip_prefix(root()).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        if path.is_dir() {
            if !matches!(rel.as_str(), "target" | ".git") && !rel.ends_with("/target") {
                rust_files(&path, out);
            }
        } else if rel.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// A line without its `//` comment and with the contents of its string literals blanked.
fn code(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.replace("'\"'", "' '").chars().collect::<Vec<_>>().into_iter().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' if in_string => {
                chars.next();
                out.push_str("  ");
            }
            '"' => {
                in_string = !in_string;
                out.push('"');
            }
            '/' if !in_string && chars.peek() == Some(&'/') => break,
            _ if in_string => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// The keyword as a whole word in `line`, with what follows it.
fn keyword(line: &str) -> Option<&str> {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(p) = line[from..].find(KW) {
        let at = from + p;
        let end = at + KW.len();
        if !line[..at].ends_with(word) && !line[end..].starts_with(word) {
            return Some(line[end..].trim_start());
        }
        from = end;
    }
    None
}

/// `fn`, or `extern "abi" fn`, after the keyword: a definition (not a fn pointer type).
fn is_fn_definition(rest: &str) -> bool {
    let rest = rest.strip_prefix("extern").map_or(rest, |r| r.trim_start().trim_start_matches('"').trim_start());
    let rest = rest.trim_start_matches([' ', '"']);
    rest.strip_prefix("fn").is_some_and(|r| r.starts_with(' ') && !r.trim_start().starts_with('('))
}

/// Findings for one file (`rel` is its path from the repository root).
fn audit(rel: &str, src: &str) -> Vec<String> {
    let raw: Vec<&str> = src.lines().collect();
    let mut findings = Vec::new();
    for (n, line) in raw.iter().enumerate() {
        let code = code(line);
        let Some(rest) = keyword(&code) else { continue };
        if !ALLOWED.iter().any(|p| rel.starts_with(p)) {
            findings.push(format!("{rel}:{}: `{KW}` outside the modules allowed for it", n + 1));
        }
        let above = || raw[..n].iter().rev().take_while(|l| l.trim_start().starts_with(['/', '#', ')']));
        if is_fn_definition(rest) && !above().any(|l| l.contains("# Safety")) {
            findings.push(format!("{rel}:{}: {KW} fn without a `# Safety` doc section", n + 1));
        }
        let block_or_impl = rest.starts_with('{') || rest.starts_with("impl");
        if block_or_impl
            && UNLINTED.iter().any(|p| rel.starts_with(p))
            && !raw[n.saturating_sub(3)..n].iter().any(|l| l.contains("SAFETY:"))
        {
            findings.push(format!("{rel}:{}: {KW} block without `// SAFETY:` (outside the workspace lints)", n + 1));
        }
    }
    findings
}

#[test]
fn unsafe_is_confined_and_documented_where_the_lints_cannot_see() {
    let mut files = Vec::new();
    rust_files(&root(), &mut files);
    assert!(files.len() > 50, "found only {} .rs files under {}", files.len(), root().display());
    let findings: Vec<String> = files
        .iter()
        .flat_map(|path| {
            let rel = path.strip_prefix(root()).unwrap().to_string_lossy().replace('\\', "/");
            audit(&rel, &std::fs::read_to_string(path).unwrap())
        })
        .collect();
    assert!(findings.is_empty(), "{} finding(s):\n{}", findings.len(), findings.join("\n"));
}

#[test]
fn planted_violations_are_found() {
    let block = format!("fn f() {{\n    // SAFETY: g has no preconditions.\n    let x = {KW} {{ g() }};\n}}\n");
    assert!(audit("src/ffi/x.rs", &block).is_empty());
    assert_eq!(audit("src/vmq/x.rs", &block).len(), 1, "outside the allowed modules");
    assert_eq!(audit("vmqsim/src/x.rs", &block).len(), 1, "outside the allowed modules");
    let bare = format!("fn f() {{\n    let x = {KW} {{ g() }};\n}}\n");
    assert_eq!(audit("fuzz/fuzz_targets/x.rs", &bare).len(), 1, "undocumented block outside the lints");
    assert!(audit("src/ffi/x.rs", &bare).is_empty(), "the workspace lint's job");
    let private = format!("/// Does it.\npub(super) {KW} extern \"system\" fn h() {{}}\n");
    assert_eq!(audit("src/ffi/x.rs", &private).len(), 1, "no # Safety section");
    let documented = format!("/// Does it.\n///\n/// # Safety\n/// None.\n#[inline]\n{KW} fn h() {{}}\n");
    assert!(audit("src/ffi/x.rs", &documented).is_empty());
    let pointer_type = format!("pub type F = {KW} extern \"system\" fn(u32);\n");
    assert!(audit("crates/ndis-sim/src/host.rs", &pointer_type).is_empty(), "a fn pointer type is not a definition");
    let not_code = format!("// {KW} {{ here }}\nconst S: &str = \"{KW} {{\";\n");
    assert!(audit("src/vmq/x.rs", &not_code).is_empty(), "comments and strings are not code");
}
