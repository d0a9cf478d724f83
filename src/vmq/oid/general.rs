//! The general OIDs NDIS sends every Ethernet miniport (queries and sets).
//!
//! <https://learn.microsoft.com/windows-hardware/drivers/network/general-objects>
//! A short query buffer gets NDIS_STATUS_BUFFER_TOO_SHORT with `BytesNeeded`; a
//! short set buffer NDIS_STATUS_INVALID_LENGTH with `BytesNeeded`; an unknown OID
//! NDIS_STATUS_NOT_SUPPORTED.

use ndis_sys::{
    MediaDuplexStateFull, MediaDuplexStateUnknown, NDIS_INTERRUPT_MODERATION_PARAMETERS_REVISION_1,
    NDIS_LINK_PARAMETERS_REVISION_1, NDIS_OBJECT_TYPE_DEFAULT, NDIS_SIZEOF_INTERRUPT_MODERATION_PARAMETERS_REVISION_1,
    NDIS_SIZEOF_LINK_PARAMETERS_REVISION_1, NET_IF_LINK_SPEED_UNKNOWN, NdisInterruptModerationNotSupported,
    OID_GEN_INTERRUPT_MODERATION, OID_GEN_LINK_PARAMETERS, OID_GEN_STATISTICS,
};
use ndis_sys::{
    OID_802_3_CURRENT_ADDRESS, OID_802_3_MAXIMUM_LIST_SIZE, OID_802_3_MULTICAST_LIST, OID_802_3_PERMANENT_ADDRESS,
    OID_GEN_CURRENT_LOOKAHEAD, OID_GEN_CURRENT_PACKET_FILTER, OID_GEN_DRIVER_VERSION, OID_GEN_HARDWARE_STATUS,
    OID_GEN_LINK_SPEED, OID_GEN_MAC_OPTIONS, OID_GEN_MAXIMUM_FRAME_SIZE, OID_GEN_MAXIMUM_LOOKAHEAD,
    OID_GEN_MAXIMUM_SEND_PACKETS, OID_GEN_MAXIMUM_TOTAL_SIZE, OID_GEN_MEDIA_CONNECT_STATUS, OID_GEN_MEDIA_IN_USE,
    OID_GEN_MEDIA_SUPPORTED, OID_GEN_RCV_ERROR, OID_GEN_RCV_NO_BUFFER, OID_GEN_RCV_OK, OID_GEN_RECEIVE_BLOCK_SIZE,
    OID_GEN_RECEIVE_BUFFER_SPACE, OID_GEN_SUPPORTED_LIST, OID_GEN_TRANSMIT_BLOCK_SIZE, OID_GEN_TRANSMIT_BUFFER_SPACE,
    OID_GEN_VENDOR_DESCRIPTION, OID_GEN_VENDOR_DRIVER_VERSION, OID_GEN_VENDOR_ID, OID_GEN_XMIT_ERROR, OID_GEN_XMIT_OK,
    OID_PNP_QUERY_POWER, OID_PNP_SET_POWER,
};

use super::Transfer;
use crate::backend::NicBackend;
use crate::kernel::nbl::RX_BUFFER_BYTES;
use crate::vmq::adapter::{Adapter, DEFAULT_QUEUE_BUFFERS, MAX_MULTICAST};
use crate::vmq::caps::{MAC_OPTIONS, SUPPORTED_OIDS, SUPPORTED_PACKET_FILTERS};
use crate::vmq::error::OidError;
use crate::vmq::wire::{len_u32, u32_at, u64_at};

/// `OID_GEN_VENDOR_ID`: no IEEE OUI (0xFFFFFF), NIC id 0.
pub const VENDOR_ID: u32 = 0x00FF_FFFF;
/// `OID_GEN_VENDOR_DESCRIPTION` (NUL-terminated ANSI).
pub const VENDOR_DESCRIPTION: &[u8] = b"vmqnic VMQ virtual Ethernet adapter\0";
/// `OID_GEN_VENDOR_DRIVER_VERSION`: major in the high word, minor in the low word.
pub const VENDOR_DRIVER_VERSION: u32 = 0x0001_0000;
/// `OID_GEN_DRIVER_VERSION`: the NDIS version the miniport was written for (6.30).
pub const NDIS_DRIVER_VERSION: u16 = 0x0630;

