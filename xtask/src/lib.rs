//! `cargo xtask`: cross-builds `vmqnic.sys`, stamps the INF, and checks the image the way a Windows engineer would; see <https://learn.microsoft.com/windows-hardware/drivers/install/driver-packages>.
//!
//! Every step is a library function so the unit tests can drive the checks with faulty
//! inputs: [`inspect`] reads a PE image with the `object` crate, [`allowlist`] reads
//! `crates/ndis-sys/imports.txt`, [`inf`] stamps the `.inx` like `stampinf`, [`layout`] reads
//! ndis-sys's `assert_layout!` numbers and [`pdb_check`] holds them against the PDB.
//! [`cross`] is the one place that sets `--cfg vmqnic_cross`.

#![forbid(unsafe_code)]

pub mod allowlist;
pub mod checks;
pub mod checksum;
pub mod cross;
pub mod inf;
pub mod inspect;
pub mod layout;
pub mod package;
pub mod pdb_check;
pub mod setup;
pub mod workspace;

#[cfg(test)]
mod test_image;

use std::fmt;

/// An xtask failure: a message for the person running the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl Error {
    /// An error with the given message.
    pub fn msg(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(error: std::io::Error) -> Self {
        Self(format!("I/O error: {error}"))
    }
}

impl From<object::Error> for Error {
    fn from(error: object::Error) -> Self {
        Self(format!("PE parse error: {error}"))
    }
}

impl From<pdb2::Error> for Error {
    fn from(error: pdb2::Error) -> Self {
        Self(format!("PDB parse error: {error}"))
    }
}

/// The result type of every xtask step.
pub type Result<T> = std::result::Result<T, Error>;
