//! Scatter/gather DMA registration: NdisMRegisterScatterGatherDma / NdisMDeregisterScatterGatherDma,
//! plus NdisGetSharedDataAlignment.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismregisterscattergatherdma>.

use ndis_sys::{
    NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION, NDIS_STATUS_FAILURE, NDIS_STATUS_INVALID_PARAMETER, NDIS_STATUS_NOT_SUPPORTED,
    NDIS_STATUS_SUCCESS,
};

use super::config::PASSIVE_LEVEL;
use super::handles::HandleKind;
use super::memory::{AddressSpace, Fault, Header, MemExt};
use super::phase::Phase;
use super::{Model, rules};

/// ScatterGatherListSize NDIS reports: room for a list of 64 elements.
const SG_LIST_SIZE: u32 = 16 + 24 * 64;

impl Model {
    /// `NdisMRegisterScatterGatherDma` (PASSIVE, in MiniportInitializeEx, BUS_MASTER adapters).
    pub fn register_sg_dma(&mut self, mem: &mut dyn AddressSpace, adapter: u64, description: u64, out: u64) -> i32 {
        const API: &str = "NdisMRegisterScatterGatherDma";
        if !self.check_adapter(adapter, API) {
            return NDIS_STATUS_INVALID_PARAMETER;
        }
        match self.register_sg_dma_inner(mem, adapter, description, out) {
            Ok(status) => status,
            Err(fault) => self.fault(API, fault).unwrap_or(NDIS_STATUS_FAILURE),
        }
    }

    fn register_sg_dma_inner(
        &mut self,
        mem: &mut dyn AddressSpace,
        adapter: u64,
        at: u64,
        out: u64,
    ) -> Result<i32, Fault> {
        const API: &str = "NdisMRegisterScatterGatherDma";
        let mut problems = Vec::new();
        if self.irql > PASSIVE_LEVEL {
            problems.push(format!("called at IRQL {}", self.irql));
        }
        let Some(a) = self.adapter(adapter) else {
            return Ok(NDIS_STATUS_INVALID_PARAMETER);
        };
        if a.phase != Phase::Initializing {
            problems.push("called outside MiniportInitializeEx".to_string());
        }
        if a.sg_dma.is_some() {
            problems.push("already registered".to_string());
        }
        let bus_master = a.is_bus_master();
        if !bus_master {
            problems.push("the adapter did not set NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER".to_string());
        }
        let h = Header::read(mem, at)?;
        let header_ok = h.kind == NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION
            && ((h.revision == 1 && h.size >= 36) || (h.revision == 2 && h.size >= 48));
        if !header_ok {
            problems.push(format!(
                "NDIS_SG_DMA_DESCRIPTION header {h}; expected Type 0x83, Revision 1 Size >= 36 or Revision 2 Size >= 48"
            ));
        }
        if !problems.is_empty() {
            self.violate(rules::SG_DMA_MISUSE, format!("{API} on adapter {adapter:#x}: {}", problems.join("; ")));
        }
        if !bus_master {
            return Ok(NDIS_STATUS_NOT_SUPPORTED);
        }
        if !header_ok {
            return Ok(NDIS_STATUS_INVALID_PARAMETER);
        }
        let handle = self.handles.issue(HandleKind::SgDma);
        let process_sg_list = mem.read_u64(at + off!(NDIS_SG_DMA_DESCRIPTION, ProcessSGListHandler))?;
        self.remember_sg_handler(handle, process_sg_list);
        mem.write_u32(at + off!(NDIS_SG_DMA_DESCRIPTION, ScatterGatherListSize), SG_LIST_SIZE)?;
        mem.write_u64(out, handle)?;
        if let Some(a) = self.adapter_mut(adapter) {
            a.sg_dma = Some(handle);
        }
        Ok(NDIS_STATUS_SUCCESS)
    }

    /// `NdisMDeregisterScatterGatherDma` (PASSIVE).
    pub fn deregister_sg_dma(&mut self, handle: u64) {
        const API: &str = "NdisMDeregisterScatterGatherDma";
        let owner = self.adapters.values().find(|a| a.sg_dma == Some(handle)).map(|a| a.handle);
        let Some(adapter) = owner else {
            let what = self.handles.describe(handle);
            self.violate(rules::HANDLE_INVALID, format!("{API}: {what} is not a registered SG DMA handle"));
            return;
        };
        if self.irql > PASSIVE_LEVEL {
            self.violate(rules::SG_DMA_MISUSE, format!("{API} at IRQL {}", self.irql));
        }
        if self.phase(adapter).is_some_and(|p| p.is_gone()) {
            self.violate(
                rules::ADAPTER_CALL_AFTER_HALT,
                format!("{API} for adapter {adapter:#x} after MiniportHaltEx returned"),
            );
        }
        if let Some(a) = self.adapter_mut(adapter) {
            a.sg_dma = None;
        }
    }

    /// `NdisGetSharedDataAlignment` (<= DISPATCH).
    pub fn shared_data_alignment(&self) -> u32 {
        self.config.shared_data_alignment
    }
}
