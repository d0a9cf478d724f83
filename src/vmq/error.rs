//! Typed errors of the VMQ core and their one conversion to `NDIS_STATUS`.
//!
//! Every operation returns a small error enum that says what went wrong in the
//! driver's terms; the translation to the status NDIS expects happens here and
//! nowhere else, so the documented status of each case is in one table.
//! <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-status-codes>

use ndis_sys::{
    NDIS_STATUS, NDIS_STATUS_BUFFER_TOO_SHORT, NDIS_STATUS_FAILURE, NDIS_STATUS_INVALID_DATA,
    NDIS_STATUS_INVALID_LENGTH, NDIS_STATUS_INVALID_PARAMETER, NDIS_STATUS_NOT_ACCEPTED, NDIS_STATUS_NOT_SUPPORTED,
    NDIS_STATUS_RESOURCES,
};

use super::wire::HeaderError;
use crate::kernel::shared_memory::SharedMemoryError;

/// Why an OID request was refused. `needed` values become `BytesNeeded`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OidError {
    /// The OID, request type or requested feature is not offered by this adapter.
    NotSupported,
    /// A method/set input buffer is shorter than the payload requires.
    InvalidLength {
        /// Bytes the request needs (reported as `BytesNeeded`).
        needed: u32,
    },
    /// A query output buffer is shorter than the answer.
    BufferTooShort {
        /// Bytes the answer needs (reported as `BytesNeeded`).
        needed: u32,
    },
    /// A header, type, flag or identifier in the payload is not acceptable.
    InvalidParameter,
    /// A value in the payload is out of range.
    InvalidData,
    /// A pool or shared-memory allocation failed.
    Resources,
    /// The request cannot be accepted now (e.g. the device is surprise-removed) and
    /// for OIDs that must not fail (FREE_QUEUE, CLEAR_FILTER) the allowed refusal.
    NotAccepted,
}

impl OidError {
    /// The `NDIS_STATUS` NDIS documents for this case.
    #[must_use]
    pub const fn status(self) -> NDIS_STATUS {
        match self {
            Self::NotSupported => NDIS_STATUS_NOT_SUPPORTED,
            Self::InvalidLength { .. } => NDIS_STATUS_INVALID_LENGTH,
            Self::BufferTooShort { .. } => NDIS_STATUS_BUFFER_TOO_SHORT,
            Self::InvalidParameter => NDIS_STATUS_INVALID_PARAMETER,
            Self::InvalidData => NDIS_STATUS_INVALID_DATA,
            Self::Resources => NDIS_STATUS_RESOURCES,
            Self::NotAccepted => NDIS_STATUS_NOT_ACCEPTED,
        }
    }

    /// A refused `NDIS_OBJECT_HEADER`: a buffer too short for it needs `needed` bytes.
    #[must_use]
    pub const fn from_header(error: HeaderError, needed: u32) -> Self {
        match error {
            HeaderError::Short => Self::InvalidLength { needed },
            HeaderError::Invalid => Self::InvalidParameter,
        }
    }

    /// The `BytesNeeded` value that goes with this error (0 when none applies).
    #[must_use]
    pub const fn bytes_needed(self) -> u32 {
        match self {
            Self::InvalidLength { needed } | Self::BufferTooShort { needed } => needed,
            _ => 0,
        }
    }
}

/// Why `MiniportInitializeEx` failed; everything taken before the failure is released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitError {
    /// A pool allocation (adapter context, queue table) failed.
    Resources,
    /// `NdisAllocateSharedMemory` for the default queue failed with this status.
    SharedMemory(NDIS_STATUS),
    /// `NdisMSetMiniportAttributes` refused one of our attribute blocks.
    Attributes(NDIS_STATUS),
    /// `NdisMRegisterScatterGatherDma` failed (bus-master back ends only).
    ScatterGatherDma(NDIS_STATUS),
    /// The configuration (registry keywords) could not be opened.
    Configuration(NDIS_STATUS),
    /// The NIC did not come up (its resources, its registers, or `NdisMRegisterInterruptEx`
    /// with this status; 0 when there is no NDIS status).
    Hardware(NDIS_STATUS),
}

