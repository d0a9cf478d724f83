//! Miniport handler prototypes (`MINIPORT_*` function classes and their `*_HANDLER` pointers); see <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-miniport-driver-reference>.

use crate::miniport::{
    NDIS_HALT_ACTION, NDIS_MINIPORT_INIT_PARAMETERS, NDIS_MINIPORT_PAUSE_PARAMETERS, NDIS_MINIPORT_RESTART_PARAMETERS,
    NDIS_SHUTDOWN_ACTION, NET_DEVICE_PNP_EVENT,
};
use crate::nbl::NET_BUFFER_LIST;
use crate::oid::NDIS_OID_REQUEST;
use crate::types::{BOOLEAN, DRIVER_OBJECT, NDIS_HANDLE, NDIS_PORT_NUMBER, NDIS_STATUS, PVOID, ULONG};

// Handler prototypes (`ndis.h`). The bare names are the `_Function_class_` types, the
// `*_HANDLER` names the nullable pointers stored in the characteristics.

/// `SET_OPTIONS` (PASSIVE_LEVEL).
pub type SET_OPTIONS =
    unsafe extern "system" fn(NdisDriverHandle: NDIS_HANDLE, DriverContext: NDIS_HANDLE) -> NDIS_STATUS;
/// `SET_OPTIONS_HANDLER`.
pub type SET_OPTIONS_HANDLER = Option<SET_OPTIONS>;
/// `MINIPORT_INITIALIZE` (PASSIVE_LEVEL).
pub type MINIPORT_INITIALIZE = unsafe extern "system" fn(
    NdisMiniportHandle: NDIS_HANDLE,
    MiniportDriverContext: NDIS_HANDLE,
    MiniportInitParameters: *mut NDIS_MINIPORT_INIT_PARAMETERS,
) -> NDIS_STATUS;
/// `MINIPORT_INITIALIZE_HANDLER`.
pub type MINIPORT_INITIALIZE_HANDLER = Option<MINIPORT_INITIALIZE>;
/// `MINIPORT_HALT` (PASSIVE_LEVEL).
pub type MINIPORT_HALT = unsafe extern "system" fn(MiniportAdapterContext: NDIS_HANDLE, HaltAction: NDIS_HALT_ACTION);
/// `MINIPORT_HALT_HANDLER`.
pub type MINIPORT_HALT_HANDLER = Option<MINIPORT_HALT>;
/// `MINIPORT_UNLOAD` (PASSIVE_LEVEL).
pub type MINIPORT_UNLOAD = unsafe extern "system" fn(DriverObject: *mut DRIVER_OBJECT);
/// `MINIPORT_DRIVER_UNLOAD`.
pub type MINIPORT_DRIVER_UNLOAD = Option<MINIPORT_UNLOAD>;
/// `MINIPORT_PAUSE` (PASSIVE_LEVEL).
pub type MINIPORT_PAUSE = unsafe extern "system" fn(
    MiniportAdapterContext: NDIS_HANDLE,
    PauseParameters: *mut NDIS_MINIPORT_PAUSE_PARAMETERS,
) -> NDIS_STATUS;
/// `MINIPORT_PAUSE_HANDLER`.
pub type MINIPORT_PAUSE_HANDLER = Option<MINIPORT_PAUSE>;
/// `MINIPORT_RESTART` (PASSIVE_LEVEL).
pub type MINIPORT_RESTART = unsafe extern "system" fn(
    MiniportAdapterContext: NDIS_HANDLE,
    RestartParameters: *mut NDIS_MINIPORT_RESTART_PARAMETERS,
) -> NDIS_STATUS;
/// `MINIPORT_RESTART_HANDLER`.
pub type MINIPORT_RESTART_HANDLER = Option<MINIPORT_RESTART>;
/// `MINIPORT_OID_REQUEST` (PASSIVE_LEVEL).
pub type MINIPORT_OID_REQUEST =
    unsafe extern "system" fn(MiniportAdapterContext: NDIS_HANDLE, OidRequest: *mut NDIS_OID_REQUEST) -> NDIS_STATUS;
