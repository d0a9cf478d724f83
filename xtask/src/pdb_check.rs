//! Holds the struct layouts recorded in the driver's PDB against ndis-sys's `assert_layout!` numbers; see <https://learn.microsoft.com/windows-hardware/drivers/debugger/symbols-and-symbol-files>.
//!
//! rustc writes each `#[repr(C)]` struct the image uses as a CodeView `LF_STRUCTURE` /
//! `LF_UNION` record named by its Rust path (`ndis_sys::oid::NDIS_OID_REQUEST`), with its size
//! and an `LF_FIELDLIST` of member offsets. The check matches on the last path segment, which
//! is the WDK name because ndis-sys keeps it.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::path::Path;

use pdb2::{FallibleIterator, TypeData, TypeIndex};

use crate::inspect::CodeViewRecord;
use crate::layout::ExpectedLayout;
use crate::{Error, Result};

/// A struct or union as the PDB records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdbType {
    /// Full Rust path as written in the PDB.
    pub full_name: String,
    /// Size in bytes.
    pub size: u64,
    /// `(member, offset)` pairs of the top-level field list.
    pub fields: Vec<(String, u64)>,
}

/// The PDB's complete (non-forward) struct and union records, keyed by last path segment.
pub type PdbTypes = BTreeMap<String, Vec<PdbType>>;

/// Reads every complete struct/union record from the PDB at `path`.
pub fn read_pdb(path: &Path) -> Result<PdbTypes> {
    let file = File::open(path).map_err(|error| Error(format!("{}: {error}", path.display())))?;
    let mut pdb = pdb2::PDB::open(file)?;
    let info = pdb.type_information()?;
    let mut finder = info.finder();
    let mut records: Vec<(String, u64, Option<TypeIndex>)> = Vec::new();
    let mut iter = info.iter();
    while let Some(item) = iter.next()? {
        finder.update(&iter);
        // Records this reader does not know (or cannot decode) are not layouts we check.
        match item.parse() {
            Ok(TypeData::Class(class)) if !class.properties.forward_reference() => {
                records.push((class.name.to_string().into_owned(), class.size, class.fields));
            }
            Ok(TypeData::Union(union)) if !union.properties.forward_reference() => {
                records.push((union.name.to_string().into_owned(), union.size, Some(union.fields)));
            }
            _ => {}
        }
    }
    let mut types = PdbTypes::new();
    for (full_name, size, field_list) in records {
        if full_name.contains('<') {
            continue; // generic instances (Option<..>, tuples) are never WDK types
        }
        let mut fields = Vec::new();
        let mut next = field_list;
        while let Some(index) = next {
            next = None;
            if let Ok(TypeData::FieldList(list)) = finder.find(index)?.parse() {
                for field in list.fields {
                    if let TypeData::Member(member) = field {
                        fields.push((member.name.to_string().into_owned(), member.offset));
                    }
                }
                next = list.continuation;
            }
        }
        let short = full_name.rsplit("::").next().unwrap_or(&full_name).to_owned();
        let entry = types.entry(short).or_default();
        let record = PdbType { full_name, size, fields };
        if !entry.contains(&record) {
            entry.push(record);
        }
    }
    Ok(types)
}

/// Whether the PDB at `path` is the one the image's CodeView record names: same GUID and
/// age, and the image refers to it by this file name. Returns the differences.
pub fn matches_image(path: &Path, codeview: Option<&CodeViewRecord>) -> Result<Vec<String>> {
    let Some(codeview) = codeview else {
        return Ok(vec!["the image has no CodeView record naming its PDB".to_owned()]);
    };
    let file = File::open(path).map_err(|error| Error(format!("{}: {error}", path.display())))?;
    let mut pdb = pdb2::PDB::open(file)?;
    let info = pdb.pdb_information()?;
    let mut differences = Vec::new();
    if guid_file_order(info.guid.as_bytes()) != codeview.guid || info.age != codeview.age {
        differences.push(format!(
            "{} (GUID {}, age {}) is not the PDB the image names (age {})",
            path.display(),
            info.guid,
            info.age,
            codeview.age
        ));
    }
    let named = codeview.path.rsplit(['/', '\\']).next().unwrap_or_default();
    let actual = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    if !named.eq_ignore_ascii_case(&actual) {
        differences.push(format!("the image names its PDB `{}`, not `{actual}`", codeview.path));
    }
    Ok(differences)
}

