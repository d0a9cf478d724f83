//! Names of the NDIS_STATUS values a run can report.

use ndis_sys as s;

/// The WDK name of a status, or its hex value.
#[must_use]
pub fn status_name(status: i32) -> String {
    let name = match status {
        s::NDIS_STATUS_SUCCESS => "SUCCESS",
        s::NDIS_STATUS_PENDING => "PENDING",
        s::NDIS_STATUS_RESOURCES => "RESOURCES",
        s::NDIS_STATUS_FAILURE => "FAILURE",
        s::NDIS_STATUS_INVALID_PARAMETER => "INVALID_PARAMETER",
        s::NDIS_STATUS_INVALID_LENGTH => "INVALID_LENGTH",
        s::NDIS_STATUS_NOT_SUPPORTED => "NOT_SUPPORTED",
        s::NDIS_STATUS_NOT_ACCEPTED => "NOT_ACCEPTED",
        s::NDIS_STATUS_BUFFER_TOO_SHORT => "BUFFER_TOO_SHORT",
        s::NDIS_STATUS_INVALID_DATA => "INVALID_DATA",
        s::NDIS_STATUS_ADAPTER_NOT_READY => "ADAPTER_NOT_READY",
        _ => return format!("{:#010x}", status as u32),
    };
    format!("NDIS_STATUS_{name}")
}
