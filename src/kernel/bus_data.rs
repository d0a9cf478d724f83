//! PCI configuration space reads with `NdisMGetBusData`: the vendor and device id check a
//! PCI miniport makes before touching its registers.
//!
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismgetbusdata>.
//!
//! IRQL: <= DISPATCH_LEVEL.

use ndis_sys::{NdisMGetBusData, PCI_WHICHSPACE_CONFIG};

use super::NdisHandle;

/// The identity in the first four bytes of configuration space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PciIds {
    /// `VendorID` (offset 0).
    pub vendor: u16,
    /// `DeviceID` (offset 2).
    pub device: u16,
}

/// Why a configuration read failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusDataError {
    /// `NdisMGetBusData` read fewer bytes than asked (it returns the count read).
    Short {
        /// Bytes read.
        read: u32,
    },
    /// The device is not one this driver supports.
    Unsupported(PciIds),
}

/// Reads `buf.len()` bytes of configuration space at `offset` into `buf`.
///
/// # Errors
/// [`BusDataError::Short`] when NDIS read fewer bytes.
pub fn read_config(adapter: NdisHandle, offset: u32, buf: &mut [u8]) -> Result<(), BusDataError> {
    let want = u32::try_from(buf.len()).map_err(|_| BusDataError::Short { read: 0 })?;
    // SAFETY: `buf` is `want` writable bytes for the call; the handle is the adapter's.
    let read =
        unsafe { NdisMGetBusData(adapter.as_raw(), PCI_WHICHSPACE_CONFIG, offset, buf.as_mut_ptr().cast(), want) };
    if read == want { Ok(()) } else { Err(BusDataError::Short { read }) }
}

/// The vendor and device ids.
///
/// # Errors
/// As [`read_config`].
pub fn read_ids(adapter: NdisHandle) -> Result<PciIds, BusDataError> {
    let mut b = [0u8; 4];
    read_config(adapter, 0, &mut b)?;
    Ok(PciIds { vendor: u16::from_le_bytes([b[0], b[1]]), device: u16::from_le_bytes([b[2], b[3]]) })
}

/// The ids, accepted only if `supported(ids)` says so.
///
/// # Errors
/// As [`read_config`], or [`BusDataError::Unsupported`].
pub fn check_ids(adapter: NdisHandle, supported: impl Fn(PciIds) -> bool) -> Result<PciIds, BusDataError> {
    let ids = read_ids(adapter)?;
    if supported(ids) { Ok(ids) } else { Err(BusDataError::Unsupported(ids)) }
}
