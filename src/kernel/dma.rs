//! Scatter-gather DMA registration for bus-master back ends (`NdisMRegisterScatterGatherDma`).
//!
//! A miniport must register SG DMA before it calls `NdisAllocateSharedMemory`
//! and deregister it in MiniportHaltEx (SDV rule Init_RegisterSG).
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismregisterscattergatherdma>
//!
//! IRQL: PASSIVE_LEVEL.

use core::ffi::c_void;

use ndis_sys::{
    DEVICE_OBJECT, MINIPORT_PROCESS_SG_LIST, NDIS_HANDLE, NDIS_OBJECT_HEADER, NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION,
    NDIS_SG_DMA_64_BIT_ADDRESS, NDIS_SG_DMA_DESCRIPTION, NDIS_SG_DMA_DESCRIPTION_REVISION_1,
    NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1, NDIS_STATUS, NDIS_STATUS_FAILURE, NDIS_STATUS_SUCCESS,
    NdisMDeregisterScatterGatherDma, NdisMRegisterScatterGatherDma, SCATTER_GATHER_LIST,
};

use super::NdisHandle;

/// The send path of a software NIC maps nothing through NDIS: this MiniportProcessSGList is
/// never expected; it exists because the descriptor requires one.
///
/// # Safety
/// NDIS calls it with a scatter-gather list it built for this adapter; it touches nothing.
unsafe extern "system" fn no_sg_list(
    _device_object: *mut DEVICE_OBJECT,
    _reserved: *mut c_void,
    _sg_list: *mut SCATTER_GATHER_LIST,
    _context: *mut c_void,
) {
}

/// A registered SG DMA channel, deregistered on drop.
pub struct ScatterGatherDma(NdisHandle);

impl ScatterGatherDma {
    /// Registers SG DMA for the adapter (64-bit addressing, 64 KiB maximum mapping).
    ///
    /// # Errors
    /// The status NDIS returned.
    pub fn register(adapter: NdisHandle) -> Result<Self, NDIS_STATUS> {
        Self::register_with(adapter, no_sg_list)
    }

    /// [`ScatterGatherDma::register`] with the MiniportProcessSGList that receives the lists
    /// `NdisMAllocateNetBufferSGList` builds (a DMA NIC's send path, in the trampolines).
    ///
    /// # Errors
    /// The status NDIS returned.
    pub fn register_with(adapter: NdisHandle, process: MINIPORT_PROCESS_SG_LIST) -> Result<Self, NDIS_STATUS> {
        let mut description = NDIS_SG_DMA_DESCRIPTION {
            Header: NDIS_OBJECT_HEADER::new(
                NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION,
                NDIS_SG_DMA_DESCRIPTION_REVISION_1,
                NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1,
            ),
            ..NDIS_SG_DMA_DESCRIPTION::default()
        };
        description.Flags = NDIS_SG_DMA_64_BIT_ADDRESS;
        description.MaximumPhysicalMapping = 0x1_0000;
        description.ProcessSGListHandler = Some(process);
        let mut handle: NDIS_HANDLE = core::ptr::null_mut();
        // SAFETY: `description` is a valid revision-1 descriptor; `handle` is a valid out slot.
        let status = unsafe { NdisMRegisterScatterGatherDma(adapter.as_raw(), &raw mut description, &raw mut handle) };
        if status != NDIS_STATUS_SUCCESS {
            return Err(status);
        }
        NdisHandle::from_raw(handle).map(Self).ok_or(NDIS_STATUS_FAILURE)
    }
}

impl ScatterGatherDma {
    /// The NDIS DMA handle (for `NdisMAllocateNetBufferSGList`).
    #[must_use]
    pub const fn handle(&self) -> NdisHandle {
        self.0
    }
}

impl Drop for ScatterGatherDma {
    fn drop(&mut self) {
        // SAFETY: the handle came from NdisMRegisterScatterGatherDma and is released once.
        unsafe { NdisMDeregisterScatterGatherDma(self.0.as_raw()) };
    }
}
