//! The adapter's interrupt, owned: registered with `NdisMRegisterInterruptEx` (message-signaled
//! handlers, plus the line-based ones NDIS falls back to) and deregistered with
//! `NdisMDeregisterInterruptEx` on drop, before the handler it calls is freed.
//!
//! The handlers are a safe [`InterruptHandler`] the back end provides, kept in pool at a stable
//! address (the `MiniportInterruptContext`); the `extern "system"` trampolines NDIS calls live
//! in `crate::ffi` and reach this module only as a [`Trampolines`] value.
//!
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismregisterinterruptex>,
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_interrupt_characteristics>,
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismderegisterinterruptex>,
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismqueuedpcex>.
//!
//! IRQL: register and deregister are PASSIVE_LEVEL, register only inside MiniportInitializeEx
//! (so an `Interrupt` is made there and dropped in MiniportHaltEx or initialize unwinding);
//! [`Interrupt::queue_dpc`] any IRQL.

use core::ffi::c_void;
use core::marker::PhantomData;
use core::ptr::NonNull;

use ndis_sys::{
    GROUP_AFFINITY, IO_INTERRUPT_MESSAGE_INFO, IO_INTERRUPT_MESSAGE_INFO_ENTRY, MINIPORT_MESSAGE_INTERRUPT,
    MINIPORT_MESSAGE_INTERRUPT_DPC, NDIS_CONNECT_MESSAGE_BASED, NDIS_HANDLE, NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS,
    NDIS_MINIPORT_INTERRUPT_REVISION_1, NDIS_OBJECT_HEADER, NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT,
    NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1, NDIS_STATUS, NDIS_STATUS_FAILURE, NDIS_STATUS_RESOURCES,
    NDIS_STATUS_SUCCESS, NdisMDeregisterInterruptEx, NdisMQueueDpcEx, NdisMRegisterInterruptEx, TRUE,
};

use super::NdisHandle;
use super::pool::{PoolBox, PoolTag};

/// Pool tag of the interrupt handler block.
pub const INTERRUPT_TAG: PoolTag = PoolTag::new(*b"VqIr");

/// The message id the line-based handlers pass (a line-based interrupt has one source).
pub const LINE_BASED_MESSAGE: u32 = 0;

/// What the ISR reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IsrResult {
    /// The device raised this interrupt (MiniportMessageInterrupt's return value).
    pub recognized: bool,
    /// Queue the message's DPC on the processor the interrupt arrived on.
    pub queue_dpc: bool,
}

/// The back end's interrupt handling. NDIS may call any method on any processor,
/// concurrently with the others (hence `Sync`).
pub trait InterruptHandler: Send + Sync {
    /// MiniportMessageInterrupt (or MiniportInterrupt), at the device's DIRQL: read the
    /// cause, mask it, say whether to queue the DPC. No NDIS calls other than those the
    /// page allows at DIRQL; no allocation, no blocking.
    fn isr(&self, message: u32) -> IsrResult;
    /// MiniportMessageInterruptDPC (or MiniportInterruptDPC), DISPATCH_LEVEL: do the work,
    /// unmask the cause. `context` is the `MiniportDpcContext` of `NdisMQueueDpcEx` (0 for
    /// the DPC the ISR asked for).
    fn dpc(&self, message: u32, context: usize);
    /// MiniportEnableMessageInterrupt (or MiniportEnableInterruptEx), DIRQL.
    fn enable(&self, message: u32);
    /// MiniportDisableMessageInterrupt (or MiniportDisableInterruptEx), DIRQL.
    fn disable(&self, message: u32);
}

