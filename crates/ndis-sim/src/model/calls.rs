//! The seam to the driver: typed miniport calls and the [`Env`] a host (or emulator) provides.

use super::Model;
use super::memory::AddressSpace;

/// One call NDIS makes into the driver. Addresses are `u64`; every argument fits a register,
/// so an emulator can pass [`MiniportCall::args`] in rcx, rdx, r8, r9 (Windows x64).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MiniportCall {
    /// `DriverEntry(DriverObject, RegistryPath) -> NTSTATUS`.
    DriverEntry {
        /// Entry point address.
        routine: u64,
        /// The fake DRIVER_OBJECT.
        driver_object: u64,
        /// The registry path UNICODE_STRING.
        registry_path: u64,
    },
    /// `MiniportSetOptions(NdisDriverHandle, DriverContext) -> NDIS_STATUS`.
    SetOptions {
        /// Handler address.
        handler: u64,
        /// NdisMiniportDriverHandle.
        driver_handle: u64,
        /// MiniportDriverContext.
        driver_context: u64,
    },
    /// `MiniportInitializeEx(NdisMiniportHandle, MiniportDriverContext, InitParameters)`.
    Initialize {
        /// Handler address.
        handler: u64,
        /// MiniportAdapterHandle.
        adapter_handle: u64,
        /// MiniportDriverContext.
        driver_context: u64,
        /// NDIS_MINIPORT_INIT_PARAMETERS.
        parameters: u64,
    },
    /// `MiniportHaltEx(MiniportAdapterContext, HaltAction)`.
    Halt {
        /// Handler address.
        handler: u64,
        /// MiniportAdapterContext.
        context: u64,
        /// NDIS_HALT_ACTION.
        action: i32,
    },
    /// `MiniportDriverUnload(DriverObject)`.
    Unload {
        /// Handler address.
        handler: u64,
        /// The fake DRIVER_OBJECT.
        driver_object: u64,
    },
    /// `MiniportPause(MiniportAdapterContext, PauseParameters) -> NDIS_STATUS`.
    Pause {
        /// Handler address.
        handler: u64,
        /// MiniportAdapterContext.
        context: u64,
        /// NDIS_MINIPORT_PAUSE_PARAMETERS.
        parameters: u64,
    },
    /// `MiniportRestart(MiniportAdapterContext, RestartParameters) -> NDIS_STATUS`.
    Restart {
        /// Handler address.
        handler: u64,
        /// MiniportAdapterContext.
        context: u64,
        /// NDIS_MINIPORT_RESTART_PARAMETERS.
        parameters: u64,
    },
    /// `MiniportOidRequest(MiniportAdapterContext, OidRequest) -> NDIS_STATUS`.
    OidRequest {
        /// Handler address.
        handler: u64,
        /// MiniportAdapterContext.
        context: u64,
        /// NDIS_OID_REQUEST.
        request: u64,
    },
    /// `MiniportCancelOidRequest(MiniportAdapterContext, RequestId)`.
    CancelOidRequest {
        /// Handler address.
        handler: u64,
        /// MiniportAdapterContext.
        context: u64,
        /// RequestId of the request to cancel.
        request_id: u64,
    },
    /// `MiniportSendNetBufferLists(MiniportAdapterContext, NetBufferList, PortNumber, SendFlags)`.
    Send {
        /// Handler address.
        handler: u64,
        /// MiniportAdapterContext.
        context: u64,
        /// Head of the NBL chain.
        nbl: u64,
        /// PortNumber.
        port: u32,
        /// SendFlags.
        flags: u32,
    },
    /// `MiniportReturnNetBufferLists(MiniportAdapterContext, NetBufferLists, ReturnFlags)`.
    Return {
        /// Handler address.
        handler: u64,
        /// MiniportAdapterContext.
        context: u64,
        /// Head of the NBL chain.
        nbl: u64,
        /// ReturnFlags.
        flags: u32,
    },
    /// `MiniportCancelSend(MiniportAdapterContext, CancelId)`.
    CancelSend {
        /// Handler address.
        handler: u64,
        /// MiniportAdapterContext.
        context: u64,
        /// CancelId.
        cancel_id: u64,
    },
    /// `MiniportDevicePnPEventNotify(MiniportAdapterContext, NetDevicePnPEvent)`.
    DevicePnPEvent {
        /// Handler address.
        handler: u64,
        /// MiniportAdapterContext.
        context: u64,
        /// NET_DEVICE_PNP_EVENT.
        event: u64,
    },
    /// `MiniportShutdownEx(MiniportAdapterContext, ShutdownAction)`.
    Shutdown {
        /// Handler address.
        handler: u64,
        /// MiniportAdapterContext.
        context: u64,
        /// NDIS_SHUTDOWN_ACTION.
        action: i32,
    },
    /// `MiniportMessageInterrupt(MiniportInterruptContext, MessageId, QueueDefaultInterruptDpc,
    /// TargetProcessors) -> BOOLEAN`.
    MessageInterrupt {
        /// Handler address.
        handler: u64,
        /// MiniportInterruptContext.
        context: u64,
        /// MessageId (the MSI-X vector).
        message_id: u32,
        /// `PBOOLEAN` QueueDefaultInterruptDpc.
        queue_dpc: u64,
        /// `PULONG` TargetProcessors.
        target_processors: u64,
    },
    /// `MiniportMessageInterruptDPC(MiniportInterruptContext, MessageId, MiniportDpcContext,
    /// ReceiveThrottleParameters, NdisReserved2)`.
    MessageInterruptDpc {
        /// Handler address.
        handler: u64,
        /// MiniportInterruptContext.
        context: u64,
        /// MessageId.
        message_id: u32,
        /// MiniportDpcContext (NULL for the default DPC).
        dpc_context: u64,
        /// NDIS_RECEIVE_THROTTLE_PARAMETERS.
        throttle: u64,
    },
    /// `MINIPORT_SYNCHRONIZE_INTERRUPT(SynchronizeContext) -> BOOLEAN` (from
    /// NdisMSynchronizeWithInterruptEx).
    SynchronizeInterrupt {
        /// SynchronizeFunction.
        routine: u64,
        /// SynchronizeContext.
        context: u64,
    },
    /// `MiniportProcessSGList(pDO, Reserved, pSGL, Context)` (from NdisMAllocateNetBufferSGList).
    ProcessSgList {
        /// ProcessSGListHandler.
        handler: u64,
        /// The SCATTER_GATHER_LIST.
        list: u64,
        /// The Context passed to NdisMAllocateNetBufferSGList.
        context: u64,
    },
    /// `KDEFERRED_ROUTINE(Dpc, DeferredContext, SystemArgument1, SystemArgument2)`: a DPC
    /// queued with KeInsertQueueDpc.
    KernelDpc {
        /// DeferredRoutine.
        routine: u64,
        /// The KDPC.
        dpc: u64,
        /// DeferredContext.
        context: u64,
        /// SystemArgument1.
        argument1: u64,
        /// SystemArgument2.
        argument2: u64,
    },
    /// `NDIS_IO_WORKITEM_FUNCTION(WorkItemContext, NdisIoWorkItemHandle)`.
    WorkItem {
        /// Routine address.
        routine: u64,
        /// WorkItemContext.
        context: u64,
        /// The work item handle.
        item: u64,
    },
}

