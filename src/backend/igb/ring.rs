//! Receive and transmit descriptor rings: descriptor, buffer and index kept together, in
//! fixed-capacity arrays (no allocation), over any [`DmaMemory`].
//!
//! Ring protocol (82576 datasheet 7.1.4 and 7.2.2): the device owns the descriptors from its
//! head (RDH/TDH) up to, not including, the tail (RDT/TDT) software writes; head == tail is an
//! empty ring, so at most `N - 1` descriptors are posted. Software keeps its own head, the next
//! descriptor it expects back, and never reads the device's head on the data path.
//!
//! Ordering: descriptors are written to memory before the tail register write that hands them
//! over; the kernel's register write (`WRITE_REGISTER_ULONG`) is a full barrier, and a
//! write-back is read whole (16 bytes) only after the device has set DD in it.

use super::descriptors::{self, DESCRIPTOR_LEN, DmaMemory, RxWriteBack};
use crate::kernel::nbl::BufferIndex;

/// The ring has no free descriptor (or the request could never fit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RingError {
    /// Every descriptor the ring may post is posted; retry after a reap.
    Full,
    /// The frame has no fragment, or more fragments than the ring could ever hold.
    BadFrame,
}

/// A frame the device wrote into a posted buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RxCompletion {
    /// The receive buffer the device wrote (for `RxMemory::complete`).
    pub buffer: BufferIndex,
    /// Bytes written.
    pub length: u16,
    /// The 802.1Q tag control the device took from the frame, if it had a tag.
    pub vlan: Option<u16>,
    /// Extended status and errors of the write-back (see `descriptors::rx_status`).
    pub status_error: u32,
}

impl RxCompletion {
    /// A whole frame without frame errors (`rx_status::FRAME_ERRORS`): indicate it. Otherwise
    /// drop it and re-post its buffer.
    #[must_use]
    pub const fn is_good(&self) -> bool {
        self.status_error & descriptors::rx_status::EOP != 0
            && self.status_error & descriptors::rx_status::FRAME_ERRORS == 0
    }
}

/// What a receive and a transmit ring share: one entry per descriptor, and software's head
/// and tail (`N` a multiple of 8: RDLEN/TDLEN are multiples of 128 bytes).
#[derive(Debug, Clone, Copy)]
struct Slots<T, const N: usize> {
    entries: [Option<T>; N],
    head: usize,
    tail: usize,
}

impl<T: Copy, const N: usize> Slots<T, N> {
    const VALID: () = assert!(N >= 8 && N.is_multiple_of(8) && N <= 4096, "a multiple of 8 descriptors");

    /// Bytes of descriptor memory the ring needs (RDLEN / TDLEN).
    const BYTES: u32 = {
        let () = Self::VALID;
        // CAST: N <= 4096.
        (N * DESCRIPTOR_LEN) as u32
    };

    const fn new() -> Self {
        let () = Self::VALID;
        Self { entries: [None; N], head: 0, tail: 0 }
    }

    /// Descriptors between software's head and the tail.
    const fn posted(&self) -> usize {
        (self.tail + N - self.head) % N
    }

    /// The tail register's value: one past the last posted descriptor.
    const fn tail(&self) -> u32 {
        // CAST: tail < N <= 4096.
        self.tail as u32
    }

    /// Both ends back at descriptor 0 (RDH = RDT = 0 of the next queue setup).
    fn restart(&mut self) {
        self.head = 0;
        self.tail = 0;
    }
}

/// A receive ring of `N` descriptors (`N` a multiple of 8: RDLEN is a multiple of 128 bytes).
#[derive(Debug, Clone, Copy)]
pub struct RxRing<const N: usize> {
    ring: Slots<BufferIndex, N>,
}

impl<const N: usize> Default for RxRing<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> RxRing<N> {
    /// Bytes of descriptor memory the ring needs (RDLEN).
    pub const BYTES: u32 = Slots::<BufferIndex, N>::BYTES;

    /// An empty ring; its memory is written by [`RxRing::post`].
    #[must_use]
    pub const fn new() -> Self {
        Self { ring: Slots::new() }
    }

    /// Descriptors currently owned by the device or completed but not yet reaped.
    #[must_use]
    pub const fn posted(&self) -> usize {
        self.ring.posted()
    }

    /// The value for RDT: one past the last posted descriptor.
    #[must_use]
    pub const fn tail(&self) -> u32 {
        self.ring.tail()
    }

    /// Posts `buffer` (device-visible address `address`) in the next descriptor, in read
    /// format (which also clears a stale DD). Visible to the device after the next RDT write.
    pub fn post(&mut self, memory: &mut impl DmaMemory, buffer: BufferIndex, address: u64) -> Result<(), RingError> {
        let ring = &mut self.ring;
        let next = (ring.tail + 1) % N;
        if next == ring.head {
            return Err(RingError::Full);
        }
        let Some(slot) = ring.entries.get_mut(ring.tail) else { return Err(RingError::Full) };
        memory.write(ring.tail * DESCRIPTOR_LEN, &descriptors::rx_read_format(address, 0));
        *slot = Some(buffer);
        ring.tail = next;
        Ok(())
    }

