//! Adapter lifecycle bookkeeping: initialize, pause/restart (and their completion exports),
//! halt and unload checks.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/initializing-a-miniport-adapter>.

use ndis_sys::{
    NDIS_OBJECT_TYPE_DEFAULT, NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS, NDIS_PAUSE_NDIS_INTERNAL, NDIS_STATUS_PENDING,
    NDIS_STATUS_SUCCESS,
};

use super::adapter::{AdapterState, Completion, PhaseEvent};
use super::config::{AdapterConfig, DISPATCH_LEVEL};
use super::handles::HandleKind;
use super::memory::{AddressSpace, Fault, Header, MemExt};
use super::{Model, rules};

/// Which of the two completions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    /// MiniportPause / NdisMPauseComplete.
    Pause,
    /// MiniportRestart / NdisMRestartComplete.
    Restart,
}

impl Model {
    /// Creates a new adapter in `Initializing` and builds its NDIS_MINIPORT_INIT_PARAMETERS.
    /// Returns (adapter handle, init parameters address).
    pub fn create_adapter(&mut self, mem: &mut dyn AddressSpace, config: AdapterConfig) -> Result<(u64, u64), Fault> {
        let handle = self.handles.issue(HandleKind::Adapter);
        self.next_if_index += 1;
        let if_index = if config.if_index != 0 { config.if_index } else { self.next_if_index };
        let size = size!(NDIS_MINIPORT_INIT_PARAMETERS);
        let params = mem.alloc(size, 16).ok_or(Fault { addr: 0, len: size, write: true })?;
        let header = Header { kind: NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS, revision: 1, size: size as u16 };
        mem.write(params, &header.bytes())?;
        mem.write_u32(params + off!(NDIS_MINIPORT_INIT_PARAMETERS, IfIndex), if_index)?;
        // NET_LUID: IfType (ethernet, 6) in bits 48..64, NetLuidIndex in bits 24..48.
        let luid = (6u64 << 48) | (u64::from(if_index) << 24);
        mem.write_u64(params + off!(NDIS_MINIPORT_INIT_PARAMETERS, NetLuid), luid)?;
        self.adapters.insert(handle, AdapterState::new(handle, config));
        self.give_pci_resources(mem, handle, params)?;
        Ok((handle, params))
    }

    /// After MiniportInitializeEx returned `status`: checks the initialize-time rules and moves
    /// the adapter to `Paused` (success) or `Halted` (failure).
    pub fn finish_initialize(&mut self, mem: &mut dyn AddressSpace, adapter: u64, status: i32) {
        self.check_configs_closed(mem, adapter, "when MiniportInitializeEx returned");
        let ok = status == NDIS_STATUS_SUCCESS;
        if ok {
            let (reg, gen_) = self
                .adapter(adapter)
                .map_or((false, false), |a| (a.attributes.registration.is_some(), a.attributes.general.is_some()));
            if !reg || !gen_ {
                self.violate(
                    rules::ATTRIBUTES_MISSING,
                    format!(
                        "MiniportInitializeEx returned SUCCESS without {}",
                        match (reg, gen_) {
                            (false, false) => "registration and general attributes",
                            (false, true) => "registration attributes",
                            _ => "general attributes",
                        }
                    ),
                );
            }
        } else {
            // A failed initialize must leave nothing behind: NDIS never calls halt for it.
            self.check_adapter_resources(mem, adapter, "when MiniportInitializeEx failed");
        }
        self.phase_event(adapter, PhaseEvent::InitializeReturned { ok });
    }

