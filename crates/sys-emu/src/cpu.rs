//! The CPU: maps the image, stubs, stack and KPCR into unicorn, installs the hooks (instruction
//! counting and budget, import stubs, inline CR8 accesses, faults), and calls guest routines —
//! nested calls included, on the one kernel stack.

use std::rc::Rc;
use std::time::Instant;

use unicorn_engine::{Arch, HookType, MemType, Mode, Prot, RegisterX86 as R, TlbType, Unicorn};

use crate::error::{EmuError, LoadError};
use crate::image::{Cr8Site, Image};
use crate::layout::{
    IMAGE_BASE, KPCR, KPCR_CURRENT_THREAD, KPCR_PRCB, KPCR_PRCB_POINTER, KPCR_SELF, KPCR_SIZE, STACK_BOTTOM,
    STACK_PAINT, STUB_BASE, STUB_SIZE, THREAD, align_up,
};
use crate::machine::{CallFrame, EmuData, stop};

/// `STATUS_UNSUCCESSFUL`, returned for calls into a dead machine.
pub const STATUS_UNSUCCESSFUL: u64 = 0xC000_0001;

/// The registers saved around a nested call (the interrupted routine resumes with them).
const SAVED: [R; 18] = [
    R::RAX,
    R::RBX,
    R::RCX,
    R::RDX,
    R::RSI,
    R::RDI,
    R::RBP,
    R::RSP,
    R::R8,
    R::R9,
    R::R10,
    R::R11,
    R::R12,
    R::R13,
    R::R14,
    R::R15,
    R::RIP,
    R::EFLAGS,
];

/// The 64-bit general registers by encoding number.
const GPR: [R; 16] = [
    R::RAX,
    R::RCX,
    R::RDX,
    R::RBX,
    R::RSP,
    R::RBP,
    R::RSI,
    R::RDI,
    R::R8,
    R::R9,
    R::R10,
    R::R11,
    R::R12,
    R::R13,
    R::R14,
    R::R15,
];

/// What runs when the guest reaches an import stub (the import dispatcher, passed in by the
/// host so this module never names the layer above it).
pub type StubHook = for<'u, 'a> fn(&'u mut Unicorn<'a, EmuData>, u64);

fn cpu_err(e: unicorn_engine::uc_error) -> LoadError {
    LoadError::Cpu(format!("{e:?}"))
}

/// The return sentinel: the address every guest call returns to (one slot past the stubs).
pub fn sentinel(uc: &Unicorn<'_, EmuData>) -> u64 {
    STUB_BASE + STUB_SIZE * uc.get_data().stubs.len() as u64
}

