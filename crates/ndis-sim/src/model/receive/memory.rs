//! Where an indicated NBL's data lies: the MDL data range, NB.SharedMemoryInfo checked against
//! the shared-memory ledger (live handle, this queue's block, in range, covering the data), and
//! data in another queue's shared memory. A frame received into several buffers (jumbo frames)
//! is one NET_BUFFER whose MDL chain and `NextSharedMemorySegment` chain describe the same
//! buffers in the same order ([`rules::RECEIVE_SHARED_MEMORY_CHAIN`]).
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/shared-memory-in-receive-buffers>
//! and <https://learn.microsoft.com/windows-hardware/drivers/ddi/nbl/ns-nbl-net_buffer_shared_memory>.

use ndis_sys::NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID;

use super::super::memory::{AddressSpace, Fault, MemExt};
use super::super::ownership::{NBL_LINKS, add_link};
use super::super::{Model, rules};
use super::{API, Call, MAX_LINKS, NblView};

/// The MDLs of the chain at `mdl`, in order (at most [`MAX_LINKS`]).
pub(super) fn mdl_chain(mem: &dyn AddressSpace, mdl: u64) -> Result<Vec<u64>, Fault> {
    let mut chain = Vec::with_capacity(1);
    let mut at = mdl;
    while at != 0 && chain.len() < MAX_LINKS && !chain.contains(&at) {
        chain.push(at);
        at = mem.read_u64(at + off!(MDL, Next))?;
    }
    Ok(chain)
}

/// One resolved NET_BUFFER_SHARED_MEMORY segment.
#[derive(Clone, Copy, Debug)]
struct Segment {
    /// Host address of its first byte.
    va: u64,
    /// SharedMemoryLength.
    len: u64,
    /// The AllocationHandle of its block.
    allocation: u64,
}

/// The (address, length) pieces of the data range `offset..offset + len` of an MDL chain;
/// `None` if the chain is shorter.
pub(super) fn data_pieces(
    mem: &dyn AddressSpace,
    mdl: u64,
    offset: u32,
    len: u32,
) -> Result<Option<Vec<(u64, u32)>>, Fault> {
    let (mut at, mut skip, mut left) = (mdl, offset, len);
    let mut pieces = Vec::with_capacity(1);
    for _ in 0..MAX_LINKS {
        if left == 0 {
            return Ok(Some(pieces));
        }
        if at == 0 {
            break;
        }
        let count = mem.read_u32(at + off!(MDL, ByteCount))?;
        let va = mem.read_u64(at + off!(MDL, MappedSystemVa))?;
        if skip < count {
            let n = (count - skip).min(left);
            pieces.push((va + u64::from(skip), n));
            left -= n;
            skip = 0;
        } else {
            skip -= count;
        }
        at = mem.read_u64(at + off!(MDL, Next))?;
    }
    Ok((left == 0).then_some(pieces))
}

impl Model {
    /// Checks NB.SharedMemoryInfo (when SHARED_MEMORY_INFO_VALID is set) and where the data
    /// lies; returns the shared-memory blocks the NBL points into.
    pub(super) fn check_shared_memory_info(
        &mut self,
        mem: &dyn AddressSpace,
        adapter: u64,
        nbl: u64,
        v: &NblView,
        pieces: &[(u64, u32)],
        call: &Call,
    ) -> [u64; NBL_LINKS] {
        let mut blocks = [0u64; NBL_LINKS];
        let mut other_reported = false;
        if call.flags & NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID != 0 {
            if v.shared_info == 0 {
                self.violate_rx(
                    rules::RECEIVE_SHARED_MEMORY_INFO_NULL,
                    format!(
                        "{API}: NBL {nbl:#x} (queue {}) has SHARED_MEMORY_INFO_VALID but NB.SharedMemoryInfo is NULL",
                        v.queue
                    ),
                );
            } else {
                match self.shared_segments(mem, adapter, nbl, v, &mut other_reported) {
                    Ok(Some(segments)) => {
                        for s in &segments {
                            add_link(&mut blocks, s.allocation);
                        }
                        let inside = |&(va, n): &(u64, u32)| {
                            segments.iter().any(|s| va >= s.va && va + u64::from(n) <= s.va + s.len)
                        };
                        if !pieces.iter().all(inside) {
                            let described: Vec<(u64, u64)> = segments.iter().map(|s| (s.va, s.len)).collect();
                            self.violate_rx(
                                rules::RECEIVE_MDL_OUTSIDE_SHARED_MEMORY,
                                format!("{API}: NBL {nbl:#x}: MDL data {pieces:x?} lies outside the shared-memory segment(s) {described:x?} its NET_BUFFER_SHARED_MEMORY describes"),
                            );
                        }
                        if segments.len() > 1 || pieces.len() > 1 {
                            self.check_segment_chain(nbl, v, pieces, &segments);
                        }
                    }
                    Ok(None) => {}
                    Err(fault) => {
                        self.fault::<()>(API, fault);
                    }
                }
            }
        }
        // Wherever the data lies, it must not be another queue's shared memory.
        for &(va, _) in pieces {
            let Some(b) = self.shared.containing(va) else {
                continue;
            };
            let (handle, owner, queue) = (b.allocation_handle, b.adapter, b.queue);
            add_link(&mut blocks, handle);
            if (owner != adapter || queue != v.queue) && !other_reported {
                other_reported = true;
                self.violate_rx(
                    rules::RECEIVE_OTHER_QUEUE_MEMORY,
                    format!("{API}: NBL {nbl:#x} of queue {} carries data at {va:#x}, in shared memory {handle:#x} of queue {queue} (adapter {owner:#x})", v.queue),
                );
            }
        }
        blocks
    }

