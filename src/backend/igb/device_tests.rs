//! Sequence and bit-field tests of `Device` against a fake register file.
#![allow(clippy::unwrap_used, clippy::panic)]

extern crate std;
use std::collections::BTreeMap;
use std::vec::Vec;

use super::*;
use crate::backend::igb::queues::RingPlacement;
use crate::backend::igb::stats::Statistics;
use crate::backend::igb::vmdq::PoolOptions;

/// Registers as plain storage, with the few behaviours the sequences rely on: CTRL.RST and
/// MDIC.READY as a real device shows them, stats cleared on read, RXDCTL.ENABLE stuck when asked.
#[derive(Default)]
struct Fake {
    values: BTreeMap<u32, u32>,
    writes: Vec<(u32, u32)>,
    stuck_enable: bool,
}

impl Registers for Fake {
    fn read(&mut self, offset: u32) -> u32 {
        let v = self.values.get(&offset).copied().unwrap_or(0);
        if (0x4000..0x4100).contains(&offset) {
            self.values.remove(&offset);
        }
        v
    }
    fn write(&mut self, offset: u32, value: u32) {
        self.writes.push((offset, value));
        let stored = match offset {
            regs::CTRL => value & !ctrl::RST,
            regs::MDIC => value | mdic::READY,
            o if (0xC028..0xC400).contains(&o) && self.stuck_enable => value | regs::dctl::ENABLE,
            _ => value,
        };
        self.values.insert(offset, stored);
    }
}

impl Fake {
    fn get(&self, offset: u32) -> u32 {
        self.values.get(&offset).copied().unwrap_or(0)
    }
    fn wrote(&self, offset: u32) -> Vec<u32> {
        self.writes.iter().filter(|w| w.0 == offset).map(|w| w.1).collect()
    }
}

#[test]
fn reset_sets_rst_masks_interrupts_and_mac_comes_from_ral0_rah0() {
    let mut dev = Device::new(Fake::default());
    dev.registers_mut().values.insert(regs::ral(0), 0x1200_5452);
    dev.registers_mut().values.insert(regs::rah(0), regs::rah::AV | 0x5634);
    dev.reset().unwrap();
    assert_eq!(dev.registers().wrote(regs::CTRL), [ctrl::RST]);
    assert_eq!(dev.registers().wrote(regs::IMC), [u32::MAX, u32::MAX]);
    assert_eq!(dev.permanent_mac(), Some([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]));
    dev.registers_mut().values.insert(regs::rah(0), 0x5634);
    assert_eq!(dev.permanent_mac(), None, "RAH0.AV clear");
}

#[test]
fn link_up_sets_slu_and_restarts_autonegotiation_on_phy_1() {
    let mut dev = Device::new(Fake::default());
    dev.link_up().unwrap();
    assert_eq!(dev.registers().get(regs::CTRL), ctrl::SLU);
    assert_eq!(dev.registers().wrote(regs::MDIC), [0x0420_1200]);
    dev.registers_mut().values.insert(regs::STATUS, status::LU | (2 << 6));
    assert_eq!(dev.link(), LinkState { up: true, speed: 1_000_000_000 });
}

#[test]
fn msix_routes_rx_queue_i_to_vector_i_tx_and_other_after_them() {
    let mut dev = Device::new(Fake::default());
    let layout = MsixLayout::dense(3);
    dev.configure_msix(&layout).unwrap();
    let f = dev.registers();
    assert_eq!(f.get(regs::GPIE), gpie::MULTIPLE_MSIX | gpie::PBA_SUPPORT | gpie::NSICR);
    assert_eq!(f.get(regs::ivar(0)), 0x8380, "RX 0 → 0, TX 0 → 3");
    assert_eq!((f.get(regs::ivar(1)), f.get(regs::ivar(2)), f.get(regs::ivar(3))), (0x81, 0x82, 0));
    assert_eq!(f.get(regs::IVAR_MISC), 0x8400);
    assert_eq!((f.get(regs::EIAC), f.get(regs::EIMS)), (0x1F, 0x1F));
    assert_eq!(f.get(regs::IMS), icr::LSC | icr::RXO);
    assert_eq!(dev.configure_msix(&MsixLayout::dense(9)), Err(IgbError::OutOfRange));
    assert!(ExtendedCauses(0b100).vector(2) && !ExtendedCauses(0b100).vector(1));
    assert!(Causes(icr::LSC).link_status_change() && !Causes(icr::LSC).receiver_overrun());
}

