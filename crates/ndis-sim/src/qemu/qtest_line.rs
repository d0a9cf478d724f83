//! The qtest wire format: typed requests rendered to one line, reply lines parsed back.
//!
//! Protocol of QEMU's `system/qtest.c`: one request line, answered by one `OK [value]`,
//! `FAIL reason` or `ERR reason` line, possibly preceded by asynchronous `IRQ raise N` /
//! `IRQ lower N` lines. QEMU asserts on malformed input (a `read` of 0 bytes kills it), so
//! every request is checked here before a line exists to be sent.

use std::fmt;
use std::io;

/// Largest `read`/`write` transfer one request may carry (the line holds two hex digits a byte).
pub const MAX_TRANSFER: usize = 1 << 20;

/// A qtest request, built from typed values only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request<'a> {
    /// `readb ADDR`: 8-bit memory read.
    Readb(u64),
    /// `readw ADDR`: 16-bit memory read.
    Readw(u64),
    /// `readl ADDR`: 32-bit memory read.
    Readl(u64),
    /// `writeb ADDR VAL`.
    Writeb(u64, u8),
    /// `writew ADDR VAL`.
    Writew(u64, u16),
    /// `writel ADDR VAL`.
    Writel(u64, u32),
    /// `inb PORT`.
    Inb(u16),
    /// `inw PORT`.
    Inw(u16),
    /// `inl PORT`.
    Inl(u16),
    /// `outb PORT VAL`.
    Outb(u16, u8),
    /// `outw PORT VAL`.
    Outw(u16, u16),
    /// `outl PORT VAL`.
    Outl(u16, u32),
    /// `read ADDR LEN`: a block read of guest memory (1 ..= [`MAX_TRANSFER`] bytes).
    Read {
        /// Guest-physical address.
        addr: u64,
        /// Byte count.
        len: usize,
    },
    /// `write ADDR LEN 0xHEX`: a block write of guest memory (1 ..= [`MAX_TRANSFER`] bytes).
    Write {
        /// Guest-physical address.
        addr: u64,
        /// The bytes.
        data: &'a [u8],
    },
    /// `irq_intercept_in QOM-PATH`: report the device's interrupt lines as `IRQ` lines.
    IrqInterceptIn(&'a str),
}

/// What a successful reply is expected to carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// A bare `OK`.
    Nothing,
    /// `OK 0x…` with a value of at most this many bits.
    Value(u32),
    /// `OK 0x…` with exactly this many bytes of hex data.
    Bytes(usize),
}

/// One parsed reply value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A bare `OK`.
    Done,
    /// A register or port value.
    Value(u64),
    /// Bytes of a `read`.
    Bytes(Vec<u8>),
}

/// One line received from QEMU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// The reply to the outstanding request: `OK` plus the rest of the line.
    Ok(String),
    /// `FAIL …`: QEMU refused the request.
    Fail(String),
    /// `ERR …`: QEMU could not parse or run it.
    Err(String),
    /// Asynchronous `IRQ raise N` (true) / `IRQ lower N` (false).
    Irq(bool, u32),
}

/// A qtest request that could not be sent, or whose reply was bad.
#[derive(Debug)]
pub enum QtestError {
    /// A request argument QEMU would reject or assert on, refused before sending.
    InvalidRequest(&'static str),
    /// QEMU answered `FAIL` or `ERR`.
    Refused(String),
    /// A reply line that does not follow the protocol.
    Malformed(String),
    /// No reply within the client's timeout; the client is unusable afterwards.
    Timeout,
    /// QEMU closed the socket.
    Closed,
    /// The socket failed.
    Io(io::Error),
}

impl fmt::Display for QtestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidRequest(why) => write!(f, "request refused before sending: {why}"),
            Self::Refused(line) => write!(f, "QEMU refused: {line}"),
            Self::Malformed(line) => write!(f, "malformed reply line: {line:?}"),
            Self::Timeout => write!(f, "no reply in time"),
            Self::Closed => write!(f, "QEMU closed the qtest socket"),
            Self::Io(e) => write!(f, "socket: {e}"),
        }
    }
}

impl std::error::Error for QtestError {}

