//! A small INF reader and the `stampinf` step (DriverVer, CatalogFile, `$ARCH$`); see <https://learn.microsoft.com/windows-hardware/drivers/devtest/stampinf>.
//!
//! Shared with the root crate's `tests/inf.rs` through `#[path]`, so it uses `std` only and
//! reports errors as strings.

use std::fmt;

/// One logical INF line: an optional `key =` and the comma-separated values after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InfLine {
    /// 1-based line number in the source.
    pub number: usize,
    /// The key before `=`, if the line has one (e.g. `Class`).
    pub key: Option<String>,
    /// The values, trimmed, with surrounding double quotes removed.
    pub values: Vec<String>,
}

/// One `[Section]` with its lines in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InfSection {
    /// The section name as written.
    pub name: String,
    /// The lines of the section.
    pub lines: Vec<InfLine>,
}

impl InfSection {
    /// The values of the first line whose key equals `key` (case-insensitive).
    pub fn values(&self, key: &str) -> Option<&[String]> {
        self.lines
            .iter()
            .find(|line| line.key.as_deref().is_some_and(|k| k.eq_ignore_ascii_case(key)))
            .map(|line| line.values.as_slice())
    }

    /// The first value of the first line keyed `key`.
    pub fn value(&self, key: &str) -> Option<&str> {
        self.values(key).and_then(|values| values.first()).map(String::as_str)
    }

    /// Every value of every line keyed `key` (directives such as `AddReg` may repeat).
    pub fn all_values(&self, key: &str) -> Vec<&str> {
        self.lines
            .iter()
            .filter(|line| line.key.as_deref().is_some_and(|k| k.eq_ignore_ascii_case(key)))
            .flat_map(|line| line.values.iter().map(String::as_str))
            .collect()
    }
}

/// An `AddReg` entry: `root, [subkey], [value-name], [flags], [value]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegEntry {
    /// `HKR`, `HKLM`, ...
    pub root: String,
    /// Subkey relative to the root (may be empty).
    pub subkey: String,
    /// Value name (empty for the default value).
    pub name: String,
    /// Flags field (empty means `FLG_ADDREG_TYPE_SZ`).
    pub flags: String,
    /// The value, with `%string%` tokens still in place.
    pub value: String,
}

/// A parsed INF file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inf {
    /// The sections in file order.
    pub sections: Vec<InfSection>,
}

impl Inf {
    /// Parses INF text (ASCII or UTF-8; `;` comments outside quotes; no line continuations).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut sections: Vec<InfSection> = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let number = index + 1;
            let line = strip_comment(raw).trim();
            if line.is_empty() {
                continue;
            }
            if let Some(rest) = line.strip_prefix('[') {
                let name =
                    rest.strip_suffix(']').ok_or_else(|| format!("line {number}: unterminated section header"))?;
                sections.push(InfSection { name: name.trim().to_owned(), lines: Vec::new() });
                continue;
            }
            if line.ends_with('\\') {
                return Err(format!("line {number}: line continuations are not supported"));
            }
            let section = sections.last_mut().ok_or_else(|| format!("line {number}: text before the first section"))?;
            let (key, rest) = match split_key(line) {
                Some((key, rest)) => (Some(unquote(key.trim()).to_owned()), rest),
                None => (None, line),
            };
            let values = split_values(rest).into_iter().map(|v| unquote(v.trim()).to_owned()).collect();
            section.lines.push(InfLine { number, key, values });
        }
        Ok(Self { sections })
    }

    /// The section named `name` (case-insensitive, as SetupAPI compares).
    pub fn section(&self, name: &str) -> Option<&InfSection> {
        self.sections.iter().find(|section| section.name.eq_ignore_ascii_case(name))
    }

    /// Resolves `%token%` references against `[Strings]`; other text is returned unchanged.
    pub fn resolve(&self, value: &str) -> String {
        let token = value.strip_prefix('%').and_then(|v| v.strip_suffix('%'));
        match (token, self.section("Strings")) {
            (Some(token), Some(strings)) if !token.is_empty() => {
                strings.value(token).map_or_else(|| value.to_owned(), str::to_owned)
            }
            _ => value.to_owned(),
        }
    }

    /// The `AddReg` entries of section `name` (errors if the section is missing or a line is short).
    pub fn reg_entries(&self, name: &str) -> Result<Vec<RegEntry>, String> {
        let section = self.section(name).ok_or_else(|| format!("missing AddReg section [{name}]"))?;
        section
            .lines
            .iter()
            .map(|line| {
                if line.key.is_some() || line.values.len() < 3 {
                    return Err(format!("line {}: not an AddReg entry", line.number));
                }
                let field = |i: usize| line.values.get(i).cloned().unwrap_or_default();
                Ok(RegEntry { root: field(0), subkey: field(1), name: field(2), flags: field(3), value: field(4) })
            })
            .collect()
    }
}

