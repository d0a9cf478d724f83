//! A queue's receive memory, in one place: its shared-memory blocks with their bound
//! buffers, which buffers are free, which are indicated, and the token each NBL carries.
//!
//! A buffer is free (on the free stack), taken (being filled: by the copy below, or by a
//! NIC that DMAs into it), or indicated (its NBL is with NDIS). The API follows those
//! moves, in the manner of a NIC descriptor ring whose buffer, descriptor and index are
//! one thing:
//! - [`RxMemory::take`] a free buffer — its [`BufferIndex`], and [`RxMemory::location`]
//!   (logical address, shared-memory offset) for a NIC descriptor;
//! - [`RxMemory::complete`]: buffer N holds L bytes — its NBL, ready to indicate;
//!   [`RxMemory::cancel`]: buffer N goes back unused;
//! - [`RxMemory::give_back`]: NDIS returned the NBL (MiniportReturnNetBufferLists);
//! - [`RxMemory::outstanding`] / [`RxMemory::is_drained`]: what FREE_QUEUE and pause wait for;
//! - [`RxMemory::grow_request`] + [`GrowRequest::allocate`] + [`RxMemory::commit`]: more
//!   memory (allocated at PASSIVE_LEVEL outside the adapter lock, committed under it).
//!
//! The software NIC's copy path is [`RxMemory::copy_in`] (take, copy, complete). A frame
//! longer than one buffer (`*JumboPacket` 4088 or 9014; buffers stay 2 KiB) takes several
//! buffers of the queue, linked into one NBL (MDL chain and `NextSharedMemorySegment` chain,
//! see `kernel::nbl`); the books keep a fixed "next buffer of the same frame" link per buffer,
//! so [`RxMemory::give_back`] of the NBL frees every buffer of its frame, and
//! [`RxMemory::is_drained`] (what FREE_QUEUE waits for) counts NBLs, not buffers. The NDIS
//! objects (MDL, NBL, `NET_BUFFER_SHARED_MEMORY`) are bound and touched only by the safe
//! owner [`RxBlock`] in the kernel layer; this module keeps the books.
//! <https://learn.microsoft.com/windows-hardware/drivers/network/shared-memory-resource-allocation>
//! <https://learn.microsoft.com/windows-hardware/drivers/network/vmq-receive-path>
//!
//! The memory is never freed under a lock: callers move an `RxMemory` (or the queue that
//! holds it) out of the locked state and drop it at PASSIVE_LEVEL.

mod grow;

pub use grow::{GrowRequest, MAX_BLOCK_BYTES, RxResources, Staged};

use crate::kernel::nbl::{
    BUFFERS_PER_BLOCK, BufferIndex, BufferLocation, HEADER_PEEK, RX_BUFFER_BYTES, RxBlock, RxNbl, RxSegment,
};
use crate::kernel::pool::{PoolBox, PoolTag};
use crate::kernel::{NdisHandle, QueueId};

/// Shared-memory allocations (blocks) one queue can hold.
pub const MAX_BLOCKS_PER_QUEUE: usize = 32;
/// Most buffers one queue holds.
pub const MAX_BUFFERS: usize = MAX_BLOCKS_PER_QUEUE * BUFFERS_PER_BLOCK;
const _: () = assert!(MAX_BUFFERS <= u16::MAX as usize);

/// Largest frame (`*JumboPacket`: without FCS, with the 14-byte header) a queue receives.
pub const MAX_JUMBO_FRAME: u32 = 9014;
/// Bytes an 802.1Q tag adds to a frame on the wire.
pub const VLAN_TAG_BYTES: u32 = 4;
/// Most buffers one frame takes: a 9014-byte frame with its 802.1Q tag in 2 KiB buffers.
pub const MAX_BUFFERS_PER_FRAME: usize = (MAX_JUMBO_FRAME + VLAN_TAG_BYTES).div_ceil(RX_BUFFER_BYTES) as usize;
/// A "next" link that ends a frame's buffer chain.
const NO_NEXT: u16 = u16::MAX;
const _: () = assert!(MAX_BUFFERS < NO_NEXT as usize);

/// Pool tag of the free-buffer stacks.
pub const RING_TAG: PoolTag = PoolTag::new(*b"VqRg");
/// Pool tag of the block descriptors.
pub const BLOCK_TAG: PoolTag = PoolTag::new(*b"VqLg");

/// Which queue's receive memory, as NBL tokens and demux targets carry it: the default
/// queue, or slot `s` of the VM queue table. (The NDIS QueueId is what the NBL's
/// filtering OOB and the OIDs carry; the slot finds the memory in O(1).)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueSlot(u16);

impl QueueSlot {
    /// The default queue (QueueId 0).
    pub const DEFAULT: Self = Self(0);

