//! PCI resources and message-signaled interrupts: what `MiniportInitializeEx` receives in
//! `AllocatedResources` and what `NdisMRegisterInterruptEx` takes and returns.
//!
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_cm_partial_resource_descriptor>,
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_interrupt_characteristics>,
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_io_interrupt_message_info>.

use crate::object::NDIS_OBJECT_HEADER;
use crate::types::{BOOLEAN, KAFFINITY, NDIS_HANDLE, PHYSICAL_ADDRESS, PVOID, UCHAR, ULONG, USHORT};

/// `CmResourceTypeInterrupt`.
pub const CmResourceTypeInterrupt: UCHAR = 2;
/// `CmResourceTypeMemory`.
pub const CmResourceTypeMemory: UCHAR = 3;
/// `CmResourceShareDeviceExclusive`.
pub const CmResourceShareDeviceExclusive: UCHAR = 1;
/// `CM_RESOURCE_INTERRUPT_LATCHED` (interrupt `Flags`).
pub const CM_RESOURCE_INTERRUPT_LATCHED: USHORT = 0x0001;
/// `CM_RESOURCE_INTERRUPT_MESSAGE` (interrupt `Flags`): a message-signaled interrupt.
pub const CM_RESOURCE_INTERRUPT_MESSAGE: USHORT = 0x0002;
/// `CM_RESOURCE_MEMORY_READ_WRITE` (memory `Flags`).
pub const CM_RESOURCE_MEMORY_READ_WRITE: USHORT = 0x0000;
/// `PCI_WHICHSPACE_CONFIG` (`NdisMGetBusData` `WhichSpace`).
pub const PCI_WHICHSPACE_CONFIG: ULONG = 0;

/// `CM_PARTIAL_RESOURCE_DESCRIPTOR` (`wdm.h`, declared under `pshpack4.h`): one resource. The
/// 16-byte union `u` is kept as words; the `CM_*` offset constants name its members.
#[repr(C, packed(4))]
#[derive(Clone, Copy, Debug, Default)]
pub struct CM_PARTIAL_RESOURCE_DESCRIPTOR {
    /// `CmResourceType*`.
    pub Type: UCHAR,
    /// `CmResourceShare*`.
    pub ShareDisposition: UCHAR,
    /// Type-specific flags (`CM_RESOURCE_*`).
    pub Flags: USHORT,
    /// The union `u`.
    pub u: [ULONG; 4],
}
assert_layout!(CM_PARTIAL_RESOURCE_DESCRIPTOR, size = 20, Type = 0, ShareDisposition = 1, Flags = 2, u = 4);
/// Offset of `u.Memory.Start` (`PHYSICAL_ADDRESS`, 4-aligned).
pub const CM_MEMORY_START: usize = 4;
/// Offset of `u.Memory.Length` (`ULONG`).
pub const CM_MEMORY_LENGTH: usize = 12;
/// Offset of `u.MessageInterrupt.Translated.Level` (`USHORT` with processor groups, then `Group`).
pub const CM_MESSAGE_LEVEL: usize = 4;
/// Offset of `u.MessageInterrupt.Translated.Vector` (`ULONG`).
pub const CM_MESSAGE_VECTOR: usize = 8;
/// Offset of `u.MessageInterrupt.Translated.Affinity` (`KAFFINITY`, 4-aligned).
pub const CM_MESSAGE_AFFINITY: usize = 12;

/// `CM_PARTIAL_RESOURCE_LIST` with its first descriptor (`Count` descriptors follow
/// contiguously); `NDIS_RESOURCE_LIST` is this type.
#[repr(C, packed(4))]
#[derive(Clone, Copy, Debug, Default)]
pub struct CM_PARTIAL_RESOURCE_LIST {
    /// Version (1).
    pub Version: USHORT,
    /// Revision (1).
    pub Revision: USHORT,
    /// Number of descriptors.
    pub Count: ULONG,
    /// The first descriptor.
    pub PartialDescriptors: [CM_PARTIAL_RESOURCE_DESCRIPTOR; 1],
}
assert_layout!(CM_PARTIAL_RESOURCE_LIST, size = 28, Version = 0, Revision = 2, Count = 4, PartialDescriptors = 8);

