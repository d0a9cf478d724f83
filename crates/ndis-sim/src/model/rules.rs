//! Rule names and the [`Violation`] record the model produces when the driver breaks an NDIS rule.
//!
//! Each name is short, stable and grep-able (`area.what`); tests match on them. Each doc names
//! the NDIS routine, OID or Driver Verifier rule it comes from; see
//! <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-miniport-drivers2>.

use std::fmt;

/// One broken rule: which one, and what exactly happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The stable rule name (one of the constants in this module).
    pub rule: &'static str,
    /// A human-readable explanation naming the objects involved.
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.rule, self.detail)
    }
}

// --- handles, memory, IRQL -------------------------------------------------------------------
/// A handle of the wrong kind, unknown, or from another host.
pub const HANDLE_INVALID: &str = "handle.invalid";
/// The driver passed a pointer the model could not read or write.
pub const MEMORY_FAULT: &str = "memory.fault";
/// A handler returned at a different IRQL from the one it was called at.
pub const IRQL_CHANGED_BY_HANDLER: &str = "irql.changed-by-handler";
/// An NDIS call for an adapter after its MiniportHaltEx returned.
pub const ADAPTER_CALL_AFTER_HALT: &str = "adapter.call-after-halt";

// --- registration (NdisMRegisterMiniportDriver) -----------------------------------------------
/// Characteristics header Type/Revision/Size wrong.
pub const REGISTRATION_BAD_HEADER: &str = "registration.bad-header";
/// NDIS version not 6.x with minor >= 20.
pub const REGISTRATION_NDIS_VERSION: &str = "registration.ndis-version";
/// A required handler is NULL.
pub const REGISTRATION_MISSING_HANDLER: &str = "registration.missing-handler";
/// Only one of the direct-OID handlers is present.
pub const REGISTRATION_DIRECT_OID_PAIR: &str = "registration.direct-oid-pair";
/// NdisMRegisterMiniportDriver called twice without deregistering.
pub const REGISTRATION_TWICE: &str = "registration.twice";
/// DriverEntry failed but left the driver registered, or succeeded without registering.
pub const REGISTRATION_DRIVER_ENTRY: &str = "registration.driver-entry";
/// The driver was unloaded without NdisMDeregisterMiniportDriver.
pub const REGISTRATION_UNLOAD_WITHOUT_DEREGISTER: &str = "registration.unload-without-deregister";
/// A driver-object extension call with an unknown DRIVER_OBJECT.
pub const DRIVER_OBJECT_UNKNOWN: &str = "driver-object.unknown";

// --- attributes (NdisMSetMiniportAttributes) -------------------------------------------------
/// Registration attributes not first, or another kind before the general attributes.
pub const ATTRIBUTES_ORDER: &str = "attributes.order";
/// MacOptions without NDIS_MAC_OPTION_8021P_PRIORITY, which every NDIS 6 miniport sets
/// ("OID_GEN_MAC_OPTIONS").
pub const ATTRIBUTES_MAC_OPTIONS: &str = "attributes.mac-options";
/// Two live adapters report the same permanent MAC address (they could not share a segment).
pub const ATTRIBUTES_DUPLICATE_MAC: &str = "attributes.duplicate-mac";
/// The current address ignores the standardized NetworkAddress keyword.
pub const ATTRIBUTES_NETWORK_ADDRESS: &str = "attributes.network-address";
/// NO_HALT_ON_SUSPEND without NDIS_PM_CAPABILITIES at PowerManagementCapabilitiesEx, or a bad
/// one ("Reporting Power Management Capabilities").
pub const ATTRIBUTES_PM_CAPABILITIES: &str = "attributes.pm-capabilities";
/// MiniportInitializeEx returned SUCCESS without registration and general attributes.
pub const ATTRIBUTES_MISSING: &str = "attributes.missing";
/// An attributes header with a wrong Type/Revision/Size.
pub const ATTRIBUTES_BAD_HEADER: &str = "attributes.bad-header";
/// Hardware/Current capability pointers not set as a pair.
pub const ATTRIBUTES_CAPABILITIES_PAIR: &str = "attributes.capabilities-pair";
/// A receive-filter capabilities struct with a wrong header.
pub const ATTRIBUTES_CAPABILITIES_HEADER: &str = "attributes.capabilities-header";
/// The registration attributes' BUS_MASTER flag contradicts the adapter configuration.
pub const ATTRIBUTES_BUS_MASTER: &str = "attributes.bus-master";
/// NdisMSetMiniportAttributes outside MiniportInitializeEx.
pub const ATTRIBUTES_OUTSIDE_INITIALIZE: &str = "attributes.outside-initialize";

