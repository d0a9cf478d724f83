//! Bus-master DMA memory: `NdisMAllocateSharedMemory` / `NdisMFreeSharedMemory` (descriptor
//! rings), the check that addresses handed to the device lie inside it, and the halt-time
//! checks of the PCI resources (mappings, DMA memory, interrupts).
//!
//! For an adapter backed by a [`super::pci::PciDevice`] the memory comes from the device's
//! reachable memory (QEMU's guest RAM: bus address = RAM-file offset) and the driver sees it at
//! the host's window onto it; other adapters get host memory, bus address = virtual address.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismallocatesharedmemory>
//! and <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismfreesharedmemory>.

use std::collections::BTreeMap;

use super::Model;
use super::config::PASSIVE_LEVEL;
use super::memory::{AddressSpace, MemExt};

/// NdisMAllocateSharedMemory / NdisMFreeSharedMemory above PASSIVE_LEVEL.
pub const DMA_MEMORY_IRQL: &str = "dma.shared-memory-irql";
/// NdisMAllocateSharedMemory before NdisMRegisterScatterGatherDma ("a miniport driver must have
/// already called NdisMRegisterScatterGatherDma").
pub const DMA_MEMORY_WITHOUT_SG_DMA: &str = "dma.shared-memory-without-sg-dma";
/// NdisMFreeSharedMemory with addresses or a Length NdisMAllocateSharedMemory did not return.
pub const DMA_MEMORY_FREE_MISMATCH: &str = "dma.shared-memory-free-mismatch";
/// NdisMAllocateSharedMemory memory still allocated when MiniportHaltEx returned.
pub const DMA_MEMORY_LEAK_AT_HALT: &str = "dma.shared-memory-leak-at-halt";
/// The device was handed a bus address outside memory NDIS allocated for DMA.
pub const DMA_ADDRESS_NOT_NDIS_MEMORY: &str = "dma.address-not-ndis-memory";
/// An NdisMMapIoSpace mapping still live when MiniportHaltEx returned.
pub const IO_SPACE_NOT_UNMAPPED_AT_HALT: &str = "io-space.not-unmapped-at-halt";

/// One `NdisMAllocateSharedMemory` block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DmaBlock {
    /// The adapter it was allocated for.
    pub adapter: u64,
    /// The VirtualAddress returned.
    pub virtual_address: u64,
    /// Length requested.
    pub length: u32,
    /// Whether it came from the PCI device's memory.
    pub device_memory: bool,
}

/// Live blocks by bus (physical) address.
#[derive(Debug, Default)]
pub struct DmaMemory {
    blocks: BTreeMap<u64, DmaBlock>,
    /// Host memory of freed blocks, released at the next call with an address space.
    host_frees: Vec<u64>,
    /// VMQ shared memory (`NdisAllocateSharedMemory`) of a PCI adapter taken from the
    /// device's memory: bus address by VirtualAddress.
    shared_from_device: BTreeMap<u64, u64>,
}

impl Model {
    /// The live `NdisMAllocateSharedMemory` blocks, by bus address.
    pub fn dma_blocks(&self) -> Vec<(u64, DmaBlock)> {
        self.dma.blocks.iter().map(|(pa, b)| (*pa, *b)).collect()
    }

    /// Whether `[bus, bus + len)` lies inside memory NDIS handed out for DMA: a
    /// `NdisMAllocateSharedMemory` block, or VMQ shared memory (`NdisAllocateSharedMemory`).
    pub fn dma_covers(&self, bus: u64, len: u64) -> bool {
        let Some(end) = bus.checked_add(len) else { return false };
        let in_block = self.dma.blocks.range(..=bus).next_back().is_some_and(|(pa, b)| end <= pa + u64::from(b.length));
        in_block || self.sg_bounce_covers(bus, end) || self.shared_memory_covers_physical(bus, end)
    }

    /// Whether `[bus, end)` is covered by SG elements of live VMQ shared memory (adjacent
    /// elements together).
    fn shared_memory_covers_physical(&self, bus: u64, end: u64) -> bool {
        let elements: Vec<(u64, u64)> = self
            .shared
            .live
            .values()
            .flat_map(|b| b.elements.iter())
            .map(|&(pa, len)| (pa, pa + u64::from(len)))
            .collect();
        let mut at = bus;
        while at < end {
            match elements.iter().find(|&&(s, e)| s <= at && at < e) {
                Some(&(_, e)) => at = e,
                None => return false,
            }
        }
        true
    }

    /// `NdisMAllocateSharedMemory` (PASSIVE_LEVEL, after NdisMRegisterScatterGatherDma): writes
    /// the VirtualAddress (NULL on failure) and the PhysicalAddress.
    pub fn allocate_dma_memory(
        &mut self,
        mem: &mut dyn AddressSpace,
        adapter: u64,
        length: u32,
        out_va: u64,
        out_pa: u64,
    ) {
        const API: &str = "NdisMAllocateSharedMemory";
        if let Err(fault) = mem.write_u64(out_va, 0).and_then(|()| mem.write_u64(out_pa, 0)) {
            return self.fault(API, fault).unwrap_or(());
        }
        if self.irql > PASSIVE_LEVEL {
            return self.violate(DMA_MEMORY_IRQL, format!("{API} called at IRQL {}", self.irql));
        }
        if !self.check_adapter(adapter, API) {
            return;
        }
        if self.adapter(adapter).is_some_and(|a| a.sg_dma.is_none()) {
            self.violate(
                DMA_MEMORY_WITHOUT_SG_DMA,
                format!("{API} for adapter {adapter:#x} before NdisMRegisterScatterGatherDma"),
            );
            return;
        }
        if length == 0 {
            return;
        }
        let device_memory = self.is_pci_adapter(adapter);
        let allocated = if device_memory {
            let window = self.pci.window;
            self.pci_device().and_then(|d| d.alloc_dma(u64::from(length), 4096)).map(|pa| (window + pa, pa))
        } else {
            mem.alloc(length as usize, 4096).map(|va| (va, va))
        };
        let Some((va, pa)) = allocated else { return };
        if device_memory {
            // Guest RAM blocks are reused: hand them out zeroed like fresh host memory.
            let _ = mem.write(va, &vec![0; length as usize]);
        }
        if let Err(fault) = mem.write_u64(out_va, va).and_then(|()| mem.write_u64(out_pa, pa)) {
            self.release_dma(pa, va, device_memory, mem);
            return self.fault(API, fault).unwrap_or(());
        }
        self.dma.blocks.insert(pa, DmaBlock { adapter, virtual_address: va, length, device_memory });
    }

