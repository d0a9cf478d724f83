//! Checked views of OID payloads: byte offsets come from the bindings, every read is bounds-checked.
//!
//! NDIS does not validate OID-specific contents; the miniport must
//! (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>).
//! These views never cast a pointer: a payload is a byte slice, a field is read
//! at `offset_of!` of the WDK structure, and a short slice yields `None`.

use core::mem::offset_of;

use ndis_sys::{
    NDIS_OBJECT_HEADER, NDIS_OBJECT_TYPE_DEFAULT, NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY,
    NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_PARAMETERS, NDIS_RECEIVE_QUEUE_FREE_PARAMETERS,
    NDIS_RECEIVE_QUEUE_PARAMETERS,
};

use crate::kernel::QueueId;
pub use crate::kernel::bytes::{put_u32, u16_at, u32_at, u64_at};

/// A `usize` length as the `u32` NDIS fields hold (saturating; buffers come from a `u32` length anyway).
#[must_use]
pub fn len_u32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// `NDIS_OBJECT_HEADER`, the first four bytes of every NDIS 6 payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectHeader {
    /// `Type` (e.g. `NDIS_OBJECT_TYPE_DEFAULT`).
    pub kind: u8,
    /// `Revision`.
    pub revision: u8,
    /// `Size` in bytes, as the sender claims it.
    pub size: u16,
}

/// Why a payload's `NDIS_OBJECT_HEADER` was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderError {
    /// The buffer ends before the header does.
    Short,
    /// Type is not `NDIS_OBJECT_TYPE_DEFAULT`, Revision is 0, or Size is below the minimum
    /// of the structure (for its revision).
    Invalid,
}

impl ObjectHeader {
    /// Reads the header at `off`, unchecked.
    #[must_use]
    pub fn read(buf: &[u8], off: usize) -> Option<Self> {
        Some(Self {
            kind: *buf.get(off.checked_add(offset_of!(NDIS_OBJECT_HEADER, Type))?)?,
            revision: *buf.get(off.checked_add(offset_of!(NDIS_OBJECT_HEADER, Revision))?)?,
            size: u16_at(buf, off.checked_add(offset_of!(NDIS_OBJECT_HEADER, Size))?)?,
        })
    }

    /// The check every OID payload of this driver needs: Type `NDIS_OBJECT_TYPE_DEFAULT`,
    /// Revision at least 1, and Size at least `min_size(revision)` (the
    /// `NDIS_SIZEOF_..._REVISION_n` of the structure).
    /// <https://learn.microsoft.com/windows-hardware/drivers/ddi/objectheader/ns-objectheader-ndis_object_header>
    ///
    /// # Errors
    /// [`HeaderError::Invalid`].
    pub fn validate_by_revision(self, min_size: impl FnOnce(u8) -> u32) -> Result<Self, HeaderError> {
        if self.kind != NDIS_OBJECT_TYPE_DEFAULT || self.revision == 0 || u32::from(self.size) < min_size(self.revision)
        {
            return Err(HeaderError::Invalid);
        }
        Ok(self)
    }

    /// [`ObjectHeader::validate_by_revision`] for a structure with one minimum size.
    ///
    /// # Errors
    /// [`HeaderError::Invalid`].
    pub fn validate(self, min_size: u16) -> Result<Self, HeaderError> {
        self.validate_by_revision(|_| u32::from(min_size))
    }

    /// Reads the header at `off` and validates it ([`ObjectHeader::validate_by_revision`]).
    ///
    /// # Errors
    /// [`HeaderError`].
    pub fn checked_by_revision(buf: &[u8], off: usize, min_size: impl FnOnce(u8) -> u32) -> Result<Self, HeaderError> {
        Self::read(buf, off).ok_or(HeaderError::Short)?.validate_by_revision(min_size)
    }

