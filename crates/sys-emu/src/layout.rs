//! The guest address map: where the image, the import stubs, the stack, the per-CPU block and
//! the heap live (kernel-style addresses, as on x64 Windows).

/// Where the image is mapped: a kernel address, deliberately away from the preferred base
/// (0x1_8000_0000 for a linked `.sys`) so the base relocations are exercised.
pub const IMAGE_BASE: u64 = 0xFFFF_F806_1230_0000;
/// Import stubs, one [`STUB_SIZE`] slot per import; the slot after the last is the
/// return sentinel every guest call returns to.
pub const STUB_BASE: u64 = 0xFFFF_F806_2000_0000;
/// Bytes per import stub.
pub const STUB_SIZE: u64 = 16;
/// The kernel stack size: 24 KiB (KERNEL_STACK_SIZE on x64); an unmapped guard page lies below.
pub const DEFAULT_STACK_SIZE: u64 = 24 * 1024;
/// Lowest mapped stack address (the guard page is just below it); the stack grows down to it
/// from `STACK_BOTTOM + stack size`.
pub const STACK_BOTTOM: u64 = 0xFFFF_F806_3000_1000;
/// The byte the stack is painted with, to measure its high-water mark.
pub const STACK_PAINT: u8 = 0xA5;
/// The fake KPCR (GS base): `Self` at 0x18, `CurrentPrcb` at 0x20, current thread at 0x188.
pub const KPCR: u64 = 0xFFFF_F806_4000_0000;
/// Offset of `KPCR.Self`.
pub const KPCR_SELF: u64 = 0x18;
/// Offset of `KPCR.CurrentPrcb`.
pub const KPCR_PRCB_POINTER: u64 = 0x20;
/// Offset of the embedded PRCB in the KPCR.
pub const KPCR_PRCB: u64 = 0x180;
/// `gs:[0x188]`: `KPRCB.CurrentThread` (the PRCB's offset 8).
pub const KPCR_CURRENT_THREAD: u64 = 0x188;
/// The fake KTHREAD the current-thread pointer names.
pub const THREAD: u64 = KPCR + 0x1000;
/// Bytes mapped for the KPCR page and the thread page.
pub const KPCR_SIZE: u64 = 0x2000;
/// The guest heap: shared memory, pool, NBLs, MDLs and the objects NDIS builds.
pub const HEAP_BASE: u64 = 0xFFFF_A000_0000_0000;
/// Bytes mapped per heap chunk (more chunks are mapped as the heap grows).
pub const HEAP_CHUNK: u64 = 64 << 20;

/// Rounds `v` up to a multiple of `align` (a power of two).
pub const fn align_up(v: u64, align: u64) -> u64 {
    (v + align - 1) & !(align - 1)
}