    /// Slot `table_slot` of the VM queue table.
    #[must_use]
    pub const fn vm(table_slot: usize) -> Self {
        // CAST: table slots are below MAX_VM_QUEUES (256).
        Self(table_slot as u16 + 1)
    }

    /// The VM queue table slot, `None` for the default queue.
    #[must_use]
    pub const fn table_slot(self) -> Option<usize> {
        match self.0 {
            0 => None,
            n => Some(n as usize - 1),
        }
    }

    /// The value a demux table entry stores.
    #[must_use]
    pub const fn raw(self) -> u16 {
        self.0
    }

    /// The slot a demux table entry names.
    #[must_use]
    pub const fn from_raw(raw: u16) -> Self {
        Self(raw)
    }
}

/// A buffer of any queue: what the NBL token names, packed as `slot << 32 | block << 16 | index`
/// in `MiniportReserved[0]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferId {
    /// The queue.
    pub slot: QueueSlot,
    /// The buffer.
    pub index: BufferIndex,
}

impl BufferId {
    /// The token stored in the buffer's NBL.
    #[must_use]
    pub const fn token(self) -> usize {
        ((self.slot.0 as usize) << 32) | (self.index.block() << 16) | self.index.within()
    }

    /// The buffer an NBL token names.
    #[must_use]
    pub const fn from_token(token: usize) -> Self {
        // CAST: the token was built by `token` from a u16 slot and indices below 32.
        let slot = QueueSlot((token >> 32) as u16);
        Self { slot, index: BufferIndex::new((token >> 16) & 0xFFFF, token & 0xFFFF) }
    }
}

/// Why [`RxMemory::copy_in`] did not produce an NBL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyError {
    /// No free buffer.
    NoBuffer,
    /// The frame is longer than the queue's largest frame (`*JumboPacket` plus an 802.1Q tag).
    TooLong,
}

/// The receive memory of one queue.
///
/// Each block lives in its own pool block, so the structure is a few hundred bytes: small
/// enough to build and move on the 24 KiB kernel stack.
pub struct RxMemory {
    blocks: [Option<PoolBox<RxBlock>>; MAX_BLOCKS_PER_QUEUE],
    books: PoolBox<[Books; MAX_BUFFERS]>,
    free_len: usize,
    outstanding: u32,
    max_len: usize,
}

/// Entry `k` of a queue's fixed books: the `k`-th entry of the free stack, and the link of
/// buffer `k` (raw index) to the next buffer of its frame ([`NO_NEXT`]: none). One pool block
/// holds both.
#[derive(Debug, Clone, Copy)]
struct Books {
    free: u16,
    next: u16,
}

impl RxMemory {
    /// No memory yet (its books allocated in pool), for frames of up to `max_frame` bytes
    /// (`*JumboPacket`; an 802.1Q tag may come on top), or `None` when that fails.
    #[must_use]
    pub fn new(owner: NdisHandle, max_frame: u32) -> Option<Self> {
        Some(Self {
            blocks: [const { None }; MAX_BLOCKS_PER_QUEUE],
            books: PoolBox::try_filled(owner, RING_TAG, Books { free: 0, next: NO_NEXT })?,
            free_len: 0,
            outstanding: 0,
            // CAST: at most 9018.
            max_len: (max_frame.min(MAX_JUMBO_FRAME) + VLAN_TAG_BYTES) as usize,
        })
    }

    /// Blocks held (they are `0..blocks()`, no holes).
    fn blocks(&self) -> usize {
        self.blocks.iter().take_while(|b| b.is_some()).count()
    }

    /// Receive buffers bound.
    #[must_use]
    pub fn buffers(&self) -> u32 {
        // CAST: at most 32 * 32 buffers.
        self.blocks.iter().flatten().map(|b| b.len() as u32).sum()
    }

    /// NBLs indicated and not yet given back (one per frame, whatever its buffers).
    #[must_use]
    pub const fn outstanding(&self) -> u32 {
        self.outstanding
    }

    /// Every indicated buffer came back: the memory may be freed.
    #[must_use]
    pub const fn is_drained(&self) -> bool {
        self.outstanding == 0
    }

    /// What growing by `buffers` buffers needs, for `queue` whose NBLs carry `slot`
    /// (read under the adapter lock; allocate with [`GrowRequest::allocate`] after releasing it).
    #[must_use]
    pub fn grow_request(&self, queue: QueueId, slot: QueueSlot, buffers: u32) -> GrowRequest {
        GrowRequest { queue, slot, buffers, first_block: self.blocks() }
    }