    /// Reads the header at `off` and validates it ([`ObjectHeader::validate`]).
    ///
    /// # Errors
    /// [`HeaderError`].
    pub fn checked(buf: &[u8], off: usize, min_size: u16) -> Result<Self, HeaderError> {
        Self::read(buf, off).ok_or(HeaderError::Short)?.validate(min_size)
    }
}

/// The fields of `NDIS_RECEIVE_QUEUE_PARAMETERS` the driver uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueParameters {
    /// Header as sent.
    pub header: ObjectHeader,
    /// `Flags`.
    pub flags: u32,
    /// `QueueType`.
    pub queue_type: u32,
    /// `QueueId` (assigned by NDIS).
    pub queue_id: QueueId,
    /// `ProcessorAffinity.Mask`.
    pub affinity_mask: u64,
    /// `ProcessorAffinity.Group`.
    pub affinity_group: u16,
    /// `NumSuggestedReceiveBuffers`.
    pub suggested_buffers: u32,
    /// `LookaheadSize`.
    pub lookahead_size: u32,
}

/// Offset of `MSIXTableEntry`, the one output field of ALLOCATE_QUEUE.
pub const QUEUE_PARAMETERS_MSIX_OFFSET: usize = offset_of!(NDIS_RECEIVE_QUEUE_PARAMETERS, MSIXTableEntry);

impl QueueParameters {
    /// Reads the fixed part (through `LookaheadSize`); the names that follow are not used.
    #[must_use]
    pub fn read(buf: &[u8]) -> Option<Self> {
        type P = NDIS_RECEIVE_QUEUE_PARAMETERS;
        let affinity = offset_of!(P, ProcessorAffinity);
        Some(Self {
            header: ObjectHeader::read(buf, 0)?,
            flags: u32_at(buf, offset_of!(P, Flags))?,
            queue_type: u32_at(buf, offset_of!(P, QueueType))?,
            queue_id: QueueId::new(u32_at(buf, offset_of!(P, QueueId))?),
            affinity_mask: u64_at(buf, affinity)?,
            affinity_group: u16_at(buf, affinity + 8)?,
            suggested_buffers: u32_at(buf, offset_of!(P, NumSuggestedReceiveBuffers))?,
            lookahead_size: u32_at(buf, offset_of!(P, LookaheadSize))?,
        })
    }
}

/// `NDIS_RECEIVE_QUEUE_FREE_PARAMETERS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueFreeParameters {
    /// Header as sent.
    pub header: ObjectHeader,
    /// `QueueId` to free.
    pub queue_id: QueueId,
}

impl QueueFreeParameters {
    /// Reads the structure from the start of `buf`.
    #[must_use]
    pub fn read(buf: &[u8]) -> Option<Self> {
        Some(Self {
            header: ObjectHeader::read(buf, 0)?,
            queue_id: QueueId::new(u32_at(buf, offset_of!(NDIS_RECEIVE_QUEUE_FREE_PARAMETERS, QueueId))?),
        })
    }
}

/// `NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY`: where the elements are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompletionArray {
    /// Header as sent.
    pub header: ObjectHeader,
    /// `FirstElementOffset`, from the start of the array structure.
    pub first_element_offset: u32,
    /// `NumElements`.
    pub num_elements: u32,
    /// `ElementSize` (the stride).
    pub element_size: u32,
}

/// Offset of `QueueId` inside one allocation-complete element.
pub const COMPLETION_QUEUE_ID_OFFSET: usize = offset_of!(NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_PARAMETERS, QueueId);
/// Offset of `CompletionStatus` inside one allocation-complete element.
pub const COMPLETION_STATUS_OFFSET: usize =
    offset_of!(NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_PARAMETERS, CompletionStatus);

