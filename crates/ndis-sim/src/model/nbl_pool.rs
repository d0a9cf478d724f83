//! NBL pools, NBLs and MDLs: NdisAllocateNetBufferListPool / NdisFreeNetBufferListPool,
//! NdisAllocateNetBufferAndNetBufferList / NdisFreeNetBufferList, NdisAllocateMdl /
//! NdisFreeMdl, with a ledger and the leak, double-free and ownership checks.
//!
//! Layout of what NDIS hands out (x64, `ndis_sys` structs): one block per NBL holding the
//! NET_BUFFER_LIST, its NET_BUFFER right after it (offset 336), and the NET_BUFFER_LIST_CONTEXT
//! when a context was asked for; one block per MDL (the 48-byte header plus the PFN array).
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/nblapi/nf-nblapi-ndisallocatenetbufferandnetbufferlist>.

use std::collections::{BTreeMap, BTreeSet};

use ndis_sys::NDIS_OBJECT_TYPE_DEFAULT;

use super::config::DISPATCH_LEVEL;
use super::handles::HandleKind;
use super::memory::{AddressSpace, Fault, Header, MemExt};
use super::{Model, rules};

/// `MEMORY_ALLOCATION_ALIGNMENT` on x64.
const ALIGNMENT: u16 = 16;
/// `MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL`.
pub const MDL_FLAGS: u16 = 0x0001 | 0x0004;
/// Longest MDL chain the model walks.
const MAX_MDLS: usize = 64;
const PAGE: u64 = 0x1000;

/// One live NBL pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NblPool {
    /// The NdisHandle it was allocated with (0 = NULL).
    pub owner: u64,
    /// PoolTag.
    pub tag: u32,
    /// fAllocateNetBuffer.
    pub allocate_net_buffer: bool,
    /// DataSize.
    pub data_size: u32,
    /// NBLs of the pool still allocated.
    pub nbls: u64,
}

/// One live MDL from NdisAllocateMdl.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MdlRecord {
    /// The NdisHandle it was allocated with.
    pub owner: u64,
    /// VirtualAddress.
    pub address: u64,
    /// Length.
    pub len: u32,
}

/// The NBL / MDL ledger.
#[derive(Debug, Default)]
pub struct NblLedger {
    /// Live pools by handle.
    pub pools: BTreeMap<u64, NblPool>,
    /// Live NBLs (from NdisAllocateNetBufferAndNetBufferList) and their pool.
    pub nbls: BTreeMap<u64, u64>,
    /// Live MDLs by address.
    pub mdls: BTreeMap<u64, MdlRecord>,
    freed_nbls: BTreeSet<u64>,
    freed_mdls: BTreeSet<u64>,
    /// Calls to the three allocation routines (for fault injection).
    pub calls: u64,
}

impl Model {
    fn nbl_irql(&mut self, api: &str) {
        if self.irql > DISPATCH_LEVEL {
            self.violate(rules::NBL_IRQL, format!("{api} at IRQL {} (> DISPATCH_LEVEL)", self.irql));
        }
    }

    /// Counts an allocation call; `true` if fault injection fails it.
    fn nbl_call_fails(&mut self) -> bool {
        self.nbl.calls += 1;
        self.config.failing_nbl_allocations.contains(&self.nbl.calls)
    }

