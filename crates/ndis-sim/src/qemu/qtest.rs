//! [`Qtest`]: a blocking qtest client over the unix socket QEMU connected to.
//!
//! Each call sends one line built by [`Request::line`] and waits, bounded by the client's
//! timeout, for its reply; `IRQ` lines arriving first are recorded in [`Qtest::irq_events`].

use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use super::qtest_line::{Line, QtestError, Reply, Request, parse_line, parse_reply};

/// A connected qtest session.
#[derive(Debug)]
pub struct Qtest {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
    irqs: Vec<(bool, u32)>,
    broken: bool,
}

impl Qtest {
    /// Wraps an accepted connection; each reply must arrive within `timeout`.
    pub fn new(stream: UnixStream, timeout: Duration) -> io::Result<Self> {
        stream.set_nonblocking(false)?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        let writer = stream.try_clone()?;
        Ok(Self { reader: BufReader::new(stream), writer, irqs: Vec::new(), broken: false })
    }

    /// Sends `request` and returns its reply. After a timeout or a protocol error the session
    /// is out of step with QEMU and every later call fails.
    pub fn request(&mut self, request: Request<'_>) -> Result<Reply, QtestError> {
        if self.broken {
            return Err(QtestError::Closed);
        }
        let line = request.line()?;
        let result = self.exchange(&line).and_then(|rest| parse_reply(&rest, request.expect()));
        if matches!(
            result,
            Err(QtestError::Timeout | QtestError::Closed | QtestError::Io(_) | QtestError::Malformed(_))
        ) {
            self.broken = true;
        }
        result
    }

