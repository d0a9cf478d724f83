//! Status indications: NdisMIndicateStatusEx, including NDIS_STATUS_RECEIVE_QUEUE_STATE.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-status-receive-queue-state>.

use ndis_sys::{
    NDIS_OBJECT_TYPE_DEFAULT, NDIS_OBJECT_TYPE_STATUS_INDICATION, NDIS_STATUS_LINK_STATE,
    NDIS_STATUS_RECEIVE_QUEUE_STATE, NdisReceiveQueueOperationalStateDmaStopped,
};

use super::config::DISPATCH_LEVEL;
use super::handles::HandleKind;
use super::memory::{AddressSpace, Fault, Header, MemExt};
use super::queue_state::QueueEvent;
use super::report::StatusRecord;
use super::{Model, rules};

impl Model {
    /// `NdisMIndicateStatusEx` (<= DISPATCH).
    pub fn indicate_status(&mut self, mem: &dyn AddressSpace, handle: u64, indication: u64) {
        const API: &str = "NdisMIndicateStatusEx";
        if self.handles.kind(handle) != Some(HandleKind::Adapter) {
            let what = self.handles.describe(handle);
            self.violate(rules::HANDLE_INVALID, format!("{API}: expected a MiniportAdapterHandle, got {what}"));
            return;
        }
        if self.phase(handle).is_none_or(|p| p.is_gone()) {
            self.violate(
                rules::STATUS_AFTER_HALT,
                format!("{API} for adapter {handle:#x} after MiniportHaltEx returned"),
            );
            return;
        }
        if self.irql > DISPATCH_LEVEL {
            self.violate(rules::STATUS_IRQL, format!("{API} at IRQL {} (> DISPATCH_LEVEL)", self.irql));
        }
        if self.adapter(handle).is_some_and(|a| a.attributes.registration.is_none()) {
            self.violate(
                rules::STATUS_BEFORE_REGISTRATION,
                format!("{API} on adapter {handle:#x} before its registration attributes were set"),
            );
        }
        if let Err(fault) = self.indicate_status_inner(mem, handle, indication) {
            self.violate(rules::MEMORY_FAULT, format!("{API}: {fault}"));
        }
    }

    fn indicate_status_inner(&mut self, mem: &dyn AddressSpace, handle: u64, at: u64) -> Result<(), Fault> {
        const API: &str = "NdisMIndicateStatusEx";
        let h = Header::read(mem, at)?;
        if h.kind != NDIS_OBJECT_TYPE_STATUS_INDICATION || h.revision != 1 || h.size != 112 {
            self.violate(
                rules::STATUS_BAD_HEADER,
                format!("{API}: NDIS_STATUS_INDICATION header {h}; expected Type 0x98, Revision 1, Size 112"),
            );
            return Ok(());
        }
        let source = mem.read_u64(at + off!(NDIS_STATUS_INDICATION, SourceHandle))?;
        if source != handle {
            let what = self.handles.describe(source);
            self.violate(
                rules::STATUS_SOURCE_HANDLE,
                format!("{API}: SourceHandle is {what}, not the adapter handle {handle:#x}"),
            );
        }
        let code = mem.read_u32(at + off!(NDIS_STATUS_INDICATION, StatusCode))? as i32;
        let mut record = StatusRecord { adapter: handle, code, queue_id: None, queue_state: None, link_state: None };
        if code == NDIS_STATUS_LINK_STATE {
            record.link_state = self.read_link_state(mem, at)?;
        }
        if code == NDIS_STATUS_RECEIVE_QUEUE_STATE {
            let buffer = mem.read_u64(at + off!(NDIS_STATUS_INDICATION, StatusBuffer))?;
            let size = mem.read_u32(at + off!(NDIS_STATUS_INDICATION, StatusBufferSize))?;
            if buffer == 0 || size != 16 {
                self.violate(
                    rules::STATUS_QUEUE_STATE,
                    format!("{API}: NDIS_STATUS_RECEIVE_QUEUE_STATE with StatusBuffer {buffer:#x} and StatusBufferSize {size} (needs a buffer of 16)"),
                );
            } else {
                let (queue, state) = self.check_queue_state(mem, handle, buffer)?;
                record.queue_id = Some(queue);
                record.queue_state = Some(state);
            }
        }
        self.status_log.push(record);
        Ok(())
    }

    /// MediaConnectState of an NDIS_STATUS_LINK_STATE indication's NDIS_LINK_STATE (a
    /// malformed payload is `status.link-state`).
    /// See <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-status-link-state>.
    fn read_link_state(&mut self, mem: &dyn AddressSpace, at: u64) -> Result<Option<i32>, Fault> {
        let buffer = mem.read_u64(at + off!(NDIS_STATUS_INDICATION, StatusBuffer))?;
        let size = mem.read_u32(at + off!(NDIS_STATUS_INDICATION, StatusBufferSize))?;
        let h = if buffer == 0 { None } else { Some(Header::read(mem, buffer)?) };
        match h {
            Some(h) if size >= 40 && h.kind == NDIS_OBJECT_TYPE_DEFAULT && h.revision >= 1 && h.size >= 40 => {
                Ok(Some(mem.read_u32(buffer + off!(NDIS_LINK_STATE, MediaConnectState))? as i32))
            }
            _ => {
                self.violate(
                    rules::STATUS_LINK_STATE,
                    format!("NdisMIndicateStatusEx: NDIS_STATUS_LINK_STATE with StatusBuffer {buffer:#x}, StatusBufferSize {size} and header {h:?} (needs an NDIS_LINK_STATE: Type DEFAULT, Revision 1, Size 40)"),
                );
                Ok(None)
            }
        }
    }

    fn check_queue_state(&mut self, mem: &dyn AddressSpace, handle: u64, at: u64) -> Result<(u32, u32), Fault> {
        let h = Header::read(mem, at)?;
        let queue = mem.read_u32(at + off!(NDIS_RECEIVE_QUEUE_STATE, QueueId))?;
        let state = mem.read_u32(at + off!(NDIS_RECEIVE_QUEUE_STATE, QueueState))?;
        if h.kind != NDIS_OBJECT_TYPE_DEFAULT || h.revision != 1 || h.size != 16 {
            self.violate(
                rules::STATUS_QUEUE_STATE,
                format!("NDIS_RECEIVE_QUEUE_STATE header {h}; expected Type DEFAULT (0x80), Revision 1, Size 16"),
            );
        }
        if !self.adapter(handle).is_some_and(|a| a.queue_exists(queue)) {
            self.violate(
                rules::STATUS_QUEUE_STATE,
                format!("NDIS_RECEIVE_QUEUE_STATE for queue {queue}, which is not allocated on adapter {handle:#x}"),
            );
        }
        if !(1..=3).contains(&state) {
            self.violate(
                rules::STATUS_QUEUE_STATE,
                format!("NDIS_RECEIVE_QUEUE_STATE with QueueState {state} (valid: 1 Running, 2 Paused, 3 DmaStopped)"),
            );
        }
        if state == NdisReceiveQueueOperationalStateDmaStopped as u32 {
            if let Some(a) = self.adapter_mut(handle) {
                a.queue_event(queue, QueueEvent::DmaStoppedIndicated);
            }
            self.snapshot_queue_memory(mem, handle, queue);
        }
        Ok((queue, state))
    }
}
