//! Host actions over the data path: the traffic source (sends of real Ethernet frames),
//! returning received NBLs (all, the oldest n, or n at random), and the traffic report.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/sending-network-data>.

use std::collections::BTreeSet;
use std::ops::Range;

use ndis_sys::{NDIS_RETURN_FLAGS_DISPATCH_LEVEL, NDIS_SEND_FLAGS_DISPATCH_LEVEL};

use super::{AdapterId, Sim, SimError};
use crate::model::adapter::Phase;
use crate::model::calls::{Env, MiniportCall};
use crate::model::config::DISPATCH_LEVEL;
use crate::model::frames::{BROADCAST_MAC, FrameSpec, MIN_FRAME_LEN};
use crate::model::traffic::Traffic;

/// What became of one `send` / `send_frames`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SendResult {
    /// NBLs handed to MiniportSendNetBufferLists.
    pub sent: u32,
    /// NBL Status of each NBL of this send completed so far, in completion order.
    pub completed: Vec<i32>,
    /// Sends of the adapter still outstanding (this and earlier sends).
    pub outstanding: usize,
    /// Sequence numbers given to the frames of this send, in chain order.
    pub sequences: Range<u64>,
}

/// Which received NBLs a return hands back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pick {
    All,
    Oldest(usize),
    Random(usize),
}

impl<E: Env> Sim<E> {
    /// Sends `count` NBLs (one 60-byte broadcast frame each) in one MiniportSendNetBufferLists
    /// call, at the configured send IRQL (DISPATCH by default), then settles.
    pub fn send(&mut self, a: AdapterId, count: u32) -> Result<SendResult, SimError> {
        let specs = vec![FrameSpec::new(BROADCAST_MAC, MIN_FRAME_LEN); count as usize];
        self.send_frames(a, &specs)
    }

    /// The traffic source: frames for adapter `a`, one NBL per frame in one
    /// MiniportSendNetBufferLists call of the support adapter ([`Sim::support_adapter`]; of `a`
    /// itself when `HostConfig::support_adapter` is off), at the configured send IRQL, then
    /// settles. Each frame is a real Ethernet frame (`dst`, a fixed source MAC, an optional
    /// 802.1Q tag, EtherType 0x88B5, a header with a host-wide sequence number and the queue
    /// `a`'s filters send it to, padding to `len`); every frame `a` indicates is checked against
    /// this record (filters, order, content), and one indicated by its sender breaks
    /// `receive.loopback` when the sender claims NDIS_MAC_OPTION_NO_LOOPBACK. See [`Sim::traffic`].
    pub fn send_frames(&mut self, a: AdapterId, frames: &[FrameSpec]) -> Result<SendResult, SimError> {
        self.send_recorded(a, frames).map(|(result, _)| result)
    }

    /// `a`'s own send path: the frames go through `a`'s MiniportSendNetBufferLists, to no
    /// adapter in particular (on a shared segment the others may receive them; `a` must not).
    /// The result is `a`'s completions.
    pub fn send_from(&mut self, a: AdapterId, frames: &[FrameSpec]) -> Result<SendResult, SimError> {
        self.send_chain(a, 0, frames).map(|(result, _)| result)
    }

    /// [`Sim::send_frames`], also returning the bytes of each frame sent, in chain order.
    fn send_recorded(&mut self, a: AdapterId, frames: &[FrameSpec]) -> Result<(SendResult, Vec<Vec<u8>>), SimError> {
        // The PCI adapter's frames go through its own send path to the device's wire.
        let via_support = self.with_model(|m, _| {
            m.config().support_adapter && m.support_adapter() != Some(a.0) && m.pci_adapter() != Some(a.0)
        });
        if !via_support {
            return self.send_chain(a, a.0, frames);
        }
        self.adapter_call_target(a, |h| h.send)?;
        let support = self.support_adapter()?;
        self.send_chain(support, a.0, frames)
    }

