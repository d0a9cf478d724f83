//! The stress's data-path actions: random frames through the wire (known and unknown MACs,
//! tagged, untagged and priority-tagged, every length — jumbo frames up to 9014 bytes to the
//! software NIC, whose adapters run with `*JumboPacket` 1514, 4088 or 9014) and received NBLs returned late, in
//! part and out of order; and completing a FREE_QUEUE pended on those NBLs.
//! <https://learn.microsoft.com/windows-hardware/drivers/network/vmq-receive-path>

use ndis_sim::FrameSpec;

use super::Stressor;
use super::actions::Action;
use super::world::FilterView;

/// Most frames in one send.
const MAX_FRAMES_PER_SEND: usize = 16;
const BROADCAST: [u8; 6] = [0xFF; 6];

impl Stressor {
    /// Random frames to adapter `i`: its own filters' addresses (matching, or with the wrong
    /// VLAN), another adapter's, unknown and broadcast MACs, VLAN 0 for untagged filters.
    pub(super) fn send(&mut self, i: usize) {
        let own: Vec<FilterView> = self.adapters[i].filters().map(|(_, f)| f).collect();
        let other: Vec<FilterView> = (0..self.adapters.len())
            .filter(|j| *j != i)
            .flat_map(|j| self.adapters[j].filters().map(|(_, f)| f).collect::<Vec<_>>())
            .collect();
        let n = self.rng.range(1, MAX_FRAMES_PER_SEND);
        let a = self.adapters[i].id;
        let pci = self.host.with_model(|m, _| m.pci_adapter()) == Some(a.0);
        let frames: Vec<FrameSpec> = (0..n).map(|_| self.frame(&own, &other, !pci)).collect();
        self.count(Action::Send);
        let sent = if pci {
            self.host.wire_send_frames(&frames).map(|_| ())
        } else {
            // One software send in four leaves its receive DPCs queued: they run after the
            // next host action's driver call (a FREE_QUEUE, pause, power cycle or halt then
            // meets frames still waiting for a DPC).
            let hold = self.rng.chance(25);
            self.host.with_model(|m, _| m.set_hold_kernel_dpcs(hold));
            let sent = self.host.send_frames(a, &frames).map(|_| ());
            self.host.with_model(|m, _| m.set_hold_kernel_dpcs(false));
            sent
        };
        if let Err(e) = sent {
            self.problem(format!("send failed: {e}"));
        }
    }

    /// One random frame; one in ten is a jumbo frame (1515..=9014 bytes) when `jumbo`.
    fn frame(&mut self, own: &[FilterView], other: &[FilterView], jumbo: bool) -> FrameSpec {
        let len = if jumbo && self.rng.chance(10) { self.rng.range(1515, 9014) } else { self.rng.range(60, 1514) };
        let roll = self.rng.below(100);
        // CAST: VLAN IDs below 4095.
        let random_vlan = |rng: &mut super::world::Rng| rng.range(1, 4094) as u16;
        let (mac, vlan) = match roll {
            0..50 if !own.is_empty() => self.rng.pick(own).map_or((BROADCAST, None), |f| (f.mac, f.vlan)),
            50..60 if !own.is_empty() => {
                let f = self.rng.pick(own).copied();
                match f {
                    Some(FilterView { mac, vlan: Some(v), .. }) => {
                        (mac, if self.rng.chance(50) { None } else { Some(v % 4094 + 1) })
                    }
                    Some(FilterView { mac, vlan: None, .. }) => (mac, Some(random_vlan(&mut self.rng))),
                    None => (BROADCAST, None),
                }
            }
            60..70 if !other.is_empty() => self.rng.pick(other).map_or((BROADCAST, None), |f| (f.mac, f.vlan)),
            70..75 => (BROADCAST, None),
            75..80 if own.iter().any(|f| f.vlan.is_none()) => {
                let untagged: Vec<&FilterView> = own.iter().filter(|f| f.vlan.is_none()).collect();
                (self.rng.pick(&untagged).map_or(BROADCAST, |f| f.mac), Some(0))
            }
            _ => {
                // CAST: a byte.
                let tail = [self.rng.below(256) as u8, self.rng.below(256) as u8, self.rng.below(256) as u8];
                let vlan = self.rng.chance(30).then(|| random_vlan(&mut self.rng));
                ([0x02, 0x15, 0x5F, tail[0], tail[1], tail[2]], vlan)
            }
        };
        let spec = FrameSpec::new(mac, len);
        vlan.map_or(spec, |v| spec.vlan(v))
    }

    /// Returns held NBLs of adapter `i`: all, the oldest n, or n picked at random in random
    /// order; then collects a FREE_QUEUE that was waiting for them.
    pub(super) fn return_some(&mut self, i: usize) {
        let a = self.adapters[i].id;
        let held = self.host.received_outstanding(a);
        self.count(Action::Return);
        match self.rng.below(10) {
            0..3 => self.host.return_received(a),
            3..6 => {
                let n = self.rng.range(1, held.max(1));
                self.host.return_received_partial(a, n)
            }
            _ => {
                let n = self.rng.range(1, held.max(1));
                self.host.return_received_shuffled(a, n)
            }
        };
        self.poll_pending_free(i);
    }

    /// Collects the completion of adapter `i`'s pended FREE_QUEUE if it has arrived.
    pub(super) fn poll_pending_free(&mut self, i: usize) {
        let Some((request, q)) = self.adapters.get(i).and_then(|a| a.pending_free) else {
            return;
        };
        let a = self.adapters[i].id;
        let done = self.host.take_oid_completions(a);
        let Some(result) = done.iter().find(|r| r.request_id == request) else {
            return;
        };
        self.status(Action::FreeQueue, result.status);
        let view = &mut self.adapters[i];
        view.pending_free = None;
        if result.status == ndis_sys::NDIS_STATUS_SUCCESS {
            view.queues.retain(|v| v.id != q);
        } else if !view.removed {
            self.problem(format!("pended FREE_QUEUE of {q} completed with {:#x}", result.status));
        }
    }

    /// Hands every held NBL of adapter `i` back so a pended FREE_QUEUE completes; a problem if
    /// it still does not.
    pub(super) fn settle_pending_free(&mut self, i: usize) {
        if self.adapters.get(i).is_none_or(|a| a.pending_free.is_none()) {
            return;
        }
        let a = self.adapters[i].id;
        self.host.return_received(a);
        self.poll_pending_free(i);
        if let Some((_, q)) = self.adapters[i].pending_free {
            self.problem(format!("FREE_QUEUE of {q} still pending after every NBL came back"));
            self.adapters[i].pending_free = None;
        }
    }
}
