//! [`QemuError`]: what can go wrong starting, driving or stopping the QEMU-backed device.

use std::fmt;
use std::io;
use std::time::Duration;

use super::qtest_line::QtestError;

/// The Debian command that installs a QEMU with the `igb` device on this project's machines.
pub const INSTALL_HINT: &str = "install it with `apt-get install -t bookworm-backports qemu-system-x86` \
     (Debian package qemu-system-x86 from the bookworm-backports suite; bookworm's own 7.2 has no igb)";

/// An error of the QEMU layer; the variants say which step failed.
#[derive(Debug)]
pub enum QemuError {
    /// `qemu-system-x86_64` is neither on PATH nor named by `VMQNIC_QEMU` (the message names
    /// the package to install).
    NotInstalled,
    /// The QEMU found is too old or lacks the `igb` device.
    Unsuitable {
        /// What was found, e.g. the version line.
        found: String,
    },
    /// An operating-system call failed.
    Io {
        /// The step, e.g. "bind the qtest socket".
        what: &'static str,
        /// The OS error.
        source: io::Error,
    },
    /// QEMU exited before or while it was being driven.
    Exited {
        /// Its exit status, as text.
        status: String,
        /// The end of its standard error.
        stderr: String,
    },
    /// A bounded wait ran out.
    Timeout {
        /// What was awaited.
        what: &'static str,
        /// How long.
        after: Duration,
    },
    /// A qtest request was refused or its reply was not understood.
    Qtest(QtestError),
    /// A QMP command failed.
    Qmp(String),
    /// PCI bring-up failed (device missing, BAR or capability unusable).
    Pci(String),
    /// Guest RAM: an access outside the RAM file, or no free block of the size asked for.
    GuestRam(String),
}

impl QemuError {
    pub(crate) fn io(what: &'static str) -> impl FnOnce(io::Error) -> Self {
        move |source| Self::Io { what, source }
    }
}

impl fmt::Display for QemuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotInstalled => {
                write!(f, "qemu-system-x86_64 not found (PATH, or the file VMQNIC_QEMU names): {INSTALL_HINT}")
            }
            Self::Unsuitable { found } => {
                write!(
                    f,
                    "qemu-system-x86_64 is unsuitable ({found}): it needs version >= 8.0 with the igb device; {INSTALL_HINT}"
                )
            }
            Self::Io { what, source } => write!(f, "{what}: {source}"),
            Self::Exited { status, stderr } => write!(f, "QEMU exited ({status}); stderr: {stderr}"),
            Self::Timeout { what, after } => write!(f, "timed out after {after:?} waiting for {what}"),
            Self::Qtest(e) => write!(f, "qtest: {e}"),
            Self::Qmp(e) => write!(f, "QMP: {e}"),
            Self::Pci(e) => write!(f, "PCI: {e}"),
            Self::GuestRam(e) => write!(f, "guest RAM: {e}"),
        }
    }
}

impl std::error::Error for QemuError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            Self::Qtest(e) => Some(e),
            _ => None,
        }
    }
}

impl From<QtestError> for QemuError {
    fn from(e: QtestError) -> Self {
        Self::Qtest(e)
    }
}