/// The `extern "system"` entry points for handler type `H` (built by `crate::ffi`).
pub struct Trampolines<H> {
    pub(crate) message_isr: MINIPORT_MESSAGE_INTERRUPT,
    pub(crate) message_dpc: MINIPORT_MESSAGE_INTERRUPT_DPC,
    pub(crate) enable_message: *mut c_void,
    pub(crate) disable_message: *mut c_void,
    pub(crate) line_isr: *mut c_void,
    pub(crate) line_dpc: *mut c_void,
    pub(crate) enable_line: *mut c_void,
    pub(crate) disable_line: *mut c_void,
    handler: PhantomData<fn(&H)>,
}

impl<H> Trampolines<H> {
    /// Collects the entry points.
    ///
    /// # Safety
    /// Each is the WDK routine its field names (`MINIPORT_ENABLE_MSI_INTERRUPT_HANDLER` for
    /// `enable_message`, `MINIPORT_ISR_HANDLER` for `line_isr`, ...), and each treats its
    /// `MiniportInterruptContext` as a `*const H` that is live for the call.
    #[allow(clippy::too_many_arguments, reason = "one per characteristics slot")]
    pub const unsafe fn new(
        message_isr: MINIPORT_MESSAGE_INTERRUPT,
        message_dpc: MINIPORT_MESSAGE_INTERRUPT_DPC,
        enable_message: *mut c_void,
        disable_message: *mut c_void,
        line_isr: *mut c_void,
        line_dpc: *mut c_void,
        enable_line: *mut c_void,
        disable_line: *mut c_void,
    ) -> Self {
        Self {
            message_isr,
            message_dpc,
            enable_message,
            disable_message,
            line_isr,
            line_dpc,
            enable_line,
            disable_line,
            handler: PhantomData,
        }
    }
}

/// Why registration failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterruptError {
    /// The handler block could not be allocated.
    Pool,
    /// NDIS refused with this status (it was not registered).
    Ndis(NDIS_STATUS),
}

/// A registered interrupt whose handlers call `H`.
///
/// # Invariants
/// `handle` came from `NdisMRegisterInterruptEx` with `handler`'s address as context and is
/// not yet deregistered; `table` is the MessageInfoTable NDIS returned with it (or `None`
/// for a line-based interrupt), valid until deregistration.
pub struct Interrupt<H: InterruptHandler> {
    handle: NdisHandle,
    table: Option<NonNull<IO_INTERRUPT_MESSAGE_INFO>>,
    message_based: bool,
    handler: PoolBox<H>,
}

// SAFETY: the handle is an NDIS token, the table read-only NDIS memory, `H: Send + Sync`.
unsafe impl<H: InterruptHandler> Send for Interrupt<H> {}
// SAFETY: as above; `&self` only reads.
unsafe impl<H: InterruptHandler> Sync for Interrupt<H> {}

impl<H: InterruptHandler> Interrupt<H> {
    /// Registers the adapter's interrupt with `handler` (MSI supported). PASSIVE_LEVEL,
    /// inside MiniportInitializeEx.
    ///
    /// # Errors
    /// See [`InterruptError`]; the handler is freed on error.
    pub fn register(adapter: NdisHandle, handler: H, entries: &Trampolines<H>) -> Result<Self, InterruptError> {
        let handler = PoolBox::try_new(adapter, INTERRUPT_TAG, handler).map_err(|_| InterruptError::Pool)?;
        let context: *const H = &raw const *handler;
        let mut characteristics = NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS {
            Header: NDIS_OBJECT_HEADER::new(
                NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT,
                NDIS_MINIPORT_INTERRUPT_REVISION_1,
                NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1,
            ),
            InterruptHandler: entries.line_isr,
            InterruptDpcHandler: entries.line_dpc,
            DisableInterruptHandler: entries.disable_line,
            EnableInterruptHandler: entries.enable_line,
            MsiSupported: TRUE,
            MessageInterruptHandler: Some(entries.message_isr),
            MessageInterruptDpcHandler: Some(entries.message_dpc),
            DisableMessageInterruptHandler: entries.disable_message,
            EnableMessageInterruptHandler: entries.enable_message,
            ..NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS::default()
        };
        let mut raw: NDIS_HANDLE = core::ptr::null_mut();
        // SAFETY: valid locals; the context is the pool block `handler` owns, freed only after
        // `NdisMDeregisterInterruptEx` (field order and `Drop`); the trampolines read it as `H`
        // (`Trampolines::new`'s contract).
        let status = unsafe {
            NdisMRegisterInterruptEx(
                adapter.as_raw(),
                context.cast_mut().cast(),
                &raw mut characteristics,
                &raw mut raw,
            )
        };
        if status != NDIS_STATUS_SUCCESS {
            return Err(InterruptError::Ndis(status));
        }
        let Some(handle) = NdisHandle::from_raw(raw) else {
            return Err(InterruptError::Ndis(NDIS_STATUS_FAILURE));
        };
        let message_based = characteristics.InterruptType == NDIS_CONNECT_MESSAGE_BASED;
        let table = if message_based { NonNull::new(characteristics.MessageInfoTable) } else { None };
        let interrupt = Self { handle, table, message_based, handler };
        if message_based && interrupt.table.is_none() {
            // Dropping deregisters.
            return Err(InterruptError::Ndis(NDIS_STATUS_RESOURCES));
        }
        Ok(interrupt)
    }

