//! WDK build glue (Windows without `cfg(vmqnic_cross)`, built by `cargo make`): wdk-panic's bug-checking panic handler and `wdk::print!`; see <https://github.com/microsoft/windows-drivers-rs>.
//!
//! No global allocator: the driver allocates only tagged NDIS pool through `kernel::pool`
//! (`NdisAllocateMemoryWithTagPriority`, fallible, one tag per object kind), which is why
//! wdk-alloc (one `'rust'` tag, alignment ignored) is not used. Not compiled on Linux.

// Links wdk-panic's `#[panic_handler]` (`KeBugCheckEx(0x52504E43, ...)`).
extern crate wdk_panic;

/// Writes `msg` to the kernel debugger as is (no newline added). Any IRQL up to DIRQL.
pub fn debug_print(msg: &str) {
    wdk::print!("{msg}");
}
