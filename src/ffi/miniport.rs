//! Trampolines for the miniport adapter handlers (initialize, halt, pause, restart,
//! send, return, cancel send, PnP, shutdown).
//!
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/ns-ndis-_ndis_miniport_driver_characteristics>

use core::ffi::c_void;
use core::ptr::NonNull;

use ndis_sys::{
    KDPC, NDIS_HALT_ACTION, NDIS_HANDLE, NDIS_MINIPORT_INIT_PARAMETERS, NDIS_MINIPORT_PAUSE_PARAMETERS,
    NDIS_MINIPORT_RESTART_PARAMETERS, NDIS_PORT_NUMBER, NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL,
    NDIS_SEND_FLAGS_DISPATCH_LEVEL, NDIS_SHUTDOWN_ACTION, NDIS_STATUS, NDIS_STATUS_FAILURE, NDIS_STATUS_PENDING,
    NDIS_STATUS_SUCCESS, NET_BUFFER, NET_BUFFER_LIST, NET_DEVICE_PNP_EVENT, NdisDevicePnPEventSurpriseRemoved,
    NdisMSendNetBufferListsComplete, PVOID, ULONG,
};

use super::DriverAdapter;
use crate::backend::NicBackend;
use crate::backend::igb::nic::{IgbNic, ProbeError};
use crate::backend::nic::Nic;
use crate::backend::soft::SoftNic;
use crate::kernel::NdisHandle;
use crate::kernel::dpc::{DpcSet, flush_queued_dpcs};
use crate::kernel::indicate::pause_complete;
use crate::kernel::nbl::for_each_returned;
use crate::kernel::pool::PoolBox;
use crate::kernel::resources::Resources;
use crate::vmq::adapter::ADAPTER_TAG;
use crate::vmq::adapter::AdapterConfig;
use crate::vmq::error::InitError;
use crate::vmq::stats::SendTally;

/// Turns the MiniportAdapterContext back into the adapter.
///
/// # Safety
/// `context` must be the context registered by [`initialize`] for an adapter that
/// has not been halted; the returned reference must not outlive the handler call.
pub(super) unsafe fn adapter<'a>(context: NDIS_HANDLE) -> Option<&'a DriverAdapter> {
    // SAFETY: per the function contract the pointer is a live `DriverAdapter`.
    unsafe { context.cast::<DriverAdapter>().as_ref() }
}

/// MiniportInitializeEx (PASSIVE_LEVEL).
///
/// # Safety
/// Called only by NDIS, with the MiniportAdapterContext registered in MiniportInitializeEx (or the handle and parameters the prototype names), valid for the duration of the call, at the IRQL the handler documents.
pub(super) unsafe extern "system" fn initialize(
    miniport_adapter_handle: NDIS_HANDLE,
    miniport_driver_context: NDIS_HANDLE,
    init_parameters: *mut NDIS_MINIPORT_INIT_PARAMETERS,
) -> NDIS_STATUS {
    let Some(handle) = NdisHandle::from_raw(miniport_adapter_handle) else {
        return NDIS_STATUS_FAILURE;
    };
    // SAFETY: NDIS passes valid init parameters for the call (or NULL, then instance 0).
    let init = unsafe { init_parameters.as_ref() };
    let instance = init.map_or(0, |p| p.IfIndex);
    // SAFETY: AllocatedResources of the running MiniportInitializeEx (or NULL: none).
    let resources = init.and_then(|p| unsafe { Resources::from_raw(p.AllocatedResources.cast()) }.ok());
    // A PCI function with a memory BAR is the 82576 (the INF binds only its ids); a
    // root-enumerated adapter has no resources and runs the software NIC.
    let pci = resources.filter(|r| r.bar0().is_some());
    // SAFETY: NDIS passes the MiniportDriverContext DriverEntry registered (the extension).
    let hub = unsafe { super::extension::hub_of(miniport_driver_context) };
    let probe = |_config: &AdapterConfig| match pci.as_ref() {
        Some(r) => IgbNic::probe(handle, r).map(Nic::Igb).map_err(probe_error),
        None => {
            // Its receive "interrupts": one DPC per processor, started once the context exists.
            let dpcs = DpcSet::allocate(handle).ok_or(InitError::Resources)?;
            let nic = SoftNic::new(instance).with_dpcs(dpcs);
            Ok(Nic::Soft(match hub {
                Some(h) => nic.on_hub(h),
                None => nic,
            }))
        }
    };
    let interrupt = |adapter: &DriverAdapter| match pci {
        Some(_) => super::interrupt::register_adapter(handle, adapter).map(Some),
        None => Ok(None),
    };
    match DriverAdapter::initialize(handle, probe, super::transmit::process_sg_list, interrupt) {
        Ok(adapter) => {
            let on_hub = adapter.with_nic(|nic| nic.hub());
            // NDIS owns the context until MiniportHaltEx; its address was given in
            // the registration attributes and does not change.
            let context = adapter.into_raw();
            #[cfg(not(windows))]
            super::host_hooks::register(context.as_ptr() as usize);
            // The software NIC's receive DPCs get their routine and context (the context's
            // address is final), before the adapter joins the segment and frames can arrive.
            // SAFETY: the context just made; NDIS has not seen it, nothing else uses it yet.
            if let Some(shared) = unsafe { self::adapter(context.as_ptr().cast()) } {
                let raw: *mut c_void = context.as_ptr().cast();
                shared.with_nic(|nic| {
                    if let Some(dpcs) = nic.soft().and_then(SoftNic::dpcs) {
                        dpcs.start(Some(receive_dpc), raw);
                    }
                });
            }
            // A software adapter joins its driver's segment once its context exists.
            if let Some(hub) = on_hub
                && !hub.get().join(context.cast())
            {
                // Every port is taken: undo the initialize as a halt would.
                // SAFETY: the context was just made and NDIS has not seen it.
                unsafe { halt(context.as_ptr().cast(), ndis_sys::NdisHaltDeviceDisabled) };
                return ndis_sys::NDIS_STATUS_RESOURCES;
            }
            NDIS_STATUS_SUCCESS
        }
        Err(error) => error.status(),
    }
}

