//! The device power state NDIS set on an adapter, and what a miniport may not do in low power.
//!
//! "OID_PNP_SET_POWER" (<https://learn.microsoft.com/windows-hardware/drivers/network/oid-pnp-set-power>):
//! in D1-D3 the miniport stops receive DMA and indicates nothing; sends fail with
//! NDIS_STATUS_LOW_POWER_STATE. NDIS pauses the adapter before the transition and restarts it
//! after the return to D0 (`Sim::power_cycle`).

use ndis_sys::{NdisDeviceStateD0, OID_PNP_SET_POWER};

use super::memory::{AddressSpace, MemExt};
use super::oid::RequestKind;
use super::{Model, rules};

impl Model {
    /// Records a successful OID_PNP_SET_POWER.
    pub(super) fn record_power(
        &mut self,
        mem: &dyn AddressSpace,
        adapter: u64,
        oid: u32,
        kind: RequestKind,
        buffer: u64,
    ) {
        if oid != OID_PNP_SET_POWER || kind != RequestKind::Set {
            return;
        }
        let Ok(state) = mem.read_u32(buffer) else { return };
        if let Some(a) = self.adapters.get_mut(&adapter) {
            a.low_power = state.cast_signed() != NdisDeviceStateD0;
        }
    }

    /// Whether the adapter is in D1-D3.
    pub fn in_low_power(&self, adapter: u64) -> bool {
        self.adapters.get(&adapter).is_some_and(|a| a.low_power)
    }

    /// An indication in low power (rule `receive.in-low-power`).
    pub(super) fn check_power_on_receive(&mut self, adapter: u64) {
        if self.in_low_power(adapter) {
            self.violate(
                rules::RECEIVE_IN_LOW_POWER,
                format!("NdisMIndicateReceiveNetBufferLists: adapter {adapter:#x} is in a low-power state (OID_PNP_SET_POWER)"),
            );
        }
    }
}
