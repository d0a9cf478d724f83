//! Transmit DMA: `NdisMAllocateNetBufferSGList` / `NdisMFreeNetBufferSGList`. NDIS maps a
//! NET_BUFFER's data for the NIC and hands the driver's MiniportProcessSGList the SG list.
//! For a PCI adapter the data is copied to device memory (a bounce buffer: bus addresses the
//! device can reach, like an IOMMU mapping); other adapters get their MDL pieces, address =
//! virtual address.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismallocatenetbuffersglist>
//! and <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismfreenetbuffersglist>.

use std::collections::BTreeMap;

use ndis_sys::{NDIS_STATUS_FAILURE, NDIS_STATUS_INVALID_PARAMETER, NDIS_STATUS_RESOURCES};

use super::config::DISPATCH_LEVEL;
use super::memory::{AddressSpace, Fault, MemExt};
use super::{Model, rules};

/// NdisMAllocateNetBufferSGList / NdisMFreeNetBufferSGList above DISPATCH_LEVEL, or without a
/// ProcessSGListHandler registered.
pub const SG_LIST_MISUSE: &str = "sg-list.misuse";
/// NdisMFreeNetBufferSGList of a list NDIS did not build, or with another DMA handle or NET_BUFFER.
pub const SG_LIST_FREE_MISMATCH: &str = "sg-list.free-mismatch";
/// An SG list still allocated when MiniportHaltEx returned.
pub const SG_LIST_NOT_FREED_AT_HALT: &str = "sg-list.not-freed-at-halt";

/// Most MDLs followed in one NET_BUFFER.
const MAX_MDLS: usize = 64;

/// One SG list handed out.
#[derive(Clone, Copy, Debug)]
struct SgList {
    adapter: u64,
    dma: u64,
    net_buffer: u64,
    /// The bounce buffer in device memory: (bus address, length).
    bounce: Option<(u64, u64)>,
    /// NDIS allocated the list (the driver passed no buffer).
    owned: bool,
}

/// Live SG lists by address, and each SG DMA handle's ProcessSGListHandler.
#[derive(Debug, Default)]
pub struct SgLists {
    lists: BTreeMap<u64, SgList>,
    handlers: BTreeMap<u64, u64>,
}

impl Model {
    /// Remembers the ProcessSGListHandler registered with SG DMA handle `dma`.
    pub(super) fn remember_sg_handler(&mut self, dma: u64, handler: u64) {
        self.sg_lists.handlers.insert(dma, handler);
    }

    /// Whether `[bus, end)` lies in a live SG list's bounce buffer.
    pub(super) fn sg_bounce_covers(&self, bus: u64, end: u64) -> bool {
        self.sg_lists.lists.values().filter_map(|l| l.bounce).any(|(pa, len)| bus >= pa && end <= pa + len)
    }

    /// The first half of `NdisMAllocateNetBufferSGList`: checks, maps the data and writes the
    /// SCATTER_GATHER_LIST. Returns (ProcessSGListHandler, list) or the status to return.
    pub fn build_net_buffer_sg_list(
        &mut self,
        mem: &mut dyn AddressSpace,
        dma: u64,
        nb: u64,
        _flags: u32,
        buffer: u64,
        size: u32,
    ) -> Result<(u64, u64), i32> {
        const API: &str = "NdisMAllocateNetBufferSGList";
        if self.irql > DISPATCH_LEVEL {
            self.violate(SG_LIST_MISUSE, format!("{API} at IRQL {}", self.irql));
            return Err(NDIS_STATUS_FAILURE);
        }
        let Some(adapter) = self.adapters.values().find(|a| a.sg_dma == Some(dma)).map(|a| a.handle) else {
            let what = self.handles.describe(dma);
            self.violate(rules::HANDLE_INVALID, format!("{API}: {what} is not a registered SG DMA handle"));
            return Err(NDIS_STATUS_INVALID_PARAMETER);
        };
        let handler = self.sg_lists.handlers.get(&dma).copied().unwrap_or(0);
        if handler == 0 {
            self.violate(SG_LIST_MISUSE, format!("{API}: the SG DMA registration has no ProcessSGListHandler"));
            return Err(NDIS_STATUS_FAILURE);
        }
        let pieces = match net_buffer_pieces(mem, nb) {
            Ok(p) => p,
            Err(fault) => return Err(self.fault(API, fault).unwrap_or(NDIS_STATUS_FAILURE)),
        };
        let total: u64 = pieces.iter().map(|&(_, len)| len).sum();
        let mut bounce = None;
        let elements = if self.is_pci_adapter(adapter) && total > 0 {
            let window = self.pci.window;
            let pa = self.pci_device().and_then(|d| d.alloc_dma(total, 64)).ok_or(NDIS_STATUS_RESOURCES)?;
            bounce = Some((pa, total));
            let mut at = window + pa;
            for &(va, len) in &pieces {
                let mut bytes = vec![0; len as usize];
                let copied = mem.read(va, &mut bytes).and_then(|()| mem.write(at, &bytes));
                if let Err(fault) = copied {
                    self.release_bounce(pa);
                    return Err(self.fault(API, fault).unwrap_or(NDIS_STATUS_FAILURE));
                }
                at += len;
            }
            vec![(pa, total)]
        } else {
            pieces
        };
        let need = 16 + 24 * elements.len() as u64;
        let owned = buffer == 0 || u64::from(size) < need;
        let list = if owned { mem.alloc(need as usize, 16) } else { Some(buffer) };
        let Some(list) = list else {
            if let Some((pa, _)) = bounce {
                self.release_bounce(pa);
            }
            return Err(NDIS_STATUS_RESOURCES);
        };
        if let Err(fault) = write_list(mem, list, &elements) {
            return Err(self.fault(API, fault).unwrap_or(NDIS_STATUS_FAILURE));
        }
        self.sg_lists.lists.insert(list, SgList { adapter, dma, net_buffer: nb, bounce, owned });
        Ok((handler, list))
    }