/// A GUID in RFC 4122 byte order (as `uuid` stores it) to the order a `GUID` struct has in a
/// file: `Data1`, `Data2` and `Data3` little-endian, `Data4` as is.
fn guid_file_order(rfc: &[u8; 16]) -> [u8; 16] {
    let mut out = *rfc;
    out[..4].reverse();
    out[4..6].reverse();
    out[6..8].reverse();
    out
}

/// The outcome for one asserted type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Size and every asserted field offset match.
    Match,
    /// Not in the PDB (the image does not use it) and not required.
    NotInImage,
    /// Required but not in the PDB.
    MissingRequired,
    /// The PDB disagrees; each string names one difference.
    Mismatch(Vec<String>),
}

/// One row of the comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The WDK type name.
    pub name: String,
    /// Size ndis-sys asserts.
    pub expected_size: u64,
    /// Size(s) the PDB records (empty when absent).
    pub pdb_sizes: Vec<u64>,
    /// Number of field offsets compared.
    pub fields_checked: usize,
    /// The verdict.
    pub outcome: Outcome,
}

/// The whole comparison, printable as a table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LayoutReport {
    /// One row per asserted type plus rows for required types with no assertion.
    pub rows: Vec<Row>,
    /// Required types that ndis-sys does not assert at all.
    pub unasserted_required: Vec<String>,
}

impl LayoutReport {
    /// Human-readable failures; empty when the check passes.
    pub fn failures(&self) -> Vec<String> {
        let mut failures: Vec<String> = self
            .unasserted_required
            .iter()
            .map(|name| format!("{name}: required, but ndis-sys has no assert_layout! for it"))
            .collect();
        for row in &self.rows {
            match &row.outcome {
                Outcome::Match | Outcome::NotInImage => {}
                Outcome::MissingRequired => {
                    failures.push(format!("{}: required, but the PDB has no such type", row.name))
                }
                Outcome::Mismatch(diffs) => failures.extend(diffs.iter().map(|diff| format!("{}: {diff}", row.name))),
            }
        }
        failures
    }

    /// Number of types found in the PDB with matching layouts.
    pub fn matched(&self) -> usize {
        self.rows.iter().filter(|row| row.outcome == Outcome::Match).count()
    }
}

/// Compares ndis-sys's assertions with the PDB. Types in `required` must be present.
pub fn compare(expected: &[ExpectedLayout], pdb: &PdbTypes, required: &[&str]) -> LayoutReport {
    let mut report = LayoutReport::default();
    for layout in expected {
        let records = pdb.get(&layout.name).map(Vec::as_slice).unwrap_or_default();
        let is_required = required.contains(&layout.name.as_str());
        let outcome = if records.is_empty() {
            if is_required { Outcome::MissingRequired } else { Outcome::NotInImage }
        } else {
            let mut diffs = Vec::new();
            for record in records {
                if record.size != layout.size {
                    diffs.push(format!(
                        "{} is {} bytes in the PDB, ndis-sys asserts {} ({})",
                        record.full_name, record.size, layout.size, layout.origin
                    ));
                }
                for (field, offset) in &layout.fields {
                    match record.fields.iter().find(|(name, _)| name == field) {
                        Some((_, found)) if found == offset => {}
                        Some((_, found)) => diffs.push(format!(
                            "{field} at {found} in the PDB, ndis-sys asserts {offset} ({})",
                            layout.origin
                        )),
                        None => diffs.push(format!("{field} is not a member in the PDB ({})", layout.origin)),
                    }
                }
            }
            if diffs.is_empty() { Outcome::Match } else { Outcome::Mismatch(diffs) }
        };
        report.rows.push(Row {
            name: layout.name.clone(),
            expected_size: layout.size,
            pdb_sizes: records.iter().map(|record| record.size).collect(),
            fields_checked: layout.fields.len(),
            outcome,
        });
    }
    report.unasserted_required = required
        .iter()
        .filter(|name| !expected.iter().any(|layout| layout.name == **name))
        .map(|name| (*name).to_owned())
        .collect();
    report
}

