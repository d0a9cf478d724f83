//! NdisMIndicateReceiveNetBufferLists and the VMQ receive checks: queue state, flags,
//! NET_BUFFER_SHARED_MEMORY against the shared-memory ledger, the MDL data range, the frame
//! itself (cross-VM leak, order, corruption), and which NBLs NDIS owns until they are returned.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/vmq-receive-path>,
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismindicatereceivenetbufferlists>
//! and <https://learn.microsoft.com/windows-hardware/drivers/network/queue-states-and-operations>.

use ndis_sys::{
    NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL, NDIS_RECEIVE_FLAGS_RESOURCES, NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID,
    NDIS_RECEIVE_FLAGS_SINGLE_QUEUE, NetBufferListFilteringInfo,
};

use super::config::DISPATCH_LEVEL;
use super::memory::{AddressSpace, Fault, MemExt};
use super::ownership::{NBL_LINKS, OwnedNbl, add_link};
use super::phase::Phase;
use super::{Model, rules};

mod frame;
mod memory;

use memory::{data_pieces, mdl_chain};

const API: &str = "NdisMIndicateReceiveNetBufferLists";
/// Longest MDL or shared-memory segment chain the model walks.
const MAX_LINKS: usize = 64;
/// Violations of one receive rule listed per host before the rest are only counted.
const LISTED_PER_RULE: u64 = 32;

/// The fields of one indicated NBL (and its first NET_BUFFER) the checks read.
#[derive(Clone, Copy, Debug, Default)]
struct NblView {
    source: u64,
    filter_id: u16,
    queue: u32,
    nb: u64,
    nb_next: u64,
    data_offset: u32,
    data_length: u32,
    mdl: u64,
    shared_info: u64,
}

fn read_view(mem: &dyn AddressSpace, nbl: u64) -> Result<NblView, Fault> {
    let info = off!(NET_BUFFER_LIST, NetBufferListInfo) + 8 * NetBufferListFilteringInfo as u64;
    let mut v = NblView {
        source: mem.read_u64(nbl + off!(NET_BUFFER_LIST, SourceHandle))?,
        filter_id: mem.read_u16(nbl + info)?,
        queue: u32::from(mem.read_u16(nbl + info + 2)?),
        nb: mem.read_u64(nbl + off!(NET_BUFFER_LIST, FirstNetBuffer))?,
        ..NblView::default()
    };
    if v.nb != 0 {
        let nb = v.nb;
        v.nb_next = mem.read_u64(nb + off!(NET_BUFFER, Next))?;
        v.data_offset = mem.read_u32(nb + off!(NET_BUFFER, DataOffset))?;
        v.data_length = mem.read_u32(nb + off!(NET_BUFFER, DataLength))?;
        v.mdl = mem.read_u64(nb + off!(NET_BUFFER, MdlChain))?;
        v.shared_info = mem.read_u64(nb + off!(NET_BUFFER, SharedMemoryInfo))?;
    }
    Ok(v)
}

/// Per-call state of one indication.
#[derive(Debug, Default)]
struct Call {
    flags: u32,
    first_queue: Option<u32>,
    mixed: bool,
    reported_shared_flag: bool,
    reported_single_flag: bool,
    /// Queue-affinity rules already reported in this call.
    reported_affinity: Vec<&'static str>,
}

impl Model {
    /// Records a receive-path violation, listing at most [`LISTED_PER_RULE`] per rule (a
    /// broken driver on a 100,000-frame run would otherwise bury the report).
    fn violate_rx(&mut self, rule: &'static str, detail: impl Into<String>) {
        let n = self.rx_violations.entry(rule).or_default();
        *n += 1;
        match *n {
            n if n <= LISTED_PER_RULE => self.violate(rule, detail),
            n if n == LISTED_PER_RULE + 1 => self
                .violate(rule, format!("more `{rule}` violations follow; only the first {LISTED_PER_RULE} are listed")),
            _ => {}
        }
    }