impl InitError {
    /// The status `MiniportInitializeEx` returns for this failure.
    #[must_use]
    pub const fn status(self) -> NDIS_STATUS {
        match self {
            Self::Resources => NDIS_STATUS_RESOURCES,
            Self::SharedMemory(s)
            | Self::Attributes(s)
            | Self::ScatterGatherDma(s)
            | Self::Configuration(s)
            | Self::Hardware(s) => {
                if s == 0 {
                    NDIS_STATUS_FAILURE
                } else {
                    s
                }
            }
        }
    }
}

/// Why a queue's receive memory could not grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrowError {
    /// NDIS (or the SG buffer pool allocation) failed.
    Allocation(SharedMemoryError),
    /// An MDL, NBL or descriptor block could not be allocated.
    Buffers,
    /// The queue has no room for more allocations.
    Full,
}

impl GrowError {
    /// The status a failed grow reports (a queue's `CompletionStatus`).
    #[must_use]
    pub const fn status(self) -> NDIS_STATUS {
        match self {
            Self::Allocation(SharedMemoryError::Ndis(status)) => status,
            Self::Allocation(SharedMemoryError::SgListBuffer) | Self::Full | Self::Buffers => NDIS_STATUS_RESOURCES,
            Self::Allocation(SharedMemoryError::Malformed) => NDIS_STATUS_FAILURE,
        }
    }
}

impl From<GrowError> for InitError {
    /// The default queue's memory could not be allocated in MiniportInitializeEx.
    fn from(error: GrowError) -> Self {
        match error.status() {
            NDIS_STATUS_RESOURCES => Self::Resources,
            status => Self::SharedMemory(status),
        }
    }
}

/// Why one queue of OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE failed: its `CompletionStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionError {
    /// The element is malformed, names no queue, or the queue is already complete.
    InvalidParameter,
    /// The queue's shared memory could not be allocated.
    Grow(GrowError),
}

impl CompletionError {
    /// The `CompletionStatus` written for this queue.
    #[must_use]
    pub const fn status(self) -> NDIS_STATUS {
        match self {
            Self::InvalidParameter => NDIS_STATUS_INVALID_PARAMETER,
            Self::Grow(error) => error.status(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_needed_only_for_length_errors() {
        assert_eq!(OidError::InvalidLength { needed: 20 }.bytes_needed(), 20);
        assert_eq!(OidError::BufferTooShort { needed: 4 }.bytes_needed(), 4);
        assert_eq!(OidError::InvalidParameter.bytes_needed(), 0);
        assert_eq!(OidError::Resources.bytes_needed(), 0);
    }

    #[test]
    fn statuses_are_the_documented_ones() {
        assert_eq!(OidError::InvalidLength { needed: 1 }.status(), NDIS_STATUS_INVALID_LENGTH);
        assert_eq!(OidError::NotAccepted.status(), NDIS_STATUS_NOT_ACCEPTED);
        assert_eq!(InitError::Resources.status(), NDIS_STATUS_RESOURCES);
        // A "success" status coming back from a failed step must not make init succeed.
        assert_eq!(InitError::SharedMemory(0).status(), NDIS_STATUS_FAILURE);
    }

    #[test]
    fn grow_failures_keep_ndis_status_and_map_the_rest_to_resources() {
        let refused = GrowError::Allocation(SharedMemoryError::Ndis(NDIS_STATUS_INVALID_LENGTH));
        assert_eq!(refused.status(), NDIS_STATUS_INVALID_LENGTH);
        assert_eq!(GrowError::Full.status(), NDIS_STATUS_RESOURCES);
        assert_eq!(GrowError::Allocation(SharedMemoryError::Malformed).status(), NDIS_STATUS_FAILURE);
        assert_eq!(InitError::from(GrowError::Buffers), InitError::Resources);
        assert_eq!(InitError::from(refused), InitError::SharedMemory(NDIS_STATUS_INVALID_LENGTH));
        assert_eq!(CompletionError::Grow(GrowError::Full).status(), NDIS_STATUS_RESOURCES);
        assert_eq!(CompletionError::InvalidParameter.status(), NDIS_STATUS_INVALID_PARAMETER);
        assert_eq!(OidError::from_header(HeaderError::Short, 12), OidError::InvalidLength { needed: 12 });
        assert_eq!(OidError::from_header(HeaderError::Invalid, 12), OidError::InvalidParameter);
    }
}