    /// Whether NDIS connected message-signaled interrupts (`NDIS_CONNECT_MESSAGE_BASED`).
    #[must_use]
    pub const fn message_based(&self) -> bool {
        self.message_based
    }

    /// Messages connected (`MessageInfoTable->MessageCount`; 0 when line-based).
    #[must_use]
    pub fn message_count(&self) -> u32 {
        // SAFETY: the type invariant: the table NDIS returned, live until deregistration.
        self.table.map_or(0, |t| unsafe { t.as_ref() }.MessageCount)
    }

    /// The processors message `message` is delivered to (`TargetProcessorSet`, group 0).
    #[must_use]
    pub fn target_processors(&self, message: u32) -> Option<usize> {
        let table = self.table?;
        if message >= self.message_count() {
            return None;
        }
        // SAFETY: the table is live (type invariant); `MessageCount` entries follow its header.
        let first = unsafe { &raw const (*table.as_ptr()).MessageInfo }.cast::<IO_INTERRUPT_MESSAGE_INFO_ENTRY>();
        // CAST: u32 -> usize widens; `message < MessageCount` keeps the entry inside the table.
        let at = first.wrapping_add(message as usize);
        // SAFETY: `at` is an entry of the live table NDIS built (read unaligned: NDIS's layout).
        let entry = unsafe { at.read_unaligned() };
        Some(entry.TargetProcessorSet)
    }

    /// The handler (what the trampolines call).
    #[must_use]
    pub fn handler(&self) -> &H {
        &self.handler
    }

    /// `NdisMQueueDpcEx`: queues message `message`'s DPC on each processor of `processors`
    /// (group 0) with `context`; returns the processors it was queued on. Any IRQL.
    pub fn queue_dpc(&self, message: u32, processors: usize, context: usize) -> usize {
        let mut targets = GROUP_AFFINITY { Mask: processors, ..GROUP_AFFINITY::default() };
        // CAST: the context is an opaque token NDIS hands back to the DPC as a PVOID.
        // SAFETY: the live interrupt handle and a valid GROUP_AFFINITY; NDIS passes `context`
        // back to the DPC opaquely.
        unsafe { NdisMQueueDpcEx(self.handle.as_raw(), message, &raw mut targets, context as *mut c_void) }
    }
}

impl<H: InterruptHandler> Drop for Interrupt<H> {
    fn drop(&mut self) {
        // SAFETY: the type invariant: deregistered once; after it returns NDIS calls no handler,
        // so `handler` (dropped after this) is no longer referenced.
        unsafe { NdisMDeregisterInterruptEx(self.handle.as_raw()) };
    }
}