    /// `NdisAllocateNetBufferListPool` (<= DISPATCH): a pool handle or 0.
    pub fn allocate_nbl_pool(&mut self, mem: &dyn AddressSpace, handle: u64, params: u64) -> u64 {
        const API: &str = "NdisAllocateNetBufferListPool";
        if handle != 0 && !self.check_owner_handle(handle, API) {
            return 0;
        }
        self.nbl_irql(API);
        let read = || -> Result<(Header, [u8; 12]), Fault> {
            let h = Header::read(mem, params)?;
            let mut rest = [0; 12];
            mem.read(params + 4, &mut rest)?;
            Ok((h, rest))
        };
        let (h, rest) = match read() {
            Ok(v) => v,
            Err(fault) => return self.fault(API, fault).unwrap_or(0),
        };
        let size = ndis_sys::NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
        if h.kind != NDIS_OBJECT_TYPE_DEFAULT || h.revision < 1 || h.size < size {
            self.violate(
                rules::NBL_POOL_BAD_PARAMETERS,
                format!("{API}: header {h}; expected Type DEFAULT (0x80), Revision 1, Size {size}"),
            );
            return 0;
        }
        let (protocol, allocate_nb) = (rest[0], rest[1] != 0);
        let tag = u32::from_le_bytes([rest[4], rest[5], rest[6], rest[7]]);
        let data_size = u32::from_le_bytes([rest[8], rest[9], rest[10], rest[11]]);
        if protocol != ndis_sys::NDIS_PROTOCOL_ID_DEFAULT {
            self.violate(
                rules::NBL_POOL_BAD_PARAMETERS,
                format!("{API}: ProtocolId {protocol:#x}; miniports pass NDIS_PROTOCOL_ID_DEFAULT (0)"),
            );
        }
        let printable = tag.to_le_bytes().iter().all(|b| (0x20..0x7f).contains(b));
        if tag == 0 || !printable {
            self.violate(rules::POOL_BAD_TAG, format!("{API} with PoolTag {tag:#010x}: use four printable characters"));
        }
        if self.nbl_call_fails() {
            return 0;
        }
        let pool = self.handles.issue(HandleKind::NblPool);
        self.nbl
            .pools
            .insert(pool, NblPool { owner: handle, tag, allocate_net_buffer: allocate_nb, data_size, nbls: 0 });
        pool
    }

    /// `NdisFreeNetBufferListPool` (<= DISPATCH).
    pub fn free_nbl_pool(&mut self, pool: u64) {
        const API: &str = "NdisFreeNetBufferListPool";
        self.nbl_irql(API);
        let Some(p) = self.nbl.pools.remove(&pool) else {
            let what = self.handles.describe(pool);
            let state = if self.handles.kind(pool) == Some(HandleKind::NblPool) { " (already freed)" } else { "" };
            self.violate(rules::NBL_POOL_UNKNOWN_HANDLE, format!("{API}: {what} is not a live NBL pool{state}"));
            return;
        };
        if p.nbls > 0 {
            self.violate(
                rules::NBL_POOL_FREED_WITH_NBLS,
                format!("{API}: pool {pool:#x} freed with {} NBL(s) still allocated", p.nbls),
            );
            self.nbl.nbls.retain(|_, owner| *owner != pool);
        }
    }

