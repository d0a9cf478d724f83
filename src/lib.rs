//! vmqnic: a VMQ-capable NDIS 6.30 miniport driver for Hyper-V hosts, in Rust.
//!
//! A VMQ NIC gives each virtual machine its own receive queue whose buffers live in
//! shared memory obtained from NDIS (`NdisAllocateSharedMemory`). This crate is the
//! driver: the same source builds the Windows kernel image (`vmqnic.sys`) and, on
//! any host, an rlib that the tests and the `vmqsim` runner drive through
//! `ndis-sim`, a simulated NDIS that checks the rules Driver Verifier would.
//! <https://learn.microsoft.com/windows-hardware/drivers/network/virtual-machine-queue-architecture>
//!
//! # Module map
//! Layers, each naming only those below it (`tests/layers.rs` checks it): bindings
//! (`ndis-sys`) ← [`kernel`] ← [`backend`] ← [`vmq`] ← [`ffi`].
//! - [`ffi`] — trampolines: `DriverEntry`/unload ([`ffi::driver`]; the driver-object extension
//!   with the hub, `ffi::extension`), the miniport handlers
//!   (initialize — which picks the back end from the resources —, halt, pause, restart, send —
//!   the software NIC puts frames on its driver's segment, [`kernel::hub`] —, return, PnP,
//!   shutdown) and the
//!   OID request decoder; the DMA NIC's send path (`ffi::transmit`); the back-end type
//!   ([`ffi::DriverAdapter`]); the interrupt trampolines ([`ffi::interrupt`]);
//!   host-only hooks for benchmarks ([`ffi::host_hooks`]).
//!   `unsafe` allowed.
//! - [`kernel`] — safe owners of NDIS resources: tagged pool ([`kernel::pool`]), spin lock
//!   ([`kernel::lock`]), shared memory ([`kernel::shared_memory`]), receive buffers bound to
//!   it as NBLs ([`kernel::nbl`]), work item ([`kernel::work_item`]), pended OID
//!   ([`kernel::oid_request`]), keywords ([`kernel::config`]), attributes
//!   ([`kernel::attributes`]), status indications ([`kernel::indicate`]), SG DMA
//!   ([`kernel::dma`]), mapped device registers with READ/WRITE_REGISTER_ULONG semantics
//!   ([`kernel::mmio`]); for a PCI NIC: its resources ([`kernel::resources`]), config space
//!   ([`kernel::bus_data`]), the BAR mapping ([`kernel::io_space`]), descriptor-ring memory
//!   from NdisMAllocateSharedMemory ([`kernel::dma_ring`]) and MSI-X interrupts
//!   ([`kernel::interrupt`]), MSI-X routing and the forwarding handler ([`kernel::msix`]);
//!   the driver-wide segment of the software adapters ([`kernel::hub`]); per-processor kernel
//!   DPCs ([`kernel::dpc`]);
//!   little-endian byte fields ([`kernel::bytes`]), the NDIS queue id
//!   ([`kernel::QueueId`]); and the panic handler / debug print of the Windows builds.
//!   `unsafe` allowed.
//! - [`backend`] — the hardware seam ([`backend::NicBackend`]: facts, per-queue DMA, receive
//!   rings, MSI-X routing, mirrored filters, link), [`backend::nic::Nic`] (the back end chosen
//!   per adapter), the software NIC ([`backend::soft::SoftNic`]) and the Intel 82576
//!   ([`backend::igb`]: registers, advanced descriptors, RX/TX rings, bring-up, VMDq pools,
//!   MAC/VLAN filters, queue enable/disable, MSI-X, statistics, over `Registers`/`DmaMemory`
//!   traits; [`backend::igb::nic::IgbNic`] over the kernel owners), `#![forbid(unsafe_code)]`;
//!   uses [`kernel`] only.
//! - [`vmq`] — the VMQ core, `#![forbid(unsafe_code)]`, generic over the back end:
//!   [`vmq::adapter`] (initialize, halt, pause, restart), [`vmq::oid`] (OID dispatch; VM
//!   queue, filter and general OIDs), [`vmq::queue_state`] (the queue state machine),
//!   [`vmq::queues`] (queue table), [`vmq::rings`] (a queue's DMA: start, post, refill, stop),
//!   [`vmq::rx_dma`] (the interrupt DPC: reap, indicate, link), [`vmq::rx_dpc`] (the software
//!   NIC's per-processor receive DPC: pending chains, coalesced per processor), [`vmq::rx_memory`] (a queue's receive memory: blocks,
//!   free and indicated buffers, NBL tokens), [`vmq::rx_session`] (receive and return
//!   sessions), [`vmq::demux`] (O(1) MAC/VLAN → queue table), [`vmq::filter`] (SET_FILTER
//!   parsing, filter table), [`vmq::packet_filter`] (what the default queue may indicate under
//!   OID_GEN_CURRENT_PACKET_FILTER), [`vmq::power`] (D3/D0 with live queues), [`vmq::stats`]
//!   (the counters behind OID_GEN_STATISTICS), [`vmq::caps`] (capabilities, advertised OIDs),
//!   [`vmq::wire`] (checked payload views), [`vmq::error`] (typed errors and their one
//!   conversion to `NDIS_STATUS`).
//!
//! Bindings (types, constants, `extern` declarations) are in the `ndis-sys` crate.
// no_std for the kernel image; the host build links std only for its panic handler
// (the driver code itself uses `core` alone, which the Windows cross build proves).
#![cfg_attr(windows, no_std)]

#[forbid(unsafe_code)]
pub mod backend;
pub mod ffi;
pub mod kernel;
#[forbid(unsafe_code)]
pub mod vmq;

pub use ffi::driver::DriverEntry;
