//! Helpers that call the NDIS exports the way a miniport does (configuration, attributes,
//! shared memory, status indications, work items).

use std::ptr::null_mut;

use ndis_sys::*;

use super::FakeAdapter;
use super::fake::work_item;

/// Reads an integer keyword through the NDIS configuration routines.
pub fn read_keyword(adapter: NDIS_HANDLE, name: &str) -> Option<u32> {
    let mut object = NDIS_CONFIGURATION_OBJECT {
        Header: NDIS_OBJECT_HEADER::new(
            NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT,
            1,
            NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1,
        ),
        NdisHandle: adapter,
        Flags: 0,
    };
    let mut config: NDIS_HANDLE = null_mut();
    // SAFETY: valid locals.
    let status = unsafe { NdisOpenConfigurationEx(&raw mut object, &raw mut config) };
    if status != NDIS_STATUS_SUCCESS {
        return None;
    }
    let mut units: Vec<u16> = name.encode_utf16().collect();
    let mut keyword = NDIS_STRING {
        Length: (units.len() * 2) as u16,
        MaximumLength: (units.len() * 2) as u16,
        Buffer: units.as_mut_ptr(),
    };
    let mut value: *mut NDIS_CONFIGURATION_PARAMETER = null_mut();
    let mut read_status = NDIS_STATUS_FAILURE;
    // SAFETY: valid locals and the open configuration handle.
    unsafe {
        NdisReadConfiguration(&raw mut read_status, &raw mut value, config, &raw mut keyword, NdisParameterInteger)
    };
    let result = if read_status == NDIS_STATUS_SUCCESS && !value.is_null() {
        // SAFETY: NDIS returned a parameter block valid until NdisCloseConfiguration.
        let data = unsafe { (*value).ParameterData };
        // SAFETY: an integer read fills IntegerData.
        Some(unsafe { data.IntegerData })
    } else {
        None
    };
    // SAFETY: the handle NdisOpenConfigurationEx returned.
    unsafe { NdisCloseConfiguration(config) };
    result
}

/// Sets the registration, general and hardware-assist attributes the way a VMQ miniport does.
pub fn set_attributes(adapter: NDIS_HANDLE, context: *mut FakeAdapter, bus_master: bool) -> NDIS_STATUS {
    let mut attrs = NDIS_MINIPORT_ADAPTER_ATTRIBUTES::default();
    let flags = NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE
        | if bus_master { NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER } else { 0 }
        | if super::knob(|k| k.no_halt_on_suspend) { NDIS_MINIPORT_ATTRIBUTES_NO_HALT_ON_SUSPEND } else { 0 };
    attrs.RegistrationAttributes = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES {
        Header: NDIS_OBJECT_HEADER::new(
            NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES,
            NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2,
            NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2,
        ),
        MiniportAdapterContext: context.cast(),
        AttributeFlags: flags,
        CheckForHangTimeInSeconds: 0,
        InterfaceType: NdisInterfacePci,
    };
    // SAFETY: `attrs` is a valid local.
    let status = unsafe { NdisMSetMiniportAttributes(adapter, &raw mut attrs) };
    if status != NDIS_STATUS_SUCCESS {
        return status;
    }
    let mut general = NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES {
        Header: NDIS_OBJECT_HEADER::new(
            NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES,
            NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2,
            NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2,
        ),
        MtuSize: 1500,
        MaxXmitLinkSpeed: 10_000_000_000,
        MaxRcvLinkSpeed: 10_000_000_000,
        MacAddressLength: 6,
        MacOptions: super::knob(|k| k.mac_options),
        IfType: IF_TYPE_ETHERNET_CSMACD,
        ..Default::default()
    };
    // One address per adapter: its handle's low bytes.
    let b = (adapter as usize as u64).to_le_bytes();
    let address = super::knob(|k| k.mac).unwrap_or([0x02, 0, b[3], b[2], b[1], b[0]]);
    general.CurrentMacAddress[..6].copy_from_slice(&address);
    general.PermanentMacAddress[..6].copy_from_slice(&address);
    attrs.GeneralAttributes = general;
    // SAFETY: `attrs` is a valid local.
    let status = unsafe { NdisMSetMiniportAttributes(adapter, &raw mut attrs) };
    if status != NDIS_STATUS_SUCCESS {
        return status;
    }
    let mut hardware = capabilities(NDIS_RECEIVE_FILTER_VM_QUEUE_SUPPORTED | NDIS_RECEIVE_FILTER_MSI_X_SUPPORTED);
    let mut current = capabilities(NDIS_RECEIVE_FILTER_VM_QUEUE_SUPPORTED);
    attrs.HardwareAssistAttributes = NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES {
        Header: NDIS_OBJECT_HEADER::new(
            NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES,
            NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_3,
            NDIS_SIZEOF_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES_REVISION_3,
        ),
        HardwareReceiveFilterCapabilities: &raw mut hardware,
        CurrentReceiveFilterCapabilities: &raw mut current,
        ..Default::default()
    };
    // SAFETY: `attrs` and the capabilities it points to are valid locals.
    unsafe { NdisMSetMiniportAttributes(adapter, &raw mut attrs) }
}

