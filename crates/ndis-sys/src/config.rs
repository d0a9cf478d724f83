//! Registry configuration access: `NDIS_CONFIGURATION_OBJECT` and `NDIS_CONFIGURATION_PARAMETER`; see <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisopenconfigurationex>.

use crate::object::NDIS_OBJECT_HEADER;
use crate::types::{NDIS_HANDLE, NDIS_STRING, PVOID, UCHAR, ULONG, USHORT};

/// `NDIS_CONFIGURATION_OBJECT_REVISION_1`.
pub const NDIS_CONFIGURATION_OBJECT_REVISION_1: UCHAR = 1;
/// `NDIS_CONFIG_FLAG_FILTER_INSTANCE_CONFIGURATION` (filter drivers only).
pub const NDIS_CONFIG_FLAG_FILTER_INSTANCE_CONFIGURATION: ULONG = 0x0000_0001;

/// `NDIS_CONFIGURATION_OBJECT`: argument of `NdisOpenConfigurationEx`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct NDIS_CONFIGURATION_OBJECT {
    /// `NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT`, revision 1, `NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1`.
    pub Header: NDIS_OBJECT_HEADER,
    /// The miniport adapter handle (or driver handle for driver-wide settings).
    pub NdisHandle: NDIS_HANDLE,
    /// `NDIS_CONFIG_FLAG_*`.
    pub Flags: ULONG,
}
assert_layout!(NDIS_CONFIGURATION_OBJECT, size = 24, Header = 0, NdisHandle = 8, Flags = 16);
/// `NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1` (through `Flags`).
pub const NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1: u16 = size_through!(NDIS_CONFIGURATION_OBJECT, Flags);
#[cfg(target_pointer_width = "64")]
const _: () = assert!(NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1 == 20);

/// `NDIS_PARAMETER_TYPE`.
pub type NDIS_PARAMETER_TYPE = i32;
/// `NdisParameterInteger` (decimal `REG_SZ` or `REG_DWORD`).
pub const NdisParameterInteger: NDIS_PARAMETER_TYPE = 0;
/// `NdisParameterHexInteger`.
pub const NdisParameterHexInteger: NDIS_PARAMETER_TYPE = 1;
/// `NdisParameterString`.
pub const NdisParameterString: NDIS_PARAMETER_TYPE = 2;
/// `NdisParameterMultiString`.
pub const NdisParameterMultiString: NDIS_PARAMETER_TYPE = 3;
/// `NdisParameterBinary`.
pub const NdisParameterBinary: NDIS_PARAMETER_TYPE = 4;

/// `BINARY_DATA` (`ndis.h`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct BINARY_DATA {
    /// Length of `Buffer` in bytes.
    pub Length: USHORT,
    /// The bytes.
    pub Buffer: PVOID,
}
assert_layout!(BINARY_DATA, size = 16, Length = 0, Buffer = 8);

/// `NDIS_CONFIGURATION_PARAMETER::ParameterData` (anonymous union).
#[repr(C)]
#[derive(Clone, Copy)]
pub union NDIS_CONFIGURATION_PARAMETER_DATA {
    /// For `NdisParameterInteger` / `NdisParameterHexInteger`.
    pub IntegerData: ULONG,
    /// For `NdisParameterString` / `NdisParameterMultiString`.
    pub StringData: NDIS_STRING,
    /// For `NdisParameterBinary`.
    pub BinaryData: BINARY_DATA,
}
assert_layout!(NDIS_CONFIGURATION_PARAMETER_DATA, size = 16);

/// `NDIS_CONFIGURATION_PARAMETER`: value returned by `NdisReadConfiguration`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct NDIS_CONFIGURATION_PARAMETER {
    /// `NdisParameter*`: which member of `ParameterData` is valid.
    pub ParameterType: NDIS_PARAMETER_TYPE,
    /// The value.
    pub ParameterData: NDIS_CONFIGURATION_PARAMETER_DATA,
}
assert_layout!(NDIS_CONFIGURATION_PARAMETER, size = 24, ParameterType = 0, ParameterData = 8);

zeroed_default!(
    NDIS_CONFIGURATION_OBJECT,
    BINARY_DATA,
    NDIS_CONFIGURATION_PARAMETER_DATA,
    NDIS_CONFIGURATION_PARAMETER,
);
