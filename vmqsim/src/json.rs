//! A minimal JSON writer for the report (no serde: one object, a few arrays).

use std::fmt::Write as _;

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An unsigned integer.
    Int(u64),
    /// A signed integer.
    SignedInt(i64),
    /// A measured figure, written with `decimals` digits after the point (`null` if not finite).
    Num(f64, usize),
    /// A string.
    Str(String),
    /// An array.
    Array(Vec<Json>),
    /// An object; keys keep their insertion order.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// An object from `(key, value)` pairs.
    pub fn object<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Json)>) -> Self {
        Self::Object(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// Renders compact JSON.
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Self::Null => out.push_str("null"),
            Self::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Self::Int(n) => {
                let _ = write!(out, "{n}");
            }
            Self::SignedInt(n) => {
                let _ = write!(out, "{n}");
            }
            Self::Num(x, decimals) if x.is_finite() => {
                let _ = write!(out, "{x:.decimals$}");
            }
            Self::Num(..) => out.push_str("null"),
            Self::Str(s) => write_str(out, s),
            Self::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Self::Object(pairs) => {
                out.push('{');
                for (i, (key, value)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(out, key);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::Json;

    #[test]
    fn renders_nested_values_and_escapes() {
        let v = Json::object([
            ("a", Json::Int(1)),
            ("b", Json::Array(vec![Json::Bool(true), Json::Null, Json::SignedInt(-3)])),
            ("c", Json::Str("q\"\\\n\u{1}".into())),
        ]);
        assert_eq!(v.render(), r#"{"a":1,"b":[true,null,-3],"c":"q\"\\\n\u0001"}"#);
    }

    #[test]
    fn measured_figures_are_json_numbers() {
        let v = Json::Array(vec![Json::Num(0.1234, 3), Json::Num(12.0, 1), Json::Num(f64::NAN, 2)]);
        assert_eq!(v.render(), "[0.123,12.0,null]");
    }
}