/// The initialize failure of an 82576 that did not probe.
const fn probe_error(e: ProbeError) -> InitError {
    match e {
        ProbeError::Map(status) => InitError::Hardware(status),
        ProbeError::Resources => InitError::Resources,
        ProbeError::NoBar | ProbeError::NotAn82576 | ProbeError::Device => InitError::Hardware(0),
    }
}

/// MiniportHaltEx (PASSIVE_LEVEL): takes the context back and frees everything.
///
/// # Safety
/// Called only by NDIS, with the MiniportAdapterContext registered in MiniportInitializeEx (or the handle and parameters the prototype names), valid for the duration of the call, at the IRQL the handler documents.
pub(super) unsafe extern "system" fn halt(context: NDIS_HANDLE, _action: NDIS_HALT_ACTION) {
    // SAFETY: NDIS passes the context `initialize` registered; halt is the last call for it.
    let Some(adapter) = (unsafe { adapter(context) }) else {
        return;
    };
    let owner = adapter.handle();
    // The NIC stops and the interrupt is deregistered while the context is still shared:
    // after this no DPC holds a reference to it.
    adapter.detach_interrupt();
    super::transmit::cancel(adapter);
    let Some(ptr) = NonNull::new(context.cast::<DriverAdapter>()) else {
        return;
    };
    // Off the segment before the context is freed: once `leave` returns no delivery from
    // another adapter can reach this one.
    if let Some(hub) = adapter.with_nic(|nic| nic.hub()) {
        hub.get().leave(ptr.cast());
    }
    // No receive DPC may run once the context is freed: take the queued ones off their queues,
    // then wait (PASSIVE_LEVEL, no lock held) for one already running.
    adapter.with_nic(|nic| nic.cancel_receive_dpcs());
    flush_queued_dpcs();
    #[cfg(not(windows))]
    super::host_hooks::unregister(ptr.as_ptr() as usize);
    // SAFETY: the context came from `PoolBox::into_raw` with this owner and tag, and NDIS
    // sends no further request after halt, so no reference to it survives.
    let adapter = unsafe { PoolBox::from_raw(ptr, owner, ADAPTER_TAG) };
    DriverAdapter::halt(adapter);
}