/// Builds the CPU for `image`: maps and relocates it, fills its IAT with stub addresses, maps
/// the stack (guard page below stays unmapped) and the KPCR, and installs every hook.
pub fn build(image: &Image, data: EmuData, on_stub: StubHook) -> Result<Unicorn<'static, EmuData>, LoadError> {
    let mut uc = Unicorn::new_with_data(Arch::X86, Mode::MODE_64, data).map_err(cpu_err)?;
    // Kernel addresses need the virtual TLB (the default mode truncates to 52 bits).
    uc.ctl_set_tlb_type(TlbType::VIRTUAL).map_err(cpu_err)?;

    let mut bytes = image.relocated(IMAGE_BASE)?;
    for (slot, import) in image.imports.iter().enumerate() {
        let at = import.iat_rva as usize;
        let stub = STUB_BASE + STUB_SIZE * slot as u64;
        let entry = bytes.get_mut(at..at + 8).ok_or_else(|| LoadError::Image("IAT outside the image".into()))?;
        entry.copy_from_slice(&stub.to_le_bytes());
    }
    let image_size = align_up(image.size, 0x1000);
    bytes.resize(image_size as usize, 0);
    uc.mem_map(IMAGE_BASE, image_size, Prot::ALL).map_err(cpu_err)?;
    uc.mem_write(IMAGE_BASE, &bytes).map_err(cpu_err)?;

    // Stubs: each a `ret` (the hook answers before it runs), then `int3` filler; the slot
    // after the last is the return sentinel.
    let stubs_len = align_up(STUB_SIZE * (image.imports.len() as u64 + 1), 0x1000);
    uc.mem_map(STUB_BASE, stubs_len, Prot::READ | Prot::EXEC).map_err(cpu_err)?;
    let mut stubs = vec![0xCC; stubs_len as usize];
    for slot in 0..image.imports.len() {
        stubs[slot * STUB_SIZE as usize] = 0xC3;
    }
    uc.mem_write(STUB_BASE, &stubs).map_err(cpu_err)?;

    let stack_size = align_up(uc.get_data().stack_top - STACK_BOTTOM, 0x1000);
    uc.mem_map(STACK_BOTTOM, stack_size, Prot::READ | Prot::WRITE).map_err(cpu_err)?;
    uc.mem_write(STACK_BOTTOM, &vec![STACK_PAINT; stack_size as usize]).map_err(cpu_err)?;
    uc.mem_map(KPCR, KPCR_SIZE, Prot::READ | Prot::WRITE).map_err(cpu_err)?;
    uc.mem_write(KPCR + KPCR_SELF, &KPCR.to_le_bytes()).map_err(cpu_err)?;
    uc.mem_write(KPCR + KPCR_PRCB_POINTER, &(KPCR + KPCR_PRCB).to_le_bytes()).map_err(cpu_err)?;
    uc.mem_write(KPCR + KPCR_CURRENT_THREAD, &THREAD.to_le_bytes()).map_err(cpu_err)?;
    uc.reg_write(R::GS_BASE, KPCR).map_err(cpu_err)?;

    // Every instruction of the image: count it and enforce the budget (about a quarter of the
    // emulation time; `EmuOptions::count_instructions` turns it off).
    if uc.get_data().counting {
        uc.add_code_hook(IMAGE_BASE, IMAGE_BASE + image_size - 1, |uc, addr, _| {
            let d = uc.get_data_mut();
            d.stats.instructions += 1;
            if d.stats.instructions > d.limit {
                let call = d.frames.last().map_or("?", |f| f.name);
                stop(uc, EmuError::Budget { call, rip: addr });
            }
        })
        .map_err(cpu_err)?;
    }
    if !image.imports.is_empty() {
        let end = STUB_BASE + STUB_SIZE * image.imports.len() as u64 - 1;
        uc.add_code_hook(STUB_BASE, end, move |uc, addr, _| on_stub(uc, addr)).map_err(cpu_err)?;
    }
    for site in &image.cr8_sites {
        let site = *site;
        let at = IMAGE_BASE + u64::from(site.rva);
        uc.add_code_hook(at, at, move |uc, addr, _| on_cr8(uc, addr, site)).map_err(cpu_err)?;
    }
    let faults = HookType::MEM_READ_UNMAPPED
        | HookType::MEM_WRITE_UNMAPPED
        | HookType::MEM_FETCH_UNMAPPED
        | HookType::MEM_READ_PROT
        | HookType::MEM_WRITE_PROT
        | HookType::MEM_FETCH_PROT;
    uc.add_mem_hook(faults, 1, 0, |uc, _kind: MemType, addr, _size, _value| {
        let rip = uc.reg_read(R::RIP).unwrap_or(0);
        uc.get_data_mut().last_fault = Some((addr, rip));
        false
    })
    .map_err(cpu_err)?;
    Ok(uc)
}

/// Emulates an inline `mov reg, cr8` / `mov cr8, reg` against the model's IRQL and skips it
/// (unicorn reads CR8 as 0 and ignores writes).
fn on_cr8(uc: &mut Unicorn<'_, EmuData>, addr: u64, site: Cr8Site) {
    let model = Rc::clone(&uc.get_data().model);
    let reg = GPR[usize::from(site.reg & 15)];
    if site.write {
        let value = uc.reg_read(reg).unwrap_or(0);
        model.borrow_mut().set_irql((value & 0xF) as u8);
    } else {
        let irql = model.borrow().irql();
        let _ = uc.reg_write(reg, u64::from(irql));
    }
    let _ = uc.set_pc(addr + 4);
}

