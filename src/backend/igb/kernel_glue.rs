//! The 82576 layer's two access traits over the kernel owners: [`Registers`] over a mapped
//! BAR ([`IoSpace`], [`mmio::Registers`]) and [`DmaMemory`] over an `NdisMAllocateSharedMemory`
//! block ([`DmaBlock`]).
//!
//! An access outside the mapping or block does nothing: a read returns all ones for a
//! register (what a PCI read the device does not claim returns) and zeros for memory (a
//! descriptor that reads as not done), a write is dropped. The owners check the bounds.

use super::descriptors::DmaMemory;
use super::regs::Registers;
use crate::kernel::dma_ring::DmaBlock;
use crate::kernel::io_space::IoSpace;
use crate::kernel::mmio;

impl Registers for mmio::Registers {
    fn read(&mut self, offset: u32) -> u32 {
        mmio::Registers::read(self, offset).unwrap_or(u32::MAX)
    }

    fn write(&mut self, offset: u32, value: u32) {
        let _outside = mmio::Registers::write(self, offset, value);
    }
}

impl Registers for IoSpace {
    fn read(&mut self, offset: u32) -> u32 {
        self.registers().read(offset).unwrap_or(u32::MAX)
    }

    fn write(&mut self, offset: u32, value: u32) {
        let _outside = self.registers().write(offset, value);
    }
}

impl DmaMemory for DmaBlock {
    fn read(&self, offset: usize, buf: &mut [u8]) {
        if DmaBlock::read(self, offset, buf).is_none() {
            buf.fill(0);
        }
    }

    fn write(&mut self, offset: usize, data: &[u8]) {
        let _outside = DmaBlock::write(self, offset, data);
    }
}