#[test]
fn vmdq_pools_mac_and_vlan_filters_use_the_pool_select_bits() {
    let mut dev = Device::new(Fake::default());
    dev.enable_vmdq(0).unwrap();
    dev.enable_pool(1, PoolOptions::VM_QUEUE).unwrap();
    dev.enable_pool(3, PoolOptions::VM_QUEUE).unwrap();
    dev.set_mac_filter(1, [0x02, 0, 0, 0, 0x0B, 0x0B], 1 << 1).unwrap();
    dev.set_vlan_filter(0, 100, 1 << 3).unwrap();
    dev.set_vlan_filter(1, 100, 1 << 1).unwrap();
    let f = dev.registers();
    assert_eq!((f.get(regs::MRQC), f.get(regs::VT_CTL)), (3, 0));
    assert_eq!((f.get(regs::VFRE), f.get(regs::VFTE)), (0b1010, 0b1010));
    assert_eq!(f.get(regs::vmolr(1)), 0xC900_0000, "STRCRC | STRVLAN | BAM | AUPE");
    assert_eq!((f.get(regs::ral(1)), f.get(regs::rah(1))), (0x0000_0002, 0x8008_0B0B));
    assert_eq!(f.get(regs::vlvf(0)), 0x8000_8064);
    assert_eq!(f.get(regs::vfta(3)), 1 << 4, "VID 100 = word 3 bit 4");
    assert_eq!(dev.free_mac_entry(), Some(2));
    assert_eq!(dev.free_vlan_entry(), Some(2));
    dev.clear_vlan_filter(0).unwrap();
    assert_eq!(dev.registers().get(regs::vfta(3)), 1 << 4, "entry 1 still holds VID 100");
    dev.clear_vlan_filter(1).unwrap();
    assert_eq!(dev.registers().get(regs::vfta(3)), 0);
    dev.clear_mac_filter(1).unwrap();
    assert_eq!(dev.free_mac_entry(), Some(1));
    assert_eq!(dev.enable_vmdq(8), Err(IgbError::OutOfRange));
    assert_eq!(dev.set_mac_filter(24, [0; 6], 1), Err(IgbError::OutOfRange));
}

#[test]
fn rx_queue_setup_order_and_disable_reads_back_stopped() {
    let mut dev = Device::new(Fake::default());
    dev.setup_rx_queue(2, RingPlacement { base: 0x1_2345_6780, bytes: 1024 }, 2048).unwrap();
    let f = dev.registers();
    let order: Vec<u32> = f.writes.iter().map(|w| w.0).collect();
    assert_eq!(
        order,
        [
            regs::rxdctl(2),
            regs::rdbal(2),
            regs::rdbah(2),
            regs::rdlen(2),
            regs::srrctl(2),
            regs::rdh(2),
            regs::rdt(2),
            regs::rxdctl(2)
        ]
    );
    assert_eq!((f.get(regs::rdbal(2)), f.get(regs::rdbah(2))), (0x2345_6780, 1));
    assert_eq!(f.get(regs::srrctl(2)), 0x8200_0002, "DROP_EN | advanced one buffer | 2 KiB");
    assert!(dev.rx_queue_enabled(2));
    dev.disable_rx_queue(2).unwrap();
    assert!(!dev.rx_queue_enabled(2));
    dev.registers_mut().stuck_enable = true;
    dev.registers_mut().values.insert(regs::rxdctl(2), regs::dctl::ENABLE);
    assert_eq!(dev.disable_rx_queue(2), Err(IgbError::QueueTimeout { queue: 2 }), "never claims a stop it did not see");
    assert_eq!(dev.setup_rx_queue(16, RingPlacement { base: 0, bytes: 128 }, 2048), Err(IgbError::OutOfRange));
    assert_eq!(dev.setup_rx_queue(0, RingPlacement { base: 0, bytes: 100 }, 2048), Err(IgbError::OutOfRange));
}

#[test]
fn statistics_accumulate_clear_on_read_counters() {
    let mut dev = Device::new(Fake::default());
    let mut totals = Statistics::default();
    for _ in 0..2 {
        let f = dev.registers_mut();
        f.values.insert(regs::stats::GPRC, 5);
        f.values.insert(regs::stats::GORCL, 0xFFFF_FFFF);
        f.values.insert(regs::stats::GORCH, 1);
        dev.accumulate_statistics(&mut totals);
    }
    assert_eq!((totals.rx_packets, totals.rx_octets), (10, 2 * 0x1_FFFF_FFFF));
    dev.registers_mut().values.insert(regs::stats::pvfgprc(3), 7);
    assert_eq!(dev.pool_counters(3).unwrap().rx_packets, 7);
    assert_eq!(dev.pool_counters(8), Err(IgbError::OutOfRange));
}
