//! VMQ shared memory: NdisAllocateSharedMemory / NdisFreeSharedMemory, with per-queue ledgers
//! and seeded scatter-gather lists.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocatesharedmemory>.
//!
//! Choices where the documentation is silent: the NdisHandle must be the MiniportAdapterHandle
//! (netvmini and ionic pass it); NDIS writes NumberOfElements; a too-small SGListBuffer is a
//! violation answered with NDIS_STATUS_INVALID_PARAMETER; the backing memory is page aligned.

use std::collections::{BTreeMap, BTreeSet};

use ndis_sys::{NDIS_OBJECT_TYPE_DEFAULT, NDIS_STATUS_INVALID_PARAMETER, NDIS_STATUS_RESOURCES, NDIS_STATUS_SUCCESS};

use super::config::PASSIVE_LEVEL;
use super::dma::device_elements;
use super::handles::HandleKind;
use super::memory::{AddressSpace, Fault, Header, MemExt};
use super::report::QueueSharedMemory;
use super::{Model, rules};

const PAGE: u64 = 0x1000;
/// `NDIS_SHARED_MEM_PARAMETERS_CONTIGUOUS`.
const CONTIGUOUS: u32 = 0x1;
/// sizeof(SCATTER_GATHER_LIST) header and sizeof(SCATTER_GATHER_ELEMENT) on x64.
const SG_HEADER: u64 = 16;
const SG_ELEMENT: u64 = 24;

/// One live shared-memory block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedBlock {
    /// The AllocationHandle NDIS returned.
    pub allocation_handle: u64,
    /// The adapter the block belongs to.
    pub adapter: u64,
    /// The NdisHandle used for the allocation.
    pub ndis_handle: u64,
    /// QueueId (0 = default queue).
    pub queue: u32,
    /// Usage (`NdisSharedMemoryUsage*`).
    pub usage: u32,
    /// Length in bytes.
    pub len: u64,
    /// VirtualAddress NDIS wrote.
    pub virtual_address: u64,
    /// SharedMemoryHandle NDIS wrote.
    pub shared_memory_handle: u64,
    /// CONTIGUOUS was requested.
    pub contiguous: bool,
    /// The SG list NDIS wrote: (physical address, length).
    pub elements: Vec<(u64, u32)>,
    reported: bool,
}

/// The shared-memory ledger.
#[derive(Debug, Default)]
pub struct SharedMemoryLedger {
    /// Live blocks by AllocationHandle.
    pub live: BTreeMap<u64, SharedBlock>,
    freed: BTreeSet<u64>,
    /// Calls to NdisAllocateSharedMemory (including failed ones).
    pub calls: u64,
    /// Successful allocations.
    pub allocations: u64,
    /// Successful frees.
    pub frees: u64,
    /// Bytes ever allocated.
    pub bytes_allocated: u64,
    /// Bytes currently allocated.
    pub bytes_outstanding: u64,
    /// Counters by QueueId.
    pub per_queue: BTreeMap<u32, QueueSharedMemory>,
    next_physical: u64,
    /// Live blocks: SharedMemoryHandle -> AllocationHandle.
    by_shared_handle: BTreeMap<u64, u64>,
    /// Live blocks: VirtualAddress -> AllocationHandle.
    by_address: BTreeMap<u64, u64>,
}

impl SharedMemoryLedger {
    /// The live block whose SharedMemoryHandle is `handle`.
    pub fn by_shared_handle(&self, handle: u64) -> Option<&SharedBlock> {
        self.live.get(self.by_shared_handle.get(&handle)?)
    }

    /// The live block containing the address `addr`.
    pub fn containing(&self, addr: u64) -> Option<&SharedBlock> {
        let (_, h) = self.by_address.range(..=addr).next_back()?;
        self.live.get(h).filter(|b| addr < b.virtual_address + b.len)
    }
}

struct Request {
    flags: u32,
    queue: u32,
    usage: u32,
    len: u32,
    sg_len: u32,
    sg_buffer: u64,
}

impl Model {
    /// `NdisAllocateSharedMemory` (PASSIVE).
    pub fn allocate_shared_memory(&mut self, mem: &mut dyn AddressSpace, handle: u64, params: u64, out: u64) -> i32 {
        const API: &str = "NdisAllocateSharedMemory";
        self.shared.calls += 1;
        let call = self.shared.calls;
        let status = match self.allocate_shared_inner(mem, handle, params, out, call) {
            Ok(status) => status,
            Err(fault) => self.fault(API, fault).unwrap_or(NDIS_STATUS_INVALID_PARAMETER),
        };
        if status != NDIS_STATUS_SUCCESS {
            // On failure NDIS leaves NULL handles behind (best effort: pointers may be bad).
            let _ = mem.write_u64(out, 0);
            let _ = mem.write_u64(params + off!(NDIS_SHARED_MEMORY_PARAMETERS, SharedMemoryHandle), 0);
            let _ = mem.write_u64(params + off!(NDIS_SHARED_MEMORY_PARAMETERS, VirtualAddress), 0);
        }
        status
    }

