//! The emulator's per-machine state (carried as unicorn's user data) and [`GuestMemory`], the
//! model's [`AddressSpace`] over guest memory.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use ndis_sim::model::Fault;
use ndis_sim::{AddressSpace, Model};
use unicorn_engine::{Prot, Unicorn};

use crate::error::EmuError;
use crate::layout::{HEAP_BASE, HEAP_CHUNK, STACK_BOTTOM, align_up};
use crate::stats::Stats;

/// One import stub: the symbol the driver imported and the routine that answers it.
#[derive(Clone, Debug)]
pub struct Stub {
    /// `dll!name`.
    pub symbol: String,
    /// The answering routine; `None` stops the run naming the import.
    pub handler: Option<Handler>,
    /// `__chkstk` runs mid-prologue and is exempt from the alignment check.
    pub chkstk: bool,
}

/// One driver routine running (calls nest: NDIS calls MiniportSetOptions from inside
/// NdisMRegisterMiniportDriver).
#[derive(Clone, Copy, Debug)]
pub struct CallFrame {
    /// The routine's documented name.
    pub name: &'static str,
    /// Instruction count when it was entered.
    pub start: u64,
    /// Instructions its nested calls executed.
    pub nested: u64,
    /// The caller's instruction limit, restored on return.
    pub caller_limit: u64,
}

/// The guest heap: a bump allocator over chunks mapped on demand. Blocks are never reused,
/// so every allocation is fresh, zeroed memory.
#[derive(Debug, Default)]
pub struct Heap {
    next: u64,
    mapped_end: u64,
    blocks: BTreeMap<u64, usize>,
}

/// Everything the emulated machine carries besides the CPU.
#[derive(Debug)]
pub struct EmuData {
    /// The simulated NDIS.
    pub model: Rc<RefCell<Model>>,
    /// The guest heap.
    pub heap: Heap,
    /// Import stubs by slot.
    pub stubs: Vec<Stub>,
    /// Counters.
    pub stats: Stats,
    /// Driver routines running, innermost last.
    pub frames: Vec<CallFrame>,
    /// Instruction count at which the innermost call is stopped.
    pub limit: u64,
    /// Instructions each call may execute.
    pub budget: u64,
    /// Every stop, oldest first; the machine is dead once this is non-empty.
    pub errors: Vec<EmuError>,
    /// The last unmapped access the memory hook saw: (address, rip).
    pub last_fault: Option<(u64, u64)>,
    /// DbgPrint output.
    pub debug_log: Vec<String>,
    /// Echo DbgPrint output to stderr.
    pub echo_debug: bool,
    /// One past the highest stack address.
    pub stack_top: u64,
    /// Guest calls started from inside an import handler so far.
    pub nested_calls: u64,
    /// Whether instructions are counted (and the budget enforced).
    pub counting: bool,
}

impl EmuData {
    /// Fresh state over `model`.
    pub fn new(model: Model, stubs: Vec<Stub>, budget: u64, stack_size: u64) -> Self {
        let imports = stubs.len();
        Self {
            model: Rc::new(RefCell::new(model)),
            heap: Heap { next: HEAP_BASE, mapped_end: HEAP_BASE, blocks: BTreeMap::new() },
            stubs,
            stats: Stats::new(imports),
            frames: Vec::new(),
            limit: u64::MAX,
            budget,
            errors: Vec::new(),
            last_fault: None,
            debug_log: Vec::new(),
            echo_debug: std::env::var_os("SYS_EMU_DEBUG").is_some(),
            stack_top: STACK_BOTTOM + stack_size,
            nested_calls: 0,
            counting: true,
        }
    }

