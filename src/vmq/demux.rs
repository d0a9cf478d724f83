//! The receive demultiplexer: (destination MAC, VLAN ID) → queue, in O(1).
//!
//! A fixed open-addressing hash table (linear probing, backward-shift deletion), sized
//! at twice the most filters the NIC can hold, so a lookup touches one or two slots
//! whatever the number of filters or queues. No allocation, no lock of its own (it
//! lives in the adapter state).
//! <https://learn.microsoft.com/windows-hardware/drivers/network/setting-a-vmq-filter>

/// Most filters the table holds.
pub const MAX_FILTERS: usize = 512;
const SLOTS: usize = 2 * MAX_FILTERS;
const _: () = assert!(SLOTS.is_power_of_two());

use core::ops::DerefMut;

use crate::kernel::NdisHandle;
use crate::kernel::pool::{PoolBox, PoolTag};

/// The VLAN part of a MAC-only filter's key.
const ANY_VLAN: u16 = 0x0FFF;

/// A demux key: destination MAC in the low 48 bits, VLAN ID (0 = untagged or VID 0) above.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct DemuxKey(u64);

impl DemuxKey {
    /// The key of a MAC and VLAN ID (0 for untagged / priority-tagged).
    #[must_use]
    pub fn new(mac: [u8; 6], vlan: u16) -> Self {
        let mut bytes = [0u8; 8];
        bytes[..6].copy_from_slice(&mac);
        Self(u64::from_le_bytes(bytes) | (u64::from(vlan & 0x0FFF) << 48))
    }

    /// The destination MAC of the key.
    #[must_use]
    pub fn mac(self) -> [u8; 6] {
        let b = self.0.to_le_bytes();
        [b[0], b[1], b[2], b[3], b[4], b[5]]
    }

    /// The VLAN ID of an exact (MAC, VLAN) key; `None` for untagged (0) and MAC-only keys.
    #[must_use]
    pub fn vlan(self) -> Option<u16> {
        // CAST: the top 16 bits hold the 12-bit VLAN ID.
        let vlan = (self.0 >> 48) as u16 & 0x0FFF;
        (vlan != 0 && vlan != 0x0FFF).then_some(vlan)
    }

    /// The key a MAC-only filter installs: every VLAN of `mac` (VLAN ID 0xFFF, reserved by
    /// 802.1Q, never a frame's VID after [`Self::of_frame`] and refused in a filter).
    #[must_use]
    pub fn any_vlan(mac: [u8; 6]) -> Self {
        Self::new(mac, ANY_VLAN)
    }

    /// This key with its VLAN replaced by "any" (the MAC-only lookup after a miss).
    #[must_use]
    pub const fn with_any_vlan(self) -> Self {
        Self((self.0 & 0x0000_FFFF_FFFF_FFFF) | ((ANY_VLAN as u64) << 48))
    }

    /// The key of an Ethernet frame: its destination and its 802.1Q VLAN ID, if tagged.
    /// `None` for a frame too short to carry a header.
    #[must_use]
    pub fn of_frame(frame: &[u8]) -> Option<Self> {
        let dst: [u8; 6] = frame.get(..6)?.try_into().ok()?;
        let vlan = match frame.get(12..16) {
            Some([0x81, 0x00, hi, lo]) => u16::from_be_bytes([*hi, *lo]) & 0x0FFF,
            _ if frame.len() >= 14 => 0,
            _ => return None,
        };
        Some(Self::new(dst, vlan))
    }

    fn hash(self) -> usize {
        // Fibonacci hashing of the 60 key bits; the table size is a power of two.
        let h = self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        // CAST: the top bits select the slot; SLOTS fits in usize.
        (h >> (64 - SLOTS.trailing_zeros())) as usize
    }
}

/// Marks an occupied slot (a stored key never has bit 63 set otherwise).
const OCCUPIED: u64 = 1 << 63;

/// One slot of the table: a stored key (0 = empty) and its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemuxSlot {
    key: u64,
    target: u16,
}

impl DemuxSlot {
    /// An empty slot.
    pub const EMPTY: Self = Self { key: 0, target: 0 };
}

/// The slot array of a table.
pub type DemuxSlots = [DemuxSlot; SLOTS];

/// Pool tag of the demux and filter tables.
pub const FILTER_TAG: PoolTag = PoolTag::new(*b"VqFt");

/// The table: key → target (a queue slot token chosen by the caller). The slots live
/// in `S`: pool memory in the driver (16 KiB, filled in place, never on the kernel stack).
pub struct DemuxTable<S = PoolBox<DemuxSlots>> {
    slots: S,
    len: usize,
}

/// The key is already present (two filters for the same MAC and VLAN).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duplicate;

impl DemuxTable {
    /// An empty table in pool, or `None` when the allocation fails.
    #[must_use]
    pub fn new(owner: NdisHandle) -> Option<Self> {
        Some(Self::with_slots(PoolBox::try_filled(owner, FILTER_TAG, DemuxSlot::EMPTY)?))
    }
}

