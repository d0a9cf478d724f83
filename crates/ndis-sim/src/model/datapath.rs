//! Data path: sends NDIS builds and the miniport completes, receive indications and returns.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/sending-network-data>.

use std::collections::BTreeSet;

use ndis_sys::{
    NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL, NDIS_RECEIVE_FLAGS_RESOURCES, NetBufferListFilteringInfo,
};

use super::adapter::Phase;
use super::config::DISPATCH_LEVEL;
use super::memory::{AddressSpace, Fault, MemExt};
use super::{Model, rules};

/// Length of the frame each sent NBL carries.
const FRAME_LEN: u32 = 60;
/// `MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL`.
const MDL_FLAGS: u16 = 0x0001 | 0x0004;
/// Longest NBL chain the model walks (guards against cycles).
const MAX_CHAIN: usize = 1 << 16;

/// Blocks backing one sent NBL: NBL, NET_BUFFER, MDL, frame.
type SendBlocks = [u64; 4];

impl Model {
    /// Builds a chain of `count` NBLs (one NET_BUFFER, one MDL, a 60-byte broadcast frame each)
    /// and records them as outstanding. Returns the head (0 if allocation failed).
    pub fn build_send_chain(
        &mut self,
        mem: &mut dyn AddressSpace,
        adapter: u64,
        count: u32,
    ) -> Result<u64, Fault> {
        let mut head = 0;
        for i in (0..count).rev() {
            let Some(blocks) = alloc_send_blocks(mem) else {
                return Ok(head);
            };
            let [nbl, nb, mdl, frame] = blocks;
            let mut data = vec![0xff; 6];
            data.extend_from_slice(&[0x02, 0, 0, 0, 0, 1, 0x08, 0x00]);
            data.extend_from_slice(&i.to_le_bytes());
            mem.write(frame, &data)?;
            mem.write_u64(mdl + off!(MDL, MappedSystemVa), frame)?;
            mem.write_u64(mdl + off!(MDL, StartVa), frame & !0xfff)?;
            mem.write_u32(mdl + off!(MDL, ByteCount), FRAME_LEN)?;
            mem.write_u32(mdl + off!(MDL, ByteOffset), (frame & 0xfff) as u32)?;
            mem.write_u16(mdl + off!(MDL, Size), (size!(MDL) + 8) as u16)?;
            mem.write_u16(mdl + off!(MDL, MdlFlags), MDL_FLAGS)?;
            mem.write_u64(nb + off!(NET_BUFFER, CurrentMdl), mdl)?;
            mem.write_u64(nb + off!(NET_BUFFER, MdlChain), mdl)?;
            mem.write_u32(nb + off!(NET_BUFFER, DataLength), FRAME_LEN)?;
            mem.write_u64(nbl + off!(NET_BUFFER_LIST, FirstNetBuffer), nb)?;
            mem.write_u64(nbl + off!(NET_BUFFER_LIST, Next), head)?;
            head = nbl;
            self.send_blocks.insert(nbl, blocks);
            if let Some(a) = self.adapter_mut(adapter) {
                a.sends_outstanding.insert(nbl);
            }
        }
        Ok(head)
    }