    fn allocate_shared_inner(
        &mut self,
        mem: &mut dyn AddressSpace,
        handle: u64,
        params: u64,
        out: u64,
        call: u64,
    ) -> Result<i32, Fault> {
        const API: &str = "NdisAllocateSharedMemory";
        if self.handles.kind(handle) != Some(HandleKind::Adapter) {
            let what = self.handles.describe(handle);
            let rule = if self.handles.kind(handle).is_some() {
                rules::SHARED_MEMORY_NDIS_HANDLE
            } else {
                rules::HANDLE_INVALID
            };
            self.violate(rule, format!("{API}: NdisHandle must be the MiniportAdapterHandle, got {what}"));
            return Ok(NDIS_STATUS_INVALID_PARAMETER);
        }
        if !self.check_adapter(handle, API) {
            return Ok(NDIS_STATUS_INVALID_PARAMETER);
        }
        if self.irql > PASSIVE_LEVEL {
            self.violate(rules::SHARED_MEMORY_IRQL, format!("{API} at IRQL {} (must be PASSIVE_LEVEL)", self.irql));
        }
        if self.inside("MiniportShutdownEx") {
            self.violate(rules::SHARED_MEMORY_IN_SHUTDOWN, format!("{API} called from MiniportShutdownEx"));
        }
        // NdisAllocateSharedMemory: the miniport "must have already called
        // NdisMRegisterScatterGatherDma or NdisMRegisterDmaChannel" — every adapter, bus
        // master declared or not (a non-bus-master cannot register, so it cannot allocate).
        let sg_dma = self.adapter(handle).and_then(|a| a.sg_dma);
        if sg_dma.is_none() {
            self.violate(
                rules::SHARED_MEMORY_BEFORE_SG_DMA,
                format!("{API} on adapter {handle:#x} before NdisMRegisterScatterGatherDma"),
            );
        }
        let h = Header::read(mem, params)?;
        let header_ok = h.kind == NDIS_OBJECT_TYPE_DEFAULT
            && ((h.revision == 1 && h.size >= 64) || (h.revision == 2 && h.size >= 68));
        if !header_ok {
            self.violate(
                rules::SHARED_MEMORY_BAD_HEADER,
                format!("{API}: NDIS_SHARED_MEMORY_PARAMETERS header {h}; expected Type DEFAULT (0x80), Revision 1 with Size >= 64 or Revision 2 with Size >= 68"),
            );
            return Ok(NDIS_STATUS_INVALID_PARAMETER);
        }
        let r = Request {
            flags: mem.read_u32(params + off!(NDIS_SHARED_MEMORY_PARAMETERS, Flags))?,
            queue: mem.read_u32(params + off!(NDIS_SHARED_MEMORY_PARAMETERS, QueueId))?,
            usage: mem.read_u32(params + off!(NDIS_SHARED_MEMORY_PARAMETERS, Usage))?,
            len: mem.read_u32(params + off!(NDIS_SHARED_MEMORY_PARAMETERS, Length))?,
            sg_len: mem.read_u32(params + off!(NDIS_SHARED_MEMORY_PARAMETERS, SGListBufferLength))?,
            sg_buffer: mem.read_u64(params + off!(NDIS_SHARED_MEMORY_PARAMETERS, SGListBuffer))?,
        };
        let vport =
            if h.revision >= 2 { mem.read_u32(params + off!(NDIS_SHARED_MEMORY_PARAMETERS, VPortId))? } else { 0 };
        let mut invalid = false;
        if vport != 0 {
            self.violate(rules::SHARED_MEMORY_VPORT_ID, format!("{API}: VPortId {vport}; a VMQ miniport must pass 0"));
            invalid = true;
        }
        if !(1..=9).contains(&r.usage) {
            self.violate(rules::SHARED_MEMORY_BAD_USAGE, format!("{API}: Usage {} is outside 1..=9", r.usage));
            invalid = true;
        }
        if r.len == 0 {
            self.violate(rules::SHARED_MEMORY_ZERO_LENGTH, format!("{API}: Length 0"));
            invalid = true;
        }
        if !self.adapter(handle).is_some_and(|a| a.queue_exists(r.queue)) {
            self.violate(
                rules::SHARED_MEMORY_QUEUE_NOT_ALLOCATED,
                format!("{API}: QueueId {} is neither 0 nor a queue NDIS allocated on adapter {handle:#x}", r.queue),
            );
            invalid = true;
        }
        if r.sg_buffer == 0 {
            self.violate(rules::SHARED_MEMORY_SG_BUFFER, format!("{API}: SGListBuffer is NULL"));
            invalid = true;
        }
        if invalid {
            return Ok(NDIS_STATUS_INVALID_PARAMETER);
        }
        if self.config.failing_shared_memory_allocations.contains(&call) {
            return Ok(NDIS_STATUS_RESOURCES);
        }
        let contiguous = r.flags & CONTIGUOUS != 0;
        let runs = self.plan_runs(u64::from(r.len), contiguous);
        let needed = SG_HEADER + SG_ELEMENT * runs.len() as u64;
        if u64::from(r.sg_len) < needed {
            self.violate(
                rules::SHARED_MEMORY_SG_BUFFER,
                format!("{API}: SGListBufferLength {} is too small for the {} element(s) of this allocation ({needed} bytes needed)", r.sg_len, runs.len()),
            );
            return Ok(NDIS_STATUS_INVALID_PARAMETER);
        }
        let device = self.allocate_shared_from_device(handle, u64::from(r.len));
        if device.is_none() && self.is_pci_adapter(handle) {
            return Ok(NDIS_STATUS_RESOURCES);
        }
        let Some(va) = device.map(|(va, _)| va).or_else(|| mem.alloc(r.len as usize, PAGE as usize)) else {
            return Ok(NDIS_STATUS_RESOURCES);
        };
        let elements = match device {
            Some((_, pa)) => device_elements(pa, &runs),
            None => self.assign_physical(&runs),
        };
        let shared_handle = self.handles.issue(HandleKind::SharedMemory);
        let alloc_handle = self.handles.issue(HandleKind::SharedAllocation);
        let written = write_outputs(mem, params, out, &r, va, shared_handle, alloc_handle, &elements);
        if let Err(fault) = written {
            self.release_shared_va(mem, va);
            return Err(fault);
        }
        let block = SharedBlock {
            allocation_handle: alloc_handle,
            adapter: handle,
            ndis_handle: handle,
            queue: r.queue,
            usage: r.usage,
            len: u64::from(r.len),
            virtual_address: va,
            shared_memory_handle: shared_handle,
            contiguous,
            elements,
            reported: false,
        };
        let s = &mut self.shared;
        s.allocations += 1;
        s.bytes_allocated += block.len;
        s.bytes_outstanding += block.len;
        let q = s.per_queue.entry(r.queue).or_default();
        q.allocations += 1;
        q.bytes += block.len;
        q.contiguous += u64::from(contiguous);
        q.sg_elements += block.elements.len() as u64;
        s.by_shared_handle.insert(shared_handle, alloc_handle);
        s.by_address.insert(va, alloc_handle);
        s.live.insert(alloc_handle, block);
        Ok(NDIS_STATUS_SUCCESS)
    }

