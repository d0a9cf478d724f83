//! [`EmuHost`]: a simulated Windows host whose driver is the real `vmqnic.sys` running under
//! the emulator — the counterpart of [`ndis_sim::Host`], dereferencing to the same
//! [`Sim`] so every host action (`add_adapter`, `oid_*`, `allocate_queue`, `send_frames`,
//! `halt`, `report`, `take_violations`, ...) is available unchanged.

use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut};
use std::path::Path;

use ndis_sim::{AddressSpace, Env, HostConfig, MiniportCall, Model, Sim, SimError};
use unicorn_engine::Unicorn;

use crate::cpu;
use crate::error::{EmuError, LoadError};
use crate::image::Image;
use crate::imports::{self, Cpu};
use crate::layout::{DEFAULT_STACK_SIZE, IMAGE_BASE};
use crate::machine::{EmuData, Stub};
use crate::stats::Stats;

/// Instructions one driver call may execute before the run is stopped.
pub const DEFAULT_BUDGET: u64 = 50_000_000;

/// Machine settings of an emulated host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmuOptions {
    /// Kernel stack bytes (default 24 KiB, as x64 Windows); a deeper stack faults on the
    /// guard page or fails the `__chkstk` probe.
    pub stack_size: u64,
    /// Instructions one driver call may execute (default [`DEFAULT_BUDGET`]).
    pub budget: u64,
    /// Count every instruction (default). Off, the run is about a quarter faster but has no
    /// instruction counts and no budget.
    pub count_instructions: bool,
}

impl Default for EmuOptions {
    fn default() -> Self {
        Self { stack_size: DEFAULT_STACK_SIZE, budget: DEFAULT_BUDGET, count_instructions: true }
    }
}

/// The [`Env`] of an emulated host: owns the CPU (and through it the model and guest memory).
#[derive(Debug)]
pub struct EmuEnv {
    pub(crate) uc: Unicorn<'static, EmuData>,
}

impl EmuEnv {
    /// The CPU.
    pub fn cpu(&mut self) -> Cpu<'_, 'static> {
        Cpu { uc: &mut self.uc }
    }

    fn data(&self) -> &EmuData {
        self.uc.get_data()
    }

    fn data_mut(&mut self) -> &mut EmuData {
        self.uc.get_data_mut()
    }
}

impl Env for EmuEnv {
    fn with_model<R>(&mut self, f: impl FnOnce(&mut Model, &mut dyn AddressSpace) -> R) -> R {
        self.cpu().with_model(f)
    }

    fn call_driver(&mut self, call: MiniportCall) -> u64 {
        self.cpu().call_driver(call)
    }
}

/// One emulated host running a PE driver image.
#[derive(Debug)]
pub struct EmuHost {
    sim: Sim<EmuEnv>,
    entry: u64,
    symbols: Vec<String>,
    missing: Vec<String>,
}

impl EmuHost {
    /// Loads the image at `path` (mapped at a kernel address, relocated, imports bound to
    /// stubs) into a fresh host with `config`. DriverEntry is not called yet.
    pub fn load(path: impl AsRef<Path>, config: HostConfig) -> Result<Self, LoadError> {
        Self::load_with(path, config, EmuOptions::default())
    }

    /// Like [`EmuHost::load`], with machine settings.
    pub fn load_with(path: impl AsRef<Path>, config: HostConfig, options: EmuOptions) -> Result<Self, LoadError> {
        let data =
            std::fs::read(path.as_ref()).map_err(|e| LoadError::Io(format!("{}: {e}", path.as_ref().display())))?;
        Self::from_bytes(&data, config, options)
    }

    /// Like [`EmuHost::load_with`], from the image's bytes.
    pub fn from_bytes(data: &[u8], config: HostConfig, options: EmuOptions) -> Result<Self, LoadError> {
        Self::from_image(&Image::parse(data)?, config, options)
    }

    /// Like [`EmuHost::load_with`], from a parsed (or hand-built) image.
    pub fn from_image(image: &Image, config: HostConfig, options: EmuOptions) -> Result<Self, LoadError> {
        let stubs: Vec<Stub> = image
            .imports
            .iter()
            .map(|i| Stub {
                symbol: i.symbol.clone(),
                handler: imports::handler(&i.name),
                chkstk: i.name == "__chkstk",
            })
            .collect();
        let symbols = stubs.iter().map(|s| s.symbol.clone()).collect();
        let missing = stubs.iter().filter(|s| s.handler.is_none()).map(|s| s.symbol.clone()).collect();
        let mut data = EmuData::new(Model::new(config), stubs, options.budget, options.stack_size);
        data.counting = options.count_instructions;
        let uc = cpu::build(image, data, imports::on_stub)?;
        Ok(Self { sim: Sim::new(EmuEnv { uc }), entry: IMAGE_BASE + u64::from(image.entry_rva), symbols, missing })
    }

    /// Calls the image's entry point (DriverEntry) at PASSIVE_LEVEL with a fake DRIVER_OBJECT
    /// and registry path.
    pub fn load_driver(&mut self) -> Result<(), SimError> {
        let entry = self.entry;
        self.sim.load_driver_at(entry)
    }

    /// The guest address of DriverEntry.
    pub fn entry_point(&self) -> u64 {
        self.entry
    }

    /// Imports (`dll!name`) the emulator does not implement; calling one stops the run.
    pub fn unimplemented_imports(&self) -> &[String] {
        &self.missing
    }

    /// Instructions one driver call may execute (default [`DEFAULT_BUDGET`]).
    pub fn set_instruction_budget(&mut self, budget: u64) {
        self.sim.env().data_mut().budget = budget;
    }

    /// The deepest the kernel stack has been so far, in bytes (from the stack paint).
    pub fn stack_peak(&mut self) -> u64 {
        cpu::stack_peak(&self.sim.env().uc)
    }

    /// The counters so far.
    pub fn stats(&mut self) -> Stats {
        self.sim.env().data().stats.clone()
    }

    /// Import calls by symbol so far.
    pub fn import_calls(&mut self) -> BTreeMap<String, u64> {
        let stats = self.stats();
        stats.imports(self.symbols.iter().map(String::as_str))
    }

    /// What stopped the run (empty while the machine is alive).
    pub fn errors(&mut self) -> Vec<EmuError> {
        self.sim.env().data().errors.clone()
    }

    /// DbgPrint output so far (also echoed to stderr when `SYS_EMU_DEBUG` is set).
    pub fn debug_output(&mut self) -> Vec<String> {
        self.sim.env().data().debug_log.clone()
    }
}

impl Deref for EmuHost {
    type Target = Sim<EmuEnv>;

    fn deref(&self) -> &Self::Target {
        &self.sim
    }
}

impl DerefMut for EmuHost {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.sim
    }
}

impl Drop for EmuHost {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let left = self.sim.take_violations();
        if !left.is_empty() {
            let list: Vec<String> = left.iter().map(|v| format!("  {v}")).collect();
            #[allow(
                clippy::panic,
                reason = "strictness, as ndis_sim::Host: a violation nobody took must fail the test"
            )]
            {
                panic!(
                    "sys-emu: {} NDIS rule violation(s) not taken with take_violations():\n{}",
                    left.len(),
                    list.join("\n")
                );
            }
        }
    }
}
