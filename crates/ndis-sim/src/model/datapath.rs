//! Send side of the data path: the NBL chains NDIS builds for MiniportSendNetBufferLists (one
//! traffic-source frame per NBL) and NdisMSendNetBufferListsComplete. The receive side is in
//! `receive.rs`.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/sending-network-data>.

use std::collections::BTreeSet;

use super::config::DISPATCH_LEVEL;
use super::frames::{FrameKey, FrameSpec, build_frame};
use super::memory::{AddressSpace, Fault, MemExt};
use super::nbl_pool::MDL_FLAGS;
use super::{Model, rules};

/// Longest NBL chain the model walks (guards against cycles).
const MAX_CHAIN: usize = 1 << 20;
/// Offsets inside one send block: NBL, NET_BUFFER, MDL (header + 4 PFNs: a 9014-byte jumbo
/// frame spans up to four pages), frame.
const NB_AT: u64 = 336;
const MDL_AT: u64 = NB_AT + 176;
const FRAME_AT: u64 = MDL_AT + 80;
const _: () = assert!(size!(NET_BUFFER_LIST) as u64 == NB_AT);
const _: () = assert!(size!(NET_BUFFER) as u64 == MDL_AT - NB_AT);

/// A send chain the model built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendChain {
    /// First NBL.
    pub head: u64,
    /// Every NBL of the chain, in order.
    pub nbls: Vec<u64>,
    /// Sequence number of the first frame (the others follow consecutively).
    pub first_sequence: u64,
    /// The bytes of each NBL's frame, in chain order.
    pub frames: Vec<Vec<u8>>,
}

impl Model {
    /// Builds a chain of one NBL per frame (one NET_BUFFER, one MDL, the frame bytes each) for
    /// `sender`'s MiniportSendNetBufferLists, numbers the frames, records them as sent to
    /// `receiver` (0: none in particular) with the queue the receiver's filters send them to,
    /// and marks the NBLs outstanding on the sender. `None` if memory ran out (nothing is left
    /// allocated).
    pub fn build_send_chain(
        &mut self,
        mem: &mut dyn AddressSpace,
        sender: u64,
        receiver: u64,
        specs: &[FrameSpec],
    ) -> Result<Option<SendChain>, Fault> {
        let mut blocks = Vec::with_capacity(specs.len());
        for spec in specs {
            let Some(b) = mem.alloc(FRAME_AT as usize + spec.len, 16) else {
                blocks.iter().for_each(|b| mem.free(*b));
                return Ok(None);
            };
            blocks.push(b);
        }
        let first_sequence = self.traffic.next_sequence();
        let mut frame = Vec::with_capacity(specs.iter().map(|s| s.len).max().unwrap_or(0));
        let mut frames = Vec::with_capacity(specs.len());
        for (i, (&nbl, spec)) in blocks.iter().zip(specs).enumerate() {
            let key = FrameKey { dst: spec.dst, vlan: spec.vlan };
            let expected = self.adapter(receiver).map_or(0, |a| a.filters.expected_queue(&key));
            let sequence = self.traffic.record_send(receiver, Some(sender), *spec, expected);
            build_frame(&mut frame, spec, sequence, expected);
            let next = blocks.get(i + 1).copied().unwrap_or(0);
            write_send_nbl(mem, nbl, &frame, next)?;
            frames.push(frame.clone());
            self.send_blocks.insert(nbl);
            if let Some(a) = self.adapter_mut(sender) {
                a.sends_outstanding.insert(nbl);
            }
        }
        Ok(blocks.first().map(|&head| SendChain { head, nbls: blocks.clone(), first_sequence, frames }))
    }

    /// Reads an NBL chain starting at `head` (stops at NULL, a repeat, or a fault).
    pub(super) fn walk_chain(&mut self, mem: &dyn AddressSpace, api: &str, head: u64) -> Vec<u64> {
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
    pub fn send_complete(&mut self, mem: &mut dyn AddressSpace, adapter: u64, head: u64, _flags: u32) {
        const API: &str = "NdisMSendNetBufferListsComplete";
        if !self.check_adapter(adapter, API) {
            return;
        }
        if self.irql > DISPATCH_LEVEL {
            self.violate(rules::SEND_IRQL, format!("{API} at IRQL {} (> DISPATCH_LEVEL)", self.irql));
        }
        for nbl in self.walk_chain(mem, API, head) {
            let known = self.adapter_mut(adapter).is_some_and(|a| a.sends_outstanding.remove(&nbl));
            if !known {
                self.violate(
                    rules::SEND_UNKNOWN_NBL,
                    format!("{API}: NBL {nbl:#x} is not a send outstanding on adapter {adapter:#x}"),
                );
                continue;
            }
            let status = mem.read_u32(nbl + off!(NET_BUFFER_LIST, Status)).unwrap_or(0) as i32;
            if let Some(a) = self.adapter_mut(adapter) {
                a.send_completions.push((nbl, status));
            }
            if self.send_blocks.remove(&nbl) {
                mem.free(nbl);
            }
        }
    }
}

/// Fills one send block: the frame, its MDL, NET_BUFFER and NBL (linked to `next`).
fn write_send_nbl(mem: &mut dyn AddressSpace, nbl: u64, frame: &[u8], next: u64) -> Result<(), Fault> {
    let (nb, mdl, data) = (nbl + NB_AT, nbl + MDL_AT, nbl + FRAME_AT);
    let len = frame.len() as u32;
    mem.write(data, frame)?;
    let pages = ((data & 0xfff) + u64::from(len)).div_ceil(0x1000);
    mem.write_u64(mdl + off!(MDL, MappedSystemVa), data)?;
    mem.write_u64(mdl + off!(MDL, StartVa), data & !0xfff)?;
    mem.write_u32(mdl + off!(MDL, ByteCount), len)?;
    mem.write_u32(mdl + off!(MDL, ByteOffset), (data & 0xfff) as u32)?;
    mem.write_u16(mdl + off!(MDL, Size), (size!(MDL) as u64 + 8 * pages) as u16)?;
    mem.write_u16(mdl + off!(MDL, MdlFlags), MDL_FLAGS)?;
    mem.write_u64(nb + off!(NET_BUFFER, CurrentMdl), mdl)?;
    mem.write_u64(nb + off!(NET_BUFFER, MdlChain), mdl)?;
    mem.write_u32(nb + off!(NET_BUFFER, DataLength), len)?;
    mem.write_u64(nbl + off!(NET_BUFFER_LIST, FirstNetBuffer), nb)?;
    mem.write_u64(nbl + off!(NET_BUFFER_LIST, Next), next)
}