/// Revision-2 receive filter capabilities with 8 queues.
pub fn capabilities(queue_properties: u32) -> NDIS_RECEIVE_FILTER_CAPABILITIES {
    NDIS_RECEIVE_FILTER_CAPABILITIES {
        Header: NDIS_OBJECT_HEADER::new(
            NDIS_OBJECT_TYPE_DEFAULT,
            NDIS_RECEIVE_FILTER_CAPABILITIES_REVISION_2,
            NDIS_SIZEOF_RECEIVE_FILTER_CAPABILITIES_REVISION_2,
        ),
        EnabledFilterTypes: NDIS_RECEIVE_FILTER_VMQ_FILTERS_ENABLED,
        EnabledQueueTypes: NDIS_RECEIVE_FILTER_VM_QUEUES_ENABLED,
        NumQueues: 8,
        SupportedQueueProperties: queue_properties,
        SupportedFilterTests: NDIS_RECEIVE_FILTER_TEST_HEADER_FIELD_EQUAL_SUPPORTED,
        SupportedHeaders: NDIS_RECEIVE_FILTER_MAC_HEADER_SUPPORTED,
        SupportedMacHeaderFields: NDIS_RECEIVE_FILTER_MAC_HEADER_DEST_ADDR_SUPPORTED,
        MaxMacHeaderFilters: 16,
        ..Default::default()
    }
}

/// A shared-memory allocation the fake made: status, AllocationHandle, SG elements.
pub struct Shared {
    /// NdisAllocateSharedMemory's status.
    pub status: NDIS_STATUS,
    /// AllocationHandle.
    pub allocation: NDIS_HANDLE,
    /// VirtualAddress.
    pub virtual_address: PVOID,
    /// SharedMemoryHandle (for NET_BUFFER_SHARED_MEMORY).
    pub shared_handle: NDIS_HANDLE,
    /// (Address, Length) of each SG element.
    pub elements: Vec<(i64, u32)>,
}

