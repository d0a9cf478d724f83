//! The one list of every `ndis.sys` / `ntoskrnl.exe` routine vmqnic imports; see <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/>.
//!
//! [`for_each_import!`](crate::for_each_import) hands the whole table to a callback macro (the
//! "x-macro" pattern). Each consumer generates its own piece from the same rows:
//! - `functions.rs` (here): the `extern` declarations, the [`pfn`](crate::pfn) pointer types and
//!   [`IMPORTS`](crate::IMPORTS), from which `imports.txt` (the package's import allowlist) is
//!   checked;
//! - `ndis-sim` (`src/ffi/exports.rs`): the `#[no_mangle]` host exports;
//! - `sys-emu` (`src/imports/table.rs`): the emulator's handler lookup.
//!
//! Adding an import is one row here plus the model method that answers it.

/// Calls `$callback! { rows }` with every routine vmqnic imports, in `imports.txt` order.
///
/// A row is a WDK prototype with the WDK parameter names, its DLL, and who answers it:
///
/// ```text
/// /// What it does. <IRQL>.
/// "ndis.sys" extern "system" fn Name(WdkParam: TYPE, ...) -> RET = DEFAULT => ANSWER;
/// ```
///
/// - `-> RET = DEFAULT` is absent for `VOID` routines; `DEFAULT` is the model-side value
///   returned when the model cannot answer (no host on the thread, or a re-entrant call).
/// - `ANSWER` is one of
///   - `model(|m, mem| EXPR)`: a closure over `&mut Model` and the address space (host or
///     guest memory) that calls the model method answering the routine. Inside it each
///     parameter is already converted to the model's type by its C type: pointers and handles
///     (and `SIZE_T`, and work-item routines) as `u64` addresses, `UINT`/`ULONG` as `u32`,
///     `NDIS_STATUS`/enums as `i32`, `USHORT` as `u16`, `LARGE_INTEGER` as `i64`. The closure
///     may name `Transition` (`ndis_sim::model::lifecycle`); each consumer has it in scope.
///   - `adapter(function)`: hand-written glue, for the few routines that call back into the
///     driver, write into the caller's structure besides the model call, or never return. Each
///     consumer defines `function` (ndis-sim with the C signature, sys-emu as an import
///     handler).
///   - `runtime(function)`: a C runtime routine (`extern "C"`) that `core` or the compiler
///     emits. Declared for the cross build only; host builds use the platform's C runtime, so
///     ndis-sim defines nothing; the emulator answers it with `function`.
#[macro_export]
macro_rules! for_each_import {
    ($callback:ident) => {
        $callback! {
            // Driver and adapter registration (PASSIVE_LEVEL).
            /// Registers the miniport driver from DriverEntry; NDIS copies the characteristics. PASSIVE_LEVEL.
            // Adapter: NDIS calls MiniportSetOptions from inside it (a nested call into the driver).
            "ndis.sys" extern "system" fn NdisMRegisterMiniportDriver(
                DriverObject: *mut DRIVER_OBJECT,
                RegistryPath: *mut UNICODE_STRING,
                MiniportDriverContext: NDIS_HANDLE,
                MiniportDriverCharacteristics: *mut NDIS_MINIPORT_DRIVER_CHARACTERISTICS,
                NdisMiniportDriverHandle: *mut NDIS_HANDLE,
            ) -> NDIS_STATUS => adapter(register_miniport_driver);
            /// Undoes `NdisMRegisterMiniportDriver` (DriverEntry failure path or MiniportDriverUnload). PASSIVE_LEVEL.
            "ndis.sys" extern "system" fn NdisMDeregisterMiniportDriver(NdisMiniportDriverHandle: NDIS_HANDLE)
                => model(|m, _| m.deregister_miniport_driver(NdisMiniportDriverHandle));
            /// Sets one kind of adapter attributes (registration first, then general, then the rest). PASSIVE_LEVEL.
            "ndis.sys" extern "system" fn NdisMSetMiniportAttributes(
                NdisMiniportHandle: NDIS_HANDLE,
                MiniportAttributes: *mut NDIS_MINIPORT_ADAPTER_ATTRIBUTES,
            ) -> NDIS_STATUS = $crate::NDIS_STATUS_FAILURE
                => model(|m, mem| m.set_miniport_attributes(mem, NdisMiniportHandle, MiniportAttributes));

            // Pool memory (<= DISPATCH_LEVEL).
            /// Allocates non-paged pool; null on failure. <= DISPATCH_LEVEL.
            "ndis.sys" extern "system" fn NdisAllocateMemoryWithTagPriority(
                NdisHandle: NDIS_HANDLE,
                Length: UINT,
                Tag: ULONG,
                Priority: EX_POOL_PRIORITY,
            ) -> PVOID = 0 => model(|m, mem| m.allocate_pool(mem, NdisHandle, Length, Tag));
            /// Frees memory from `NdisAllocateMemoryWithTagPriority` with the same tag. <= DISPATCH_LEVEL.
            "ndis.sys" extern "system" fn NdisFreeMemoryWithTagPriority(
                NdisHandle: NDIS_HANDLE,
                VirtualAddress: PVOID,
                Tag: ULONG,
            ) => model(|m, mem| m.free_pool(mem, NdisHandle, VirtualAddress, Tag));

            // VMQ shared memory (PASSIVE_LEVEL).
            /// Allocates VMQ shared memory for a receive queue; fills `SharedMemoryHandle`, `VirtualAddress` and the SG list. PASSIVE_LEVEL.
            "ndis.sys" extern "system" fn NdisAllocateSharedMemory(
                NdisHandle: NDIS_HANDLE,
                SharedMemoryParameters: *mut NDIS_SHARED_MEMORY_PARAMETERS,
                pAllocationHandle: *mut NDIS_HANDLE,
            ) -> NDIS_STATUS = $crate::NDIS_STATUS_FAILURE
                => model(|m, mem| m.allocate_shared_memory(mem, NdisHandle, SharedMemoryParameters, pAllocationHandle));
            /// Frees a block from `NdisAllocateSharedMemory` (same `NdisHandle`). PASSIVE_LEVEL.
            "ndis.sys" extern "system" fn NdisFreeSharedMemory(NdisHandle: NDIS_HANDLE, AllocationHandle: NDIS_HANDLE)
                => model(|m, mem| m.free_shared_memory(mem, NdisHandle, AllocationHandle));

            // Status and OID completion (<= DISPATCH_LEVEL).
            /// Indicates a status change (e.g. `NDIS_STATUS_RECEIVE_QUEUE_STATE`). <= DISPATCH_LEVEL.
            "ndis.sys" extern "system" fn NdisMIndicateStatusEx(
                MiniportAdapterHandle: NDIS_HANDLE,
                StatusIndication: *mut NDIS_STATUS_INDICATION,
            ) => model(|m, mem| m.indicate_status(mem, MiniportAdapterHandle, StatusIndication));
            /// Completes an OID request the miniport returned `NDIS_STATUS_PENDING` for; never with PENDING, never twice. <= DISPATCH_LEVEL.
            "ndis.sys" extern "system" fn NdisMOidRequestComplete(
                MiniportAdapterHandle: NDIS_HANDLE,
                OidRequest: *mut NDIS_OID_REQUEST,
                Status: NDIS_STATUS,
            ) => model(|m, mem| m.complete_oid(mem, MiniportAdapterHandle, OidRequest, Status));

            // Scatter/gather DMA (PASSIVE_LEVEL).
            /// Registers the adapter for scatter/gather DMA (needed before `NdisAllocateSharedMemory`). PASSIVE_LEVEL.
            "ndis.sys" extern "system" fn NdisMRegisterScatterGatherDma(
                MiniportAdapterHandle: NDIS_HANDLE,
                DmaDescription: *mut NDIS_SG_DMA_DESCRIPTION,
                NdisMiniportDmaHandle: *mut NDIS_HANDLE,
            ) -> NDIS_STATUS = $crate::NDIS_STATUS_FAILURE
                => model(|m, mem| m.register_sg_dma(mem, MiniportAdapterHandle, DmaDescription, NdisMiniportDmaHandle));
            /// Undoes `NdisMRegisterScatterGatherDma` (in MiniportHaltEx). PASSIVE_LEVEL.
            "ndis.sys" extern "system" fn NdisMDeregisterScatterGatherDma(NdisMiniportDmaHandle: NDIS_HANDLE)
                => model(|m, _| m.deregister_sg_dma(NdisMiniportDmaHandle));

            // Device memory (PASSIVE_LEVEL).
            /// Maps a bus-relative range of the adapter's device memory into system space; `VirtualAddress` is NULL on failure. PASSIVE_LEVEL.
            "ndis.sys" extern "system" fn NdisMMapIoSpace(
                VirtualAddress: *mut PVOID,
                MiniportAdapterHandle: NDIS_HANDLE,
                PhysicalAddress: NDIS_PHYSICAL_ADDRESS,
                Length: UINT,
            ) -> NDIS_STATUS = $crate::NDIS_STATUS_FAILURE => model(|m, mem| {
                // CAST: a bus-relative physical address is never negative.
                m.map_io_space(mem, VirtualAddress, MiniportAdapterHandle, PhysicalAddress as u64, Length)
            });
            /// Undoes `NdisMMapIoSpace` (same `VirtualAddress` and `Length`). PASSIVE_LEVEL.
            "ndis.sys" extern "system" fn NdisMUnmapIoSpace(
                MiniportAdapterHandle: NDIS_HANDLE,
                VirtualAddress: PVOID,
                Length: UINT,
            ) => model(|m, mem| m.unmap_io_space(mem, MiniportAdapterHandle, VirtualAddress, Length));

            // Bus-master NIC: DMA memory, bus data, message-signaled interrupts.
            /// Allocates memory the driver and the NIC both reach (descriptor rings); `*VirtualAddress` is NULL on failure. PASSIVE_LEVEL.
            "ndis.sys" extern "system" fn NdisMAllocateSharedMemory(
                MiniportAdapterHandle: NDIS_HANDLE,
                Length: ULONG,
                Cached: BOOLEAN,
                VirtualAddress: *mut PVOID,
                PhysicalAddress: *mut NDIS_PHYSICAL_ADDRESS,
            ) => model(|m, mem| m.allocate_dma_memory(mem, MiniportAdapterHandle, Length, VirtualAddress, PhysicalAddress));
            /// Frees `NdisMAllocateSharedMemory` memory (same Length, addresses). PASSIVE_LEVEL.
            "ndis.sys" extern "system" fn NdisMFreeSharedMemory(
                MiniportAdapterHandle: NDIS_HANDLE,
                Length: ULONG,
                Cached: BOOLEAN,
                VirtualAddress: PVOID,
                PhysicalAddress: NDIS_PHYSICAL_ADDRESS,
            ) => model(|m, _| {
                // CAST: a bus address is never negative.
                m.free_dma_memory(MiniportAdapterHandle, Length, VirtualAddress, PhysicalAddress as u64)
            });
            /// Reads the device's PCI configuration space; returns the bytes read. <= DISPATCH_LEVEL.
            "ndis.sys" extern "system" fn NdisMGetBusData(
                NdisMiniportHandle: NDIS_HANDLE,
                WhichSpace: ULONG,
                Offset: ULONG,
                Buffer: PVOID,
                Length: ULONG,
            ) -> ULONG = 0 => model(|m, mem| m.get_bus_data(mem, NdisMiniportHandle, WhichSpace, Offset, Buffer, Length));
            /// Registers the adapter's interrupt (MSI-X message handlers); fills the handle, InterruptType and MessageInfoTable. PASSIVE_LEVEL.
            "ndis.sys" extern "system" fn NdisMRegisterInterruptEx(
                MiniportAdapterHandle: NDIS_HANDLE,
                MiniportInterruptContext: NDIS_HANDLE,
                MiniportInterruptCharacteristics: *mut NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS,
                NdisInterruptHandle: *mut NDIS_HANDLE,
            ) -> NDIS_STATUS = $crate::NDIS_STATUS_FAILURE => model(|m, mem| {
                m.register_interrupt(
                    mem,
                    MiniportAdapterHandle,
                    MiniportInterruptContext,
                    MiniportInterruptCharacteristics,
                    NdisInterruptHandle,
                )
            });
            /// Queues the message's DPC on each processor of `TargetProcessors` (group 0); returns those it queued. Any IRQL.
            "ndis.sys" extern "system" fn NdisMQueueDpcEx(
                NdisInterruptHandle: NDIS_HANDLE,
                MessageId: ULONG,
                TargetProcessors: *mut GROUP_AFFINITY,
                MiniportDpcContext: PVOID,
            ) -> KAFFINITY = 0 => model(|m, mem| {
                m.queue_dpc(mem, NdisInterruptHandle, MessageId, TargetProcessors, MiniportDpcContext)
            });
            /// Runs `SynchronizeFunction(SynchronizeContext)` at the message's DIRQL, serialized with its MiniportMessageInterrupt; returns what it returned. <= DIRQL.
            // Adapter: NDIS calls the driver's synchronize function from inside it.
            "ndis.sys" extern "system" fn NdisMSynchronizeWithInterruptEx(
                NdisInterruptHandle: NDIS_HANDLE,
                MessageId: ULONG,
                SynchronizeFunction: PVOID,
                SynchronizeContext: PVOID,
            ) -> BOOLEAN => adapter(synchronize_with_interrupt);
            /// Maps an MSI-X table entry to a message, or masks / unmasks it. <= DISPATCH_LEVEL.
            "ndis.sys" extern "system" fn NdisMConfigMSIXTableEntry(
                NdisMiniportHandle: NDIS_HANDLE,
                MSIXConfigParameters: *mut NDIS_MSIX_CONFIG_PARAMETERS,
            ) -> NDIS_STATUS = $crate::NDIS_STATUS_FAILURE
                => model(|m, mem| m.config_msix_table_entry(mem, NdisMiniportHandle, MSIXConfigParameters));
            /// Maps a NET_BUFFER for the NIC and calls MiniportProcessSGList with its SG list. <= DISPATCH_LEVEL.
            // Adapter: NDIS calls the driver's MiniportProcessSGList from inside it.
            "ndis.sys" extern "system" fn NdisMAllocateNetBufferSGList(
                NdisMiniportDmaHandle: NDIS_HANDLE,
                NetBuffer: *mut NET_BUFFER,
                Context: PVOID,
                Flags: ULONG,
                ScatterGatherListBuffer: PVOID,
                ScatterGatherListBufferSize: ULONG,
            ) -> NDIS_STATUS => adapter(allocate_net_buffer_sg_list);
            /// Frees an SG list from `NdisMAllocateNetBufferSGList` (after the NIC is done with it). <= DISPATCH_LEVEL.
            "ndis.sys" extern "system" fn NdisMFreeNetBufferSGList(
                NdisMiniportDmaHandle: NDIS_HANDLE,
                pSGL: *mut SCATTER_GATHER_LIST,
                NetBuffer: *mut NET_BUFFER,
            ) => model(|m, mem| m.free_net_buffer_sg_list(mem, NdisMiniportDmaHandle, pSGL, NetBuffer));
            /// Undoes `NdisMRegisterInterruptEx` (MiniportHaltEx or an initialize failure). PASSIVE_LEVEL.
            "ndis.sys" extern "system" fn NdisMDeregisterInterruptEx(NdisInterruptHandle: NDIS_HANDLE)
                => model(|m, mem| m.deregister_interrupt(mem, NdisInterruptHandle));

            // Configuration (PASSIVE_LEVEL).
            /// Opens the adapter's registry configuration. PASSIVE_LEVEL.
            "ndis.sys" extern "system" fn NdisOpenConfigurationEx(
                ConfigObject: *mut NDIS_CONFIGURATION_OBJECT,
                ConfigurationHandle: *mut NDIS_HANDLE,
            ) -> NDIS_STATUS = $crate::NDIS_STATUS_FAILURE
                => model(|m, mem| m.open_configuration(mem, ConfigObject, ConfigurationHandle));
            /// Reads one keyword; the value stays valid until `NdisCloseConfiguration`. PASSIVE_LEVEL.
            "ndis.sys" extern "system" fn NdisReadConfiguration(
                Status: *mut NDIS_STATUS,
                ParameterValue: *mut *mut NDIS_CONFIGURATION_PARAMETER,
                ConfigurationHandle: NDIS_HANDLE,
                Keyword: *mut NDIS_STRING,
                ParameterType: NDIS_PARAMETER_TYPE,
            ) => model(|m, mem| {
                m.read_configuration(mem, Status, ParameterValue, ConfigurationHandle, Keyword, ParameterType)
            });
            /// Closes a handle from `NdisOpenConfigurationEx`. PASSIVE_LEVEL.
            "ndis.sys" extern "system" fn NdisCloseConfiguration(ConfigurationHandle: NDIS_HANDLE)
                => model(|m, mem| m.close_configuration(mem, ConfigurationHandle));
            /// Reads the standardized `NetworkAddress` keyword as address bytes; they stay valid
            /// until `NdisCloseConfiguration`. PASSIVE_LEVEL.
            "ndis.sys" extern "system" fn NdisReadNetworkAddress(
                Status: *mut NDIS_STATUS,
                NetworkAddress: *mut PVOID,
                NetworkAddressLength: *mut UINT,
                ConfigurationHandle: NDIS_HANDLE,
            ) => model(|m, mem| {
                m.read_network_address(mem, Status, NetworkAddress, NetworkAddressLength, ConfigurationHandle)
            });

            // Pause/restart completion (<= DISPATCH_LEVEL).
            /// Completes a MiniportPause that returned `NDIS_STATUS_PENDING`. <= DISPATCH_LEVEL.
            "ndis.sys" extern "system" fn NdisMPauseComplete(MiniportAdapterHandle: NDIS_HANDLE)
                => model(|m, _| m.complete_transition(MiniportAdapterHandle, Transition::Pause, 0));
            /// Completes a MiniportRestart that returned `NDIS_STATUS_PENDING`. <= DISPATCH_LEVEL.
            "ndis.sys" extern "system" fn NdisMRestartComplete(MiniportAdapterHandle: NDIS_HANDLE, Status: NDIS_STATUS)
                => model(|m, _| m.complete_transition(MiniportAdapterHandle, Transition::Restart, Status));

            // IO work items (<= DISPATCH_LEVEL; the routine runs at PASSIVE_LEVEL).
            /// Allocates an IO work item; null on failure. <= DISPATCH_LEVEL.
            "ndis.sys" extern "system" fn NdisAllocateIoWorkItem(NdisObjectHandle: NDIS_HANDLE) -> NDIS_HANDLE = 0
                => model(|m, _| m.allocate_work_item(NdisObjectHandle));
            /// Queues `Routine` to run at PASSIVE_LEVEL with `WorkItemContext`. <= DISPATCH_LEVEL.
            "ndis.sys" extern "system" fn NdisQueueIoWorkItem(
                NdisIoWorkItemHandle: NDIS_HANDLE,
                Routine: NDIS_IO_WORKITEM_ROUTINE,
                WorkItemContext: PVOID,
            ) => model(|m, _| m.queue_work_item(NdisIoWorkItemHandle, Routine, WorkItemContext));
            /// Frees a work item from `NdisAllocateIoWorkItem`. <= DISPATCH_LEVEL.
            "ndis.sys" extern "system" fn NdisFreeIoWorkItem(NdisIoWorkItemHandle: NDIS_HANDLE)
                => model(|m, _| m.free_work_item(NdisIoWorkItemHandle));

            // Data path (<= DISPATCH_LEVEL).
            /// Indicates received NBLs up the stack. <= DISPATCH_LEVEL.
            "ndis.sys" extern "system" fn NdisMIndicateReceiveNetBufferLists(
                MiniportAdapterHandle: NDIS_HANDLE,
                NetBufferList: *mut NET_BUFFER_LIST,
                PortNumber: NDIS_PORT_NUMBER,
                NumberOfNetBufferLists: ULONG,
                ReceiveFlags: ULONG,
            ) => model(|m, mem| {
                m.indicate_receive(mem, MiniportAdapterHandle, NetBufferList, NumberOfNetBufferLists, ReceiveFlags)
            });
            /// Returns sent NBLs to the sender. <= DISPATCH_LEVEL.
            "ndis.sys" extern "system" fn NdisMSendNetBufferListsComplete(
                MiniportAdapterHandle: NDIS_HANDLE,
                NetBufferList: *mut NET_BUFFER_LIST,
                SendCompleteFlags: ULONG,
            ) => model(|m, mem| m.send_complete(mem, MiniportAdapterHandle, NetBufferList, SendCompleteFlags));
            /// Alignment for data shared between processors (cache line). <= DISPATCH_LEVEL.
            "ndis.sys" extern "system" fn NdisGetSharedDataAlignment() -> ULONG = 64
                => model(|m, _| m.shared_data_alignment());

            // NBL pools and MDLs (`ndis/nblapi.h`, `ndis/mdlapi.h`; <= DISPATCH_LEVEL).
            /// Allocates a pool of NBLs (with a preallocated NET_BUFFER each when `fAllocateNetBuffer`); null on failure. <= DISPATCH_LEVEL.
            "ndis.sys" extern "system" fn NdisAllocateNetBufferListPool(
                NdisHandle: NDIS_HANDLE,
                Parameters: *mut NET_BUFFER_LIST_POOL_PARAMETERS,
            ) -> NDIS_HANDLE = 0 => model(|m, mem| m.allocate_nbl_pool(mem, NdisHandle, Parameters));
            /// Frees a pool from `NdisAllocateNetBufferListPool`; every NBL of it must be freed first. <= DISPATCH_LEVEL.
            "ndis.sys" extern "system" fn NdisFreeNetBufferListPool(PoolHandle: NDIS_HANDLE)
                => model(|m, _| m.free_nbl_pool(PoolHandle));
            /// Allocates an NBL and its NET_BUFFER over `MdlChain` (pool with `fAllocateNetBuffer` TRUE, `DataSize` 0); null on failure. <= DISPATCH_LEVEL.
            "ndis.sys" extern "system" fn NdisAllocateNetBufferAndNetBufferList(
                PoolHandle: NDIS_HANDLE,
                ContextSize: USHORT,
                ContextBackFill: USHORT,
                MdlChain: *mut MDL,
                DataOffset: ULONG,
                DataLength: SIZE_T,
            ) -> *mut NET_BUFFER_LIST = 0 => model(|m, mem| {
                let (size, backfill) = (ContextSize, ContextBackFill);
                m.allocate_net_buffer_and_nbl(mem, PoolHandle, size, backfill, MdlChain, DataOffset, DataLength)
            });
            /// Frees an NBL (and its preallocated NET_BUFFER, not the MDLs) back to its pool. <= DISPATCH_LEVEL.
            "ndis.sys" extern "system" fn NdisFreeNetBufferList(NetBufferList: *mut NET_BUFFER_LIST)
                => model(|m, mem| m.free_nbl(mem, NetBufferList));
            /// Allocates and builds an MDL describing `Length` bytes of non-paged memory at `VirtualAddress`; null on failure. <= DISPATCH_LEVEL.
            "ndis.sys" extern "system" fn NdisAllocateMdl(
                NdisHandle: NDIS_HANDLE,
                VirtualAddress: PVOID,
                Length: ULONG,
            ) -> *mut MDL = 0 => model(|m, mem| m.allocate_mdl(mem, NdisHandle, VirtualAddress, Length));
            /// Frees an MDL from `NdisAllocateMdl` (not the memory it describes). <= DISPATCH_LEVEL.
            "ndis.sys" extern "system" fn NdisFreeMdl(Mdl: *mut MDL) => model(|m, mem| m.free_mdl(mem, Mdl));

            // Spin locks. The `Ndis*SpinLock` routines are macros/inlines over the `Ke*SpinLock*`
            // routines in the current `ndis.h`, but the x64 `ndis.sys` still exports them for
            // binary compatibility.
            /// Initializes an `NDIS_SPIN_LOCK`. Any IRQL.
            "ndis.sys" extern "system" fn NdisAllocateSpinLock(SpinLock: *mut NDIS_SPIN_LOCK)
                => model(|m, _| m.allocate_spin_lock(SpinLock));
            /// Releases an `NDIS_SPIN_LOCK` initialized by `NdisAllocateSpinLock`. Any IRQL.
            "ndis.sys" extern "system" fn NdisFreeSpinLock(SpinLock: *mut NDIS_SPIN_LOCK)
                => model(|m, _| m.free_spin_lock(SpinLock));
            /// Raises to DISPATCH_LEVEL and acquires the lock, saving the old IRQL in `OldIrql`. <= DISPATCH_LEVEL.
            // Adapter: like ndis.sys it also stores the saved IRQL in the caller's `NDIS_SPIN_LOCK`.
            "ndis.sys" extern "system" fn NdisAcquireSpinLock(SpinLock: *mut NDIS_SPIN_LOCK)
                => adapter(acquire_spin_lock);
            /// Releases a lock taken by `NdisAcquireSpinLock` and restores `OldIrql`. DISPATCH_LEVEL.
            "ndis.sys" extern "system" fn NdisReleaseSpinLock(SpinLock: *mut NDIS_SPIN_LOCK)
                => model(|m, _| m.release_spin_lock(SpinLock, false));
            /// Acquires the lock when already at DISPATCH_LEVEL.
            // Adapter: shares `NdisAcquireSpinLock`'s glue (without storing `OldIrql`).
            "ndis.sys" extern "system" fn NdisDprAcquireSpinLock(SpinLock: *mut NDIS_SPIN_LOCK)
                => adapter(dpr_acquire_spin_lock);
            /// Releases a lock taken by `NdisDprAcquireSpinLock`. DISPATCH_LEVEL.
            "ndis.sys" extern "system" fn NdisDprReleaseSpinLock(SpinLock: *mut NDIS_SPIN_LOCK)
                => model(|m, _| m.release_spin_lock(SpinLock, true));

            // Driver-object extension and bug check (ntoskrnl.exe).
            /// Allocates a per-driver extension keyed by `ClientIdentificationAddress`. <= DISPATCH_LEVEL.
            "ntoskrnl.exe" extern "system" fn IoAllocateDriverObjectExtension(
                DriverObject: *mut DRIVER_OBJECT,
                ClientIdentificationAddress: PVOID,
                DriverObjectExtensionSize: ULONG,
                DriverObjectExtension: *mut PVOID,
            ) -> NTSTATUS = $crate::STATUS_UNSUCCESSFUL => model(|m, mem| {
                m.allocate_driver_object_extension(
                    mem,
                    DriverObject,
                    ClientIdentificationAddress,
                    DriverObjectExtensionSize,
                    DriverObjectExtension,
                )
            });
            /// Looks up an extension from `IoAllocateDriverObjectExtension`; null if none. <= DISPATCH_LEVEL.
            "ntoskrnl.exe" extern "system" fn IoGetDriverObjectExtension(
                DriverObject: *mut DRIVER_OBJECT,
                ClientIdentificationAddress: PVOID,
            ) -> PVOID = 0 => model(|m, _| m.get_driver_object_extension(DriverObject, ClientIdentificationAddress));
            /// The current processor's system-wide number; fills `ProcNumber` (group, number) when not NULL. Any IRQL.
            "ntoskrnl.exe" extern "system" fn KeGetCurrentProcessorNumberEx(ProcNumber: *mut PROCESSOR_NUMBER) -> ULONG = 0
                => model(|m, mem| m.get_current_processor_number_ex(mem, ProcNumber));
            // Deferred procedure calls: the software NIC's per-processor receive DPCs.
            /// Initializes a DPC object with its routine and context (targets the current processor until set). Any IRQL.
            "ntoskrnl.exe" extern "system" fn KeInitializeDpc(
                Dpc: *mut KDPC,
                DeferredRoutine: PKDEFERRED_ROUTINE,
                DeferredContext: PVOID,
            ) => model(|m, _| m.initialize_dpc(Dpc, DeferredRoutine, DeferredContext));
            /// Sets the processor a DPC runs on; STATUS_INVALID_PARAMETER for a processor that does not exist. <= DISPATCH_LEVEL.
            "ntoskrnl.exe" extern "system" fn KeSetTargetProcessorDpcEx(Dpc: *mut KDPC, ProcNumber: *mut PROCESSOR_NUMBER)
                -> NTSTATUS = $crate::STATUS_UNSUCCESSFUL => model(|m, mem| m.set_target_processor_dpc(mem, Dpc, ProcNumber));
            /// Queues a DPC on its target processor; FALSE when it is already queued. Any IRQL.
            "ntoskrnl.exe" extern "system" fn KeInsertQueueDpc(
                Dpc: *mut KDPC,
                SystemArgument1: PVOID,
                SystemArgument2: PVOID,
            ) -> BOOLEAN = 0 => model(|m, _| m.insert_queue_dpc(Dpc, SystemArgument1, SystemArgument2));
            /// Takes a queued DPC off its queue; FALSE when it was not queued (a running DPC is not waited for). Any IRQL.
            "ntoskrnl.exe" extern "system" fn KeRemoveQueueDpc(Dpc: *mut KDPC) -> BOOLEAN = 0
                => model(|m, _| m.remove_queue_dpc(Dpc));
            /// Returns once every DPC queued on any processor when it was called has run. PASSIVE_LEVEL.
            // Adapter: the simulated kernel runs the queued DPCs (nested calls into the driver).
            "ntoskrnl.exe" extern "system" fn KeFlushQueuedDpcs() => adapter(flush_queued_dpcs);
            /// Stops the system with a bug check (the cross build's panic handler). Any IRQL.
            // Adapter: never returns (the host aborts, the emulator stops the machine).
            "ntoskrnl.exe" extern "system" fn KeBugCheckEx(
                BugCheckCode: ULONG,
                BugCheckParameter1: ULONG_PTR,
                BugCheckParameter2: ULONG_PTR,
                BugCheckParameter3: ULONG_PTR,
                BugCheckParameter4: ULONG_PTR,
            ) -> ! => adapter(bug_check);

            // The C runtime `core` needs in a kernel image, taken from ntoskrnl.exe (cross build only).
            /// C runtime `memcpy` (ntoskrnl export).
            "ntoskrnl.exe" extern "C" fn memcpy(Destination: *mut c_void, Source: *const c_void, Length: usize)
                -> *mut c_void => runtime(memcpy);
            /// C runtime `memmove` (ntoskrnl export).
            "ntoskrnl.exe" extern "C" fn memmove(Destination: *mut c_void, Source: *const c_void, Length: usize)
                -> *mut c_void => runtime(memmove);
            /// C runtime `memset` (ntoskrnl export).
            "ntoskrnl.exe" extern "C" fn memset(Destination: *mut c_void, Fill: c_int, Length: usize) -> *mut c_void
                => runtime(memset);
            /// C runtime `memcmp` (ntoskrnl export).
            "ntoskrnl.exe" extern "C" fn memcmp(Buffer1: *const c_void, Buffer2: *const c_void, Length: usize) -> c_int
                => runtime(memcmp);
            /// C runtime `strlen` (ntoskrnl export).
            "ntoskrnl.exe" extern "C" fn strlen(String: *const c_char) -> usize => runtime(strlen);
            /// Stack probe the msvc target emits for large frames (ntoskrnl export).
            "ntoskrnl.exe" extern "C" fn __chkstk() => runtime(chkstk);
            /// Kernel debugger print (`__cdecl`, variadic). <= DIRQL.
            "ntoskrnl.exe" extern "C" fn DbgPrint(Format: *const c_char, ...) -> ULONG => runtime(dbg_print);
        }
    };
}

/// One row of the table as data: the DLL and the exported name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Import {
    /// `ndis.sys` or `ntoskrnl.exe`.
    pub dll: &'static str,
    /// The exported symbol.
    pub name: &'static str,
}