// --- shared memory (NdisAllocateSharedMemory / NdisFreeSharedMemory) -------------------------
/// A queue's shared memory still allocated when its FREE_QUEUE completed.
pub const SHARED_MEMORY_LEAK_AT_FREE_QUEUE: &str = "shared-memory.leak-at-free-queue";
/// A queue's shared memory still allocated when its ALLOCATE_QUEUE failed.
pub const SHARED_MEMORY_LEAK_AT_FAILED_ALLOCATE: &str = "shared-memory.leak-at-failed-allocate";
/// An adapter's shared memory still allocated when MiniportHaltEx returned.
pub const SHARED_MEMORY_LEAK_AT_HALT: &str = "shared-memory.leak-at-halt";
/// The same AllocationHandle freed twice.
pub const SHARED_MEMORY_DOUBLE_FREE: &str = "shared-memory.double-free";
/// A free with an AllocationHandle NDIS never returned.
pub const SHARED_MEMORY_UNKNOWN_HANDLE: &str = "shared-memory.unknown-handle";
/// A free with a different NdisHandle than the allocation used.
pub const SHARED_MEMORY_HANDLE_MISMATCH: &str = "shared-memory.handle-mismatch";
/// NdisHandle is not a MiniportAdapterHandle.
pub const SHARED_MEMORY_NDIS_HANDLE: &str = "shared-memory.ndis-handle";
/// QueueId neither 0 nor a queue currently allocated on the adapter.
pub const SHARED_MEMORY_QUEUE_NOT_ALLOCATED: &str = "shared-memory.queue-not-allocated";
/// Allocation or free above PASSIVE_LEVEL.
pub const SHARED_MEMORY_IRQL: &str = "shared-memory.irql";
/// Allocation before NdisMRegisterScatterGatherDma (any adapter: "NdisAllocateSharedMemory").
pub const SHARED_MEMORY_BEFORE_SG_DMA: &str = "shared-memory.before-sg-dma";
/// NDIS_SHARED_MEMORY_PARAMETERS header wrong.
pub const SHARED_MEMORY_BAD_HEADER: &str = "shared-memory.bad-header";
/// VPortId not 0 (VMQ miniports must pass 0).
pub const SHARED_MEMORY_VPORT_ID: &str = "shared-memory.vport-id";
/// Usage outside NdisSharedMemoryUsageXmit..=NdisSharedMemoryUsageOther.
pub const SHARED_MEMORY_BAD_USAGE: &str = "shared-memory.bad-usage";
/// Length 0.
pub const SHARED_MEMORY_ZERO_LENGTH: &str = "shared-memory.zero-length";
/// SGListBuffer NULL or SGListBufferLength too small for the list NDIS builds.
pub const SHARED_MEMORY_SG_BUFFER: &str = "shared-memory.sg-buffer";
/// Shared memory allocated or freed inside MiniportShutdownEx.
pub const SHARED_MEMORY_IN_SHUTDOWN: &str = "shared-memory.in-shutdown";

// --- OID requests ----------------------------------------------------------------------------
/// NdisMOidRequestComplete for a request that did not return PENDING (or is unknown).
pub const OID_COMPLETE_NOT_PENDING: &str = "oid.complete-not-pending";
/// NdisMOidRequestComplete twice for one request.
pub const OID_DOUBLE_COMPLETE: &str = "oid.double-complete";
/// NdisMOidRequestComplete with Status PENDING.
pub const OID_COMPLETE_WITH_PENDING: &str = "oid.complete-with-pending";
/// NdisMOidRequestComplete above DISPATCH_LEVEL.
pub const OID_IRQL: &str = "oid.irql";
/// FREE_QUEUE / CLEAR_FILTER completed with a status other than SUCCESS, PENDING,
/// NOT_ACCEPTED, REQUEST_ABORTED (Driver Verifier NdisOidComplete).
pub const OID_STATUS_NOT_ALLOWED: &str = "oid.status-not-allowed";
/// BytesWritten larger than the output buffer.
pub const OID_BYTES_WRITTEN: &str = "oid.bytes-written";
/// BytesRead larger than the input buffer.
pub const OID_BYTES_READ: &str = "oid.bytes-read";
/// BUFFER_TOO_SHORT / INVALID_LENGTH with BytesNeeded not above the length given.
pub const OID_BYTES_NEEDED: &str = "oid.bytes-needed";
/// FREE_QUEUE completed before a DmaStopped NDIS_STATUS_RECEIVE_QUEUE_STATE for the queue.
pub const OID_FREE_QUEUE_BEFORE_DMA_STOPPED: &str = "oid.free-queue-before-dma-stopped";
/// A pended OID never completed (the host ran out of work before halt or unload).
pub const OID_NEVER_COMPLETED: &str = "oid.never-completed";
/// A mandatory OID refused or answered wrongly, or missing from SupportedOidList
/// ("Mandatory OIDs for miniport drivers").
pub const OID_MANDATORY: &str = "oid.mandatory";
/// MiniportCancelOidRequest returned, work items ran, and the pended request it named is
/// still not completed ("Canceling OID requests": complete it with NDIS_STATUS_REQUEST_ABORTED).
pub const OID_CANCEL_IGNORED: &str = "oid.cancel-ignored";

