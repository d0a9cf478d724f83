//! The send path of a DMA NIC (the 82576): each NET_BUFFER is mapped with
//! `NdisMAllocateNetBufferSGList`; MiniportProcessSGList posts its fragments in the transmit
//! ring; the transmit interrupt's DPC reaps the finished frames, frees their SG lists
//! (`NdisMFreeNetBufferSGList`) and completes each NBL when its last NET_BUFFER is done
//! (`NdisMSendNetBufferListsComplete`).
//!
//! Bookkeeping lives in the reserved fields NDIS gives the miniport while it owns a send:
//! `NET_BUFFER.MiniportReserved[0]` = its NBL, `[1]` = the adapter, `[2]` = its SG list;
//! `NET_BUFFER_LIST.MiniportReserved[0]` = NET_BUFFERs not yet done (atomic: the DPC may
//! finish one while the send still maps the next), `[1]` = the completion status.
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismallocatenetbuffersglist>,
//! <https://learn.microsoft.com/windows-hardware/drivers/network/sending-network-data>.

use core::ffi::c_void;
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicUsize, Ordering};

use ndis_sys::{
    DEVICE_OBJECT, NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL, NDIS_STATUS, NDIS_STATUS_FAILURE, NDIS_STATUS_RESOURCES,
    NDIS_STATUS_SUCCESS, NET_BUFFER, NET_BUFFER_LIST, NdisMAllocateNetBufferSGList, NdisMFreeNetBufferSGList,
    NdisMSendNetBufferListsComplete, SCATTER_GATHER_LIST,
};

use super::DriverAdapter;
use crate::backend::igb::ring::Fragment;
use crate::kernel::indicate::pause_complete;

/// Fragments one frame may have (an SG list longer than this is refused).
const MAX_FRAGMENTS: usize = 16;

/// Sends `net_buffer_lists` (running adapter, DMA NIC): every NBL is completed exactly once,
/// here on a failure to map, or from the transmit DPC.
///
/// # Safety
/// A NULL-terminated chain of send NBLs NDIS handed this miniport, owned until completed.
pub(super) unsafe fn send(adapter: &DriverAdapter, net_buffer_lists: *mut NET_BUFFER_LIST, at_dispatch: bool) {
    let Some(dma) = adapter.dma_handle() else {
        // SAFETY: the caller's contract.
        unsafe { fail_all(adapter, net_buffer_lists, NDIS_STATUS_FAILURE, at_dispatch) };
        return;
    };
    let mut nbl = net_buffer_lists;
    while let Some(current) = NonNull::new(nbl) {
        // SAFETY: an NBL of the chain we own.
        let list = unsafe { &mut *current.as_ptr() };
        nbl = list.Next;
        list.Next = ptr::null_mut();
        let mut count = 0usize;
        let mut nb = list.FirstNetBuffer;
        // SAFETY: the NET_BUFFERs of an NBL we own.
        while let Some(buffer) = unsafe { nb.as_ref() } {
            count += 1;
            nb = buffer.Next;
        }
        list.Status = NDIS_STATUS_SUCCESS;
        // One extra reference held by this loop, so no NET_BUFFER finishing early completes
        // the NBL before every one of them was handed to NDIS.
        list.MiniportReserved[0] = ptr::without_provenance_mut(count + 1);
        let mut nb = list.FirstNetBuffer;
        while let Some(buffer) = NonNull::new(nb) {
            // SAFETY: a NET_BUFFER of the NBL we own; its reserved fields are ours.
            let b = unsafe { &mut *buffer.as_ptr() };
            nb = b.Next;
            b.MiniportReserved[0] = current.as_ptr().cast();
            b.MiniportReserved[1] = ptr::from_ref(adapter).cast_mut().cast();
            b.MiniportReserved[2] = ptr::null_mut();
            // SAFETY: the DMA handle of this adapter and a NET_BUFFER it owns; NDIS allocates the
            // list itself (no buffer given) and calls `process_sg_list` with it.
            let status = unsafe {
                NdisMAllocateNetBufferSGList(
                    dma.as_raw(),
                    buffer.as_ptr(),
                    buffer.as_ptr().cast(),
                    0,
                    ptr::null_mut(),
                    0,
                )
            };
            if status != NDIS_STATUS_SUCCESS {
                // SAFETY: the NET_BUFFER got no SG list; it is done, failed.
                unsafe { nb_done(adapter, buffer, status, at_dispatch) };
            }
        }
        // SAFETY: drops this loop's reference.
        unsafe { release(adapter, current, at_dispatch) };
    }
}