/// MiniportPause (PASSIVE_LEVEL): PENDING while indicated NBLs are out; the return
/// path then calls NdisMPauseComplete.
///
/// # Safety
/// Called only by NDIS, with the MiniportAdapterContext registered in MiniportInitializeEx (or the handle and parameters the prototype names), valid for the duration of the call, at the IRQL the handler documents.
pub(super) unsafe extern "system" fn pause(
    context: NDIS_HANDLE,
    _parameters: *mut NDIS_MINIPORT_PAUSE_PARAMETERS,
) -> NDIS_STATUS {
    // SAFETY: NDIS passes the live adapter context.
    match unsafe { adapter(context) } {
        Some(adapter) if adapter.pause() => NDIS_STATUS_SUCCESS,
        Some(_) => NDIS_STATUS_PENDING,
        None => NDIS_STATUS_FAILURE,
    }
}

/// MiniportRestart (PASSIVE_LEVEL).
///
/// # Safety
/// Called only by NDIS, with the MiniportAdapterContext registered in MiniportInitializeEx (or the handle and parameters the prototype names), valid for the duration of the call, at the IRQL the handler documents.
pub(super) unsafe extern "system" fn restart(
    context: NDIS_HANDLE,
    _parameters: *mut NDIS_MINIPORT_RESTART_PARAMETERS,
) -> NDIS_STATUS {
    // SAFETY: NDIS passes the live adapter context.
    match unsafe { adapter(context) } {
        Some(adapter) => {
            adapter.restart();
            NDIS_STATUS_SUCCESS
        }
        None => NDIS_STATUS_FAILURE,
    }
}

/// Largest frame the software NIC's wire gathers from several MDLs (1514 + an 802.1Q tag):
/// the size of the kernel-stack scratch buffer.
const MAX_WIRE_FRAME: usize = 1518;
/// Largest frame the software NIC's wire carries: a 9014-byte `*JumboPacket` frame plus an
/// 802.1Q tag. Longer than [`MAX_WIRE_FRAME`] only when one MDL holds it (a jumbo frame in
/// several MDLs fails: 9 KiB of scratch do not belong on a kernel stack). The receive side
/// drops what exceeds the adapter's own `*JumboPacket`.
const MAX_JUMBO_WIRE_FRAME: usize = 9018;

/// The bytes of a NET_BUFFER: borrowed in place when one MDL holds them, else
/// gathered into `scratch`. `None` for an unmapped MDL or a frame longer than the wire allows.
///
/// # Safety
/// `nb` must be a valid NET_BUFFER of a send NBL owned by the miniport for the call.
unsafe fn frame_bytes<'a>(nb: &'a NET_BUFFER, scratch: &'a mut [u8; MAX_WIRE_FRAME]) -> Option<&'a [u8]> {
    let len = nb.DataLength as usize;
    if len > MAX_JUMBO_WIRE_FRAME {
        return None;
    }
    let mut mdl = nb.CurrentMdl;
    let mut offset = nb.CurrentMdlOffset as usize;
    let mut copied = 0;
    while copied < len {
        // SAFETY: the MDL chain of a send NET_BUFFER is valid while we own the NBL.
        let m = unsafe { mdl.as_ref() }?;
        // MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL: MappedSystemVa is usable.
        if m.MdlFlags & 0x0005 == 0 || m.MappedSystemVa.is_null() {
            return None;
        }
        let byte_count = m.ByteCount as usize;
        if offset >= byte_count {
            // The data starts in a later MDL (or this one is empty).
            offset -= byte_count;
            mdl = m.Next;
            continue;
        }
        let take = (byte_count - offset).min(len - copied);
        // SAFETY: `offset < ByteCount`: the pointer stays inside the mapped buffer.
        let start = unsafe { m.MappedSystemVa.cast::<u8>().add(offset) };
        // SAFETY: the mapped MDL describes ByteCount readable bytes at MappedSystemVa.
        let chunk = unsafe { core::slice::from_raw_parts(start, take) };
        if copied == 0 && take == len {
            return Some(chunk);
        }
        scratch.get_mut(copied..copied + take)?.copy_from_slice(chunk);
        copied += take;
        offset = 0;
        mdl = m.Next;
    }
    Some(&scratch[..len])
}

