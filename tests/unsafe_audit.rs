//! Issue 5 item 6: the unsafe audit of the whole repository, as a test.
//!
//! Scans every `.rs` file (skipping `target/`, `fuzz/target/`, `.git/`) with comments and
//! string literals blanked out, and checks:
//! 1. every unsafe block and unsafe impl has a `// SAFETY:` comment within the 3 lines above
//!    (or a comment block ending there that contains it);
//! 2. every unsafe fn definition has a `# Safety` section in its doc comment;
//! 3. the keyword appears only under [`ALLOWED`] (bindings, trampolines, kernel support,
//!    ndis-sim's FFI layer, the emulator, the fuzz target, fake miniports);
//! 4. driver code (`src/`) has no unwrap / expect / panic outside `#[cfg(test)]` modules.
//!
//! [`KNOWN`] can list accepted exceptions (`path:item`); it is empty: the 29 handlers the first
//! run found without a `# Safety` section have one now. Anything else fails. `unsafe_audit_catches_a_new_violation` proves the checks
//! fire on a planted violation.
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
    "src/ffi/",
    "src/kernel/",
    "crates/sys-emu/",
    "fuzz/",
];

/// Accepted exceptions (`path:fn`). None.
const KNOWN: &[&str] = &[];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let rel = path.strip_prefix(root()).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        if path.is_dir() {
            if !matches!(rel.as_str(), "target" | "fuzz/target" | ".git") && !rel.ends_with("/target") {
                rust_files(&path, out);
            }
        } else if rel.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// The source with comments, string and char literals replaced by spaces (newlines kept).
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let blank = |c: u8| if c == b'\n' { b'\n' } else { b' ' };
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied().unwrap_or(0);
        if c == b'/' && next == b'/' {
            while i < b.len() && b[i] != b'\n' {
                out.push(b' ');
                i += 1;
            }
        } else if c == b'/' && next == b'*' {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    out.extend([b' ', b' ']);
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    out.extend([b' ', b' ']);
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if c == b'r' && (next == b'"' || next == b'#') && !prev_is_ident(b, i) {
            // Raw string r"..." / r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&b'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let close: Vec<u8> = std::iter::once(b'"').chain(std::iter::repeat_n(b'#', hashes)).collect();
            let end = find(b, j + 1, &close).map_or(b.len(), |e| e + close.len());
            out.extend(b[i..end].iter().map(|&x| blank(x)));
            i = end;
        } else if c == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(b.len());
            out.extend(b[i..end].iter().map(|&x| blank(x)));
            i = end;
        } else if c == b'\'' && is_char_literal(b, i) {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'\'' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(b.len());
            out.extend(b[i..end].iter().map(|&x| blank(x)));
            i = end;
        } else {
            out.push(c);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn prev_is_ident(b: &[u8], i: usize) -> bool {
    i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')
}

/// `'x'`, `'\n'`, `'\u{..}'` (not a lifetime `'a`).
fn is_char_literal(b: &[u8], i: usize) -> bool {
    match (b.get(i + 1), b.get(i + 2)) {
        (Some(b'\\'), _) => true,
        (Some(_), Some(b'\'')) => true,
        // A multi-byte UTF-8 char.
        (Some(c), _) if *c >= 0x80 => b[i + 1..].iter().take(6).any(|x| *x == b'\''),
        _ => false,
    }
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

/// Positions (byte offsets) of the keyword as a whole word.
fn keyword_at(line: &str) -> Vec<usize> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = line[from..].find(KW) {
        let at = from + p;
        let end = at + KW.len();
        let word = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_');
        if (at == 0 || !word(at - 1)) && !word(end) {
            out.push(at);
        }
        from = end;
    }
    out
}

/// Lines (0-based) inside `#[cfg(test)]` modules.
fn test_module_lines(code: &[&str]) -> Vec<bool> {
    let mut inside = vec![false; code.len()];
    let mut i = 0;
    while i < code.len() {
        if code[i].trim() == "#[cfg(test)]" {
            // The next item: a `mod x {` (possibly after other attributes).
            let mut j = i + 1;
            while j < code.len() && code[j].trim().starts_with("#[") {
                j += 1;
            }
            if j < code.len() && code[j].contains("mod ") && code[j].contains('{') {
                let mut depth = 0i32;
                let mut k = j;
                while k < code.len() {
                    depth += code[k].matches('{').count() as i32 - code[k].matches('}').count() as i32;
                    inside[k] = true;
                    if depth <= 0 && k > j {
                        break;
                    }
                    k += 1;
                }
                for flag in inside.iter_mut().take(k + 1).skip(i) {
                    *flag = true;
                }
                i = k + 1;
                continue;
            }
        }
        i += 1;
    }
    inside
}

/// All findings for one file (`rel` is its path from the repository root).
fn audit(rel: &str, src: &str) -> Vec<String> {
    let code_text = code_only(src);
    let code: Vec<&str> = code_text.lines().collect();
    let raw: Vec<&str> = src.lines().collect();
    let mut findings = Vec::new();
    let allowed = ALLOWED.iter().any(|p| rel.starts_with(p));
    for (n, line) in code.iter().enumerate() {
        for at in keyword_at(line) {
            if !allowed {
                findings.push(format!("{rel}:{}: `{KW}` outside the modules allowed for it", n + 1));
            }
            let rest = line[at + KW.len()..].trim_start();
            let is_block = rest.starts_with('{');
            let is_impl = rest.starts_with("impl");
            if is_block || is_impl {
                let from = n.saturating_sub(3);
                // Above, or as the first line inside the block.
                let near = raw[from..n].iter().any(|l| l.contains("SAFETY:"))
                    || (is_block && raw.get(n + 1).is_some_and(|l| l.trim_start().starts_with("// SAFETY:")));
                // A longer comment block that ends right above also counts.
                let block = raw[..n]
                    .iter()
                    .rev()
                    .take_while(|l| l.trim_start().starts_with("//") || l.trim().is_empty())
                    .any(|l| l.contains("SAFETY:"));
                if !near && !block {
                    let what = if is_block { "block" } else { "impl" };
                    findings.push(format!("{rel}:{}: {KW} {what} without a `// SAFETY:` comment", n + 1));
                }
            }
            if let Some(name) = fn_definition(rest) {
                let docs = raw[..n]
                    .iter()
                    .rev()
                    .take_while(|l| {
                        let t = l.trim_start();
                        t.starts_with("///") || t.starts_with("#[") || t.starts_with("//") || t.starts_with(')')
                    })
                    .any(|l| l.contains("# Safety"));
                if !docs {
                    findings.push(format!("{rel}:{name}: {KW} fn without a `# Safety` doc section"));
                }
            }
        }
    }
    if rel.starts_with("src/") {
        let tests = test_module_lines(&code);
        for (n, line) in code.iter().enumerate() {
            if tests[n] {
                continue;
            }
            for bad in [".unwrap()", ".expect(", "panic!("] {
                if line.contains(bad) {
                    findings.push(format!("{rel}:{}: `{bad}` in driver code", n + 1));
                }
            }
        }
    }
    findings
}

/// `fn name` after the keyword (optionally `extern "abi"`), i.e. a definition, not a pointer type.
fn fn_definition(rest: &str) -> Option<String> {
    let mut r = rest;
    if let Some(x) = r.strip_prefix("extern") {
        // The ABI string was blanked out: skip spaces.
        r = x.trim_start();
    }
    let r = r.strip_prefix("fn")?;
    if !r.starts_with(char::is_whitespace) {
        return None;
    }
    let name: String = r.trim_start().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    if name.is_empty() { None } else { Some(name) }
}

fn audit_repository() -> Vec<String> {
    let mut files = Vec::new();
    rust_files(&root(), &mut files);
    assert!(files.len() > 50, "found only {} .rs files under {}", files.len(), root().display());
    let mut findings = Vec::new();
    for path in files {
        let rel = path.strip_prefix(root()).unwrap().to_string_lossy().replace('\\', "/");
        let src = std::fs::read_to_string(&path).unwrap();
        findings.extend(audit(&rel, &src));
    }
    findings
}

/// A finding listed in [`KNOWN`] (matched on `path:fn`, so line moves do not matter).
fn is_known(finding: &str) -> bool {
    KNOWN.iter().any(|k| finding.strip_prefix(k).is_some_and(|rest| rest.starts_with(": ")))
}

#[test]
fn unsafe_is_documented_and_confined_and_driver_code_does_not_panic() {
    let findings = audit_repository();
    let new: Vec<&String> = findings.iter().filter(|f| !is_known(f)).collect();
    // A KNOWN entry that no longer fires must be removed (keeps the list honest).
    let stale: Vec<&&str> =
        KNOWN.iter().filter(|k| !findings.iter().any(|f| f.starts_with(&format!("{k}: ")))).collect();
    assert!(stale.is_empty(), "fixed, remove from KNOWN: {stale:?}");
    assert!(
        new.is_empty(),
        "{} finding(s):\n{}",
        new.len(),
        new.iter().map(|f| f.as_str()).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn unsafe_audit_catches_a_new_violation() {
    let block = format!("fn f() {{\n    let x = {KW} {{ g() }};\n}}\n");
    assert_eq!(audit("src/ffi/x.rs", &block).len(), 1, "undocumented block");
    let documented = format!("fn f() {{\n    // SAFETY: g has no preconditions.\n    let x = {KW} {{ g() }};\n}}\n");
    assert!(audit("src/ffi/x.rs", &documented).is_empty());
    assert_eq!(audit("src/vmq/x.rs", &documented).len(), 1, "outside the allowed modules");
    let imp = format!("{KW} impl Send for X {{}}\n");
    assert_eq!(audit("src/kernel/x.rs", &imp).len(), 1, "undocumented impl");
    let func = format!("/// Does it.\npub {KW} extern \"system\" fn h() {{}}\n");
    assert_eq!(audit("src/ffi/x.rs", &func).len(), 1, "no # Safety section");
    let func_ok = format!("/// Does it.\n///\n/// # Safety\n/// None.\npub {KW} fn h() {{}}\n");
    assert!(audit("src/ffi/x.rs", &func_ok).is_empty());
    let pointer_type = format!("pub type F = {KW} extern \"system\" fn(u32);\n");
    assert!(audit("crates/ndis-sim/src/host.rs", &pointer_type).is_empty(), "a fn pointer type is not a definition");
    let in_comment = format!("// {KW} {{ here }}\nconst S: &str = \"{KW} {{\";\n");
    assert!(audit("src/vmq/x.rs", &in_comment).is_empty(), "comments and strings are not code");
    let unwrap = "fn f() { g().unwrap(); }\n#[cfg(test)]\nmod tests {\n    fn t() { g().unwrap(); }\n}\n";
    assert_eq!(audit("src/vmq/x.rs", unwrap).len(), 1, "unwrap outside tests only");
    assert_eq!(audit("tests/x.rs", unwrap).len(), 0, "tests may unwrap");
}
