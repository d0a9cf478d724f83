//! Receive NBLs bound once to shared-memory buffers, their indication, and the return path.
//!
//! Each receive buffer of a queue is a stride of one shared-memory allocation. At
//! allocation time it gets an MDL (`NdisAllocateMdl`), an NBL with one NET_BUFFER
//! (`NdisAllocateNetBufferAndNetBufferList`), and a `NET_BUFFER_SHARED_MEMORY`
//! (handle, offset, length) the NB points to; the NBL carries the queue id in its
//! filtering OOB and a token in `MiniportReserved[0]` that finds the buffer again
//! on return. On the hot path only the frame copy and the lengths change: no
//! allocation, no lock taken here, nothing read back from shared memory.
//! <https://learn.microsoft.com/windows-hardware/drivers/network/vmq-receive-path>
//!
//! A frame longer than one buffer (a jumbo frame, `*JumboPacket` above 1514) is received into
//! several buffers of the same queue and indicated as the first buffer's NBL with one
//! NET_BUFFER whose MDL chain is the buffers' MDLs in order (`MDL.Next`) and whose
//! `NET_BUFFER_SHARED_MEMORY` entries are chained the same way (`NextSharedMemorySegment`),
//! each segment in its buffer's own shared-memory allocation; every MDL and segment says how
//! many bytes of the frame its buffer holds ([`RxBlock::write_segment`],
//! [`RxBlock::fill_head`]). Linking is pointer writes into objects bound at allocation time:
//! nothing is allocated per frame.
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/nbl/ns-nbl-net_buffer_shared_memory>
//! <https://learn.microsoft.com/windows-hardware/drivers/network/shared-memory-in-receive-buffers>
//!
//! IRQL: allocation and free at PASSIVE_LEVEL (with the queue's shared memory);
//! write, complete, indicate and the return walk at <= DISPATCH_LEVEL.

use core::mem::size_of;
use core::ptr::{self, NonNull};

use ndis_sys::{
    Ieee8021QNetBufferListInfo, MDL, NDIS_OBJECT_HEADER, NDIS_OBJECT_TYPE_DEFAULT, NDIS_PROTOCOL_ID_DEFAULT,
    NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NDIS_STATUS_SUCCESS, NET_BUFFER_LIST,
    NET_BUFFER_LIST_POOL_PARAMETERS, NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, NET_BUFFER_SHARED_MEMORY,
    NdisAllocateMdl, NdisAllocateNetBufferAndNetBufferList, NdisAllocateNetBufferListPool, NdisFreeMdl,
    NdisFreeNetBufferList, NdisFreeNetBufferListPool, NdisGetSharedDataAlignment, NdisMIndicateReceiveNetBufferLists,
    NetBufferListFilteringInfo,
};

use super::pool::{PoolBox, PoolTag};
use super::shared_memory::{PAGE_SIZE, SgElement, SharedMemory};
use super::{NdisHandle, QueueId};

/// Bytes of one receive buffer: a 1514-byte frame plus an 802.1Q tag, rounded to a
/// power of two so a buffer never crosses a page (and hence an SG element).
pub const RX_BUFFER_BYTES: u32 = 2048;
/// Bytes of a received frame's header the driver may read back from a NIC-written buffer:
/// two addresses and an 802.1Q tag.
pub const HEADER_PEEK: usize = 16;
/// Buffers per shared-memory block (blocks are at most 64 KiB).
pub const BUFFERS_PER_BLOCK: usize = 32;
/// Pool tag of the NBL pool.
pub const NBL_POOL_TAG: PoolTag = PoolTag::new(*b"VqNb");
/// Pool tag of receive-block descriptors.
pub const RX_BLOCK_TAG: PoolTag = PoolTag::new(*b"VqRx");

/// The adapter's NBL pool (`NdisAllocateNetBufferListPool`), freed on drop.
pub struct NblPool(NdisHandle);

