//! Message-signaled interrupts: `NdisMRegisterInterruptEx` / `NdisMDeregisterInterruptEx`
//! with MSI-X message handlers, and the bookkeeping interrupt delivery needs (`crate::sim`
//! turns each MSI-X message into `MiniportMessageInterrupt` at the device IRQL and
//! `MiniportMessageInterruptDPC` at DISPATCH_LEVEL on the message's processor).
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismregisterinterruptex>,
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_message_interrupt> and
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_message_interrupt_dpc>.

use std::collections::{BTreeMap, VecDeque};

use ndis_sys::{
    IO_INTERRUPT_MESSAGE_INFO, IO_INTERRUPT_MESSAGE_INFO_ENTRY, NDIS_CONNECT_MESSAGE_BASED,
    NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT, NDIS_STATUS_FAILURE,
    NDIS_STATUS_INVALID_PARAMETER, NDIS_STATUS_RESOURCES, NDIS_STATUS_SUCCESS,
};

use super::Model;
use super::config::{DISPATCH_LEVEL, PASSIVE_LEVEL};
use super::handles::HandleKind;
use super::memory::{AddressSpace, Header, MemExt};
use super::pci::DEVICE_IRQL;
use super::processors::message_processor;

/// NdisMRegisterInterruptEx outside MiniportInitializeEx, or either routine above PASSIVE_LEVEL.
pub const INTERRUPT_REGISTER_CONTEXT: &str = "interrupt.register-context";
/// NdisMRegisterInterruptEx with a bad header or MSI without message handlers.
pub const INTERRUPT_CHARACTERISTICS_INVALID: &str = "interrupt.characteristics-invalid";
/// A second NdisMRegisterInterruptEx for one adapter.
pub const INTERRUPT_REGISTERED_TWICE: &str = "interrupt.registered-twice";
/// NdisMDeregisterInterruptEx with a handle NdisMRegisterInterruptEx did not return (or twice).
pub const INTERRUPT_DEREGISTER_UNKNOWN: &str = "interrupt.deregister-unknown";
/// An interrupt still registered when MiniportHaltEx returned.
pub const INTERRUPT_NOT_DEREGISTERED_AT_HALT: &str = "interrupt.not-deregistered-at-halt";
/// The device still had interrupts enabled when MiniportHaltEx returned (it can still
/// interrupt a halted adapter).
pub const INTERRUPT_ENABLED_AFTER_HALT: &str = "interrupt.enabled-after-halt";

/// An NDIS routine called from MiniportMessageInterrupt (or a synchronize function), which
/// runs at the device IRQL where
/// only the DIRQL-callable routines may be used (the rest are <= DISPATCH_LEVEL: their work
/// belongs in the DPC).
pub const INTERRUPT_ISR_CALL_ABOVE_DISPATCH: &str = "interrupt.isr-call-above-dispatch";

/// Routines a MiniportMessageInterrupt may call at the device IRQL.
const CALLABLE_AT_DIRQL: &[&str] = &[
    "KeGetCurrentProcessorNumberEx",
    "KeBugCheckEx",
    "NdisMQueueDpcEx",
    "READ_REGISTER_ULONG",
    "WRITE_REGISTER_ULONG",
];

/// One registered interrupt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InterruptRegistration {
    /// The adapter it was registered for.
    pub adapter: u64,
    /// MiniportInterruptContext.
    pub context: u64,
    /// MiniportMessageInterrupt.
    pub message_handler: u64,
    /// MiniportMessageInterruptDPC.
    pub message_dpc_handler: u64,
    /// The IO_INTERRUPT_MESSAGE_INFO NDIS handed out.
    pub info_table: u64,
    /// Number of messages.
    pub messages: u16,
}

/// A DPC `NdisMQueueDpcEx` queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueuedDpc {
    /// The NdisInterruptHandle.
    pub interrupt: u64,
    /// MessageId.
    pub message_id: u32,
    /// The processor it runs on.
    pub processor: u32,
    /// MiniportDpcContext.
    pub context: u64,
}

/// Live registrations by NdisInterruptHandle, and DPCs queued and not yet run.
#[derive(Debug, Default)]
pub struct Interrupts {
    live: BTreeMap<u64, InterruptRegistration>,
    queued: VecDeque<QueuedDpc>,
}

impl Model {
    /// The live registration of `adapter`, with its handle.
    pub fn interrupt_of(&self, adapter: u64) -> Option<(u64, InterruptRegistration)> {
        self.interrupts.live.iter().find(|(_, r)| r.adapter == adapter).map(|(h, r)| (*h, *r))
    }