    /// Sends `frames` through `sender`'s MiniportSendNetBufferLists, recorded as sent to
    /// `receiver` (0: none in particular), also returning the bytes of each frame sent.
    pub(super) fn send_chain(
        &mut self,
        sender: AdapterId,
        receiver: u64,
        frames: &[FrameSpec],
    ) -> Result<(SendResult, Vec<Vec<u8>>), SimError> {
        let a = sender;
        let (handler, context) = self.adapter_call_target(a, |h| h.send)?;
        if self.phase(a) != Some(Phase::Running) {
            return Err(SimError::InvalidState(a, "NDIS sends only to a running adapter"));
        }
        if let Some(e) = frames.iter().find_map(|f| f.validate().err()) {
            return Err(SimError::InvalidFrame(e));
        }
        if frames.is_empty() {
            return Ok((SendResult::default(), Vec::new()));
        }
        let chain = self
            .with_model(|m, mem| m.build_send_chain(mem, a.0, receiver, frames))
            .map_err(|_| SimError::Memory)?
            .ok_or(SimError::Memory)?;
        let before = self.with_model(|m, _| m.adapter(a.0).map_or(0, |s| s.send_completions.len()));
        let irql = self.with_model(|m, _| m.config().send_irql);
        let flags = if irql == DISPATCH_LEVEL { NDIS_SEND_FLAGS_DISPATCH_LEVEL } else { 0 };
        self.invoke(MiniportCall::Send { handler, context, nbl: chain.head, port: 0, flags }, irql);
        self.settle();
        let n = frames.len() as u64;
        let mine: BTreeSet<u64> = chain.nbls.iter().copied().collect();
        let sequences = chain.first_sequence..chain.first_sequence + n;
        let result = self.with_model(|m, _| {
            let s = m.adapter(a.0);
            let completed = s
                .map(|s| {
                    s.send_completions[before.min(s.send_completions.len())..]
                        .iter()
                        .filter(|(n, _)| mine.contains(n))
                        .map(|(_, st)| *st)
                        .collect()
                })
                .unwrap_or_default();
            SendResult {
                sent: frames.len() as u32,
                completed,
                outstanding: s.map_or(0, |s| s.sends_outstanding.len()),
                sequences,
            }
        });
        Ok((result, chain.frames))
    }

    /// The traffic source's report for `a`: per queue, frames sent there (by the filters at
    /// send time), delivered, dropped, misdelivered, and whether they arrived in order.
    pub fn traffic(&mut self, a: AdapterId) -> Traffic {
        self.with_model(|m, _| m.traffic(a.0))
    }

    /// Returns every received NBL NDIS owns for `a` in one MiniportReturnNetBufferLists call
    /// (at the configured return IRQL, DISPATCH by default). Returns how many were returned.
    pub fn return_received(&mut self, a: AdapterId) -> usize {
        self.return_some(a, Pick::All)
    }

    /// Returns the `n` oldest received NBLs NDIS owns for `a` (fewer if it owns fewer), in
    /// indication order, in one MiniportReturnNetBufferLists call.
    pub fn return_received_partial(&mut self, a: AdapterId, n: usize) -> usize {
        self.return_some(a, Pick::Oldest(n))
    }

    /// Returns `n` received NBLs picked at random (seeded by the host seed) among those NDIS
    /// owns for `a`, chained in random order, in one MiniportReturnNetBufferLists call.
    pub fn return_received_shuffled(&mut self, a: AdapterId, n: usize) -> usize {
        self.return_some(a, Pick::Random(n))
    }

    /// Indicated NBLs NDIS owns for `a` (not returned yet).
    pub fn received_outstanding(&mut self, a: AdapterId) -> usize {
        self.with_model(|m, _| m.received_outstanding(a.0))
    }

    fn return_some(&mut self, a: AdapterId, pick: Pick) -> usize {
        let Ok((handler, context)) = self.adapter_call_target(a, |h| h.return_nbls) else {
            return 0;
        };
        let (n, shuffle) = match pick {
            Pick::All => (None, false),
            Pick::Oldest(n) => (Some(n), false),
            Pick::Random(n) => (Some(n), true),
        };
        let (head, count) = self.with_model(|m, mem| m.take_received(mem, a.0, n, shuffle));
        if count == 0 {
            return 0;
        }
        let irql = self.with_model(|m, _| m.config().return_irql);
        let flags = if irql == DISPATCH_LEVEL { NDIS_RETURN_FLAGS_DISPATCH_LEVEL } else { 0 };
        self.invoke(MiniportCall::Return { handler, context, nbl: head, flags }, irql);
        count
    }

    /// Adapters not halted, in creation order.
    pub fn live_adapters(&mut self) -> Vec<AdapterId> {
        self.with_model(|m, _| {
            m.adapter_handles()
                .into_iter()
                .filter(|h| m.adapter(*h).is_some_and(|a| !a.phase.is_gone()))
                .map(AdapterId)
                .collect()
        })
    }
}