    /// `NdisMFreeSharedMemory` (PASSIVE_LEVEL): the same adapter, Length and addresses.
    pub fn free_dma_memory(&mut self, adapter: u64, length: u32, va: u64, pa: u64) {
        const API: &str = "NdisMFreeSharedMemory";
        if self.irql > PASSIVE_LEVEL {
            return self.violate(DMA_MEMORY_IRQL, format!("{API} called at IRQL {}", self.irql));
        }
        if !self.check_adapter(adapter, API) {
            return;
        }
        let block = self.dma.blocks.get(&pa).copied();
        match block {
            Some(b) if b.adapter == adapter && b.length == length && b.virtual_address == va => {
                self.dma.blocks.remove(&pa);
                self.free_dma_block(pa, b);
            }
            _ => self.violate(
                DMA_MEMORY_FREE_MISMATCH,
                format!(
                    "{API}: adapter {adapter:#x}, Length {length}, VirtualAddress {va:#x}, PhysicalAddress \
                     {pa:#x} name no block NdisMAllocateSharedMemory returned"
                ),
            ),
        }
    }

    /// Gives a block's memory back (host memory is freed by the caller's address space).
    fn free_dma_block(&mut self, pa: u64, b: DmaBlock) {
        if b.device_memory {
            if let Some(d) = self.pci_device() {
                d.free_dma(pa);
            }
        } else {
            self.dma.host_frees.push(b.virtual_address);
        }
    }

    fn release_dma(&mut self, pa: u64, va: u64, device_memory: bool, mem: &mut dyn AddressSpace) {
        if device_memory {
            if let Some(d) = self.pci_device() {
                d.free_dma(pa);
            }
        } else {
            mem.free(va);
        }
    }

    /// Frees host memory of blocks released where no address space was at hand.
    pub(super) fn flush_dma_frees(&mut self, mem: &mut dyn AddressSpace) {
        for va in std::mem::take(&mut self.dma.host_frees) {
            mem.free(va);
        }
    }

    /// VMQ shared memory for a PCI adapter comes from the device's memory, so the NIC can DMA
    /// into it: `(VirtualAddress, bus address)` of a zeroed block, or `None` for other adapters
    /// and when the device's memory is exhausted (no fallback to host memory).
    pub(super) fn allocate_shared_from_device(&mut self, adapter: u64, len: u64) -> Option<(u64, u64)> {
        if !self.is_pci_adapter(adapter) {
            return None;
        }
        let window = self.pci.window;
        let pa = self.pci_device()?.alloc_dma(len, 4096)?;
        let va = window + pa;
        self.dma.shared_from_device.insert(va, pa);
        Some((va, pa))
    }

    /// Gives back shared memory at `va`: to the device when it came from there, else to the
    /// address space.
    pub(super) fn release_shared_va(&mut self, mem: &mut dyn AddressSpace, va: u64) {
        match self.dma.shared_from_device.remove(&va) {
            Some(pa) => {
                if let Some(d) = self.pci_device() {
                    d.free_dma(pa);
                }
            }
            None => mem.free(va),
        }
    }

    /// Halt-time checks of what a bus-master adapter must give back: DMA memory, mappings,
    /// interrupts. Each leftover is reported and reclaimed.
    pub(super) fn check_pci_resources(&mut self, mem: &mut dyn AddressSpace, adapter: u64, when: &str) {
        self.flush_dma_frees(mem);
        let leaked: Vec<(u64, DmaBlock)> =
            self.dma.blocks.iter().filter(|(_, b)| b.adapter == adapter).map(|(pa, b)| (*pa, *b)).collect();
        for (pa, b) in leaked {
            self.violate(
                DMA_MEMORY_LEAK_AT_HALT,
                format!("{} bytes of NdisMAllocateSharedMemory at {pa:#x} not freed {when}", b.length),
            );
            self.dma.blocks.remove(&pa);
            self.free_dma_block(pa, b);
        }
        self.flush_dma_frees(mem);
        for (va, m) in self.io_mappings().into_iter().filter(|(_, m)| m.adapter == adapter) {
            self.violate(
                IO_SPACE_NOT_UNMAPPED_AT_HALT,
                format!(
                    "NdisMMapIoSpace mapping {va:#x} ({} bytes at {:#x}) not unmapped {when}",
                    m.length, m.physical
                ),
            );
            self.forget_io_mapping(mem, va);
        }
        self.check_sg_lists_at_halt(mem, adapter, when);
        self.check_interrupts_at_halt(adapter, when);
        self.release_pci_device(adapter);
    }
}

/// SG elements of a block that is physically contiguous from `pa`, split into `runs`.
pub(super) fn device_elements(pa: u64, runs: &[u64]) -> Vec<(u64, u32)> {
    let mut at = pa;
    runs.iter()
        .map(|&len| {
            let e = (at, u32::try_from(len).unwrap_or(u32::MAX));
            at += len;
            e
        })
        .collect()
}
