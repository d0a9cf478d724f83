//! [`Sim`]: the host actions that call into the driver (load, add adapter, OIDs, pause, halt,
//! send, work items), written once over any [`Env`] so host tests and an emulator share them.
//!
//! Every driver call goes through [`Sim::invoke`], which sets the documented IRQL, checks the
//! IRQL and spin locks on return, and never holds a model borrow while the driver runs.

mod datapath;
mod inspect;
mod interrupts;
mod lifecycle;
mod link;
mod mandatory;
mod power;
mod requests;
mod transmit;
mod vmq;

use std::fmt;

use ndis_sys::NDIS_STATUS_SUCCESS;

use crate::model::Model;
use crate::model::calls::{Env, MiniportCall};
use crate::model::config::PASSIVE_LEVEL;
use crate::model::frames::FrameError;
use crate::model::memory::AddressSpace;

pub use datapath::SendResult;
pub use interrupts::Delivery;
pub use transmit::TransmitCheck;

/// Upper bound of work items run in one go (a work item that re-queues itself forever stops here).
const MAX_WORK_ITEMS_PER_RUN: usize = 10_000;

/// An adapter of the simulated host (wraps its MiniportAdapterHandle).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AdapterId(pub u64);

impl fmt::Display for AdapterId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "adapter {:#x}", self.0)
    }
}

/// Why a host action could not be carried out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimError {
    /// A driver is already loaded.
    AlreadyLoaded,
    /// No driver is loaded, or it never registered with NdisMRegisterMiniportDriver.
    NoDriver,
    /// DriverEntry returned this failure NTSTATUS.
    DriverEntryFailed(i32),
    /// MiniportInitializeEx returned this failure status.
    InitializeFailed(i32),
    /// MiniportRestart failed with this status.
    RestartFailed(i32),
    /// The adapter is unknown or halted.
    UnknownAdapter(AdapterId),
    /// The adapter is not in a state that allows the action.
    InvalidState(AdapterId, &'static str),
    /// A pended pause or restart never completed (a violation was recorded).
    NeverCompleted(AdapterId),
    /// The simulated address space ran out of memory or faulted.
    Memory,
    /// A frame given to `send_frames` cannot be built.
    InvalidFrame(FrameError),
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AlreadyLoaded => write!(f, "a driver is already loaded"),
            Self::NoDriver => write!(f, "no registered miniport driver"),
            Self::DriverEntryFailed(s) => write!(f, "DriverEntry failed with {s:#x}"),
            Self::InitializeFailed(s) => write!(f, "MiniportInitializeEx failed with {s:#x}"),
            Self::RestartFailed(s) => write!(f, "MiniportRestart failed with {s:#x}"),
            Self::UnknownAdapter(a) => write!(f, "{a} is unknown or halted"),
            Self::InvalidState(a, why) => write!(f, "{a}: {why}"),
            Self::NeverCompleted(a) => write!(f, "{a}: a pended pause/restart never completed"),
            Self::Memory => write!(f, "simulated memory exhausted"),
            Self::InvalidFrame(e) => write!(f, "invalid frame: {e}"),
        }
    }
}

impl std::error::Error for SimError {}

/// The simulated NDIS, driving the driver through an [`Env`].
#[derive(Debug)]
pub struct Sim<E: Env> {
    env: E,
}

impl<E: Env> Sim<E> {
    /// Wraps an environment.
    pub fn new(env: E) -> Self {
        Self { env }
    }

    /// The environment.
    pub fn env(&mut self) -> &mut E {
        &mut self.env
    }

    /// Runs `f` on the model and its memory (no driver call may happen inside).
    pub fn with_model<R>(&mut self, f: impl FnOnce(&mut Model, &mut dyn AddressSpace) -> R) -> R {
        self.env.with_model(f)
    }