/// `NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT` revision 1.
pub const NDIS_MINIPORT_INTERRUPT_REVISION_1: UCHAR = 1;
/// `NDIS_CONNECT_LINE_BASED` (`NDIS_INTERRUPT_TYPE`).
pub const NDIS_CONNECT_LINE_BASED: i32 = 1;
/// `NDIS_CONNECT_MESSAGE_BASED` (`NDIS_INTERRUPT_TYPE`).
pub const NDIS_CONNECT_MESSAGE_BASED: i32 = 2;

/// `MINIPORT_MESSAGE_INTERRUPT` (at the message's DIRQL): `TRUE` if the device interrupted.
pub type MINIPORT_MESSAGE_INTERRUPT = unsafe extern "system" fn(
    MiniportInterruptContext: NDIS_HANDLE,
    MessageId: ULONG,
    QueueDefaultInterruptDpc: *mut BOOLEAN,
    TargetProcessors: *mut ULONG,
) -> BOOLEAN;
/// `MINIPORT_MESSAGE_INTERRUPT_DPC` (DISPATCH_LEVEL).
pub type MINIPORT_MESSAGE_INTERRUPT_DPC = unsafe extern "system" fn(
    MiniportInterruptContext: NDIS_HANDLE,
    MessageId: ULONG,
    MiniportDpcContext: PVOID,
    ReceiveThrottleParameters: PVOID,
    NdisReserved2: PVOID,
);
/// `MINIPORT_SYNCHRONIZE_INTERRUPT` (at the interrupt's DIRQL).
pub type MINIPORT_SYNCHRONIZE_INTERRUPT = unsafe extern "system" fn(SynchronizeContext: PVOID) -> BOOLEAN;
/// A handler slot of the characteristics this crate does not call (line-based ISR/DPC,
/// enable/disable routines): kept as an address.
pub type OTHER_INTERRUPT_HANDLER = PVOID;

/// `NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS` (revision 1), passed to `NdisMRegisterInterruptEx`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS {
    /// `NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT`, revision 1.
    pub Header: NDIS_OBJECT_HEADER,
    /// `MiniportInterrupt` (line-based).
    pub InterruptHandler: OTHER_INTERRUPT_HANDLER,
    /// `MiniportInterruptDPC` (line-based).
    pub InterruptDpcHandler: OTHER_INTERRUPT_HANDLER,
    /// `MiniportDisableInterruptEx`.
    pub DisableInterruptHandler: OTHER_INTERRUPT_HANDLER,
    /// `MiniportEnableInterruptEx`.
    pub EnableInterruptHandler: OTHER_INTERRUPT_HANDLER,
    /// The driver supports MSI/MSI-X.
    pub MsiSupported: BOOLEAN,
    /// Serialize all messages with one lock.
    pub MsiSyncWithAllMessages: BOOLEAN,
    /// `MiniportMessageInterrupt`.
    pub MessageInterruptHandler: Option<MINIPORT_MESSAGE_INTERRUPT>,
    /// `MiniportMessageInterruptDPC`.
    pub MessageInterruptDpcHandler: Option<MINIPORT_MESSAGE_INTERRUPT_DPC>,
    /// `MiniportDisableMessageInterrupt`.
    pub DisableMessageInterruptHandler: OTHER_INTERRUPT_HANDLER,
    /// `MiniportEnableMessageInterrupt`.
    pub EnableMessageInterruptHandler: OTHER_INTERRUPT_HANDLER,
    /// Out: `NDIS_CONNECT_LINE_BASED` or `NDIS_CONNECT_MESSAGE_BASED`.
    pub InterruptType: i32,
    /// Out: the `IO_INTERRUPT_MESSAGE_INFO` NDIS allocated (message-based only).
    pub MessageInfoTable: *mut IO_INTERRUPT_MESSAGE_INFO,
}
assert_layout!(
    NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS,
    size = 96,
    Header = 0,
    InterruptHandler = 8,
    InterruptDpcHandler = 16,
    DisableInterruptHandler = 24,
    EnableInterruptHandler = 32,
    MsiSupported = 40,
    MsiSyncWithAllMessages = 41,
    MessageInterruptHandler = 48,
    MessageInterruptDpcHandler = 56,
    DisableMessageInterruptHandler = 64,
    EnableMessageInterruptHandler = 72,
    InterruptType = 80,
    MessageInfoTable = 88,
);
/// `NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1`.
pub const NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1: USHORT =
    size_through!(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, MessageInfoTable);

