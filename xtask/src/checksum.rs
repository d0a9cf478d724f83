//! The PE image checksum (`link /RELEASE`, `CheckSumMappedFile`), which the loader requires for drivers; see <https://learn.microsoft.com/cpp/build/reference/release-set-the-checksum>.

use object::pe::ImageDosHeader;

use crate::Result;

/// Offset of `CheckSum` inside `IMAGE_OPTIONAL_HEADER64`: after magic .. `SizeOfHeaders`.
const CHECKSUM_OFFSET_IN_OPTIONAL_HEADER: u32 = 64;
/// `Signature` (4 bytes) plus `IMAGE_FILE_HEADER` (20 bytes).
const OPTIONAL_HEADER_OFFSET_IN_NT_HEADERS: u32 = 4 + 20;

/// File offset of the optional header's `CheckSum` field.
pub fn checksum_offset(image: &[u8]) -> Result<usize> {
    let dos = ImageDosHeader::parse(image)?;
    let offset = dos.nt_headers_offset() + OPTIONAL_HEADER_OFFSET_IN_NT_HEADERS + CHECKSUM_OFFSET_IN_OPTIONAL_HEADER;
    Ok(offset as usize)
}

/// Computes the checksum of `image` the way `CheckSumMappedFile` does: a 16-bit
/// one's-complement-style sum of the file with the `CheckSum` field taken as zero, plus the
/// file length.
pub fn compute(image: &[u8], checksum_field: usize) -> u32 {
    let mut sum: u64 = 0;
    let skip = checksum_field..checksum_field.saturating_add(4);
    for (index, pair) in image.chunks(2).enumerate() {
        let offset = index * 2;
        let word = if skip.contains(&offset) {
            0
        } else {
            let low = u64::from(pair[0]);
            let high = pair.get(1).map_or(0, |&byte| u64::from(byte));
            low | (high << 8)
        };
        sum += word;
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    sum = (sum & 0xFFFF) + (sum >> 16);
    // CAST: PE files are < 4 GiB; the checksum field is 32 bits wide by definition.
    (sum as u32).wrapping_add(image.len() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_the_checksum_field_and_adds_the_length() {
        let mut image = vec![0u8; 16];
        image[0] = 0x01;
        image[2] = 0xFF;
        image[3] = 0xFF;
        // The field at 8..12 does not count, whatever it holds.
        image[8..12].copy_from_slice(&[0xAA; 4]);
        // 0x0001 + 0xFFFF = 0x10000 -> folded to 0x0001, plus length 16.
        assert_eq!(compute(&image, 8), 0x0001 + 16);
    }

    #[test]
    fn odd_length_pads_with_zero() {
        assert_eq!(compute(&[0x34, 0x12, 0x01], 100), 0x1234 + 0x0001 + 3);
    }
}
