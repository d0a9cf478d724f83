//! The fake miniport's receive path (knob `rx`): an NBL pool per adapter, 2048-byte receive
//! buffers carved out of each queue's shared memory with one MDL and one NBL each (bound once
//! to a NET_BUFFER_SHARED_MEMORY), a loopback "wire" from MiniportSendNetBufferLists through a
//! filter demux, one indication per queue, and recycling in MiniportReturnNetBufferLists.
//!
//! [`rx_edit`] lets a test rewrite the indications (flags, NBLs, queue ids, bytes) before they
//! are made, to break one receive rule at a time. The filter parsing and matching reuse the
//! model's (`ndis_sim::model::filters`): the fake is a test double, not the system under test.

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::ptr::null_mut;

use ndis_sim::model::filters::{FilterRule, parse_filter};
use ndis_sim::model::frames::parse_key;
use ndis_sys::*;

use super::{FakeAdapter, Shared, TAG, knob};

/// Bytes per receive buffer.
pub const RX_BUFFER: u32 = 2048;

/// One receive buffer and the NBL, NET_BUFFER, MDL and NET_BUFFER_SHARED_MEMORY bound to it.
pub struct RxBuffer {
    /// The NBL (from `NdisAllocateNetBufferAndNetBufferList`).
    pub nbl: *mut NET_BUFFER_LIST,
    /// The MDL (from `NdisAllocateMdl`).
    pub mdl: *mut MDL,
    /// The buffer in shared memory.
    pub va: *mut u8,
    /// What NB.SharedMemoryInfo points at.
    pub info: Box<NET_BUFFER_SHARED_MEMORY>,
}

/// One queue's buffers.
#[derive(Default)]
pub struct RxQueue {
    /// All buffers.
    pub buffers: Vec<RxBuffer>,
    /// Indices of the free ones, oldest first.
    pub free: VecDeque<usize>,
    /// Indicated frames longer than one buffer: head buffer → the other buffers of its chain.
    pub chains: BTreeMap<usize, Vec<usize>>,
}

/// The receive path of one adapter.
pub struct Rx {
    /// The adapter's NBL pool (null until set up).
    pub pool: NDIS_HANDLE,
    /// Queues with buffers.
    pub queues: BTreeMap<u32, RxQueue>,
    /// Filters by FilterId.
    pub filters: BTreeMap<u32, FilterRule>,
    /// Frames dropped (no queue running, or no free buffer).
    pub dropped: u64,
}

impl Default for Rx {
    fn default() -> Self {
        Self { pool: null_mut(), queues: BTreeMap::new(), filters: BTreeMap::new(), dropped: 0 }
    }
}

/// One indication about to be made.
pub struct Indication {
    /// The queue the NBLs come from.
    pub queue: u32,
    /// The NBLs, chained in this order.
    pub nbls: Vec<*mut NET_BUFFER_LIST>,
    /// ReceiveFlags.
    pub flags: u32,
}

type Edit = Box<dyn FnMut(&mut Vec<Indication>)>;
type Route = Box<dyn FnMut(u32) -> u32>;