impl<S: DerefMut<Target = DemuxSlots>> DemuxTable<S> {
    /// An empty table over `slots` (which must all be [`DemuxSlot::EMPTY`]).
    pub const fn with_slots(slots: S) -> Self {
        Self { slots, len: 0 }
    }

    /// Entries.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.len
    }

    /// No entry.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The target of `key`.
    #[must_use]
    pub fn lookup(&self, key: DemuxKey) -> Option<u16> {
        let stored = key.0 | OCCUPIED;
        let mut i = key.hash();
        loop {
            match self.slots[i] {
                DemuxSlot { key, target } if key == stored => return Some(target),
                DemuxSlot { key: 0, .. } => return None,
                _ => i = (i + 1) & (SLOTS - 1),
            }
        }
    }

    /// Adds `key → target`.
    ///
    /// # Errors
    /// [`Duplicate`] when the key exists or the table holds [`MAX_FILTERS`] entries.
    pub fn insert(&mut self, key: DemuxKey, target: u16) -> Result<(), Duplicate> {
        if self.len >= MAX_FILTERS || self.lookup(key).is_some() {
            return Err(Duplicate);
        }
        let mut i = key.hash();
        while self.slots[i].key != 0 {
            i = (i + 1) & (SLOTS - 1);
        }
        self.slots[i] = DemuxSlot { key: key.0 | OCCUPIED, target };
        self.len += 1;
        Ok(())
    }

    /// Removes `key`; returns its target.
    pub fn remove(&mut self, key: DemuxKey) -> Option<u16> {
        let stored = key.0 | OCCUPIED;
        let mut i = key.hash();
        loop {
            match self.slots[i].key {
                k if k == stored => break,
                0 => return None,
                _ => i = (i + 1) & (SLOTS - 1),
            }
        }
        let removed = self.slots[i].target;
        self.slots[i] = DemuxSlot::EMPTY;
        self.len -= 1;
        // Backward-shift: move later entries of the probe run into the hole.
        let mut hole = i;
        let mut j = (i + 1) & (SLOTS - 1);
        while self.slots[j].key != 0 {
            let home = DemuxKey(self.slots[j].key & !OCCUPIED).hash();
            // The entry may move to `hole` if `hole` lies cyclically in [home, j).
            let distance_to_hole = hole.wrapping_sub(home) & (SLOTS - 1);
            let distance_to_j = j.wrapping_sub(home) & (SLOTS - 1);
            if distance_to_hole < distance_to_j {
                self.slots[hole] = self.slots[j];
                self.slots[j] = DemuxSlot::EMPTY;
                hole = j;
            }
            j = (j + 1) & (SLOTS - 1);
        }
        Some(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mac(n: u32) -> [u8; 6] {
        let b = n.to_be_bytes();
        [0x02, 0x00, b[0], b[1], b[2], b[3]]
    }

    #[test]
    fn frame_keys_parse_destination_and_vlan() {
        let mut frame = [0u8; 60];
        frame[..6].copy_from_slice(&mac(7));
        frame[12..14].copy_from_slice(&[0x08, 0x00]);
        assert_eq!(DemuxKey::of_frame(&frame), Some(DemuxKey::new(mac(7), 0)));
        frame[12..16].copy_from_slice(&[0x81, 0x00, 0x20, 0x0A]); // PCP 1, VID 10
        assert_eq!(DemuxKey::of_frame(&frame), Some(DemuxKey::new(mac(7), 10)));
        assert_eq!(DemuxKey::of_frame(&frame[..13]), None);
    }

    #[test]
    fn insert_lookup_remove_agree_with_a_model() {
        // A deterministic mix of inserts and removes, checked against a plain list.
        let mut table = DemuxTable::with_slots(std::boxed::Box::new([DemuxSlot::EMPTY; SLOTS]));
        let mut model: std::vec::Vec<(DemuxKey, u16)> = std::vec::Vec::new();
        let mut x: u64 = 0x1234_5678;
        for step in 0..20_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // CAST: small test values.
            let key = DemuxKey::new(mac((x % 700) as u32), ((x >> 20) % 3) as u16);
            if x.is_multiple_of(3) {
                assert_eq!(table.remove(key), model.iter().position(|e| e.0 == key).map(|i| model.remove(i).1));
            } else {
                let expect_ok = model.len() < MAX_FILTERS && !model.iter().any(|e| e.0 == key);
                assert_eq!(table.insert(key, (step % 65) as u16).is_ok(), expect_ok);
                if expect_ok {
                    model.push((key, (step % 65) as u16));
                }
            }
            assert_eq!(table.len(), model.len());
        }
        for (key, target) in &model {
            assert_eq!(table.lookup(*key), Some(*target));
        }
        assert_eq!(table.lookup(DemuxKey::new(mac(9999), 0)), None);
    }
}
