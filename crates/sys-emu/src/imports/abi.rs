//! How an import's argument slot (a full 64-bit register or stack slot) and its result cross
//! into the model: pointers and handles stay `u64` addresses; a narrower integer is the low
//! part of its slot (the callee reads only that, the upper bits are undefined in the x64
//! convention). The import table (`ndis_sys::for_each_import!`) relies on these conversions,
//! chosen by each parameter's C type, as `ndis-sim`'s host exports do.

use ndis_sys::{NDIS_IO_WORKITEM_ROUTINE, PKDEFERRED_ROUTINE};

use super::Ret;

/// A C argument type of an import, as the model takes it from the argument slot.
pub trait GuestArg {
    /// The model's type for it.
    type Model;
    /// The value the model sees.
    fn from_slot(slot: u64) -> Self::Model;
}

/// A C result type of an import: what the model returns, and what goes in rax.
pub trait GuestRet {
    /// The model's type for it.
    type Model;
    /// The value for rax.
    fn to_ret(value: Self::Model) -> Ret;
}

/// Pointers and handles, `SIZE_T` and work-item routines: the slot as an address.
macro_rules! address {
    ($($ty:ty),*) => {$(
        impl GuestArg for $ty {
            type Model = u64;
            fn from_slot(slot: u64) -> u64 {
                slot
            }
        }
    )*};
}

/// Integers narrower than the slot: its low part.
macro_rules! low_part {
    ($($ty:ty),*) => {$(
        impl GuestArg for $ty {
            type Model = $ty;
            fn from_slot(slot: u64) -> $ty {
                // CAST: the x64 convention passes the value in the low bits of the slot.
                slot as $ty
            }
        }
    )*};
}

address!(usize, NDIS_IO_WORKITEM_ROUTINE, PKDEFERRED_ROUTINE);
low_part!(u8, u16, u32, i64);

impl<T> GuestArg for *mut T {
    type Model = u64;
    fn from_slot(slot: u64) -> u64 {
        slot
    }
}

impl<T> GuestArg for *const T {
    type Model = u64;
    fn from_slot(slot: u64) -> u64 {
        slot
    }
}

/// `NDIS_STATUS`, `NTSTATUS` and enums.
impl GuestArg for i32 {
    type Model = i32;
    fn from_slot(slot: u64) -> i32 {
        // CAST: the low 32 bits, reinterpreted as signed.
        slot as u32 as i32
    }
}

impl<T> GuestRet for *mut T {
    type Model = u64;
    fn to_ret(value: u64) -> Ret {
        Ret::Value(value)
    }
}

/// `NDIS_STATUS` / `NTSTATUS`.
impl GuestRet for i32 {
    type Model = i32;
    fn to_ret(value: i32) -> Ret {
        Ret::status(value)
    }
}

/// `BOOLEAN`.
impl GuestRet for u8 {
    type Model = u8;
    fn to_ret(value: u8) -> Ret {
        Ret::Value(u64::from(value))
    }
}

impl GuestRet for u32 {
    type Model = u32;
    fn to_ret(value: u32) -> Ret {
        Ret::Value(u64::from(value))
    }
}

/// `KAFFINITY` / `ULONG_PTR`.
impl GuestRet for usize {
    type Model = u64;
    fn to_ret(value: u64) -> Ret {
        Ret::Value(value)
    }
}
