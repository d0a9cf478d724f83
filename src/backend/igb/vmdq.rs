//! VMDq pools and their filters (82576 datasheet 7.10.3): pools, default pool, per-pool
//! offloads (VMOLR), MAC filters (RAL/RAH pool select) and VLAN filters (VFTA + VLVF).
//!
//! Pool `n` receives into receive queue `n`; NDIS's default queue is the pool VT_CTL names.

use super::device::{Device, IgbError};
use super::regs::{self, Registers, mrqc, rah, rctl, vlvf, vmolr, vt_ctl};

/// Per-pool receive options (VMOLR).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolOptions {
    /// Accept untagged frames (VMOLR.AUPE).
    pub accept_untagged: bool,
    /// Accept broadcast frames (VMOLR.BAM): every accepting pool gets a copy.
    pub accept_broadcast: bool,
    /// Strip the 802.1Q tag of unicast and broadcast frames; the descriptor then reports it
    /// (VMOLR.STRVLAN; QEMU's model strips by this bit alone, ignoring CTRL.VME, as 7.10.3.8 says).
    pub strip_vlan: bool,
}

impl PoolOptions {
    /// What a VM queue needs: untagged and broadcast frames, tags stripped into the descriptor.
    pub const VM_QUEUE: Self = Self { accept_untagged: true, accept_broadcast: true, strip_vlan: true };

    const fn vmolr(self) -> u32 {
        let mut v = vmolr::STRCRC;
        if self.accept_untagged {
            v |= vmolr::AUPE;
        }
        if self.accept_broadcast {
            v |= vmolr::BAM;
        }
        if self.strip_vlan {
            v |= vmolr::STRVLAN;
        }
        v
    }
}

/// A 12-bit VLAN id.
const fn vid(tag: u16) -> u32 {
    (tag as u32) & vlvf::VID_MASK
}

impl<R: Registers> Device<R> {
    /// VMDq mode (7.10.3, 8.10.11): receiver off while it changes; MRQC = VMDq; VT_CTL names
    /// the default pool (frames no filter claims go there); no pool may receive or transmit
    /// until [`Device::enable_pool`].
    pub fn enable_vmdq(&mut self, default_pool: u32) -> Result<(), IgbError> {
        if default_pool >= regs::POOLS {
            return Err(IgbError::OutOfRange);
        }
        self.registers_mut().write(regs::RCTL, 0);
        self.registers_mut().write(regs::MRQC, mrqc::VMDQ);
        self.registers_mut().write(regs::VT_CTL, default_pool << vt_ctl::DEFAULT_POOL_SHIFT);
        self.registers_mut().write(regs::VFRE, 0);
        self.registers_mut().write(regs::VFTE, 0);
        Ok(())
    }

    /// Frames no filter claims go to pool `pool` (VT_CTL.DEF_PL): NDIS's default queue.
    pub fn set_default_pool(&mut self, pool: u32) -> Result<(), IgbError> {
        if pool >= regs::POOLS {
            return Err(IgbError::OutOfRange);
        }
        let r = self.registers_mut();
        let old = r.read(regs::VT_CTL) & !(7 << vt_ctl::DEFAULT_POOL_SHIFT);
        r.write(regs::VT_CTL, old | (pool << vt_ctl::DEFAULT_POOL_SHIFT));
        Ok(())
    }

    /// Lets pool `pool` receive and transmit (VFRE, VFTE) with `options` (VMOLR).
    pub fn enable_pool(&mut self, pool: u32, options: PoolOptions) -> Result<(), IgbError> {
        if pool >= regs::POOLS {
            return Err(IgbError::OutOfRange);
        }
        let r = self.registers_mut();
        r.write(regs::vmolr(pool), options.vmolr());
        let vfre = r.read(regs::VFRE);
        r.write(regs::VFRE, vfre | (1 << pool));
        let vfte = r.read(regs::VFTE);
        r.write(regs::VFTE, vfte | (1 << pool));
        Ok(())
    }

    /// Stops pool `pool` receiving and transmitting (VFRE, VFTE cleared).
    pub fn disable_pool(&mut self, pool: u32) -> Result<(), IgbError> {
        if pool >= regs::POOLS {
            return Err(IgbError::OutOfRange);
        }
        let r = self.registers_mut();
        let vfre = r.read(regs::VFRE);
        r.write(regs::VFRE, vfre & !(1 << pool));
        let vfte = r.read(regs::VFTE);
        r.write(regs::VFTE, vfte & !(1 << pool));
        Ok(())
    }

