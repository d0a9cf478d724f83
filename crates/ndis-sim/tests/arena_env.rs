//! The model without host pointers: an [`Env`] over [`ArenaMemory`] whose "driver" is reached
//! by handler address and calls NDIS through `Model` methods, the way an x86-64 emulator
//! running the cross-built `vmqnic.sys` will.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::{Cell, RefCell};
use std::mem::offset_of;
use std::rc::Rc;

use ndis_sim::model::memory::Header;
use ndis_sim::model::{ArenaMemory, MemExt};
use ndis_sim::{AdapterConfig, AddressSpace, Env, HostConfig, MiniportCall, Model, Sim};
use ndis_sys::{NDIS_MINIPORT_DRIVER_CHARACTERISTICS as Chars, NDIS_SHARED_MEMORY_PARAMETERS as Params};

struct Machine {
    model: Model,
    memory: ArenaMemory,
}

#[derive(Clone)]
struct ArenaEnv(Rc<RefCell<Machine>>);

impl Env for ArenaEnv {
    fn with_model<R>(&mut self, f: impl FnOnce(&mut Model, &mut dyn AddressSpace) -> R) -> R {
        let mut machine = self.0.borrow_mut();
        let Machine { model, memory } = &mut *machine;
        f(model, memory)
    }

    fn call_driver(&mut self, call: MiniportCall) -> u64 {
        guest_driver(self.clone(), call)
    }
}

// "Guest" handler addresses.
const ENTRY: u64 = 0x1000;
const HANDLERS: [u64; 12] =
    [0x1010, 0x1020, 0x1030, 0x1040, 0x1050, 0x1060, 0x1070, 0x1080, 0x1090, 0x10a0, 0x10b0, 0x10c0];
const INITIALIZE: u64 = HANDLERS[0];
const HALT: u64 = HANDLERS[1];
const UNLOAD: u64 = HANDLERS[2];
const CONTEXT: u64 = 0xC0FF_EE00;

thread_local! {
    static DRIVER_HANDLE_AT: Cell<u64> = const { Cell::new(0) };
    static ALLOCATION_AT: Cell<u64> = const { Cell::new(0) };
    static SG_DMA_AT: Cell<u64> = const { Cell::new(0) };
}

fn header(mem: &mut dyn AddressSpace, at: u64, kind: u8, revision: u8, size: u16) {
    mem.write(at, &Header { kind, revision, size }.bytes()).unwrap();
}

