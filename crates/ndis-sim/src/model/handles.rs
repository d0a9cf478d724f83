//! Opaque NDIS handles: host-unique values that the driver must never dereference.
//!
//! A handle encodes a recognisable prefix, its kind and a serial number, and lands in the
//! non-canonical x64 range so that dereferencing one faults on the host.

use std::collections::BTreeMap;
use std::fmt;

/// What a handle stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum HandleKind {
    /// NdisMiniportDriverHandle from NdisMRegisterMiniportDriver.
    Driver,
    /// MiniportAdapterHandle passed to MiniportInitializeEx.
    Adapter,
    /// Configuration handle from NdisOpenConfigurationEx.
    Config,
    /// NDIS_HANDLE of an I/O work item.
    WorkItem,
    /// AllocationHandle of a shared-memory block.
    SharedAllocation,
    /// SharedMemoryHandle of a shared-memory block (for NET_BUFFER_SHARED_MEMORY).
    SharedMemory,
    /// NdisMiniportDmaHandle from NdisMRegisterScatterGatherDma.
    SgDma,
    /// RequestHandle of an OID request.
    OidRequest,
    /// PoolHandle from NdisAllocateNetBufferListPool.
    NblPool,
    /// NdisInterruptHandle from NdisMRegisterInterruptEx.
    Interrupt,
}

impl HandleKind {
    fn code(self) -> u64 {
        match self {
            Self::Driver => 1,
            Self::Adapter => 2,
            Self::Config => 3,
            Self::WorkItem => 4,
            Self::SharedAllocation => 5,
            Self::SharedMemory => 6,
            Self::SgDma => 7,
            Self::OidRequest => 8,
            Self::NblPool => 9,
            Self::Interrupt => 10,
        }
    }
}

impl fmt::Display for HandleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Driver => "driver handle",
            Self::Adapter => "adapter handle",
            Self::Config => "configuration handle",
            Self::WorkItem => "work item handle",
            Self::SharedAllocation => "shared-memory allocation handle",
            Self::SharedMemory => "shared-memory handle",
            Self::SgDma => "SG DMA handle",
            Self::OidRequest => "OID request handle",
            Self::NblPool => "NBL pool handle",
            Self::Interrupt => "interrupt handle",
        };
        f.write_str(name)
    }
}

/// The table of every handle the host ever issued (handles are never reused).
#[derive(Debug, Default)]
pub struct Handles {
    kinds: BTreeMap<u64, HandleKind>,
    serial: u64,
}

impl Handles {
    /// "ND" in the top bytes: non-canonical on x64, easy to spot in a dump.
    const PREFIX: u64 = 0x4E44_0000_0000_0000;

    /// Issues a new handle of `kind`.
    pub fn issue(&mut self, kind: HandleKind) -> u64 {
        self.serial += 1;
        let handle = Self::PREFIX | (kind.code() << 40) | (self.serial << 4);
        self.kinds.insert(handle, kind);
        handle
    }

    /// The kind of `handle`, if this host issued it.
    pub fn kind(&self, handle: u64) -> Option<HandleKind> {
        self.kinds.get(&handle).copied()
    }

    /// Describes `handle` for violation details.
    pub fn describe(&self, handle: u64) -> String {
        match self.kind(handle) {
            Some(kind) => format!("{kind} {handle:#x}"),
            None if handle == 0 => "NULL".to_string(),
            None => format!("unknown handle {handle:#x}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_unique_and_typed() {
        let mut h = Handles::default();
        let a = h.issue(HandleKind::Adapter);
        let b = h.issue(HandleKind::Adapter);
        let d = h.issue(HandleKind::Driver);
        assert_ne!(a, b);
        assert_eq!(h.kind(a), Some(HandleKind::Adapter));
        assert_eq!(h.kind(d), Some(HandleKind::Driver));
        assert_eq!(h.kind(0), None);
        assert!(h.describe(0x1234).contains("unknown"));
    }
}