    /// `NdisMIndicateReceiveNetBufferLists` (<= DISPATCH).
    pub fn indicate_receive(&mut self, mem: &dyn AddressSpace, adapter: u64, head: u64, count: u32, flags: u32) {
        if !self.check_adapter(adapter, API) {
            return;
        }
        if self.irql > DISPATCH_LEVEL {
            self.violate(rules::RECEIVE_MISUSE, format!("{API} at IRQL {} (> DISPATCH_LEVEL)", self.irql));
        }
        if flags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL != 0 && self.irql != DISPATCH_LEVEL {
            self.violate(
                rules::RECEIVE_MISUSE,
                format!("{API} with NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL at IRQL {}", self.irql),
            );
        }
        if !matches!(self.phase(adapter), Some(Phase::Running | Phase::Pausing)) {
            self.violate(rules::RECEIVE_MISUSE, format!("{API} while adapter {adapter:#x} is not running"));
        }
        self.check_power_on_receive(adapter);
        let chain = self.walk_chain(mem, API, head);
        if chain.len() != count as usize {
            self.violate(
                rules::RECEIVE_MISUSE,
                format!("{API}: NumberOfNetBufferLists {count} but the chain has {} NBLs", chain.len()),
            );
        }
        let mut call = Call { flags, ..Call::default() };
        for nbl in chain {
            match read_view(mem, nbl) {
                Ok(view) => self.receive_nbl(mem, adapter, nbl, &view, &mut call),
                Err(fault) => {
                    self.fault::<()>(API, fault);
                }
            }
        }
        if call.mixed && flags & NDIS_RECEIVE_FLAGS_SINGLE_QUEUE != 0 {
            self.violate_rx(
                rules::RECEIVE_SINGLE_QUEUE_MIXED,
                format!("{API} with NDIS_RECEIVE_FLAGS_SINGLE_QUEUE carries NBLs of several queues"),
            );
        }
    }

    fn receive_nbl(&mut self, mem: &dyn AddressSpace, adapter: u64, nbl: u64, v: &NblView, call: &mut Call) {
        if v.source != adapter {
            self.violate_rx(
                rules::RECEIVE_MISUSE,
                format!("{API}: NBL {nbl:#x} SourceHandle {:#x} is not the adapter handle", v.source),
            );
        }
        if v.filter_id != 0 {
            self.violate_rx(
                rules::RECEIVE_MISUSE,
                format!("{API}: NBL {nbl:#x} FilterId {} (a VMQ miniport sets 0)", v.filter_id),
            );
        }
        let q = v.queue;
        match call.first_queue {
            None => call.first_queue = Some(q),
            Some(first) => call.mixed |= first != q,
        }
        self.check_receive_queue(adapter, nbl, q, call);
        for (rule, detail) in self.check_queue_affinity(adapter, q) {
            if !call.reported_affinity.contains(&rule) {
                call.reported_affinity.push(rule);
                self.violate_rx(rule, format!("{API}: NBL {nbl:#x}: {detail}"));
            }
        }
        let mut blocks = [0u64; NBL_LINKS];
        let mut mdls = [0u64; NBL_LINKS];
        if v.nb == 0 {
            self.violate_rx(rules::RECEIVE_MISUSE, format!("{API}: NBL {nbl:#x} has no NET_BUFFER"));
        } else {
            if v.nb_next != 0 {
                self.violate_rx(
                    rules::RECEIVE_MISUSE,
                    format!("{API}: NBL {nbl:#x} has more than one NET_BUFFER (receive NBLs carry one)"),
                );
            }
            match mdl_chain(mem, v.mdl) {
                Ok(chain) => chain.iter().for_each(|&m| {
                    add_link(&mut mdls, m);
                }),
                Err(fault) => {
                    self.fault::<()>(API, fault);
                }
            }
            match data_pieces(mem, v.mdl, v.data_offset, v.data_length) {
                Ok(Some(pieces)) => {
                    blocks = self.check_shared_memory_info(mem, adapter, nbl, v, &pieces, call);
                    self.check_frame(mem, adapter, nbl, q, &pieces);
                }
                Ok(None) => self.violate_rx(
                    rules::RECEIVE_MISUSE,
                    format!(
                        "{API}: NBL {nbl:#x} DataOffset {} + DataLength {} run past its MDL chain",
                        v.data_offset, v.data_length
                    ),
                ),
                Err(fault) => {
                    self.fault::<()>(API, fault);
                }
            }
        }
        if call.flags & NDIS_RECEIVE_FLAGS_RESOURCES == 0 {
            let owned = OwnedNbl { adapter, queue: q, mdls, blocks };
            if self.ownership.take(nbl, owned) {
                if let Some(a) = self.adapter_mut(adapter) {
                    a.received.push_back(nbl);
                }
            } else {
                self.violate_rx(
                    rules::RECEIVE_MISUSE,
                    format!("{API}: NBL {nbl:#x} is already owned by NDIS (indicated again before it was returned)"),
                );
            }
        }
        if let Some(a) = self.adapter_mut(adapter) {
            *a.received_by_queue.entry(q).or_default() += 1;
        }
    }