    /// `NdisAllocateNetBufferAndNetBufferList` (<= DISPATCH): the NBL or 0.
    #[allow(clippy::too_many_arguments)]
    pub fn allocate_net_buffer_and_nbl(
        &mut self,
        mem: &mut dyn AddressSpace,
        pool: u64,
        context_size: u16,
        backfill: u16,
        mdl: u64,
        data_offset: u32,
        data_length: u64,
    ) -> u64 {
        const API: &str = "NdisAllocateNetBufferAndNetBufferList";
        self.nbl_irql(API);
        let Some(p) = self.nbl.pools.get(&pool).copied() else {
            let what = self.handles.describe(pool);
            self.violate(rules::NBL_POOL_UNKNOWN_HANDLE, format!("{API}: {what} is not a live NBL pool"));
            return 0;
        };
        let mut bad = Vec::new();
        if !p.allocate_net_buffer || p.data_size != 0 {
            bad.push(format!(
                "pool {pool:#x} was allocated with fAllocateNetBuffer {} and DataSize {} (needs TRUE and 0)",
                p.allocate_net_buffer, p.data_size
            ));
        }
        if !context_size.is_multiple_of(ALIGNMENT) || !backfill.is_multiple_of(ALIGNMENT) {
            bad.push(format!("ContextSize {context_size} / ContextBackFill {backfill} not multiples of MEMORY_ALLOCATION_ALIGNMENT (16)"));
        }
        let end = u64::from(data_offset).saturating_add(data_length);
        if mdl == 0 && end != 0 {
            bad.push("DataOffset and DataLength must be 0 without an MDL chain".to_string());
        }
        let chain_len = match mdl_chain_len(mem, mdl) {
            Ok(n) => n,
            Err(fault) => return self.fault(API, fault).unwrap_or(0),
        };
        if mdl != 0 && end > chain_len {
            bad.push(format!(
                "DataOffset {data_offset} + DataLength {data_length} exceed the MDL chain's {chain_len} bytes"
            ));
        }
        if !bad.is_empty() {
            self.violate(rules::NBL_BAD_PARAMETERS, format!("{API}: {}", bad.join("; ")));
            return 0;
        }
        if self.nbl_call_fails() {
            return 0;
        }
        match build_nbl(mem, pool, context_size, backfill, mdl, data_offset, data_length) {
            Ok(Some(nbl)) => {
                self.nbl.nbls.insert(nbl, pool);
                self.nbl.freed_nbls.remove(&nbl);
                if let Some(p) = self.nbl.pools.get_mut(&pool) {
                    p.nbls += 1;
                }
                nbl
            }
            Ok(None) => 0,
            Err(fault) => self.fault(API, fault).unwrap_or(0),
        }
    }

    /// `NdisFreeNetBufferList` (<= DISPATCH).
    pub fn free_nbl(&mut self, mem: &mut dyn AddressSpace, nbl: u64) {
        const API: &str = "NdisFreeNetBufferList";
        self.nbl_irql(API);
        let Some(pool) = self.nbl.nbls.remove(&nbl) else {
            let (rule, why) = if self.nbl.freed_nbls.contains(&nbl) {
                (rules::NBL_DOUBLE_FREE, "was already freed")
            } else {
                (rules::NBL_UNKNOWN_FREE, "was not allocated by NDIS")
            };
            self.violate(rule, format!("{API}: NBL {nbl:#x} {why}"));
            return;
        };
        if let Some(p) = self.nbl.pools.get_mut(&pool) {
            p.nbls -= 1;
        }
        self.nbl.freed_nbls.insert(nbl);
        if self.ownership.owns(nbl) {
            self.violate(
                rules::NBL_FREE_WHILE_OWNED_BY_NDIS,
                format!("{API}: NBL {nbl:#x} was indicated and NDIS has not returned it yet"),
            );
            // NDIS still owns it and will return it; its memory stays allocated so that
            // nothing read later faults.
            return;
        }
        mem.free(nbl);
    }

    /// `NdisAllocateMdl` (<= DISPATCH): the MDL or 0.
    pub fn allocate_mdl(&mut self, mem: &mut dyn AddressSpace, handle: u64, address: u64, len: u32) -> u64 {
        const API: &str = "NdisAllocateMdl";
        if !self.check_owner_handle(handle, API) {
            return 0;
        }
        self.nbl_irql(API);
        if address == 0 || len == 0 {
            self.violate(rules::MDL_BAD_PARAMETERS, format!("{API}: VirtualAddress {address:#x}, Length {len}"));
            return 0;
        }
        if self.nbl_call_fails() {
            return 0;
        }
        let pages = ((address & (PAGE - 1)) + u64::from(len)).div_ceil(PAGE);
        let size = size!(MDL) + 8 * pages as usize;
        let Some(mdl) = mem.alloc(size, 16) else {
            return 0;
        };
        let w = |mem: &mut dyn AddressSpace| -> Result<(), Fault> {
            mem.write_u16(mdl + off!(MDL, Size), size.min(i16::MAX as usize) as u16)?;
            mem.write_u16(mdl + off!(MDL, MdlFlags), MDL_FLAGS)?;
            mem.write_u64(mdl + off!(MDL, MappedSystemVa), address)?;
            mem.write_u64(mdl + off!(MDL, StartVa), address & !(PAGE - 1))?;
            mem.write_u32(mdl + off!(MDL, ByteCount), len)?;
            mem.write_u32(mdl + off!(MDL, ByteOffset), (address & (PAGE - 1)) as u32)
        };
        if let Err(fault) = w(mem) {
            mem.free(mdl);
            return self.fault(API, fault).unwrap_or(0);
        }
        self.nbl.freed_mdls.remove(&mdl);
        self.nbl.mdls.insert(mdl, MdlRecord { owner: handle, address, len });
        mdl
    }