/// `IO_INTERRUPT_MESSAGE_INFO_ENTRY` (`wdm.h`): one message.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct IO_INTERRUPT_MESSAGE_INFO_ENTRY {
    /// Where the device writes the message.
    pub MessageAddress: PHYSICAL_ADDRESS,
    /// Processors the message can interrupt.
    pub TargetProcessorSet: KAFFINITY,
    /// `PKINTERRUPT`.
    pub InterruptObject: PVOID,
    /// The value the device writes.
    pub MessageData: ULONG,
    /// Interrupt vector.
    pub Vector: ULONG,
    /// The message's DIRQL.
    pub Irql: UCHAR,
    /// `KINTERRUPT_MODE` (`Latched` = 1).
    pub Mode: i32,
    /// `KINTERRUPT_POLARITY`.
    pub Polarity: i32,
}
assert_layout!(
    IO_INTERRUPT_MESSAGE_INFO_ENTRY,
    size = 48,
    MessageAddress = 0,
    TargetProcessorSet = 8,
    InterruptObject = 16,
    MessageData = 24,
    Vector = 28,
    Irql = 32,
    Mode = 36,
    Polarity = 40,
);

/// `IO_INTERRUPT_MESSAGE_INFO` (`wdm.h`) with its first entry (`MessageCount` entries follow).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct IO_INTERRUPT_MESSAGE_INFO {
    /// The IRQL all messages are synchronized at.
    pub UnifiedIrql: UCHAR,
    /// Number of entries.
    pub MessageCount: ULONG,
    /// The first entry.
    pub MessageInfo: [IO_INTERRUPT_MESSAGE_INFO_ENTRY; 1],
}
assert_layout!(IO_INTERRUPT_MESSAGE_INFO, size = 56, UnifiedIrql = 0, MessageCount = 4, MessageInfo = 8);

zeroed_default!(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, IO_INTERRUPT_MESSAGE_INFO_ENTRY, IO_INTERRUPT_MESSAGE_INFO);

/// `NdisMSIXTableConfigSetTableEntry` (`NDIS_MSIX_TABLE_OPERATION`): map a table entry to a message.
pub const NdisMSIXTableConfigSetTableEntry: i32 = 0;
/// `NdisMSIXTableConfigMaskTableEntry`.
pub const NdisMSIXTableConfigMaskTableEntry: i32 = 1;
/// `NdisMSIXTableConfigUnmaskTableEntry`.
pub const NdisMSIXTableConfigUnmaskTableEntry: i32 = 2;
/// `NDIS_MSIX_CONFIG_PARAMETERS_REVISION_1`.
pub const NDIS_MSIX_CONFIG_PARAMETERS_REVISION_1: UCHAR = 1;

/// `NDIS_MSIX_CONFIG_PARAMETERS`, passed to `NdisMConfigMSIXTableEntry`
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_msix_config_parameters>).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct NDIS_MSIX_CONFIG_PARAMETERS {
    /// `NDIS_OBJECT_TYPE_DEFAULT`, revision 1.
    pub Header: NDIS_OBJECT_HEADER,
    /// `NDIS_MSIX_TABLE_OPERATION`.
    pub ConfigOperation: i32,
    /// The MSI-X table entry.
    pub TableEntry: ULONG,
    /// The message (`SetTableEntry` only).
    pub MessageNumber: ULONG,
}
assert_layout!(
    NDIS_MSIX_CONFIG_PARAMETERS,
    size = 16,
    Header = 0,
    ConfigOperation = 4,
    TableEntry = 8,
    MessageNumber = 12
);
/// `NDIS_SIZEOF_MSIX_CONFIG_PARAMETERS_REVISION_1`.
pub const NDIS_SIZEOF_MSIX_CONFIG_PARAMETERS_REVISION_1: USHORT =
    size_through!(NDIS_MSIX_CONFIG_PARAMETERS, MessageNumber);
