//! The vSwitch script's hardware phases, for the PCI-backed adapter (QEMU's 82576) only:
//!
//! 1. after MiniportInitializeEx, wait for the driver to report the link up (the 82576
//!    auto-negotiates for about half a second after the driver's reset);
//! 2. a transmit check: a few frames of different sizes sent through the driver must leave on
//!    the device's wire byte for byte ([`Sim::wire_transmit`], `wire.transmit-mismatch`);
//! 3. a link down/up: the cable is pulled and plugged back (QMP `set_link`); the driver must
//!    indicate NDIS_STATUS_LINK_STATE disconnected, then connected, and traffic afterwards must
//!    still reach every queue;
//! 4. a FREE_QUEUE while frames for the queue sit in the device: frames for one queue go into
//!    the wire and land by DMA, then (no interrupt delivered) CLEAR_FILTER and FREE_QUEUE of that
//!    queue, then the interrupts, then traffic for the others, which must lose nothing. What the
//!    driver does with the stranded frames is judged by the rules (no indication from a queue
//!    being freed, `shared-memory.written-after-dma-stopped`).
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-status-link-state>
//! and <https://learn.microsoft.com/windows-hardware/drivers/network/freeing-a-vm-queue>.

use std::time::{Duration, Instant};

use ndis_sys::{MediaConnectStateConnected, MediaConnectStateDisconnected};

use super::script::{FRAMES_PER_SEND, Returns, Run};
use crate::model::Env;
use crate::model::frames::FrameSpec;
use crate::sim::AdapterId;

/// How long the driver may take to report the link up (auto-negotiation takes ~0.5 s).
pub const LINK_WAIT: Duration = Duration::from_secs(5);
/// A destination outside the host: what the transmit check sends.
pub const EXTERNAL_MAC: [u8; 6] = [0x02, 0x15, 0x5D, 0xEE, 0x00, 0x01];
/// Frame lengths of the transmit check.
pub const TRANSMIT_LENGTHS: [usize; 3] = [60, 515, 1514];
/// Frames per queue of the traffic phase after the link cycle.
const AFTER_LINK_FRAMES: u64 = 4;

impl<E: Env> Run<'_, E> {
    /// Waits for the driver to report the link up after MiniportInitializeEx.
    pub(super) fn wait_for_link_up(&mut self, a: AdapterId) {
        let start = Instant::now();
        let up = self.sim.wait_for_link(a, true, LINK_WAIT).unwrap_or(false);
        if let Some(p) = self.pci.as_mut() {
            // CAST: a wait of a few seconds.
            p.link_up_after_initialize = up.then(|| start.elapsed().as_millis() as u64);
        }
    }

    /// The hardware phases 2-4 (see the module documentation); `Err` says what failed.
    pub(super) fn hardware_phases(&mut self, a: AdapterId) -> Result<(), String> {
        let mut problems = Vec::new();
        if let Err(e) = self.transmit_check(a) {
            problems.push(e);
        }
        if let Err(e) = self.link_cycle(a) {
            problems.push(e);
        }
        if let Err(e) = self.free_with_frames_in_device(a) {
            problems.push(e);
        }
        let indicated = self.sim.with_model(|m, _| m.adapter(a.0).map_or(0, |s| s.received_by_queue.values().sum()));
        if let Some(p) = self.pci.as_mut() {
            p.frames_indicated = indicated;
        }
        if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
    }

    fn transmit_check(&mut self, a: AdapterId) -> Result<(), String> {
        let specs: Vec<FrameSpec> = TRANSMIT_LENGTHS.iter().map(|&len| FrameSpec::new(EXTERNAL_MAC, len)).collect();
        let check = self.sim.wire_transmit(a, &specs).map_err(|e| format!("transmit check: {e}"))?;
        if let Some(p) = self.pci.as_mut() {
            p.transmit = Some((check.sent.len(), check.on_wire.len(), check.mismatches));
        }
        Ok(())
    }

    fn link_cycle(&mut self, a: AdapterId) -> Result<(), String> {
        let before = self.sim.link_indications(a).len();
        self.sim.set_link(false).map_err(|e| format!("pulling the cable: {e}"))?;
        let down = self.sim.wait_for_link(a, false, LINK_WAIT).map_err(|e| format!("link down: {e}"))?;
        self.sim.set_link(true).map_err(|e| format!("plugging the cable: {e}"))?;
        let up = self.sim.wait_for_link(a, true, LINK_WAIT).map_err(|e| format!("link up: {e}"))?;
        let seen: Vec<Option<i32>> = self.sim.link_indications(a).split_off(before);
        if let Some(p) = self.pci.as_mut() {
            p.link_cycle.clone_from(&seen);
        }
        let ends_right = seen.ends_with(&[Some(MediaConnectStateDisconnected), Some(MediaConnectStateConnected)]);
        if !(down && up && ends_right) {
            return Err(format!(
                "link cycle: expected NDIS_STATUS_LINK_STATE disconnected then connected, saw {seen:?} \
                 (down reported: {down}, up reported: {up})"
            ));
        }
        let live = self.live().len() as u64;
        let before = self.sim.traffic(a);
        self.send(a, AFTER_LINK_FRAMES * live.max(1), Returns::EachBatch)?;
        let after = self.sim.traffic(a);
        self.check_delivery(&before, &after).map_err(|e| format!("after the link came back: {e}"))
    }

    fn free_with_frames_in_device(&mut self, a: AdapterId) -> Result<(), String> {
        let Some((queue, (mac, vlan))) =
            self.queues.iter().rev().find(|o| o.filter_id().is_some()).and_then(|o| Some((o.live()?, o.address)))
        else {
            return Ok(());
        };
        let spec = FrameSpec::new(mac, 128);
        let spec = vlan.map_or(spec, |id| spec.vlan(id));
        let frames = vec![spec; FRAMES_PER_SEND];
        self.sim.wire_put_frames(&frames).map_err(|e| format!("frames for {queue}: {e}"))?;
        self.sim.wire_quiesce().map_err(|e| format!("frames for {queue}: {e}"))?;
        if let Some(p) = self.pci.as_mut() {
            p.freed_with_frames = Some((queue.0, frames.len() as u64));
        }
        self.clear_and_free_queues(a, &[queue])?;
        self.sim.deliver_interrupts().map_err(|e| format!("after freeing {queue}: {e}"))?;
        self.sim.return_received(a);
        if self.live().is_empty() {
            return Ok(());
        }
        let before = self.sim.traffic(a);
        let live = self.live().len() as u64;
        self.send(a, AFTER_LINK_FRAMES * live, Returns::EachBatch)?;
        let after = self.sim.traffic(a);
        self.check_delivery(&before, &after)
            .map_err(|e| format!("after freeing {queue} with frames in the device: {e}"))
    }
}
