//! Import stubs: every IAT entry points at a stub whose code hook reads the arguments, checks
//! the stack alignment, runs the handler and sets rax; the stub's `ret` returns. A handler that
//! called back into the driver performs the `ret` in the hook instead, which is what lets the
//! interrupted routine resume after the nested run.

mod abi;
mod ndis;
mod ntos;
mod table;

use std::rc::Rc;

use ndis_sim::{AddressSpace, Env, MiniportCall, Model};
use unicorn_engine::{RegisterX86 as R, Unicorn};

use crate::cpu::call_guest;
use crate::error::EmuError;
use crate::layout::{STUB_BASE, STUB_SIZE};
pub use crate::machine::{Args, Handler, Ret, read_u64};
use crate::machine::{EmuData, GuestMemory, Stub, stop, with_model};

/// The handler for `name` (a routine of ndis.sys, ntoskrnl.exe or hal.dll), if implemented:
/// every row of the import table, and the few extras of `ntos.rs`.
pub fn handler(name: &str) -> Option<Handler> {
    table::handler(name).or_else(|| ntos::extra_handler(name))
}

/// Runs `f` on the model and guest memory, or returns `default` if the model is busy.
pub fn model<R>(
    uc: &mut Unicorn<'_, EmuData>,
    api: &str,
    default: R,
    f: impl FnOnce(&mut Model, &mut dyn AddressSpace) -> R,
) -> R {
    let model = Rc::clone(&uc.get_data().model);
    let Ok(mut m) = model.try_borrow_mut() else {
        eprintln!("sys-emu: {api} called while the model was busy");
        return default;
    };
    m.check_call_from_isr(api);
    let mut mem = GuestMemory { uc };
    f(&mut m, &mut mem)
}

/// The code hook of the stub region.
pub fn on_stub(uc: &mut Unicorn<'_, EmuData>, addr: u64) {
    let slot = ((addr - STUB_BASE) / STUB_SIZE) as usize;
    let Some(&Stub { handler, chkstk, .. }) = uc.get_data().stubs.get(slot) else {
        return;
    };
    let symbol =
        |uc: &Unicorn<'_, EmuData>| uc.get_data().stubs.get(slot).map(|s| s.symbol.clone()).unwrap_or_default();
    let d = uc.get_data_mut();
    d.stats.import_calls += 1;
    if let Some(n) = d.stats.import_slots.get_mut(slot) {
        *n += 1;
    }
    let rsp = uc.reg_read(R::RSP).unwrap_or(0);
    if !chkstk && rsp % 16 != 8 {
        stop(uc, EmuError::StackAlignment { import: symbol(uc), rsp });
        return;
    }
    let Some(handler) = handler else {
        stop(uc, EmuError::UnknownImport(symbol(uc)));
        return;
    };
    let mut v = [0u64; 6];
    for (value, reg) in v.iter_mut().zip([R::RCX, R::RDX, R::R8, R::R9]) {
        *value = uc.reg_read(reg).unwrap_or(0);
    }
    v[4] = read_u64(uc, rsp + 0x28);
    v[5] = read_u64(uc, rsp + 0x30);
    let nested_before = uc.get_data().nested_calls;
    let ret = handler(uc, &Args { v, rsp });
    if uc.get_data().dead() {
        let _ = uc.emu_stop();
        return;
    }
    if let Ret::Value(value) = ret {
        let _ = uc.reg_write(R::RAX, value);
    }
    if uc.get_data().nested_calls != nested_before {
        // The handler ran guest code: perform the stub's `ret` here, so the interrupted
        // routine resumes at its return address whatever the translation state.
        let return_address = read_u64(uc, rsp);
        let _ = uc.reg_write(R::RSP, rsp + 8);
        let _ = uc.set_pc(return_address);
    }
    // Otherwise the stub's own `ret` runs next (cheaper than redirecting rip from a hook,
    // which makes unicorn leave and re-enter its translation loop).
}

/// [`Env`] over a borrowed CPU: what an import handler (or the host) hands to
/// [`ndis_sim::Sim`] so NDIS actions that call the driver run nested guest code.
pub struct Cpu<'u, 'a> {
    /// The CPU.
    pub uc: &'u mut Unicorn<'a, EmuData>,
}

impl Env for Cpu<'_, '_> {
    fn with_model<T>(&mut self, f: impl FnOnce(&mut Model, &mut dyn AddressSpace) -> T) -> T {
        with_model(self.uc, f)
    }

    fn call_driver(&mut self, call: MiniportCall) -> u64 {
        let (routine, args) = call.args();
        if routine == 0 {
            eprintln!("sys-emu: {} has no handler (NULL); not called", call.name());
            return 0;
        }
        call_guest(self.uc, call.name(), routine, &args)
    }
}