// --- status indications ----------------------------------------------------------------------
/// NDIS_STATUS_INDICATION header wrong.
pub const STATUS_BAD_HEADER: &str = "status.bad-header";
/// SourceHandle is not the MiniportAdapterHandle.
pub const STATUS_SOURCE_HANDLE: &str = "status.source-handle";
/// Indication after MiniportHaltEx returned.
pub const STATUS_AFTER_HALT: &str = "status.after-halt";
/// Indication above DISPATCH_LEVEL.
pub const STATUS_IRQL: &str = "status.irql";
/// Indication before the registration attributes were set.
pub const STATUS_BEFORE_REGISTRATION: &str = "status.before-registration";
/// Bad NDIS_STATUS_RECEIVE_QUEUE_STATE payload (size, header, unknown queue, state).
pub const STATUS_QUEUE_STATE: &str = "status.queue-state";
/// NDIS_STATUS_LINK_STATE without a well-formed NDIS_LINK_STATE payload (Type DEFAULT,
/// Revision 1, Size 40); see <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-status-link-state>.
pub const STATUS_LINK_STATE: &str = "status.link-state";

// --- pool ------------------------------------------------------------------------------------
/// Tag 0 or not four printable bytes.
pub const POOL_BAD_TAG: &str = "pool.bad-tag";
/// Freed with a different tag than allocated.
pub const POOL_TAG_MISMATCH: &str = "pool.tag-mismatch";
/// Free of an address never allocated.
pub const POOL_UNKNOWN_FREE: &str = "pool.unknown-free";
/// The same block freed twice.
pub const POOL_DOUBLE_FREE: &str = "pool.double-free";
/// Allocation or free above DISPATCH_LEVEL.
pub const POOL_IRQL: &str = "pool.irql";
/// Blocks allocated with an adapter handle left when MiniportHaltEx returned.
pub const POOL_LEAK_AT_HALT: &str = "pool.leak-at-halt";
/// Blocks left when the Unload handler returned.
pub const POOL_LEAK_AT_UNLOAD: &str = "pool.leak-at-unload";

// --- spin locks ------------------------------------------------------------------------------
/// Acquire of a lock the caller already holds.
pub const SPIN_LOCK_DEADLOCK: &str = "spin-lock.deadlock";
/// Release of a lock not held.
pub const SPIN_LOCK_RELEASE_NOT_HELD: &str = "spin-lock.release-not-held";
/// A lock acquired in a handler still held when the handler returned.
pub const SPIN_LOCK_HELD_ON_RETURN: &str = "spin-lock.held-on-return";
/// Dpr variant called below DISPATCH_LEVEL.
pub const SPIN_LOCK_DPR_IRQL: &str = "spin-lock.dpr-irql";
/// Acquire above DISPATCH_LEVEL.
pub const SPIN_LOCK_IRQL: &str = "spin-lock.irql";

