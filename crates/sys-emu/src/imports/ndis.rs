//! The hand-written ndis.sys handlers the import table names with `adapter(...)`; every other
//! ndis.sys routine is generated in `table.rs`.
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/>.

use ndis_sim::Sim;
use ndis_sim::model::MemExt;
use ndis_sys::NDIS_SPIN_LOCK;
use unicorn_engine::Unicorn;

use super::{Args, Cpu, Ret, model};
use crate::machine::EmuData;

/// `NdisMRegisterMiniportDriver(DriverObject, RegistryPath, Context, Characteristics, Handle)`:
/// the model's registration, including the nested MiniportSetOptions call, so it runs through
/// [`Sim`] over this CPU.
pub fn register_miniport_driver(uc: &mut Unicorn<'_, EmuData>, a: &Args) -> Ret {
    let mut sim = Sim::new(Cpu { uc });
    Ret::status(sim.register_miniport_driver(a.v[0], a.v[2], a.v[3], a.v[4]))
}

/// `NdisAcquireSpinLock`: like NDIS, keeps the saved IRQL in the lock's `OldIrql`.
pub fn acquire_spin_lock(uc: &mut Unicorn<'_, EmuData>, a: &Args) -> Ret {
    acquire(uc, a.v[0], false)
}

/// `NdisDprAcquireSpinLock` (DISPATCH_LEVEL).
pub fn dpr_acquire_spin_lock(uc: &mut Unicorn<'_, EmuData>, a: &Args) -> Ret {
    acquire(uc, a.v[0], true)
}

fn acquire(uc: &mut Unicorn<'_, EmuData>, lock: u64, dpr: bool) -> Ret {
    let api = if dpr { "NdisDprAcquireSpinLock" } else { "NdisAcquireSpinLock" };
    model(uc, api, (), |m, mem| {
        let old = m.acquire_spin_lock(lock, dpr);
        if !dpr {
            let _ = mem.write_u8(lock + core::mem::offset_of!(NDIS_SPIN_LOCK, OldIrql) as u64, old);
        }
    });
    Ret::Value(0)
}

/// `KeFlushQueuedDpcs()`: the queued DPCs, nested, each on its processor.
pub fn flush_queued_dpcs(uc: &mut Unicorn<'_, EmuData>, _a: &Args) -> Ret {
    Sim::new(Cpu { uc }).flush_queued_dpcs();
    Ret::Value(0)
}

/// `NdisMSynchronizeWithInterruptEx`: the driver's synchronize function, nested, at DIRQL.
pub fn synchronize_with_interrupt(uc: &mut Unicorn<'_, EmuData>, a: &Args) -> Ret {
    let mut sim = Sim::new(Cpu { uc });
    // CAST: MessageId is a ULONG in the low half of its slot.
    Ret::Value(u64::from(sim.synchronize_with_interrupt(a.v[0], a.v[1] as u32, a.v[2], a.v[3])))
}

/// `NdisMAllocateNetBufferSGList`: the driver's MiniportProcessSGList, nested.
pub fn allocate_net_buffer_sg_list(uc: &mut Unicorn<'_, EmuData>, a: &Args) -> Ret {
    let mut sim = Sim::new(Cpu { uc });
    // CAST: Flags and the buffer size are ULONGs in the low halves of their slots.
    Ret::status(sim.allocate_net_buffer_sg_list(a.v[0], a.v[1], a.v[2], a.v[3] as u32, a.v[4], a.v[5] as u32))
}