impl NblPool {
    /// Allocates the pool (NBLs with one NET_BUFFER each). IRQL <= DISPATCH_LEVEL.
    #[must_use]
    pub fn allocate(adapter: NdisHandle) -> Option<Self> {
        let mut params = NET_BUFFER_LIST_POOL_PARAMETERS {
            Header: NDIS_OBJECT_HEADER::new(
                NDIS_OBJECT_TYPE_DEFAULT,
                NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1,
                NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1,
            ),
            ..NET_BUFFER_LIST_POOL_PARAMETERS::default()
        };
        params.ProtocolId = NDIS_PROTOCOL_ID_DEFAULT;
        params.fAllocateNetBuffer = 1;
        params.ContextSize = 0;
        params.PoolTag = NBL_POOL_TAG.value();
        params.DataSize = 0;
        // SAFETY: `params` is a valid revision-1 structure for the duration of the call.
        let handle = unsafe { NdisAllocateNetBufferListPool(adapter.as_raw(), &raw mut params) };
        NdisHandle::from_raw(handle).map(Self)
    }
}

impl Drop for NblPool {
    fn drop(&mut self) {
        // SAFETY: the handle came from NdisAllocateNetBufferListPool; every NBL of the pool
        // was freed before (receive blocks are dropped with the adapter state, first).
        unsafe { NdisFreeNetBufferListPool(self.0.as_raw()) };
    }
}

/// `NdisGetSharedDataAlignment`, at least 1. IRQL <= DISPATCH_LEVEL.
#[must_use]
pub fn shared_data_alignment() -> u32 {
    // SAFETY: no arguments; callable at any IRQL <= DISPATCH_LEVEL.
    unsafe { NdisGetSharedDataAlignment() }.max(1)
}

/// The distance between receive buffers: [`RX_BUFFER_BYTES`] rounded up to the shared-data alignment.
#[must_use]
pub fn buffer_stride(alignment: u32) -> u32 {
    RX_BUFFER_BYTES.div_ceil(alignment).saturating_mul(alignment)
}

/// A returned or indicated NBL, as the opaque value the core passes around.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RxNbl(NonNull<NET_BUFFER_LIST>);

// SAFETY: an NBL is handed between CPUs by NDIS; ownership is tracked by the core's receive-memory books (vmq::rx_memory).
unsafe impl Send for RxNbl {}

/// The MDL and `NET_BUFFER_SHARED_MEMORY` of a filled buffer that is not the first of its
/// frame: what the previous buffer's MDL and segment link to. Only [`RxBlock::write_segment`]
/// makes one; it points into the descriptor block of a buffer of the same queue, which lives
/// as long as the queue's receive memory.
#[derive(Debug, Clone, Copy)]
pub struct RxSegment {
    mdl: NonNull<MDL>,
    shared: NonNull<NET_BUFFER_SHARED_MEMORY>,
}

/// One buffer: its NBL, MDL, mapping and shared-memory descriptor.
struct RxSlot {
    nbl: *mut NET_BUFFER_LIST,
    mdl: *mut MDL,
    va: *mut u8,
    shared: NET_BUFFER_SHARED_MEMORY,
}

impl RxSlot {
    const EMPTY: Self = Self {
        nbl: ptr::null_mut(),
        mdl: ptr::null_mut(),
        va: ptr::null_mut(),
        shared: NET_BUFFER_SHARED_MEMORY {
            NextSharedMemorySegment: ptr::null_mut(),
            SharedMemoryFlags: 0,
            SharedMemoryHandle: ptr::null_mut(),
            SharedMemoryOffset: 0,
            SharedMemoryLength: 0,
        },
    };
}

/// The descriptor block, an MDL or an NBL could not be allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RxBlockError;

/// A receive buffer of one queue: block `index / 32`, buffer `index % 32` of that block. The
/// index a NIC descriptor would carry back with its completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferIndex(u16);

impl BufferIndex {
    /// Buffer `within` of block `block`.
    #[must_use]
    pub const fn new(block: usize, within: usize) -> Self {
        // CAST: block < 32, within < 32.
        Self((block * BUFFERS_PER_BLOCK + within) as u16)
    }

    /// The block (shared-memory allocation) number.
    #[must_use]
    pub const fn block(self) -> usize {
        self.0 as usize / BUFFERS_PER_BLOCK
    }

    /// The buffer within its block.
    #[must_use]
    pub const fn within(self) -> usize {
        self.0 as usize % BUFFERS_PER_BLOCK
    }

    /// The index as a descriptor or free-stack entry holds it.
    #[must_use]
    pub const fn raw(self) -> u16 {
        self.0
    }

    /// The index a descriptor or free-stack entry holds.
    #[must_use]
    pub const fn from_raw(raw: u16) -> Self {
        Self(raw)
    }
}