    fn exchange(&mut self, line: &str) -> Result<String, QtestError> {
        self.writer.write_all(line.as_bytes()).map_err(QtestError::Io)?;
        let mut text = String::new();
        loop {
            text.clear();
            match self.reader.read_line(&mut text) {
                Ok(0) => return Err(QtestError::Closed),
                Ok(_) => {}
                Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                    return Err(QtestError::Timeout);
                }
                Err(e) => return Err(QtestError::Io(e)),
            }
            match parse_line(text.trim_end_matches(['\n', '\r']))? {
                Line::Ok(rest) => return Ok(rest),
                Line::Fail(why) | Line::Err(why) => return Err(QtestError::Refused(why)),
                Line::Irq(raised, n) => self.irqs.push((raised, n)),
            }
        }
    }

    fn value(&mut self, request: Request<'_>) -> Result<u64, QtestError> {
        match self.request(request)? {
            Reply::Value(v) => Ok(v),
            other => Err(QtestError::Malformed(format!("{other:?}"))),
        }
    }

    fn done(&mut self, request: Request<'_>) -> Result<(), QtestError> {
        self.request(request).map(drop)
    }

    /// 32-bit memory read (an MMIO register or guest RAM).
    pub fn readl(&mut self, addr: u64) -> Result<u32, QtestError> {
        // CAST: the reply was checked to fit 32 bits.
        self.value(Request::Readl(addr)).map(|v| v as u32)
    }

    /// 16-bit memory read.
    pub fn readw(&mut self, addr: u64) -> Result<u16, QtestError> {
        // CAST: the reply was checked to fit 16 bits.
        self.value(Request::Readw(addr)).map(|v| v as u16)
    }

    /// 8-bit memory read.
    pub fn readb(&mut self, addr: u64) -> Result<u8, QtestError> {
        // CAST: the reply was checked to fit 8 bits.
        self.value(Request::Readb(addr)).map(|v| v as u8)
    }

    /// 32-bit memory write.
    pub fn writel(&mut self, addr: u64, value: u32) -> Result<(), QtestError> {
        self.done(Request::Writel(addr, value))
    }

    /// 16-bit memory write.
    pub fn writew(&mut self, addr: u64, value: u16) -> Result<(), QtestError> {
        self.done(Request::Writew(addr, value))
    }

    /// 8-bit memory write.
    pub fn writeb(&mut self, addr: u64, value: u8) -> Result<(), QtestError> {
        self.done(Request::Writeb(addr, value))
    }

    /// 32-bit port read.
    pub fn inl(&mut self, port: u16) -> Result<u32, QtestError> {
        // CAST: the reply was checked to fit 32 bits.
        self.value(Request::Inl(port)).map(|v| v as u32)
    }

    /// 16-bit port read.
    pub fn inw(&mut self, port: u16) -> Result<u16, QtestError> {
        // CAST: the reply was checked to fit 16 bits.
        self.value(Request::Inw(port)).map(|v| v as u16)
    }

    /// 8-bit port read.
    pub fn inb(&mut self, port: u16) -> Result<u8, QtestError> {
        // CAST: the reply was checked to fit 8 bits.
        self.value(Request::Inb(port)).map(|v| v as u8)
    }

    /// 32-bit port write.
    pub fn outl(&mut self, port: u16, value: u32) -> Result<(), QtestError> {
        self.done(Request::Outl(port, value))
    }

    /// 16-bit port write.
    pub fn outw(&mut self, port: u16, value: u16) -> Result<(), QtestError> {
        self.done(Request::Outw(port, value))
    }

    /// 8-bit port write.
    pub fn outb(&mut self, port: u16, value: u8) -> Result<(), QtestError> {
        self.done(Request::Outb(port, value))
    }

    /// Block read of guest memory through QEMU (`len` in 1 ..= `MAX_TRANSFER`).
    pub fn read(&mut self, addr: u64, len: usize) -> Result<Vec<u8>, QtestError> {
        match self.request(Request::Read { addr, len })? {
            Reply::Bytes(bytes) => Ok(bytes),
            other => Err(QtestError::Malformed(format!("{other:?}"))),
        }
    }

    /// Block write of guest memory through QEMU (1 ..= `MAX_TRANSFER` bytes).
    pub fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), QtestError> {
        self.done(Request::Write { addr, data })
    }

    /// Intercepts the interrupt inputs of the QOM object at `path` (e.g. `ioapic`).
    pub fn irq_intercept_in(&mut self, path: &str) -> Result<(), QtestError> {
        self.done(Request::IrqInterceptIn(path))
    }

    /// Takes the `IRQ raise/lower` events seen so far, oldest first.
    pub fn irq_events(&mut self) -> Vec<(bool, u32)> {
        std::mem::take(&mut self.irqs)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::io::{BufRead, BufReader, Write};
    use std::thread;

    use super::*;

    /// A fake QEMU on the other end of a socket pair: answers each request line with the
    /// scripted replies and hands back the lines it received.
    fn fake_qemu(replies: &'static [&'static str]) -> (Qtest, thread::JoinHandle<Vec<String>>) {
        let (ours, theirs) = UnixStream::pair().unwrap();
        let qemu = thread::spawn(move || {
            let mut reader = BufReader::new(theirs.try_clone().unwrap());
            let mut writer = theirs;
            let mut seen = Vec::new();
            for reply in replies {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 {
                    break;
                }
                seen.push(line);
                writer.write_all(reply.as_bytes()).unwrap();
            }
            seen
        });
        (Qtest::new(ours, Duration::from_millis(200)).unwrap(), qemu)
    }

    #[test]
    fn irq_lines_before_a_reply_are_recorded_not_taken_as_the_reply() {
        let (mut qt, qemu) = fake_qemu(&["IRQ raise 21\nOK 0x80080783\n", "OK\n", "IRQ lower 21\nOK 0x0a0b\n"]);
        assert_eq!(qt.readl(0xE000_0008).unwrap(), 0x8008_0783);
        qt.outl(0xCF8, 0x8000_0800).unwrap();
        assert_eq!(qt.readw(0x10).unwrap(), 0x0A0B);
        assert_eq!(qt.irq_events(), [(true, 21), (false, 21)]);
        assert_eq!(qemu.join().unwrap(), ["readl 0xe0000008\n", "outl 0xcf8 0x80000800\n", "readw 0x10\n"]);
    }

    #[test]
    fn refusals_are_errors_and_a_silent_qemu_times_out_for_good() {
        let (mut qt, qemu) = fake_qemu(&["FAIL Unknown command 'clock_step'\n", "OK 0x1ff\n"]);
        assert!(matches!(qt.writeb(0, 1), Err(QtestError::Refused(_))));
        assert!(matches!(qt.readb(0), Err(QtestError::Malformed(_))), "0x1ff does not fit 8 bits");
        assert!(matches!(qt.readb(0), Err(QtestError::Closed)), "out of step after a malformed reply");
        qemu.join().unwrap();
        let (mut qt, _qemu) = fake_qemu(&[]);
        assert!(matches!(qt.read(0, 0), Err(QtestError::InvalidRequest(_))), "refused before sending");
    }

    #[test]
    fn no_reply_within_the_timeout_is_a_timeout() {
        let (ours, _theirs) = UnixStream::pair().unwrap();
        let mut qt = Qtest::new(ours, Duration::from_millis(50)).unwrap();
        assert!(matches!(qt.readl(0), Err(QtestError::Timeout)));
        assert!(qt.readl(0).is_err(), "the session stays broken");
    }
}