/// MiniportProcessSGList (DISPATCH_LEVEL): posts the NET_BUFFER's fragments in the transmit ring.
///
/// # Safety
/// Called by NDIS for a list `NdisMAllocateNetBufferSGList` built for `context`, a NET_BUFFER
/// that [`send`] prepared (its reserved fields name its NBL and adapter).
pub(super) unsafe extern "system" fn process_sg_list(
    _device_object: *mut DEVICE_OBJECT,
    _reserved: *mut c_void,
    sg_list: *mut SCATTER_GATHER_LIST,
    context: *mut c_void,
) {
    let Some(buffer) = NonNull::new(context.cast::<NET_BUFFER>()) else { return };
    // SAFETY: `send` set the reserved fields before asking for the list.
    let b = unsafe { &mut *buffer.as_ptr() };
    // SAFETY: the adapter is live while it owns sends (halt comes after they complete).
    let Some(adapter) = (unsafe { b.MiniportReserved[1].cast::<DriverAdapter>().as_ref() }) else { return };
    b.MiniportReserved[2] = sg_list.cast();
    let mut fragments = [Fragment { address: 0, length: 0 }; MAX_FRAGMENTS];
    // SAFETY: the list NDIS built, valid until we free it.
    let n = unsafe { read_fragments(sg_list, &mut fragments) };
    let posted = n.is_some_and(|n| {
        let token = buffer.as_ptr().expose_provenance();
        adapter.with_nic(|nic| nic.igb().is_some_and(|igb| igb.transmit(&fragments[..n], token).is_ok()))
    });
    if !posted {
        // SAFETY: the NET_BUFFER's list was never handed to the device.
        unsafe { nb_done(adapter, buffer, NDIS_STATUS_RESOURCES, true) };
    }
}

/// Copies the list's elements into `out`; `None` for an empty list, more than `out` holds, or
/// an element longer than a descriptor carries.
///
/// # Safety
/// `list` is NULL or a valid SCATTER_GATHER_LIST.
unsafe fn read_fragments(list: *const SCATTER_GATHER_LIST, out: &mut [Fragment]) -> Option<usize> {
    // SAFETY: the caller's contract.
    let header = unsafe { list.as_ref() }?;
    let n = header.NumberOfElements as usize;
    if n == 0 || n > out.len() {
        return None;
    }
    let first = (&raw const header.Elements).cast::<ndis_sys::SCATTER_GATHER_ELEMENT>();
    for (i, slot) in out.iter_mut().enumerate().take(n) {
        // SAFETY: `i < NumberOfElements`: inside the list NDIS built.
        let at = unsafe { first.add(i) };
        // SAFETY: as above; the element is readable.
        let e = unsafe { at.read_unaligned() };
        // CAST: a logical address is never negative.
        *slot = Fragment { address: e.Address as u64, length: u16::try_from(e.Length).ok()? };
    }
    Some(n)
}

/// The transmit DPC's work: every frame the device finished, its SG list freed, its NET_BUFFER
/// done (the NBL completes with its last one).
pub(super) fn reap(adapter: &DriverAdapter) {
    while let Some(token) = adapter.with_nic(|nic| nic.igb().and_then(|igb| igb.reap_transmit())) {
        if let Some(buffer) = NonNull::new(ptr::with_exposed_provenance_mut::<NET_BUFFER>(token)) {
            // SAFETY: the token is the NET_BUFFER `process_sg_list` posted, still owned by us.
            unsafe { free_and_finish(adapter, buffer, NDIS_STATUS_SUCCESS) };
        }
    }
    // A pause that waited for these sends completes now.
    if adapter.pause_done() {
        pause_complete(adapter.handle());
    }
}

/// After the device stopped (halt): frames never sent fail.
pub(super) fn cancel(adapter: &DriverAdapter) {
    while let Some(token) = adapter.with_nic(|nic| nic.igb().and_then(|igb| igb.cancel_transmit())) {
        if let Some(buffer) = NonNull::new(ptr::with_exposed_provenance_mut::<NET_BUFFER>(token)) {
            // SAFETY: as in `reap`.
            unsafe { free_and_finish(adapter, buffer, NDIS_STATUS_FAILURE) };
        }
    }
}