    /// Begins a pause or restart: sets the phase and builds the parameters.
    pub fn begin_transition(&mut self, mem: &mut dyn AddressSpace, adapter: u64, t: Transition) -> Result<u64, Fault> {
        let (size, event) = match t {
            Transition::Pause => (size!(NDIS_MINIPORT_PAUSE_PARAMETERS), PhaseEvent::PauseCalled),
            Transition::Restart => (size!(NDIS_MINIPORT_RESTART_PARAMETERS), PhaseEvent::RestartCalled),
        };
        let params = mem.alloc(size, 16).ok_or(Fault { addr: 0, len: size, write: true })?;
        let header_size = match t {
            Transition::Pause => ndis_sys::NDIS_SIZEOF_MINIPORT_PAUSE_PARAMETERS_REVISION_1,
            Transition::Restart => ndis_sys::NDIS_SIZEOF_MINIPORT_RESTART_PARAMETERS_REVISION_1,
        };
        mem.write(params, &Header { kind: NDIS_OBJECT_TYPE_DEFAULT, revision: 1, size: header_size }.bytes())?;
        if t == Transition::Pause {
            mem.write_u32(params + off!(NDIS_MINIPORT_PAUSE_PARAMETERS, PauseReason), NDIS_PAUSE_NDIS_INTERNAL)?;
        }
        self.phase_event(adapter, event);
        if let Some(a) = self.adapter_mut(adapter) {
            *slot(a, t) = Completion::InHandler;
        }
        Ok(params)
    }

    /// After MiniportPause / MiniportRestart returned `status`. Returns `true` if the
    /// transition is still pending.
    pub fn end_transition(&mut self, adapter: u64, t: Transition, status: i32) -> bool {
        let Some(state) = self.adapter(adapter).map(|a| match t {
            Transition::Pause => a.pause,
            Transition::Restart => a.restart,
        }) else {
            return false;
        };
        let early = match state {
            Completion::Completed(s) => Some(s),
            _ => None,
        };
        if status == NDIS_STATUS_PENDING {
            match early {
                Some(s) => self.settle_transition(adapter, t, s),
                None => {
                    if let Some(a) = self.adapter_mut(adapter) {
                        *slot(a, t) = Completion::Pending;
                    }
                    return true;
                }
            }
        } else {
            if early.is_some() {
                self.violate(rules::PAUSE_UNEXPECTED_COMPLETE, format!("{t:?} of adapter {adapter:#x} was completed by NdisM{t:?}Complete but the handler returned {status:#x}, not PENDING"));
            }
            if t == Transition::Pause && status != NDIS_STATUS_SUCCESS {
                self.violate(rules::PAUSE_BAD_STATUS, format!("MiniportPause of adapter {adapter:#x} returned {status:#x}; only SUCCESS or PENDING are allowed"));
            }
            self.settle_transition(adapter, t, status);
        }
        false
    }

    fn settle_transition(&mut self, adapter: u64, t: Transition, status: i32) {
        let Some(a) = self.adapter_mut(adapter) else {
            return;
        };
        *slot(a, t) = Completion::Idle;
        a.phase = a.phase.on(match t {
            Transition::Pause => PhaseEvent::PauseCompleted,
            Transition::Restart => PhaseEvent::RestartCompleted { ok: status == NDIS_STATUS_SUCCESS },
        });
        let outstanding = a.sends_outstanding.len();
        if t == Transition::Pause && outstanding > 0 {
            self.violate(
                rules::SEND_OUTSTANDING,
                format!("adapter {adapter:#x} completed its pause with {outstanding} send(s) outstanding"),
            );
        }
        let received = self.ownership.adapter_refs(adapter);
        if t == Transition::Pause && received > 0 {
            self.violate(
                rules::RECEIVE_OUTSTANDING_AT_PAUSE,
                format!("adapter {adapter:#x} completed its pause while NDIS still owns {received} indicated NBL(s)"),
            );
        }
    }

    /// `NdisMPauseComplete` / `NdisMRestartComplete` (<= DISPATCH).
    pub fn complete_transition(&mut self, adapter: u64, t: Transition, status: i32) {
        let api = match t {
            Transition::Pause => "NdisMPauseComplete",
            Transition::Restart => "NdisMRestartComplete",
        };
        if !self.check_adapter(adapter, api) {
            return;
        }
        if self.irql > DISPATCH_LEVEL {
            self.violate(rules::PAUSE_UNEXPECTED_COMPLETE, format!("{api} at IRQL {} (> DISPATCH_LEVEL)", self.irql));
        }
        let Some(state) = self.adapter_mut(adapter).map(|a| *slot(a, t)) else {
            return;
        };
        match state {
            Completion::InHandler => {
                if let Some(a) = self.adapter_mut(adapter) {
                    *slot(a, t) = Completion::Completed(status);
                }
            }
            Completion::Pending => self.settle_transition(adapter, t, status),
            Completion::Idle | Completion::Completed(_) => {
                self.violate(
                    rules::PAUSE_UNEXPECTED_COMPLETE,
                    format!("{api} for adapter {adapter:#x} with no pended {t:?}"),
                );
            }
        }
    }