thread_local! {
    static EDIT: RefCell<Option<Edit>> = RefCell::new(None);
    static ROUTE: RefCell<Option<Route>> = RefCell::new(None);
    static KEEP_TAG: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Leaves 802.1Q tags in the data whatever the filter (breaks "NDIS_RECEIVE_FILTER_FIELD_PARAMETERS").
pub fn rx_keep_tags() {
    KEEP_TAG.with(|k| k.set(true));
}

/// Overrides the demux: the queue the filters pick is mapped through `f` (a broken demux).
pub fn rx_route(f: impl FnMut(u32) -> u32 + 'static) {
    ROUTE.with(|r| *r.borrow_mut() = Some(Box::new(f)));
}

/// Rewrites every later batch of indications (one batch per MiniportSendNetBufferLists).
pub fn rx_edit(f: impl FnMut(&mut Vec<Indication>) + 'static) {
    EDIT.with(|e| *e.borrow_mut() = Some(Box::new(f)));
}

/// Whether the receive path is on.
pub fn enabled() -> bool {
    knob(|k| k.rx)
}

/// Allocates the adapter's NBL pool.
pub fn setup(s: &mut FakeAdapter) {
    let mut params = NET_BUFFER_LIST_POOL_PARAMETERS {
        Header: NDIS_OBJECT_HEADER::new(
            NDIS_OBJECT_TYPE_DEFAULT,
            NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1,
            NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1,
        ),
        ProtocolId: NDIS_PROTOCOL_ID_DEFAULT,
        fAllocateNetBuffer: TRUE,
        ContextSize: 0,
        PoolTag: TAG,
        DataSize: 0,
    };
    // SAFETY: the adapter handle and a valid local parameter block.
    s.rx.pool = unsafe { NdisAllocateNetBufferListPool(s.handle, &raw mut params) };
    assert!(!s.rx.pool.is_null());
}

/// Carves `len` bytes of a shared-memory allocation of `queue` into receive buffers.
pub fn add_buffers(s: &mut FakeAdapter, queue: u32, shared: &Shared, len: u32) {
    let q = s.rx.queues.entry(queue).or_default();
    for i in 0..len / RX_BUFFER {
        let offset = i * RX_BUFFER;
        let va = shared.virtual_address.cast::<u8>().wrapping_add(offset as usize);
        // SAFETY: `va` lies inside the live allocation, RX_BUFFER bytes of it.
        let mdl = unsafe { NdisAllocateMdl(s.handle, va.cast(), RX_BUFFER) };
        assert!(!mdl.is_null());
        // SAFETY: the adapter's live pool and an MDL just allocated.
        let nbl = unsafe { NdisAllocateNetBufferAndNetBufferList(s.rx.pool, 0, 0, mdl, 0, 0) };
        assert!(!nbl.is_null());
        let mut info = Box::new(NET_BUFFER_SHARED_MEMORY {
            NextSharedMemorySegment: null_mut(),
            SharedMemoryFlags: 0,
            SharedMemoryHandle: shared.shared_handle,
            SharedMemoryOffset: offset,
            SharedMemoryLength: RX_BUFFER,
        });
        // SAFETY: NDIS just allocated the NBL; the fake owns it.
        let n = unsafe { &mut *nbl };
        n.SourceHandle = s.handle;
        n.MiniportReserved = [queue as usize as PVOID, q.buffers.len() as PVOID];
        n.NetBufferListInfo[NetBufferListFilteringInfo as usize] = ((queue as usize) << 16) as PVOID;
        // SAFETY: NdisAllocateNetBufferAndNetBufferList gives every NBL its NET_BUFFER.
        let nb = unsafe { &mut *n.FirstNetBuffer };
        nb.SharedMemoryInfo = &raw mut *info;
        q.free.push_back(q.buffers.len());
        q.buffers.push(RxBuffer { nbl, mdl, va, info });
    }
}

/// Frees the NBLs and MDLs of `queue`'s buffers.
pub fn free_queue(s: &mut FakeAdapter, queue: u32) {
    for b in s.rx.queues.remove(&queue).unwrap_or_default().buffers {
        // SAFETY: an NBL this fake allocated (NDIS may still own it if a test says so).
        unsafe { NdisFreeNetBufferList(b.nbl) };
        // SAFETY: an MDL this fake allocated.
        unsafe { NdisFreeMdl(b.mdl) };
    }
}

/// Frees every queue's buffers and the pool.
pub fn teardown(s: &mut FakeAdapter) {
    let queues: Vec<u32> = s.rx.queues.keys().copied().collect();
    for q in queues {
        free_queue(s, q);
    }
    if !s.rx.pool.is_null() {
        // SAFETY: the pool this fake allocated; its NBLs are freed above.
        unsafe { NdisFreeNetBufferListPool(s.rx.pool) };
        s.rx.pool = null_mut();
    }
}

/// Records a filter from an OID_RECEIVE_FILTER_SET_FILTER payload.
pub fn set_filter(s: &mut FakeAdapter, payload: &[u8]) {
    let id_at = core::mem::offset_of!(NDIS_RECEIVE_FILTER_PARAMETERS, FilterId);
    let id = u32::from_le_bytes(payload[id_at..id_at + 4].try_into().unwrap());
    if let Some(rule) = parse_filter(payload) {
        s.rx.filters.insert(id, rule);
    }
}

/// Forgets a filter.
pub fn clear_filter(s: &mut FakeAdapter, filter_id: u32) {
    s.rx.filters.remove(&filter_id);
}

fn running(s: &FakeAdapter, queue: u32) -> bool {
    s.rx.queues.contains_key(&queue) && (queue == 0 || s.rx.filters.values().any(|f| f.queue == queue))
}

/// Copies every frame of a send chain into a free buffer of the queue its filters pick (else
/// the default queue); returns the indications to make, one per queue.
pub fn demux(s: &mut FakeAdapter, chain: *mut NET_BUFFER_LIST, dispatch: bool) -> Vec<Indication> {
    let mut calls: Vec<Indication> = Vec::new();
    let mut at = chain;
    while !at.is_null() {
        // SAFETY: an NBL of the send chain NDIS passed; the fake owns it until completed.
        let n = unsafe { &*at };
        at = n.Next;
        // SAFETY: NDIS builds every send NBL with one NET_BUFFER and one MDL.
        let nb = unsafe { &*n.FirstNetBuffer };
        // SAFETY: as above.
        let mdl = unsafe { &*nb.MdlChain };
        let len = nb.DataLength as usize;
        // SAFETY: the MDL maps `len` readable bytes of the frame.
        let frame = unsafe { std::slice::from_raw_parts(mdl.MappedSystemVa.cast::<u8>(), len) };
        let queue = parse_key(frame)
            .and_then(|k| s.rx.filters.values().filter(|f| f.queue != 0 && f.matches(&k)).map(|f| f.queue).min())
            .unwrap_or(0);
        let queue = ROUTE.with(|r| r.borrow_mut().as_mut().map_or(queue, |f| f(queue)));
        if !running(s, queue) {
            s.rx.dropped += 1;
            continue;
        }
        // "NDIS_RECEIVE_FILTER_FIELD_PARAMETERS" remarks: the tag of a frame a VLAN (or
        // MAC-only) filter takes goes to the NBL's 802.1Q info, unless the test keeps it.
        let key = parse_key(frame);
        let strip = queue != 0
            && !KEEP_TAG.with(std::cell::Cell::get)
            && key.is_some_and(|k| k.vlan.is_some())
            && frame[14..16] != [0, 0]
            && s.rx.filters.values().any(|f| f.queue == queue && f.strips_tag() && key.is_some_and(|k| f.matches(&k)));
        let (info, data) = if strip {
            let tci = u16::from_be_bytes([frame[14], frame[15]]);
            let info = usize::from(tci >> 13) | (usize::from((tci >> 12) & 1) << 3) | (usize::from(tci & 0x0FFF) << 4);
            (info, [&frame[..12], &frame[16..]].concat())
        } else {
            (0, frame.to_vec())
        };
        // A frame longer than one buffer takes several, linked into one NBL: MDL chain and
        // NextSharedMemorySegment chain, one buffer's bytes each ("NET_BUFFER_SHARED_MEMORY").
        let q = s.rx.queues.get_mut(&queue).unwrap();
        let count = data.len().div_ceil(RX_BUFFER as usize).max(1);
        if q.free.len() < count {
            s.rx.dropped += 1;
            continue;
        }
        let taken: Vec<usize> = q.free.drain(..count).collect();
        let parts: Vec<(*mut MDL, *mut NET_BUFFER_SHARED_MEMORY, *mut u8)> = taken
            .iter()
            .map(|&i| {
                let b = &mut q.buffers[i];
                (b.mdl, &raw mut *b.info, b.va)
            })
            .collect();
        for (k, &(mdl, shared, va)) in parts.iter().enumerate() {
            let piece = &data[k * RX_BUFFER as usize..((k + 1) * RX_BUFFER as usize).min(data.len())];
            // SAFETY: the buffer holds RX_BUFFER bytes and does not overlap the frame.
            unsafe { std::ptr::copy_nonoverlapping(piece.as_ptr(), va, piece.len()) };
            let next = parts.get(k + 1);
            // SAFETY: the fake owns the buffer's MDL (the buffer was on the free list).
            let mdl = unsafe { &mut *mdl };
            mdl.ByteCount = piece.len() as u32;
            mdl.Next = next.map_or(null_mut(), |p| p.0);
            // SAFETY: as above, its NET_BUFFER_SHARED_MEMORY.
            let shared = unsafe { &mut *shared };
            shared.SharedMemoryLength = piece.len() as u32;
            shared.NextSharedMemorySegment = next.map_or(null_mut(), |p| p.1);
        }
        let head = taken[0];
        q.chains.insert(head, taken[1..].to_vec());
        let b = &q.buffers[head];
        // SAFETY: the fake owns the receive NBL (it is on the free list).
        let r = unsafe { &mut *b.nbl };
        r.NetBufferListInfo[Ieee8021QNetBufferListInfo as usize] = std::ptr::without_provenance_mut(info);
        r.Status = NDIS_STATUS_SUCCESS;
        // SAFETY: as above, its NET_BUFFER.
        let rnb = unsafe { &mut *r.FirstNetBuffer };
        rnb.DataOffset = 0;
        rnb.DataLength = data.len() as u32;
        let nbl = b.nbl;
        match calls.iter_mut().find(|c| c.queue == queue) {
            Some(c) => c.nbls.push(nbl),
            None => calls.push(Indication {
                queue,
                nbls: vec![nbl],
                flags: NDIS_RECEIVE_FLAGS_SINGLE_QUEUE
                    | NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID
                    | NDIS_RECEIVE_FLAGS_PERFECT_FILTERED
                    | if dispatch { NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL } else { 0 },
            }),
        }
    }
    calls
}

/// Applies the test's edit and makes the indications.
pub fn indicate(s: &mut FakeAdapter, mut calls: Vec<Indication>) {
    EDIT.with(|e| {
        if let Some(f) = e.borrow_mut().as_mut() {
            f(&mut calls);
        }
    });
    for c in calls {
        for pair in c.nbls.windows(2) {
            // SAFETY: receive NBLs the fake owns.
            unsafe { (*pair[0]).Next = pair[1] };
        }
        let Some(&last) = c.nbls.last() else {
            continue;
        };
        // SAFETY: as above.
        unsafe { (*last).Next = null_mut() };
        // SAFETY: a chain of the fake's receive NBLs, handed to NDIS until returned.
        unsafe { NdisMIndicateReceiveNetBufferLists(s.handle, c.nbls[0], 0, c.nbls.len() as u32, c.flags) };
    }
}

/// Puts returned NBLs back on their queue's free list.
pub fn recycle(s: &mut FakeAdapter, chain: *mut NET_BUFFER_LIST) {
    let mut at = chain;
    while !at.is_null() {
        // SAFETY: NBLs the fake indicated, returned by NDIS.
        let n = unsafe { &*at };
        at = n.Next;
        let (queue, index) = (n.MiniportReserved[0] as u32, n.MiniportReserved[1] as usize);
        if let Some(q) = s.rx.queues.get_mut(&queue) {
            q.free.push_back(index);
            let rest = q.chains.remove(&index).unwrap_or_default();
            q.free.extend(rest);
        }
    }
}

/// Writes one byte at `va + offset`: what a NIC still receiving into a queue's memory would do.
/// Tests that break the DMA-stopped rule use it.
///
/// # Panics
/// Never; the caller names live host memory of at least `offset + 1` bytes.
pub fn scribble(va: *mut u8, offset: usize) {
    // SAFETY: the callers pass a live shared-memory (or receive-buffer) address with room.
    unsafe { va.wrapping_add(offset).write_volatile(0xA5) };
}
