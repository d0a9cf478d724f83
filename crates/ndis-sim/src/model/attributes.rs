//! NdisMSetMiniportAttributes: order, headers, and the decoded registration, general and
//! hardware-assist (receive filter capability) attributes.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismsetminiportattributes>.

use ndis_sys::{
    NDIS_OBJECT_TYPE_DEFAULT, NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES as GENERAL,
    NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES as HARDWARE_ASSIST,
    NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES as REGISTRATION, NDIS_STATUS_INVALID_PARAMETER,
    NDIS_STATUS_SUCCESS,
};

use super::memory::{AddressSpace, Fault, Header, MemExt};
use super::{Model, rules};

/// Decoded NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RegistrationAttributes {
    /// Header revision.
    pub revision: u8,
    /// MiniportAdapterContext.
    pub context: u64,
    /// AttributeFlags (`NDIS_MINIPORT_ATTRIBUTES_*`).
    pub attribute_flags: u32,
    /// CheckForHangTimeInSeconds.
    pub check_for_hang_seconds: u32,
    /// InterfaceType.
    pub interface_type: u32,
}

/// Decoded NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES (the fields tests look at).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GeneralAttributes {
    /// Header revision.
    pub revision: u8,
    /// MediaType.
    pub media_type: u32,
    /// PhysicalMediumType.
    pub physical_medium_type: u32,
    /// MtuSize.
    pub mtu_size: u32,
    /// MaxXmitLinkSpeed.
    pub max_xmit_link_speed: u64,
    /// MaxRcvLinkSpeed.
    pub max_rcv_link_speed: u64,
    /// MediaConnectState.
    pub media_connect_state: u32,
    /// LookaheadSize.
    pub lookahead_size: u32,
    /// MacOptions.
    pub mac_options: u32,
    /// SupportedPacketFilters.
    pub supported_packet_filters: u32,
    /// MaxMulticastListSize.
    pub max_multicast_list_size: u32,
    /// PermanentMacAddress, truncated to MacAddressLength.
    pub permanent_mac_address: Vec<u8>,
    /// CurrentMacAddress, truncated to MacAddressLength.
    pub current_mac_address: Vec<u8>,
    /// IfType.
    pub if_type: u16,
    /// SupportedOidList (copied, SupportedOidListLength bytes).
    pub supported_oids: Vec<u32>,
    /// The NDIS_PM_CAPABILITIES header at PowerManagementCapabilitiesEx (`None`: NULL).
    pub pm_capabilities: Option<Header>,
}

/// Decoded NDIS_RECEIVE_FILTER_CAPABILITIES (revision 1 leaves the 6.30 fields 0).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReceiveFilterCapabilities {
    /// Header revision (1 or 2).
    pub revision: u8,
    /// Flags.
    pub flags: u32,
    /// EnabledFilterTypes.
    pub enabled_filter_types: u32,
    /// EnabledQueueTypes.
    pub enabled_queue_types: u32,
    /// NumQueues (excludes the default queue).
    pub num_queues: u32,
    /// SupportedQueueProperties.
    pub supported_queue_properties: u32,
    /// SupportedFilterTests.
    pub supported_filter_tests: u32,
    /// SupportedHeaders.
    pub supported_headers: u32,
    /// SupportedMacHeaderFields.
    pub supported_mac_header_fields: u32,
    /// MaxMacHeaderFilters.
    pub max_mac_header_filters: u32,
    /// MaxQueueGroups.
    pub max_queue_groups: u32,
    /// MaxQueuesPerQueueGroup.
    pub max_queues_per_queue_group: u32,
    /// MinLookaheadSplitSize.
    pub min_lookahead_split_size: u32,
    /// MaxLookaheadSplitSize.
    pub max_lookahead_split_size: u32,
    /// SupportedARPHeaderFields (rev 2).
    pub supported_arp_header_fields: u32,
    /// SupportedIPv4HeaderFields (rev 2).
    pub supported_ipv4_header_fields: u32,
    /// SupportedIPv6HeaderFields (rev 2).
    pub supported_ipv6_header_fields: u32,
    /// SupportedUdpHeaderFields (rev 2).
    pub supported_udp_header_fields: u32,
    /// MaxFieldTestsPerPacketCoalescingFilter (rev 2).
    pub max_field_tests_per_packet_coalescing_filter: u32,
    /// MaxPacketCoalescingFilters (rev 2).
    pub max_packet_coalescing_filters: u32,
}

