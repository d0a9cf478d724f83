//! One `NdisAllocateSharedMemory` allocation, owned: freed by `NdisFreeSharedMemory` on drop.
//!
//! What the driver keeps per allocation: allocation handle (to free), shared-memory
//! handle (for receive indications), virtual address, length, usage, contiguity and
//! the scatter-gather list NDIS wrote into our buffer. <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocatesharedmemory>
//!
//! IRQL: allocation and free are PASSIVE_LEVEL only; a `SharedMemory` is
//! therefore dropped only on PASSIVE paths (OID handlers, work items, halt,
//! initialize unwinding), never under a spin lock. ndis-sim enforces it.

use core::mem::{offset_of, size_of};
use core::ptr::NonNull;

use ndis_sys::{
    MM_ANY_NODE_OK, NDIS_HANDLE, NDIS_OBJECT_HEADER, NDIS_OBJECT_TYPE_DEFAULT, NDIS_SHARED_MEM_PARAMETERS_CONTIGUOUS,
    NDIS_SHARED_MEMORY_PARAMETERS, NDIS_SHARED_MEMORY_PARAMETERS_REVISION_2,
    NDIS_SIZEOF_SHARED_MEMORY_PARAMETERS_REVISION_2, NDIS_STATUS, NDIS_STATUS_SUCCESS, NdisAllocateSharedMemory,
    NdisFreeSharedMemory, SCATTER_GATHER_ELEMENT, SCATTER_GATHER_LIST,
};

use super::bytes::{u32_at, u64_at};
use super::pool::{PoolBytes, PoolTag};
use super::{NdisHandle, QueueId};

/// x64 page size; the worst-case SG list has one element per page.
pub const PAGE_SIZE: u32 = 4096;
/// Pool tag of scatter-gather list buffers.
pub const SG_LIST_TAG: PoolTag = PoolTag::new(*b"VqSg");

/// What the memory is for (`NDIS_SHARED_MEMORY_USAGE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharedMemoryUsage {
    /// `NdisSharedMemoryUsageReceive`: receive buffers of a queue.
    Receive,
}

impl SharedMemoryUsage {
    const fn raw(self) -> i32 {
        match self {
            Self::Receive => ndis_sys::NdisSharedMemoryUsageReceive,
        }
    }
}

/// Parameters of one allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedMemoryRequest {
    /// Receive queue the memory belongs to (0 = default queue).
    pub queue: QueueId,
    /// Bytes requested.
    pub length: u32,
    /// Usage.
    pub usage: SharedMemoryUsage,
    /// Ask for `NDIS_SHARED_MEM_PARAMETERS_CONTIGUOUS`; otherwise NDIS may describe
    /// the memory with several scatter-gather elements.
    pub contiguous: bool,
}

/// Why an allocation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharedMemoryError {
    /// The scatter-gather list buffer could not be allocated from pool.
    SgListBuffer,
    /// NDIS refused with this status.
    Ndis(NDIS_STATUS),
    /// NDIS reported success but the result is unusable (NULL address or handle,
    /// a scatter-gather list that overflows our buffer or does not cover the length).
    Malformed,
}

/// One scatter-gather element as NDIS described it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SgElement {
    /// Logical (device) address.
    pub address: u64,
    /// Bytes in this element.
    pub length: u32,
}

/// An owned shared-memory allocation.
///
/// # Invariants
/// `allocation` was returned by `NdisAllocateSharedMemory(owner, ..)` and has not
/// been freed; `va` points to `length` bytes of that allocation; `sg` holds the
/// `SCATTER_GATHER_LIST` NDIS wrote, with `NumberOfElements` within its capacity.
pub struct SharedMemory {
    owner: NdisHandle,
    allocation: NdisHandle,
    shared_memory_handle: NdisHandle,
    va: NonNull<u8>,
    request: SharedMemoryRequest,
    sg: PoolBytes,
}

// SAFETY: the allocation is owned exclusively; NDIS handles are thread-agnostic.
unsafe impl Send for SharedMemory {}
// SAFETY: shared access only reads the descriptor fields.
unsafe impl Sync for SharedMemory {}

const SG_HEADER: usize = size_of::<SCATTER_GATHER_LIST>();
const SG_ELEMENT: usize = size_of::<SCATTER_GATHER_ELEMENT>();

/// Bytes of an SG list buffer for the worst case of `length` bytes (one element per page).
#[must_use]
pub const fn sg_list_buffer_len(length: u32) -> usize {
    SG_HEADER + SG_ELEMENT * length.div_ceil(PAGE_SIZE) as usize
}

