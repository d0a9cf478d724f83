//! Reads the x64 layout numbers ndis-sys asserts at compile time (`assert_layout!(TYPE, size = N, Field = off, ...)`), so the PDB check uses the very same numbers.

use std::fs;
use std::path::Path;

use crate::{Error, Result};

/// The size and field offsets one `assert_layout!` states for a type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedLayout {
    /// The type's name (the WDK name, e.g. `NDIS_OID_REQUEST`).
    pub name: String,
    /// Asserted `size_of`.
    pub size: u64,
    /// Asserted `(field, offset)` pairs.
    pub fields: Vec<(String, u64)>,
    /// Where the assertion is, `file:line`.
    pub origin: String,
}

/// Parses every `assert_layout!` invocation in `source` (the text of one `.rs` file).
///
/// `file` is only used in `origin` and error messages. An invocation whose type is not a
/// plain identifier or whose numbers are not integer literals is an error naming it, so a
/// new assertion style cannot drop out of the check silently.
pub fn parse_source(source: &str, file: &str) -> Result<Vec<ExpectedLayout>> {
    const MACRO: &str = "assert_layout!(";
    let mut layouts = Vec::new();
    let mut rest = source;
    let mut consumed = 0;
    while let Some(found) = rest.find(MACRO) {
        let start = consumed + found;
        let line = source[..start].matches('\n').count() + 1;
        let origin = format!("{file}:{line}");
        let body_start = start + MACRO.len();
        // Mentions in comments and docs are not assertions.
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        if source[line_start..start].contains("//") {
            consumed = body_start;
            rest = &source[consumed..];
            continue;
        }
        let body_len = matching_paren(&source[body_start..])
            .ok_or_else(|| Error(format!("{origin}: unterminated assert_layout!")))?;
        let body = &source[body_start..body_start + body_len];
        consumed = body_start + body_len;
        rest = &source[consumed..];
        // Skip the macro's own definition (`$ty:ty`, ...).
        if body.contains('$') {
            continue;
        }
        layouts.push(parse_body(body, origin)?);
    }
    Ok(layouts)
}

/// Length of the text up to the `)` closing an already-open parenthesis.
fn matching_paren(text: &str) -> Option<usize> {
    let mut depth = 1usize;
    for (index, ch) in text.char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(index);
                }
            }
            _ => {}
        }
    }
    None
}

/// Parses `TYPE, size = N, Field = N, ...`.
fn parse_body(body: &str, origin: String) -> Result<ExpectedLayout> {
    let mut parts = body.split(',').map(str::trim).filter(|part| !part.is_empty());
    let name = parts.next().unwrap_or_default().to_owned();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(Error(format!("{origin}: assert_layout! type `{name}` is not a plain identifier")));
    }
    let mut size = None;
    let mut fields = Vec::new();
    for part in parts {
        let (key, value) =
            part.split_once('=').ok_or_else(|| Error(format!("{origin}: expected `name = value`, got `{part}`")))?;
        let value =
            parse_int(value.trim()).ok_or_else(|| Error(format!("{origin}: `{part}` is not an integer literal")))?;
        match key.trim() {
            "size" => size = Some(value),
            field => fields.push((field.to_owned(), value)),
        }
    }
    let size = size.ok_or_else(|| Error(format!("{origin}: assert_layout!({name}) has no size")))?;
    Ok(ExpectedLayout { name, size, fields, origin })
}

/// Parses a decimal or `0x` hexadecimal integer literal with optional `_` separators.
fn parse_int(text: &str) -> Option<u64> {
    let digits: String = text.chars().filter(|&c| c != '_').collect();
    match digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => digits.parse().ok(),
    }
}

/// Reads every `.rs` file under `dir` (recursively, in sorted order) and collects the layouts.
pub fn read_dir(dir: &Path) -> Result<Vec<ExpectedLayout>> {
    let mut files = Vec::new();
    collect_rs_files(dir, &mut files)?;
    files.sort();
    let mut layouts = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file)?;
        let shown = file.strip_prefix(dir).unwrap_or(&file).display().to_string();
        layouts.extend(parse_source(&text, &shown)?);
    }
    Ok(layouts)
}

fn collect_rs_files(dir: &Path, files: &mut Vec<std::path::PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_rs_files(&path, files)?;
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = r#"
macro_rules! assert_layout {
    ($ty:ty, size = $size:expr $(, $field:ident = $off:expr)* $(,)?) => {};
}
assert_layout!(NDIS_OBJECT_HEADER, size = 4, Type = 0, Revision = 1, Size = 2);
/// Docs may mention `assert_layout!(TYPE, size = N)` without asserting anything.
assert_layout!(
    NDIS_OID_REQUEST,
    size = 0xF0,
    Header = 0,
    DATA = 1_6,
);
"#;

    #[test]
    fn parses_invocations_and_skips_the_definition() -> Result<()> {
        let layouts = parse_source(SOURCE, "x.rs")?;
        assert_eq!(layouts.len(), 2);
        assert_eq!(layouts[0].name, "NDIS_OBJECT_HEADER");
        assert_eq!(layouts[0].size, 4);
        assert_eq!(layouts[0].fields, [("Type".to_owned(), 0), ("Revision".to_owned(), 1), ("Size".to_owned(), 2)]);
        assert_eq!(layouts[0].origin, "x.rs:5");
        assert_eq!(layouts[1].name, "NDIS_OID_REQUEST");
        assert_eq!(layouts[1].size, 240);
        assert_eq!(layouts[1].fields[1], ("DATA".to_owned(), 16));
        Ok(())
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        assert!(parse_source("assert_layout!(Foo<u8>, size = 4);", "x.rs").is_err());
        assert!(parse_source("assert_layout!(Foo, size = 2 * 2);", "x.rs").is_err());
        assert!(parse_source("assert_layout!(Foo, Bar = 0);", "x.rs").is_err());
        assert!(parse_source("assert_layout!(Foo, size = 4", "x.rs").is_err());
    }
}
