//! Receive on a DMA NIC: buffers posted into the NIC's rings, completions reaped in the
//! interrupt message's DPC and indicated per queue, buffers re-posted as NDIS returns them,
//! and cancelled when a queue's DMA stops.
//!
//! The same receive memory, batches, indication and return path serve the software NIC;
//! for it nothing completes in a ring and nothing here runs. Posting is in `rings`.
//! <https://learn.microsoft.com/windows-hardware/drivers/network/vmq-receive-path>,
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_message_interrupt_dpc>.
//!
//! Hot path: no allocation, no blocking; under the adapter lock at DISPATCH_LEVEL.

use super::adapter::{Adapter, RunState};
use super::demux::DemuxKey;
use super::packet_filter;
use super::rings::{queue_memory, slot_memory};
use super::rx_memory::QueueSlot;
use super::rx_session::{BatchFull, RxSession, STRIP_TAG};
use crate::backend::{Link, NicBackend};
use crate::kernel::QueueId;
use crate::kernel::indicate::indicate_link_state;

impl<B: NicBackend> RxSession<'_, B> {
    /// The work of interrupt message `message`'s DPC: the link on the other causes, and every
    /// receive ring routed to this message, drained in ring order into per-queue batches
    /// (indicated when the session ends). Returns the new link state when it changed, and
    /// whether the message carries transmit completions.
    pub fn service(&mut self, message: u32) -> (Option<Link>, bool) {
        let Some(guard) = self.guard.as_mut() else { return (None, false) };
        let work = guard.backend.message_work(message);
        let link = if work.other { guard.backend.link_change() } else { None };
        let mut rings = work.rx_rings;
        while rings != 0 {
            let ring = rings.trailing_zeros();
            rings &= rings - 1;
            let queue = self.guard.as_ref().and_then(|g| g.backend.queue_of_ring(ring));
            if let Some(queue) = queue {
                self.drain(queue);
            }
        }
        if let Some(guard) = self.guard.as_mut() {
            guard.backend.message_done(message);
        }
        (link, work.tx)
    }

    /// Reaps every completed buffer of `queue`, then posts what is free again.
    fn drain(&mut self, queue: QueueId) {
        loop {
            match self.reap_one(queue) {
                Err(BatchFull) => self.flush(),
                Ok(false) => break,
                Ok(true) => {}
            }
        }
        if let Some(guard) = self.guard.as_mut() {
            guard.refill(queue);
        }
    }

    /// One completion of `queue`: indicated (batched), or its buffer taken back unused (a bad
    /// frame, a queue that may not indicate, an adapter paused or in low power, a default-queue
    /// frame the packet filter refuses). `Ok(false)`: nothing completed.
    fn reap_one(&mut self, queue: QueueId) -> Result<bool, BatchFull> {
        let slot = {
            let Some(guard) = self.guard.as_mut() else { return Ok(false) };
            match queue_memory(guard, queue) {
                Some((slot, _, _)) => slot,
                None => return Ok(false),
            }
        };
        let batch = self.batch_of(slot)?;
        let Some(guard) = self.guard.as_mut() else { return Ok(false) };
        let state = &mut **guard;
        let running = state.run == RunState::Running && !state.surprise_removed && !state.low_power;
        let Some(done) = state.backend.reap_receive(queue) else { return Ok(false) };
        // Perfect filtering ("VMQ receive path": VM-queue indications carry
        // NDIS_RECEIVE_FLAGS_PERFECT_FILTERED): a frame is indicated on a queue only when the
        // filter table sends it there. The NIC's pools are coarser — a pool accepting untagged
        // frames takes them for every address of the pool, a pool not enabled yet leaves its
        // frames to the default pool — so the header the NIC wrote (and the tag it moved into
        // the descriptor) is checked against the table before the buffer is indicated; the
        // default queue also applies the packet filter. The buffer is not indicated yet: no VM
        // has seen it.
        let header = slot_memory(state, slot).and_then(|(memory, _)| memory.header(done.buffer));
        let destination = header.map(|h| [h[0], h[1], h[2], h[3], h[4], h[5]]);
        let admitted = header.is_some_and(|header| {
            let key = if slot == QueueSlot::DEFAULT {
                DemuxKey::of_frame(&header)
            } else {
                // CAST: VlanId is bits 4-15 of the 802.1Q info the NIC reported.
                let vlan = ((done.ieee8021q >> 4) & 0x0FFF) as u16;
                DemuxKey::of_frame(&header[..14]).map(|k| DemuxKey::new(k.mac(), vlan))
            };
            let target = key.map(|k| {
                let t = state.demux.lookup(k).or_else(|| state.demux.lookup(k.with_any_vlan()));
                t.map_or(QueueSlot::DEFAULT, |t| QueueSlot::from_raw(t & !STRIP_TAG))
            });
            let multicast = &state.multicast[..state.multicast_len];
            target == Some(slot)
                && (slot != QueueSlot::DEFAULT
                    || destination.is_some_and(|d| {
                        packet_filter::accepts(state.packet_filter, &d, &state.current_address, multicast)
                    }))
        });
        // The buffer left the ring: from here it is either indicated or taken back.
        let Some((memory, may_indicate)) = slot_memory(state, slot) else { return Ok(true) };
        if !(running && may_indicate && done.good && admitted) {
            memory.cancel(done.buffer);
            if !done.good {
                state.counters.rcv_error += 1;
            }
            return Ok(true);
        }
        let Some(nbl) = memory.complete_tagged(done.buffer, done.length, done.ieee8021q) else {
            memory.cancel(done.buffer);
            state.counters.rcv_error += 1;
            return Ok(true);
        };
        state.outstanding += 1;
        state.counters.rcv.count_len(destination.as_ref().map(|d| &d[..]), u64::from(done.length));
        self.push(batch, slot, nbl);
        Ok(true)
    }
}

impl<B: NicBackend + Send> Adapter<B> {
    /// MiniportMessageInterruptDPC of `message` (DISPATCH_LEVEL, on the message's processor):
    /// drains the receive rings routed to it and indicates per queue, in ring order; indicates
    /// a link change. Returns whether transmit completions are due (the trampolines reap them:
    /// completing sends is NBL work).
    #[must_use]
    pub fn interrupt_dpc(&self, message: u32) -> bool {
        let mut session = self.receive_session(true);
        let (link, tx) = session.service(message);
        session.finish();
        if let Some(link) = link {
            indicate_link_state(self.handle(), link.up, link.speed);
        }
        tx
    }
}