impl SharedMemory {
    /// Allocates shared memory with `owner` (the miniport adapter handle). PASSIVE_LEVEL.
    ///
    /// # Errors
    /// See [`SharedMemoryError`]; nothing is left allocated on error.
    pub fn allocate(owner: NdisHandle, request: SharedMemoryRequest) -> Result<Self, SharedMemoryError> {
        let sg_len = sg_list_buffer_len(request.length);
        let mut sg = PoolBytes::zeroed(owner, SG_LIST_TAG, sg_len).ok_or(SharedMemoryError::SgListBuffer)?;
        let capacity = request.length.div_ceil(PAGE_SIZE);
        // The samples set NumberOfElements to the capacity before the call.
        let count_at = offset_of!(SCATTER_GATHER_LIST, NumberOfElements);
        sg.as_mut_slice()[count_at..count_at + 4].copy_from_slice(&capacity.to_le_bytes());

        let mut params = NDIS_SHARED_MEMORY_PARAMETERS {
            Header: NDIS_OBJECT_HEADER::new(
                NDIS_OBJECT_TYPE_DEFAULT,
                NDIS_SHARED_MEMORY_PARAMETERS_REVISION_2,
                NDIS_SIZEOF_SHARED_MEMORY_PARAMETERS_REVISION_2,
            ),
            ..NDIS_SHARED_MEMORY_PARAMETERS::default()
        };
        params.Flags = if request.contiguous { NDIS_SHARED_MEM_PARAMETERS_CONTIGUOUS } else { 0 };
        params.QueueId = request.queue.raw();
        params.PreferredNode = MM_ANY_NODE_OK;
        params.Usage = request.usage.raw();
        params.Length = request.length;
        // CAST: sg_len is at most 16 + 24 * 2^20 for a u32 length: fits in u32.
        params.SGListBufferLength = u32::try_from(sg_len).map_err(|_| SharedMemoryError::Malformed)?;
        params.SGListBuffer = sg.as_mut_ptr().cast();
        params.VPortId = 0; // VMQ miniports must leave VPortId 0.

        let mut allocation: NDIS_HANDLE = core::ptr::null_mut();
        // SAFETY: `params` is a valid revision-2 structure whose SGListBuffer points to
        // `sg_len` writable bytes that outlive the call; `allocation` is a valid out slot.
        let status = unsafe { NdisAllocateSharedMemory(owner.as_raw(), &raw mut params, &raw mut allocation) };
        if status != NDIS_STATUS_SUCCESS {
            return Err(SharedMemoryError::Ndis(status));
        }
        let Some(allocation) = NdisHandle::from_raw(allocation) else {
            return Err(SharedMemoryError::Malformed);
        };
        let (Some(shared_memory_handle), Some(va)) =
            (NdisHandle::from_raw(params.SharedMemoryHandle), NonNull::new(params.VirtualAddress.cast::<u8>()))
        else {
            // SAFETY: NDIS returned this allocation handle for `owner` just above; freed once.
            unsafe { NdisFreeSharedMemory(owner.as_raw(), allocation.as_raw()) };
            return Err(SharedMemoryError::Malformed);
        };
        // From here on `Drop` frees the allocation on every early return.
        let memory = Self { owner, allocation, shared_memory_handle, va, request, sg };
        let covered: u64 = memory.sg_elements().map(|e| u64::from(e.length)).sum();
        let count = memory.sg_element_count();
        if count == 0 || count > capacity || covered < u64::from(request.length) {
            return Err(SharedMemoryError::Malformed);
        }
        Ok(memory)
    }

    /// Bytes allocated.
    #[must_use]
    pub const fn length(&self) -> u32 {
        self.request.length
    }

    /// The handle receive indications carry in `NET_BUFFER_SHARED_MEMORY`.
    #[must_use]
    pub const fn shared_memory_handle(&self) -> NdisHandle {
        self.shared_memory_handle
    }

    /// Number of SG elements NDIS wrote (bounded by our buffer's capacity).
    #[must_use]
    pub fn sg_element_count(&self) -> u32 {
        let capacity = self.request.length.div_ceil(PAGE_SIZE);
        u32_at(self.sg.as_slice(), offset_of!(SCATTER_GATHER_LIST, NumberOfElements)).map_or(0, |n| n.min(capacity))
    }

    /// The scatter-gather elements, read from the list NDIS wrote into our buffer.
    pub fn sg_elements(&self) -> impl Iterator<Item = SgElement> + '_ {
        let bytes = self.sg.as_slice();
        (0..self.sg_element_count() as usize).filter_map(move |i| {
            let at = SG_HEADER + i * SG_ELEMENT;
            Some(SgElement {
                address: u64_at(bytes, at + offset_of!(SCATTER_GATHER_ELEMENT, Address))?,
                length: u32_at(bytes, at + offset_of!(SCATTER_GATHER_ELEMENT, Length))?,
            })
        })
    }

    /// The mapping, for the receive-buffer binding in [`super::nbl`] (kernel-internal).
    pub(super) fn va_ptr(&self) -> NonNull<u8> {
        self.va
    }
}

impl Drop for SharedMemory {
    fn drop(&mut self) {
        // SAFETY: type invariant: `allocation` is live and was allocated with `owner`;
        // this is its only free. Callers drop at PASSIVE_LEVEL (module docs).
        unsafe { NdisFreeSharedMemory(self.owner.as_raw(), self.allocation.as_raw()) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sg_buffer_is_sized_for_one_element_per_page() {
        assert_eq!(sg_list_buffer_len(1), 16 + 24);
        assert_eq!(sg_list_buffer_len(4096), 16 + 24);
        assert_eq!(sg_list_buffer_len(4097), 16 + 48);
        assert_eq!(sg_list_buffer_len(65536), 16 + 24 * 16);
    }
}