    fn release_bounce(&mut self, pa: u64) {
        if let Some(d) = self.pci_device() {
            d.free_dma(pa);
        }
    }

    fn release_sg_list(&mut self, mem: &mut dyn AddressSpace, list: u64, l: SgList) {
        if let Some((pa, _)) = l.bounce {
            self.release_bounce(pa);
        }
        if l.owned {
            mem.free(list);
        }
    }

    /// `NdisMFreeNetBufferSGList` (<= DISPATCH_LEVEL): the list, its DMA handle and NET_BUFFER.
    pub fn free_net_buffer_sg_list(&mut self, mem: &mut dyn AddressSpace, dma: u64, list: u64, nb: u64) {
        const API: &str = "NdisMFreeNetBufferSGList";
        if self.irql > DISPATCH_LEVEL {
            return self.violate(SG_LIST_MISUSE, format!("{API} at IRQL {}", self.irql));
        }
        match self.sg_lists.lists.get(&list).copied() {
            Some(l) if l.dma == dma && l.net_buffer == nb => {
                self.sg_lists.lists.remove(&list);
                self.release_sg_list(mem, list, l);
            }
            _ => self.violate(
                SG_LIST_FREE_MISMATCH,
                format!("{API}: SG list {list:#x} with DMA handle {dma:#x} and NET_BUFFER {nb:#x} was not built by NdisMAllocateNetBufferSGList for them"),
            ),
        }
    }

    /// Halt-time check: every SG list of `adapter` must be freed.
    pub(super) fn check_sg_lists_at_halt(&mut self, mem: &mut dyn AddressSpace, adapter: u64, when: &str) {
        let left: Vec<(u64, SgList)> =
            self.sg_lists.lists.iter().filter(|(_, l)| l.adapter == adapter).map(|(a, l)| (*a, *l)).collect();
        for (list, l) in left {
            self.violate(
                SG_LIST_NOT_FREED_AT_HALT,
                format!("SG list {list:#x} of adapter {adapter:#x} not freed {when}"),
            );
            self.sg_lists.lists.remove(&list);
            self.release_sg_list(mem, list, l);
        }
    }
}

/// The (virtual address, length) pieces of a NET_BUFFER's data: from CurrentMdl at
/// CurrentMdlOffset, DataLength bytes.
fn net_buffer_pieces(mem: &dyn AddressSpace, nb: u64) -> Result<Vec<(u64, u64)>, Fault> {
    let mut mdl = mem.read_u64(nb + off!(NET_BUFFER, CurrentMdl))?;
    let mut offset = u64::from(mem.read_u32(nb + off!(NET_BUFFER, CurrentMdlOffset))?);
    let mut left = u64::from(mem.read_u32(nb + off!(NET_BUFFER, DataLength))?);
    let mut pieces = Vec::new();
    for _ in 0..MAX_MDLS {
        if left == 0 || mdl == 0 {
            break;
        }
        let va = mem.read_u64(mdl + off!(MDL, MappedSystemVa))?;
        let count = u64::from(mem.read_u32(mdl + off!(MDL, ByteCount))?);
        let take = count.saturating_sub(offset).min(left);
        if take > 0 {
            pieces.push((va + offset, take));
        }
        left -= take;
        offset = 0;
        mdl = mem.read_u64(mdl + off!(MDL, Next))?;
    }
    Ok(pieces)
}

/// Writes a SCATTER_GATHER_LIST of `elements` at `list`.
fn write_list(mem: &mut dyn AddressSpace, list: u64, elements: &[(u64, u64)]) -> Result<(), Fault> {
    // CAST: at most MAX_MDLS elements.
    mem.write_u32(list, elements.len() as u32)?;
    mem.write_u64(list + 8, 0)?;
    for (i, &(address, len)) in elements.iter().enumerate() {
        let e = list + 16 + 24 * i as u64;
        mem.write_u64(e, address)?;
        // CAST: a NET_BUFFER's DataLength is a ULONG.
        mem.write_u32(e + 8, len as u32)?;
        mem.write_u64(e + 16, 0)?;
    }
    Ok(())
}
