//! The host sends every mandatory OID after MiniportInitializeEx, as NDIS does before it
//! binds protocols, and fails a driver that refuses one.
//!
//! <https://learn.microsoft.com/windows-hardware/drivers/network/mandatory-oids-for-miniport-drivers>

use ndis_sys::{
    MediaDuplexStateFull, NDIS_STATUS_SUCCESS, OID_GEN_INTERRUPT_MODERATION, OID_GEN_LINK_PARAMETERS,
    OID_GEN_STATISTICS,
};

use super::{AdapterId, Sim};
use crate::model::calls::Env;
use crate::model::mandatory::{INTERRUPT_MODERATION_SIZE, STATISTICS_INFO_SIZE, interrupt_moderation_set_status};

impl<E: Env> Sim<E> {
    /// Queries OID_GEN_STATISTICS and OID_GEN_INTERRUPT_MODERATION, sets the moderation it
    /// reported and OID_GEN_LINK_PARAMETERS to the link the general attributes describe, and
    /// checks the mandatory OIDs are listed. Violations: `oid.mandatory`.
    pub fn check_mandatory_oids(&mut self, a: AdapterId) {
        let Some(general) = self.general_attributes(a) else { return };
        self.with_model(|m, _| m.check_mandatory_listed(a.0, &general.supported_oids));

        let stats = self.oid_query(a, OID_GEN_STATISTICS, STATISTICS_INFO_SIZE);
        self.with_model(|m, _| m.check_mandatory_answer(a.0, "OID_GEN_STATISTICS query", &stats, NDIS_STATUS_SUCCESS));

        let moderation = self.oid_query(a, OID_GEN_INTERRUPT_MODERATION, INTERRUPT_MODERATION_SIZE);
        self.with_model(|m, _| {
            m.check_mandatory_answer(a.0, "OID_GEN_INTERRUPT_MODERATION query", &moderation, NDIS_STATUS_SUCCESS);
        });
        if moderation.status == NDIS_STATUS_SUCCESS && moderation.data.len() >= 12 {
            let value =
                u32::from_le_bytes([moderation.data[8], moderation.data[9], moderation.data[10], moderation.data[11]]);
            let set = self.oid_set(a, OID_GEN_INTERRUPT_MODERATION, &moderation.data[..12]);
            let expected = interrupt_moderation_set_status(value);
            self.with_model(|m, _| m.check_mandatory_answer(a.0, "OID_GEN_INTERRUPT_MODERATION set", &set, expected));
        }

        // NDIS_LINK_PARAMETERS revision 1: the link the adapter reported, full duplex.
        let mut link = [0u8; 32];
        link[0] = ndis_sys::NDIS_OBJECT_TYPE_DEFAULT;
        link[1] = 1;
        link[2..4].copy_from_slice(&32u16.to_le_bytes());
        link[4..8].copy_from_slice(&MediaDuplexStateFull.to_le_bytes());
        link[8..16].copy_from_slice(&general.max_xmit_link_speed.to_le_bytes());
        link[16..24].copy_from_slice(&general.max_rcv_link_speed.to_le_bytes());
        let set = self.oid_set(a, OID_GEN_LINK_PARAMETERS, &link);
        self.with_model(|m, _| m.check_mandatory_answer(a.0, "OID_GEN_LINK_PARAMETERS set", &set, NDIS_STATUS_SUCCESS));
    }
}