    /// `NdisFreeMdl` (<= DISPATCH).
    pub fn free_mdl(&mut self, mem: &mut dyn AddressSpace, mdl: u64) {
        const API: &str = "NdisFreeMdl";
        self.nbl_irql(API);
        if self.nbl.mdls.remove(&mdl).is_none() {
            let (rule, why) = if self.nbl.freed_mdls.contains(&mdl) {
                (rules::MDL_DOUBLE_FREE, "was already freed")
            } else {
                (rules::MDL_UNKNOWN_FREE, "was not allocated by NdisAllocateMdl")
            };
            self.violate(rule, format!("{API}: MDL {mdl:#x} {why}"));
            return;
        }
        self.nbl.freed_mdls.insert(mdl);
        let refs = self.ownership.mdl_refs(mdl);
        if refs > 0 {
            self.violate(
                rules::MDL_FREE_WHILE_OWNED_BY_NDIS,
                format!("{API}: MDL {mdl:#x} belongs to {refs} NBL(s) NDIS has not returned"),
            );
            return;
        }
        mem.free(mdl);
    }

    /// Halt / unload check: pools, NBLs and MDLs allocated with `owner` (all if `None`) and
    /// still allocated. Reports one violation per kind and forgets them.
    pub(super) fn check_nbl_resources(&mut self, owner: Option<u64>, when: &str) {
        let mine = |o: u64| owner.is_none_or(|x| x == o);
        let pools: Vec<u64> = self.nbl.pools.iter().filter(|(_, p)| mine(p.owner)).map(|(h, _)| *h).collect();
        let nbls: Vec<u64> = self
            .nbl
            .nbls
            .iter()
            .filter(|(_, pool)| self.nbl.pools.get(pool).is_none_or(|p| mine(p.owner)))
            .map(|(n, _)| *n)
            .collect();
        let mdls: Vec<u64> = self.nbl.mdls.iter().filter(|(_, m)| mine(m.owner)).map(|(a, _)| *a).collect();
        let who = owner.map_or("the driver".to_string(), |o| format!("adapter {o:#x}"));
        for (rule, what, list) in [
            (rules::NBL_POOL_LEAK_AT_HALT, "NBL pool(s)", &pools),
            (rules::NBL_LEAK_AT_HALT, "NBL(s)", &nbls),
            (rules::MDL_LEAK_AT_HALT, "MDL(s)", &mdls),
        ] {
            if !list.is_empty() {
                let some: Vec<String> = list.iter().take(4).map(|a| format!("{a:#x}")).collect();
                self.violate(
                    rule,
                    format!("{} {what} of {who} still allocated {when} (first: {})", list.len(), some.join(", ")),
                );
            }
        }
        pools.iter().for_each(|h| {
            self.nbl.pools.remove(h);
        });
        nbls.iter().for_each(|n| {
            self.nbl.nbls.remove(n);
        });
        mdls.iter().for_each(|m| {
            self.nbl.mdls.remove(m);
        });
    }

    /// Calls made to the NBL-pool, NBL and MDL allocation routines so far.
    pub fn nbl_allocation_calls(&self) -> u64 {
        self.nbl.calls
    }