    /// Commits blocks staged by [`GrowRequest::allocate`]; their buffers become free. A block
    /// whose number was taken meanwhile stays in `staged`, for the caller to drop after
    /// releasing the lock (which keeps NBL tokens and block numbers in step).
    pub fn commit(&mut self, staged: &mut Staged) {
        for (k, entry) in staged.blocks.iter_mut().enumerate() {
            let Some(block) = entry.take() else { break };
            let number = staged.first_block + k;
            if !matches!(self.blocks.get(number), Some(None)) {
                *entry = Some(block);
                return;
            }
            for within in 0..block.len() {
                self.push(BufferIndex::new(number, within));
            }
            self.blocks[number] = Some(block);
        }
    }

    fn push(&mut self, index: BufferIndex) {
        if let Some(entry) = self.books.get_mut(self.free_len) {
            entry.free = index.raw();
            self.free_len += 1;
        }
    }

    /// Takes a free buffer (to copy into, or to post to a NIC descriptor).
    pub fn take(&mut self) -> Option<BufferIndex> {
        self.free_len = self.free_len.checked_sub(1)?;
        Some(BufferIndex::from_raw(self.books[self.free_len].free))
    }

    /// Links buffer `from` to `to`, the next buffer of its frame (`None`: the last).
    fn set_next(&mut self, from: BufferIndex, to: Option<BufferIndex>) {
        if let Some(entry) = self.books.get_mut(usize::from(from.raw())) {
            entry.next = to.map_or(NO_NEXT, BufferIndex::raw);
        }
    }

    /// The next buffer of `index`'s frame, and the link cleared.
    fn take_next(&mut self, index: BufferIndex) -> Option<BufferIndex> {
        let entry = self.books.get_mut(usize::from(index.raw()))?;
        let next = core::mem::replace(&mut entry.next, NO_NEXT);
        (next != NO_NEXT).then(|| BufferIndex::from_raw(next))
    }

    /// Where a buffer lives (logical address and shared-memory offset), for a NIC descriptor.
    #[must_use]
    pub fn location(&self, index: BufferIndex) -> Option<BufferLocation> {
        self.block(index.block())?.location(index.within())
    }

    fn block(&self, number: usize) -> Option<&RxBlock> {
        self.blocks.get(number)?.as_deref()
    }

    fn block_mut(&mut self, number: usize) -> Option<&mut RxBlock> {
        self.blocks.get_mut(number)?.as_deref_mut()
    }

    /// A taken buffer goes back unused (the copy failed, or the NIC's DMA stopped).
    pub fn cancel(&mut self, index: BufferIndex) {
        self.push(index);
    }

    /// A taken buffer holds a `len`-byte frame: its NBL, ready to indicate (the buffer is
    /// then outstanding until [`RxMemory::give_back`]). `None` (buffer still taken) when
    /// `len` exceeds the buffer.
    pub fn complete(&mut self, index: BufferIndex, len: u32) -> Option<RxNbl> {
        self.complete_tagged(index, len, 0)
    }

    /// [`RxMemory::complete`] for a frame whose 802.1Q tag the NIC moved into its descriptor:
    /// `ieee8021q` is the NBL's `NDIS_NET_BUFFER_LIST_8021Q_INFO`.
    pub fn complete_tagged(&mut self, index: BufferIndex, len: u32, ieee8021q: usize) -> Option<RxNbl> {
        let nbl = self.block_mut(index.block())?.complete_tagged(index.within(), len, ieee8021q)?;
        self.outstanding += 1;
        Some(nbl)
    }

    /// The header of the frame a NIC wrote into a taken buffer (for the packet filter and the
    /// demux check of the default queue, whose memory no VM owns).
    #[must_use]
    pub fn header(&self, index: BufferIndex) -> Option<[u8; HEADER_PEEK]> {
        self.block(index.block())?.header(index.within())
    }

    /// The software NIC's receive: take a free buffer, copy `frame` into it, complete it.
    ///
    /// # Errors
    /// [`CopyError`]; no buffer stays taken.
    pub fn copy_in(&mut self, frame: &[u8]) -> Result<RxNbl, CopyError> {
        self.copy_in_parts(frame, &[], 0)
    }

    /// Copies a frame given as `head` + `tail` (its 802.1Q tag cut out) into the next free
    /// buffer — or, when it is longer than one buffer, into as many free buffers as it needs,
    /// linked in order into one NBL —, with `ieee8021q` as the NBL's
    /// `NDIS_NET_BUFFER_LIST_8021Q_INFO`.
    ///
    /// # Errors
    /// [`CopyError`]; no buffer stays taken.
    pub fn copy_in_parts(&mut self, head: &[u8], tail: &[u8], ieee8021q: usize) -> Result<RxNbl, CopyError> {
        let len = head.len() + tail.len();
        if len > self.max_len {
            return Err(CopyError::TooLong);
        }
        let capacity = RX_BUFFER_BYTES as usize;
        let count = len.div_ceil(capacity).max(1);
        if count > self.free_len || count > MAX_BUFFERS_PER_FRAME {
            return Err(CopyError::NoBuffer);
        }
        let mut taken = [BufferIndex::from_raw(0); MAX_BUFFERS_PER_FRAME];
        for entry in &mut taken[..count] {
            *entry = self.take().ok_or(CopyError::NoBuffer)?;
        }
        match self.fill_chain(&taken[..count], head, tail, ieee8021q) {
            Some(nbl) => {
                self.outstanding += 1;
                Ok(nbl)
            }
            None => {
                for &index in taken[..count].iter().rev() {
                    self.set_next(index, None);
                    self.cancel(index);
                }
                Err(CopyError::TooLong)
            }
        }
    }

