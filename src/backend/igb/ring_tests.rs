//! Ring unit tests over a plain byte array standing in for descriptor memory.
#![allow(clippy::unwrap_used, clippy::panic)]

use super::*;

struct Memory([u8; 64 * DESCRIPTOR_LEN]);

impl DmaMemory for Memory {
    fn read(&self, offset: usize, buf: &mut [u8]) {
        buf.copy_from_slice(&self.0[offset..offset + buf.len()]);
    }
    fn write(&mut self, offset: usize, data: &[u8]) {
        self.0[offset..offset + data.len()].copy_from_slice(data);
    }
}

impl Memory {
    fn new() -> Self {
        Self([0; 64 * DESCRIPTOR_LEN])
    }
    /// What the device does: write back descriptor `i` with DD|EOP (and VP when tagged).
    fn complete_rx(&mut self, i: usize, length: u16, vlan: Option<u16>) {
        let status: u32 = 0x3 | if vlan.is_some() { 0x8 } else { 0 };
        let d = &mut self.0[i * 16..i * 16 + 16];
        d[8..12].copy_from_slice(&status.to_le_bytes());
        d[12..14].copy_from_slice(&length.to_le_bytes());
        d[14..16].copy_from_slice(&vlan.unwrap_or(0).to_le_bytes());
    }
    fn address_in(&self, i: usize) -> u64 {
        u64::from_le_bytes(self.0[i * 16..i * 16 + 8].try_into().unwrap())
    }
}

fn index(i: usize) -> BufferIndex {
    BufferIndex::new(i / 32, i % 32)
}

#[test]
fn rx_post_fills_read_format_and_holds_n_minus_one() {
    let mut m = Memory::new();
    let mut ring = RxRing::<8>::new();
    for i in 0..7 {
        ring.post(&mut m, index(i), 0x10_0000 + 2048 * i as u64).unwrap();
    }
    assert_eq!(ring.post(&mut m, index(7), 0), Err(RingError::Full), "head == tail means empty");
    assert_eq!((ring.posted(), ring.tail()), (7, 7));
    assert_eq!(m.address_in(3), 0x10_0000 + 3 * 2048);
    assert_eq!(RxRing::<8>::BYTES, 128);
}

#[test]
fn rx_reap_waits_for_dd_and_yields_in_ring_order() {
    let mut m = Memory::new();
    let mut ring = RxRing::<8>::new();
    for i in 0..4 {
        ring.post(&mut m, index(10 + i), 0x1000 * i as u64).unwrap();
    }
    assert_eq!(ring.reap(&m), None, "no completion before DD");
    m.complete_rx(1, 99, None);
    assert_eq!(ring.reap(&m), None, "descriptor 0 is not done: nothing past it either");
    m.complete_rx(0, 60, Some(0x2064));
    let first = ring.reap(&m).unwrap();
    assert_eq!((first.buffer, first.length, first.vlan), (index(10), 60, Some(0x2064)));
    assert!(first.is_good());
    let second = ring.reap(&m).unwrap();
    assert_eq!((second.buffer, second.length, second.vlan), (index(11), 99, None));
    assert_eq!(ring.reap(&m), None);
    assert_eq!(ring.posted(), 2);
}

#[test]
fn rx_ring_wraps_around_and_reposting_clears_stale_dd() {
    let mut m = Memory::new();
    let mut ring = RxRing::<8>::new();
    let mut next_buffer = 0;
    let mut reaped = Vec::new();
    for round in 0..5 {
        while ring.post(&mut m, index(next_buffer % 32), 0x4000).is_ok() {
            next_buffer += 1;
        }
        // The device completes everything posted, from the software head on.
        let posted = ring.posted();
        let start = (ring.tail() as usize + 8 - posted) % 8;
        for k in 0..posted {
            m.complete_rx((start + k) % 8, 64 + round, None);
        }
        while let Some(c) = ring.reap(&m) {
            reaped.push(c.buffer.raw());
        }
        assert_eq!(ring.posted(), 0);
    }
    let expected: Vec<u16> = (0..reaped.len()).map(|i| (i % 32) as u16).collect();
    assert_eq!(reaped, expected, "every buffer once, in posting order, across wrap-arounds");
    // A re-posted slot no longer shows the old DD.
    ring.post(&mut m, index(0), 0x8000).unwrap();
    assert_eq!(ring.reap(&m), None);
}

