//! The driver's layers point down: bindings ← `kernel` ← `backend` ← `vmq` ← `ffi`.
//!
//! Reads every file under `src/`, resolves each `crate::…` and `super::…` path it names
//! (comments and the trailing `#[cfg(test)]` module left out) to an absolute module path,
//! and fails when a file names a layer above its own, when the core names a concrete back
//! end, or when the core's modules import each other in a circle. The `planted_*` tests feed
//! the checker sources that break each rule, so the checks are shown to fire.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Layers, lowest first. A file may name its own layer and those before it.
const LAYERS: &[&str] = &["kernel", "backend", "vmq", "ffi"];

/// Modules of a layer that the layers above may not name either: the core is generic over
/// the back end; only `ffi` picks one.
const CONCRETE: &[(&str, &str)] = &[("vmq", "backend::soft")];

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file under `src/`: `vmq/oid/queue.rs` → `["vmq", "oid", "queue"]`.
fn module_of(relative: &str) -> Vec<String> {
    let trimmed = relative.trim_end_matches(".rs");
    let mut parts: Vec<String> = trimmed.split('/').map(str::to_string).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The code of a file without comments and without its trailing unit-test module.
fn code(src: &str) -> String {
    let body = src.find("#[cfg(test)]\nmod tests").map_or(src, |at| &src[..at]);
    body.lines().map(|line| line.find("//").map_or(line, |at| &line[..at])).collect::<Vec<_>>().join("\n")
}

fn ident(s: &str) -> &str {
    let end = s.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(s.len());
    &s[..end]
}

/// The first two segments (after `crate`) of each path a file names, e.g. `vmq::wire`.
fn named_paths(module: &[String], src: &str) -> BTreeSet<String> {
    let code = code(src);
    let mut out = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find(['c', 's']) {
        let here = &rest[at..];
        let boundary = at == 0 || !rest[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$');
        let (base, tail) = if boundary && here.starts_with("crate::") {
            (Vec::new(), &here["crate::".len()..])
        } else if boundary && here.starts_with("super::") {
            let mut base = module.to_vec();
            let mut tail = here;
            while let Some(t) = tail.strip_prefix("super::") {
                base.pop();
                tail = t;
            }
            (base, tail)
        } else {
            rest = &rest[at + 1..];
            continue;
        };
        // One segment, or a `{a::b, c}` group (first two segments of each member).
        let groups: Vec<String> = if let Some(group) = tail.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            group[..end].split(',').map(|m| m.trim().to_string()).collect()
        } else {
            let end = tail.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(tail.len());
            vec![tail[..end].to_string()]
        };
        for member in groups {
            let mut path = base.clone();
            path.extend(member.split("::").map(ident).filter(|s| !s.is_empty()).map(str::to_string));
            if !path.is_empty() {
                out.insert(path.iter().take(2).cloned().collect::<Vec<_>>().join("::"));
            }
        }
        rest = &rest[at + 1..];
    }
    out
}

/// Every rule a file breaks.
fn violations(relative: &str, src: &str) -> Vec<String> {
    let module = module_of(relative);
    let Some(own) = module.first().and_then(|m| LAYERS.iter().position(|l| l == m)) else {
        return Vec::new(); // lib.rs: the crate root may name every layer.
    };
    let mut found = Vec::new();
    for path in named_paths(&module, src) {
        let top = path.split("::").next().unwrap_or("");
        if let Some(layer) = LAYERS.iter().position(|l| *l == top)
            && layer > own
        {
            found.push(format!("{relative}: the {} layer names {path} (a higher layer)", LAYERS[own]));
        }
        for (layer, concrete) in CONCRETE {
            if LAYERS[own] == *layer && path == *concrete {
                found.push(format!("{relative}: the {layer} layer names the concrete {path}"));
            }
        }
    }
    found
}

/// `vmq::a → vmq::b` edges between the core's modules.
fn core_edges(files: &[(String, String)]) -> BTreeMap<String, BTreeSet<String>> {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (relative, src) in files {
        let module = module_of(relative);
        if module.first().map(String::as_str) != Some("vmq") || module.len() < 2 {
            continue;
        }
        for path in named_paths(&module, src) {
            if let Some(target) = path.strip_prefix("vmq::")
                && target != module[1]
            {
                edges.entry(module[1].clone()).or_default().insert(target.to_string());
            }
        }
    }
    edges
}

/// A circle among the core's modules, if any (as `a → b → … → a`).
fn circle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<String> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<String> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut path = stack[at..].to_vec();
            path.push(node.to_string());
            return Some(path.join(" → "));
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, edges, stack, done) {
                return Some(found);
            }
        }
        stack.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    edges.keys().find_map(|node| visit(node, edges, &mut Vec::new(), &mut done))
}

fn sources() -> Vec<(String, String)> {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    collect(&src, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let relative = p.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
            (relative, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

#[test]
fn no_layer_names_a_higher_one() {
    let files = sources();
    assert!(files.len() > 30, "the scan found the driver's files");
    let found: Vec<String> = files.iter().flat_map(|(relative, src)| violations(relative, src)).collect();
    assert!(found.is_empty(), "upward imports:\n{}", found.join("\n"));
}

#[test]
fn the_core_modules_form_no_circle() {
    let edges = core_edges(&sources());
    assert!(edges.get("rx_session").is_some_and(|e| e.contains("rx_memory")), "the scan sees the core's imports");
    assert_eq!(circle(&edges), None);
}

#[test]
fn planted_upward_imports_are_found() {
    let kernel = "use core::ptr;\nuse crate::vmq::wire::{u32_at, u64_at};\n";
    assert_eq!(violations("kernel/shared_memory.rs", kernel).len(), 1);
    let nested = "use super::super::vmq::demux::MAX_FILTERS;\n";
    assert_eq!(violations("kernel/nbl.rs", nested).len(), 1);
    let grouped = "use crate::{kernel::NdisHandle, ffi::DriverAdapter};\n";
    assert_eq!(violations("backend/soft.rs", grouped).len(), 1);
    let inline = "pub const N: u32 = crate::vmq::demux::MAX_FILTERS as u32;\n";
    assert_eq!(violations("backend/soft.rs", inline).len(), 1);
    let concrete = "use crate::backend::soft::SoftNic;\n";
    assert_eq!(violations("vmq/adapter.rs", concrete).len(), 1);
    // Allowed: downward names, comments, and the unit-test module.
    let fine =
        "use crate::kernel::pool::PoolBox;\n// see crate::ffi\n#[cfg(test)]\nmod tests {\n    use crate::ffi::X;\n}\n";
    assert!(violations("vmq/queues.rs", fine).is_empty());
    assert!(violations("ffi/miniport.rs", concrete).is_empty());
}

#[test]
fn a_planted_circle_is_found() {
    let files = vec![
        ("vmq/adapter.rs".to_string(), "use super::rx::RxQueue;\n".to_string()),
        ("vmq/rx.rs".to_string(), "use super::adapter::Adapter;\n".to_string()),
        ("vmq/demux.rs".to_string(), "use crate::kernel::pool::PoolBox;\n".to_string()),
    ];
    assert_eq!(circle(&core_edges(&files)).as_deref(), Some("adapter → rx → adapter"));
}