    /// Fills the taken buffers `chain` with `head` + `tail`, one buffer's worth each, from the
    /// last (whose segment the one before links to) to the first, whose NBL it returns.
    fn fill_chain(&mut self, chain: &[BufferIndex], head: &[u8], tail: &[u8], ieee8021q: usize) -> Option<RxNbl> {
        let capacity = RX_BUFFER_BYTES as usize;
        let len = head.len() + tail.len();
        let mut next: Option<RxSegment> = None;
        for (k, &index) in chain.iter().enumerate().skip(1).rev() {
            let (a, b) = split_range(head, tail, k * capacity, ((k + 1) * capacity).min(len));
            next = Some(self.block_mut(index.block())?.write_segment(index.within(), a, b, next)?);
            self.set_next(index, chain.get(k + 1).copied());
        }
        let first = *chain.first()?;
        let (a, b) = split_range(head, tail, 0, capacity.min(len));
        // CAST: at most 9018.
        let nbl = self.block_mut(first.block())?.fill_head(first.within(), a, b, next, len as u32, ieee8021q)?;
        self.set_next(first, chain.get(1).copied());
        Some(nbl)
    }

    /// NDIS returned the NBL of an indicated buffer: the buffer — and every other buffer of
    /// its frame — is free again. `false` (nothing changes) when no NBL of this queue is
    /// outstanding.
    pub fn give_back(&mut self, index: BufferIndex) -> bool {
        if self.outstanding == 0 {
            return false;
        }
        self.outstanding -= 1;
        let mut at = Some(index);
        for _ in 0..MAX_BUFFERS_PER_FRAME {
            let Some(buffer) = at else { break };
            at = self.take_next(buffer);
            self.push(buffer);
        }
        true
    }
}

/// Bytes `from..to` of the frame `head` ++ `tail`, as the part in `head` and the part in `tail`.
fn split_range<'a>(head: &'a [u8], tail: &'a [u8], from: usize, to: usize) -> (&'a [u8], &'a [u8]) {
    let h = head.len();
    let in_head = head.get(from.min(h)..to.min(h)).unwrap_or_default();
    let in_tail = tail.get(from.saturating_sub(h).min(tail.len())..to.saturating_sub(h).min(tail.len()));
    (in_head, in_tail.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_keep_their_layout() {
        let id = BufferId { slot: QueueSlot::vm(4), index: BufferIndex::new(3, 7) };
        assert_eq!(id.token(), (5 << 32) | (3 << 16) | 7);
        assert_eq!(BufferId::from_token(id.token()), id);
        let last = BufferId { slot: QueueSlot::vm(255), index: BufferIndex::new(31, 31) };
        assert_eq!(BufferId::from_token(last.token()), last);
        assert_eq!(BufferId::from_token(0), BufferId { slot: QueueSlot::DEFAULT, index: BufferIndex::new(0, 0) });
    }

    #[test]
    fn frame_ranges_split_over_head_and_tail() {
        let (head, tail) = ([1u8, 2, 3], [4u8, 5, 6, 7]);
        assert_eq!(split_range(&head, &tail, 0, 2), (&head[..2], &[][..]));
        assert_eq!(split_range(&head, &tail, 2, 5), (&head[2..], &tail[..2]));
        assert_eq!(split_range(&head, &tail, 4, 7), (&[][..], &tail[1..]));
        assert_eq!(split_range(&head, &tail, 0, 7), (&head[..], &tail[..]));
    }

    #[test]
    fn a_jumbo_frame_fits_the_chain_limit() {
        assert_eq!(MAX_BUFFERS_PER_FRAME, 5);
        assert!(9018usize.div_ceil(RX_BUFFER_BYTES as usize) <= MAX_BUFFERS_PER_FRAME);
    }

    #[test]
    fn slots_name_the_default_queue_or_a_table_slot() {
        assert_eq!(QueueSlot::DEFAULT.table_slot(), None);
        assert_eq!(QueueSlot::vm(0).table_slot(), Some(0));
        assert_eq!(QueueSlot::vm(255).raw(), 256);
        assert_eq!(QueueSlot::from_raw(QueueSlot::vm(9).raw()), QueueSlot::vm(9));
    }
}
