//! Interrupt delivery and the wire of a PCI-backed adapter.
//!
//! After a host action that can make the device DMA (a frame sent into its wire, or on request
//! after the driver armed a ring), the host waits (bounded) until the device is quiet, then
//! turns each MSI-X message it saw into `MiniportMessageInterrupt` at the device IRQL on the
//! message's processor and, when the handler asks for it, `MiniportMessageInterruptDPC` at
//! DISPATCH_LEVEL on the same processor. Messages are delivered by vector, lowest first, so
//! runs are deterministic.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_message_interrupt>.

use crate::model::calls::{Env, MiniportCall};
use crate::model::config::DISPATCH_LEVEL;
use crate::model::frames::FrameSpec;
use crate::model::memory::MemExt;
use crate::model::pci::{DEVICE_FAILED, DEVICE_IRQL};
use crate::model::processors::message_processor;

use super::{AdapterId, Sim, SimError};

/// `NDIS_INDICATE_ALL_NBLS` (`MaxNblsToIndicate` of NDIS_RECEIVE_THROTTLE_PARAMETERS).
const NDIS_INDICATE_ALL_NBLS: u32 = u32::MAX;
/// Rounds of one delivery (a DPC that refills a ring can let waiting frames in).
const DELIVERY_ROUNDS: usize = 4;

/// One delivered message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The MSI-X vector (MessageId).
    pub message_id: u32,
    /// The processor the handler and the DPC ran on.
    pub processor: u32,
    /// What MiniportMessageInterrupt returned.
    pub recognized: bool,
    /// Whether the DPC ran.
    pub dpc: bool,
}

impl<E: Env> Sim<E> {
    /// The adapter backed by the PCI device.
    pub(super) fn pci_adapter(&mut self) -> Result<AdapterId, SimError> {
        self.with_model(|m, _| m.pci_adapter()).map(AdapterId).ok_or(SimError::NoDriver)
    }

    /// Records a device failure and returns the error for it.
    pub(super) fn device_error(&mut self, a: AdapterId, what: &str, e: String) -> SimError {
        self.with_model(|m, _| m.violate(DEVICE_FAILED, format!("{what}: {e}")));
        SimError::InvalidState(a, "the PCI device failed")
    }

