//! [`Qmp`]: the few QEMU Machine Protocol commands the simulated host needs (`set_link`).
//!
//! Replies are one JSON object a line: `{"return": ...}`, `{"error": ...}`, or an event
//! (`{"timestamp": ..., "event": ...}`), which is skipped. Arguments are only identifiers and
//! booleans, so requests are formatted by hand from validated values.

use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use super::error::QemuError;

/// A QMP session in command mode.
#[derive(Debug)]
pub struct Qmp {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
    timeout: Duration,
}

/// Whether `name` is a QEMU identifier (letters, digits, `-`, `_`, `.`), safe to put in JSON.
fn is_identifier(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

impl Qmp {
    /// Connects to QEMU's QMP socket at `path` (retrying until `deadline`), reads the greeting
    /// and enters command mode with `qmp_capabilities`.
    pub fn connect(path: &Path, deadline: Instant, timeout: Duration) -> Result<Self, QemuError> {
        let stream = loop {
            match UnixStream::connect(path) {
                Ok(stream) => break stream,
                Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(2)),
                Err(source) => return Err(QemuError::Io { what: "connect to the QMP socket", source }),
            }
        };
        stream.set_read_timeout(Some(timeout)).map_err(QemuError::io("QMP socket timeout"))?;
        let writer = stream.try_clone().map_err(QemuError::io("clone the QMP socket"))?;
        let mut qmp = Self { reader: BufReader::new(stream), writer, timeout };
        let greeting = qmp.line()?;
        if !greeting.contains("\"QMP\"") {
            return Err(QemuError::Qmp(format!("unexpected greeting {greeting}")));
        }
        qmp.execute("qmp_capabilities", "")?;
        Ok(qmp)
    }

    fn line(&mut self) -> Result<String, QemuError> {
        let mut text = String::new();
        match self.reader.read_line(&mut text) {
            Ok(0) => Err(QemuError::Qmp("QEMU closed the QMP socket".into())),
            Ok(_) => Ok(text),
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                Err(QemuError::Timeout { what: "a QMP reply", after: self.timeout })
            }
            Err(source) => Err(QemuError::Io { what: "read the QMP socket", source }),
        }
    }

    /// Runs `command` with `arguments` (JSON object members, already formatted, or empty).
    fn execute(&mut self, command: &str, arguments: &str) -> Result<(), QemuError> {
        let request = if arguments.is_empty() {
            format!("{{\"execute\":\"{command}\"}}\n")
        } else {
            format!("{{\"execute\":\"{command}\",\"arguments\":{{{arguments}}}}}\n")
        };
        self.writer.write_all(request.as_bytes()).map_err(QemuError::io("write the QMP socket"))?;
        loop {
            let reply = self.line()?;
            let reply = reply.trim_start();
            if reply.starts_with("{\"return\"") {
                return Ok(());
            }
            if reply.starts_with("{\"error\"") {
                return Err(QemuError::Qmp(format!("{command}: {}", reply.trim_end())));
            }
        }
    }

    /// `set_link`: brings the link of the NIC or netdev `name` up or down, as pulling the cable.
    pub fn set_link(&mut self, name: &str, up: bool) -> Result<(), QemuError> {
        if !is_identifier(name) {
            return Err(QemuError::Qmp(format!("{name:?} is not a QEMU identifier")));
        }
        self.execute("set_link", &format!("\"name\":\"{name}\",\"up\":{up}"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn only_identifiers_reach_the_json() {
        assert!(is_identifier("n0"));
        assert!(is_identifier("nic-0.a_b"));
        assert!(!is_identifier(""));
        assert!(!is_identifier("n0\",\"up\":true"));
        assert!(!is_identifier("a b"));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod session_tests {
    use std::io::{BufRead, BufReader, Write};
    use std::os::unix::net::UnixListener;
    use std::thread;

    use super::*;

    #[test]
    fn greeting_capabilities_events_and_errors() {
        let path = std::env::temp_dir().join(format!("vmqnic-qmp-test-{}.sock", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let listener = UnixListener::bind(&path).unwrap();
        let qemu = thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut writer = stream;
            writer.write_all(b"{\"QMP\": {\"version\": {}, \"capabilities\": []}}\n").unwrap();
            let mut seen = Vec::new();
            let replies: [&[u8]; 3] = [
                b"{\"return\": {}}\n",
                b"{\"timestamp\": {}, \"event\": \"NIC_RX_FILTER_CHANGED\"}\n{\"return\": {}}\n",
                b"{\"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Device 'x' not found\"}}\n",
            ];
            for reply in replies {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                seen.push(line);
                writer.write_all(reply).unwrap();
            }
            seen
        });
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut qmp = Qmp::connect(&path, deadline, Duration::from_secs(5)).unwrap();
        qmp.set_link("n0", false).unwrap();
        let err = qmp.set_link("x", true).unwrap_err();
        assert!(err.to_string().contains("DeviceNotFound"), "{err}");
        assert_eq!(
            qemu.join().unwrap(),
            [
                "{\"execute\":\"qmp_capabilities\"}\n",
                "{\"execute\":\"set_link\",\"arguments\":{\"name\":\"n0\",\"up\":false}}\n",
                "{\"execute\":\"set_link\",\"arguments\":{\"name\":\"x\",\"up\":true}}\n",
            ]
        );
        std::fs::remove_file(&path).unwrap();
    }
}