fn guest_driver(mut env: ArenaEnv, call: MiniportCall) -> u64 {
    match call {
        MiniportCall::DriverEntry { routine, driver_object, .. } => {
            assert_eq!(routine, ENTRY);
            let (chars, out) = env.with_model(|_, mem| {
                let chars = mem.alloc(size_of::<Chars>(), 8).unwrap();
                header(mem, chars, 0x8A, 2, 152);
                mem.write_u8(chars + offset_of!(Chars, MajorNdisVersion) as u64, 6).unwrap();
                mem.write_u8(chars + offset_of!(Chars, MinorNdisVersion) as u64, 30).unwrap();
                let first = offset_of!(Chars, InitializeHandlerEx) as u64;
                let slots = [
                    first,
                    first + 8,
                    first + 16,
                    first + 24,
                    first + 32,
                    first + 40,
                    first + 48,
                    first + 56,
                    first + 64,
                ];
                for (slot, handler) in slots.iter().zip(HANDLERS) {
                    mem.write_u64(chars + slot, handler).unwrap();
                }
                // CheckForHang and Reset stay NULL; the rest of the required ones follow.
                for (field, handler) in [
                    (offset_of!(Chars, DevicePnPEventNotifyHandler), HANDLERS[9]),
                    (offset_of!(Chars, ShutdownHandlerEx), HANDLERS[10]),
                    (offset_of!(Chars, CancelOidRequestHandler), HANDLERS[11]),
                ] {
                    mem.write_u64(chars + field as u64, handler).unwrap();
                }
                (chars, mem.alloc(8, 8).unwrap())
            });
            DRIVER_HANDLE_AT.with(|c| c.set(out));
            Sim::new(env.clone()).register_miniport_driver(driver_object, 0, chars, out) as u32 as u64
        }
        MiniportCall::Initialize { handler, adapter_handle, .. } => {
            assert_eq!(handler, INITIALIZE);
            env.with_model(|m, mem| {
                let reg = mem.alloc(32, 8).unwrap();
                header(mem, reg, 0x9E, 1, 28);
                mem.write_u64(reg + 8, CONTEXT).unwrap();
                // AttributeFlags: NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER; SG DMA is registered
                // before any shared memory ("NdisAllocateSharedMemory").
                mem.write_u32(reg + 16, 0x40).unwrap();
                assert_eq!(m.set_miniport_attributes(mem, adapter_handle, reg), 0);
                let description = mem.alloc(48, 8).unwrap();
                header(mem, description, 0x83, 2, 48);
                let sg_out = mem.alloc(8, 8).unwrap();
                assert_eq!(m.register_sg_dma(mem, adapter_handle, description, sg_out), 0);
                SG_DMA_AT.with(|c| c.set(sg_out));
                let general = mem.alloc(224, 8).unwrap();
                header(mem, general, 0x9F, 2, 224);
                let mac_options = offset_of!(ndis_sys::NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, MacOptions) as u64;
                mem.write_u32(general + mac_options, ndis_sys::NDIS_MAC_OPTION_8021P_PRIORITY).unwrap();
                assert_eq!(m.set_miniport_attributes(mem, adapter_handle, general), 0);
                let params = mem.alloc(size_of::<Params>(), 8).unwrap();
                header(mem, params, 0x80, 2, 68);
                mem.write_u32(params + offset_of!(Params, Usage) as u64, 4).unwrap();
                mem.write_u32(params + offset_of!(Params, Length) as u64, 3 * 4096).unwrap();
                let sg = mem.alloc(16 + 24 * 3, 8).unwrap();
                mem.write_u32(params + offset_of!(Params, SGListBufferLength) as u64, 16 + 24 * 3).unwrap();
                mem.write_u64(params + offset_of!(Params, SGListBuffer) as u64, sg).unwrap();
                let out = mem.alloc(8, 8).unwrap();
                assert_eq!(m.allocate_shared_memory(mem, adapter_handle, params, out), 0);
                assert!((1..=3).contains(&mem.read_u32(sg).unwrap()));
                ALLOCATION_AT.with(|c| c.set(out));
            });
            0
        }
        MiniportCall::Halt { handler, context, .. } => {
            assert_eq!((handler, context), (HALT, CONTEXT));
            env.with_model(|m, mem| {
                let allocation = mem.read_u64(ALLOCATION_AT.with(Cell::get)).unwrap();
                let adapter = m.adapter_handles()[0];
                m.free_shared_memory(mem, adapter, allocation);
                m.deregister_sg_dma(mem.read_u64(SG_DMA_AT.with(Cell::get)).unwrap());
            });
            0
        }
        MiniportCall::Unload { handler, .. } => {
            assert_eq!(handler, UNLOAD);
            env.with_model(|m, mem| {
                let handle = mem.read_u64(DRIVER_HANDLE_AT.with(Cell::get)).unwrap();
                m.deregister_miniport_driver(handle);
            });
            0
        }
        _ => 0,
    }
}

#[test]
fn the_model_runs_a_lifecycle_over_guest_addresses() {
    let machine =
        Machine { model: Model::new(HostConfig::default().seed(3).without_host_oids()), memory: ArenaMemory::new() };
    let mut sim = Sim::new(ArenaEnv(Rc::new(RefCell::new(machine))));
    sim.load_driver_at(ENTRY).unwrap();
    let a = sim.add_adapter(AdapterConfig::default()).unwrap();
    sim.pause(a).unwrap();
    sim.halt(a, 0).unwrap();
    sim.unload_driver().unwrap();
    let report = sim.report();
    assert_eq!((report.shared_memory.allocations, report.shared_memory.frees), (1, 1));
    assert!(sim.take_violations().is_empty(), "{:#?}", report.violations);
}
