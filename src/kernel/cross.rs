//! Cross-build kernel glue (only with `cfg(vmqnic_cross)`): the panic handler that bug-checks, `DbgPrint` output, and the two linker symbols a `no_std` msvc image needs; see <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kebugcheckex>.
//!
//! On a WDK build the wdk-* crates provide the same things (`wdk.rs`). Nothing here
//! allocates: the driver's memory is tagged NDIS pool, owned by `kernel::pool`.

use core::ffi::{c_int, c_void};
use core::fmt::{self, Write};
use core::panic::PanicInfo;

use ndis_sys::{DbgPrint, KeBugCheckEx, ULONG, ULONG_PTR};

/// Bug check code raised on a Rust panic: `'RPNC'`, the value wdk-panic uses, so crash
/// triage treats both builds alike. Parameters: file name pointer, its length, line, column.
const PANIC_BUG_CHECK_CODE: ULONG = 0x5250_4E43;

/// `EXCEPTION_DISPOSITION::ExceptionContinueSearch`.
const EXCEPTION_CONTINUE_SEARCH: i32 = 1;

/// The msvc target marks images that use floating point by referencing `_fltused`, which
/// the C runtime defines. A kernel image has no CRT; the value is never read.
#[unsafe(export_name = "_fltused")]
static FLTUSED: i32 = 0;

/// Referenced by the unwind tables of the prebuilt `core` even with `panic = "abort"`.
/// No Rust frame ever unwinds here; if an SEH exception passes through one, we decline to
/// handle it (`ExceptionContinueSearch`) so the kernel keeps looking for a handler.
#[unsafe(no_mangle)]
pub extern "system" fn __CxxFrameHandler3(
    _record: *mut c_void,
    _frame: *mut c_void,
    _context: *mut c_void,
    _dispatcher: *mut c_void,
) -> i32 {
    EXCEPTION_CONTINUE_SEARCH
}

/// Writes `msg` to the kernel debugger as is (no newline added). Any IRQL up to DIRQL.
///
/// `DbgPrint` prints at most 512 bytes per call; longer messages are cut by the kernel.
pub fn debug_print(msg: &str) {
    let precision = c_int::try_from(msg.len()).unwrap_or(c_int::MAX);
    // SAFETY: the format is a NUL-terminated literal with one conversion, `%.*s`, which
    // consumes exactly the two variadic arguments given (an `int` precision and a byte
    // pointer) and reads at most `precision` bytes, all inside `msg`; no NUL is needed.
    unsafe { DbgPrint(c"%.*s".as_ptr(), precision, msg.as_ptr()) };
}

/// A line of text on the stack; writes past its capacity are dropped, never an error.
struct StackLine {
    bytes: [u8; 256],
    len: usize,
}

impl StackLine {
    const fn new() -> Self {
        Self { bytes: [0; 256], len: 0 }
    }

    /// The text written so far (a cut may have split a UTF-8 sequence: print it as bytes).
    fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

impl Write for StackLine {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let room = self.bytes.len() - self.len;
        let take = text.len().min(room);
        if let (Some(dst), Some(src)) = (self.bytes.get_mut(self.len..self.len + take), text.as_bytes().get(..take)) {
            dst.copy_from_slice(src);
            self.len += take;
        }
        Ok(())
    }
}

/// Prints the panic message and location, then stops the machine with
/// `KeBugCheckEx('RPNC', file, file_len, line, column)`. Runs at the IRQL of the panic.
#[panic_handler]
fn panic(info: &PanicInfo<'_>) -> ! {
    let mut line = StackLine::new();
    let (file, line_number, column) = info.location().map_or(("", 0, 0), |l| (l.file(), l.line(), l.column()));
    // Writing to a StackLine cannot fail; a failing Display impl only shortens the message.
    let _ = writeln!(line, "vmqnic: panic at {file}:{line_number}:{column}: {}", info.message());
    let precision = c_int::try_from(line.as_bytes().len()).unwrap_or(c_int::MAX);
    // SAFETY: as in `debug_print`: `%.*s` reads at most `precision` bytes of `line`.
    unsafe { DbgPrint(c"%.*s".as_ptr(), precision, line.as_bytes().as_ptr()) };
    // CAST: pointers and u32 values fit ULONG_PTR (64 bits on x64).
    let (file_ptr, file_len) = (file.as_ptr() as ULONG_PTR, file.len() as ULONG_PTR);
    // SAFETY: KeBugCheckEx may be called at any IRQL and never returns; the parameters are
    // plain numbers recorded in the crash dump.
    unsafe { KeBugCheckEx(PANIC_BUG_CHECK_CODE, file_ptr, file_len, line_number as ULONG_PTR, column as ULONG_PTR) }
}