#[test]
fn rx_cancel_returns_posted_buffers_and_restarts_at_zero() {
    let mut m = Memory::new();
    let mut ring = RxRing::<8>::new();
    for i in 0..5 {
        ring.post(&mut m, index(i), 0).unwrap();
    }
    m.complete_rx(0, 60, None);
    assert_eq!(ring.reap(&m).map(|c| c.buffer), Some(index(0)));
    let mut cancelled = Vec::new();
    while let Some(b) = ring.cancel() {
        cancelled.push(b);
    }
    assert_eq!(cancelled, [index(1), index(2), index(3), index(4)]);
    assert_eq!((ring.posted(), ring.tail()), (0, 0));
}

#[test]
fn rx_completion_with_errors_or_without_eop_is_not_good() {
    let c = RxCompletion { buffer: index(0), length: 60, vlan: None, status_error: 0x1 };
    assert!(!c.is_good(), "no EOP");
    let c = RxCompletion { status_error: 0x8000_0003, ..c };
    assert!(!c.is_good(), "RXE");
    let c = RxCompletion { status_error: 0x6000_0003, ..c };
    assert!(c.is_good(), "IPE/L4E describe checksum offload only: the frame is delivered");
}

fn tx_dd(m: &mut Memory, i: usize) {
    m.0[i * 16 + 12] |= 1;
}

#[test]
fn tx_frames_complete_in_order_on_their_last_descriptor() {
    let mut m = Memory::new();
    let mut ring = TxRing::<8>::new();
    let two = [Fragment { address: 0x1000, length: 14 }, Fragment { address: 0x2000, length: 50 }];
    ring.post(&mut m, &two, 7).unwrap();
    ring.post(&mut m, &[Fragment { address: 0x3000, length: 60 }], 8).unwrap();
    assert_eq!((ring.tail(), ring.free()), (3, 4));
    // PAYLEN = 64 in the first descriptor only; EOP|RS only on the last.
    assert_eq!(u32::from_le_bytes(m.0[12..16].try_into().unwrap()), 64 << 14);
    assert_eq!(m.0[8 + 3] & 0x09, 0, "first fragment: no EOP, no RS");
    assert_eq!(m.0[16 + 8 + 3] & 0x09, 0x09, "last fragment: EOP | RS");
    assert_eq!(ring.reap(&m), None, "no DD yet");
    tx_dd(&mut m, 2);
    assert_eq!(ring.reap(&m), None, "frame 8 done but frame 7 is older");
    tx_dd(&mut m, 1);
    assert_eq!((ring.reap(&m), ring.reap(&m), ring.reap(&m)), (Some(7), Some(8), None));
    assert_eq!(ring.free(), 7);
}

#[test]
fn tx_ring_refuses_what_cannot_fit_and_wraps() {
    let mut m = Memory::new();
    let mut ring = TxRing::<8>::new();
    let f = Fragment { address: 0x1000, length: 60 };
    assert_eq!(ring.post(&mut m, &[], 1), Err(RingError::BadFrame));
    assert_eq!(ring.post(&mut m, &[f; 8], 1), Err(RingError::BadFrame));
    for cookie in 0..20u32 {
        if ring.post(&mut m, &[f; 3], cookie) == Err(RingError::Full) {
            // Complete everything outstanding, as the device would.
            for i in 0..8 {
                tx_dd(&mut m, i);
            }
            while ring.reap(&m).is_some() {}
            ring.post(&mut m, &[f; 3], cookie).unwrap();
        }
    }
    let mut left = Vec::new();
    while let Some(c) = ring.cancel() {
        left.push(c);
    }
    assert!(!left.is_empty() && left.windows(2).all(|w| w[0] + 1 == w[1]), "oldest first: {left:?}");
    assert_eq!(ring.tail(), 0);
}
