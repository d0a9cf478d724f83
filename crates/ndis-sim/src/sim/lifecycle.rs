//! Host actions over the driver and adapter lifecycle: load, initialize, pause, restart,
//! PnP, shutdown, halt, unload.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/miniport-adapter-states-and-operations>.

use ndis_sys::{NDIS_STATUS_SUCCESS, NdisHaltDeviceDisabled, NdisShutdownBugCheck};

use super::{AdapterId, Sim, SimError};
use crate::model::adapter::{Phase, PhaseEvent};
use crate::model::calls::{Env, MiniportCall};
use crate::model::config::{AdapterConfig, HIGH_LEVEL, PASSIVE_LEVEL};
use crate::model::lifecycle::Transition;
use crate::model::memory::{Header, MemExt};
use crate::model::rules;

/// sizeof(DRIVER_OBJECT) on x64.
const DRIVER_OBJECT_SIZE: usize = 0x150;
/// The registry path DriverEntry receives.
const REGISTRY_PATH: &str = r"\Registry\Machine\System\CurrentControlSet\Services\vmqnic";

impl<E: Env> Sim<E> {
    /// Loads a driver whose DriverEntry is at `entry`: builds a fake DRIVER_OBJECT and registry
    /// path and calls DriverEntry at PASSIVE_LEVEL.
    pub fn load_driver_at(&mut self, entry: u64) -> Result<(), SimError> {
        if self.with_model(|m, _| m.driver().is_some()) {
            return Err(SimError::AlreadyLoaded);
        }
        let objects = self.with_model(|m, mem| {
            let object = mem.alloc(DRIVER_OBJECT_SIZE, 16)?;
            let units: Vec<u8> = REGISTRY_PATH.encode_utf16().flat_map(u16::to_le_bytes).collect();
            let buffer = mem.alloc_with(&units, units.len() + 2, 8)?;
            let path = mem.alloc(16, 8)?;
            let len = units.len() as u16;
            mem.write_u16(path + off!(UNICODE_STRING, Length), len).ok()?;
            mem.write_u16(path + off!(UNICODE_STRING, MaximumLength), len + 2).ok()?;
            mem.write_u64(path + off!(UNICODE_STRING, Buffer), buffer).ok()?;
            m.attach_driver(object, path);
            Some((object, path))
        });
        let (driver_object, registry_path) = objects.ok_or(SimError::Memory)?;
        let call = MiniportCall::DriverEntry { routine: entry, driver_object, registry_path };
        let status = self.invoke_status(call, PASSIVE_LEVEL);
        let registered = self.with_model(|m, _| m.driver().is_some_and(|d| d.handle.is_some() && !d.deregistered));
        if status < 0 {
            self.with_model(|m, mem| {
                if registered {
                    m.violate(
                        rules::REGISTRATION_DRIVER_ENTRY,
                        format!("DriverEntry failed with {status:#x} but left the miniport driver registered"),
                    );
                    m.drop_registration();
                }
                m.finish_unload(mem);
            });
            return Err(SimError::DriverEntryFailed(status));
        }
        if !registered {
            self.with_model(|m, _| {
                m.violate(
                    rules::REGISTRATION_DRIVER_ENTRY,
                    "DriverEntry succeeded without NdisMRegisterMiniportDriver",
                );
            });
        }
        self.settle();
        Ok(())
    }

    /// Adds an adapter: MiniportInitializeEx at PASSIVE_LEVEL, then (by default) MiniportRestart.
    pub fn add_adapter(&mut self, config: AdapterConfig) -> Result<AdapterId, SimError> {
        self.add_adapter_as(config, true)
    }

    /// The support adapter the traffic source sends from: the HLK's second adapter on the
    /// segment ("a support adapter"), an adapter of the same driver with the default
    /// configuration but jumbo frames, and no packet filter set (it indicates nothing). Initialized (and
    /// restarted) the first time it is needed, or again after it was halted.
    pub fn support_adapter(&mut self) -> Result<AdapterId, SimError> {
        let current =
            self.with_model(|m, _| m.support_adapter().filter(|s| m.adapter(*s).is_some_and(|a| !a.phase.is_gone())));
        if let Some(s) = current {
            let s = AdapterId(s);
            if self.phase(s) == Some(Phase::Paused) {
                self.restart(s)?;
            }
            return Ok(s);
        }
        // It carries the largest frames the driver offers (`*JumboPacket` 9014), as an HLK
        // support adapter is set up for the jumbo tests: whether a jumbo frame is taken is the
        // adapter under test's to decide.
        let s = self.add_adapter_as(AdapterConfig::default().keyword("*JumboPacket", 9014), false)?;
        self.with_model(|m, _| m.set_support_adapter(Some(s.0)));
        Ok(s)
    }