impl fmt::Display for LayoutReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "  {:<52} {:>8} {:>8} {:>7}  result", "type", "asserted", "pdb", "fields")?;
        for row in &self.rows {
            let pdb = match row.pdb_sizes.as_slice() {
                [] => "-".to_owned(),
                sizes => sizes.iter().map(u64::to_string).collect::<Vec<_>>().join("/"),
            };
            let result = match &row.outcome {
                Outcome::Match => "ok",
                Outcome::NotInImage => "not used by the image",
                Outcome::MissingRequired => "MISSING (required)",
                Outcome::Mismatch(_) => "MISMATCH",
            };
            writeln!(f, "  {:<52} {:>8} {:>8} {:>7}  {result}", row.name, row.expected_size, pdb, row.fields_checked)?;
        }
        write!(
            f,
            "  {} of {} asserted types are in the PDB with matching size and offsets",
            self.matched(),
            self.rows.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected(name: &str, size: u64, fields: &[(&str, u64)]) -> ExpectedLayout {
        ExpectedLayout {
            name: name.to_owned(),
            size,
            fields: fields.iter().map(|(n, o)| ((*n).to_owned(), *o)).collect(),
            origin: "x.rs:1".to_owned(),
        }
    }

    fn pdb_with(name: &str, size: u64, fields: &[(&str, u64)]) -> PdbTypes {
        let record = PdbType {
            full_name: format!("ndis_sys::vmq::{name}"),
            size,
            fields: fields.iter().map(|(n, o)| ((*n).to_owned(), *o)).collect(),
        };
        PdbTypes::from([(name.to_owned(), vec![record])])
    }

    #[test]
    fn guid_byte_order_swaps_the_first_three_fields() {
        let rfc = [0x0C, 0x4B, 0xF2, 0x36, 0x26, 0xE2, 0xC6, 0x26, 8, 9, 10, 11, 12, 13, 14, 15];
        assert_eq!(
            guid_file_order(&rfc),
            [0x36, 0xF2, 0x4B, 0x0C, 0xE2, 0x26, 0x26, 0xC6, 8, 9, 10, 11, 12, 13, 14, 15]
        );
    }

    #[test]
    fn image_without_codeview_does_not_match() -> Result<()> {
        assert_eq!(matches_image(Path::new("/nonexistent.pdb"), None)?.len(), 1);
        Ok(())
    }

    #[test]
    fn matching_layout_passes() {
        let report = compare(
            &[expected("A", 16, &[("Header", 0), ("QueueId", 8)])],
            &pdb_with("A", 16, &[("Header", 0), ("QueueId", 8)]),
            &["A"],
        );
        assert_eq!(report.failures(), Vec::<String>::new());
        assert_eq!(report.matched(), 1);
    }

    #[test]
    fn size_mismatch_fails() {
        let report = compare(&[expected("A", 16, &[])], &pdb_with("A", 24, &[]), &[]);
        let failures = report.failures();
        assert_eq!(failures.len(), 1);
        assert!(failures[0].contains("24 bytes"), "{failures:?}");
    }

    #[test]
    fn offset_mismatch_and_missing_member_fail() {
        let report = compare(
            &[expected("A", 16, &[("QueueId", 8), ("FilterId", 12)])],
            &pdb_with("A", 16, &[("QueueId", 4)]),
            &[],
        );
        assert_eq!(report.failures().len(), 2);
    }

    #[test]
    fn required_type_absent_from_pdb_or_from_assertions_fails() {
        let report = compare(&[expected("A", 16, &[]), expected("B", 8, &[])], &pdb_with("A", 16, &[]), &["B", "C"]);
        let failures = report.failures();
        assert_eq!(failures.len(), 2, "{failures:?}");
        assert!(failures.iter().any(|f| f.starts_with("B: required, but the PDB")));
        assert!(failures.iter().any(|f| f.starts_with("C: required, but ndis-sys")));
    }

    #[test]
    fn unused_optional_type_is_not_a_failure() {
        let report = compare(&[expected("A", 16, &[])], &PdbTypes::new(), &[]);
        assert_eq!(report.failures(), Vec::<String>::new());
        assert_eq!(report.rows[0].outcome, Outcome::NotInImage);
        assert!(report.to_string().contains("not used by the image"));
    }
}
