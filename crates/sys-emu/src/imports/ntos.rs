//! The hand-written ntoskrnl.exe (and hal.dll) handlers: `KeBugCheckEx`, the C runtime
//! routines `core` needs, `__chkstk` and `DbgPrint` (the import table's `adapter(...)` and
//! `runtime(...)` rows), and `KeGetCurrentIrql`, which is not an import of vmqnic (inline on
//! x64) but is answered for other images.
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/>.

use unicorn_engine::{RegisterX86 as R, Unicorn};

use super::{Args, Handler, Ret, model};
use crate::error::EmuError;
use crate::layout::STACK_BOTTOM;
use crate::machine::{EmuData, stop};

/// Longest C string `strlen` / `DbgPrint` read.
const MAX_STRING: usize = 4096;

/// Handlers for routines outside the import table.
pub fn extra_handler(name: &str) -> Option<Handler> {
    let h: Handler = match name {
        "KeGetCurrentIrql" => |uc, _| Ret::Value(u64::from(model(uc, "KeGetCurrentIrql", 0, |m, _| m.irql()))),
        _ => return None,
    };
    Some(h)
}

/// `KeBugCheckEx(Code, P1..P4)`: stops the machine with the bug check.
pub fn bug_check(uc: &mut Unicorn<'_, EmuData>, a: &Args) -> Ret {
    stop(uc, EmuError::BugCheck { code: a.u32(0), parameters: [a.v[1], a.v[2], a.v[3], a.v[4]] });
    Ret::Value(0)
}

/// `memcpy(dst, src, n) -> dst`.
pub fn memcpy(uc: &mut Unicorn<'_, EmuData>, a: &Args) -> Ret {
    copy(uc, a, "memcpy")
}

/// `memmove(dst, src, n) -> dst`.
pub fn memmove(uc: &mut Unicorn<'_, EmuData>, a: &Args) -> Ret {
    copy(uc, a, "memmove")
}

/// `strlen(s)`.
pub fn strlen(uc: &mut Unicorn<'_, EmuData>, a: &Args) -> Ret {
    match c_string(uc, a.v[0]) {
        Some(s) => Ret::Value(s.len() as u64),
        None => fault(uc, "strlen", a.v[0]),
    }
}

fn fault(uc: &mut Unicorn<'_, EmuData>, routine: &'static str, addr: u64) -> Ret {
    stop(uc, EmuError::MemoryRoutine { routine, addr });
    Ret::Value(0)
}

fn read(uc: &Unicorn<'_, EmuData>, addr: u64, len: u64) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; usize::try_from(len).ok()?];
    uc.mem_read(addr, &mut buf).ok()?;
    Some(buf)
}

/// `memcpy` / `memmove(dst, src, n) -> dst` (through a buffer, so overlap is safe).
fn copy(uc: &mut Unicorn<'_, EmuData>, a: &Args, routine: &'static str) -> Ret {
    let (dst, src, n) = (a.v[0], a.v[1], a.v[2]);
    if n == 0 {
        return Ret::Value(dst);
    }
    let Some(data) = read(uc, src, n) else {
        return fault(uc, routine, src);
    };
    if uc.mem_write(dst, &data).is_err() {
        return fault(uc, routine, dst);
    }
    Ret::Value(dst)
}

/// `memset(dst, c, n) -> dst`; the fill value is the low 8 bits of `c`.
pub fn memset(uc: &mut Unicorn<'_, EmuData>, a: &Args) -> Ret {
    let (dst, n) = (a.v[0], a.v[2]);
    let Ok(len) = usize::try_from(n) else {
        return fault(uc, "memset", dst);
    };
    if len > 0 && uc.mem_write(dst, &vec![a.v[1] as u8; len]).is_err() {
        return fault(uc, "memset", dst);
    }
    Ret::Value(dst)
}

/// `memcmp(a, b, n) -> int` (sign-extended into rax).
pub fn memcmp(uc: &mut Unicorn<'_, EmuData>, a: &Args) -> Ret {
    let (l, r, n) = (a.v[0], a.v[1], a.v[2]);
    let (Some(x), Some(y)) = (read(uc, l, n), read(uc, r, n)) else {
        return fault(uc, "memcmp", l);
    };
    let diff = x.iter().zip(&y).find(|(p, q)| p != q).map_or(0i32, |(p, q)| i32::from(*p) - i32::from(*q));
    Ret::Value(i64::from(diff) as u64)
}

