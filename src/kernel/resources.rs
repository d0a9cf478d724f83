//! A checked view of `NDIS_MINIPORT_INIT_PARAMETERS.AllocatedResources`: the
//! `CM_PARTIAL_RESOURCE_LIST` the PnP manager assigned (memory BARs, message-signaled
//! interrupts). Malformed lists are refused with a typed error; nothing is allocated.
//!
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_init_parameters>,
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_cm_partial_resource_descriptor>.
//!
//! IRQL: any (a read of memory NDIS owns for the duration of MiniportInitializeEx).

use core::mem::size_of;

use ndis_sys::{
    CM_MEMORY_LENGTH, CM_MEMORY_START, CM_PARTIAL_RESOURCE_DESCRIPTOR, CM_PARTIAL_RESOURCE_LIST,
    CM_RESOURCE_INTERRUPT_MESSAGE, CmResourceTypeInterrupt, CmResourceTypeMemory,
};

use super::bytes::{u16_at, u32_at};

/// Memory BARs kept (a PCI function has at most six).
pub const MAX_MEMORY_BARS: usize = 6;
/// Descriptors accepted in one list (more is refused as malformed).
pub const MAX_DESCRIPTORS: u32 = 256;

const HEADER: usize = 8; // Version, Revision (USHORT each), Count (ULONG).
const DESCRIPTOR: usize = size_of::<CM_PARTIAL_RESOURCE_DESCRIPTOR>();

/// One `CmResourceTypeMemory` range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryBar {
    /// Bus-relative physical start (what `NdisMMapIoSpace` takes).
    pub start: u64,
    /// Length in bytes.
    pub length: u32,
}

/// Why a resource list was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceError {
    /// `AllocatedResources` is NULL (a root-enumerated adapter gets none).
    Missing,
    /// The list is shorter than its `Count` says, or `Count` exceeds [`MAX_DESCRIPTORS`].
    Truncated,
    /// A memory descriptor of zero length, or one whose range wraps.
    EmptyMemory,
    /// More memory ranges than a PCI function has.
    TooManyBars,
    /// A line-based interrupt next to message-signaled ones (the device is either).
    MixedInterrupts,
}

/// The adapter's resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resources {
    bars: [Option<MemoryBar>; MAX_MEMORY_BARS],
    messages: u32,
    line_interrupts: u32,
}

impl Resources {
    /// Parses a `CM_PARTIAL_RESOURCE_LIST` laid out in `bytes` (header, then `Count`
    /// descriptors). Types other than memory and interrupt (port, DMA, device-specific) are
    /// skipped, as the PnP manager may add them.
    ///
    /// # Errors
    /// See [`ResourceError`].
    pub fn parse(bytes: &[u8]) -> Result<Self, ResourceError> {
        let count = u32_at(bytes, 4).ok_or(ResourceError::Truncated)?;
        if count > MAX_DESCRIPTORS || bytes.len() < Self::list_len(count) {
            return Err(ResourceError::Truncated);
        }
        let mut resources = Self { bars: [None; MAX_MEMORY_BARS], messages: 0, line_interrupts: 0 };
        for i in 0..count as usize {
            let at = HEADER + i * DESCRIPTOR;
            let kind = bytes.get(at).copied().ok_or(ResourceError::Truncated)?;
            let flags = u16_at(bytes, at + 2).ok_or(ResourceError::Truncated)?;
            if kind == CmResourceTypeMemory {
                resources.add_bar(bytes, at)?;
            } else if kind == CmResourceTypeInterrupt {
                if flags & CM_RESOURCE_INTERRUPT_MESSAGE != 0 {
                    resources.messages += 1;
                } else {
                    resources.line_interrupts += 1;
                }
            }
        }
        if resources.messages != 0 && resources.line_interrupts != 0 {
            return Err(ResourceError::MixedInterrupts);
        }
        Ok(resources)
    }

    /// Bytes of a list with `count` descriptors.
    #[must_use]
    pub const fn list_len(count: u32) -> usize {
        HEADER + DESCRIPTOR * count as usize
    }

    fn add_bar(&mut self, bytes: &[u8], at: usize) -> Result<(), ResourceError> {
        let low = u32_at(bytes, at + CM_MEMORY_START).ok_or(ResourceError::Truncated)?;
        let high = u32_at(bytes, at + CM_MEMORY_START + 4).ok_or(ResourceError::Truncated)?;
        let length = u32_at(bytes, at + CM_MEMORY_LENGTH).ok_or(ResourceError::Truncated)?;
        let start = u64::from(low) | (u64::from(high) << 32);
        if length == 0 || start.checked_add(u64::from(length)).is_none() {
            return Err(ResourceError::EmptyMemory);
        }
        let slot = self.bars.iter_mut().find(|b| b.is_none()).ok_or(ResourceError::TooManyBars)?;
        *slot = Some(MemoryBar { start, length });
        Ok(())
    }