/// `MINIPORT_OID_REQUEST_HANDLER`.
pub type MINIPORT_OID_REQUEST_HANDLER = Option<MINIPORT_OID_REQUEST>;
/// `MINIPORT_SEND_NET_BUFFER_LISTS` (<= DISPATCH_LEVEL).
pub type MINIPORT_SEND_NET_BUFFER_LISTS = unsafe extern "system" fn(
    MiniportAdapterContext: NDIS_HANDLE,
    NetBufferList: *mut NET_BUFFER_LIST,
    PortNumber: NDIS_PORT_NUMBER,
    SendFlags: ULONG,
);
/// `MINIPORT_SEND_NET_BUFFER_LISTS_HANDLER`.
pub type MINIPORT_SEND_NET_BUFFER_LISTS_HANDLER = Option<MINIPORT_SEND_NET_BUFFER_LISTS>;
/// `MINIPORT_RETURN_NET_BUFFER_LISTS` (<= DISPATCH_LEVEL).
pub type MINIPORT_RETURN_NET_BUFFER_LISTS = unsafe extern "system" fn(
    MiniportAdapterContext: NDIS_HANDLE,
    NetBufferLists: *mut NET_BUFFER_LIST,
    ReturnFlags: ULONG,
);
/// `MINIPORT_RETURN_NET_BUFFER_LISTS_HANDLER`.
pub type MINIPORT_RETURN_NET_BUFFER_LISTS_HANDLER = Option<MINIPORT_RETURN_NET_BUFFER_LISTS>;
/// `MINIPORT_CANCEL_SEND` (<= DISPATCH_LEVEL).
pub type MINIPORT_CANCEL_SEND = unsafe extern "system" fn(MiniportAdapterContext: NDIS_HANDLE, CancelId: PVOID);
/// `MINIPORT_CANCEL_SEND_HANDLER`.
pub type MINIPORT_CANCEL_SEND_HANDLER = Option<MINIPORT_CANCEL_SEND>;
/// `MINIPORT_CHECK_FOR_HANG` (PASSIVE_LEVEL).
pub type MINIPORT_CHECK_FOR_HANG = unsafe extern "system" fn(MiniportAdapterContext: NDIS_HANDLE) -> BOOLEAN;
/// `MINIPORT_CHECK_FOR_HANG_HANDLER`.
pub type MINIPORT_CHECK_FOR_HANG_HANDLER = Option<MINIPORT_CHECK_FOR_HANG>;
/// `MINIPORT_RESET` (<= DISPATCH_LEVEL).
pub type MINIPORT_RESET =
    unsafe extern "system" fn(MiniportAdapterContext: NDIS_HANDLE, AddressingReset: *mut BOOLEAN) -> NDIS_STATUS;
/// `MINIPORT_RESET_HANDLER`.
pub type MINIPORT_RESET_HANDLER = Option<MINIPORT_RESET>;
/// `MINIPORT_DEVICE_PNP_EVENT_NOTIFY` (PASSIVE_LEVEL).
pub type MINIPORT_DEVICE_PNP_EVENT_NOTIFY =
    unsafe extern "system" fn(MiniportAdapterContext: NDIS_HANDLE, NetDevicePnPEvent: *mut NET_DEVICE_PNP_EVENT);
/// `MINIPORT_DEVICE_PNP_EVENT_NOTIFY_HANDLER`.
pub type MINIPORT_DEVICE_PNP_EVENT_NOTIFY_HANDLER = Option<MINIPORT_DEVICE_PNP_EVENT_NOTIFY>;
/// `MINIPORT_SHUTDOWN` (PASSIVE_LEVEL for power-off, HIGH_LEVEL for bug check).
pub type MINIPORT_SHUTDOWN =
    unsafe extern "system" fn(MiniportAdapterContext: NDIS_HANDLE, ShutdownAction: NDIS_SHUTDOWN_ACTION);
/// `MINIPORT_SHUTDOWN_HANDLER`.
pub type MINIPORT_SHUTDOWN_HANDLER = Option<MINIPORT_SHUTDOWN>;
/// `MINIPORT_CANCEL_OID_REQUEST` (<= DISPATCH_LEVEL).
pub type MINIPORT_CANCEL_OID_REQUEST = unsafe extern "system" fn(MiniportAdapterContext: NDIS_HANDLE, RequestId: PVOID);
/// `MINIPORT_CANCEL_OID_REQUEST_HANDLER`.
pub type MINIPORT_CANCEL_OID_REQUEST_HANDLER = Option<MINIPORT_CANCEL_OID_REQUEST>;
/// `MINIPORT_DIRECT_OID_REQUEST` (<= DISPATCH_LEVEL, NDIS 6.1).
pub type MINIPORT_DIRECT_OID_REQUEST =
    unsafe extern "system" fn(MiniportAdapterContext: NDIS_HANDLE, OidRequest: *mut NDIS_OID_REQUEST) -> NDIS_STATUS;
/// `MINIPORT_DIRECT_OID_REQUEST_HANDLER`.
pub type MINIPORT_DIRECT_OID_REQUEST_HANDLER = Option<MINIPORT_DIRECT_OID_REQUEST>;
/// `MINIPORT_CANCEL_DIRECT_OID_REQUEST` (<= DISPATCH_LEVEL, NDIS 6.1).
pub type MINIPORT_CANCEL_DIRECT_OID_REQUEST =
    unsafe extern "system" fn(MiniportAdapterContext: NDIS_HANDLE, RequestId: PVOID);
/// `MINIPORT_CANCEL_DIRECT_OID_REQUEST_HANDLER`.
pub type MINIPORT_CANCEL_DIRECT_OID_REQUEST_HANDLER = Option<MINIPORT_CANCEL_DIRECT_OID_REQUEST>;