    /// Checks an NDIS call the driver makes: from MiniportMessageInterrupt (above
    /// DISPATCH_LEVEL) only the DIRQL-callable routines are allowed.
    pub fn check_call_from_isr(&mut self, api: &str) {
        let at_dirql = self.inside("MiniportMessageInterrupt") || self.inside("MiniportSynchronizeInterrupt");
        if self.irql > DISPATCH_LEVEL && at_dirql && !CALLABLE_AT_DIRQL.contains(&api) {
            let irql = self.irql;
            self.violate(
                INTERRUPT_ISR_CALL_ABOVE_DISPATCH,
                format!("{api} called from MiniportMessageInterrupt at IRQL {irql} (> DISPATCH_LEVEL)"),
            );
        }
    }

    /// `NdisMRegisterInterruptEx` (PASSIVE_LEVEL, from MiniportInitializeEx): message-based for
    /// an adapter with MSI-X resources; fills InterruptType, MessageInfoTable and the handle.
    pub fn register_interrupt(
        &mut self,
        mem: &mut dyn AddressSpace,
        adapter: u64,
        context: u64,
        characteristics: u64,
        out: u64,
    ) -> i32 {
        const API: &str = "NdisMRegisterInterruptEx";
        if let Err(fault) = mem.write_u64(out, 0) {
            return self.fault(API, fault).unwrap_or(NDIS_STATUS_FAILURE);
        }
        if self.irql > PASSIVE_LEVEL || !self.inside("MiniportInitializeEx") {
            let irql = self.irql;
            self.violate(INTERRUPT_REGISTER_CONTEXT, format!("{API} at IRQL {irql} outside MiniportInitializeEx"));
            return NDIS_STATUS_FAILURE;
        }
        if !self.check_adapter(adapter, API) {
            return NDIS_STATUS_FAILURE;
        }
        if self.interrupt_of(adapter).is_some() {
            self.violate(INTERRUPT_REGISTERED_TWICE, format!("{API}: adapter {adapter:#x} already has an interrupt"));
            return NDIS_STATUS_FAILURE;
        }
        let c = characteristics;
        let at = |field: usize| c + field as u64;
        type C = NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS;
        let read = (|| {
            let header = Header::read(mem, c)?;
            let msi = mem.read_u8(at(std::mem::offset_of!(C, MsiSupported)))?;
            let isr = mem.read_u64(at(std::mem::offset_of!(C, MessageInterruptHandler)))?;
            let dpc = mem.read_u64(at(std::mem::offset_of!(C, MessageInterruptDpcHandler)))?;
            Ok((header, msi, isr, dpc))
        })();
        let (header, msi, isr, dpc) = match read {
            Ok(v) => v,
            Err(fault) => return self.fault(API, fault).unwrap_or(NDIS_STATUS_FAILURE),
        };
        if header.kind != NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT || msi == 0 || isr == 0 || dpc == 0 {
            self.violate(
                INTERRUPT_CHARACTERISTICS_INVALID,
                format!(
                    "{API}: header {header}, MsiSupported {msi}, MessageInterruptHandler {isr:#x}, \
                     MessageInterruptDpcHandler {dpc:#x} (an MSI-X device needs both message handlers)"
                ),
            );
            return NDIS_STATUS_INVALID_PARAMETER;
        }
        if !self.is_pci_adapter(adapter) {
            // No interrupt resources: nothing to connect.
            return NDIS_STATUS_RESOURCES;
        }
        let Some(device) = self.pci_device() else { return NDIS_STATUS_RESOURCES };
        let messages = device.msix_vectors();
        let targets: Vec<(u64, u32)> = (0..messages).map(|v| device.message(v)).collect();
        let Some(table) = self.write_message_info(mem, &targets) else { return NDIS_STATUS_RESOURCES };
        let written = mem
            .write_u32(at(std::mem::offset_of!(C, InterruptType)), NDIS_CONNECT_MESSAGE_BASED as u32)
            .and_then(|()| mem.write_u64(at(std::mem::offset_of!(C, MessageInfoTable)), table));
        if let Err(fault) = written {
            mem.free(table);
            return self.fault(API, fault).unwrap_or(NDIS_STATUS_FAILURE);
        }
        let handle = self.handles.issue(HandleKind::Interrupt);
        if let Err(fault) = mem.write_u64(out, handle) {
            mem.free(table);
            return self.fault(API, fault).unwrap_or(NDIS_STATUS_FAILURE);
        }
        let registration = InterruptRegistration {
            adapter,
            context,
            message_handler: isr,
            message_dpc_handler: dpc,
            info_table: table,
            messages,
        };
        self.interrupts.live.insert(handle, registration);
        NDIS_STATUS_SUCCESS
    }

