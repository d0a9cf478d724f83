//! NBL-pool, NBL and MDL routines of ndis.sys (`ndis/nblapi.h`, `ndis/mdlapi.h`), forwarded to
//! the model as `ndis-sim`'s host exports do (`ffi/nbl_exports.rs`).
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/net-buffer-list-pools>.

use super::{Handler, Ret, model};

/// The NBL/MDL handler for `name`.
pub fn handler(name: &str) -> Option<Handler> {
    let h: Handler = match name {
        "NdisAllocateNetBufferListPool" => |uc, a| {
            Ret::Value(model(uc, "NdisAllocateNetBufferListPool", 0, |m, mem| m.allocate_nbl_pool(mem, a.v[0], a.v[1])))
        },
        "NdisFreeNetBufferListPool" => |uc, a| {
            model(uc, "NdisFreeNetBufferListPool", (), |m, _| m.free_nbl_pool(a.v[0]));
            Ret::Value(0)
        },
        "NdisAllocateNetBufferAndNetBufferList" => |uc, a| {
            Ret::Value(model(uc, "NdisAllocateNetBufferAndNetBufferList", 0, |m, mem| {
                m.allocate_net_buffer_and_nbl(mem, a.v[0], a.v[1] as u16, a.v[2] as u16, a.v[3], a.u32(4), a.v[5])
            }))
        },
        "NdisFreeNetBufferList" => |uc, a| {
            model(uc, "NdisFreeNetBufferList", (), |m, mem| m.free_nbl(mem, a.v[0]));
            Ret::Value(0)
        },
        "NdisAllocateMdl" => {
            |uc, a| Ret::Value(model(uc, "NdisAllocateMdl", 0, |m, mem| m.allocate_mdl(mem, a.v[0], a.v[1], a.u32(2))))
        }
        "NdisFreeMdl" => |uc, a| {
            model(uc, "NdisFreeMdl", (), |m, mem| m.free_mdl(mem, a.v[0]));
            Ret::Value(0)
        },
        _ => return None,
    };
    Some(h)
}