/// Copies `data` into a query buffer.
fn answer(buffer: &mut [u8], data: &[u8]) -> Result<Transfer, OidError> {
    let needed = len_u32(data.len());
    let out = buffer.get_mut(..data.len()).ok_or(OidError::BufferTooShort { needed })?;
    out.copy_from_slice(data);
    Ok(Transfer { read: 0, written: needed })
}

/// Statistics counters: 64-bit unless the caller offers exactly 4 bytes (NDIS convention).
fn answer_counter(buffer: &mut [u8], value: u64) -> Result<Transfer, OidError> {
    if buffer.len() == 4 {
        // CAST: a 4-byte buffer asks for the low 32 bits, saturated.
        answer(buffer, &u32::try_from(value).unwrap_or(u32::MAX).to_le_bytes())
    } else {
        answer(buffer, &value.to_le_bytes()).map_err(|_| OidError::BufferTooShort { needed: 8 })
    }
}

/// `NDIS_INTERRUPT_MODERATION_PARAMETERS` of an adapter without interrupt moderation.
///
/// "OID_GEN_INTERRUPT_MODERATION": "if a miniport driver does not support interrupt moderation,
/// the driver must specify NdisInterruptModerationNotSupported". The software NIC's receive path
/// has no interrupt whose rate could be moderated.
fn interrupt_moderation() -> [u8; 12] {
    let mut out = [0u8; 12];
    out[0] = NDIS_OBJECT_TYPE_DEFAULT;
    out[1] = NDIS_INTERRUPT_MODERATION_PARAMETERS_REVISION_1;
    out[2..4].copy_from_slice(&NDIS_SIZEOF_INTERRUPT_MODERATION_PARAMETERS_REVISION_1.to_le_bytes());
    // Flags (bytes 4..8) 0: no reset or reinitialization involved.
    out[8..12].copy_from_slice(&NdisInterruptModerationNotSupported.to_le_bytes());
    out
}

/// `OID_GEN_LINK_PARAMETERS` (set): the software NIC's link is full duplex at `link_speed`
/// and cannot change. A request for that link (or leaving a field unknown) succeeds; one
/// for another speed or half duplex is NDIS_STATUS_INVALID_DATA.
fn set_link_parameters(input: &[u8], link_speed: u64) -> Result<Transfer, OidError> {
    let needed = u32::from(NDIS_SIZEOF_LINK_PARAMETERS_REVISION_1);
    let header_ok = input.first() == Some(&NDIS_OBJECT_TYPE_DEFAULT)
        && input.get(1).is_some_and(|r| *r >= NDIS_LINK_PARAMETERS_REVISION_1)
        && input.get(2..4).is_some_and(|s| u16::from_le_bytes([s[0], s[1]]) >= NDIS_SIZEOF_LINK_PARAMETERS_REVISION_1);
    if input.len() < needed as usize {
        return Err(OidError::InvalidLength { needed });
    }
    if !header_ok {
        return Err(OidError::InvalidParameter);
    }
    let duplex = u32_at(input, 4).ok_or(OidError::InvalidLength { needed })?.cast_signed();
    let xmit = u64_at(input, 8).ok_or(OidError::InvalidLength { needed })?;
    let rcv = u64_at(input, 16).ok_or(OidError::InvalidLength { needed })?;
    let speed_ok = |s: u64| s == link_speed || s == NET_IF_LINK_SPEED_UNKNOWN || s == 0;
    if !(duplex == MediaDuplexStateFull || duplex == MediaDuplexStateUnknown) || !speed_ok(xmit) || !speed_ok(rcv) {
        return Err(OidError::InvalidData);
    }
    Ok(Transfer { read: needed, written: 0 })
}

