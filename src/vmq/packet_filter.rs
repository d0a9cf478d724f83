//! The packet filter of the default queue (`OID_GEN_CURRENT_PACKET_FILTER`).
//!
//! <https://learn.microsoft.com/windows-hardware/drivers/network/oid-gen-current-packet-filter>:
//! while the filter is 0 nothing is indicated; directed frames (to the adapter's current
//! address), multicast frames (to an address of `OID_802_3_MULTICAST_LIST`), all multicast,
//! broadcast and promiscuous decide what else is. It governs the default queue; a VM queue
//! receives what its VMQ filters match ("Setting a VMQ Filter").

use ndis_sys::{
    NDIS_PACKET_TYPE_ALL_MULTICAST, NDIS_PACKET_TYPE_BROADCAST, NDIS_PACKET_TYPE_DIRECTED, NDIS_PACKET_TYPE_MULTICAST,
    NDIS_PACKET_TYPE_PROMISCUOUS,
};

/// Whether the packet filter `filter` lets a frame to `dst` onto the default queue, for an
/// adapter whose current address is `own` and whose multicast list is `multicast`.
#[must_use]
pub fn accepts(filter: u32, dst: &[u8; 6], own: &[u8; 6], multicast: &[[u8; 6]]) -> bool {
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
    filter & NDIS_PACKET_TYPE_DIRECTED != 0 && dst == own
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: [u8; 6] = [2, 0, 0, 0, 0, 1];
    const GROUP: [u8; 6] = [1, 0, 0x5E, 0, 0, 1];

    #[test]
    fn each_packet_type_admits_its_frames_only() {
        let other = [2, 0, 0, 0, 0, 9];
        let list = [GROUP];
        assert!(!accepts(0, &OWN, &OWN, &list));
        assert!(accepts(NDIS_PACKET_TYPE_DIRECTED, &OWN, &OWN, &list));
        assert!(!accepts(NDIS_PACKET_TYPE_DIRECTED, &other, &OWN, &list));
        assert!(!accepts(NDIS_PACKET_TYPE_DIRECTED, &[0xFF; 6], &OWN, &list));
        assert!(accepts(NDIS_PACKET_TYPE_BROADCAST, &[0xFF; 6], &OWN, &list));
        assert!(accepts(NDIS_PACKET_TYPE_MULTICAST, &GROUP, &OWN, &list));
        assert!(!accepts(NDIS_PACKET_TYPE_MULTICAST, &[1, 0, 0x5E, 0, 0, 2], &OWN, &list));
        assert!(accepts(NDIS_PACKET_TYPE_ALL_MULTICAST, &[1, 0, 0x5E, 0, 0, 2], &OWN, &list));
        assert!(accepts(NDIS_PACKET_TYPE_PROMISCUOUS, &other, &OWN, &[]));
    }
}