impl MiniportCall {
    /// The documented name of the routine (used in violation details).
    pub fn name(&self) -> &'static str {
        match self {
            Self::DriverEntry { .. } => "DriverEntry",
            Self::SetOptions { .. } => "MiniportSetOptions",
            Self::Initialize { .. } => "MiniportInitializeEx",
            Self::Halt { .. } => "MiniportHaltEx",
            Self::Unload { .. } => "MiniportDriverUnload",
            Self::Pause { .. } => "MiniportPause",
            Self::Restart { .. } => "MiniportRestart",
            Self::OidRequest { .. } => "MiniportOidRequest",
            Self::CancelOidRequest { .. } => "MiniportCancelOidRequest",
            Self::Send { .. } => "MiniportSendNetBufferLists",
            Self::Return { .. } => "MiniportReturnNetBufferLists",
            Self::CancelSend { .. } => "MiniportCancelSend",
            Self::DevicePnPEvent { .. } => "MiniportDevicePnPEventNotify",
            Self::Shutdown { .. } => "MiniportShutdownEx",
            Self::MessageInterrupt { .. } => "MiniportMessageInterrupt",
            Self::MessageInterruptDpc { .. } => "MiniportMessageInterruptDPC",
            Self::SynchronizeInterrupt { .. } => "MiniportSynchronizeInterrupt",
            Self::ProcessSgList { .. } => "MiniportProcessSGList",
            Self::KernelDpc { .. } => "KDEFERRED_ROUTINE",
            Self::WorkItem { .. } => "NdisIoWorkItemRoutine",
        }
    }

    /// The routine's address and its arguments in order, each widened to 64 bits
    /// (32-bit arguments zero-extended, as the callee only reads the low half).
    pub fn args(&self) -> (u64, Vec<u64>) {
        let i = |v: i32| u64::from(v as u32);
        match *self {
            Self::DriverEntry { routine, driver_object, registry_path } => {
                (routine, vec![driver_object, registry_path])
            }
            Self::SetOptions { handler, driver_handle, driver_context } => {
                (handler, vec![driver_handle, driver_context])
            }
            Self::Initialize { handler, adapter_handle, driver_context, parameters } => {
                (handler, vec![adapter_handle, driver_context, parameters])
            }
            Self::Halt { handler, context, action } => (handler, vec![context, i(action)]),
            Self::Unload { handler, driver_object } => (handler, vec![driver_object]),
            Self::Pause { handler, context, parameters } | Self::Restart { handler, context, parameters } => {
                (handler, vec![context, parameters])
            }
            Self::OidRequest { handler, context, request } => (handler, vec![context, request]),
            Self::CancelOidRequest { handler, context, request_id } => (handler, vec![context, request_id]),
            Self::Send { handler, context, nbl, port, flags } => {
                (handler, vec![context, nbl, u64::from(port), u64::from(flags)])
            }
            Self::Return { handler, context, nbl, flags } => (handler, vec![context, nbl, u64::from(flags)]),
            Self::CancelSend { handler, context, cancel_id } => (handler, vec![context, cancel_id]),
            Self::DevicePnPEvent { handler, context, event } => (handler, vec![context, event]),
            Self::Shutdown { handler, context, action } => (handler, vec![context, i(action)]),
            Self::MessageInterrupt { handler, context, message_id, queue_dpc, target_processors } => {
                (handler, vec![context, u64::from(message_id), queue_dpc, target_processors])
            }
            Self::MessageInterruptDpc { handler, context, message_id, dpc_context, throttle } => {
                (handler, vec![context, u64::from(message_id), dpc_context, throttle, 0])
            }
            Self::SynchronizeInterrupt { routine, context } => (routine, vec![context]),
            Self::ProcessSgList { handler, list, context } => (handler, vec![0, 0, list, context]),
            Self::KernelDpc { routine, dpc, context, argument1, argument2 } => {
                (routine, vec![dpc, context, argument1, argument2])
            }
            Self::WorkItem { routine, context, item } => (routine, vec![context, item]),
        }
    }
}

/// What a simulated machine provides to [`super::Sim`]: access to the model and its memory,
/// and a way to run driver code.
///
/// Re-entrancy contract: `with_model` must not be called from inside its own closure, and
/// `call_driver` is always called with no model borrow held, because the driver calls back
/// into NDIS exports (which use `with_model`) before it returns.
pub trait Env {
    /// Runs `f` with exclusive access to the model and the address space.
    fn with_model<R>(&mut self, f: impl FnOnce(&mut Model, &mut dyn AddressSpace) -> R) -> R;

    /// Calls into the driver and returns its raw return value (rax; 0 for `VOID` routines).
    fn call_driver(&mut self, call: MiniportCall) -> u64;
}