/// Decoded NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HardwareAssistAttributes {
    /// Header revision.
    pub revision: u8,
    /// (HardwareReceiveFilterCapabilities, CurrentReceiveFilterCapabilities) when both are set.
    pub receive_filter: Option<(ReceiveFilterCapabilities, ReceiveFilterCapabilities)>,
    /// Whether the NIC-switch capability pair was set.
    pub nic_switch: bool,
}

/// Every attribute set the adapter made, in the order made.
#[derive(Clone, Debug, Default)]
pub struct AdapterAttributes {
    /// Registration attributes, once set.
    pub registration: Option<RegistrationAttributes>,
    /// General attributes, once set.
    pub general: Option<GeneralAttributes>,
    /// Hardware-assist attributes, once set.
    pub hardware_assist: Option<HardwareAssistAttributes>,
    /// Header Type of every NdisMSetMiniportAttributes call, in order.
    pub order: Vec<u8>,
}

fn u32_at(bytes: &[u8], offset: u64) -> u32 {
    let o = usize::try_from(offset).unwrap_or(usize::MAX);
    bytes.get(o..o.saturating_add(4)).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Reads a receive-filter capabilities struct; `Err` names what is wrong with its header.
fn read_caps(mem: &dyn AddressSpace, addr: u64) -> Result<Result<ReceiveFilterCapabilities, String>, Fault> {
    let h = Header::read(mem, addr)?;
    let ok =
        h.kind == NDIS_OBJECT_TYPE_DEFAULT && ((h.revision == 1 && h.size >= 56) || (h.revision == 2 && h.size >= 84));
    if !ok {
        return Ok(Err(format!(
            "receive filter capabilities at {addr:#x} have header {h}; expected Type DEFAULT (0x80), \
             Revision 1 with Size >= 56 or Revision 2 with Size >= 84"
        )));
    }
    let len = if h.revision == 2 { 84 } else { 56 };
    let b = mem.read_vec(addr, len)?;
    macro_rules! f {
        ($field:ident) => {
            u32_at(&b, off!(NDIS_RECEIVE_FILTER_CAPABILITIES, $field))
        };
    }
    Ok(Ok(ReceiveFilterCapabilities {
        revision: h.revision,
        flags: f!(Flags),
        enabled_filter_types: f!(EnabledFilterTypes),
        enabled_queue_types: f!(EnabledQueueTypes),
        num_queues: f!(NumQueues),
        supported_queue_properties: f!(SupportedQueueProperties),
        supported_filter_tests: f!(SupportedFilterTests),
        supported_headers: f!(SupportedHeaders),
        supported_mac_header_fields: f!(SupportedMacHeaderFields),
        max_mac_header_filters: f!(MaxMacHeaderFilters),
        max_queue_groups: f!(MaxQueueGroups),
        max_queues_per_queue_group: f!(MaxQueuesPerQueueGroup),
        min_lookahead_split_size: f!(MinLookaheadSplitSize),
        max_lookahead_split_size: f!(MaxLookaheadSplitSize),
        supported_arp_header_fields: f!(SupportedARPHeaderFields),
        supported_ipv4_header_fields: f!(SupportedIPv4HeaderFields),
        supported_ipv6_header_fields: f!(SupportedIPv6HeaderFields),
        supported_udp_header_fields: f!(SupportedUdpHeaderFields),
        max_field_tests_per_packet_coalescing_filter: f!(MaxFieldTestsPerPacketCoalescingFilter),
        max_packet_coalescing_filters: f!(MaxPacketCoalescingFilters),
    }))
}

impl Model {
    /// `NdisMSetMiniportAttributes` (PASSIVE, inside MiniportInitializeEx).
    pub fn set_miniport_attributes(&mut self, mem: &mut dyn AddressSpace, handle: u64, attrs: u64) -> i32 {
        const API: &str = "NdisMSetMiniportAttributes";
        if !self.check_adapter(handle, API) {
            return NDIS_STATUS_INVALID_PARAMETER;
        }
        match self.set_attributes_inner(mem, handle, attrs) {
            Ok(status) => status,
            Err(fault) => self.fault(API, fault).unwrap_or(NDIS_STATUS_INVALID_PARAMETER),
        }
    }

    fn set_attributes_inner(&mut self, mem: &mut dyn AddressSpace, handle: u64, attrs: u64) -> Result<i32, Fault> {
        if self.phase(handle) != Some(super::phase::Phase::Initializing) {
            self.violate(
                rules::ATTRIBUTES_OUTSIDE_INITIALIZE,
                format!("NdisMSetMiniportAttributes for adapter {handle:#x} outside MiniportInitializeEx"),
            );
        }
        let h = Header::read(mem, attrs)?;
        let (has_registration, has_general) = self
            .adapter(handle)
            .map_or((false, false), |a| (a.attributes.registration.is_some(), a.attributes.general.is_some()));
        let order_problem = match h.kind {
            REGISTRATION if has_registration || has_general => {
                Some("registration attributes set again or after others")
            }
            REGISTRATION => None,
            _ if !has_registration => Some("registration attributes must be set first"),
            GENERAL => None,
            _ if !has_general => Some("general attributes must be set before any other kind"),
            _ => None,
        };
        if let Some(problem) = order_problem {
            self.violate(rules::ATTRIBUTES_ORDER, format!("adapter {handle:#x}: {problem} (got Type {:#x})", h.kind));
        }
        if let Some(a) = self.adapter_mut(handle) {
            a.attributes.order.push(h.kind);
        }
        match h.kind {
            REGISTRATION => self.set_registration(mem, handle, attrs, h),
            GENERAL => self.set_general(mem, handle, attrs, h),
            HARDWARE_ASSIST => self.set_hardware_assist(mem, handle, attrs, h),
            _ => Ok(NDIS_STATUS_SUCCESS),
        }
    }

    fn bad_header(&mut self, handle: u64, what: &str, h: Header, expected: &str) -> Result<i32, Fault> {
        self.violate(
            rules::ATTRIBUTES_BAD_HEADER,
            format!("adapter {handle:#x}: {what} attributes header {h}; expected {expected}"),
        );
        Ok(NDIS_STATUS_INVALID_PARAMETER)
    }

    fn set_registration(&mut self, mem: &dyn AddressSpace, handle: u64, at: u64, h: Header) -> Result<i32, Fault> {
        if !matches!(h.revision, 1 | 2) || h.size != 28 {
            return self.bad_header(handle, "registration", h, "Type 0x9E, Revision 1 or 2, Size 28");
        }
        let r = RegistrationAttributes {
            revision: h.revision,
            context: mem.read_u64(at + off!(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, MiniportAdapterContext))?,
            attribute_flags: mem.read_u32(at + off!(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, AttributeFlags))?,
            check_for_hang_seconds: mem
                .read_u32(at + off!(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, CheckForHangTimeInSeconds))?,
            interface_type: mem.read_u32(at + off!(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, InterfaceType))?,
        };
        let bus_master = r.attribute_flags & ndis_sys::NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER != 0;
        let expected = self.adapter(handle).and_then(|a| a.config.bus_master);
        if let Some(expected) = expected
            && expected != bus_master
        {
            self.violate(
                rules::ATTRIBUTES_BUS_MASTER,
                format!(
                    "adapter {handle:#x}: the device is {}a bus master but AttributeFlags {:#x} {} \
                     NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER",
                    if expected { "" } else { "not " },
                    r.attribute_flags,
                    if bus_master { "sets" } else { "lacks" },
                ),
            );
        }
        if let Some(a) = self.adapter_mut(handle) {
            a.context = r.context;
            a.attributes.registration = Some(r);
        }
        Ok(NDIS_STATUS_SUCCESS)
    }

    fn set_general(&mut self, mem: &dyn AddressSpace, handle: u64, at: u64, h: Header) -> Result<i32, Fault> {
        if !((h.revision == 2 && h.size == 224) || (h.revision == 1 && h.size == 216)) {
            return self.bad_header(handle, "general", h, "Type 0x9F, Revision 2 Size 224 (or Revision 1 Size 216)");
        }
        let b = mem.read_vec(at, usize::from(h.size))?;
        macro_rules! f {
            ($field:ident) => {
                u32_at(&b, off!(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, $field))
            };
        }
        let u64_at = |o: u64| u64::from(u32_at(&b, o)) | (u64::from(u32_at(&b, o + 4)) << 32);
        let mac_len =
            usize::from(mem.read_u16(at + off!(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, MacAddressLength))?).min(32);
        let perm = at + off!(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, PermanentMacAddress);
        let curr = at + off!(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, CurrentMacAddress);
        let oid_list = u64_at(off!(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, SupportedOidList));
        let oid_len = f!(SupportedOidListLength) as usize / 4;
        let supported_oids = if oid_list == 0 {
            Vec::new()
        } else {
            let raw = mem.read_vec(oid_list, oid_len * 4)?;
            raw.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
        };
        let g = GeneralAttributes {
            revision: h.revision,
            media_type: f!(MediaType),
            physical_medium_type: f!(PhysicalMediumType),
            mtu_size: f!(MtuSize),
            max_xmit_link_speed: u64_at(off!(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, MaxXmitLinkSpeed)),
            max_rcv_link_speed: u64_at(off!(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, MaxRcvLinkSpeed)),
            media_connect_state: f!(MediaConnectState),
            lookahead_size: f!(LookaheadSize),
            mac_options: f!(MacOptions),
            supported_packet_filters: f!(SupportedPacketFilters),
            max_multicast_list_size: f!(MaxMulticastListSize),
            permanent_mac_address: mem.read_vec(perm, mac_len)?,
            current_mac_address: mem.read_vec(curr, mac_len)?,
            if_type: mem.read_u16(at + off!(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, IfType))?,
            supported_oids,
            pm_capabilities: match u64_at(off!(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, PowerManagementCapabilitiesEx))
            {
                0 => None,
                pm => Some(Header::read(mem, pm)?),
            },
        };
        // "Reporting Power Management Capabilities": a 6.20+ miniport that handles power
        // transitions itself (NO_HALT_ON_SUSPEND) reports NDIS_PM_CAPABILITIES.
        let no_halt = self
            .adapter(handle)
            .and_then(|a| a.attributes.registration)
            .is_some_and(|r| r.attribute_flags & ndis_sys::NDIS_MINIPORT_ATTRIBUTES_NO_HALT_ON_SUSPEND != 0);
        let pm_ok = g.pm_capabilities.is_some_and(|p| {
            p.kind == ndis_sys::NDIS_OBJECT_TYPE_DEFAULT
                && ((p.revision == 1 && p.size >= 52) || (p.revision == 2 && p.size >= 60))
        });
        if (no_halt || g.pm_capabilities.is_some()) && !pm_ok {
            self.violate(
                rules::ATTRIBUTES_PM_CAPABILITIES,
                format!(
                    "adapter {handle:#x}: PowerManagementCapabilitiesEx is {} (NO_HALT_ON_SUSPEND {}); expected an \
                     NDIS_PM_CAPABILITIES, Type DEFAULT, Revision 1 Size >= 52 or Revision 2 Size >= 60",
                    g.pm_capabilities.map_or("NULL".to_string(), |p| format!("a header {p}")),
                    if no_halt { "set" } else { "not set" },
                ),
            );
        }
        // The standardized NetworkAddress keyword sets the current address.
        let configured = self.adapter(handle).and_then(|a| a.config.network_address);
        if let Some(address) = configured.filter(|a| a[0] & 1 == 0 && *a != [0; 6])
            && g.current_mac_address != address
        {
            self.violate(
                rules::ATTRIBUTES_NETWORK_ADDRESS,
                format!(
                    "adapter {handle:#x}: CurrentMacAddress {:02x?} ignores the NetworkAddress keyword {address:02x?}",
                    g.current_mac_address
                ),
            );
        }
        // "OID_GEN_MAC_OPTIONS": NDIS 6 miniports set NDIS_MAC_OPTION_8021P_PRIORITY.
        if g.mac_options & ndis_sys::NDIS_MAC_OPTION_8021P_PRIORITY == 0 {
            self.violate(
                rules::ATTRIBUTES_MAC_OPTIONS,
                format!("adapter {handle:#x}: MacOptions {:#x} lack NDIS_MAC_OPTION_8021P_PRIORITY", g.mac_options),
            );
        }
        let twin = self.adapters.values().find(|o| {
            o.handle != handle
                && !o.phase.is_gone()
                && o.attributes.general.as_ref().is_some_and(|og| og.permanent_mac_address == g.permanent_mac_address)
        });
        if let Some(twin) = twin.map(|o| o.handle) {
            self.violate(
                rules::ATTRIBUTES_DUPLICATE_MAC,
                format!(
                    "adapter {handle:#x} reports permanent address {:02x?}, as adapter {twin:#x} does",
                    g.permanent_mac_address
                ),
            );
        }
        if let Some(a) = self.adapter_mut(handle) {
            a.attributes.general = Some(g);
        }
        Ok(NDIS_STATUS_SUCCESS)
    }

    fn set_hardware_assist(&mut self, mem: &dyn AddressSpace, handle: u64, at: u64, h: Header) -> Result<i32, Fault> {
        if !((h.revision == 2 && h.size >= 48) || (h.revision == 3 && h.size >= 80)) {
            return self.bad_header(
                handle,
                "hardware assist",
                h,
                "Type 0xAF, Revision 2 with Size >= 48 or Revision 3 with Size >= 80",
            );
        }
        let hw = mem
            .read_u64(at + off!(NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES, HardwareReceiveFilterCapabilities))?;
        let cur = mem
            .read_u64(at + off!(NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES, CurrentReceiveFilterCapabilities))?;
        let hw_switch =
            mem.read_u64(at + off!(NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES, HardwareNicSwitchCapabilities))?;
        let cur_switch =
            mem.read_u64(at + off!(NDIS_MINIPORT_ADAPTER_HARDWARE_ASSIST_ATTRIBUTES, CurrentNicSwitchCapabilities))?;
        let mut status = NDIS_STATUS_SUCCESS;
        for (name, a, b) in [("receive filter", hw, cur), ("NIC switch", hw_switch, cur_switch)] {
            if (a == 0) != (b == 0) {
                self.violate(
                    rules::ATTRIBUTES_CAPABILITIES_PAIR,
                    format!("adapter {handle:#x}: Hardware{name} pointer {a:#x} and Current{name} pointer {b:#x} must both be set or both NULL"),
                );
                status = NDIS_STATUS_INVALID_PARAMETER;
            }
        }
        let mut receive_filter = None;
        if hw != 0 && cur != 0 {
            match (read_caps(mem, hw)?, read_caps(mem, cur)?) {
                (Ok(h), Ok(c)) => receive_filter = Some((h, c)),
                (Err(e), _) | (_, Err(e)) => {
                    self.violate(rules::ATTRIBUTES_CAPABILITIES_HEADER, format!("adapter {handle:#x}: {e}"));
                    status = NDIS_STATUS_INVALID_PARAMETER;
                }
            }
        }
        if let Some(a) = self.adapter_mut(handle) {
            a.attributes.hardware_assist = Some(HardwareAssistAttributes {
                revision: h.revision,
                receive_filter,
                nic_switch: hw_switch != 0 && cur_switch != 0,
            });
        }
        Ok(status)
    }
}