    /// Receiver on (8.10.1): RCTL.EN, broadcast accept, VLAN filtering through VFTA, CRC
    /// stripped (without SECRC QEMU's model appends four bytes of fake CRC).
    pub fn enable_receiver(&mut self) {
        self.registers_mut().write(regs::RCTL, rctl::EN | rctl::BAM | rctl::VFE | rctl::SECRC);
    }

    /// Receiver off.
    pub fn disable_receiver(&mut self) {
        self.registers_mut().write(regs::RCTL, 0);
    }

    /// A RAR entry with no valid address (RAH.AV clear), entry 0 excepted (the permanent MAC).
    pub fn free_mac_entry(&mut self) -> Option<u32> {
        (1..regs::RAR_ENTRIES).find(|&n| self.registers_mut().read(regs::rah(n)) & rah::AV == 0)
    }

    /// Entry `entry` matches destination `mac` and delivers to the pools in `pools` (one bit a
    /// pool, RAH pool select, 8.10.14). RAL is written first, then RAH with AV, so the entry
    /// is never valid with half an address.
    pub fn set_mac_filter(&mut self, entry: u32, mac: [u8; 6], pools: u8) -> Result<(), IgbError> {
        if entry >= regs::RAR_ENTRIES {
            return Err(IgbError::OutOfRange);
        }
        let low = u32::from_le_bytes([mac[0], mac[1], mac[2], mac[3]]);
        let high = u32::from_le_bytes([mac[4], mac[5], 0, 0]) | (u32::from(pools) << rah::POOL_SHIFT) | rah::AV;
        let r = self.registers_mut();
        r.write(regs::rah(entry), 0);
        r.write(regs::ral(entry), low);
        r.write(regs::rah(entry), high);
        Ok(())
    }

    /// Entry `entry` matches nothing any more (RAH.AV cleared first).
    pub fn clear_mac_filter(&mut self, entry: u32) -> Result<(), IgbError> {
        if entry >= regs::RAR_ENTRIES {
            return Err(IgbError::OutOfRange);
        }
        self.registers_mut().write(regs::rah(entry), 0);
        self.registers_mut().write(regs::ral(entry), 0);
        Ok(())
    }

    /// A VLVF entry not in use (VIEN clear).
    pub fn free_vlan_entry(&mut self) -> Option<u32> {
        (0..regs::VLVF_ENTRIES).find(|&n| self.registers_mut().read(regs::vlvf(n)) & vlvf::VIEN == 0)
    }

    /// VLAN `tag`'s frames go to the pools in `pools` (8.10.21, 8.10.22): its VFTA bit set
    /// (RCTL.VFE drops tagged frames whose VID has none) and VLVF entry `entry` = VIEN, pool
    /// select, VID.
    pub fn set_vlan_filter(&mut self, entry: u32, tag: u16, pools: u8) -> Result<(), IgbError> {
        if entry >= regs::VLVF_ENTRIES {
            return Err(IgbError::OutOfRange);
        }
        let id = vid(tag);
        let r = self.registers_mut();
        let word = r.read(regs::vfta(id >> 5));
        r.write(regs::vfta(id >> 5), word | (1 << (id & 31)));
        r.write(regs::vlvf(entry), vlvf::VIEN | (u32::from(pools) << vlvf::POOL_SHIFT) | id);
        Ok(())
    }

    /// Clears VLVF entry `entry`; its VID's VFTA bit too unless another valid entry holds
    /// the same VID.
    pub fn clear_vlan_filter(&mut self, entry: u32) -> Result<(), IgbError> {
        if entry >= regs::VLVF_ENTRIES {
            return Err(IgbError::OutOfRange);
        }
        let r = self.registers_mut();
        let old = r.read(regs::vlvf(entry));
        r.write(regs::vlvf(entry), 0);
        if old & vlvf::VIEN == 0 {
            return Ok(());
        }
        let id = old & vlvf::VID_MASK;
        let shared = (0..regs::VLVF_ENTRIES).any(|n| {
            let v = r.read(regs::vlvf(n));
            v & vlvf::VIEN != 0 && v & vlvf::VID_MASK == id
        });
        if !shared {
            let word = r.read(regs::vfta(id >> 5));
            r.write(regs::vfta(id >> 5), word & !(1 << (id & 31)));
        }
        Ok(())
    }
}