    /// Reads an NBL chain starting at `head` (stops at NULL, a repeat, or a fault).
    fn walk_chain(&mut self, mem: &dyn AddressSpace, api: &str, head: u64) -> Vec<u64> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        let mut at = head;
        while at != 0 && out.len() < MAX_CHAIN && seen.insert(at) {
            out.push(at);
            match mem.read_u64(at + off!(NET_BUFFER_LIST, Next)) {
                Ok(next) => at = next,
                Err(fault) => {
                    self.violate(rules::MEMORY_FAULT, format!("{api}: {fault}"));
                    break;
                }
            }
        }
        out
    }

    /// `NdisMSendNetBufferListsComplete` (<= DISPATCH).
    pub fn send_complete(
        &mut self,
        mem: &mut dyn AddressSpace,
        adapter: u64,
        head: u64,
        _flags: u32,
    ) {
        const API: &str = "NdisMSendNetBufferListsComplete";
        if !self.check_adapter(adapter, API) {
            return;
        }
        if self.irql > DISPATCH_LEVEL {
            self.violate(
                rules::SEND_IRQL,
                format!("{API} at IRQL {} (> DISPATCH_LEVEL)", self.irql),
            );
        }
        for nbl in self.walk_chain(mem, API, head) {
            let known = self
                .adapter_mut(adapter)
                .is_some_and(|a| a.sends_outstanding.remove(&nbl));
            if !known {
                self.violate(
                    rules::SEND_UNKNOWN_NBL,
                    format!(
                        "{API}: NBL {nbl:#x} is not a send outstanding on adapter {adapter:#x}"
                    ),
                );
                continue;
            }
            let status = mem
                .read_u32(nbl + off!(NET_BUFFER_LIST, Status))
                .unwrap_or(0) as i32;
            if let Some(a) = self.adapter_mut(adapter) {
                a.send_completions.push((nbl, status));
            }
            if let Some(blocks) = self.send_blocks.remove(&nbl) {
                blocks.iter().for_each(|&b| mem.free(b));
            }
        }
    }

    /// `NdisMIndicateReceiveNetBufferLists` (<= DISPATCH).
    pub fn indicate_receive(
        &mut self,
        mem: &dyn AddressSpace,
        adapter: u64,
        head: u64,
        count: u32,
        flags: u32,
    ) {
        const API: &str = "NdisMIndicateReceiveNetBufferLists";
        if !self.check_adapter(adapter, API) {
            return;
        }
        if self.irql > DISPATCH_LEVEL {
            self.violate(
                rules::RECEIVE_MISUSE,
                format!("{API} at IRQL {} (> DISPATCH_LEVEL)", self.irql),
            );
        }
        if flags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL != 0 && self.irql != DISPATCH_LEVEL {
            self.violate(
                rules::RECEIVE_MISUSE,
                format!(
                    "{API} with NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL at IRQL {}",
                    self.irql
                ),
            );
        }
        if !matches!(self.phase(adapter), Some(Phase::Running | Phase::Pausing)) {
            self.violate(
                rules::RECEIVE_MISUSE,
                format!("{API} while adapter {adapter:#x} is not running"),
            );
        }
        let chain = self.walk_chain(mem, API, head);
        if chain.len() != count as usize {
            self.violate(
                rules::RECEIVE_MISUSE,
                format!(
                    "{API}: NumberOfNetBufferLists {count} but the chain has {} NBLs",
                    chain.len()
                ),
            );
        }
        let info = off!(NET_BUFFER_LIST, NetBufferListInfo) + 8 * NetBufferListFilteringInfo as u64;
        for &nbl in &chain {
            let source = mem
                .read_u64(nbl + off!(NET_BUFFER_LIST, SourceHandle))
                .unwrap_or(0);
            if source != adapter {
                self.violate(
                    rules::RECEIVE_MISUSE,
                    format!(
                        "{API}: NBL {nbl:#x} SourceHandle {source:#x} is not the adapter handle"
                    ),
                );
            }
            let queue = u32::from(mem.read_u16(nbl + info + 2).unwrap_or(0));
            if !self.adapter(adapter).is_some_and(|a| a.queue_exists(queue)) {
                self.violate(
                    rules::RECEIVE_MISUSE,
                    format!(
                        "{API}: NBL {nbl:#x} names receive queue {queue}, which is not allocated"
                    ),
                );
            }
            if let Some(a) = self.adapter_mut(adapter) {
                *a.received_by_queue.entry(queue).or_default() += 1;
                if flags & NDIS_RECEIVE_FLAGS_RESOURCES == 0 {
                    a.received.push(nbl);
                }
            }
        }
    }

    /// Takes the received NBLs NDIS owns, relinked into one chain for MiniportReturnNetBufferLists.
    /// Returns (head, count); head 0 when there is nothing to return.
    pub fn take_received_chain(
        &mut self,
        mem: &mut dyn AddressSpace,
        adapter: u64,
    ) -> (u64, usize) {
        let nbls = self
            .adapter_mut(adapter)
            .map(|a| std::mem::take(&mut a.received))
            .unwrap_or_default();
        for pair in nbls.windows(2) {
            let _ = mem.write_u64(pair[0] + off!(NET_BUFFER_LIST, Next), pair[1]);
        }
        if let Some(&last) = nbls.last() {
            let _ = mem.write_u64(last + off!(NET_BUFFER_LIST, Next), 0);
        }
        (nbls.first().copied().unwrap_or(0), nbls.len())
    }
}

fn alloc_send_blocks(mem: &mut dyn AddressSpace) -> Option<SendBlocks> {
    let nbl = mem.alloc(size!(NET_BUFFER_LIST), 16)?;
    let nb = mem.alloc(size!(NET_BUFFER), 16)?;
    let mdl = mem.alloc(size!(MDL) + 8, 16)?;
    let frame = mem.alloc(FRAME_LEN as usize, 16)?;
    Some([nbl, nb, mdl, frame])
}
