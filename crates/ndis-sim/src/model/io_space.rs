//! Device memory mapping: NdisMMapIoSpace / NdisMUnmapIoSpace over the ranges the host assigned
//! to an adapter.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismmapiospace> and
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismunmapiospace>.

use std::collections::BTreeMap;

use ndis_sys::{NDIS_STATUS_FAILURE, NDIS_STATUS_RESOURCES, NDIS_STATUS_SUCCESS};

use super::Model;
use super::config::PASSIVE_LEVEL;
use super::memory::{AddressSpace, MemExt};

/// NdisMMapIoSpace or NdisMUnmapIoSpace above PASSIVE_LEVEL.
pub const IO_SPACE_IRQL: &str = "io-space.irql";
/// NdisMUnmapIoSpace with a VirtualAddress NdisMMapIoSpace did not return (or already unmapped).
pub const IO_SPACE_UNMAP_NOT_MAPPED: &str = "io-space.unmap-not-mapped";
/// NdisMUnmapIoSpace with another adapter or Length than the mapping was made with.
pub const IO_SPACE_UNMAP_MISMATCH: &str = "io-space.unmap-mismatch";

/// One live mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IoMapping {
    /// The MiniportAdapterHandle it was mapped for.
    pub adapter: u64,
    /// The bus-relative physical base address.
    pub physical: u64,
    /// Bytes mapped.
    pub length: u32,
}

/// The device memory ranges assigned to each adapter, and the live mappings.
#[derive(Debug, Default)]
pub struct IoSpace {
    /// `[start, end)` physical ranges by MiniportAdapterHandle (the stand-in for the memory
    /// resources in `AllocatedResources`; none unless a test assigns them).
    assigned: BTreeMap<u64, Vec<(u64, u64)>>,
    /// Live mappings by the VirtualAddress returned.
    mapped: BTreeMap<u64, IoMapping>,
}

impl Model {
    /// Assigns `[physical, physical + length)` to the adapter as device memory it may map.
    pub fn assign_io_range(&mut self, adapter: u64, physical: u64, length: u32) {
        let end = physical.saturating_add(u64::from(length));
        self.io_space.assigned.entry(adapter).or_default().push((physical, end));
    }

    /// The live mappings, by VirtualAddress.
    pub fn io_mappings(&self) -> Vec<(u64, IoMapping)> {
        self.io_space.mapped.iter().map(|(va, m)| (*va, *m)).collect()
    }

    /// `NdisMMapIoSpace` (PASSIVE_LEVEL): maps a range inside the adapter's assigned device
    /// memory; `*VirtualAddress` is NULL unless it returns NDIS_STATUS_SUCCESS.
    pub fn map_io_space(
        &mut self,
        mem: &mut dyn AddressSpace,
        out: u64,
        adapter: u64,
        physical: u64,
        length: u32,
    ) -> i32 {
        const API: &str = "NdisMMapIoSpace";
        if let Err(fault) = mem.write_u64(out, 0) {
            return self.fault(API, fault).unwrap_or(NDIS_STATUS_FAILURE);
        }
        if self.irql > PASSIVE_LEVEL {
            self.violate(IO_SPACE_IRQL, format!("{API} called at IRQL {}", self.irql));
            return NDIS_STATUS_FAILURE;
        }
        if !self.check_adapter(adapter, API) {
            return NDIS_STATUS_FAILURE;
        }
        // A range that is not the adapter's device memory: "the given PhysicalAddress and
        // Length are invalid" (NDIS_STATUS_FAILURE), a documented failure, not a violation.
        let end = physical.checked_add(u64::from(length));
        let ranges = self.io_space.assigned.get(&adapter).map_or(&[][..], Vec::as_slice);
        let assigned = end.is_some_and(|end| length > 0 && ranges.iter().any(|&(s, e)| s <= physical && end <= e));
        if !assigned {
            return NDIS_STATUS_FAILURE;
        }
        // The device's registers: an emulator's MMIO window onto the PCI device, or else
        // zeroed memory the driver can read and write (a stand-in, or the token the host
        // build's READ_REGISTER_ULONG hands back to ndis-sim).
        let window = self.mmio_window_address(adapter, physical);
        let Some(va) = window.or_else(|| mem.alloc(length as usize, 4096)) else {
            return NDIS_STATUS_RESOURCES;
        };
        if let Err(fault) = mem.write_u64(out, va) {
            if window.is_none() {
                mem.free(va);
            }
            return self.fault(API, fault).unwrap_or(NDIS_STATUS_FAILURE);
        }
        self.io_space.mapped.insert(va, IoMapping { adapter, physical, length });
        NDIS_STATUS_SUCCESS
    }

    /// `NdisMUnmapIoSpace` (PASSIVE_LEVEL): undoes a mapping with the same adapter,
    /// VirtualAddress and Length.
    pub fn unmap_io_space(&mut self, mem: &mut dyn AddressSpace, adapter: u64, virtual_address: u64, length: u32) {
        const API: &str = "NdisMUnmapIoSpace";
        if self.irql > PASSIVE_LEVEL {
            self.violate(IO_SPACE_IRQL, format!("{API} called at IRQL {}", self.irql));
            return;
        }
        if !self.check_adapter(adapter, API) {
            return;
        }
        match self.io_space.mapped.get(&virtual_address).copied() {
            None => self.violate(
                IO_SPACE_UNMAP_NOT_MAPPED,
                format!("{API}: {virtual_address:#x} is not a mapping NdisMMapIoSpace returned"),
            ),
            Some(m) if m.adapter != adapter || m.length != length => self.violate(
                IO_SPACE_UNMAP_MISMATCH,
                format!(
                    "{API}: {virtual_address:#x} was mapped for adapter {:#x} with Length {}, \
                     unmapped for adapter {adapter:#x} with Length {length}",
                    m.adapter, m.length
                ),
            ),
            Some(_) => {
                self.io_space.mapped.remove(&virtual_address);
                if !self.in_mmio_window(virtual_address) {
                    mem.free(virtual_address);
                }
            }
        }
    }
}

impl Model {
    /// Drops a mapping the driver never unmapped (reported at halt) and frees its stand-in.
    pub(super) fn forget_io_mapping(&mut self, mem: &mut dyn AddressSpace, virtual_address: u64) {
        if self.io_space.mapped.remove(&virtual_address).is_some() && !self.in_mmio_window(virtual_address) {
            mem.free(virtual_address);
        }
    }
}
