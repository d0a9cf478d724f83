//! The host's processors: how many there are and which one the simulated thread runs on.
//!
//! Host actions run on processor 0 unless they move: a DPC runs on its target processor
//! (`MiniportMessageInterruptDPC`, a per-queue receive DPC on the queue's affinity processor).
//! The IRQL stays the model's single `irql`: one simulated thread at a time.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kegetcurrentprocessornumberex>.

use super::Model;
use super::memory::{AddressSpace, MemExt};

/// How many processors a host has unless its configuration says otherwise.
pub const DEFAULT_PROCESSOR_COUNT: u32 = 4;

/// The processor count and the current processor (group 0 only).
#[derive(Clone, Copy, Debug)]
pub struct Processors {
    count: u32,
    current: u32,
}

impl Processors {
    /// `count` processors (at least 1), running on processor 0.
    pub fn new(count: u32) -> Self {
        Self { count: count.max(1), current: 0 }
    }
}

impl Default for Processors {
    fn default() -> Self {
        Self::new(DEFAULT_PROCESSOR_COUNT)
    }
}

impl Model {
    /// How many processors the host has (all in group 0).
    pub fn processor_count(&self) -> u32 {
        self.processors.count
    }

    /// The processor the simulated thread runs on.
    pub fn current_processor(&self) -> u32 {
        self.processors.current
    }

    /// Moves the simulated thread to `processor` (a host action running a DPC on its target
    /// processor) and returns the processor it was on, or `None` (and stays) when the host has
    /// no such processor.
    pub fn set_current_processor(&mut self, processor: u32) -> Option<u32> {
        if processor >= self.processors.count {
            return None;
        }
        Some(std::mem::replace(&mut self.processors.current, processor))
    }

    /// `KeGetCurrentProcessorNumberEx` (any IRQL): the current processor's system-wide number;
    /// fills `PROCESSOR_NUMBER` (Group, Number, Reserved) when `out` is not NULL.
    pub fn get_current_processor_number_ex(&mut self, mem: &mut dyn AddressSpace, out: u64) -> u32 {
        let current = self.processors.current;
        if out != 0 {
            // CAST: group-0 processor numbers fit a UCHAR (at most 64 processors per group).
            let number = u32::from(current as u8) << 16;
            if let Err(fault) = mem.write_u32(out, number) {
                return self.fault("KeGetCurrentProcessorNumberEx", fault).unwrap_or(current);
            }
        }
        current
    }
}

/// The processor MSI-X `vector` targets on a host with `count` processors.
pub fn message_processor(vector: u16, count: u32) -> u32 {
    u32::from(vector) % count.max(1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::config::HostConfig;
    use super::super::memory::{AddressSpace, ArenaMemory, MemExt};
    use super::*;

    #[test]
    fn the_current_processor_moves_and_is_reported() {
        let mut m = Model::new(HostConfig::default().processor_count(3));
        let mut mem = ArenaMemory::new();
        assert_eq!(m.processor_count(), 3);
        assert_eq!(m.current_processor(), 0);
        assert_eq!(m.set_current_processor(2), Some(0));
        assert_eq!(m.set_current_processor(3), None, "no processor 3");
        let out = mem.alloc(4, 4).unwrap();
        mem.write_u32(out, 0xFFFF_FFFF).unwrap();
        assert_eq!(m.get_current_processor_number_ex(&mut mem, out), 2);
        // PROCESSOR_NUMBER { Group: 0, Number: 2, Reserved: 0 }.
        assert_eq!(mem.read_u32(out).unwrap(), 2 << 16);
        assert_eq!(m.get_current_processor_number_ex(&mut mem, 0), 2);
        assert!(m.violations().is_empty());
    }
}
