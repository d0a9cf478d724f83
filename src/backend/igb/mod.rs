//! The Intel 82576 (igb) hardware layer: registers, advanced descriptors, rings and the
//! device's bring-up and control sequences, with no NDIS in it.
//!
//! Intel 82576 GbE Controller Datasheet (section numbers in the doc lines refer to it):
//! <https://www.intel.com/content/dam/www/public/us/en/documents/datasheets/82576eg-gbe-datasheet.pdf>
//!
//! - [`regs`]: BAR0 offsets and bit fields, and [`regs::Registers`], the register access the
//!   kernel layer implements over the mapped BAR0.
//! - [`descriptors`]: advanced receive/transmit descriptors as bytes, and
//!   [`descriptors::DmaMemory`], the access to a ring's shared memory.
//! - [`ring`]: [`ring::RxRing`] (which `kernel::nbl::BufferIndex` sits in which descriptor) and
//!   [`ring::TxRing`], fixed capacity.
//! - [`device`], [`vmdq`], [`queues`], [`stats`]: [`device::Device`], the sequences.
//!
//! How the NDIS stage uses it: a VM queue is pool `n` and receive queue `n`. Its receive
//! buffers (`RxMemory::take` / `location`) are posted with [`ring::RxRing::post`] and the
//! tail written with [`device::Device::set_rx_tail`]; the queue's MSI-X DPC reaps
//! ([`ring::RxRing::reap`]) into `RxMemory::complete`, and returned buffers are posted
//! again. Stopping DMA is [`device::Device::disable_rx_queue`] (read back as stopped), then
//! reap, then [`ring::RxRing::cancel`] into `RxMemory::cancel`.
//! No `unsafe`, no allocation, no panics (indexing is checked).

pub mod descriptors;
pub mod device;
pub mod kernel_glue;
pub mod nic;
pub mod queues;
pub mod regs;
pub mod ring;
pub mod stats;
pub mod vmdq;

pub use descriptors::DmaMemory;
pub use device::{Device, IgbError, MsixLayout};
pub use regs::Registers;