    /// Whether a stop happened (no more guest code runs).
    pub fn dead(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// The model's view of guest memory: reads and writes go to the emulator's memory (a fault
/// when unmapped); allocations come from the guest heap.
pub struct GuestMemory<'u, 'a> {
    /// The CPU whose memory this is.
    pub uc: &'u mut Unicorn<'a, EmuData>,
}

impl AddressSpace for GuestMemory<'_, '_> {
    fn read(&self, addr: u64, out: &mut [u8]) -> Result<(), Fault> {
        if out.is_empty() {
            return Ok(());
        }
        self.uc.mem_read(addr, out).map_err(|_| Fault { addr, len: out.len(), write: false })
    }

    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), Fault> {
        if data.is_empty() {
            return Ok(());
        }
        self.uc.mem_write(addr, data).map_err(|_| Fault { addr, len: data.len(), write: true })
    }

    fn alloc(&mut self, len: usize, align: usize) -> Option<u64> {
        let align = u64::try_from(align.max(16)).ok()?;
        let heap = &mut self.uc.get_data_mut().heap;
        let start = align_up(heap.next, align);
        let end = start.checked_add(u64::try_from(len.max(1)).ok()?)?;
        heap.next = align_up(end, 16);
        let mapped_end = heap.mapped_end;
        heap.blocks.insert(start, len);
        if end > mapped_end {
            let grow = align_up(end - mapped_end, HEAP_CHUNK);
            self.uc.mem_map(mapped_end, grow, Prot::READ | Prot::WRITE).ok()?;
            self.uc.get_data_mut().heap.mapped_end = mapped_end + grow;
        }
        Some(start)
    }

    fn free(&mut self, addr: u64) {
        self.uc.get_data_mut().heap.blocks.remove(&addr);
    }
}

/// Runs `f` on the model and guest memory. Panics (as `RefCell` does) if the model is already
/// borrowed, which the [`ndis_sim::Env`] contract rules out.
pub fn with_model<R>(uc: &mut Unicorn<'_, EmuData>, f: impl FnOnce(&mut Model, &mut dyn AddressSpace) -> R) -> R {
    let model = Rc::clone(&uc.get_data().model);
    let mut model = model.borrow_mut();
    let mut mem = GuestMemory { uc };
    f(&mut model, &mut mem)
}

/// Records a stop: the machine is dead from now on, the model gets a violation naming it, and
/// the current emulation is asked to stop.
pub fn stop(uc: &mut Unicorn<'_, EmuData>, error: EmuError) {
    let model = Rc::clone(&uc.get_data().model);
    if let Ok(mut m) = model.try_borrow_mut() {
        m.violate(error.rule(), error.to_string());
    }
    uc.get_data_mut().errors.push(error);
    let _ = uc.emu_stop();
}

/// The first six arguments of an import call (rcx, rdx, r8, r9, then the stack) and rsp at
/// the stub (pointing at the return address).
#[derive(Clone, Copy, Debug)]
pub struct Args {
    /// Arguments 0..6, each a full 64-bit slot.
    pub v: [u64; 6],
    /// rsp at the stub.
    pub rsp: u64,
}

impl Args {
    /// Argument `i` as a 32-bit value (the callee only reads the low half).
    pub fn u32(&self, i: usize) -> u32 {
        self.v[i] as u32
    }

    /// Argument `i` as a signed 32-bit value (NDIS_STATUS, enums).
    pub fn i32(&self, i: usize) -> i32 {
        self.v[i] as u32 as i32
    }

    /// Argument `i` of a variadic call (any index).
    pub fn nth(&self, uc: &Unicorn<'_, EmuData>, i: usize) -> u64 {
        match self.v.get(i) {
            Some(v) if i < 4 => *v,
            _ => read_u64(uc, self.rsp + 0x28 + 8 * (i as u64 - 4)),
        }
    }
}

/// What a handler leaves in rax.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ret {
    /// This value (`VOID` routines return 0).
    Value(u64),
    /// rax unchanged (`__chkstk`).
    Keep,
}

impl Ret {
    /// An NTSTATUS / NDIS_STATUS in rax.
    pub fn status(status: i32) -> Self {
        Self::Value(u64::from(status as u32))
    }
}

/// An import handler.
pub type Handler = for<'u, 'a> fn(&'u mut Unicorn<'a, EmuData>, &Args) -> Ret;

/// Reads a guest u64 (0 when unmapped).
pub fn read_u64(uc: &Unicorn<'_, EmuData>, addr: u64) -> u64 {
    let mut b = [0u8; 8];
    uc.mem_read(addr, &mut b).map_or(0, |()| u64::from_le_bytes(b))
}
