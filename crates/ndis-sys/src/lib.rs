//! Hand-written `no_std` bindings for the NDIS 6.30 subset that vmqnic uses; see <https://learn.microsoft.com/windows-hardware/drivers/network/>.
//!
//! Every type, field and constant keeps its WDK name so it can be held against `ndis.h`,
//! `ntddndis.h`, `wdm.h` and `ifdef.h`. Layouts are the x64 (LLP64) ones of a driver built
//! with `NDIS630_MINIPORT` defined; each struct carries compile-time size and offset
//! assertions with those numbers, and each `NDIS_SIZEOF_*_REVISION_n` constant is computed
//! the way the WDK computes it (`RTL_SIZEOF_THROUGH_FIELD`).
//!
//! The crate holds data and `extern` declarations only. On Windows the functions are
//! imported from `ndis.sys` / `ntoskrnl.exe` through `raw-dylib`; elsewhere they are left
//! unresolved and the simulated NDIS (`crates/ndis-sim`) defines them.

#![no_std]
#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals)]

#[cfg(test)]
extern crate std;

/// Asserts at compile time a struct's size and the offsets of the named fields (x64 numbers).
macro_rules! assert_layout {
    ($ty:ty, size = $size:expr $(, $field:ident = $off:expr)* $(,)?) => {
        #[cfg(target_pointer_width = "64")]
        const _: () = {
            assert!(::core::mem::size_of::<$ty>() == $size);
            $(assert!(::core::mem::offset_of!($ty, $field) == $off);)*
        };
    };
}

/// `RTL_SIZEOF_THROUGH_FIELD(type, field)`: the offset of `field` plus its size, as a `USHORT`
/// ready for `NDIS_OBJECT_HEADER::Size`.
macro_rules! size_through {
    ($ty:ty, $field:ident) => {
        (::core::mem::offset_of!($ty, $field) + $crate::types::field_size(|s: &$ty| &s.$field)) as $crate::types::USHORT
    };
}

/// Implements `Default` as the all-zero value (null pointers, `None` handlers, zero integers).
macro_rules! zeroed_default {
    ($($ty:ty),+ $(,)?) => {
        $(
            impl Default for $ty {
                fn default() -> Self {
                    // SAFETY: the type consists only of integers, raw pointers,
                    // `Option<extern fn>`, and arrays, structs and unions of those; the
                    // all-zero bit pattern is a valid value for each of them.
                    unsafe { ::core::mem::zeroed() }
                }
            }
        )+
    };
}

pub mod config;
pub mod functions;
pub mod import_table;
pub mod miniport;
pub mod miniport_attributes;
pub mod nbl;
pub mod object;
pub mod oid;
pub mod pci;
pub mod shared_memory;
pub mod status;
pub mod types;
pub mod vmq;

pub use config::*;
pub use functions::*;
pub use import_table::Import;
pub use miniport::*;
pub use miniport_attributes::*;
pub use nbl::*;
pub use object::*;
pub use oid::*;
pub use pci::*;
pub use shared_memory::*;
pub use status::*;
pub use types::*;
pub use vmq::*;

#[cfg(test)]
mod tests;