/// Calls NdisAllocateSharedMemory with a revision-2 parameter block and an SG buffer sized by
/// pages (like netvmini); `edit` may change the parameters first.
pub fn allocate_shared(
    handle: NDIS_HANDLE,
    queue: u32,
    len: u32,
    contiguous: bool,
    edit: impl FnOnce(&mut NDIS_SHARED_MEMORY_PARAMETERS),
) -> Shared {
    let pages = (len as usize).div_ceil(4096).max(1);
    let sg_len = 16 + 24 * pages;
    let mut sg = vec![0u64; sg_len.div_ceil(8)];
    let mut params = NDIS_SHARED_MEMORY_PARAMETERS {
        Header: NDIS_OBJECT_HEADER::new(
            NDIS_OBJECT_TYPE_DEFAULT,
            NDIS_SHARED_MEMORY_PARAMETERS_REVISION_2,
            NDIS_SIZEOF_SHARED_MEMORY_PARAMETERS_REVISION_2,
        ),
        Flags: if contiguous { NDIS_SHARED_MEM_PARAMETERS_CONTIGUOUS } else { 0 },
        QueueId: queue,
        PreferredNode: MM_ANY_NODE_OK,
        Usage: NdisSharedMemoryUsageReceive,
        Length: len,
        SGListBufferLength: sg_len as u32,
        SGListBuffer: sg.as_mut_ptr().cast(),
        ..Default::default()
    };
    edit(&mut params);
    let mut allocation: NDIS_HANDLE = null_mut();
    // SAFETY: valid locals; the SG buffer outlives the call.
    let status = unsafe { NdisAllocateSharedMemory(handle, &raw mut params, &raw mut allocation) };
    let n = if status == NDIS_STATUS_SUCCESS { sg[0] as u32 as usize } else { 0 };
    let elements = (0..n.min(pages)).map(|i| (sg[2 + 3 * i] as i64, sg[3 + 3 * i] as u32)).collect();
    Shared {
        status,
        allocation,
        virtual_address: params.VirtualAddress,
        shared_handle: params.SharedMemoryHandle,
        elements,
    }
}

/// Indicates NDIS_STATUS_RECEIVE_QUEUE_STATE for `queue` with `state`.
pub fn indicate_queue_state(adapter: NDIS_HANDLE, queue: u32, state: i32) {
    let mut payload = NDIS_RECEIVE_QUEUE_STATE {
        Header: NDIS_OBJECT_HEADER::new(
            NDIS_OBJECT_TYPE_DEFAULT,
            NDIS_RECEIVE_QUEUE_STATE_REVISION_1,
            NDIS_SIZEOF_NDIS_RECEIVE_QUEUE_STATE_REVISION_1,
        ),
        Flags: 0,
        QueueId: queue,
        QueueState: state,
    };
    let mut indication = status_indication(adapter, NDIS_STATUS_RECEIVE_QUEUE_STATE);
    indication.StatusBuffer = (&raw mut payload).cast();
    indication.StatusBufferSize = size_of::<NDIS_RECEIVE_QUEUE_STATE>() as u32;
    // SAFETY: valid locals.
    unsafe { NdisMIndicateStatusEx(adapter, &raw mut indication) };
}

/// A well-formed NDIS_STATUS_INDICATION from `adapter` with `code` and no buffer.
pub fn status_indication(adapter: NDIS_HANDLE, code: NDIS_STATUS) -> NDIS_STATUS_INDICATION {
    NDIS_STATUS_INDICATION {
        Header: NDIS_OBJECT_HEADER::new(
            NDIS_OBJECT_TYPE_STATUS_INDICATION,
            NDIS_STATUS_INDICATION_REVISION_1,
            NDIS_SIZEOF_STATUS_INDICATION_REVISION_1,
        ),
        SourceHandle: adapter,
        PortNumber: 0,
        StatusCode: code,
        Flags: 0,
        DestinationHandle: null_mut(),
        RequestId: null_mut(),
        StatusBuffer: null_mut(),
        StatusBufferSize: 0,
        Guid: GUID::default(),
        NdisReserved: [null_mut(); 4],
    }
}

/// Frees every shared-memory block the fake holds for `queue`.
pub fn free_queue_memory(state: &mut FakeAdapter, queue: u32) {
    for allocation in state.memory.remove(&queue).unwrap_or_default() {
        // SAFETY: handles NdisAllocateSharedMemory returned for this adapter.
        unsafe { NdisFreeSharedMemory(state.handle, allocation) };
    }
}

/// Allocates and queues the fake's work item for `state`.
pub fn queue_work(state: &mut FakeAdapter) {
    // SAFETY: the adapter handle.
    let item = unsafe { NdisAllocateIoWorkItem(state.handle) };
    state.work_item = item;
    // SAFETY: a live work item, the fake's routine, and the adapter state as context.
    unsafe { NdisQueueIoWorkItem(item, Some(work_item), (state as *mut FakeAdapter).cast()) };
}