fn check_transfer(len: usize) -> Result<(), QtestError> {
    match len {
        0 => Err(QtestError::InvalidRequest("a read or write of 0 bytes aborts QEMU")),
        n if n > MAX_TRANSFER => Err(QtestError::InvalidRequest("transfer larger than MAX_TRANSFER")),
        _ => Ok(()),
    }
}

impl Request<'_> {
    /// The request line, newline included, or why it must not be sent.
    pub fn line(&self) -> Result<String, QtestError> {
        Ok(match *self {
            Self::Readb(a) => format!("readb {a:#x}\n"),
            Self::Readw(a) => format!("readw {a:#x}\n"),
            Self::Readl(a) => format!("readl {a:#x}\n"),
            Self::Writeb(a, v) => format!("writeb {a:#x} {v:#x}\n"),
            Self::Writew(a, v) => format!("writew {a:#x} {v:#x}\n"),
            Self::Writel(a, v) => format!("writel {a:#x} {v:#x}\n"),
            Self::Inb(p) => format!("inb {p:#x}\n"),
            Self::Inw(p) => format!("inw {p:#x}\n"),
            Self::Inl(p) => format!("inl {p:#x}\n"),
            Self::Outb(p, v) => format!("outb {p:#x} {v:#x}\n"),
            Self::Outw(p, v) => format!("outw {p:#x} {v:#x}\n"),
            Self::Outl(p, v) => format!("outl {p:#x} {v:#x}\n"),
            Self::Read { addr, len } => {
                check_transfer(len)?;
                format!("read {addr:#x} {len:#x}\n")
            }
            Self::Write { addr, data } => {
                check_transfer(data.len())?;
                let mut line = format!("write {addr:#x} {:#x} 0x", data.len());
                line.reserve(data.len() * 2 + 1);
                for byte in data {
                    line.push_str(&format!("{byte:02x}"));
                }
                line.push('\n');
                line
            }
            Self::IrqInterceptIn(path) => {
                let plain = |c: char| c.is_ascii_alphanumeric() || "/-_.:[]".contains(c);
                if path.is_empty() || !path.chars().all(plain) {
                    return Err(QtestError::InvalidRequest("QOM path must be non-empty plain ASCII"));
                }
                format!("irq_intercept_in {path}\n")
            }
        })
    }

    /// What the reply to this request carries.
    pub fn expect(&self) -> Expect {
        match *self {
            Self::Readb(_) | Self::Inb(_) => Expect::Value(8),
            Self::Readw(_) | Self::Inw(_) => Expect::Value(16),
            Self::Readl(_) | Self::Inl(_) => Expect::Value(32),
            Self::Read { len, .. } => Expect::Bytes(len),
            _ => Expect::Nothing,
        }
    }
}

/// Parses one received line (without its newline).
pub fn parse_line(line: &str) -> Result<Line, QtestError> {
    let malformed = || QtestError::Malformed(line.to_owned());
    let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
    match word {
        "OK" => Ok(Line::Ok(rest.to_owned())),
        "FAIL" => Ok(Line::Fail(rest.to_owned())),
        "ERR" => Ok(Line::Err(rest.to_owned())),
        "IRQ" => {
            let (level, n) = rest.split_once(' ').ok_or_else(malformed)?;
            let n = n.parse().map_err(|_| malformed())?;
            match level {
                "raise" => Ok(Line::Irq(true, n)),
                "lower" => Ok(Line::Irq(false, n)),
                _ => Err(malformed()),
            }
        }
        _ => Err(malformed()),
    }
}