/// Calls the guest routine at `routine` with `args` (Windows x64: rcx, rdx, r8, r9, then the
/// stack above 32 bytes of home space) and returns rax. Works at top level and nested inside
/// an import handler (the interrupted routine's registers are saved and restored, and the
/// nested frame goes below its stack pointer).
pub fn call_guest(uc: &mut Unicorn<'_, EmuData>, name: &'static str, routine: u64, args: &[u64]) -> u64 {
    if uc.get_data().dead() {
        return STATUS_UNSUCCESSFUL;
    }
    let nested = !uc.get_data().frames.is_empty();
    if nested {
        uc.get_data_mut().nested_calls += 1;
    }
    let saved: Vec<u64> = if nested { SAVED.iter().map(|r| uc.reg_read(*r).unwrap_or(0)).collect() } else { vec![] };
    let top = uc.get_data().stack_top;
    let base = if nested { (uc.reg_read(R::RSP).unwrap_or(top) - 0x80) & !15 } else { top - 0x40 };
    let stack_args = args.len().saturating_sub(4) as u64;
    let frame = align_up(0x20 + 8 * stack_args, 16);
    let entry_rsp = base - frame - 8;
    let sentinel = sentinel(uc);
    let mut ok = uc.mem_write(entry_rsp, &sentinel.to_le_bytes()).is_ok();
    for (i, arg) in args.iter().enumerate().skip(4) {
        ok &= uc.mem_write(entry_rsp + 0x28 + 8 * (i as u64 - 4), &arg.to_le_bytes()).is_ok();
    }
    for (reg, value) in [R::RCX, R::RDX, R::R8, R::R9].into_iter().zip(args.iter().copied().chain([0; 4])) {
        ok &= uc.reg_write(reg, value).is_ok();
    }
    ok &= uc.reg_write(R::RSP, entry_rsp).is_ok();
    if !ok {
        stop(uc, EmuError::StackOverflow { addr: entry_rsp, rip: routine });
        return STATUS_UNSUCCESSFUL;
    }

    let d = uc.get_data_mut();
    let start = d.stats.instructions;
    d.frames.push(CallFrame { name, start, nested: 0, caller_limit: d.limit });
    d.limit = start.saturating_add(d.budget);
    let began = Instant::now();
    let result = uc.emu_start(routine, sentinel, 0, 0);
    let elapsed = began.elapsed();
    let rax = uc.reg_read(R::RAX).unwrap_or(0);
    let rip = uc.reg_read(R::RIP).unwrap_or(0);

    let d = uc.get_data_mut();
    if let Some(frame) = d.frames.pop() {
        let total = d.stats.instructions - frame.start;
        let count = d.stats.by_call.entry(name).or_default();
        count.calls += 1;
        count.instructions += total - frame.nested;
        d.limit = frame.caller_limit;
        if let Some(parent) = d.frames.last_mut() {
            parent.nested += total;
        }
    }
    if !nested {
        d.stats.emulated_time += elapsed;
    }
    if let Err(e) = result
        && !uc.get_data().dead()
    {
        let (addr, at) = uc.get_data().last_fault.unwrap_or((0, rip));
        let error = if (STACK_BOTTOM - 0x1000..STACK_BOTTOM).contains(&addr) {
            EmuError::StackOverflow { addr, rip: at }
        } else {
            EmuError::Fault { reason: format!("{e:?}"), addr, rip: at }
        };
        stop(uc, error);
    }
    let dead = uc.get_data().dead();
    if nested {
        for (reg, value) in SAVED.iter().zip(saved) {
            let _ = uc.reg_write(*reg, value);
        }
        if dead {
            // Unwind the interrupted run too.
            let _ = uc.emu_stop();
        }
    }
    if dead { STATUS_UNSUCCESSFUL } else { rax }
}

/// The deepest the stack has been (bytes below its top ever written), from the paint.
pub fn stack_peak(uc: &Unicorn<'_, EmuData>) -> u64 {
    let top = uc.get_data().stack_top;
    let mut stack = vec![0u8; (top - STACK_BOTTOM) as usize];
    if uc.mem_read(STACK_BOTTOM, &mut stack).is_err() {
        return 0;
    }
    let untouched = stack.iter().position(|b| *b != STACK_PAINT).unwrap_or(stack.len());
    top - STACK_BOTTOM - untouched as u64
}