    /// Builds the IO_INTERRUPT_MESSAGE_INFO of `targets` (address, data per message).
    fn write_message_info(&mut self, mem: &mut dyn AddressSpace, targets: &[(u64, u32)]) -> Option<u64> {
        type E = IO_INTERRUPT_MESSAGE_INFO_ENTRY;
        let first = std::mem::offset_of!(IO_INTERRUPT_MESSAGE_INFO, MessageInfo);
        let len = first + targets.len().max(1) * size_of::<E>();
        let table = mem.alloc(len, 8)?;
        let count = self.processor_count();
        let mut write = || -> Result<(), super::memory::Fault> {
            mem.write_u8(table, DEVICE_IRQL)?;
            // CAST: at most 2048 MSI-X vectors.
            mem.write_u32(table + 4, targets.len() as u32)?;
            for (vector, &(address, data)) in (0u16..).zip(targets) {
                let e = table + (first + usize::from(vector) * size_of::<E>()) as u64;
                let f = |field: usize| e + field as u64;
                mem.write_u64(f(std::mem::offset_of!(E, MessageAddress)), address)?;
                let processor = message_processor(vector, count);
                mem.write_u64(f(std::mem::offset_of!(E, TargetProcessorSet)), 1 << processor)?;
                mem.write_u32(f(std::mem::offset_of!(E, MessageData)), data)?;
                mem.write_u32(f(std::mem::offset_of!(E, Vector)), 0x40 + u32::from(vector))?;
                mem.write_u8(f(std::mem::offset_of!(E, Irql)), DEVICE_IRQL)?;
                // KINTERRUPT_MODE Latched (MSI-X is edge-triggered).
                mem.write_u32(f(std::mem::offset_of!(E, Mode)), 1)?;
            }
            Ok(())
        };
        if write().is_err() {
            mem.free(table);
            return None;
        }
        Some(table)
    }

    /// `NdisMDeregisterInterruptEx` (PASSIVE_LEVEL).
    pub fn deregister_interrupt(&mut self, mem: &mut dyn AddressSpace, handle: u64) {
        const API: &str = "NdisMDeregisterInterruptEx";
        if self.irql > PASSIVE_LEVEL {
            let irql = self.irql;
            return self.violate(INTERRUPT_REGISTER_CONTEXT, format!("{API} at IRQL {irql}"));
        }
        match self.interrupts.live.remove(&handle) {
            Some(r) => mem.free(r.info_table),
            None => {
                let what = self.handles.describe(handle);
                self.violate(INTERRUPT_DEREGISTER_UNKNOWN, format!("{API}: {what} is not a live interrupt"));
            }
        }
    }

    /// `NdisMQueueDpcEx` (any IRQL): queues the message's DPC on each processor of
    /// `TargetProcessors` (group 0) that has none queued for this interrupt yet; returns those
    /// it queued. The host runs them after the current interrupt (or on the next delivery).
    pub fn queue_dpc(
        &mut self,
        mem: &mut dyn AddressSpace,
        interrupt: u64,
        message_id: u32,
        targets: u64,
        context: u64,
    ) -> u64 {
        const API: &str = "NdisMQueueDpcEx";
        if !self.interrupts.live.contains_key(&interrupt) {
            let what = self.handles.describe(interrupt);
            self.violate(super::rules::HANDLE_INVALID, format!("{API}: {what} is not a live NdisInterruptHandle"));
            return 0;
        }
        let read = mem.read_u64(targets).and_then(|mask| Ok((mask, mem.read_u16(targets + 8)?)));
        let (mask, group) = match read {
            Ok(v) => v,
            Err(fault) => return self.fault(API, fault).unwrap_or(0),
        };
        if group != 0 {
            return 0;
        }
        let mut queued = 0;
        for processor in 0..self.processor_count().min(64) {
            let wanted = mask & (1 << processor) != 0;
            let pending = self.interrupts.queued.iter().any(|d| d.interrupt == interrupt && d.processor == processor);
            if wanted && !pending {
                self.interrupts.queued.push_back(QueuedDpc { interrupt, message_id, processor, context });
                queued |= 1 << processor;
            }
        }
        queued
    }