fn read_u32(input: &[u8]) -> Result<u32, OidError> {
    u32_at(input, 0).ok_or(OidError::InvalidLength { needed: 4 })
}

impl<B: NicBackend + Send> Adapter<B> {
    /// Query of a general OID.
    pub(super) fn query_general(&self, oid: u32, buffer: &mut [u8]) -> Result<Transfer, OidError> {
        let (mac, current, link_speed, counters, filter, lookahead, multicast, multicast_len, link_up) = {
            let mut state = self.state().lock();
            // The NIC's own counters (a DMA NIC's drops and errors happen where the driver
            // never sees the frame) join the driver's; read only for the OIDs that report them.
            let mut counters = state.counters;
            if matches!(oid, OID_GEN_STATISTICS | OID_GEN_RCV_ERROR | OID_GEN_RCV_NO_BUFFER)
                && let Some(hw) = state.backend.hardware_counters()
            {
                counters.add_hardware(&hw);
            }
            (
                state.backend.mac_address(),
                state.current_address,
                state.backend.link_speed(),
                counters,
                state.packet_filter,
                state.lookahead,
                state.multicast,
                state.multicast_len,
                state.backend.link().up,
            )
        };
        let u32_answer = |value: u32, buffer: &mut [u8]| answer(buffer, &value.to_le_bytes());
        match oid {
            OID_GEN_SUPPORTED_LIST => {
                let mut bytes = [0u8; 4 * 64];
                for (chunk, oid) in bytes.chunks_exact_mut(4).zip(SUPPORTED_OIDS) {
                    chunk.copy_from_slice(&oid.to_le_bytes());
                }
                answer(buffer, &bytes[..4 * SUPPORTED_OIDS.len()])
            }
            OID_GEN_HARDWARE_STATUS => u32_answer(0, buffer), // NdisHardwareStatusReady
            // NdisMediaStateConnected (0) / NdisMediaStateDisconnected (1).
            OID_GEN_MEDIA_CONNECT_STATUS => u32_answer(u32::from(!link_up), buffer),
            OID_GEN_MEDIA_SUPPORTED | OID_GEN_MEDIA_IN_USE => u32_answer(0, buffer), // NdisMedium802_3
            // The MTU (`*JumboPacket` minus the header) and the frame with its header.
            OID_GEN_MAXIMUM_LOOKAHEAD | OID_GEN_MAXIMUM_FRAME_SIZE => u32_answer(self.mtu(), buffer),
            OID_GEN_MAXIMUM_TOTAL_SIZE | OID_GEN_TRANSMIT_BLOCK_SIZE | OID_GEN_RECEIVE_BLOCK_SIZE => {
                u32_answer(self.max_frame(), buffer)
            }
            OID_GEN_TRANSMIT_BUFFER_SPACE => u32_answer(self.max_frame() * 64, buffer),
            OID_GEN_RECEIVE_BUFFER_SPACE => u32_answer(RX_BUFFER_BYTES * DEFAULT_QUEUE_BUFFERS, buffer),
            // In units of 100 bps.
            OID_GEN_LINK_SPEED => u32_answer(u32::try_from(link_speed / 100).unwrap_or(u32::MAX), buffer),
            OID_GEN_VENDOR_ID => u32_answer(VENDOR_ID, buffer),
            OID_GEN_VENDOR_DESCRIPTION => answer(buffer, VENDOR_DESCRIPTION),
            OID_GEN_VENDOR_DRIVER_VERSION => u32_answer(VENDOR_DRIVER_VERSION, buffer),
            OID_GEN_DRIVER_VERSION => answer(buffer, &NDIS_DRIVER_VERSION.to_le_bytes()),
            OID_GEN_CURRENT_PACKET_FILTER => u32_answer(filter, buffer),
            OID_GEN_CURRENT_LOOKAHEAD => u32_answer(lookahead, buffer),
            OID_GEN_MAC_OPTIONS => u32_answer(MAC_OPTIONS, buffer),
            OID_GEN_MAXIMUM_SEND_PACKETS => u32_answer(1, buffer),
            OID_GEN_XMIT_OK => answer_counter(buffer, counters.xmit_ok()),
            OID_GEN_RCV_OK => answer_counter(buffer, counters.rcv_ok()),
            OID_GEN_XMIT_ERROR => answer_counter(buffer, counters.xmit_error),
            OID_GEN_RCV_ERROR => answer_counter(buffer, counters.rcv_error),
            OID_GEN_RCV_NO_BUFFER => answer_counter(buffer, counters.rcv_no_buffer),
            OID_802_3_PERMANENT_ADDRESS => answer(buffer, &mac),
            OID_802_3_CURRENT_ADDRESS => answer(buffer, &current),
            OID_802_3_MULTICAST_LIST => {
                let mut bytes = [0u8; 6 * MAX_MULTICAST];
                for (chunk, address) in bytes.chunks_exact_mut(6).zip(&multicast[..multicast_len]) {
                    chunk.copy_from_slice(address);
                }
                answer(buffer, &bytes[..6 * multicast_len])
            }
            // CAST: a small constant.
            OID_802_3_MAXIMUM_LIST_SIZE => u32_answer(MAX_MULTICAST as u32, buffer),
            OID_GEN_STATISTICS => answer(buffer, &counters.statistics_info()),
            OID_GEN_INTERRUPT_MODERATION => answer(buffer, &interrupt_moderation()),
            // Every device state D0-D3 can be entered (see vmq::power): always "yes".
            OID_PNP_QUERY_POWER => Ok(Transfer::default()),
            _ => Err(OidError::NotSupported),
        }
    }