/// Removes a `;` comment that is not inside double quotes.
fn strip_comment(line: &str) -> &str {
    let mut quoted = false;
    for (index, ch) in line.char_indices() {
        match ch {
            '"' => quoted = !quoted,
            ';' if !quoted => return &line[..index],
            _ => {}
        }
    }
    line
}

/// Splits `key = rest` at the first `=` outside quotes, if it comes before any comma.
fn split_key(line: &str) -> Option<(&str, &str)> {
    let mut quoted = false;
    for (index, ch) in line.char_indices() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => return None,
            '=' if !quoted => return Some((&line[..index], &line[index + 1..])),
            _ => {}
        }
    }
    None
}

/// Splits at commas outside quotes.
fn split_values(text: &str) -> Vec<&str> {
    let mut values = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (index, ch) in text.char_indices() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                values.push(&text[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    values.push(&text[start..]);
    values
}

/// Removes one pair of surrounding double quotes.
fn unquote(value: &str) -> &str {
    value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value)
}

/// A calendar date (proleptic Gregorian, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    /// Year, e.g. 2026.
    pub year: i64,
    /// Month 1..=12.
    pub month: u32,
    /// Day 1..=31.
    pub day: u32,
}

impl Date {
    /// The UTC date of a Unix timestamp (seconds), e.g. from `SOURCE_DATE_EPOCH`.
    pub fn from_unix_seconds(seconds: i64) -> Self {
        // Howard Hinnant's days-to-civil algorithm.
        let days = seconds.div_euclid(86_400);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        // CAST: day is 1..=31 and month 1..=12 by construction.
        Self { year, month: month as u32, day: day as u32 }
    }
}

impl fmt::Display for Date {
    /// `MM/DD/YYYY`, the DriverVer date format.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}/{:02}/{:04}", self.month, self.day, self.year)
    }
}

/// What `stampinf` writes into an INF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// DriverVer date.
    pub date: Date,
    /// DriverVer version `w.x.y.z`.
    pub version: [u16; 4],
    /// CatalogFile name, e.g. `vmqnic.cat`.
    pub catalog: String,
    /// Replacement for `$ARCH$`, e.g. `amd64`.
    pub arch: String,
}

impl Stamp {
    /// The `DriverVer` value: `MM/DD/YYYY,w.x.y.z`.
    pub fn driver_ver(&self) -> String {
        let [w, x, y, z] = self.version;
        format!("{},{w}.{x}.{y}.{z}", self.date)
    }
}