impl CompletionArray {
    /// Reads the array header from the start of `buf`.
    #[must_use]
    pub fn read(buf: &[u8]) -> Option<Self> {
        type A = NDIS_RECEIVE_QUEUE_ALLOCATION_COMPLETE_ARRAY;
        Some(Self {
            header: ObjectHeader::read(buf, 0)?,
            first_element_offset: u32_at(buf, offset_of!(A, FirstElementOffset))?,
            num_elements: u32_at(buf, offset_of!(A, NumElements))?,
            element_size: u32_at(buf, offset_of!(A, ElementSize))?,
        })
    }

    /// Byte offset of element `index`, if the arithmetic does not overflow.
    #[must_use]
    pub fn element_offset(&self, index: u32) -> Option<usize> {
        let stride = usize::try_from(self.element_size).ok()?;
        let first = usize::try_from(self.first_element_offset).ok()?;
        first.checked_add(stride.checked_mul(usize::try_from(index).ok()?)?)
    }

    /// Total bytes the array claims to span: `FirstElementOffset + NumElements * ElementSize`.
    #[must_use]
    pub fn span(&self) -> Option<usize> {
        self.element_offset(self.num_elements)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_bounds_checked() {
        let buf = [1u8, 2, 3];
        assert_eq!(u16_at(&buf, 1), Some(0x0302));
        assert_eq!(u16_at(&buf, 2), None);
        assert_eq!(u32_at(&buf, 0), None);
        assert_eq!(u64_at(&buf, usize::MAX), None);
        let mut out = [0u8; 4];
        assert!(put_u32(&mut out, 0, 0xAABB_CCDD));
        assert_eq!(out, [0xDD, 0xCC, 0xBB, 0xAA]);
        assert!(!put_u32(&mut out, 1, 0));
        assert!(!put_u32(&mut out, usize::MAX - 1, 0));
    }

    #[test]
    fn header_layout_is_type_revision_size() {
        let buf = [0x80u8, 2, 0x44, 0x04];
        let h = ObjectHeader::read(&buf, 0);
        assert_eq!(h, Some(ObjectHeader { kind: 0x80, revision: 2, size: 0x0444 }));
        assert_eq!(ObjectHeader::read(&buf, 1), None);
    }

    #[test]
    fn completion_array_span_overflow_is_none() {
        let a = CompletionArray {
            header: ObjectHeader { kind: 0x80, revision: 1, size: 20 },
            first_element_offset: u32::MAX,
            num_elements: u32::MAX,
            element_size: u32::MAX,
        };
        // On 64-bit this does not overflow usize but is far beyond any buffer.
        assert!(a.span().is_none_or(|s| s > u32::MAX as usize));
        let b = CompletionArray { first_element_offset: 20, num_elements: 3, element_size: 16, ..a };
        assert_eq!(b.element_offset(2), Some(52));
        assert_eq!(b.span(), Some(68));
    }

    #[test]
    fn header_check_wants_default_type_a_revision_and_the_size_of_that_revision() {
        let buf = [0x80u8, 2, 40, 0];
        assert_eq!(ObjectHeader::checked(&buf, 0, 40).map(|h| h.size), Ok(40));
        assert_eq!(ObjectHeader::checked(&buf, 0, 41), Err(HeaderError::Invalid));
        assert_eq!(ObjectHeader::checked(&buf[..3], 0, 4), Err(HeaderError::Short));
        assert_eq!(ObjectHeader::checked(&[0x81, 2, 40, 0], 0, 4), Err(HeaderError::Invalid));
        assert_eq!(ObjectHeader::checked(&[0x80, 0, 40, 0], 0, 4), Err(HeaderError::Invalid));
        let by_revision = |revision: u8| if revision >= 2 { 40 } else { 20 };
        assert!(ObjectHeader::checked_by_revision(&buf, 0, by_revision).is_ok());
        assert!(ObjectHeader::checked_by_revision(&[0x80, 2, 39, 0], 0, by_revision).is_err());
        assert!(ObjectHeader::checked_by_revision(&[0x80, 1, 20, 0], 0, by_revision).is_ok());
    }
}
