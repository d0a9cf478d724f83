//! The packet filter NDIS set on an adapter, and whether a default-queue indication passes it.
//!
//! "OID_GEN_CURRENT_PACKET_FILTER"
//! (<https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-current-packet-filter>):
//! with the filter 0 nothing is indicated; directed (to the current address), multicast (to an
//! address of OID_802_3_MULTICAST_LIST), all-multicast, broadcast and promiscuous admit their
//! frames. VM queues are governed by their VMQ filters instead ("Setting a VMQ Filter").

use ndis_sys::{
    NDIS_PACKET_TYPE_ALL_MULTICAST, NDIS_PACKET_TYPE_BROADCAST, NDIS_PACKET_TYPE_DIRECTED, NDIS_PACKET_TYPE_MULTICAST,
    NDIS_PACKET_TYPE_PROMISCUOUS, OID_802_3_MULTICAST_LIST, OID_GEN_CURRENT_PACKET_FILTER,
};

use super::memory::{AddressSpace, MemExt};
use super::oid::RequestKind;
use super::{Model, rules};

/// What the Hyper-V switch sets on the adapter it binds: it forwards frames for every VM.
pub const VSWITCH_PACKET_FILTER: u32 =
    NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST | NDIS_PACKET_TYPE_BROADCAST | NDIS_PACKET_TYPE_PROMISCUOUS;

/// Whether `filter` admits a frame to `dst` for an adapter at `own` with `multicast` listed.
pub fn admits(filter: u32, dst: &[u8; 6], own: &[u8], multicast: &[[u8; 6]]) -> bool {
    if filter & NDIS_PACKET_TYPE_PROMISCUOUS != 0 {
        return true;
    }
    if *dst == [0xFF; 6] {
        return filter & NDIS_PACKET_TYPE_BROADCAST != 0;
    }
    if dst[0] & 1 != 0 {
        return filter & NDIS_PACKET_TYPE_ALL_MULTICAST != 0
            || (filter & NDIS_PACKET_TYPE_MULTICAST != 0 && multicast.contains(dst));
    }
    filter & NDIS_PACKET_TYPE_DIRECTED != 0 && dst.as_slice() == own
}

impl Model {
    /// Records a successful set of the packet filter or the multicast list.
    pub(super) fn record_packet_filter(
        &mut self,
        mem: &dyn AddressSpace,
        adapter: u64,
        oid: u32,
        kind: RequestKind,
        buffer: u64,
        len: u32,
    ) {
        if kind != RequestKind::Set {
            return;
        }
        let Ok(bytes) = mem.read_vec(buffer, len as usize) else { return };
        let Some(a) = self.adapters.get_mut(&adapter) else { return };
        match oid {
            OID_GEN_CURRENT_PACKET_FILTER if bytes.len() >= 4 => {
                a.packet_filter = Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]));
            }
            OID_802_3_MULTICAST_LIST => {
                a.multicast_list = bytes.chunks_exact(6).filter_map(|c| c.try_into().ok()).collect();
            }
            _ => {}
        }
    }

    /// Checks a default-queue frame to `dst` against the packet filter in force (none set yet:
    /// nothing to check). Rule `receive.packet-filter`.
    pub(super) fn check_packet_filter(&mut self, adapter: u64, nbl: u64, dst: &[u8; 6]) {
        let Some(a) = self.adapters.get(&adapter) else { return };
        let Some(filter) = a.packet_filter else { return };
        let own = a.attributes.general.as_ref().map(|g| g.current_mac_address.clone()).unwrap_or_default();
        if !admits(filter, dst, &own, &a.multicast_list) {
            self.violate(
                rules::RECEIVE_PACKET_FILTER,
                format!(
                    "NdisMIndicateReceiveNetBufferLists: NBL {nbl:#x} on the default queue is a frame to {dst:02x?}, \
                     which packet filter {filter:#x} does not admit"
                ),
            );
        }
    }
}