    /// Gives up on a pended pause/restart that never completed.
    pub fn abandon_transition(&mut self, adapter: u64, t: Transition) {
        self.violate(
            rules::PAUSE_NEVER_COMPLETED,
            format!("{t:?} of adapter {adapter:#x} returned PENDING and never completed"),
        );
        self.settle_transition(adapter, t, NDIS_STATUS_SUCCESS);
        self.phase_event(adapter, PhaseEvent::TransitionAbandoned);
    }

    /// Notes that a surprise-removal PnP event was delivered to the adapter.
    pub fn note_surprise_removal(&mut self, adapter: u64) {
        if let Some(a) = self.adapter_mut(adapter) {
            a.surprise_removed = true;
        }
    }

    /// Moves the adapter's phase on by `event` ([`super::adapter::Phase::on`]).
    pub fn phase_event(&mut self, adapter: u64, event: PhaseEvent) {
        if let Some(a) = self.adapter_mut(adapter) {
            a.phase = a.phase.on(event);
        }
    }

    /// After MiniportHaltEx returned: the adapter is gone; runs the halt-time checks.
    pub fn finish_halt(&mut self, mem: &mut dyn AddressSpace, adapter: u64) {
        self.phase_event(adapter, PhaseEvent::HaltReturned);
        self.check_adapter_resources(mem, adapter, "when MiniportHaltEx returned");
        let outstanding = self.adapter(adapter).map_or(0, |a| a.sends_outstanding.len());
        if outstanding > 0 {
            self.violate(
                rules::SEND_OUTSTANDING,
                format!("adapter {adapter:#x} halted with {outstanding} send(s) never completed"),
            );
        }
    }

    fn check_adapter_resources(&mut self, mem: &mut dyn AddressSpace, adapter: u64, when: &str) {
        self.check_dma_stopped_at_halt(mem, adapter, when);
        self.check_shared_memory_freed(adapter, None, rules::SHARED_MEMORY_LEAK_AT_HALT, when);
        self.check_nbl_resources(Some(adapter), when);
        self.check_pool_at_halt(adapter);
        if let Some(h) = self.adapter(adapter).and_then(|a| a.sg_dma) {
            self.violate(
                rules::SG_DMA_NOT_DEREGISTERED,
                format!("SG DMA handle {h:#x} of adapter {adapter:#x} not deregistered {when}"),
            );
            self.set_sg_dma(adapter, None);
        }
        self.check_configs_closed(mem, adapter, when);
        self.check_work_items(Some(adapter), when);
        self.check_pci_resources(mem, adapter, when);
    }

    fn set_sg_dma(&mut self, adapter: u64, handle: Option<u64>) {
        if let Some(a) = self.adapter_mut(adapter) {
            a.sg_dma = handle;
        }
    }

    /// After the Unload handler returned: unload-time checks; frees the driver-object
    /// extensions and forgets the driver.
    pub fn finish_unload(&mut self, mem: &mut dyn AddressSpace) {
        if self.driver.as_ref().is_some_and(|d| d.handle.is_some() && !d.deregistered) {
            self.violate(
                rules::REGISTRATION_UNLOAD_WITHOUT_DEREGISTER,
                "the driver unloaded without calling NdisMDeregisterMiniportDriver",
            );
        }
        self.check_nbl_resources(None, "when Unload returned");
        self.check_pool_at_unload();
        self.release_quarantine(mem);
        self.check_work_items(None, "when Unload returned");
        if let Some(d) = self.detach_driver() {
            for block in d.extensions.values() {
                mem.free(*block);
            }
        }
    }
}

fn slot(a: &mut AdapterState, t: Transition) -> &mut Completion {
    match t {
        Transition::Pause => &mut a.pause,
        Transition::Restart => &mut a.restart,
    }
}
