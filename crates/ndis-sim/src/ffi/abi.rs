//! How a C argument or result of an import crosses into the model: pointers and handles become
//! `u64` addresses, integers keep their width. The import table (`ndis_sys::for_each_import!`)
//! relies on these conversions, chosen by each parameter's C type.

use ndis_sys::{NDIS_IO_WORKITEM_ROUTINE, PKDEFERRED_ROUTINE};

/// A C argument type of an import, as the model takes it.
pub trait HostArg {
    /// The model's type for it.
    type Model;
    /// The value the model sees.
    fn to_model(self) -> Self::Model;
}

/// A C result type of an import, as the model returns it.
pub trait HostRet {
    /// The model's type for it.
    type Model;
    /// The value the caller sees.
    fn from_model(value: Self::Model) -> Self;
}

impl<T> HostArg for *mut T {
    type Model = u64;
    fn to_model(self) -> u64 {
        self as usize as u64
    }
}

impl<T> HostArg for *const T {
    type Model = u64;
    fn to_model(self) -> u64 {
        self as usize as u64
    }
}

/// `SIZE_T` / `ULONG_PTR`.
impl HostArg for usize {
    type Model = u64;
    fn to_model(self) -> u64 {
        self as u64
    }
}

/// A work-item routine: its address (0 for NULL).
impl HostArg for NDIS_IO_WORKITEM_ROUTINE {
    type Model = u64;
    fn to_model(self) -> u64 {
        self.map_or(0, |f| f as usize as u64)
    }
}

/// A DPC routine: its address (0 for NULL).
impl HostArg for PKDEFERRED_ROUTINE {
    type Model = u64;
    fn to_model(self) -> u64 {
        self.map_or(0, |f| f as usize as u64)
    }
}

macro_rules! same_width {
    ($($ty:ty),*) => {$(
        impl HostArg for $ty {
            type Model = $ty;
            fn to_model(self) -> $ty {
                self
            }
        }
        impl HostRet for $ty {
            type Model = $ty;
            fn from_model(value: $ty) -> $ty {
                value
            }
        }
    )*};
}

same_width!(u8, u16, u32, i32, i64);

impl<T> HostRet for *mut T {
    type Model = u64;
    fn from_model(value: u64) -> Self {
        value as usize as *mut T
    }
}

/// `KAFFINITY` / `ULONG_PTR` results.
impl HostRet for usize {
    type Model = u64;
    fn from_model(value: u64) -> Self {
        // CAST: the model's value came from a pointer-sized quantity.
        value as usize
    }
}