    fn add_adapter_as(&mut self, config: AdapterConfig, set_packet_filter: bool) -> Result<AdapterId, SimError> {
        let handlers = self.with_model(|m, _| m.handlers()).ok_or(SimError::NoDriver)?;
        let context = self.with_model(|m, _| m.driver().map_or(0, |d| d.context));
        let restart = config.restart_after_initialize;
        let (handle, parameters) =
            self.with_model(|m, mem| m.create_adapter(mem, config)).map_err(|_| SimError::Memory)?;
        let call = MiniportCall::Initialize {
            handler: handlers.initialize,
            adapter_handle: handle,
            driver_context: context,
            parameters,
        };
        let status = self.invoke_status(call, PASSIVE_LEVEL);
        self.with_model(|m, mem| m.finish_initialize(mem, handle, status));
        let id = AdapterId(handle);
        if status != NDIS_STATUS_SUCCESS {
            return Err(SimError::InitializeFailed(status));
        }
        self.settle();
        if self.with_model(|m, _| m.queries_mandatory_oids()) {
            self.check_mandatory_oids(id);
        }
        if let Some(filter) = self.with_model(|m, _| m.config().packet_filter).filter(|_| set_packet_filter) {
            self.oid_set(id, ndis_sys::OID_GEN_CURRENT_PACKET_FILTER, &filter.to_le_bytes());
        }
        if restart {
            self.restart(id)?;
        }
        Ok(id)
    }

    fn transition(&mut self, a: AdapterId, t: Transition) -> Result<(), SimError> {
        let (handler, context) = self.adapter_call_target(a, |h| match t {
            Transition::Pause => h.pause,
            Transition::Restart => h.restart,
        })?;
        let parameters = self.with_model(|m, mem| m.begin_transition(mem, a.0, t)).map_err(|_| SimError::Memory)?;
        let call = match t {
            Transition::Pause => MiniportCall::Pause { handler, context, parameters },
            Transition::Restart => MiniportCall::Restart { handler, context, parameters },
        };
        let status = self.invoke_status(call, PASSIVE_LEVEL);
        let pending = self.with_model(|m, _| m.end_transition(a.0, t, status));
        if pending {
            let busy = match t {
                Transition::Pause => Phase::Pausing,
                Transition::Restart => Phase::Restarting,
            };
            // NDIS returns the NBLs it holds so that a pausing miniport can finish; a PCI
            // device keeps interrupting meanwhile (its transmit completions end the pause).
            self.return_received(a);
            if self.with_model(|m, _| m.pci_adapter()) == Some(a.0) {
                let _ = self.deliver_interrupts();
            }
            let done = self.run_work_items_until(|s| s.phase(a) != Some(busy));
            if !done {
                self.with_model(|m, _| m.abandon_transition(a.0, t));
                self.settle();
                return Err(SimError::NeverCompleted(a));
            }
        }
        self.settle();
        if t == Transition::Restart && self.phase(a) != Some(Phase::Running) {
            let status = if status == ndis_sys::NDIS_STATUS_PENDING { ndis_sys::NDIS_STATUS_FAILURE } else { status };
            return Err(SimError::RestartFailed(status));
        }
        Ok(())
    }

    /// Pauses a running adapter (MiniportPause at PASSIVE_LEVEL; waits for NdisMPauseComplete).
    pub fn pause(&mut self, a: AdapterId) -> Result<(), SimError> {
        match self.phase(a) {
            Some(Phase::Running) => self.transition(a, Transition::Pause),
            Some(p) if !p.is_gone() => Err(SimError::InvalidState(a, "pause needs a running adapter")),
            _ => Err(SimError::UnknownAdapter(a)),
        }
    }

    /// Restarts a paused adapter (MiniportRestart at PASSIVE_LEVEL; waits for NdisMRestartComplete).
    pub fn restart(&mut self, a: AdapterId) -> Result<(), SimError> {
        match self.phase(a) {
            Some(Phase::Paused) => self.transition(a, Transition::Restart),
            Some(p) if !p.is_gone() => Err(SimError::InvalidState(a, "restart needs a paused adapter")),
            _ => Err(SimError::UnknownAdapter(a)),
        }
    }

    /// Delivers a PnP event (MiniportDevicePnPEventNotify at PASSIVE_LEVEL).
    pub fn pnp_event(&mut self, a: AdapterId, event: i32) -> Result<(), SimError> {
        let (handler, context) = self.adapter_call_target(a, |h| h.pnp_event)?;
        let built = self.with_model(|m, mem| {
            let size = size!(NET_DEVICE_PNP_EVENT);
            let at = mem.alloc(size + 8, 16)?;
            let header = Header {
                kind: ndis_sys::NDIS_OBJECT_TYPE_DEFAULT,
                revision: 1,
                size: ndis_sys::NDIS_SIZEOF_NET_DEVICE_PNP_EVENT_REVISION_1,
            };
            mem.write(at, &header.bytes()).ok()?;
            mem.write_u32(at + off!(NET_DEVICE_PNP_EVENT, DevicePnPEvent), event as u32).ok()?;
            if event == ndis_sys::NdisDevicePnPEventPowerProfileChanged {
                // A ULONG power profile (NdisPowerProfileAcOnLine = 1) right after the struct.
                mem.write_u32(at + size as u64, 1).ok()?;
                mem.write_u64(at + off!(NET_DEVICE_PNP_EVENT, InformationBuffer), at + size as u64).ok()?;
                mem.write_u32(at + off!(NET_DEVICE_PNP_EVENT, InformationBufferLength), 4).ok()?;
            }
            if event == ndis_sys::NdisDevicePnPEventSurpriseRemoved {
                m.note_surprise_removal(a.0);
            }
            Some(at)
        });
        let event = built.ok_or(SimError::Memory)?;
        self.invoke(MiniportCall::DevicePnPEvent { handler, context, event }, PASSIVE_LEVEL);
        self.settle();
        Ok(())
    }

