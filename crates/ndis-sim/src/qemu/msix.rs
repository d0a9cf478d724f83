//! MSI-X messages observed as memory writes.
//!
//! Each vector's message address points at its own 32-bit word in guest RAM (not at the APIC
//! range 0xFEEx_xxxx), so a message is a plain DMA write of the vector's data there. Polling
//! swaps each word with 0 atomically and counts a message when the old value was the data.
//! Two messages of one vector landing between two polls count once: callers that need exact
//! counts poll between events (EITR 0, one frame at a time).

use super::error::QemuError;
use super::guest_ram::{GuestRam, MSIX_TARGETS, MSIX_TARGETS_LEN};

/// Marker in the upper half of each vector's message data; the vector number is the lower half.
const DATA_TAG: u32 = 0x4D58_0000;

/// Where each vector's messages land, and how many arrived.
#[derive(Debug, Clone)]
pub struct MsixTargets {
    counts: Vec<u64>,
    strays: u64,
}

impl MsixTargets {
    /// Targets for `vectors` vectors.
    pub fn new(vectors: u16) -> Result<Self, QemuError> {
        if u64::from(vectors) * 4 > MSIX_TARGETS_LEN {
            return Err(QemuError::GuestRam(format!("{vectors} MSI-X targets do not fit the reserved region")));
        }
        Ok(Self { counts: vec![0; usize::from(vectors)], strays: 0 })
    }

    /// The message address programmed for `vector`.
    pub fn address(vector: u16) -> u64 {
        MSIX_TARGETS + 4 * u64::from(vector)
    }

    /// The message data programmed for `vector`.
    pub fn data(vector: u16) -> u32 {
        DATA_TAG | u32::from(vector)
    }

    /// Number of vectors.
    pub fn vectors(&self) -> u16 {
        // CAST: built from a u16.
        self.counts.len() as u16
    }

    /// Takes the message words; returns how many new messages were seen.
    pub fn poll(&mut self, ram: &GuestRam) -> Result<u64, QemuError> {
        let mut seen = 0;
        for (vector, count) in (0u16..).zip(self.counts.iter_mut()) {
            match ram.take_u32(Self::address(vector))? {
                0 => {}
                word if word == Self::data(vector) => {
                    *count += 1;
                    seen += 1;
                }
                _ => self.strays += 1,
            }
        }
        Ok(seen)
    }

    /// Messages counted per vector since the last [`MsixTargets::take_counts`].
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// The counts, reset to zero.
    pub fn take_counts(&mut self) -> Vec<u64> {
        let zero = vec![0; self.counts.len()];
        std::mem::replace(&mut self.counts, zero)
    }

    /// Words found with data that no vector was programmed with (a wrong table entry).
    pub fn strays(&self) -> u64 {
        self.strays
    }
}