/// Where a receive buffer lives, for a NIC that DMAs into it (NIC receive descriptors
/// take the logical address; the shared-memory offset is what the NBL describes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferLocation {
    /// Logical (device) address of the buffer's first byte, from the allocation's SG list.
    pub logical_address: u64,
    /// Offset of the buffer in its shared-memory allocation.
    pub offset: u32,
    /// Bytes the buffer holds.
    pub length: u32,
}

/// The logical address of byte `offset` of an allocation described by `elements`
/// (`None` past the last element).
fn logical_address(elements: impl Iterator<Item = SgElement>, offset: u64) -> Option<u64> {
    let mut start = 0u64;
    for element in elements {
        let end = start + u64::from(element.length);
        if offset < end {
            return Some(element.address + (offset - start));
        }
        start = end;
    }
    None
}

/// One shared-memory allocation and the receive buffers bound to it, once.
///
/// # Invariants
/// `slots[..len]` hold an NBL and MDL allocated for a buffer inside `memory`, which is
/// freed after them (`Drop` frees the NBLs and MDLs, then the fields drop);
/// NB.SharedMemoryInfo points into `slots` (pool memory that never moves).
pub struct RxBlock {
    slots: PoolBox<[RxSlot; BUFFERS_PER_BLOCK]>,
    len: usize,
    stride: u32,
    memory: SharedMemory,
}

// SAFETY: the block owns its NBLs/MDLs; the core serializes access under the adapter lock.
unsafe impl Send for RxBlock {}
// SAFETY: shared access only reads descriptor values.
unsafe impl Sync for RxBlock {}

impl RxBlock {
    /// Takes `memory` and binds every buffer of it (PASSIVE_LEVEL). `token(i)` is stored
    /// in the i-th NBL's `MiniportReserved[0]`. On failure everything, `memory` included,
    /// is freed.
    ///
    /// # Errors
    /// [`RxBlockError`].
    pub fn new(
        adapter: NdisHandle,
        pool: &NblPool,
        memory: SharedMemory,
        queue: QueueId,
        stride: u32,
        token: impl Fn(usize) -> usize,
    ) -> Result<Self, RxBlockError> {
        let slots =
            PoolBox::try_new(adapter, RX_BLOCK_TAG, [RxSlot::EMPTY; BUFFERS_PER_BLOCK]).map_err(|_| RxBlockError)?;
        let count = (memory.length() / stride.max(1)) as usize;
        let base = memory.va_ptr().as_ptr();
        let handle = memory.shared_memory_handle().as_raw();
        let mut block = Self { slots, len: 0, stride, memory };
        for i in 0..count.min(BUFFERS_PER_BLOCK) {
            // CAST: i < 32 and stride <= 64 KiB: the offset fits in u32.
            let offset = (i as u32) * stride;
            // SAFETY: `offset + RX_BUFFER_BYTES <= length`: the buffer is inside the allocation.
            let va = unsafe { base.add(offset as usize) };
            // SAFETY: `va` maps RX_BUFFER_BYTES bytes of shared memory owned by this adapter.
            let mdl = unsafe { NdisAllocateMdl(adapter.as_raw(), va.cast(), RX_BUFFER_BYTES) };
            if mdl.is_null() {
                return Err(RxBlockError);
            }
            // SAFETY: `pool` is a live NBL pool; the MDL describes the buffer.
            let nbl = unsafe { NdisAllocateNetBufferAndNetBufferList(pool.0.as_raw(), 0, 0, mdl, 0, 0) };
            if nbl.is_null() {
                // SAFETY: the MDL was allocated just above and is not referenced elsewhere.
                unsafe { NdisFreeMdl(mdl) };
                return Err(RxBlockError);
            }
            let slot = &mut block.slots[i];
            slot.nbl = nbl;
            slot.mdl = mdl;
            slot.va = va;
            slot.shared.SharedMemoryHandle = handle;
            slot.shared.SharedMemoryOffset = offset;
            slot.shared.SharedMemoryLength = RX_BUFFER_BYTES;
            let shared: *mut NET_BUFFER_SHARED_MEMORY = &raw mut slot.shared;
            block.len = i + 1;
            // SAFETY: NDIS returned a valid NBL with one NET_BUFFER; we own both.
            let nbl = unsafe { &mut *nbl };
            nbl.SourceHandle = adapter.as_raw();
            nbl.MiniportReserved[0] = token(i) as *mut core::ffi::c_void;
            let filtering = &mut nbl.NetBufferListInfo[NetBufferListFilteringInfo as usize];
            // FilterId 0 at +0 and the USHORT QueueId at +2 of NDIS_NET_BUFFER_LIST_FILTERING_INFO.
            // CAST: NDIS queue ids of VM queues are small; the OOB field is a USHORT.
            *filtering = ((queue.raw() as u16 as usize) << 16) as *mut core::ffi::c_void;
            // SAFETY: the NBL's first NET_BUFFER was allocated with it.
            let nb = unsafe { &mut *nbl.FirstNetBuffer };
            nb.SharedMemoryInfo = shared;
        }
        Ok(block)
    }

