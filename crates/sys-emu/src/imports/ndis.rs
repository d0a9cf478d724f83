//! ndis.sys routines: each forwards to the same [`ndis_sim::Model`] method as the host export
//! of `ndis-sim` (`ffi/exports.rs`), over guest memory.
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/>.

use ndis_sim::Sim;
use ndis_sim::model::MemExt;
use ndis_sim::model::lifecycle::Transition;
use ndis_sys::{NDIS_SPIN_LOCK, NDIS_STATUS_FAILURE};
use unicorn_engine::Unicorn;

use super::{Args, Cpu, Handler, Ret, model};
use crate::machine::EmuData;

/// The ndis.sys handler for `name`.
pub fn handler(name: &str) -> Option<Handler> {
    let h: Handler = match name {
        "NdisMRegisterMiniportDriver" => register_miniport_driver,
        "NdisMDeregisterMiniportDriver" => |uc, a| {
            model(uc, "NdisMDeregisterMiniportDriver", (), |m, _| m.deregister_miniport_driver(a.v[0]));
            Ret::Value(0)
        },
        "NdisMSetMiniportAttributes" => |uc, a| {
            Ret::status(model(uc, "NdisMSetMiniportAttributes", NDIS_STATUS_FAILURE, |m, mem| {
                m.set_miniport_attributes(mem, a.v[0], a.v[1])
            }))
        },
        "NdisAllocateMemoryWithTagPriority" => |uc, a| {
            Ret::Value(model(uc, "NdisAllocateMemoryWithTagPriority", 0, |m, mem| {
                m.allocate_pool(mem, a.v[0], a.u32(1), a.u32(2))
            }))
        },
        "NdisFreeMemoryWithTagPriority" => |uc, a| {
            model(uc, "NdisFreeMemoryWithTagPriority", (), |m, mem| m.free_pool(mem, a.v[0], a.v[1], a.u32(2)));
            Ret::Value(0)
        },
        "NdisAllocateSharedMemory" => |uc, a| {
            Ret::status(model(uc, "NdisAllocateSharedMemory", NDIS_STATUS_FAILURE, |m, mem| {
                m.allocate_shared_memory(mem, a.v[0], a.v[1], a.v[2])
            }))
        },
        "NdisFreeSharedMemory" => |uc, a| {
            model(uc, "NdisFreeSharedMemory", (), |m, mem| m.free_shared_memory(mem, a.v[0], a.v[1]));
            Ret::Value(0)
        },
        "NdisMIndicateStatusEx" => |uc, a| {
            model(uc, "NdisMIndicateStatusEx", (), |m, mem| m.indicate_status(mem, a.v[0], a.v[1]));
            Ret::Value(0)
        },
        "NdisMOidRequestComplete" => |uc, a| {
            model(uc, "NdisMOidRequestComplete", (), |m, mem| m.complete_oid(mem, a.v[0], a.v[1], a.i32(2)));
            Ret::Value(0)
        },
        "NdisMRegisterScatterGatherDma" => |uc, a| {
            Ret::status(model(uc, "NdisMRegisterScatterGatherDma", NDIS_STATUS_FAILURE, |m, mem| {
                m.register_sg_dma(mem, a.v[0], a.v[1], a.v[2])
            }))
        },
        "NdisMDeregisterScatterGatherDma" => |uc, a| {
            model(uc, "NdisMDeregisterScatterGatherDma", (), |m, _| m.deregister_sg_dma(a.v[0]));
            Ret::Value(0)
        },
        "NdisOpenConfigurationEx" => |uc, a| {
            Ret::status(model(uc, "NdisOpenConfigurationEx", NDIS_STATUS_FAILURE, |m, mem| {
                m.open_configuration(mem, a.v[0], a.v[1])
            }))
        },
        "NdisReadConfiguration" => |uc, a| {
            model(uc, "NdisReadConfiguration", (), |m, mem| {
                m.read_configuration(mem, a.v[0], a.v[1], a.v[2], a.v[3], a.i32(4));
            });
            Ret::Value(0)
        },
        "NdisCloseConfiguration" => |uc, a| {
            model(uc, "NdisCloseConfiguration", (), |m, mem| m.close_configuration(mem, a.v[0]));
            Ret::Value(0)
        },
        "NdisMPauseComplete" => |uc, a| {
            model(uc, "NdisMPauseComplete", (), |m, _| m.complete_transition(a.v[0], Transition::Pause, 0));
            Ret::Value(0)
        },
        "NdisMRestartComplete" => |uc, a| {
            model(uc, "NdisMRestartComplete", (), |m, _| {
                m.complete_transition(a.v[0], Transition::Restart, a.i32(1));
            });
            Ret::Value(0)
        },
        "NdisAllocateIoWorkItem" => {
            |uc, a| Ret::Value(model(uc, "NdisAllocateIoWorkItem", 0, |m, _| m.allocate_work_item(a.v[0])))
        }
        "NdisQueueIoWorkItem" => |uc, a| {
            model(uc, "NdisQueueIoWorkItem", (), |m, _| m.queue_work_item(a.v[0], a.v[1], a.v[2]));
            Ret::Value(0)
        },
        "NdisFreeIoWorkItem" => |uc, a| {
            model(uc, "NdisFreeIoWorkItem", (), |m, _| m.free_work_item(a.v[0]));
            Ret::Value(0)
        },
        "NdisMIndicateReceiveNetBufferLists" => |uc, a| {
            model(uc, "NdisMIndicateReceiveNetBufferLists", (), |m, mem| {
                m.indicate_receive(mem, a.v[0], a.v[1], a.u32(3), a.u32(4));
            });
            Ret::Value(0)
        },
        "NdisMSendNetBufferListsComplete" => |uc, a| {
            model(uc, "NdisMSendNetBufferListsComplete", (), |m, mem| m.send_complete(mem, a.v[0], a.v[1], a.u32(2)));
            Ret::Value(0)
        },
        "NdisGetSharedDataAlignment" => {
            |uc, _| Ret::Value(u64::from(model(uc, "NdisGetSharedDataAlignment", 64, |m, _| m.shared_data_alignment())))
        }
        "NdisAllocateSpinLock" => |uc, a| {
            model(uc, "NdisAllocateSpinLock", (), |m, _| m.allocate_spin_lock(a.v[0]));
            Ret::Value(0)
        },
        "NdisFreeSpinLock" => |uc, a| {
            model(uc, "NdisFreeSpinLock", (), |m, _| m.free_spin_lock(a.v[0]));
            Ret::Value(0)
        },
        "NdisAcquireSpinLock" => |uc, a| acquire(uc, a.v[0], false),
        "NdisDprAcquireSpinLock" => |uc, a| acquire(uc, a.v[0], true),
        "NdisReleaseSpinLock" => |uc, a| {
            model(uc, "NdisReleaseSpinLock", (), |m, _| m.release_spin_lock(a.v[0], false));
            Ret::Value(0)
        },
        "NdisDprReleaseSpinLock" => |uc, a| {
            model(uc, "NdisDprReleaseSpinLock", (), |m, _| m.release_spin_lock(a.v[0], true));
            Ret::Value(0)
        },
        _ => return None,
    };
    Some(h)
}

/// `NdisMRegisterMiniportDriver(DriverObject, RegistryPath, Context, Characteristics, Handle)`:
/// the model's registration, including the nested MiniportSetOptions call.
fn register_miniport_driver(uc: &mut Unicorn<'_, EmuData>, a: &Args) -> Ret {
    let mut sim = Sim::new(Cpu { uc });
    Ret::status(sim.register_miniport_driver(a.v[0], a.v[2], a.v[3], a.v[4]))
}

/// `NdisAcquireSpinLock` / `NdisDprAcquireSpinLock`: like NDIS, the non-Dpr variant keeps the
/// saved IRQL in the lock's `OldIrql`.
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