    /// Waits until the device is quiet and delivers every MSI-X message it sent since the last
    /// delivery (handler, then DPC), lowest vector first; again (a bounded number of rounds)
    /// while the handlers wrote a ring tail meanwhile.
    pub fn deliver_interrupts(&mut self) -> Result<Vec<Delivery>, SimError> {
        let was = self.with_model(|m, _| m.set_delivering(true));
        let mut delivered = Vec::new();
        let mut result = Ok(());
        for round in 0..DELIVERY_ROUNDS {
            if round > 0 && !self.with_model(|m, _| m.take_armed()) {
                break;
            }
            match self.deliver_round() {
                Ok(d) => delivered.extend(d),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.with_model(|m, _| m.set_delivering(was));
        result.map(|()| delivered)
    }

    /// One round of [`Sim::deliver_interrupts`].
    fn deliver_round(&mut self) -> Result<Vec<Delivery>, SimError> {
        let a = self.pci_adapter()?;
        self.with_model(|m, _| m.take_armed());
        let counts = self.with_model(|m, _| m.pci_device().map(|d| d.settle()));
        let counts = match counts {
            Some(Ok(c)) => c,
            Some(Err(e)) => return Err(self.device_error(a, "settle", e)),
            None => return Ok(Vec::new()),
        };
        let mut delivered = Vec::new();
        for (vector, &n) in (0u16..).zip(&counts) {
            for _ in 0..n {
                if let Some(d) = self.deliver_message(a, vector)? {
                    delivered.push(d);
                }
            }
        }
        Ok(delivered)
    }

    /// Delivers one message of `vector`; `None` when no interrupt is registered (the message
    /// is dropped, as an unconnected vector's would be).
    fn deliver_message(&mut self, a: AdapterId, vector: u16) -> Result<Option<Delivery>, SimError> {
        let Some((_, r)) = self.with_model(|m, _| m.interrupt_of(a.0)) else { return Ok(None) };
        if vector >= r.messages {
            return Ok(None);
        }
        let processor = self.with_model(|m, _| message_processor(vector, m.processor_count()));
        // Out-parameters of the handler and the DPC's throttle parameters.
        let scratch = self.with_model(|_, mem| {
            let s = mem.alloc(16, 8)?;
            mem.write_u32(s + 8, NDIS_INDICATE_ALL_NBLS).ok()?;
            Some(s)
        });
        let Some(scratch) = scratch else { return Err(SimError::Memory) };
        let previous = self.with_model(|m, _| m.set_current_processor(processor)).unwrap_or(0);
        let message_id = u32::from(vector);
        let isr = MiniportCall::MessageInterrupt {
            handler: r.message_handler,
            context: r.context,
            message_id,
            queue_dpc: scratch,
            target_processors: scratch + 4,
        };
        let recognized = self.invoke(isr, DEVICE_IRQL) & 0xFF != 0;
        let queue_dpc = self.with_model(|_, mem| mem.read_u8(scratch).unwrap_or(0)) != 0;
        let dpc = recognized && queue_dpc;
        if dpc {
            let call = MiniportCall::MessageInterruptDpc {
                handler: r.message_dpc_handler,
                context: r.context,
                message_id,
                dpc_context: 0,
                throttle: scratch + 8,
            };
            self.invoke(call, DISPATCH_LEVEL);
        }
        self.with_model(|m, mem| {
            m.set_current_processor(previous);
            mem.free(scratch);
            m.count_delivery(true, dpc);
        });
        self.run_queued_dpcs()?;
        Ok(Some(Delivery { message_id, processor, recognized, dpc }))
    }

    /// Runs the DPCs `NdisMQueueDpcEx` queued, oldest first, each at DISPATCH_LEVEL on its
    /// processor; returns how many ran.
    pub fn run_queued_dpcs(&mut self) -> Result<usize, SimError> {
        let mut ran = 0;
        while let Some((d, r)) = self.with_model(|m, _| m.take_queued_dpc()) {
            let throttle = self.with_model(|_, mem| {
                let t = mem.alloc(8, 8)?;
                mem.write_u32(t, NDIS_INDICATE_ALL_NBLS).ok()?;
                Some(t)
            });
            let Some(throttle) = throttle else { return Err(SimError::Memory) };
            let previous = self.with_model(|m, _| m.set_current_processor(d.processor)).unwrap_or(0);
            let call = MiniportCall::MessageInterruptDpc {
                handler: r.message_dpc_handler,
                context: r.context,
                message_id: d.message_id,
                dpc_context: d.context,
                throttle,
            };
            self.invoke(call, DISPATCH_LEVEL);
            self.with_model(|m, mem| {
                m.set_current_processor(previous);
                mem.free(throttle);
                m.count_delivery(false, true);
            });
            ran += 1;
        }
        Ok(ran)
    }

    /// Runs the DPCs `KeInsertQueueDpc` queued, oldest first, each at DISPATCH_LEVEL on its
    /// target processor (those they queue in turn too); returns how many ran.
    pub fn run_kernel_dpcs(&mut self) -> usize {
        let mut ran = 0;
        while let Some(d) = self.with_model(|m, _| m.take_queued_kernel_dpc()) {
            let previous = self.with_model(|m, _| m.set_current_processor(d.processor)).unwrap_or(0);
            let call = MiniportCall::KernelDpc {
                routine: d.object.routine,
                dpc: d.dpc,
                context: d.object.context,
                argument1: d.arguments.0,
                argument2: d.arguments.1,
            };
            self.invoke(call, DISPATCH_LEVEL);
            self.with_model(|m, _| m.set_current_processor(previous));
            ran += 1;
        }
        ran
    }

    /// `KeFlushQueuedDpcs` (PASSIVE_LEVEL): every queued DPC runs before it returns.
    pub fn flush_queued_dpcs(&mut self) {
        self.with_model(|m, _| m.check_flush_queued_dpcs());
        self.run_kernel_dpcs();
    }

    /// `NdisMSynchronizeWithInterruptEx`: runs `function(context)` at the device IRQL (a
    /// nested call into the driver, serialized with the message handler: one thread runs at a
    /// time here); returns its BOOLEAN. An unknown interrupt handle is reported and nothing runs.
    pub fn synchronize_with_interrupt(&mut self, interrupt: u64, message_id: u32, function: u64, context: u64) -> u8 {
        let ok = self.with_model(|m, _| {
            m.check_call_from_isr("NdisMSynchronizeWithInterruptEx");
            m.check_synchronize(interrupt, message_id, function)
        });
        if !ok {
            return 0;
        }
        // The routine runs at DIRQL, or at the caller's IRQL when that is higher.
        let irql = self.with_model(|m, _| m.irql()).max(DEVICE_IRQL);
        u8::from(self.invoke(MiniportCall::SynchronizeInterrupt { routine: function, context }, irql) & 0xFF != 0)
    }

    /// `NdisMAllocateNetBufferSGList`: builds the NET_BUFFER's SG list (device memory for a
    /// PCI adapter: the data is mapped through a bounce buffer, as an IOMMU-remapped or
    /// double-buffered transfer would be) and calls MiniportProcessSGList with it at the
    /// caller's IRQL.
    pub fn allocate_net_buffer_sg_list(
        &mut self,
        dma: u64,
        nb: u64,
        context: u64,
        flags: u32,
        buffer: u64,
        size: u32,
    ) -> i32 {
        let built = self.with_model(|m, mem| m.build_net_buffer_sg_list(mem, dma, nb, flags, buffer, size));
        let (handler, list) = match built {
            Ok(v) => v,
            Err(status) => return status,
        };
        let irql = self.with_model(|m, _| m.irql());
        self.invoke(MiniportCall::ProcessSgList { handler, list, context }, irql);
        ndis_sys::NDIS_STATUS_SUCCESS
    }

    /// Sends `frame` into the PCI device's wire, then delivers the interrupts it caused.
    pub fn wire_send(&mut self, frame: &[u8]) -> Result<Vec<Delivery>, SimError> {
        let a = self.pci_adapter()?;
        let sent = self.with_model(|m, _| m.pci_device().map(|d| d.send_frame(frame)));
        if let Some(Err(e)) = sent {
            return Err(self.device_error(a, "send a frame into the wire", e));
        }
        self.deliver_interrupts()
    }

    /// The traffic source on the hardware path: sends each frame (built and recorded as
    /// [`Sim::send_frames`] does, so the receive checks apply to what the driver indicates)
    /// into the PCI device's wire, delivers the interrupts they caused, then settles as after
    /// every host action (NDIS returns the indicated NBLs unless the host holds them, so a DMA
    /// NIC gets its buffers back to post). Returns the deliveries.
    pub fn wire_send_frames(&mut self, frames: &[FrameSpec]) -> Result<Vec<Delivery>, SimError> {
        self.wire_put_frames(frames)?;
        let delivered = self.deliver_interrupts()?;
        self.settle();
        Ok(delivered)
    }

    /// [`Sim::wire_send_frames`] without the delivery: the frames go into the wire (built and
    /// recorded the same way) and the device DMAs them, but their interrupts wait for the next
    /// [`Sim::deliver_interrupts`] (or for a driver call that writes a ring tail).
    pub fn wire_put_frames(&mut self, frames: &[FrameSpec]) -> Result<(), SimError> {
        let a = self.pci_adapter()?;
        if let Some(e) = frames.iter().find_map(|f| f.validate().err()) {
            return Err(SimError::InvalidFrame(e));
        }
        // A surprise-removed device is gone from the bus: frames on its wire never reach the
        // host (recorded as sent, never delivered). QEMU would hold them in its network queue
        // while the device cannot receive and deliver them after a later re-initialization,
        // which no removed card does.
        let removed = self.with_model(|m, _| m.adapter(a.0).is_some_and(|s| s.surprise_removed));
        for spec in frames {
            let frame = self.with_model(|m, _| m.wire_frame(a.0, spec));
            if removed {
                continue;
            }
            let sent = self.with_model(|m, _| m.pci_device().map(|d| d.send_frame(&frame)));
            if let Some(Err(e)) = sent {
                return Err(self.device_error(a, "send a frame into the wire", e));
            }
        }
        Ok(())
    }

    /// A frame the PCI device transmitted onto its wire, if one arrives within a short wait.
    pub fn wire_receive(&mut self) -> Result<Option<Vec<u8>>, SimError> {
        let a = self.pci_adapter()?;
        let got = self.with_model(|m, _| m.pci_device().map(|d| d.receive_frame()));
        match got {
            Some(Ok(frame)) => Ok(frame),
            Some(Err(e)) => Err(self.device_error(a, "receive a frame from the wire", e)),
            None => Ok(None),
        }
    }
}
