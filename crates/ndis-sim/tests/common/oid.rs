//! The fake miniport's MiniportOidRequest: a handful of general OIDs and the VMQ ones.

use std::ptr::null_mut;

use ndis_sys::*;

use super::{
    Ctx, FakeAdapter, Point, QUEUE_MEMORY, adapter_ctx, allocate_shared, free_queue_memory, indicate_queue_state, knob,
    queue_work, run_hooks, rx,
};

/// The information buffer and its lengths, whatever the request type.
pub struct Buffer {
    /// InformationBuffer.
    pub data: *mut u8,
    /// Input length (set/method).
    pub input: u32,
    /// Output length (query/method).
    pub output: u32,
}

/// Reads the OID and buffer of a request.
pub fn decode(request: *mut NDIS_OID_REQUEST) -> (NDIS_REQUEST_TYPE, NDIS_OID, Buffer) {
    // SAFETY: NDIS passed a valid request.
    let r = unsafe { &*request };
    let (oid, buffer) = match r.RequestType {
        NdisRequestMethod => {
            // SAFETY: METHOD_INFORMATION is the member RequestType selects.
            let m = unsafe { r.DATA.METHOD_INFORMATION };
            (
                m.Oid,
                Buffer { data: m.InformationBuffer.cast(), input: m.InputBufferLength, output: m.OutputBufferLength },
            )
        }
        NdisRequestSetInformation => {
            // SAFETY: SET_INFORMATION is the member RequestType selects.
            let s = unsafe { r.DATA.SET_INFORMATION };
            (s.Oid, Buffer { data: s.InformationBuffer.cast(), input: s.InformationBufferLength, output: 0 })
        }
        _ => {
            // SAFETY: QUERY_INFORMATION is the member RequestType selects.
            let q = unsafe { r.DATA.QUERY_INFORMATION };
            (q.Oid, Buffer { data: q.InformationBuffer.cast(), input: 0, output: q.InformationBufferLength })
        }
    };
    (r.RequestType, oid, buffer)
}

/// Writes BytesWritten / BytesRead / BytesNeeded for the request's type.
pub fn set_counts(request: *mut NDIS_OID_REQUEST, written: u32, read: u32, needed: u32) {
    // SAFETY: NDIS passed a valid request, owned by the miniport until completed.
    let r = unsafe { &mut *request };
    match r.RequestType {
        NdisRequestMethod => {
            // SAFETY: reading the union to copy it; METHOD_INFORMATION is the active member.
            let mut m = unsafe { r.DATA.METHOD_INFORMATION };
            (m.BytesWritten, m.BytesRead, m.BytesNeeded) = (written, read, needed);
            r.DATA.METHOD_INFORMATION = m;
        }
        NdisRequestSetInformation => {
            // SAFETY: SET_INFORMATION is the active member.
            let mut s = unsafe { r.DATA.SET_INFORMATION };
            (s.BytesRead, s.BytesNeeded) = (read, needed);
            r.DATA.SET_INFORMATION = s;
        }
        _ => {
            // SAFETY: QUERY_INFORMATION is the active member.
            let mut q = unsafe { r.DATA.QUERY_INFORMATION };
            (q.BytesWritten, q.BytesNeeded) = (written, needed);
            r.DATA.QUERY_INFORMATION = q;
        }
    }
}

fn read_u32(b: &Buffer, at: usize) -> u32 {
    assert!(at + 4 <= b.input.max(b.output) as usize);
    let p = b.data.wrapping_add(at).cast::<u32>();
    // SAFETY: within the information buffer (checked above).
    unsafe { p.read_unaligned() }
}

/// A copy of the request's input bytes.
fn input(b: &Buffer) -> Vec<u8> {
    // SAFETY: NDIS passed an information buffer of at least InputBufferLength bytes.
    unsafe { std::slice::from_raw_parts(b.data, b.input as usize) }.to_vec()
}

fn write_u32(b: &Buffer, at: usize, v: u32) {
    assert!(at + 4 <= b.input.max(b.output) as usize);
    let p = b.data.wrapping_add(at).cast::<u32>();
    // SAFETY: within the information buffer (checked above).
    unsafe { p.write_unaligned(v) };
}