    /// Buffers in this block.
    #[must_use]
    pub(crate) const fn len(&self) -> usize {
        self.len
    }

    /// Where buffer `index` lives, for a NIC that DMAs into it (computed from the SG list
    /// NDIS wrote; nothing on the copy path asks for it).
    #[must_use]
    pub fn location(&self, index: usize) -> Option<BufferLocation> {
        if index >= self.len {
            return None;
        }
        // CAST: index < 32 and stride <= 64 KiB: the offset fits in u32.
        let offset = index as u32 * self.stride;
        Some(BufferLocation {
            logical_address: logical_address(self.memory.sg_elements(), u64::from(offset))?,
            offset,
            length: self.capacity(),
        })
    }

    /// Bytes one buffer holds.
    const fn capacity(&self) -> u32 {
        if RX_BUFFER_BYTES < self.stride { RX_BUFFER_BYTES } else { self.stride }
    }

    /// The software NIC's "DMA" and completion in one: copies `frame` into buffer `index`
    /// and readies its NBL for indication. `None` when the frame does not fit or the index
    /// is out of range.
    pub fn fill(&mut self, index: usize, frame: &[u8]) -> Option<RxNbl> {
        self.fill_parts(index, frame, &[], 0)
    }

    /// Like [`Self::fill`] for a frame given as `head` then `tail` (a frame whose 802.1Q tag
    /// the caller cut out), with `ieee8021q` as the NBL's
    /// `NetBufferListInfo[Ieee8021QNetBufferListInfo]` (the `NDIS_NET_BUFFER_LIST_8021Q_INFO`
    /// value; 0 = no tag).
    pub fn fill_parts(&mut self, index: usize, head: &[u8], tail: &[u8], ieee8021q: usize) -> Option<RxNbl> {
        // CAST: a buffer holds at most 2048 bytes (checked in `fill_head`).
        let len = (head.len() + tail.len()) as u32;
        self.fill_head(index, head, tail, None, len, ieee8021q)
    }

    /// Copies `head` then `tail` into buffer `index` (at most one buffer's worth) and links its
    /// MDL and `NET_BUFFER_SHARED_MEMORY` to `next` (the following buffer of the same frame;
    /// `None` for the last): a middle or last buffer of a frame longer than one buffer.
    /// Returns what the previous buffer links to; `None` when the bytes do not fit or the
    /// index is out of range (nothing changes then).
    pub fn write_segment(
        &mut self,
        index: usize,
        head: &[u8],
        tail: &[u8],
        next: Option<RxSegment>,
    ) -> Option<RxSegment> {
        let len = self.copy_into(index, head, tail)?;
        let slot = &mut self.slots[index];
        slot.link(len, next);
        Some(RxSegment { mdl: NonNull::new(slot.mdl)?, shared: NonNull::from(&mut slot.shared) })
    }

    /// The first (or only) buffer of a frame: copies `head` then `tail` into buffer `index`,
    /// links it to `next` (the frame's second buffer, from [`Self::write_segment`]; `None`
    /// when the frame fits this buffer) and readies its NBL for indication with DataLength
    /// `data_length` (the whole frame) and `ieee8021q` as its `NDIS_NET_BUFFER_LIST_8021Q_INFO`.
    /// `None` when the bytes do not fit or the index is out of range.
    pub fn fill_head(
        &mut self,
        index: usize,
        head: &[u8],
        tail: &[u8],
        next: Option<RxSegment>,
        data_length: u32,
        ieee8021q: usize,
    ) -> Option<RxNbl> {
        let len = self.copy_into(index, head, tail)?;
        Some(self.slots[index].ready(data_length, len, next, ieee8021q))
    }

