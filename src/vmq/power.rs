//! `OID_PNP_SET_POWER` / `OID_PNP_QUERY_POWER`: the adapter's device power state.
//!
//! "OID_PNP_SET_POWER" (<https://learn.microsoft.com/windows-hardware/drivers/network/oid-pnp-set-power>):
//! NDIS pauses the adapter before a transition to low power. Going to D1-D3 stops receive DMA
//! on every queue (sends are completed synchronously, none is outstanding) and sends fail with
//! NDIS_STATUS_LOW_POWER_STATE until D0; back in D0 every allocated queue, its filters and its
//! shared memory work again — nothing is freed on the way down, nothing re-allocated on the
//! way up.

use ndis_sys::{NdisDeviceStateD0, NdisDeviceStateD3};

use super::adapter::Adapter;
use super::error::OidError;
use super::oid::Transfer;
use super::queue_state::QueueState;
use crate::backend::NicBackend;
use crate::vmq::wire::u32_at;

/// A valid `NDIS_DEVICE_POWER_STATE` (D0 through D3) from the request's first four bytes.
fn device_state(input: &[u8]) -> Result<i32, OidError> {
    let state = u32_at(input, 0).ok_or(OidError::InvalidLength { needed: 4 })?.cast_signed();
    if (NdisDeviceStateD0..=NdisDeviceStateD3).contains(&state) { Ok(state) } else { Err(OidError::InvalidData) }
}

impl<B: NicBackend + Send> Adapter<B> {
    /// OID_PNP_SET_POWER (PASSIVE_LEVEL).
    pub(super) fn set_power(&self, input: &[u8]) -> Result<Transfer, OidError> {
        let target = device_state(input)?;
        let mut state = self.state().lock();
        if target == NdisDeviceStateD0 {
            state.low_power = false;
            // Back in D0: DMA into the default queue and every queue whose allocation completed.
            state.start_all_dma(|q| matches!(q.state, QueueState::Running | QueueState::Paused));
        } else {
            state.low_power = true;
            state.stop_all_dma();
        }
        Ok(Transfer { read: 4, written: 0 })
    }
}