/// MiniportSendNetBufferLists (<= DISPATCH_LEVEL). The software NIC puts every frame on its
/// driver's segment (the hub): each other software adapter of the driver receives it — copies
/// it into the target queue's shared memory and queues the receive DPC of the queue's
/// processor, which indicates it —, the sender never does (NDIS_MAC_OPTION_NO_LOOPBACK). Then
/// the sends complete: SUCCESS while running, NDIS_STATUS_PAUSED (or LOW_POWER_STATE) otherwise.
///
/// # Safety
/// Called only by NDIS, with the MiniportAdapterContext registered in MiniportInitializeEx (or the handle and parameters the prototype names), valid for the duration of the call, at the IRQL the handler documents.
pub(super) unsafe extern "system" fn send_net_buffer_lists(
    context: NDIS_HANDLE,
    net_buffer_lists: *mut NET_BUFFER_LIST,
    _port_number: NDIS_PORT_NUMBER,
    send_flags: ULONG,
) {
    // SAFETY: NDIS passes the live adapter context.
    let Some(adapter) = (unsafe { adapter(context) }) else {
        return;
    };
    let running = adapter.is_running();
    let status = if running { NDIS_STATUS_SUCCESS } else { adapter.refused_send_status() };
    let at_dispatch = send_flags & NDIS_SEND_FLAGS_DISPATCH_LEVEL != 0;
    if adapter.with_nic(|nic| nic.transmits_by_dma()) {
        if running {
            // SAFETY: the chain NDIS handed us for this call.
            unsafe { super::transmit::send(adapter, net_buffer_lists, at_dispatch) };
        } else {
            // SAFETY: as above.
            unsafe { super::transmit::fail_all(adapter, net_buffer_lists, status, at_dispatch) };
        }
        return;
    }
    let mut scratch = [0u8; MAX_WIRE_FRAME];
    let mut tally = SendTally::default();
    let mut nbl = net_buffer_lists;
    while !nbl.is_null() {
        // SAFETY: NDIS hands the miniport a NULL-terminated chain of valid NBLs it owns
        // until they are completed below.
        let current = unsafe { &mut *nbl };
        current.Status = status;
        let mut nb = current.FirstNetBuffer;
        // SAFETY: the NET_BUFFER list of an NBL we own for this call is valid.
        while let Some(buffer) = unsafe { nb.as_ref() } {
            if running {
                // SAFETY: `buffer` belongs to an NBL we own for this call.
                match unsafe { frame_bytes(buffer, &mut scratch) } {
                    Some(frame) => tally.sent.count(frame),
                    None => tally.failed += 1,
                }
            }
            nb = buffer.Next;
        }
        nbl = current.Next;
    }
    // The sender's lock is not held here: the hub lock, then each receiver's own.
    if let (true, Some(hub), Some(me)) = (running, adapter.with_nic(|nic| nic.hub()), NonNull::new(context)) {
        hub.get().for_each_peer(me, |peer| {
            // SAFETY: the hub hands out only contexts of adapters not halted yet, and keeps
            // each live for the call (halt leaves the hub, under its lock, before freeing).
            if let Some(peer) = unsafe { self::adapter(peer.as_ptr()) } {
                // Under the hub lock the IRQL is DISPATCH_LEVEL.
                let mut session = peer.receive_session(true);
                // SAFETY: the chain NDIS handed us for this call, not completed yet.
                unsafe { receive_chain(net_buffer_lists, &mut scratch, |frame| session.receive(frame)) };
                session.finish();
            }
        });
    }
    adapter.count_sends(&tally);
    let complete_flags = if at_dispatch { NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL } else { 0 };
    if !net_buffer_lists.is_null() {
        // SAFETY: the chain is the one NDIS gave us, each NBL's Status is set.
        unsafe { NdisMSendNetBufferListsComplete(adapter.handle().as_raw(), net_buffer_lists, complete_flags) };
    }
}

/// Hands each readable frame of a send chain to `receive`, in chain order.
///
/// # Safety
/// `head` must be a NULL-terminated chain of valid send NBLs the miniport owns for the call.
unsafe fn receive_chain<R>(
    head: *mut NET_BUFFER_LIST,
    scratch: &mut [u8; MAX_WIRE_FRAME],
    mut receive: impl FnMut(&[u8]) -> R,
) {
    let mut nbl = head;
    // SAFETY: per the contract, each NBL of the chain is valid.
    while let Some(current) = unsafe { nbl.as_ref() } {
        let mut nb = current.FirstNetBuffer;
        // SAFETY: the NET_BUFFER list of an NBL we own for this call is valid.
        while let Some(buffer) = unsafe { nb.as_ref() } {
            // SAFETY: `buffer` belongs to an NBL we own for this call.
            if let Some(frame) = unsafe { frame_bytes(buffer, scratch) } {
                receive(frame);
            }
            nb = buffer.Next;
        }
        nbl = current.Next;
    }
}