/// Interprets the text after `OK` as the reply `expect` describes.
pub fn parse_reply(rest: &str, expect: Expect) -> Result<Reply, QtestError> {
    let malformed = || QtestError::Malformed(format!("OK {rest}"));
    let rest = rest.trim();
    match expect {
        Expect::Nothing if rest.is_empty() => Ok(Reply::Done),
        Expect::Nothing => Err(malformed()),
        Expect::Value(bits) => {
            let hex = rest.strip_prefix("0x").ok_or_else(malformed)?;
            let value = u64::from_str_radix(hex, 16).map_err(|_| malformed())?;
            if bits < 64 && value >> bits != 0 {
                return Err(malformed());
            }
            Ok(Reply::Value(value))
        }
        Expect::Bytes(len) => {
            let hex = rest.strip_prefix("0x").ok_or_else(malformed)?;
            if hex.len() != len * 2 || !hex.is_ascii() {
                return Err(malformed());
            }
            (0..len)
                .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| malformed()))
                .collect::<Result<Vec<u8>, _>>()
                .map(Reply::Bytes)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn requests_render_as_qtest_lines() {
        let cases: [(Request<'_>, &str); 8] = [
            (Request::Readl(0xE000_0008), "readl 0xe0000008\n"),
            (Request::Writel(0xE000_0000, 0x0400_0040), "writel 0xe0000000 0x4000040\n"),
            (Request::Writew(0x10, 7), "writew 0x10 0x7\n"),
            (Request::Outl(0xCF8, 0x8000_0800), "outl 0xcf8 0x80000800\n"),
            (Request::Inw(0xCFE), "inw 0xcfe\n"),
            (Request::Read { addr: 0x1000, len: 16 }, "read 0x1000 0x10\n"),
            (Request::Write { addr: 0x20, data: &[0xAB, 0x01] }, "write 0x20 0x2 0xab01\n"),
            (Request::IrqInterceptIn("ioapic"), "irq_intercept_in ioapic\n"),
        ];
        for (request, line) in cases {
            assert_eq!(request.line().unwrap(), line);
        }
    }

    #[test]
    fn requests_qemu_would_abort_on_are_refused() {
        assert!(matches!(Request::Read { addr: 0, len: 0 }.line(), Err(QtestError::InvalidRequest(_))));
        assert!(matches!(Request::Write { addr: 0, data: &[] }.line(), Err(QtestError::InvalidRequest(_))));
        let big = vec![0u8; MAX_TRANSFER + 1];
        assert!(Request::Write { addr: 0, data: &big }.line().is_err());
        assert!(Request::Read { addr: 0, len: MAX_TRANSFER + 1 }.line().is_err());
        assert!(Request::IrqInterceptIn("").line().is_err());
        assert!(Request::IrqInterceptIn("ioapic\nreadl 0").line().is_err());
        assert!(Request::IrqInterceptIn("a b").line().is_err());
    }

    #[test]
    fn lines_parse_into_replies_and_irqs() {
        assert_eq!(parse_line("OK").unwrap(), Line::Ok(String::new()));
        assert_eq!(parse_line("OK 0x0000000a").unwrap(), Line::Ok("0x0000000a".into()));
        assert_eq!(
            parse_line("FAIL Unknown command 'clock_step'").unwrap(),
            Line::Fail("Unknown command 'clock_step'".into())
        );
        assert_eq!(parse_line("ERR bad").unwrap(), Line::Err("bad".into()));
        assert_eq!(parse_line("IRQ raise 21").unwrap(), Line::Irq(true, 21));
        assert_eq!(parse_line("IRQ lower 3").unwrap(), Line::Irq(false, 3));
        assert!(parse_line("IRQ bounce 3").is_err());
        assert!(parse_line("IRQ raise x").is_err());
        assert!(parse_line("hello").is_err());
    }

    #[test]
    fn reply_values_are_checked_against_the_request() {
        assert_eq!(parse_reply("", Expect::Nothing).unwrap(), Reply::Done);
        assert!(parse_reply("0x1", Expect::Nothing).is_err());
        assert_eq!(parse_reply("0x80000002", Expect::Value(32)).unwrap(), Reply::Value(0x8000_0002));
        assert!(parse_reply("0x100", Expect::Value(8)).is_err());
        assert!(parse_reply("12", Expect::Value(32)).is_err());
        assert_eq!(parse_reply("0x00ff10", Expect::Bytes(3)).unwrap(), Reply::Bytes(vec![0, 0xFF, 0x10]));
        assert!(parse_reply("0x00ff", Expect::Bytes(3)).is_err());
        assert!(parse_reply("0xzz", Expect::Bytes(1)).is_err());
    }
}
