//! Miniport driver characteristics, the parameters NDIS passes to the handlers, and halt/shutdown/PnP codes; see <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_driver_characteristics>.

use core::ffi::c_void;

use crate::object::NDIS_OBJECT_HEADER;
use crate::types::{NDIS_HANDLE, NDIS_OID, NDIS_PORT_NUMBER, NET_IFINDEX, NET_LUID, PVOID, UCHAR, ULONG};

/// `NDIS_MINIPORT_MAJOR_VERSION` for an `NDIS630_MINIPORT` build.
pub const NDIS_MINIPORT_MAJOR_VERSION: UCHAR = 6;
/// `NDIS_MINIPORT_MINOR_VERSION` for an `NDIS630_MINIPORT` build.
pub const NDIS_MINIPORT_MINOR_VERSION: UCHAR = 30;

/// `NDIS_HALT_ACTION`.
pub type NDIS_HALT_ACTION = i32;
/// `NdisHaltDeviceDisabled`.
pub const NdisHaltDeviceDisabled: NDIS_HALT_ACTION = 0;
/// `NdisHaltDeviceInstanceDeInitialized`.
pub const NdisHaltDeviceInstanceDeInitialized: NDIS_HALT_ACTION = 1;
/// `NdisHaltDevicePoweredDown`.
pub const NdisHaltDevicePoweredDown: NDIS_HALT_ACTION = 2;
/// `NdisHaltDeviceSurpriseRemoved`.
pub const NdisHaltDeviceSurpriseRemoved: NDIS_HALT_ACTION = 3;
/// `NdisHaltDeviceFailed`.
pub const NdisHaltDeviceFailed: NDIS_HALT_ACTION = 4;
/// `NdisHaltDeviceInitializationFailed`.
pub const NdisHaltDeviceInitializationFailed: NDIS_HALT_ACTION = 5;
/// `NdisHaltDeviceStopped`.
pub const NdisHaltDeviceStopped: NDIS_HALT_ACTION = 6;

/// `NDIS_SHUTDOWN_ACTION`.
pub type NDIS_SHUTDOWN_ACTION = i32;
/// `NdisShutdownPowerOff` (PASSIVE_LEVEL).
pub const NdisShutdownPowerOff: NDIS_SHUTDOWN_ACTION = 0;
/// `NdisShutdownBugCheck` (HIGH_LEVEL).
pub const NdisShutdownBugCheck: NDIS_SHUTDOWN_ACTION = 1;

/// `NDIS_DEVICE_PNP_EVENT`.
pub type NDIS_DEVICE_PNP_EVENT = i32;
/// `NdisDevicePnPEventQueryRemoved`.
pub const NdisDevicePnPEventQueryRemoved: NDIS_DEVICE_PNP_EVENT = 0;
/// `NdisDevicePnPEventRemoved`.
pub const NdisDevicePnPEventRemoved: NDIS_DEVICE_PNP_EVENT = 1;
/// `NdisDevicePnPEventSurpriseRemoved`.
pub const NdisDevicePnPEventSurpriseRemoved: NDIS_DEVICE_PNP_EVENT = 2;
/// `NdisDevicePnPEventQueryStopped`.
pub const NdisDevicePnPEventQueryStopped: NDIS_DEVICE_PNP_EVENT = 3;
/// `NdisDevicePnPEventStopped`.
pub const NdisDevicePnPEventStopped: NDIS_DEVICE_PNP_EVENT = 4;
/// `NdisDevicePnPEventPowerProfileChanged`.
pub const NdisDevicePnPEventPowerProfileChanged: NDIS_DEVICE_PNP_EVENT = 5;
/// `NdisDevicePnPEventFilterListChanged` (NDIS 6).
pub const NdisDevicePnPEventFilterListChanged: NDIS_DEVICE_PNP_EVENT = 6;
/// `NdisDevicePnPEventMaximum`.
pub const NdisDevicePnPEventMaximum: NDIS_DEVICE_PNP_EVENT = 7;

/// `NDIS_INTERMEDIATE_DRIVER` (characteristics `Flags`).
pub const NDIS_INTERMEDIATE_DRIVER: ULONG = 0x1;
/// `NDIS_WDM_DRIVER` (characteristics `Flags`).
pub const NDIS_WDM_DRIVER: ULONG = 0x2;

/// `NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1` (NDIS 6.0).
pub const NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1: UCHAR = 1;
/// `NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2` (NDIS 6.1; use for 6.20..6.7x).
pub const NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2: UCHAR = 2;
/// `NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3` (NDIS 6.80; needs a field this layout omits).
pub const NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3: UCHAR = 3;

