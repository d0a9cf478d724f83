//! Tagged, fallible non-paged pool allocations through `NdisAllocateMemoryWithTagPriority`.
//!
//! The driver has no global allocator: every allocation names its owner handle
//! and a pool tag per object kind, can fail (the caller decides what failure
//! means), and is freed by `Drop` with the same tag.
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocatememorywithtagpriority>
//!
//! IRQL: allocation and free at <= DISPATCH_LEVEL.

use core::ffi::c_void;
use core::ops::{Deref, DerefMut};
use core::ptr::NonNull;

use ndis_sys::{NdisAllocateMemoryWithTagPriority, NdisFreeMemoryWithTagPriority, NormalPoolPriority};

use super::NdisHandle;

/// A four-character pool tag, stored the way `'abcd'` literals are in C (first
/// character in the low byte, which is how pool tools display it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolTag(u32);

impl PoolTag {
    /// Builds a tag from four printable ASCII bytes.
    #[must_use]
    pub const fn new(tag: [u8; 4]) -> Self {
        Self(u32::from_le_bytes(tag))
    }

    /// The tag as NDIS takes it.
    #[must_use]
    pub const fn value(self) -> u32 {
        self.0
    }
}

/// Largest alignment pool memory guarantees on x64 (MEMORY_ALLOCATION_ALIGNMENT).
pub const POOL_ALIGNMENT: usize = 16;

fn allocate(owner: NdisHandle, tag: PoolTag, len: usize) -> Option<NonNull<c_void>> {
    let len = u32::try_from(len.max(1)).ok()?;
    // SAFETY: `owner` is a live NDIS handle (type invariant); NDIS returns NULL or a
    // block of `len` bytes aligned to MEMORY_ALLOCATION_ALIGNMENT.
    let raw = unsafe { NdisAllocateMemoryWithTagPriority(owner.as_raw(), len, tag.value(), NormalPoolPriority) };
    NonNull::new(raw)
}

fn free(owner: NdisHandle, tag: PoolTag, ptr: NonNull<c_void>) {
    // SAFETY: `ptr` came from `allocate` with the same owner and tag and is freed once.
    unsafe { NdisFreeMemoryWithTagPriority(owner.as_raw(), ptr.as_ptr(), tag.value()) };
}

/// An owned `T` in tagged non-paged pool.
///
/// # Invariants
/// `ptr` points to an initialized `T` in a pool block allocated with `owner` and
/// `tag`, owned exclusively by this box.
pub struct PoolBox<T> {
    ptr: NonNull<T>,
    owner: NdisHandle,
    tag: PoolTag,
}

// SAFETY: the box owns its `T` exclusively, like `Box<T>`.
unsafe impl<T: Send> Send for PoolBox<T> {}
// SAFETY: shared access to the box is shared access to `T`.
unsafe impl<T: Sync> Sync for PoolBox<T> {}

impl<T> PoolBox<T> {
    /// Moves `value` into a new pool block. On failure the value is handed back.
    ///
    /// # Errors
    /// `Err(value)` when the pool allocation fails.
    pub fn try_new(owner: NdisHandle, tag: PoolTag, value: T) -> Result<Self, T> {
        const { assert!(core::mem::align_of::<T>() <= POOL_ALIGNMENT) };
        let Some(raw) = allocate(owner, tag, core::mem::size_of::<T>()) else {
            return Err(value);
        };
        let ptr = raw.cast::<T>();
        // SAFETY: `ptr` is a fresh block large and aligned enough for `T` (checked above).
        unsafe { ptr.as_ptr().write(value) };
        Ok(Self { ptr, owner, tag })
    }

    /// Gives up ownership: the caller (a trampoline handing a context to NDIS) keeps the pointer.
    #[must_use]
    pub(crate) fn into_raw(self) -> NonNull<T> {
        let ptr = self.ptr;
        core::mem::forget(self);
        ptr
    }

    /// Takes ownership back of a pointer produced by [`PoolBox::into_raw`].
    ///
    /// # Safety
    /// `ptr` must come from `into_raw` of a box created with the same `owner` and
    /// `tag`, and no reference derived from it may be used afterwards.
    pub(crate) unsafe fn from_raw(ptr: NonNull<T>, owner: NdisHandle, tag: PoolTag) -> Self {
        Self { ptr, owner, tag }
    }
}