    /// Copies `head` then `tail` to the start of buffer `index`; the bytes copied, or `None`
    /// when they do not fit or the index is out of range.
    fn copy_into(&mut self, index: usize, head: &[u8], tail: &[u8]) -> Option<u32> {
        let len = head.len() + tail.len();
        if index >= self.len || len > self.capacity() as usize {
            return None;
        }
        let slot = &mut self.slots[index];
        // SAFETY: `slot.va` maps RX_BUFFER_BYTES writable bytes of this queue's shared
        // memory (type invariant) and both parts fit; the regions cannot overlap (the frame
        // comes from a send buffer, never from our receive memory).
        unsafe { ptr::copy_nonoverlapping(head.as_ptr(), slot.va, head.len()) };
        let after_head = slot.va.wrapping_add(head.len());
        // SAFETY: as above; `head.len() + tail.len()` fits the buffer, so `after_head` is in it.
        unsafe { ptr::copy_nonoverlapping(tail.as_ptr(), after_head, tail.len()) };
        // CAST: len <= 2048.
        Some(len as u32)
    }

    /// Buffer `index` holds a `len`-byte frame a NIC wrote into it: readies its NBL for
    /// indication. `None` when `len` exceeds the buffer or the index is out of range.
    pub fn complete(&mut self, index: usize, len: u32) -> Option<RxNbl> {
        self.complete_tagged(index, len, 0)
    }

    /// [`Self::complete`] with `ieee8021q` as the NBL's `NDIS_NET_BUFFER_LIST_8021Q_INFO` (the
    /// tag a NIC took out of the frame into its descriptor; 0 = none).
    pub fn complete_tagged(&mut self, index: usize, len: u32, ieee8021q: usize) -> Option<RxNbl> {
        if index >= self.len || len > self.capacity() {
            return None;
        }
        Some(self.slots[index].ready(len, len, None, ieee8021q))
    }

    /// The first [`HEADER_PEEK`] bytes of the frame a NIC wrote into buffer `index`
    /// (destination, source, and an 802.1Q tag if there is one), read with volatile loads;
    /// `None` for an index out of range.
    #[must_use]
    pub fn header(&self, index: usize) -> Option<[u8; HEADER_PEEK]> {
        let slot = self.slots.get(index).filter(|_| index < self.len)?;
        let mut mac = [0u8; HEADER_PEEK];
        for (i, byte) in mac.iter_mut().enumerate() {
            // SAFETY: `slot.va` maps RX_BUFFER_BYTES readable bytes of this queue's shared
            // memory (type invariant); `i < HEADER_PEEK < RX_BUFFER_BYTES`.
            *byte = unsafe { ptr::read_volatile(slot.va.wrapping_add(i)) };
        }
        Some(mac)
    }
}

impl RxSlot {
    /// Sets this buffer's MDL and shared-memory segment to its `len` bytes of the frame
    /// (offset 0) and links both to `next` (or ends both chains).
    fn link(&mut self, len: u32, next: Option<RxSegment>) {
        // SAFETY: the MDL belongs to this slot, which is bound (the callers checked the
        // index), and is not with NDIS (the core only fills buffers it took from its free list).
        let mdl = unsafe { &mut *self.mdl };
        mdl.ByteCount = len;
        mdl.Next = next.map_or(ptr::null_mut(), |n| n.mdl.as_ptr());
        self.shared.SharedMemoryLength = len;
        self.shared.NextSharedMemorySegment = next.map_or(ptr::null_mut(), |n| n.shared.as_ptr());
    }

    /// Readies the NBL of a bound slot for indication: `data_length` bytes at offset 0 of the
    /// MDL chain, `own` of them in this buffer, the rest in `next` and after.
    fn ready(&mut self, data_length: u32, own: u32, next: Option<RxSegment>, ieee8021q: usize) -> RxNbl {
        self.link(own, next);
        // SAFETY: the NBL and its NB belong to this slot, which is bound (the callers checked
        // the index), and are not indicated (the core only completes buffers it took from its
        // free list).
        let nbl = unsafe { &mut *self.nbl };
        nbl.Next = ptr::null_mut();
        nbl.Status = NDIS_STATUS_SUCCESS;
        // The info slot is a PVOID that holds an integer (NDIS_NET_BUFFER_LIST_8021Q_INFO); 0 =
        // no tag (the NBL may carry one from its last use).
        nbl.NetBufferListInfo[Ieee8021QNetBufferListInfo as usize] = ptr::without_provenance_mut(ieee8021q);
        // SAFETY: as above.
        let nb = unsafe { &mut *nbl.FirstNetBuffer };
        nb.Next = ptr::null_mut();
        nb.CurrentMdl = self.mdl;
        nb.CurrentMdlOffset = 0;
        nb.DataOffset = 0;
        nb.DataLength = data_length;
        RxNbl(NonNull::from(nbl))
    }
}