/// `NDIS_MINIPORT_DRIVER_CHARACTERISTICS` through `CancelDirectOidRequestHandler` (6.1-6.7x layout).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct NDIS_MINIPORT_DRIVER_CHARACTERISTICS {
    /// `NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS`, revision 2, `..._REVISION_2` size.
    pub Header: NDIS_OBJECT_HEADER,
    /// NDIS major version the driver targets (6).
    pub MajorNdisVersion: UCHAR,
    /// NDIS minor version the driver targets (30).
    pub MinorNdisVersion: UCHAR,
    /// Driver major version.
    pub MajorDriverVersion: UCHAR,
    /// Driver minor version.
    pub MinorDriverVersion: UCHAR,
    /// `NDIS_INTERMEDIATE_DRIVER` / `NDIS_WDM_DRIVER`.
    pub Flags: ULONG,
    /// MiniportSetOptions.
    pub SetOptionsHandler: SET_OPTIONS_HANDLER,
    /// MiniportInitializeEx.
    pub InitializeHandlerEx: MINIPORT_INITIALIZE_HANDLER,
    /// MiniportHaltEx.
    pub HaltHandlerEx: MINIPORT_HALT_HANDLER,
    /// MiniportDriverUnload.
    pub UnloadHandler: MINIPORT_DRIVER_UNLOAD,
    /// MiniportPause.
    pub PauseHandler: MINIPORT_PAUSE_HANDLER,
    /// MiniportRestart.
    pub RestartHandler: MINIPORT_RESTART_HANDLER,
    /// MiniportOidRequest.
    pub OidRequestHandler: MINIPORT_OID_REQUEST_HANDLER,
    /// MiniportSendNetBufferLists.
    pub SendNetBufferListsHandler: MINIPORT_SEND_NET_BUFFER_LISTS_HANDLER,
    /// MiniportReturnNetBufferLists.
    pub ReturnNetBufferListsHandler: MINIPORT_RETURN_NET_BUFFER_LISTS_HANDLER,
    /// MiniportCancelSend.
    pub CancelSendHandler: MINIPORT_CANCEL_SEND_HANDLER,
    /// MiniportCheckForHangEx (optional).
    pub CheckForHangHandlerEx: MINIPORT_CHECK_FOR_HANG_HANDLER,
    /// MiniportResetEx (optional).
    pub ResetHandlerEx: MINIPORT_RESET_HANDLER,
    /// MiniportDevicePnPEventNotify.
    pub DevicePnPEventNotifyHandler: MINIPORT_DEVICE_PNP_EVENT_NOTIFY_HANDLER,
    /// MiniportShutdownEx.
    pub ShutdownHandlerEx: MINIPORT_SHUTDOWN_HANDLER,
    /// MiniportCancelOidRequest.
    pub CancelOidRequestHandler: MINIPORT_CANCEL_OID_REQUEST_HANDLER,
    /// MiniportDirectOidRequest (optional, NDIS 6.1).
    pub DirectOidRequestHandler: MINIPORT_DIRECT_OID_REQUEST_HANDLER,
    /// MiniportCancelDirectOidRequest (optional, NDIS 6.1).
    pub CancelDirectOidRequestHandler: MINIPORT_CANCEL_DIRECT_OID_REQUEST_HANDLER,
}
assert_layout!(
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS,
    size = 152,
    Header = 0,
    MajorNdisVersion = 4,
    MinorNdisVersion = 5,
    MajorDriverVersion = 6,
    MinorDriverVersion = 7,
    Flags = 8,
    SetOptionsHandler = 16,
    InitializeHandlerEx = 24,
    HaltHandlerEx = 32,
    UnloadHandler = 40,
    PauseHandler = 48,
    RestartHandler = 56,
    OidRequestHandler = 64,
    SendNetBufferListsHandler = 72,
    ReturnNetBufferListsHandler = 80,
    CancelSendHandler = 88,
    CheckForHangHandlerEx = 96,
    ResetHandlerEx = 104,
    DevicePnPEventNotifyHandler = 112,
    ShutdownHandlerEx = 120,
    CancelOidRequestHandler = 128,
    DirectOidRequestHandler = 136,
    CancelDirectOidRequestHandler = 144,
);
/// `NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1` (through `CancelOidRequestHandler`).
pub const NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1: u16 =
    size_through!(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, CancelOidRequestHandler);
/// `NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2` (through `CancelDirectOidRequestHandler`).
pub const NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2: u16 =
    size_through!(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, CancelDirectOidRequestHandler);
/// `NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3` (through the 6.80
/// `SynchronousOidRequestHandler` that follows at offset 152).
pub const NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3: u16 =
    NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2 + core::mem::size_of::<PVOID>() as u16;