    /// `NdisMConfigMSIXTableEntry`: maps a table entry of the adapter's device to one of its
    /// interrupt's messages, or masks / unmasks it. NDIS_STATUS_INVALID_PARAMETER for a bad
    /// header, operation, entry or message; NDIS_STATUS_FAILURE without a message interrupt.
    pub fn config_msix_table_entry(&mut self, mem: &mut dyn AddressSpace, adapter: u64, params: u64) -> i32 {
        const API: &str = "NdisMConfigMSIXTableEntry";
        if !self.check_adapter(adapter, API) {
            return NDIS_STATUS_FAILURE;
        }
        type P = ndis_sys::NDIS_MSIX_CONFIG_PARAMETERS;
        let read = (|| {
            let header = Header::read(mem, params)?;
            let op = mem.read_u32(params + std::mem::offset_of!(P, ConfigOperation) as u64)?;
            let entry = mem.read_u32(params + std::mem::offset_of!(P, TableEntry) as u64)?;
            let message = mem.read_u32(params + std::mem::offset_of!(P, MessageNumber) as u64)?;
            Ok((header, op, entry, message))
        })();
        let (header, op, entry, message) = match read {
            Ok(v) => v,
            Err(fault) => return self.fault(API, fault).unwrap_or(NDIS_STATUS_FAILURE),
        };
        let Some((_, r)) = self.interrupt_of(adapter) else { return NDIS_STATUS_FAILURE };
        let Some(device) = self.pci_device() else { return NDIS_STATUS_FAILURE };
        let entries = u32::from(device.msix_vectors());
        if header.kind != ndis_sys::NDIS_OBJECT_TYPE_DEFAULT || entry >= entries {
            return NDIS_STATUS_INVALID_PARAMETER;
        }
        // CAST: below the table size, a u16.
        let entry = entry as u16;
        let done = match op as i32 {
            ndis_sys::NdisMSIXTableConfigSetTableEntry if message < u32::from(r.messages) => {
                // CAST: below the message count, a u16.
                device.set_msix_entry(entry, message as u16)
            }
            ndis_sys::NdisMSIXTableConfigMaskTableEntry => device.mask_msix_entry(entry, true),
            ndis_sys::NdisMSIXTableConfigUnmaskTableEntry => device.mask_msix_entry(entry, false),
            _ => return NDIS_STATUS_INVALID_PARAMETER,
        };
        match done {
            Ok(()) => NDIS_STATUS_SUCCESS,
            Err(e) => self.device_failed(API, e).unwrap_or(NDIS_STATUS_FAILURE),
        }
    }

    /// Validates `NdisMSynchronizeWithInterruptEx` arguments: a live interrupt, a message it
    /// has, a function. Records `handle.invalid` / `interrupt.characteristics-invalid`.
    pub fn check_synchronize(&mut self, interrupt: u64, message_id: u32, function: u64) -> bool {
        const API: &str = "NdisMSynchronizeWithInterruptEx";
        let Some(r) = self.interrupts.live.get(&interrupt).copied() else {
            let what = self.handles.describe(interrupt);
            self.violate(super::rules::HANDLE_INVALID, format!("{API}: {what} is not a live NdisInterruptHandle"));
            return false;
        };
        if function == 0 || message_id >= u32::from(r.messages) {
            self.violate(
                INTERRUPT_CHARACTERISTICS_INVALID,
                format!("{API}: SynchronizeFunction {function:#x}, MessageId {message_id} of {}", r.messages),
            );
            return false;
        }
        true
    }

    /// The oldest queued DPC whose interrupt is still registered, with its registration.
    pub fn take_queued_dpc(&mut self) -> Option<(QueuedDpc, InterruptRegistration)> {
        while let Some(d) = self.interrupts.queued.pop_front() {
            if let Some(r) = self.interrupts.live.get(&d.interrupt) {
                return Some((d, *r));
            }
        }
        None
    }

    /// Halt-time checks: the interrupt must be deregistered and the device's interrupts off.
    pub(super) fn check_interrupts_at_halt(&mut self, adapter: u64, when: &str) {
        if let Some((handle, _)) = self.interrupt_of(adapter) {
            self.violate(
                INTERRUPT_NOT_DEREGISTERED_AT_HALT,
                format!("interrupt {handle:#x} of adapter {adapter:#x} not deregistered {when}"),
            );
            self.interrupts.live.remove(&handle);
        }
        if !self.is_pci_adapter(adapter) {
            return;
        }
        let enabled = self.pci_device().map(|d| d.interrupts_enabled());
        match enabled {
            Some(Ok(true)) => self.violate(
                INTERRUPT_ENABLED_AFTER_HALT,
                format!("adapter {adapter:#x}: the device still has interrupts enabled {when}"),
            ),
            Some(Err(e)) => self.device_failed::<()>("the halt-time interrupt check", e).unwrap_or(()),
            _ => {}
        }
    }
}