/// MiniportReturnNetBufferLists (<= DISPATCH_LEVEL): recycle the buffers; the last
/// return of a queue being freed queues the free work item, the last return during a
/// pause completes it.
///
/// # Safety
/// Called only by NDIS, with the MiniportAdapterContext registered in MiniportInitializeEx (or the handle and parameters the prototype names), valid for the duration of the call, at the IRQL the handler documents.
pub(super) unsafe extern "system" fn return_net_buffer_lists(
    context: NDIS_HANDLE,
    net_buffer_lists: *mut NET_BUFFER_LIST,
    _return_flags: ULONG,
) {
    // SAFETY: NDIS passes the live adapter context.
    let Some(adapter) = (unsafe { adapter(context) }) else {
        return;
    };
    let mut session = adapter.return_session();
    // SAFETY: NDIS returns NBLs this miniport indicated, as a NULL-terminated chain.
    unsafe { for_each_returned(net_buffer_lists, |token| session.recycle(token)) };
    let after = session.finish();
    if after.queue_free_work {
        adapter.work_item().queue(free_queue_work, adapter);
    }
    if after.complete_pause {
        pause_complete(adapter.handle());
    }
}

/// The software NIC's receive DPC (DISPATCH_LEVEL, on the processor `SystemArgument1` names):
/// indicates the frames pending on the queues of that processor.
///
/// # Safety
/// Called by the kernel for a KDPC of the adapter's `DpcSet`, with the adapter context as
/// DeferredContext; halt removes and flushes the DPCs before the context is freed.
unsafe extern "system" fn receive_dpc(_dpc: *mut KDPC, context: PVOID, argument1: PVOID, _argument2: PVOID) {
    // SAFETY: the DeferredContext is the live adapter context (see the function contract).
    let Some(adapter) = (unsafe { adapter(context) }) else {
        return;
    };
    // CAST: the processor number the DPC was queued with (below 64).
    let after = adapter.receive_dpc(argument1 as usize as u32);
    if after.queue_free_work {
        adapter.work_item().queue(free_queue_work, adapter);
    }
    if after.complete_pause {
        pause_complete(adapter.handle());
    }
}

/// The free work item (PASSIVE_LEVEL): frees a drained queue and completes its FREE_QUEUE.
///
/// # Safety
/// `context` must be the adapter context that queued the work item (NDIS passes it back); the adapter outlives the item because halt waits for pended requests.
unsafe extern "system" fn free_queue_work(context: *mut c_void, _work_item: NDIS_HANDLE) {
    // SAFETY: the context is the adapter that queued the item; halt waits for pended
    // requests, so the adapter is alive.
    if let Some(adapter) = unsafe { adapter(context) } {
        adapter.finish_pending_free();
    }
}

/// MiniportCancelSend: sends are completed synchronously, nothing is queued to cancel.
///
/// # Safety
/// Called by NDIS with the adapter context it registered; the cancel id is not dereferenced.
pub(super) unsafe extern "system" fn cancel_send(_context: NDIS_HANDLE, _cancel_id: PVOID) {}

/// MiniportDevicePnPEventNotify (PASSIVE_LEVEL).
///
/// # Safety
/// Called only by NDIS, with the MiniportAdapterContext registered in MiniportInitializeEx (or the handle and parameters the prototype names), valid for the duration of the call, at the IRQL the handler documents.
pub(super) unsafe extern "system" fn device_pnp_event_notify(context: NDIS_HANDLE, event: *mut NET_DEVICE_PNP_EVENT) {
    // SAFETY: NDIS passes the live adapter context and a valid event for the call.
    let (Some(adapter), Some(event)) = (unsafe { adapter(context) }, unsafe { event.as_ref() }) else {
        return;
    };
    if event.DevicePnPEvent == NdisDevicePnPEventSurpriseRemoved {
        adapter.surprise_removed();
    }
}

/// MiniportShutdownEx (any IRQL): stop the hardware; free nothing.
///
/// # Safety
/// Called only by NDIS, with the MiniportAdapterContext registered in MiniportInitializeEx (or the handle and parameters the prototype names), valid for the duration of the call, at the IRQL the handler documents.
pub(super) unsafe extern "system" fn shutdown(context: NDIS_HANDLE, _action: NDIS_SHUTDOWN_ACTION) {
    // SAFETY: NDIS passes the live adapter context.
    if let Some(adapter) = unsafe { adapter(context) } {
        adapter.shutdown();
    }
}