    /// A frame in several buffers: the MDLs holding its data and the NET_BUFFER_SHARED_MEMORY
    /// segments pair up one to one, in order (MDL `i`'s bytes lie in segment `i`), and the
    /// segments' lengths add up to DataLength.
    fn check_segment_chain(&mut self, nbl: u64, v: &NblView, pieces: &[(u64, u32)], segments: &[Segment]) {
        let mut problems = Vec::new();
        if pieces.len() != segments.len() {
            problems.push(format!(
                "its data lies in {} MDL(s) but its NET_BUFFER_SHARED_MEMORY chain has {} segment(s)",
                pieces.len(),
                segments.len()
            ));
        }
        for (i, (&(va, n), s)) in pieces.iter().zip(segments).enumerate() {
            if va < s.va || va + u64::from(n) > s.va + s.len {
                problems.push(format!(
                    "MDL {i}'s {n} bytes at {va:#x} are not in segment {i} ({:#x}, {} bytes)",
                    s.va, s.len
                ));
            }
        }
        let total: u64 = segments.iter().map(|s| s.len).sum();
        if total != u64::from(v.data_length) {
            problems
                .push(format!("its segments' SharedMemoryLength add up to {total}, DataLength is {}", v.data_length));
        }
        if !problems.is_empty() {
            self.violate_rx(
                rules::RECEIVE_SHARED_MEMORY_CHAIN,
                format!("{API}: NBL {nbl:#x} (queue {}): {}", v.queue, problems.join("; ")),
            );
        }
    }

    /// Resolves the NET_BUFFER_SHARED_MEMORY chain to segments; `None` if a segment is invalid
    /// (reported).
    fn shared_segments(
        &mut self,
        mem: &dyn AddressSpace,
        adapter: u64,
        nbl: u64,
        v: &NblView,
        other_reported: &mut bool,
    ) -> Result<Option<Vec<Segment>>, Fault> {
        let mut segments = Vec::with_capacity(1);
        let mut at = v.shared_info;
        for _ in 0..MAX_LINKS {
            if at == 0 {
                break;
            }
            let handle = mem.read_u64(at + off!(NET_BUFFER_SHARED_MEMORY, SharedMemoryHandle))?;
            let offset = mem.read_u32(at + off!(NET_BUFFER_SHARED_MEMORY, SharedMemoryOffset))?;
            let len = mem.read_u32(at + off!(NET_BUFFER_SHARED_MEMORY, SharedMemoryLength))?;
            at = mem.read_u64(at + off!(NET_BUFFER_SHARED_MEMORY, NextSharedMemorySegment))?;
            let Some(b) = self.shared.by_shared_handle(handle) else {
                let what = self.handles.describe(handle);
                self.violate_rx(
                    rules::RECEIVE_SHARED_MEMORY_UNKNOWN,
                    format!(
                        "{API}: NBL {nbl:#x} (queue {}): SharedMemoryHandle {what} is not a live shared-memory block",
                        v.queue
                    ),
                );
                return Ok(None);
            };
            let (va, size, owner, queue, alloc) = (b.virtual_address, b.len, b.adapter, b.queue, b.allocation_handle);
            if owner != adapter || queue != v.queue {
                *other_reported = true;
                self.violate_rx(
                    rules::RECEIVE_OTHER_QUEUE_MEMORY,
                    format!("{API}: NBL {nbl:#x} of queue {} points at shared memory {alloc:#x} of queue {queue} (adapter {owner:#x})", v.queue),
                );
                return Ok(None);
            }
            let end = u64::from(offset) + u64::from(len);
            if end > size {
                self.violate_rx(
                    rules::RECEIVE_SHARED_MEMORY_RANGE,
                    format!("{API}: NBL {nbl:#x}: SharedMemoryOffset {offset} + SharedMemoryLength {len} exceed block {alloc:#x} ({size} bytes)"),
                );
                return Ok(None);
            }
            segments.push(Segment { va: va + u64::from(offset), len: u64::from(len), allocation: alloc });
        }
        Ok(Some(segments))
    }
}