#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1 == 136);
    assert!(NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2 == 152);
    assert!(NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3 == 160);
};

/// `NDIS_MINIPORT_INIT_PARAMETERS_REVISION_1`.
pub const NDIS_MINIPORT_INIT_PARAMETERS_REVISION_1: UCHAR = 1;

/// `NDIS_MINIPORT_INIT_PARAMETERS`: argument of MiniportInitializeEx.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct NDIS_MINIPORT_INIT_PARAMETERS {
    /// `NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS`, revision 1.
    pub Header: NDIS_OBJECT_HEADER,
    /// Reserved.
    pub Flags: ULONG,
    /// `PNDIS_RESOURCE_LIST` (`CM_PARTIAL_RESOURCE_LIST`) of translated hardware resources.
    pub AllocatedResources: *mut c_void,
    /// Intermediate drivers only.
    pub IMDeviceInstanceContext: NDIS_HANDLE,
    /// Context from MiniportAddDevice, if any.
    pub MiniportAddDeviceContext: NDIS_HANDLE,
    /// The interface index NDIS assigned.
    pub IfIndex: NET_IFINDEX,
    /// The interface LUID NDIS assigned.
    pub NetLuid: NET_LUID,
    /// `PNDIS_PORT_AUTHENTICATION_PARAMETERS` of the default port.
    pub DefaultPortAuthStates: *mut c_void,
    /// `PNDIS_PCI_DEVICE_CUSTOM_PROPERTIES`.
    pub PciDeviceCustomProperties: *mut c_void,
}
assert_layout!(
    NDIS_MINIPORT_INIT_PARAMETERS,
    size = 64,
    Header = 0,
    Flags = 4,
    AllocatedResources = 8,
    IMDeviceInstanceContext = 16,
    MiniportAddDeviceContext = 24,
    IfIndex = 32,
    NetLuid = 40,
    DefaultPortAuthStates = 48,
    PciDeviceCustomProperties = 56,
);
/// `NDIS_SIZEOF_MINIPORT_INIT_PARAMETER_REVISION_1` (WDK spelling; through `PciDeviceCustomProperties`).
pub const NDIS_SIZEOF_MINIPORT_INIT_PARAMETER_REVISION_1: u16 =
    size_through!(NDIS_MINIPORT_INIT_PARAMETERS, PciDeviceCustomProperties);
#[cfg(target_pointer_width = "64")]
const _: () = assert!(NDIS_SIZEOF_MINIPORT_INIT_PARAMETER_REVISION_1 == 64);

/// `NDIS_PAUSE_NDIS_INTERNAL` (`PauseReason`).
pub const NDIS_PAUSE_NDIS_INTERNAL: ULONG = 0x01;
/// `NDIS_PAUSE_LOW_POWER`.
pub const NDIS_PAUSE_LOW_POWER: ULONG = 0x02;
/// `NDIS_PAUSE_BIND_PROTOCOL`.
pub const NDIS_PAUSE_BIND_PROTOCOL: ULONG = 0x04;
/// `NDIS_PAUSE_UNBIND_PROTOCOL`.
pub const NDIS_PAUSE_UNBIND_PROTOCOL: ULONG = 0x08;
/// `NDIS_PAUSE_ATTACH_FILTER`.
pub const NDIS_PAUSE_ATTACH_FILTER: ULONG = 0x10;
/// `NDIS_PAUSE_DETACH_FILTER`.
pub const NDIS_PAUSE_DETACH_FILTER: ULONG = 0x20;
/// `NDIS_PAUSE_FILTER_RESTART_STACK`.
pub const NDIS_PAUSE_FILTER_RESTART_STACK: ULONG = 0x40;
/// `NDIS_PAUSE_MINIPORT_DEVICE_REMOVE`.
pub const NDIS_PAUSE_MINIPORT_DEVICE_REMOVE: ULONG = 0x80;

/// `NDIS_MINIPORT_PAUSE_PARAMETERS_REVISION_1`.
pub const NDIS_MINIPORT_PAUSE_PARAMETERS_REVISION_1: UCHAR = 1;

/// `NDIS_MINIPORT_PAUSE_PARAMETERS`: argument of MiniportPause.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct NDIS_MINIPORT_PAUSE_PARAMETERS {
    /// `NDIS_OBJECT_TYPE_DEFAULT`, revision 1.
    pub Header: NDIS_OBJECT_HEADER,
    /// Reserved.
    pub Flags: ULONG,
    /// `NDIS_PAUSE_*` flags.
    pub PauseReason: ULONG,
}
assert_layout!(NDIS_MINIPORT_PAUSE_PARAMETERS, size = 12, Header = 0, Flags = 4, PauseReason = 8);
/// `NDIS_SIZEOF_MINIPORT_PAUSE_PARAMETERS_REVISION_1` (through `PauseReason`).
pub const NDIS_SIZEOF_MINIPORT_PAUSE_PARAMETERS_REVISION_1: u16 =
    size_through!(NDIS_MINIPORT_PAUSE_PARAMETERS, PauseReason);
