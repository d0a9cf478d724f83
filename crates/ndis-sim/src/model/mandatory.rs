//! The OIDs every NDIS 6 miniport must answer, and how an answer is judged.
//!
//! "Mandatory OIDs for miniport drivers"
//! <https://learn.microsoft.com/windows-hardware/drivers/network/mandatory-oids-for-miniport-drivers>;
//! the answers per "OID_GEN_STATISTICS", "OID_GEN_INTERRUPT_MODERATION" and
//! "OID_GEN_LINK_PARAMETERS".

use ndis_sys::{
    NDIS_STATUS_INVALID_DATA, NDIS_STATUS_SUCCESS, NdisInterruptModerationNotSupported, OID_802_3_MULTICAST_LIST,
    OID_GEN_CURRENT_LOOKAHEAD, OID_GEN_CURRENT_PACKET_FILTER, OID_GEN_INTERRUPT_MODERATION, OID_GEN_LINK_PARAMETERS,
    OID_GEN_STATISTICS,
};

use super::oid::OidResult;
use super::{Model, rules};

/// Mandatory OIDs NDIS passes to the miniport, which it must list in `SupportedOidList`.
pub const MANDATORY_OIDS: [u32; 6] = [
    OID_GEN_STATISTICS,
    OID_GEN_INTERRUPT_MODERATION,
    OID_GEN_LINK_PARAMETERS,
    OID_GEN_CURRENT_PACKET_FILTER,
    OID_GEN_CURRENT_LOOKAHEAD,
    OID_802_3_MULTICAST_LIST,
];

/// Bytes of `NDIS_STATISTICS_INFO` revision 1.
pub const STATISTICS_INFO_SIZE: u32 = 152;
/// Bytes of `NDIS_INTERRUPT_MODERATION_PARAMETERS` revision 1.
pub const INTERRUPT_MODERATION_SIZE: u32 = 12;

fn header_ok(data: &[u8], min_size: u16) -> bool {
    data.len() >= usize::from(min_size)
        && data[0] == ndis_sys::NDIS_OBJECT_TYPE_DEFAULT
        && data[1] >= 1
        && u16::from_le_bytes([data[2], data[3]]) >= min_size
}

impl Model {
    /// Whether the host sends the mandatory OIDs after MiniportInitializeEx.
    pub fn queries_mandatory_oids(&self) -> bool {
        self.config.query_mandatory_oids
    }

    /// Checks the general attributes' `SupportedOidList` holds every mandatory OID.
    pub fn check_mandatory_listed(&mut self, adapter: u64, listed: &[u32]) {
        let missing: Vec<String> =
            MANDATORY_OIDS.iter().filter(|oid| !listed.contains(oid)).map(|oid| format!("{oid:#010x}")).collect();
        if !missing.is_empty() {
            self.violate(
                rules::OID_MANDATORY,
                format!("adapter {adapter:#x}: SupportedOidList lacks mandatory OID(s) {}", missing.join(", ")),
            );
        }
    }

    /// Judges the answer to a mandatory OID: `expected` is the status its page requires.
    pub fn check_mandatory_answer(&mut self, adapter: u64, what: &str, result: &OidResult, expected: i32) {
        let mut problem = None;
        if result.status != expected {
            problem = Some(format!("status {:#010x}, expected {expected:#010x}", result.status));
        } else if expected == NDIS_STATUS_SUCCESS {
            problem = match result.oid {
                OID_GEN_STATISTICS if !header_ok(&result.data, 152) => {
                    Some("not an NDIS_STATISTICS_INFO (Type DEFAULT, Revision 1, Size 152)".to_string())
                }
                OID_GEN_INTERRUPT_MODERATION if !header_ok(&result.data, 12) => {
                    Some("not an NDIS_INTERRUPT_MODERATION_PARAMETERS (Type DEFAULT, Revision 1, Size 12)".to_string())
                }
                _ => None,
            };
        }
        if let Some(problem) = problem {
            self.violate(rules::OID_MANDATORY, format!("adapter {adapter:#x}: {what}: {problem}"));
        }
    }
}

/// The status a set of OID_GEN_INTERRUPT_MODERATION must get after the query reported `value`.
pub fn interrupt_moderation_set_status(value: u32) -> i32 {
    if value == NdisInterruptModerationNotSupported { NDIS_STATUS_INVALID_DATA } else { NDIS_STATUS_SUCCESS }
}
