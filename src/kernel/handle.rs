//! Opaque NDIS handles as Send + Sync values the safe core can store and copy.

use core::ffi::c_void;
use core::ptr::NonNull;

use ndis_sys::NDIS_HANDLE;

/// A non-NULL `NDIS_HANDLE` (miniport adapter handle, driver handle, allocation
/// handle...). The driver never dereferences it; it only hands it back to NDIS.
///
/// # Invariants
/// The wrapped pointer is non-NULL and was produced by NDIS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NdisHandle(NonNull<c_void>);

// SAFETY: an NDIS handle is an opaque token that NDIS accepts from any thread at
// the IRQL each routine documents; the driver never dereferences it.
unsafe impl Send for NdisHandle {}
// SAFETY: as above, sharing the token across threads shares no driver memory.
unsafe impl Sync for NdisHandle {}

impl NdisHandle {
    /// Wraps a handle NDIS gave us; `None` for NULL.
    #[must_use]
    pub fn from_raw(raw: NDIS_HANDLE) -> Option<Self> {
        NonNull::new(raw).map(Self)
    }

    /// The raw handle, for the FFI call that gives it back to NDIS.
    #[must_use]
    pub(crate) fn as_raw(self) -> NDIS_HANDLE {
        self.0.as_ptr()
    }
}
