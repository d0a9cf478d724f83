//! `uc_error` as a Rust error: chaining, `Result` conversion and `uc_strerror` text.

use crate::bindings::{uc_error, uc_strerror};

impl uc_error {
    /// Runs `op` when `self` is `OK`; otherwise returns `Err(self)` without running it.
    pub fn and_then<U, F: FnOnce() -> Result<U, Self>>(self, op: F) -> Result<U, Self> {
        if self == Self::OK { op() } else { Err(self) }
    }

    /// Returns `res` when `self` is `OK`, otherwise `Err(self)`; `res` is evaluated either way
    /// (see [`uc_error::and_then`] for the lazy form).
    pub fn and<U>(self, res: Result<U, Self>) -> Result<U, Self> {
        if self == Self::OK { res } else { Err(self) }
    }
}

impl From<uc_error> for Result<(), uc_error> {
    fn from(value: uc_error) -> Self {
        if value == uc_error::OK { Ok(()) } else { Err(value) }
    }
}

impl core::fmt::Display for uc_error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // SAFETY: uc_strerror takes any uc_err value and only returns a string literal.
        let text = unsafe { uc_strerror(*self) };
        if text.is_null() {
            return write!(f, "{self:?}");
        }
        // SAFETY: `text` is non-null and points at one of unicorn's static NUL-terminated
        // string literals, which live for the whole program and are never written.
        let text = unsafe { core::ffi::CStr::from_ptr(text) };
        write!(f, "{}", text.to_string_lossy())
    }
}

impl core::error::Error for uc_error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_chains_and_errors_stop() {
        assert_eq!(uc_error::OK.and_then(|| Ok(3)), Ok(3));
        assert_eq!(uc_error::ARCH.and_then(|| Ok(3)), Err(uc_error::ARCH));
        assert_eq!(uc_error::OK.and(Ok(4)), Ok(4));
        assert_eq!(uc_error::MAP.and(Ok(4)), Err(uc_error::MAP));
        assert_eq!(Result::<(), uc_error>::from(uc_error::OK), Ok(()));
        assert_eq!(Result::<(), uc_error>::from(uc_error::NOMEM), Err(uc_error::NOMEM));
    }

    #[test]
    fn display_is_unicorns_text() {
        // Links libunicorn.a: uc_strerror comes from the wheel's library.
        assert_eq!(uc_error::OK.to_string(), "OK (UC_ERR_OK)");
        assert_eq!(uc_error::READ_UNMAPPED.to_string(), "Invalid memory read (UC_ERR_READ_UNMAPPED)");
    }
}