impl Drop for RxBlock {
    fn drop(&mut self) {
        for slot in &self.slots[..self.len] {
            // SAFETY: type invariant: the NBL and MDL were allocated for this slot, are not
            // owned by NDIS (a queue's blocks are dropped only after every NBL came back)
            // and are freed once.
            unsafe { NdisFreeNetBufferList(slot.nbl) };
            // SAFETY: as above.
            unsafe { NdisFreeMdl(slot.mdl) };
        }
    }
}

/// A chain of NBLs of one queue, for one `NdisMIndicateReceiveNetBufferLists` call.
#[derive(Debug, Clone, Copy)]
pub struct RxChain {
    head: Option<RxNbl>,
    tail: Option<RxNbl>,
    count: u32,
}

impl RxChain {
    /// An empty chain.
    pub const EMPTY: Self = Self { head: None, tail: None, count: 0 };

    /// Appends (frame order is kept).
    pub fn push(&mut self, nbl: RxNbl) {
        match self.tail {
            // SAFETY: `tail` is an NBL of this chain, owned by the driver until indicated.
            Some(tail) => unsafe { (*tail.0.as_ptr()).Next = nbl.0.as_ptr() },
            None => self.head = Some(nbl),
        }
        self.tail = Some(nbl);
        self.count += 1;
    }

    /// Whether the chain has no NBL.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    /// Takes the chain, leaving an empty one.
    #[must_use]
    pub const fn take(&mut self) -> Self {
        core::mem::replace(self, Self::EMPTY)
    }

    /// Calls `f` with the token of each NBL of the chain (they are still the driver's).
    pub fn for_each_token(&self, f: impl FnMut(usize)) {
        if let Some(head) = self.head {
            // SAFETY: the chain links NBLs this driver owns and has not indicated.
            unsafe { for_each_returned(head.0.as_ptr(), f) };
        }
    }

    /// Indicates the chain (one queue per call). No spin lock may be held.
    pub fn indicate(self, adapter: NdisHandle, flags: u32) {
        let Some(head) = self.head else { return };
        // SAFETY: the chain links NBLs the driver owns, bound to this adapter; ownership
        // passes to NDIS until MiniportReturnNetBufferLists.
        unsafe { NdisMIndicateReceiveNetBufferLists(adapter.as_raw(), head.0.as_ptr(), 0, self.count, flags) };
    }
}

/// Walks a chain NDIS returned, calling `f` with each NBL's token (read before `f`
/// may recycle the NBL).
///
/// # Safety
/// `head` must be a NULL-terminated chain of NBLs this driver indicated.
pub unsafe fn for_each_returned(head: *mut NET_BUFFER_LIST, mut f: impl FnMut(usize)) {
    let mut at = head;
    while !at.is_null() {
        // SAFETY: per the contract `at` is one of our NBLs, returned to us.
        let nbl = unsafe { &*at };
        let (next, token) = (nbl.Next, nbl.MiniportReserved[0] as usize);
        f(token);
        at = next;
    }
}

const _: () = assert!(size_of::<RxSlot>() <= 96);
const _: () = assert!(32 * BUFFERS_PER_BLOCK <= u16::MAX as usize, "a queue's buffer index fits a u16");

const _: () = assert!(BUFFERS_PER_BLOCK as u32 * RX_BUFFER_BYTES == 64 * 1024);
const _: () = assert!(PAGE_SIZE.is_multiple_of(RX_BUFFER_BYTES), "a buffer never crosses a page");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_addresses_follow_the_sg_elements() {
        let elements = [SgElement { address: 0x1_0000, length: 4096 }, SgElement { address: 0x8_0000, length: 8192 }];
        assert_eq!(logical_address(elements.into_iter(), 0), Some(0x1_0000));
        assert_eq!(logical_address(elements.into_iter(), 2048), Some(0x1_0800));
        assert_eq!(logical_address(elements.into_iter(), 4096), Some(0x8_0000));
        assert_eq!(logical_address(elements.into_iter(), 6144), Some(0x8_0800));
        assert_eq!(logical_address(elements.into_iter(), 12288), None);
    }
}
