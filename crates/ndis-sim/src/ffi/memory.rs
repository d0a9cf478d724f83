//! [`HostMemory`]: the model's [`AddressSpace`] over real host memory (the driver's pointers).

use std::alloc::{Layout, alloc_zeroed, dealloc};
use std::collections::BTreeMap;

use crate::model::{AddressSpace, Fault};

/// Lowest address treated as valid (the first page is never mapped).
const MIN_ADDRESS: u64 = 0x1_0000;
/// First address above the x64 user-space canonical range; the model's opaque handles live up
/// there, so a handle passed where a pointer belongs faults instead of crashing the test.
const MAX_ADDRESS: u64 = 0x0000_8000_0000_0000;

/// Real host memory: reads and writes go straight to the addresses the driver passed; blocks
/// the model allocates come from `std::alloc` with the requested alignment and are freed when
/// the host is dropped (or when the model frees them).
#[derive(Debug, Default)]
pub struct HostMemory {
    blocks: BTreeMap<u64, Layout>,
}

impl HostMemory {
    /// An empty host memory.
    pub fn new() -> Self {
        Self::default()
    }

    fn check(addr: u64, len: usize, write: bool) -> Result<(), Fault> {
        let fault = Fault { addr, len, write };
        let end = addr.checked_add(len as u64).ok_or(fault)?;
        if addr < MIN_ADDRESS || end > MAX_ADDRESS {
            return Err(fault);
        }
        Ok(())
    }
}

impl AddressSpace for HostMemory {
    fn read(&self, addr: u64, out: &mut [u8]) -> Result<(), Fault> {
        if out.is_empty() {
            return Ok(());
        }
        Self::check(addr, out.len(), false)?;
        // SAFETY: the exports' contract (`# Safety` on each) is that the driver passes pointers
        // valid for the documented structure sizes; `check` rejected NULL, the first pages and
        // non-canonical values (such as the model's own handles).
        unsafe { core::ptr::copy_nonoverlapping(addr as usize as *const u8, out.as_mut_ptr(), out.len()) };
        Ok(())
    }

    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), Fault> {
        if data.is_empty() {
            return Ok(());
        }
        Self::check(addr, data.len(), true)?;
        // SAFETY: as in `read`; the destination is memory the driver handed NDIS for writing
        // (an out-parameter or a buffer NDIS allocated itself).
        unsafe { core::ptr::copy_nonoverlapping(data.as_ptr(), addr as usize as *mut u8, data.len()) };
        Ok(())
    }

    fn alloc(&mut self, len: usize, align: usize) -> Option<u64> {
        let layout = Layout::from_size_align(len.max(1), align.max(1)).ok()?;
        // SAFETY: `layout` has a non-zero size.
        let ptr = unsafe { alloc_zeroed(layout) };
        if ptr.is_null() {
            return None;
        }
        let addr = ptr as usize as u64;
        self.blocks.insert(addr, layout);
        Some(addr)
    }

    fn free(&mut self, addr: u64) {
        if let Some(layout) = self.blocks.remove(&addr) {
            // SAFETY: `addr` was returned by `alloc_zeroed` with this `layout` and is removed
            // from the table, so it is freed exactly once.
            unsafe { dealloc(addr as usize as *mut u8, layout) };
        }
    }
}

impl Drop for HostMemory {
    fn drop(&mut self) {
        let addrs: Vec<u64> = self.blocks.keys().copied().collect();
        for addr in addrs {
            self.free(addr);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MemExt;

    #[test]
    fn host_memory_round_trips_and_rejects_handles() {
        let mut m = HostMemory::new();
        let a = m.alloc(64, 4096).unwrap_or_default();
        assert_eq!(a % 4096, 0);
        assert_eq!(m.write_u64(a + 8, 0x1122_3344_5566_7788), Ok(()));
        assert_eq!(m.read_u64(a + 8), Ok(0x1122_3344_5566_7788));
        assert!(m.read_u32(0).is_err());
        assert!(m.read_u32(0x4E44_0200_0000_0010).is_err());
        m.free(a);
    }
}
