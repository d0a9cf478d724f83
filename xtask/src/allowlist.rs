//! The import allowlist kept beside the bindings (`crates/ndis-sys/imports.txt`, one `dll!Symbol` per line).

use std::collections::BTreeSet;

use crate::{Error, Result};

/// The DLLs a WDM NDIS miniport may import from.
pub const ALLOWED_DLLS: [&str; 3] = ["ndis.sys", "ntoskrnl.exe", "hal.dll"];

/// One allowed import: the DLL name (lower case) and the exact symbol name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AllowedImport {
    /// DLL name, lower case (`ndis.sys`).
    pub dll: String,
    /// Symbol name, case-sensitive (`NdisMRegisterMiniportDriver`).
    pub symbol: String,
}

/// The parsed allowlist.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allowlist {
    entries: BTreeSet<AllowedImport>,
}

impl Allowlist {
    /// Parses `dll!Symbol` lines; `#` starts a comment, blank lines are skipped.
    ///
    /// A line without `!`, with an empty half or with whitespace inside is an error that
    /// names the line, so a typo cannot silently allow nothing.
    pub fn parse(text: &str) -> Result<Self> {
        let mut entries = BTreeSet::new();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let bad = || Error(format!("imports.txt line {}: expected `dll!Symbol`, got `{raw}`", index + 1));
            let (dll, symbol) = line.split_once('!').ok_or_else(bad)?;
            let (dll, symbol) = (dll.trim(), symbol.trim());
            if dll.is_empty()
                || symbol.is_empty()
                || symbol.contains(char::is_whitespace)
                || dll.contains(char::is_whitespace)
            {
                return Err(bad());
            }
            entries.insert(AllowedImport { dll: dll.to_ascii_lowercase(), symbol: symbol.to_owned() });
        }
        Ok(Self { entries })
    }

    /// Whether `dll!symbol` is allowed (DLL names compare case-insensitively).
    pub fn allows(&self, dll: &str, symbol: &str) -> bool {
        self.entries.contains(&AllowedImport { dll: dll.to_ascii_lowercase(), symbol: symbol.to_owned() })
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in sorted order.
    pub fn iter(&self) -> impl Iterator<Item = &AllowedImport> {
        self.entries.iter()
    }
}

/// Whether `dll` is one of [`ALLOWED_DLLS`] (case-insensitive, as the loader compares).
pub fn is_allowed_dll(dll: &str) -> bool {
    ALLOWED_DLLS.iter().any(|allowed| allowed.eq_ignore_ascii_case(dll))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entries_comments_and_case() -> Result<()> {
        let list =
            Allowlist::parse("# header\n\nndis.sys!NdisMRegisterMiniportDriver\n NTOSKRNL.EXE!KeBugCheckEx # why\n")?;
        assert_eq!(list.len(), 2);
        assert!(list.allows("NDIS.SYS", "NdisMRegisterMiniportDriver"));
        assert!(list.allows("ntoskrnl.exe", "KeBugCheckEx"));
        assert!(!list.allows("ntoskrnl.exe", "kebugcheckex"));
        assert!(!list.allows("hal.dll", "KeBugCheckEx"));
        Ok(())
    }

    #[test]
    fn rejects_malformed_lines() {
        for bad in ["ndis.sys", "!Sym", "ndis.sys!", "ndis.sys!A B"] {
            assert!(Allowlist::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn allowed_dlls_are_case_insensitive() {
        assert!(is_allowed_dll("NDIS.SYS"));
        assert!(is_allowed_dll("hal.dll"));
        assert!(!is_allowed_dll("kernel32.dll"));
        assert!(!is_allowed_dll("ndis.sys.dll"));
    }
}
