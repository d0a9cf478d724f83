//! The portable VMQ core: adapter lifecycle, queue table and state machine, per-queue
//! receive memory, receive and return sessions, capability set, OID decoding and typed errors.
//!
//! No `unsafe` and no raw pointers here (`#![forbid(unsafe_code)]` on the module):
//! every NDIS resource is reached through the safe owners in [`crate::kernel`].

pub mod adapter;
pub mod caps;
pub mod demux;
pub mod error;
pub mod filter;
pub mod oid;
pub mod packet_filter;
pub mod power;
pub mod queue_state;
pub mod queues;
pub mod rings;
pub mod rx_dma;
pub mod rx_dpc;
pub mod rx_memory;
pub mod rx_session;
pub mod stats;
pub mod wire;