    /// The next completed descriptor in ring order, if the device has written it back (DD);
    /// its buffer leaves the ring. `None` while the next descriptor is not done.
    pub fn reap(&mut self, memory: &impl DmaMemory) -> Option<RxCompletion> {
        let ring = &mut self.ring;
        if ring.head == ring.tail {
            return None;
        }
        let mut raw = [0u8; DESCRIPTOR_LEN];
        memory.read(ring.head * DESCRIPTOR_LEN, &mut raw);
        let wb = RxWriteBack::decode(&raw);
        if !wb.done() {
            return None;
        }
        let buffer = ring.entries.get_mut(ring.head)?.take()?;
        ring.head = (ring.head + 1) % N;
        Some(RxCompletion { buffer, length: wb.length, vlan: wb.vlan_tag(), status_error: wb.status_error })
    }

    /// After the queue is disabled (RXDCTL.ENABLE read back as 0) and reaped: takes the
    /// buffers still posted, one a call (for `RxMemory::cancel`). When none is left the ring
    /// starts over at descriptor 0, matching RDH = RDT = 0 of the next queue setup.
    pub fn cancel(&mut self) -> Option<BufferIndex> {
        let ring = &mut self.ring;
        while ring.head != ring.tail {
            let at = ring.head;
            ring.head = (ring.head + 1) % N;
            if let Some(buffer) = ring.entries.get_mut(at).and_then(Option::take) {
                return Some(buffer);
            }
        }
        ring.restart();
        None
    }
}

/// One fragment of a frame to transmit (from the NET_BUFFER's scatter-gather list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fragment {
    /// Device-visible address.
    pub address: u64,
    /// Bytes.
    pub length: u16,
}

/// A frame in the transmit ring: its last descriptor (where DD appears) and the caller's cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TxFrame {
    last: usize,
    cookie: u32,
}

/// A transmit ring of `N` advanced data descriptors (`N` a multiple of 8).
#[derive(Debug, Clone, Copy)]
pub struct TxRing<const N: usize> {
    ring: Slots<TxFrame, N>,
}

impl<const N: usize> Default for TxRing<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> TxRing<N> {
    /// Bytes of descriptor memory the ring needs (TDLEN).
    pub const BYTES: u32 = Slots::<TxFrame, N>::BYTES;

    /// An empty ring.
    #[must_use]
    pub const fn new() -> Self {
        Self { ring: Slots::new() }
    }

    /// Descriptors free for new fragments.
    #[must_use]
    pub const fn free(&self) -> usize {
        N - 1 - self.ring.posted()
    }

    /// The value for TDT.
    #[must_use]
    pub const fn tail(&self) -> u32 {
        self.ring.tail()
    }

    /// Writes one data descriptor a fragment (EOP and RS on the last, the frame's length in
    /// the first one's PAYLEN); `cookie` comes back from [`TxRing::reap`] when the device is done.
    pub fn post(&mut self, memory: &mut impl DmaMemory, fragments: &[Fragment], cookie: u32) -> Result<(), RingError> {
        if fragments.is_empty() || fragments.len() > N - 1 {
            return Err(RingError::BadFrame);
        }
        if fragments.len() > self.free() {
            return Err(RingError::Full);
        }
        let total: u32 = fragments.iter().map(|f| u32::from(f.length)).sum();
        let first = self.ring.tail;
        let mut at = first;
        for (i, fragment) in fragments.iter().enumerate() {
            let last = i + 1 == fragments.len();
            let payload = if i == 0 { total } else { 0 };
            memory.write(at * DESCRIPTOR_LEN, &descriptors::tx_data(fragment.address, fragment.length, last, payload));
            if !last {
                at = (at + 1) % N;
            }
        }
        if let Some(slot) = self.ring.entries.get_mut(first) {
            *slot = Some(TxFrame { last: at, cookie });
        }
        self.ring.tail = (at + 1) % N;
        Ok(())
    }

    /// The cookie of the oldest frame the device has finished (DD on its last descriptor).
    pub fn reap(&mut self, memory: &impl DmaMemory) -> Option<u32> {
        let ring = &mut self.ring;
        if ring.head == ring.tail {
            return None;
        }
        let frame = (*ring.entries.get(ring.head)?)?;
        let mut raw = [0u8; DESCRIPTOR_LEN];
        memory.read(frame.last * DESCRIPTOR_LEN, &mut raw);
        if !descriptors::tx_done(&raw) {
            return None;
        }
        if let Some(slot) = ring.entries.get_mut(ring.head) {
            *slot = None;
        }
        ring.head = (frame.last + 1) % N;
        Some(frame.cookie)
    }

    /// After the queue is disabled: takes the cookies of frames never completed, oldest first
    /// (pause and halt fail them); then the ring starts over at descriptor 0.
    pub fn cancel(&mut self) -> Option<u32> {
        let ring = &mut self.ring;
        while ring.head != ring.tail {
            let at = ring.head;
            match ring.entries.get_mut(at).and_then(Option::take) {
                Some(frame) => {
                    ring.head = (frame.last + 1) % N;
                    return Some(frame.cookie);
                }
                None => ring.head = (ring.head + 1) % N,
            }
        }
        ring.restart();
        None
    }
}

#[cfg(test)]
#[path = "ring_tests.rs"]
mod tests;