// --- other resources -------------------------------------------------------------------------
/// A configuration handle still open when MiniportInitializeEx returned (or at halt).
pub const CONFIG_NOT_CLOSED: &str = "config.not-closed";
/// NdisOpenConfigurationEx / NdisReadConfiguration misuse (header, IRQL, closed handle).
pub const CONFIG_MISUSE: &str = "config.misuse";
/// A VMQ or SR-IOV keyword read under RSS preference (*RssOrVmqPreference 0 or absent).
pub const CONFIG_RSS_OR_VMQ_PREFERENCE: &str = "config.rss-or-vmq-preference";
/// SG DMA registered and not deregistered when MiniportHaltEx returned.
pub const SG_DMA_NOT_DEREGISTERED: &str = "sg-dma.not-deregistered";
/// NdisMRegisterScatterGatherDma misuse (not BUS_MASTER, outside initialize, twice, header).
pub const SG_DMA_MISUSE: &str = "sg-dma.misuse";
/// KeInitializeDpc with a NULL object or routine, KeSetTargetProcessorDpcEx / KeInsertQueueDpc
/// on a KDPC never initialized, KeInitializeDpc on a queued one, KeFlushQueuedDpcs above
/// PASSIVE_LEVEL (<https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keinsertqueuedpc>).
pub const DPC_MISUSE: &str = "dpc.misuse";
/// A pool block freed while a KDPC in it is queued: the kernel would run the DPC from freed
/// memory (remove it with KeRemoveQueueDpc and wait with KeFlushQueuedDpcs first;
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keflushqueueddpcs>).
pub const DPC_FREED_WHILE_QUEUED: &str = "dpc.freed-while-queued";
/// A work item never freed by halt (adapter items) or unload (driver items).
pub const WORK_ITEM_LEAK: &str = "work-item.leak";
/// A work item still queued when its adapter halted (it would run after halt).
pub const WORK_ITEM_QUEUED_AT_HALT: &str = "work-item.queued-at-halt";
/// NdisQueueIoWorkItem on a queued item, or NdisFreeIoWorkItem on a queued item.
pub const WORK_ITEM_MISUSE: &str = "work-item.misuse";
/// NdisMPauseComplete / NdisMRestartComplete without a pended pause/restart.
pub const PAUSE_UNEXPECTED_COMPLETE: &str = "pause.unexpected-complete";
/// MiniportPause returned something other than SUCCESS or PENDING.
pub const PAUSE_BAD_STATUS: &str = "pause.bad-status";
/// A pended pause or restart never completed.
pub const PAUSE_NEVER_COMPLETED: &str = "pause.never-completed";
/// Sends still outstanding when the pause completed (or at halt).
pub const SEND_OUTSTANDING: &str = "send.outstanding";
/// NdisMSendNetBufferListsComplete with an NBL NDIS did not send (or already completed).
pub const SEND_UNKNOWN_NBL: &str = "send.unknown-nbl";
/// NdisMSendNetBufferListsComplete above DISPATCH_LEVEL.
pub const SEND_IRQL: &str = "send.irql";
/// Receive indication misuse (IRQL, paused adapter, NBL count, source handle, unknown queue,
/// FilterId not 0, NBL without a NET_BUFFER or MDL, data beyond the MDL, an NBL NDIS already owns).
pub const RECEIVE_MISUSE: &str = "receive.misuse";