impl<T: Copy, const N: usize> PoolBox<[T; N]> {
    /// An array of `N` copies of `value` written in place in pool (a table of a few KiB is
    /// never built on the 24 KiB kernel stack and moved).
    #[must_use]
    pub fn try_filled(owner: NdisHandle, tag: PoolTag, value: T) -> Option<Self> {
        const { assert!(core::mem::align_of::<[T; N]>() <= POOL_ALIGNMENT) };
        let ptr = allocate(owner, tag, core::mem::size_of::<[T; N]>())?.cast::<[T; N]>();
        let first = ptr.as_ptr().cast::<T>();
        for i in 0..N {
            // SAFETY: `i < N`: the element lies inside the fresh block sized for `[T; N]`.
            let element = unsafe { first.add(i) };
            // SAFETY: the element is aligned and unaliased; once every element is written the
            // array is initialized.
            unsafe { element.write(value) };
        }
        Some(Self { ptr, owner, tag })
    }
}

impl<U, const N: usize> PoolBox<[Option<U>; N]> {
    /// An array of `None`s written in place in pool (a large table never crosses the stack).
    #[must_use]
    pub fn try_nones(owner: NdisHandle, tag: PoolTag) -> Option<Self> {
        const { assert!(core::mem::align_of::<[Option<U>; N]>() <= POOL_ALIGNMENT) };
        let ptr = allocate(owner, tag, core::mem::size_of::<[Option<U>; N]>())?.cast::<[Option<U>; N]>();
        let first = ptr.as_ptr().cast::<Option<U>>();
        for i in 0..N {
            // SAFETY: `i < N`: the element lies inside the fresh block sized for `[Option<U>; N]`.
            let element = unsafe { first.add(i) };
            // SAFETY: the element is aligned and unaliased; once every element is written the
            // array is initialized.
            unsafe { element.write(None) };
        }
        Some(Self { ptr, owner, tag })
    }
}

impl<T> Deref for PoolBox<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: type invariant: `ptr` is an initialized `T` owned by this box.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T> DerefMut for PoolBox<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: type invariant, and `&mut self` gives exclusive access.
        unsafe { self.ptr.as_mut() }
    }
}

impl<T> Drop for PoolBox<T> {
    fn drop(&mut self) {
        // SAFETY: type invariant: `ptr` holds an initialized `T` dropped exactly once here.
        unsafe { core::ptr::drop_in_place(self.ptr.as_ptr()) };
        free(self.owner, self.tag, self.ptr.cast());
    }
}

/// A zero-initialized byte buffer in tagged non-paged pool (e.g. a caller-supplied
/// scatter-gather list buffer).
///
/// # Invariants
/// `ptr` points to `len` initialized bytes allocated with `owner` and `tag`.
pub struct PoolBytes {
    ptr: NonNull<u8>,
    len: usize,
    owner: NdisHandle,
    tag: PoolTag,
}

// SAFETY: the buffer is owned exclusively, like `Box<[u8]>`.
unsafe impl Send for PoolBytes {}
// SAFETY: shared access only reads the bytes.
unsafe impl Sync for PoolBytes {}

impl PoolBytes {
    /// Allocates `len` zeroed bytes, or `None`.
    #[must_use]
    pub fn zeroed(owner: NdisHandle, tag: PoolTag, len: usize) -> Option<Self> {
        let ptr = allocate(owner, tag, len)?.cast::<u8>();
        // SAFETY: `ptr` is a fresh block of at least `len` bytes.
        unsafe { ptr.as_ptr().write_bytes(0, len) };
        Some(Self { ptr, len, owner, tag })
    }

    /// The bytes.
    #[must_use]
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: type invariant: `len` initialized bytes at `ptr`.
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }

    /// The bytes, writable.
    #[must_use]
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: type invariant, and `&mut self` gives exclusive access.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }

    /// The buffer address, for an FFI call that lets NDIS fill it.
    #[must_use]
    pub(crate) fn as_mut_ptr(&mut self) -> *mut u8 {
        self.ptr.as_ptr()
    }
}

impl Drop for PoolBytes {
    fn drop(&mut self) {
        free(self.owner, self.tag, self.ptr.cast());
    }
}
