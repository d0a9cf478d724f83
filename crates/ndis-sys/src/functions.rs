//! `extern` declarations of the `ndis.sys` and `ntoskrnl.exe` routines vmqnic calls, generated from the import table; see <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/>.
//!
//! Every row of [`for_each_import!`](crate::for_each_import) (`import_table.rs`) becomes here
//! - a declaration with the WDK parameter names and the row's doc lines (IRQL included), in an
//!   `extern` block of its own. On Windows each block imports through `raw-dylib` (no import
//!   library needed); elsewhere the symbols stay unresolved until a binary links
//!   `crates/ndis-sim`, which defines them from the same table. The C runtime rows are declared
//!   for the cross build only.
//! - a function pointer type of the same name in [`pfn`], which the simulator's definitions are
//!   checked against at compile time;
//! - an entry of [`IMPORTS`], the `dll!Symbol` list that `imports.txt` must equal (unit-tested).

use core::ffi::{c_char, c_int, c_void};

use crate::config::{NDIS_CONFIGURATION_OBJECT, NDIS_CONFIGURATION_PARAMETER, NDIS_PARAMETER_TYPE};
use crate::import_table::Import;
use crate::miniport::NDIS_MINIPORT_DRIVER_CHARACTERISTICS;
use crate::miniport_attributes::NDIS_MINIPORT_ADAPTER_ATTRIBUTES;
use crate::nbl::{MDL, NET_BUFFER, NET_BUFFER_LIST, NET_BUFFER_LIST_POOL_PARAMETERS};
use crate::oid::NDIS_OID_REQUEST;
use crate::pci::{NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, NDIS_MSIX_CONFIG_PARAMETERS};
use crate::shared_memory::{NDIS_SG_DMA_DESCRIPTION, NDIS_SHARED_MEMORY_PARAMETERS, SCATTER_GATHER_LIST};
use crate::status::NDIS_STATUS_INDICATION;
use crate::types::{
    BOOLEAN, DRIVER_OBJECT, EX_POOL_PRIORITY, GROUP_AFFINITY, KAFFINITY, KDPC, NDIS_HANDLE, NDIS_IO_WORKITEM_ROUTINE,
    NDIS_PHYSICAL_ADDRESS, NDIS_PORT_NUMBER, NDIS_SPIN_LOCK, NDIS_STATUS, NDIS_STRING, NTSTATUS, PKDEFERRED_ROUTINE,
    PROCESSOR_NUMBER, PVOID, SIZE_T, UINT, ULONG, ULONG_PTR, UNICODE_STRING, USHORT,
};

/// The table consumer of this crate: declarations, [`pfn`] and [`IMPORTS`]. The parameter list
/// is taken whole (`$params`), `...` of the variadic `DbgPrint` included.
macro_rules! declare_imports {
    ($(
        $(#[doc = $doc:literal])*
        $dll:literal extern $abi:literal fn $name:ident $params:tt
            $(-> $rty:ty $(= $default:expr)?)? => $answer:ident $how:tt;
    )*) => {
        $(declare_imports!(@extern $answer $dll $abi [$(#[doc = $doc])*] $name $params [$($rty)?]);)*

        /// The function pointer type of every import, named as the routine (`pfn::NdisFreeMdl`).
        pub mod pfn {
            #[allow(clippy::wildcard_imports)]
            use super::*;
            $(
                #[doc = concat!("`", stringify!($name), "`.")]
                pub type $name = unsafe extern $abi fn $params $(-> $rty)?;
            )*
        }

        /// Every import, `dll!Symbol`, in table order: what `imports.txt` lists.
        pub const IMPORTS: &[Import] = &[$(Import { dll: $dll, name: stringify!($name) }),*];
    };
    // C runtime routines: declared for the cross build only (host builds use the platform's).
    (@extern runtime $dll:literal $abi:literal [$($doc:tt)*] $name:ident $params:tt [$($rty:ty)?]) => {
        #[cfg(all(windows, vmqnic_cross))]
        #[link(name = $dll, kind = "raw-dylib", modifiers = "+verbatim")]
        unsafe extern $abi {
            $($doc)*
            pub fn $name $params $(-> $rty)?;
        }
    };
    (@extern $answer:ident $dll:literal $abi:literal [$($doc:tt)*] $name:ident $params:tt [$($rty:ty)?]) => {
        #[cfg_attr(windows, link(name = $dll, kind = "raw-dylib", modifiers = "+verbatim"))]
        unsafe extern $abi {
            $($doc)*
            pub fn $name $params $(-> $rty)?;
        }
    };
}

crate::for_each_import!(declare_imports);