    /// Calls MiniportShutdownEx (PASSIVE_LEVEL for NdisShutdownPowerOff, HIGH_LEVEL for
    /// NdisShutdownBugCheck).
    pub fn shutdown(&mut self, a: AdapterId, action: i32) -> Result<(), SimError> {
        let (handler, context) = self.adapter_call_target(a, |h| h.shutdown)?;
        let irql = if action == NdisShutdownBugCheck { HIGH_LEVEL } else { PASSIVE_LEVEL };
        self.invoke(MiniportCall::Shutdown { handler, context, action }, irql);
        if irql == PASSIVE_LEVEL {
            self.settle();
        }
        Ok(())
    }

    /// Halts an adapter the way NDIS does: pauses it if running, clears its filters and frees
    /// its queues (FREE_QUEUE OIDs), calls MiniportHaltEx at PASSIVE_LEVEL, then runs the
    /// halt-time checks.
    pub fn halt(&mut self, a: AdapterId, action: i32) -> Result<(), SimError> {
        self.halt_inner(a, action, true)
    }

    /// Halts an adapter like a misbehaving host would: MiniportHaltEx is called with the VM
    /// queues (and their shared memory) still allocated, so the miniport must free them itself.
    /// The halt-time leak checks apply all the same.
    pub fn halt_leaving_queues(&mut self, a: AdapterId, action: i32) -> Result<(), SimError> {
        self.halt_inner(a, action, false)
    }

    fn halt_inner(&mut self, a: AdapterId, action: i32, free_queues: bool) -> Result<(), SimError> {
        let (handler, context) = self.adapter_call_target(a, |h| h.halt)?;
        if self.phase(a) == Some(Phase::Running) {
            let _ = self.pause(a);
        }
        self.settle();
        if self.with_model(|m, _| m.adapter(a.0).is_some_and(|s| s.oid.current_request_id().is_some())) {
            self.with_model(|m, _| m.abandon_pending_oid(a.0, "when the adapter was halted"));
        }
        let filters: Vec<(u32, u32)> =
            self.with_model(|m, _| m.adapter(a.0).map(|s| s.filters.ids().collect()).unwrap_or_default());
        for (filter, queue) in filters {
            let _ = self.clear_filter(a, crate::model::payload::QueueId(queue), filter);
        }
        let queues: Vec<u32> =
            self.with_model(|m, _| m.adapter(a.0).map(|s| s.queues.keys().copied().collect()).unwrap_or_default());
        for queue in queues.into_iter().filter(|_| free_queues) {
            let _ = self.free_queue(a, crate::model::payload::QueueId(queue));
        }
        self.return_received(a);
        self.with_model(|m, _| m.phase_event(a.0, PhaseEvent::HaltCalled));
        self.invoke(MiniportCall::Halt { handler, context, action }, PASSIVE_LEVEL);
        self.with_model(|m, mem| m.finish_halt(mem, a.0));
        self.settle();
        Ok(())
    }

    /// Unloads the driver: halts the adapters still present (NdisHaltDeviceDisabled), calls the
    /// Unload handler at PASSIVE_LEVEL, then runs the unload-time checks.
    pub fn unload_driver(&mut self) -> Result<(), SimError> {
        let handlers = self.with_model(|m, _| m.handlers());
        let driver_object = self.with_model(|m, _| m.driver().map(|d| d.driver_object)).ok_or(SimError::NoDriver)?;
        for a in self.live_adapters() {
            let _ = self.halt(a, NdisHaltDeviceDisabled);
        }
        if let Some(h) = handlers.filter(|h| h.unload != 0) {
            self.invoke(MiniportCall::Unload { handler: h.unload, driver_object }, PASSIVE_LEVEL);
        }
        self.with_model(|m, mem| m.finish_unload(mem));
        Ok(())
    }

    /// The handler address (chosen by `pick`) and MiniportAdapterContext for a live adapter.
    pub(super) fn adapter_call_target(
        &mut self,
        a: AdapterId,
        pick: impl FnOnce(&crate::model::driver::Handlers) -> u64,
    ) -> Result<(u64, u64), SimError> {
        let handlers = self.with_model(|m, _| m.handlers()).ok_or(SimError::NoDriver)?;
        let context = self
            .with_model(|m, _| m.adapter(a.0).filter(|s| !s.phase.is_gone()).map(|s| s.context))
            .ok_or(SimError::UnknownAdapter(a))?;
        Ok((pick(&handlers), context))
    }
}