    /// Calls the driver at `irql`: IRQL and spin-lock checks around the call, no model borrow
    /// held during it. Returns the raw return value.
    pub fn invoke(&mut self, call: MiniportCall, irql: u8) -> u64 {
        let name = call.name();
        self.env.with_model(|m, _| m.enter_handler(name, irql));
        let r = self.env.call_driver(call);
        self.env.with_model(|m, _| m.leave_handler());
        if self.env.with_model(|m, _| m.take_armed_delivery()) {
            // A ring tail written during the call: deliver what the device signalled now that it
            // returned. A device failure is recorded as a `pci.device-failed` violation.
            let _ = self.deliver_interrupts();
        }
        // DPCs the call queued (a software NIC's receive DPCs) run once the outermost driver
        // call has returned, before the host action goes on: a send's frames are indicated
        // before the send returns to the host.
        if self
            .env
            .with_model(|m, _| m.handler_depth() == 0 && m.has_queued_kernel_dpc() && !m.config().hold_kernel_dpcs)
        {
            self.run_kernel_dpcs();
        }
        r
    }

    /// Like [`Sim::invoke`], returning the low 32 bits as an NDIS_STATUS / NTSTATUS.
    fn invoke_status(&mut self, call: MiniportCall, irql: u8) -> i32 {
        self.invoke(call, irql) as u32 as i32
    }

    /// Runs one queued work item at PASSIVE_LEVEL; `false` if none was queued.
    pub fn run_one_work_item(&mut self) -> bool {
        let Some((item, routine, context)) = self.env.with_model(|m, _| m.next_work_item()) else {
            return false;
        };
        self.invoke(MiniportCall::WorkItem { routine, context, item }, PASSIVE_LEVEL);
        true
    }

    /// Runs queued work items (FIFO, including ones queued meanwhile) until none is left.
    /// Returns how many ran.
    pub fn run_work_items(&mut self) -> usize {
        let mut n = 0;
        while n < MAX_WORK_ITEMS_PER_RUN && self.run_one_work_item() {
            n += 1;
        }
        n
    }

    /// Runs work items one by one until `done` holds or none is left; returns `done`'s last value.
    fn run_work_items_until(&mut self, mut done: impl FnMut(&mut Self) -> bool) -> bool {
        for _ in 0..MAX_WORK_ITEMS_PER_RUN {
            if done(self) {
                return true;
            }
            if !self.run_one_work_item() {
                return done(self);
            }
        }
        done(self)
    }

    /// The deterministic point after each host action: runs work items and returns received
    /// NBLs NDIS owns (unless the host holds them), until nothing is left to do.
    pub fn settle(&mut self) {
        for _ in 0..MAX_WORK_ITEMS_PER_RUN {
            self.run_work_items();
            let hold = self.env.with_model(|m, _| m.config().hold_received);
            let mut returned = false;
            if !hold {
                for a in self.live_adapters() {
                    returned |= self.return_received(a) > 0;
                }
            }
            let more = self.env.with_model(|m, _| m.has_queued_work());
            if !returned && !more {
                break;
            }
        }
    }

    /// `NdisMRegisterMiniportDriver`, including the MiniportSetOptions call NDIS makes inside it.
    pub fn register_miniport_driver(
        &mut self,
        driver_object: u64,
        context: u64,
        characteristics: u64,
        out: u64,
    ) -> i32 {
        let status =
            self.env.with_model(|m, mem| m.register_miniport_driver(mem, driver_object, context, characteristics, out));
        if status != NDIS_STATUS_SUCCESS {
            return status;
        }
        let driver = self.env.with_model(|m, _| m.driver().and_then(|d| d.handle.zip(d.characteristics)));
        let Some((handle, chars)) = driver else {
            return status;
        };
        if chars.handlers.set_options == 0 {
            return status;
        }
        let call = MiniportCall::SetOptions {
            handler: chars.handlers.set_options,
            driver_handle: handle,
            driver_context: context,
        };
        let options = self.invoke_status(call, PASSIVE_LEVEL);
        if options != NDIS_STATUS_SUCCESS {
            // NDIS fails the registration when MiniportSetOptions fails.
            self.env.with_model(|m, _| m.deregister_miniport_driver(handle));
        }
        options
    }
}