/// Stamps an `.inx` like `stampinf -d <date> -v <version> -c <cat> -a <arch>`: sets `DriverVer`
/// and `CatalogFile` in `[Version]` (replacing existing ones) and replaces `$ARCH$`.
/// Line endings of the input are kept.
pub fn stamp(inx: &str, stamp: &Stamp) -> Result<String, String> {
    let newline = if inx.contains("\r\n") { "\r\n" } else { "\n" };
    let lines: Vec<&str> = inx.lines().collect();
    let is_header = |line: &str| strip_comment(line).trim().starts_with('[');
    let start = lines
        .iter()
        .position(|line| strip_comment(line).trim().eq_ignore_ascii_case("[Version]"))
        .ok_or("the INF has no [Version] section")?;
    let end = lines[start + 1..].iter().position(|line| is_header(line)).map_or(lines.len(), |p| start + 1 + p);
    let stamped_key = |line: &str| {
        split_key(strip_comment(line).trim()).is_some_and(|(key, _)| {
            let key = key.trim();
            key.eq_ignore_ascii_case("DriverVer") || key.eq_ignore_ascii_case("CatalogFile")
        })
    };
    // Insert after the last non-blank, non-comment line of [Version].
    let last = (start..end)
        .rev()
        .find(|&i| !strip_comment(lines[i]).trim().is_empty() && !stamped_key(lines[i]))
        .unwrap_or(start);
    let mut out: Vec<String> = Vec::with_capacity(lines.len() + 2);
    for (index, line) in lines.iter().enumerate() {
        if index > start && index < end && stamped_key(line) {
            continue;
        }
        out.push(line.replace("$ARCH$", &stamp.arch));
        if index == last {
            out.push(format!("DriverVer   = {}", stamp.driver_ver()));
            out.push(format!("CatalogFile = {}", stamp.catalog));
        }
    }
    let mut text = out.join(newline);
    text.push_str(newline);
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "; c\n[Version]\nSignature = \"$WINDOWS NT$\" ; sig\nClass=Net\nDriverVer = 01/01/2000,1.0.0.0\n\n[Manufacturer]\n%Mfg% = Std,NT$ARCH$.10.0...16299\n\n[Std.NT$ARCH$.10.0...16299]\n%Desc% = X.ndi, root\\x\n\n[X.Reg]\nHKR, Ndi\\Params\\*VMQ, ParamDesc, 0, %VmqDesc%\n\n[Strings]\nVmqDesc = \"Virtual Machine Queues\"\n";

    fn sample_stamp() -> Stamp {
        Stamp {
            date: Date { year: 2026, month: 3, day: 7 },
            version: [0, 1, 0, 0],
            catalog: "x.cat".into(),
            arch: "amd64".into(),
        }
    }

    #[test]
    fn parses_sections_keys_values_and_strings() -> Result<(), String> {
        let inf = Inf::parse(SAMPLE)?;
        let version = inf.section("version").ok_or("no [Version]")?;
        assert_eq!(version.value("signature"), Some("$WINDOWS NT$"));
        assert_eq!(version.value("Class"), Some("Net"));
        let reg = inf.reg_entries("X.Reg")?;
        assert_eq!(reg.len(), 1);
        assert_eq!(reg[0].subkey, "Ndi\\Params\\*VMQ");
        assert_eq!(inf.resolve(&reg[0].value), "Virtual Machine Queues");
        Ok(())
    }

    #[test]
    fn stamp_replaces_driver_ver_and_arch() -> Result<(), String> {
        let text = stamp(SAMPLE, &sample_stamp())?;
        let inf = Inf::parse(&text)?;
        let version = inf.section("Version").ok_or("no [Version]")?;
        assert_eq!(version.values("DriverVer"), Some(&["03/07/2026".to_owned(), "0.1.0.0".to_owned()][..]));
        assert_eq!(version.value("CatalogFile"), Some("x.cat"));
        assert_eq!(version.lines.iter().filter(|l| l.key.as_deref() == Some("DriverVer")).count(), 1);
        assert!(!text.contains("$ARCH$"));
        assert!(inf.section("Std.NTamd64.10.0...16299").is_some());
        Ok(())
    }

    #[test]
    fn stamp_keeps_crlf() -> Result<(), String> {
        let crlf = SAMPLE.replace('\n', "\r\n");
        let text = stamp(&crlf, &sample_stamp())?;
        assert!(text.lines().count() > 3);
        assert_eq!(text.matches('\n').count(), text.matches("\r\n").count());
        Ok(())
    }

    #[test]
    fn unix_dates() {
        assert_eq!(Date::from_unix_seconds(0).to_string(), "01/01/1970");
        assert_eq!(Date::from_unix_seconds(951_782_400).to_string(), "02/29/2000");
        assert_eq!(Date::from_unix_seconds(1_795_996_800).to_string(), "11/30/2026");
    }
}
