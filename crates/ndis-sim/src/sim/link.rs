//! The PCI-backed adapter's cable and what the driver said about it: pulling or plugging the
//! cable (QMP `set_link`), the link state the driver last reported (NDIS_STATUS_LINK_STATE,
//! else the general attributes' MediaConnectState), and bounded waits for it.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/network/ndis-status-link-state>.

use std::time::{Duration, Instant};

use ndis_sys::{MediaConnectStateConnected, MediaConnectStateDisconnected, NDIS_STATUS_LINK_STATE};

use super::{AdapterId, Sim, SimError};
use crate::model::calls::Env;

/// Pause between two deliveries while waiting for a link change (the 82576's auto-negotiation
/// takes about half a second of wall time in QEMU).
const POLL: Duration = Duration::from_millis(20);

impl<E: Env> Sim<E> {
    /// Pulls (`up = false`) or plugs (`up = true`) the PCI device's cable, then delivers the
    /// interrupts the change caused (link status change).
    pub fn set_link(&mut self, up: bool) -> Result<(), SimError> {
        let a = self.pci_adapter()?;
        let r = self.with_model(|m, _| m.pci_device().map(|d| d.set_link(up)));
        if let Some(Err(e)) = r {
            return Err(self.device_error(a, "set_link", e));
        }
        self.deliver_interrupts().map(|_| ())
    }

    /// The MediaConnectState the driver last reported for `a`: its latest NDIS_STATUS_LINK_STATE
    /// indication, else the general attributes of MiniportInitializeEx.
    pub fn link_state(&mut self, a: AdapterId) -> Option<i32> {
        let indicated = self.with_model(|m, _| {
            m.status_indications()
                .iter()
                .rev()
                .find(|s| s.adapter == a.0 && s.code == NDIS_STATUS_LINK_STATE)
                .and_then(|s| s.link_state)
        });
        // CAST: NDIS_MEDIA_CONNECT_STATE is a small enum.
        indicated.or_else(|| self.general_attributes(a).map(|g| g.media_connect_state as i32))
    }

    /// NDIS_STATUS_LINK_STATE indications of `a` so far, as their MediaConnectState, in order.
    pub fn link_indications(&mut self, a: AdapterId) -> Vec<Option<i32>> {
        self.with_model(|m, _| {
            m.status_indications()
                .iter()
                .filter(|s| s.adapter == a.0 && s.code == NDIS_STATUS_LINK_STATE)
                .map(|s| s.link_state)
                .collect()
        })
    }

    /// Delivers the PCI device's interrupts until the driver reports the link `up` (connected)
    /// or down (disconnected), at most `timeout`; returns whether it did.
    pub fn wait_for_link(&mut self, a: AdapterId, up: bool, timeout: Duration) -> Result<bool, SimError> {
        let want = if up { MediaConnectStateConnected } else { MediaConnectStateDisconnected };
        let start = Instant::now();
        loop {
            if self.link_state(a) == Some(want) {
                return Ok(true);
            }
            if start.elapsed() >= timeout {
                return Ok(false);
            }
            std::thread::sleep(POLL);
            self.deliver_interrupts()?;
        }
    }

    /// Waits (bounded) until frames put into the wire have landed by DMA and the device is
    /// quiet, delivering nothing (the messages wait for the next delivery).
    pub fn wire_quiesce(&mut self) -> Result<(), SimError> {
        let a = self.pci_adapter()?;
        let r = self.with_model(|m, _| m.pci_device().map(|d| d.quiesce()));
        match r {
            Some(Err(e)) => Err(self.device_error(a, "wait for the device's DMA", e)),
            _ => Ok(()),
        }
    }
}
