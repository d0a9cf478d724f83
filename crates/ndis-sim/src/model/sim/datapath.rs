//! Host actions over the data path: sends and returning received NBLs.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/sending-network-data>.

use ndis_sys::{NDIS_RETURN_FLAGS_DISPATCH_LEVEL, NDIS_SEND_FLAGS_DISPATCH_LEVEL};

use super::super::adapter::Phase;
use super::super::calls::{Env, MiniportCall};
use super::super::config::DISPATCH_LEVEL;
use super::{AdapterId, Sim, SimError};

/// What became of one `send`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SendResult {
    /// NBLs handed to MiniportSendNetBufferLists.
    pub sent: u32,
    /// NBL Status of each NBL of this send completed so far, in completion order.
    pub completed: Vec<i32>,
    /// Sends of the adapter still outstanding (this and earlier sends).
    pub outstanding: usize,
}

impl<E: Env> Sim<E> {
    /// Sends `count` NBLs (one 60-byte frame each) in one MiniportSendNetBufferLists call, at
    /// the configured send IRQL (DISPATCH by default), then settles.
    pub fn send(&mut self, a: AdapterId, count: u32) -> Result<SendResult, SimError> {
        let (handler, context) = self.adapter_call_target(a, |h| h.send)?;
        if self.phase(a) != Some(Phase::Running) {
            return Err(SimError::InvalidState(
                a,
                "NDIS sends only to a running adapter",
            ));
        }
        let head = self
            .with_model(|m, mem| m.build_send_chain(mem, a.0, count))
            .map_err(|_| SimError::Memory)?;
        if head == 0 {
            return Err(SimError::Memory);
        }
        let nbls = self.with_model(|m, _| {
            m.adapter(a.0)
                .map(|s| s.sends_outstanding.clone())
                .unwrap_or_default()
        });
        let before = self.with_model(|m, _| m.adapter(a.0).map_or(0, |s| s.send_completions.len()));
        let irql = self.with_model(|m, _| m.config().send_irql);
        let flags = if irql == DISPATCH_LEVEL {
            NDIS_SEND_FLAGS_DISPATCH_LEVEL
        } else {
            0
        };
        self.invoke(
            MiniportCall::Send {
                handler,
                context,
                nbl: head,
                port: 0,
                flags,
            },
            irql,
        );
        self.settle();
        Ok(self.with_model(|m, _| {
            let s = m.adapter(a.0);
            let completed = s
                .map(|s| {
                    s.send_completions[before..]
                        .iter()
                        .filter(|(n, _)| nbls.contains(n))
                        .map(|(_, st)| *st)
                        .collect()
                })
                .unwrap_or_default();
            SendResult {
                sent: count,
                completed,
                outstanding: s.map_or(0, |s| s.sends_outstanding.len()),
            }
        }))
    }

    /// Returns every received NBL NDIS owns for `a` in one MiniportReturnNetBufferLists call
    /// (at the configured return IRQL). Returns how many NBLs were returned.
    pub fn return_received(&mut self, a: AdapterId) -> usize {
        let Ok((handler, context)) = self.adapter_call_target(a, |h| h.return_nbls) else {
            return 0;
        };
        let (head, count) = self.with_model(|m, mem| m.take_received_chain(mem, a.0));
        if count == 0 {
            return 0;
        }
        let irql = self.with_model(|m, _| m.config().return_irql);
        let flags = if irql == DISPATCH_LEVEL {
            NDIS_RETURN_FLAGS_DISPATCH_LEVEL
        } else {
            0
        };
        self.invoke(
            MiniportCall::Return {
                handler,
                context,
                nbl: head,
                flags,
            },
            irql,
        );
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