/// Frees the NET_BUFFER's SG list and marks it done.
///
/// # Safety
/// `buffer` is a NET_BUFFER of a send we own whose list the device no longer uses.
unsafe fn free_and_finish(adapter: &DriverAdapter, buffer: NonNull<NET_BUFFER>, status: NDIS_STATUS) {
    // SAFETY: the caller's contract.
    let list = unsafe { (*buffer.as_ptr()).MiniportReserved[2] };
    if let (Some(dma), false) = (adapter.dma_handle(), list.is_null()) {
        // SAFETY: the list NDIS built for this NET_BUFFER, freed once.
        unsafe { NdisMFreeNetBufferSGList(dma.as_raw(), list.cast(), buffer.as_ptr()) };
    }
    // SAFETY: the caller's contract.
    unsafe { nb_done(adapter, buffer, status, true) };
}

/// One NET_BUFFER of its NBL is done with `status`.
///
/// # Safety
/// `buffer` is a NET_BUFFER [`send`] prepared, done once.
unsafe fn nb_done(adapter: &DriverAdapter, buffer: NonNull<NET_BUFFER>, status: NDIS_STATUS, at_dispatch: bool) {
    // SAFETY: the caller's contract: MiniportReserved[0] is its NBL, still ours.
    let Some(nbl) = NonNull::new(unsafe { (*buffer.as_ptr()).MiniportReserved[0] }.cast::<NET_BUFFER_LIST>()) else {
        return;
    };
    if status != NDIS_STATUS_SUCCESS {
        // SAFETY: the NBL is ours; a failure wins over success (a plain store: any failure does).
        unsafe { (*nbl.as_ptr()).Status = status };
    }
    // SAFETY: as above.
    unsafe { release(adapter, nbl, at_dispatch) };
}

/// Drops one reference of the NBL; the last completes it.
///
/// # Safety
/// `nbl` is a send NBL [`send`] prepared, with a reference held by the caller.
unsafe fn release(adapter: &DriverAdapter, nbl: NonNull<NET_BUFFER_LIST>, at_dispatch: bool) {
    // SAFETY: the NBL is ours (the caller's contract); no reference to it is made here.
    let slot = unsafe { &raw mut (*nbl.as_ptr()).MiniportReserved[0] }.cast::<usize>();
    // SAFETY: MiniportReserved[0] is pointer-sized and aligned; only atomics touch it from now.
    let counter = unsafe { AtomicUsize::from_ptr(slot) };
    if counter.fetch_sub(1, Ordering::AcqRel) != 1 {
        return;
    }
    // SAFETY: the last reference: the NBL and its NET_BUFFERs are still ours until completed.
    let list = unsafe { &*nbl.as_ptr() };
    let mut bytes = 0u64;
    let mut nb = list.FirstNetBuffer;
    // SAFETY: as above.
    while let Some(b) = unsafe { nb.as_ref() } {
        bytes += u64::from(b.DataLength);
        nb = b.Next;
    }
    adapter.count_dma_send(list.Status == NDIS_STATUS_SUCCESS, bytes);
    let flags = if at_dispatch { NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL } else { 0 };
    // SAFETY: one NBL (Next is NULL) with its Status set, completed once.
    unsafe { NdisMSendNetBufferListsComplete(adapter.handle().as_raw(), nbl.as_ptr(), flags) };
}

/// Completes a whole chain with `status` (nothing was mapped).
///
/// # Safety
/// As [`send`].
pub(super) unsafe fn fail_all(
    adapter: &DriverAdapter,
    net_buffer_lists: *mut NET_BUFFER_LIST,
    status: NDIS_STATUS,
    at_dispatch: bool,
) {
    let mut nbl = net_buffer_lists;
    // SAFETY: the caller's contract.
    while let Some(list) = unsafe { nbl.as_mut() } {
        list.Status = status;
        nbl = list.Next;
    }
    if !net_buffer_lists.is_null() {
        let flags = if at_dispatch { NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL } else { 0 };
        // SAFETY: the chain NDIS gave us, each Status set.
        unsafe { NdisMSendNetBufferListsComplete(adapter.handle().as_raw(), net_buffer_lists, flags) };
    }
}