// --- receive path (VMQ) -----------------------------------------------------------------------
/// Indication from a VM queue that is not Running: no filter set, or ALLOCATION_COMPLETE not
/// done ("Queue States and Operations": indications are allowed only in Running).
pub const RECEIVE_QUEUE_NOT_RUNNING: &str = "receive.queue-not-running";
/// Indication from a VM queue whose FREE_QUEUE was delivered (being freed) or has completed.
pub const RECEIVE_QUEUE_FREED: &str = "receive.queue-freed";
/// Indication from a VM queue on a processor outside the queue's ProcessorAffinity (from
/// ALLOCATE_QUEUE, or a later OID_RECEIVE_FILTER_QUEUE_PARAMETERS with
/// PROCESSOR_AFFINITY_CHANGED); see
/// <https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddndis/ns-ntddndis-_ndis_receive_queue_parameters>
/// and <https://learn.microsoft.com/windows-hardware/drivers/network/vmq-receive-path>.
/// Checked for the PCI-backed adapter, or every adapter with
/// `HostConfig::queue_affinity_for_all_adapters`.
pub const RECEIVE_QUEUE_PROCESSOR: &str = "receive.queue-processor";
/// Indication from a VM queue not at DISPATCH_LEVEL (a queue indicates from its DPC on its
/// affinity processor; same pages and scope as [`RECEIVE_QUEUE_PROCESSOR`]).
pub const RECEIVE_QUEUE_IRQL: &str = "receive.queue-irql";
/// A VM-queue indication without NDIS_RECEIVE_FLAGS_SHARED_MEMORY_INFO_VALID.
pub const RECEIVE_SHARED_MEMORY_FLAG_MISSING: &str = "receive.shared-memory-flag-missing";
/// NDIS_RECEIVE_FLAGS_SINGLE_QUEUE missing for a queue allocated with
/// PER_QUEUE_RECEIVE_INDICATION.
pub const RECEIVE_SINGLE_QUEUE_FLAG_MISSING: &str = "receive.single-queue-flag-missing";
/// NBLs of several queues in one indication flagged SINGLE_QUEUE.
pub const RECEIVE_SINGLE_QUEUE_MIXED: &str = "receive.single-queue-mixed";
/// SHARED_MEMORY_INFO_VALID set but an NB's SharedMemoryInfo is NULL.
pub const RECEIVE_SHARED_MEMORY_INFO_NULL: &str = "receive.shared-memory-info-null";
/// SharedMemoryHandle is not the handle of a live shared-memory block.
pub const RECEIVE_SHARED_MEMORY_UNKNOWN: &str = "receive.shared-memory-unknown";
/// SharedMemoryHandle names a live block of another queue (or another adapter).
pub const RECEIVE_OTHER_QUEUE_MEMORY: &str = "receive.other-queue-memory";
/// SharedMemoryOffset + SharedMemoryLength outside the block.
pub const RECEIVE_SHARED_MEMORY_RANGE: &str = "receive.shared-memory-range";
/// The MDL data range (MappedSystemVa + DataOffset, DataLength) lies outside the segment the
/// NET_BUFFER_SHARED_MEMORY describes.
pub const RECEIVE_MDL_OUTSIDE_SHARED_MEMORY: &str = "receive.mdl-outside-shared-memory";
/// A frame received into several buffers (a jumbo frame) whose MDL chain and
/// `NET_BUFFER_SHARED_MEMORY` chain (`NextSharedMemorySegment`) do not describe the same buffers:
/// a different number of MDLs holding data and of segments, MDL `i`'s bytes outside segment
/// `i`, or segment lengths that do not add up to DataLength. "NET_BUFFER_SHARED_MEMORY"
/// (<https://learn.microsoft.com/windows-hardware/drivers/ddi/nbl/ns-nbl-net_buffer_shared_memory>):
/// a NULL-terminated list of segments per NET_BUFFER, the first in `SharedMemoryInfo`; "Shared
/// Memory in Receive Buffers"
/// (<https://learn.microsoft.com/windows-hardware/drivers/network/shared-memory-in-receive-buffers>):
/// each receive buffer's MDL with its own chained segment. Each segment must also lie in a
/// live allocation of the indicating queue ([`RECEIVE_SHARED_MEMORY_UNKNOWN`],
/// [`RECEIVE_OTHER_QUEUE_MEMORY`], [`RECEIVE_SHARED_MEMORY_RANGE`]).
pub const RECEIVE_SHARED_MEMORY_CHAIN: &str = "receive.shared-memory-chain";
/// A frame indicated on a VM queue none of whose filters matches it (cross-VM leak).
pub const RECEIVE_CROSS_VM_LEAK: &str = "receive.cross-vm-leak";
/// A frame indicated on the default queue although a VM queue's filters match it.
pub const RECEIVE_WRONG_QUEUE: &str = "receive.wrong-queue";
/// Frames of one queue indicated out of send order.
pub const RECEIVE_REORDERED: &str = "receive.reordered";
/// Indicated bytes differ from the frame sent (or a frame no one sent / delivered twice).
pub const RECEIVE_CORRUPT: &str = "receive.corrupt";
/// A VM-queue frame whose filter wants the 802.1Q tag in NDIS_NET_BUFFER_LIST_8021Q_INFO still
/// carries it in the data, or an NBL with both ("NDIS_RECEIVE_FILTER_FIELD_PARAMETERS" remarks).
pub const RECEIVE_VLAN_TAG_IN_DATA: &str = "receive.vlan-tag-in-data";
/// A default-queue frame the packet filter in force does not admit ("OID_GEN_CURRENT_PACKET_FILTER").
pub const RECEIVE_PACKET_FILTER: &str = "receive.packet-filter";
/// An adapter that claims NDIS_MAC_OPTION_NO_LOOPBACK ("the NIC has no internal loopback
/// support so NDIS will manage loopbacks", "OID_GEN_MAC_OPTIONS":
/// <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-mac-options>)
/// indicates a frame it sent itself (on a shared segment a frame reaches the other adapters,
/// never its sender).
pub const RECEIVE_LOOPBACK: &str = "receive.loopback";
/// A receive indication while the adapter is in D1-D3 ("OID_PNP_SET_POWER").
pub const RECEIVE_IN_LOW_POWER: &str = "receive.in-low-power";
/// A FREE_QUEUE completed while NDIS still owned NBLs indicated from the queue.
pub const RECEIVE_OUTSTANDING_AT_FREE_QUEUE: &str = "receive.outstanding-at-free-queue";
/// A pause completed while NDIS still owned NBLs indicated by the adapter.
pub const RECEIVE_OUTSTANDING_AT_PAUSE: &str = "receive.outstanding-at-pause";
/// A freed shared-memory block was written after NdisFreeSharedMemory (its poison changed).
pub const SHARED_MEMORY_TOUCHED_AFTER_FREE: &str = "shared-memory.touched-after-free";
/// NdisFreeSharedMemory of a block an NBL that NDIS owns still points into.
pub const SHARED_MEMORY_FREED_WHILE_INDICATED: &str = "shared-memory.freed-while-indicated";
/// A queue's shared memory changed between the miniport's DmaStopped NDIS_STATUS_RECEIVE_QUEUE_STATE
/// indication and NdisFreeSharedMemory (or halt): the NIC or the driver wrote into it after
/// saying DMA had stopped ("Freeing a VM queue": stop DMA, *then* indicate DmaStopped; see
/// <https://learn.microsoft.com/windows-hardware/drivers/network/freeing-a-vm-queue> and
/// <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-status-receive-queue-state>).
pub const SHARED_MEMORY_WRITTEN_AFTER_DMA_STOPPED: &str = "shared-memory.written-after-dma-stopped";