/// `__chkstk`: rax holds the frame size and must survive. Probes the new frame against the
/// 24 KiB stack (the caller's rsp is rsp + 8 here).
pub fn chkstk(uc: &mut Unicorn<'_, EmuData>, a: &Args) -> Ret {
    let size = uc.reg_read(R::RAX).unwrap_or(0);
    let frame_top = a.rsp + 8;
    if frame_top.checked_sub(size).is_none_or(|low| low < STACK_BOTTOM) {
        let rip = super::read_u64(uc, a.rsp);
        stop(uc, EmuError::StackOverflow { addr: frame_top.wrapping_sub(size), rip });
    }
    Ret::Keep
}

/// Reads a NUL-terminated string (at most [`MAX_STRING`] bytes).
fn c_string(uc: &Unicorn<'_, EmuData>, addr: u64) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut chunk = [0u8; 64];
    while out.len() < MAX_STRING {
        let at = addr + out.len() as u64;
        // Read up to the end of the page, so a string near unmapped memory still reads.
        let room = (0x1000 - (at & 0xFFF)).min(64) as usize;
        uc.mem_read(at, &mut chunk[..room]).ok()?;
        if let Some(end) = chunk[..room].iter().position(|b| *b == 0) {
            out.extend_from_slice(&chunk[..end]);
            return Some(out);
        }
        out.extend_from_slice(&chunk[..room]);
    }
    Some(out)
}

/// `DbgPrint(Format, ...)`: formats the common conversions (`%d %i %u %x %X %p %s %c %%`,
/// with flags, width and `l`/`ll`/`I64`/`z`/`h` sizes) and logs the line.
pub fn dbg_print(uc: &mut Unicorn<'_, EmuData>, a: &Args) -> Ret {
    let Some(format) = c_string(uc, a.v[0]) else {
        return fault(uc, "DbgPrint", a.v[0]);
    };
    let text = format_message(uc, a, &format);
    let d = uc.get_data_mut();
    if d.echo_debug {
        eprint!("[DbgPrint] {text}");
    }
    d.debug_log.push(text);
    Ret::Value(0)
}

fn format_message(uc: &Unicorn<'_, EmuData>, a: &Args, format: &[u8]) -> String {
    let mut out = String::new();
    let mut next = 1;
    let mut i = 0;
    while i < format.len() {
        let c = format[i];
        i += 1;
        if c != b'%' {
            out.push(char::from(c));
            continue;
        }
        let spec_start = i;
        while i < format.len() && b"-+ #0123456789.lhzI6".contains(&format[i]) {
            i += 1;
        }
        let Some(&conv) = format.get(i) else {
            break;
        };
        i += 1;
        let spec = &format[spec_start..i - 1];
        let wide = spec.windows(2).any(|w| w == b"ll" || w == b"64") || spec.contains(&b'z');
        let value = if conv == b'%' { 0 } else { a.nth(uc, next) };
        if conv != b'%' {
            next += 1;
        }
        match conv {
            b'%' => out.push('%'),
            b'd' | b'i' if wide => out.push_str(&(value as i64).to_string()),
            b'd' | b'i' => out.push_str(&(value as u32 as i32).to_string()),
            b'u' if wide => out.push_str(&value.to_string()),
            b'u' => out.push_str(&(value as u32).to_string()),
            b'x' if wide => out.push_str(&format!("{value:x}")),
            b'x' => out.push_str(&format!("{:x}", value as u32)),
            b'X' if wide => out.push_str(&format!("{value:X}")),
            b'X' => out.push_str(&format!("{:X}", value as u32)),
            b'p' => out.push_str(&format!("{value:016X}")),
            b'c' => out.push(char::from(value as u8)),
            b's' => match c_string(uc, value) {
                Some(s) => out.push_str(&String::from_utf8_lossy(&s)),
                None => out.push_str("(bad string)"),
            },
            other => {
                out.push('%');
                out.push(char::from(other));
            }
        }
    }
    out
}
