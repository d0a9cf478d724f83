//! The Hyper-V vSwitch side of VMQ: the VMQ OID payloads (re-exported from
//! [`crate::model::payload`]) and [`script`], the one vSwitch sequence every runner and test
//! drives a driver through.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/allocating-a-vm-queue>.

pub use crate::model::payload::{
    FilterField, QueueId, QueueSpec, allocation_complete_bytes, clear_filter_bytes, filter_parameters_bytes,
    parse_allocation_complete, queue_free_bytes, queue_parameters_bytes, queue_parameters_set_bytes,
};

pub mod script;
mod script_outcome;
pub mod script_pci;

pub use script::{PciOutcome, QueueOutcome, Script, ScriptRun};