    /// Splits `len` bytes into 1..N page-multiple runs (the last may end mid-page).
    fn plan_runs(&mut self, len: u64, contiguous: bool) -> Vec<u64> {
        let pages = len.div_ceil(PAGE);
        let max = pages.min(u64::from(self.config.max_sg_elements.max(1)));
        let n = if contiguous { 1 } else { 1 + self.rng.below(max) };
        // Choose n-1 distinct page boundaries in 1..pages.
        let mut cuts = BTreeSet::new();
        while (cuts.len() as u64) < n - 1 {
            cuts.insert(1 + self.rng.below(pages - 1));
        }
        let mut bounds: Vec<u64> = std::iter::once(0).chain(cuts.iter().map(|c| c * PAGE)).collect();
        bounds.push(len);
        bounds.windows(2).map(|w| w[1] - w[0]).collect()
    }

    /// Gives each run a made-up, distinct, page-aligned physical address with gaps between.
    fn assign_physical(&mut self, runs: &[u64]) -> Vec<(u64, u32)> {
        if self.shared.next_physical == 0 {
            self.shared.next_physical = 0x1_0000_0000 + self.rng.below(0x1000) * PAGE;
        }
        runs.iter()
            .map(|&len| {
                let addr = self.shared.next_physical;
                let gap = (1 + self.rng.below(16)) * PAGE;
                self.shared.next_physical += len.div_ceil(PAGE) * PAGE + gap;
                (addr, u32::try_from(len).unwrap_or(u32::MAX))
            })
            .collect()
    }