    /// The queue named by an NBL must be the default queue or a Running VM queue, and the
    /// call's flags must suit it.
    fn check_receive_queue(&mut self, adapter: u64, nbl: u64, q: u32, call: &mut Call) {
        let Some(a) = self.adapter(adapter) else {
            return;
        };
        if q == 0 {
            return;
        }
        let record = a.queues.get(&q).copied();
        let has_filters = a.filters.has_filters(q);
        let freed = a.freed_queues.contains(&q);
        let per_queue = record.is_some_and(|r| r.per_queue_receive_indication);
        match record.map(|r| r.state) {
            None if freed => self.violate_rx(
                rules::RECEIVE_QUEUE_FREED,
                format!("{API}: NBL {nbl:#x} names queue {q}, whose FREE_QUEUE has completed"),
            ),
            None => self.violate_rx(
                rules::RECEIVE_MISUSE,
                format!("{API}: NBL {nbl:#x} names receive queue {q}, which is not allocated"),
            ),
            Some(s) if s.is_freeing() => self.violate_rx(
                rules::RECEIVE_QUEUE_FREED,
                format!("{API}: NBL {nbl:#x} names queue {q}, which is being freed (FREE_QUEUE delivered)"),
            ),
            Some(s) if !s.is_complete() || !has_filters => self.violate_rx(
                rules::RECEIVE_QUEUE_NOT_RUNNING,
                format!(
                    "{API}: NBL {nbl:#x} names queue {q}, which is not Running ({})",
                    if has_filters { "ALLOCATION_COMPLETE not done" } else { "no filter set" }
                ),
            ),
            Some(_) => {}
        }
        if per_queue && call.flags & NDIS_RECEIVE_FLAGS_SINGLE_QUEUE == 0 && !call.reported_single_flag {
            call.reported_single_flag = true;
            self.violate_rx(
                rules::RECEIVE_SINGLE_QUEUE_FLAG_MISSING,
                format!("{API} for queue {q} (allocated with PER_QUEUE_RECEIVE_INDICATION) without NDIS_RECEIVE_FLAGS_SINGLE_QUEUE"),
            );
        }
        if call.flags & NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID == 0 && !call.reported_shared_flag {
            call.reported_shared_flag = true;
            self.violate_rx(
                rules::RECEIVE_SHARED_MEMORY_FLAG_MISSING,
                format!("{API} for VM queue {q} without NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID"),
            );
        }
    }

    /// Takes received NBLs NDIS owns for `adapter` (all when `n` is `None`; the `n` oldest, or
    /// `n` picked at random when `shuffle`), relinked into one chain for
    /// MiniportReturnNetBufferLists. Returns (head, count); head 0 when there is nothing.
    pub fn take_received(
        &mut self,
        mem: &mut dyn AddressSpace,
        adapter: u64,
        n: Option<usize>,
        shuffle: bool,
    ) -> (u64, usize) {
        let rng = &mut self.return_rng;
        let Some(a) = self.adapters.get_mut(&adapter) else {
            return (0, 0);
        };
        let n = n.unwrap_or(usize::MAX).min(a.received.len());
        let nbls: Vec<u64> = if shuffle {
            (0..n)
                .filter_map(|_| {
                    let i = rng.below(a.received.len() as u64) as usize;
                    a.received.swap_remove_back(i)
                })
                .collect()
        } else {
            a.received.drain(..n).collect()
        };
        for &nbl in &nbls {
            self.ownership.release(nbl);
        }
        for pair in nbls.windows(2) {
            let _ = mem.write_u64(pair[0] + off!(NET_BUFFER_LIST, Next), pair[1]);
        }
        if let Some(&last) = nbls.last() {
            let _ = mem.write_u64(last + off!(NET_BUFFER_LIST, Next), 0);
        }
        (nbls.first().copied().unwrap_or(0), nbls.len())
    }

    /// Received NBLs NDIS currently owns for `adapter`.
    pub fn received_outstanding(&self, adapter: u64) -> usize {
        self.ownership.adapter_refs(adapter) as usize
    }
}
