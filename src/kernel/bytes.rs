//! Little-endian fields of byte buffers NDIS fills (OID payloads, scatter-gather lists):
//! every read and write is bounds-checked, no pointer is cast.

/// Reads a little-endian `u16` at `off`, or `None` past the end.
#[must_use]
pub fn u16_at(buf: &[u8], off: usize) -> Option<u16> {
    let bytes = buf.get(off..off.checked_add(2)?)?;
    Some(u16::from_le_bytes([bytes[0], bytes[1]]))
}

/// Reads a little-endian `u32` at `off`, or `None` past the end.
#[must_use]
pub fn u32_at(buf: &[u8], off: usize) -> Option<u32> {
    let bytes: [u8; 4] = buf.get(off..off.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_le_bytes(bytes))
}

/// Reads a little-endian `u64` at `off`, or `None` past the end.
#[must_use]
pub fn u64_at(buf: &[u8], off: usize) -> Option<u64> {
    let bytes: [u8; 8] = buf.get(off..off.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_le_bytes(bytes))
}

/// Writes a little-endian `u32` at `off`; `false` if it does not fit.
pub fn put_u32(buf: &mut [u8], off: usize, value: u32) -> bool {
    let Some(end) = off.checked_add(4) else {
        return false;
    };
    match buf.get_mut(off..end) {
        Some(dst) => {
            dst.copy_from_slice(&value.to_le_bytes());
            true
        }
        None => false,
    }
}