    /// Reads the list `AllocatedResources` points to.
    ///
    /// # Errors
    /// [`ResourceError::Missing`] for NULL; otherwise as [`Resources::parse`].
    ///
    /// # Safety
    /// `list` is NULL or the `AllocatedResources` of the running MiniportInitializeEx: a
    /// readable header followed by `Count` descriptors.
    pub unsafe fn from_raw(list: *const CM_PARTIAL_RESOURCE_LIST) -> Result<Self, ResourceError> {
        if list.is_null() {
            return Err(ResourceError::Missing);
        }
        let mut header = [0u8; HEADER];
        // SAFETY: the caller's contract: the header is readable (unaligned read of 8 bytes).
        unsafe { core::ptr::copy_nonoverlapping(list.cast::<u8>(), header.as_mut_ptr(), HEADER) };
        let count = u32_at(&header, 4).ok_or(ResourceError::Truncated)?;
        if count > MAX_DESCRIPTORS {
            return Err(ResourceError::Truncated);
        }
        // SAFETY: the caller's contract: header plus `Count` descriptors are readable, and NDIS
        // does not change them during MiniportInitializeEx.
        let bytes = unsafe { core::slice::from_raw_parts(list.cast::<u8>(), Self::list_len(count)) };
        Self::parse(bytes)
    }

    /// The memory ranges, in list order (BAR0 first on the 82576).
    pub fn memory_bars(&self) -> impl Iterator<Item = MemoryBar> + '_ {
        self.bars.iter().flatten().copied()
    }

    /// The first memory range (BAR0), if any.
    #[must_use]
    pub fn bar0(&self) -> Option<MemoryBar> {
        self.bars[0]
    }

    /// Message-signaled interrupt resources (MSI-X vectors NDIS will connect).
    #[must_use]
    pub const fn message_interrupts(&self) -> u32 {
        self.messages
    }

    /// Line-based interrupt resources.
    #[must_use]
    pub const fn line_interrupts(&self) -> u32 {
        self.line_interrupts
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn list(descriptors: &[(u8, u16, [u32; 4])]) -> Vec<u8> {
        let mut b = vec![1, 0, 1, 0];
        b.extend_from_slice(&u32::try_from(descriptors.len()).unwrap().to_le_bytes());
        for (kind, flags, u) in descriptors {
            b.extend_from_slice(&[*kind, 1]);
            b.extend_from_slice(&flags.to_le_bytes());
            for v in u {
                b.extend_from_slice(&v.to_le_bytes());
            }
        }
        b
    }

    const MEM: (u8, u16, [u32; 4]) = (CmResourceTypeMemory, 0, [0xF7C0_0000, 0, 0x2_0000, 0]);
    const MSG: (u8, u16, [u32; 4]) = (CmResourceTypeInterrupt, CM_RESOURCE_INTERRUPT_MESSAGE, [0, 5, 1, 0]);

    #[test]
    fn a_bar_and_messages_are_found() {
        let r = Resources::parse(&list(&[MEM, MSG, MSG, (1, 0, [0; 4])])).unwrap();
        assert_eq!(r.bar0(), Some(MemoryBar { start: 0xF7C0_0000, length: 0x2_0000 }));
        assert_eq!(r.memory_bars().count(), 1);
        assert_eq!(r.message_interrupts(), 2);
    }

    #[test]
    fn malformed_lists_are_refused() {
        let mut short = list(&[MEM, MSG]);
        short.truncate(short.len() - 1);
        assert_eq!(Resources::parse(&short), Err(ResourceError::Truncated));
        assert_eq!(Resources::parse(&[0; 3]), Err(ResourceError::Truncated));
        let empty = (CmResourceTypeMemory, 0, [0x1000, 0, 0, 0]);
        assert_eq!(Resources::parse(&list(&[empty])), Err(ResourceError::EmptyMemory));
        let wraps = (CmResourceTypeMemory, 0, [0xFFFF_F000, 0xFFFF_FFFF, 0x2000, 0]);
        assert_eq!(Resources::parse(&list(&[wraps])), Err(ResourceError::EmptyMemory));
        assert_eq!(Resources::parse(&list(&[MEM; 7])), Err(ResourceError::TooManyBars));
        let line = (CmResourceTypeInterrupt, 0, [0; 4]);
        assert_eq!(Resources::parse(&list(&[MSG, line])), Err(ResourceError::MixedInterrupts));
        // SAFETY: NULL is allowed by the contract.
        assert_eq!(unsafe { Resources::from_raw(core::ptr::null()) }, Err(ResourceError::Missing));
    }
}