    /// NBL pools, NBLs and MDLs allocated and not freed yet (all owners).
    pub fn nbl_live(&self) -> (usize, usize, usize) {
        (self.nbl.pools.len(), self.nbl.nbls.len(), self.nbl.mdls.len())
    }
}

/// Total ByteCount of the MDL chain at `mdl` (0 for NULL).
pub(super) fn mdl_chain_len(mem: &dyn AddressSpace, mdl: u64) -> Result<u64, Fault> {
    let (mut at, mut total) = (mdl, 0u64);
    for _ in 0..MAX_MDLS {
        if at == 0 {
            break;
        }
        total += u64::from(mem.read_u32(at + off!(MDL, ByteCount))?);
        at = mem.read_u64(at + off!(MDL, Next))?;
    }
    Ok(total)
}

/// Allocates and fills one NBL + NET_BUFFER (+ context) block.
fn build_nbl(
    mem: &mut dyn AddressSpace,
    pool: u64,
    context_size: u16,
    backfill: u16,
    mdl: u64,
    data_offset: u32,
    data_length: u64,
) -> Result<Option<u64>, Fault> {
    let nb_at = size!(NET_BUFFER_LIST) as u64;
    let context_at = nb_at + size!(NET_BUFFER) as u64;
    let context_total = usize::from(context_size) + usize::from(backfill);
    let context_len = if context_total > 0 { size!(NET_BUFFER_LIST_CONTEXT) + context_total } else { 0 };
    let Some(nbl) = mem.alloc(context_at as usize + context_len, 16) else {
        return Ok(None);
    };
    let filled = fill_nbl(mem, nbl, pool, context_total, backfill, mdl, data_offset, data_length);
    if let Err(fault) = filled {
        mem.free(nbl);
        return Err(fault);
    }
    Ok(Some(nbl))
}

/// Writes the NBL, NET_BUFFER and context of a fresh (zeroed) block at `nbl`.
#[allow(clippy::too_many_arguments)]
fn fill_nbl(
    mem: &mut dyn AddressSpace,
    nbl: u64,
    pool: u64,
    context_total: usize,
    backfill: u16,
    mdl: u64,
    data_offset: u32,
    data_length: u64,
) -> Result<(), Fault> {
    let nb = nbl + size!(NET_BUFFER_LIST) as u64;
    // The MDL holding the data start, and the offset in it.
    let (mut current, mut rest) = (mdl, u64::from(data_offset));
    for _ in 0..MAX_MDLS {
        if current == 0 {
            break;
        }
        let count = u64::from(mem.read_u32(current + off!(MDL, ByteCount))?);
        let next = mem.read_u64(current + off!(MDL, Next))?;
        if rest < count || next == 0 {
            break;
        }
        rest -= count;
        current = next;
    }
    mem.write_u64(nbl + off!(NET_BUFFER_LIST, FirstNetBuffer), nb)?;
    mem.write_u64(nbl + off!(NET_BUFFER_LIST, NdisPoolHandle), pool)?;
    mem.write_u64(nb + off!(NET_BUFFER, NdisPoolHandle), pool)?;
    mem.write_u64(nb + off!(NET_BUFFER, MdlChain), mdl)?;
    mem.write_u64(nb + off!(NET_BUFFER, CurrentMdl), current)?;
    mem.write_u32(nb + off!(NET_BUFFER, CurrentMdlOffset), rest as u32)?;
    mem.write_u32(nb + off!(NET_BUFFER, DataOffset), data_offset)?;
    mem.write_u64(nb + off!(NET_BUFFER, DataLength), data_length)?;
    if context_total > 0 {
        let context = nb + size!(NET_BUFFER) as u64;
        mem.write_u64(nbl + off!(NET_BUFFER_LIST, Context), context)?;
        mem.write_u16(context + off!(NET_BUFFER_LIST_CONTEXT, Size), context_total as u16)?;
        mem.write_u16(context + off!(NET_BUFFER_LIST_CONTEXT, Offset), backfill)?;
    }
    Ok(())
}
