//! Reading integer registry keywords (`*VMQ`, `*VMQVlanFiltering`, ...) through NDIS.
//!
//! `NdisOpenConfigurationEx` + `NdisReadConfiguration` + `NdisCloseConfiguration`;
//! ndis-sim answers from a per-adapter keyword map.
//! <https://learn.microsoft.com/windows-hardware/drivers/network/standardized-inf-keywords-for-vmq>
//!
//! IRQL: PASSIVE_LEVEL (MiniportInitializeEx).

use ndis_sys::{
    NDIS_CONFIGURATION_OBJECT, NDIS_CONFIGURATION_OBJECT_REVISION_1, NDIS_CONFIGURATION_PARAMETER, NDIS_HANDLE,
    NDIS_OBJECT_HEADER, NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT, NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1,
    NDIS_STATUS, NDIS_STATUS_FAILURE, NDIS_STATUS_SUCCESS, NDIS_STRING, NdisCloseConfiguration,
    NdisOpenConfigurationEx, NdisParameterHexInteger, NdisParameterInteger, NdisReadConfiguration,
    NdisReadNetworkAddress, PVOID, UINT,
};

use super::NdisHandle;

/// A keyword name as UTF-16, built at compile time by [`utf16!`](crate::utf16).
pub type Keyword = &'static [u16];

/// Converts ASCII text to UTF-16 at compile time (non-ASCII fails the build).
#[must_use]
pub const fn ascii_to_utf16<const N: usize>(text: &str) -> [u16; N] {
    let bytes = text.as_bytes();
    let mut out = [0u16; N];
    let mut i = 0;
    while i < N {
        assert!(bytes[i] < 0x80, "keyword names are ASCII");
        out[i] = bytes[i] as u16;
        i += 1;
    }
    out
}

/// A `&'static [u16]` of an ASCII literal, for keyword names.
#[macro_export]
macro_rules! utf16 {
    ($text:literal) => {{
        const TEXT: &str = $text;
        const WIDE: [u16; TEXT.len()] = $crate::kernel::config::ascii_to_utf16::<{ TEXT.len() }>(TEXT);
        &WIDE
    }};
}

/// An open configuration handle, closed on drop.
struct Configuration(NdisHandle);

impl Configuration {
    fn open(adapter: NdisHandle) -> Result<Self, NDIS_STATUS> {
        let mut object = NDIS_CONFIGURATION_OBJECT {
            Header: NDIS_OBJECT_HEADER::new(
                NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT,
                NDIS_CONFIGURATION_OBJECT_REVISION_1,
                NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1,
            ),
            ..NDIS_CONFIGURATION_OBJECT::default()
        };
        object.NdisHandle = adapter.as_raw();
        object.Flags = 0;
        let mut handle: NDIS_HANDLE = core::ptr::null_mut();
        // SAFETY: `object` is a valid configuration object; `handle` is a valid out slot.
        let status = unsafe { NdisOpenConfigurationEx(&raw mut object, &raw mut handle) };
        if status != NDIS_STATUS_SUCCESS {
            return Err(status);
        }
        NdisHandle::from_raw(handle).map(Self).ok_or(NDIS_STATUS_FAILURE)
    }

    fn read_integer(&self, name: Keyword) -> Option<u32> {
        // CAST: keyword names are short literals; their byte length fits in u16.
        let bytes = u16::try_from(name.len() * 2).ok()?;
        let mut keyword = NDIS_STRING { Length: bytes, MaximumLength: bytes, Buffer: name.as_ptr().cast_mut() };
        let mut status: NDIS_STATUS = NDIS_STATUS_FAILURE;
        let mut value: *mut NDIS_CONFIGURATION_PARAMETER = core::ptr::null_mut();
        // SAFETY: all pointers are valid for the call; NDIS only reads `keyword.Buffer`.
        unsafe {
            NdisReadConfiguration(
                &raw mut status,
                &raw mut value,
                self.0.as_raw(),
                &raw mut keyword,
                NdisParameterInteger,
            );
        }
        if status != NDIS_STATUS_SUCCESS || value.is_null() {
            return None;
        }
        // SAFETY: on success NDIS returns a parameter that stays valid until the
        // configuration handle is closed (after this read).
        let parameter = unsafe { &*value };
        if parameter.ParameterType != NdisParameterInteger && parameter.ParameterType != NdisParameterHexInteger {
            return None;
        }
        // SAFETY: the parameter type says the integer member of the union is the live one.
        Some(unsafe { parameter.ParameterData.IntegerData })
    }

    /// `NdisReadNetworkAddress`: the `NetworkAddress` keyword as six address bytes.
    fn read_network_address(&self) -> Option<[u8; 6]> {
        let mut status: NDIS_STATUS = NDIS_STATUS_FAILURE;
        let mut address: PVOID = core::ptr::null_mut();
        let mut length: UINT = 0;
        // SAFETY: all out pointers are valid locals for the call.
        unsafe { NdisReadNetworkAddress(&raw mut status, &raw mut address, &raw mut length, self.0.as_raw()) };
        if status != NDIS_STATUS_SUCCESS || address.is_null() || length != 6 {
            return None;
        }
        // SAFETY: on success NDIS returns `length` (6) readable bytes that stay valid until the
        // configuration handle is closed (after this read).
        let bytes = unsafe { core::slice::from_raw_parts(address.cast::<u8>(), 6) };
        bytes.try_into().ok()
    }
}

/// The standardized `NetworkAddress` keyword ("Standardized INF keywords for network devices"),
/// `None` when absent or not a usable station address (multicast, broadcast or all zeros).
///
/// # Errors
/// The status of `NdisOpenConfigurationEx` when the configuration cannot be opened.
pub fn read_network_address(adapter: NdisHandle) -> Result<Option<[u8; 6]>, NDIS_STATUS> {
    let configuration = Configuration::open(adapter)?;
    Ok(configuration.read_network_address().filter(|a| a[0] & 1 == 0 && *a != [0; 6]))
}

impl Drop for Configuration {
    fn drop(&mut self) {
        // SAFETY: the handle came from NdisOpenConfigurationEx and is closed once.
        unsafe { NdisCloseConfiguration(self.0.as_raw()) };
    }
}

/// Reads integer keywords; `None` where a keyword is absent or not an integer.
///
/// # Errors
/// The status of `NdisOpenConfigurationEx` when the configuration cannot be opened.
pub fn read_integer_keywords<const N: usize>(
    adapter: NdisHandle,
    names: [Keyword; N],
) -> Result<[Option<u32>; N], NDIS_STATUS> {
    let configuration = Configuration::open(adapter)?;
    Ok(names.map(|name| configuration.read_integer(name)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn utf16_literals() {
        let wide: &[u16] = crate::utf16!("*VMQ");
        assert_eq!(wide, &[0x2A, 0x56, 0x4D, 0x51]);
    }
}
