//! Host actions over the device power state: OID_PNP_SET_POWER and the power cycle NDIS runs
//! around a system sleep (pause, D3, D0, restart).
//!
//! <https://learn.microsoft.com/windows-hardware/drivers/network/oid-pnp-set-power>

use ndis_sys::{NdisDeviceStateD0, NdisDeviceStateD3, OID_PNP_SET_POWER};

use super::{AdapterId, Sim, SimError};
use crate::model::adapter::Phase;
use crate::model::calls::Env;
use crate::model::oid::OidResult;

impl<E: Env> Sim<E> {
    /// OID_PNP_SET_POWER to `state` (an NDIS_DEVICE_POWER_STATE).
    pub fn set_power(&mut self, a: AdapterId, state: i32) -> OidResult {
        self.oid_set(a, OID_PNP_SET_POWER, &state.to_le_bytes())
    }

    /// Pause (if running), D3, D0, restart. Errors: the pause or restart failed, or a power
    /// transition was refused.
    pub fn power_cycle(&mut self, a: AdapterId) -> Result<(), SimError> {
        if self.phase(a) == Some(Phase::Running) {
            self.pause(a)?;
        }
        for state in [NdisDeviceStateD3, NdisDeviceStateD0] {
            let r = self.set_power(a, state);
            if r.status != ndis_sys::NDIS_STATUS_SUCCESS {
                return Err(SimError::InvalidState(a, "OID_PNP_SET_POWER refused"));
            }
        }
        self.restart(a)
    }
}