    /// Set of a general OID.
    pub(super) fn set_general(&self, oid: u32, input: &[u8]) -> Result<Transfer, OidError> {
        match oid {
            OID_GEN_CURRENT_PACKET_FILTER => {
                let filter = read_u32(input)?;
                if filter & !SUPPORTED_PACKET_FILTERS != 0 {
                    return Err(OidError::NotSupported);
                }
                self.state().lock().packet_filter = filter;
                Ok(Transfer { read: 4, written: 0 })
            }
            OID_GEN_CURRENT_LOOKAHEAD => {
                let lookahead = read_u32(input)?;
                if lookahead > self.mtu() {
                    return Err(OidError::InvalidData);
                }
                self.state().lock().lookahead = lookahead;
                Ok(Transfer { read: 4, written: 0 })
            }
            OID_802_3_MULTICAST_LIST => {
                if !input.len().is_multiple_of(6) {
                    return Err(OidError::InvalidLength { needed: len_u32(input.len().div_ceil(6) * 6) });
                }
                let count = input.len() / 6;
                if count > MAX_MULTICAST {
                    return Err(OidError::InvalidData);
                }
                let mut state = self.state().lock();
                for (slot, address) in state.multicast.iter_mut().zip(input.chunks_exact(6)) {
                    slot.copy_from_slice(address);
                }
                state.multicast_len = count;
                Ok(Transfer { read: len_u32(input.len()), written: 0 })
            }
            OID_PNP_SET_POWER => self.set_power(input),
            // "OID_GEN_INTERRUPT_MODERATION": "if the driver reported
            // NdisInterruptModerationNotSupported in response to the OID_GEN_INTERRUPT_MODERATION
            // query, the driver should return NDIS_STATUS_INVALID_DATA in response to the set".
            OID_GEN_INTERRUPT_MODERATION => {
                let needed = u32::from(NDIS_SIZEOF_INTERRUPT_MODERATION_PARAMETERS_REVISION_1);
                if input.len() < needed as usize {
                    return Err(OidError::InvalidLength { needed });
                }
                Err(OidError::InvalidData)
            }
            OID_GEN_LINK_PARAMETERS => {
                let link_speed = self.state().lock().backend.link_speed();
                set_link_parameters(input, link_speed)
            }
            _ => Err(OidError::NotSupported),
        }
    }
}
