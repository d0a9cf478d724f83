//! The transmit check of a PCI-backed adapter: NBLs sent through the driver's
//! MiniportSendNetBufferLists must leave on the device's wire byte for byte, in order.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_send_net_buffer_lists>.

use crate::model::calls::Env;
use crate::model::frames::FrameSpec;
use crate::model::pci::TRANSMIT_MISMATCH;

use super::{AdapterId, Delivery, SendResult, Sim, SimError};

/// Frames read off the wire beyond those sent, to catch extra ones (each read waits briefly).
const EXTRA_READS: usize = 2;

/// What became of one [`Sim::wire_transmit`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TransmitCheck {
    /// The send through MiniportSendNetBufferLists.
    pub send: SendResult,
    /// Interrupts delivered after the send (transmit completions).
    pub deliveries: Vec<Delivery>,
    /// The frames handed to the driver, in chain order.
    pub sent: Vec<Vec<u8>>,
    /// The frames that arrived on the wire, in arrival order.
    pub on_wire: Vec<Vec<u8>>,
    /// How many frames were missing, extra or different (each one a violation).
    pub mismatches: usize,
}

impl<E: Env> Sim<E> {
    /// Sends one NBL per frame through the PCI adapter's MiniportSendNetBufferLists (as
    /// [`Sim::send_frames`] does), delivers the interrupts that caused (transmit completion),
    /// reads the device's wire (each read a bounded wait) and compares: every frame missing,
    /// extra or different is a `wire.transmit-mismatch` violation.
    pub fn wire_transmit(&mut self, a: AdapterId, frames: &[FrameSpec]) -> Result<TransmitCheck, SimError> {
        if self.with_model(|m, _| m.pci_adapter()) != Some(a.0) {
            return Err(SimError::InvalidState(a, "the transmit check needs the PCI-backed adapter"));
        }
        let (send, sent) = self.send_chain(a, a.0, frames)?;
        let deliveries = self.deliver_interrupts()?;
        let mut on_wire = Vec::new();
        while on_wire.len() < sent.len() + EXTRA_READS {
            match self.wire_receive()? {
                Some(frame) => on_wire.push(frame),
                None => break,
            }
        }
        let problems = compare(&sent, &on_wire);
        let mismatches = problems.len();
        self.with_model(|m, _| problems.into_iter().for_each(|p| m.violate(TRANSMIT_MISMATCH, p)));
        Ok(TransmitCheck { send, deliveries, sent, on_wire, mismatches })
    }
}

/// One description per frame missing, extra or different, position by position.
fn compare(sent: &[Vec<u8>], on_wire: &[Vec<u8>]) -> Vec<String> {
    let mut problems = Vec::new();
    for i in 0..sent.len().max(on_wire.len()) {
        match (sent.get(i), on_wire.get(i)) {
            (Some(s), None) => problems.push(format!("frame {i} ({} bytes) sent but not on the wire", s.len())),
            (None, Some(w)) => problems.push(format!("frame {i} ({} bytes) on the wire but never sent", w.len())),
            (Some(s), Some(w)) if s != w => {
                let at = s.iter().zip(w).position(|(x, y)| x != y).unwrap_or(s.len().min(w.len()));
                problems.push(format!(
                    "frame {i}: sent {} bytes, {} on the wire, first difference at byte {at}",
                    s.len(),
                    w.len()
                ));
            }
            _ => {}
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::compare;

    #[test]
    fn missing_extra_and_different_frames_are_each_one_problem() {
        let (a, b) = (vec![1u8, 2, 3], vec![4u8, 5]);
        assert!(compare(&[a.clone(), b.clone()], &[a.clone(), b.clone()]).is_empty());
        assert_eq!(compare(&[a.clone(), b.clone()], std::slice::from_ref(&a)).len(), 1);
        assert_eq!(compare(std::slice::from_ref(&a), &[a.clone(), b.clone()]).len(), 1);
        let p = compare(&[vec![1, 2, 3]], &[vec![1, 9, 3]]);
        assert!(p.len() == 1 && p[0].contains("byte 1"), "{p:?}");
    }
}