    /// `NdisFreeSharedMemory` (PASSIVE).
    pub fn free_shared_memory(&mut self, mem: &mut dyn AddressSpace, handle: u64, allocation: u64) {
        const API: &str = "NdisFreeSharedMemory";
        if self.irql > PASSIVE_LEVEL {
            self.violate(rules::SHARED_MEMORY_IRQL, format!("{API} at IRQL {} (must be PASSIVE_LEVEL)", self.irql));
        }
        if self.inside("MiniportShutdownEx") {
            self.violate(rules::SHARED_MEMORY_IN_SHUTDOWN, format!("{API} called from MiniportShutdownEx"));
        }
        let Some(block) = self.shared.live.get(&allocation).cloned() else {
            if self.shared.freed.contains(&allocation) {
                self.violate(
                    rules::SHARED_MEMORY_DOUBLE_FREE,
                    format!("{API}: AllocationHandle {allocation:#x} was already freed"),
                );
            } else {
                let what = self.handles.describe(allocation);
                self.violate(
                    rules::SHARED_MEMORY_UNKNOWN_HANDLE,
                    format!("{API}: {what} is not a live AllocationHandle"),
                );
            }
            return;
        };
        if self.phase(block.adapter).is_some_and(|p| p.is_gone()) {
            self.violate(
                rules::ADAPTER_CALL_AFTER_HALT,
                format!("{API} for adapter {:#x} after MiniportHaltEx returned", block.adapter),
            );
        }
        if handle != block.ndis_handle {
            let what = self.handles.describe(handle);
            self.violate(
                rules::SHARED_MEMORY_HANDLE_MISMATCH,
                format!(
                    "{API}: block {allocation:#x} was allocated with NdisHandle {:#x} but freed with {what}",
                    block.ndis_handle
                ),
            );
        }
        let refs = self.ownership.block_refs(allocation);
        if refs > 0 {
            self.violate(
                rules::SHARED_MEMORY_FREED_WHILE_INDICATED,
                format!("{API}: block {allocation:#x} (queue {}) freed while {refs} indicated NBL(s) NDIS has not returned point into it", block.queue),
            );
        }
        self.check_dma_stopped_block(mem, allocation, "when NdisFreeSharedMemory freed it");
        self.shared.live.remove(&allocation);
        self.shared.by_shared_handle.remove(&block.shared_memory_handle);
        self.shared.by_address.remove(&block.virtual_address);
        self.shared.freed.insert(allocation);
        self.shared.frees += 1;
        self.shared.bytes_outstanding -= block.len;
        self.shared.per_queue.entry(block.queue).or_default().frees += 1;
        self.quarantine_shared_block(mem, block.virtual_address, block.len, block.adapter, block.queue);
    }

    /// Reports (once) every live block of `adapter` (and `queue`, if given) under `rule`.
    pub(super) fn check_shared_memory_freed(
        &mut self,
        adapter: u64,
        queue: Option<u32>,
        rule: &'static str,
        when: &str,
    ) {
        let mut found = Vec::new();
        for b in self.shared.live.values_mut() {
            if b.adapter == adapter && queue.is_none_or(|q| q == b.queue) && !b.reported {
                b.reported = true;
                found.push((b.allocation_handle, b.queue, b.len));
            }
        }
        for (h, q, len) in found {
            self.violate(
                rule,
                format!("shared memory {h:#x} ({len} bytes, queue {q}) of adapter {adapter:#x} still allocated {when}"),
            );
        }
    }

    /// Live shared-memory blocks of `adapter`, in allocation order.
    pub fn shared_memory_blocks(&self, adapter: u64) -> Vec<SharedBlock> {
        self.shared.live.values().filter(|b| b.adapter == adapter).cloned().collect()
    }

    /// Calls made to NdisAllocateSharedMemory so far (for fault-injection sweeps).
    pub fn shared_memory_allocation_calls(&self) -> u64 {
        self.shared.calls
    }
}

#[allow(clippy::too_many_arguments)]
fn write_outputs(
    mem: &mut dyn AddressSpace,
    params: u64,
    out: u64,
    r: &Request,
    va: u64,
    shared_handle: u64,
    alloc_handle: u64,
    elements: &[(u64, u32)],
) -> Result<(), Fault> {
    let mut sg = Vec::with_capacity((SG_HEADER + SG_ELEMENT * elements.len() as u64) as usize);
    sg.extend_from_slice(&(elements.len() as u32).to_le_bytes());
    sg.extend_from_slice(&[0; 12]);
    for &(addr, len) in elements {
        sg.extend_from_slice(&addr.to_le_bytes());
        sg.extend_from_slice(&len.to_le_bytes());
        sg.extend_from_slice(&[0; 12]);
    }
    debug_assert!(sg.len() as u64 <= u64::from(r.sg_len));
    mem.write(r.sg_buffer, &sg)?;
    mem.write_u64(params + off!(NDIS_SHARED_MEMORY_PARAMETERS, VirtualAddress), va)?;
    mem.write_u64(params + off!(NDIS_SHARED_MEMORY_PARAMETERS, SharedMemoryHandle), shared_handle)?;
    mem.write_u64(out, alloc_handle)
}