// --- NBL pools, NBLs, MDLs -------------------------------------------------------------------
/// NBL pool, NBL or MDL routine above DISPATCH_LEVEL.
pub const NBL_IRQL: &str = "nbl.irql";
/// NET_BUFFER_LIST_POOL_PARAMETERS wrong (header, ProtocolId, DataSize with fAllocateNetBuffer).
pub const NBL_POOL_BAD_PARAMETERS: &str = "nbl-pool.bad-parameters";
/// A pool handle that is not a live NBL pool (unknown, or already freed).
pub const NBL_POOL_UNKNOWN_HANDLE: &str = "nbl-pool.unknown-handle";
/// NdisFreeNetBufferListPool while NBLs of the pool are still allocated.
pub const NBL_POOL_FREED_WITH_NBLS: &str = "nbl-pool.freed-with-nbls";
/// An NBL pool still allocated when its owner halted (or the driver unloaded).
pub const NBL_POOL_LEAK_AT_HALT: &str = "nbl-pool.leak-at-halt";
/// NdisAllocateNetBufferAndNetBufferList arguments wrong (pool without NET_BUFFERs or with a
/// DataSize, context sizes not multiples of 16, offsets without an MDL, data beyond the MDLs).
pub const NBL_BAD_PARAMETERS: &str = "nbl.bad-parameters";
/// An NBL still allocated when its pool's owner halted (or the driver unloaded).
pub const NBL_LEAK_AT_HALT: &str = "nbl.leak-at-halt";
/// NdisFreeNetBufferList of an NBL already freed.
pub const NBL_DOUBLE_FREE: &str = "nbl.double-free";
/// NdisFreeNetBufferList of an NBL NDIS never allocated.
pub const NBL_UNKNOWN_FREE: &str = "nbl.unknown-free";
/// NdisFreeNetBufferList of an NBL that NDIS owns (indicated, not returned yet).
pub const NBL_FREE_WHILE_OWNED_BY_NDIS: &str = "nbl.free-while-owned-by-ndis";
/// NdisAllocateMdl with a NULL address or a zero length.
pub const MDL_BAD_PARAMETERS: &str = "mdl.bad-parameters";
/// An MDL still allocated when its owner halted (or the driver unloaded).
pub const MDL_LEAK_AT_HALT: &str = "mdl.leak-at-halt";
/// NdisFreeMdl of an MDL already freed.
pub const MDL_DOUBLE_FREE: &str = "mdl.double-free";
/// NdisFreeMdl of an MDL NdisAllocateMdl never returned.
pub const MDL_UNKNOWN_FREE: &str = "mdl.unknown-free";
/// NdisFreeMdl of an MDL that an NBL NDIS owns still uses.
pub const MDL_FREE_WHILE_OWNED_BY_NDIS: &str = "mdl.free-while-owned-by-ndis";