/// The fake's MiniportOidRequest.
///
/// # Safety
/// Called only by ndis-sim, with the pointers and handles the NDIS prototype names, valid for the duration of the call.
pub unsafe extern "system" fn oid_request(context: NDIS_HANDLE, request: *mut NDIS_OID_REQUEST) -> NDIS_STATUS {
    let mut ctx: Ctx = adapter_ctx(context.cast());
    ctx.request = request;
    if let Some(status) = run_hooks(Point::Oid, &mut ctx) {
        return status;
    }
    let (_, oid, b) = decode(request);
    let s = ctx.state();
    match oid {
        OID_GEN_VENDOR_ID => {
            if b.output < 4 {
                set_counts(request, 0, 0, 4);
                return NDIS_STATUS_BUFFER_TOO_SHORT;
            }
            write_u32(&b, 0, 0x00_1234);
            set_counts(request, 4, 0, 0);
            NDIS_STATUS_SUCCESS
        }
        OID_RECEIVE_FILTER_ALLOCATE_QUEUE => {
            let q = read_u32(&b, core::mem::offset_of!(NDIS_RECEIVE_QUEUE_PARAMETERS, QueueId));
            s.memory.entry(q).or_default();
            set_counts(request, b.input, b.input, 0);
            NDIS_STATUS_SUCCESS
        }
        OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE => {
            let first = read_u32(&b, 8) as usize;
            let n = read_u32(&b, 12) as usize;
            let size = read_u32(&b, 16) as usize;
            for i in 0..n {
                let e = first + i * size;
                let q = read_u32(&b, e + 8);
                let shared = allocate_shared(s.handle, q, QUEUE_MEMORY, knob(|k| k.contiguous), |_| {});
                if shared.status == NDIS_STATUS_SUCCESS {
                    s.memory.entry(q).or_default().push(shared.allocation);
                    if rx::enabled() {
                        rx::add_buffers(s, q, &shared, QUEUE_MEMORY);
                    }
                }
                write_u32(&b, e + 12, shared.status as u32);
            }
            set_counts(request, b.input, b.input, 0);
            NDIS_STATUS_SUCCESS
        }
        OID_RECEIVE_FILTER_QUEUE_PARAMETERS => {
            let q = read_u32(&b, core::mem::offset_of!(NDIS_RECEIVE_QUEUE_PARAMETERS, QueueId));
            let flags = read_u32(&b, core::mem::offset_of!(NDIS_RECEIVE_QUEUE_PARAMETERS, Flags));
            if flags & NDIS_RECEIVE_QUEUE_PARAMETERS_SUGGESTED_RECV_BUFFER_NUMBERS_CHANGED != 0 {
                let shared = allocate_shared(s.handle, q, QUEUE_MEMORY, false, |_| {});
                if shared.status == NDIS_STATUS_SUCCESS {
                    s.memory.entry(q).or_default().push(shared.allocation);
                }
            }
            set_counts(request, 0, b.input, 0);
            NDIS_STATUS_SUCCESS
        }
        OID_RECEIVE_FILTER_SET_FILTER => {
            rx::set_filter(s, &input(&b));
            set_counts(request, b.input, b.input, 0);
            NDIS_STATUS_SUCCESS
        }
        OID_RECEIVE_FILTER_CLEAR_FILTER => {
            rx::clear_filter(s, read_u32(&b, core::mem::offset_of!(NDIS_RECEIVE_FILTER_CLEAR_PARAMETERS, FilterId)));
            set_counts(request, 0, b.input, 0);
            NDIS_STATUS_SUCCESS
        }
        OID_RECEIVE_FILTER_FREE_QUEUE => free_queue(s, request, &b),
        _ => NDIS_STATUS_NOT_SUPPORTED,
    }
}

fn free_queue(s: &mut FakeAdapter, request: *mut NDIS_OID_REQUEST, b: &Buffer) -> NDIS_STATUS {
    let q = read_u32(b, core::mem::offset_of!(NDIS_RECEIVE_QUEUE_FREE_PARAMETERS, QueueId));
    if !knob(|k| k.skip_dma_stopped) {
        indicate_queue_state(s.handle, q, NdisReceiveQueueOperationalStateDmaStopped);
    }
    set_counts(request, 0, b.input, 0);
    if knob(|k| k.leak_queue_memory) {
        s.memory.remove(&q);
        return NDIS_STATUS_SUCCESS;
    }
    if knob(|k| k.pend_free_queue) {
        s.pending = request;
        s.pending_queue = q;
        queue_work(s);
        return NDIS_STATUS_PENDING;
    }
    rx::free_queue(s, q);
    free_queue_memory(s, q);
    NDIS_STATUS_SUCCESS
}

/// Completes `request` now (from a hook) with `status`.
pub fn complete(adapter: NDIS_HANDLE, request: *mut NDIS_OID_REQUEST, status: NDIS_STATUS) {
    // SAFETY: the request NDIS passed to this adapter.
    unsafe { NdisMOidRequestComplete(adapter, request, status) };
}

/// A null request pointer, for tests completing requests that do not exist.
pub fn no_request() -> *mut NDIS_OID_REQUEST {
    null_mut()
}