const _: () = assert!(NDIS_SIZEOF_MINIPORT_PAUSE_PARAMETERS_REVISION_1 == 12);

/// `NDIS_RESTART_ATTRIBUTES`: one entry of the restart attribute chain.
#[repr(C, align(16))]
#[derive(Clone, Copy, Debug)]
pub struct NDIS_RESTART_ATTRIBUTES {
    /// Next entry, or null.
    pub Next: *mut NDIS_RESTART_ATTRIBUTES,
    /// The OID whose data follows.
    pub Oid: NDIS_OID,
    /// Length of `Data` in bytes.
    pub DataLength: ULONG,
    /// First byte of the data (`DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT)`).
    pub Data: [UCHAR; 1],
}
assert_layout!(NDIS_RESTART_ATTRIBUTES, size = 32, Next = 0, Oid = 8, DataLength = 12, Data = 16);

/// `NDIS_MINIPORT_RESTART_PARAMETERS_REVISION_1`.
pub const NDIS_MINIPORT_RESTART_PARAMETERS_REVISION_1: UCHAR = 1;

/// `NDIS_MINIPORT_RESTART_PARAMETERS`: argument of MiniportRestart.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct NDIS_MINIPORT_RESTART_PARAMETERS {
    /// `NDIS_OBJECT_TYPE_DEFAULT`, revision 1.
    pub Header: NDIS_OBJECT_HEADER,
    /// Chain of restart attributes, or null.
    pub RestartAttributes: *mut NDIS_RESTART_ATTRIBUTES,
    /// Reserved.
    pub Flags: ULONG,
}
assert_layout!(NDIS_MINIPORT_RESTART_PARAMETERS, size = 24, Header = 0, RestartAttributes = 8, Flags = 16,);
/// `NDIS_SIZEOF_MINIPORT_RESTART_PARAMETERS_REVISION_1` (through `Flags`).
pub const NDIS_SIZEOF_MINIPORT_RESTART_PARAMETERS_REVISION_1: u16 =
    size_through!(NDIS_MINIPORT_RESTART_PARAMETERS, Flags);
#[cfg(target_pointer_width = "64")]
const _: () = assert!(NDIS_SIZEOF_MINIPORT_RESTART_PARAMETERS_REVISION_1 == 20);

/// `NET_DEVICE_PNP_EVENT_REVISION_1`.
pub const NET_DEVICE_PNP_EVENT_REVISION_1: UCHAR = 1;

/// `NET_DEVICE_PNP_EVENT`: argument of MiniportDevicePnPEventNotify.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct NET_DEVICE_PNP_EVENT {
    /// `NDIS_OBJECT_TYPE_DEFAULT`, revision 1.
    pub Header: NDIS_OBJECT_HEADER,
    /// Port the event applies to.
    pub PortNumber: NDIS_PORT_NUMBER,
    /// `NdisDevicePnPEvent*`.
    pub DevicePnPEvent: NDIS_DEVICE_PNP_EVENT,
    /// Event specific data.
    pub InformationBuffer: PVOID,
    /// Size of `InformationBuffer` in bytes.
    pub InformationBufferLength: ULONG,
    /// Reserved for NDIS.
    pub NdisReserved: [UCHAR; 2 * core::mem::size_of::<PVOID>()],
}
assert_layout!(
    NET_DEVICE_PNP_EVENT,
    size = 48,
    Header = 0,
    PortNumber = 4,
    DevicePnPEvent = 8,
    InformationBuffer = 16,
    InformationBufferLength = 24,
    NdisReserved = 28,
);
/// `NDIS_SIZEOF_NET_DEVICE_PNP_EVENT_REVISION_1` (through `NdisReserved`).
pub const NDIS_SIZEOF_NET_DEVICE_PNP_EVENT_REVISION_1: u16 = size_through!(NET_DEVICE_PNP_EVENT, NdisReserved);
#[cfg(target_pointer_width = "64")]
const _: () = assert!(NDIS_SIZEOF_NET_DEVICE_PNP_EVENT_REVISION_1 == 44);

mod handlers;
pub use handlers::*;

zeroed_default!(
    NDIS_MINIPORT_INIT_PARAMETERS,
    NDIS_RESTART_ATTRIBUTES,
    NDIS_MINIPORT_RESTART_PARAMETERS,
    NET_DEVICE_PNP_EVENT,
);
