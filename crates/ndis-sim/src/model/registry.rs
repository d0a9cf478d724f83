//! Adapter configuration (registry keywords): NdisOpenConfigurationEx / NdisReadConfiguration /
//! NdisCloseConfiguration. Only integer keywords are modelled.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisreadconfiguration>.

use ndis_sys::{
    NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT, NDIS_STATUS_FAILURE, NDIS_STATUS_INVALID_PARAMETER, NDIS_STATUS_RESOURCES,
    NDIS_STATUS_SUCCESS, NdisParameterHexInteger, NdisParameterInteger,
};

use super::config::PASSIVE_LEVEL;
use super::handles::HandleKind;
use super::memory::{AddressSpace, Fault, Header, MemExt};
use super::{Model, rules};

/// One configuration handle.
#[derive(Clone, Debug)]
pub struct ConfigHandle {
    /// The NdisHandle it was opened for (adapter or driver handle).
    pub owner: u64,
    /// Parameter blocks NDIS allocated for reads (freed at close).
    pub blocks: Vec<u64>,
}

impl Model {
    /// `NdisOpenConfigurationEx` (PASSIVE).
    pub fn open_configuration(&mut self, mem: &mut dyn AddressSpace, object: u64, out: u64) -> i32 {
        const API: &str = "NdisOpenConfigurationEx";
        match self.open_configuration_inner(mem, object, out) {
            Ok(status) => status,
            Err(fault) => self.fault(API, fault).unwrap_or(NDIS_STATUS_FAILURE),
        }
    }

    fn open_configuration_inner(&mut self, mem: &mut dyn AddressSpace, object: u64, out: u64) -> Result<i32, Fault> {
        const API: &str = "NdisOpenConfigurationEx";
        if self.irql > PASSIVE_LEVEL {
            self.violate(rules::CONFIG_MISUSE, format!("{API} at IRQL {} (must be PASSIVE_LEVEL)", self.irql));
        }
        let h = Header::read(mem, object)?;
        if h.kind != NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT || h.revision != 1 || h.size < 20 {
            self.violate(
                rules::CONFIG_MISUSE,
                format!("{API}: NDIS_CONFIGURATION_OBJECT header {h}; expected Type 0xA9, Revision 1, Size >= 20"),
            );
            return Ok(NDIS_STATUS_INVALID_PARAMETER);
        }
        let owner = mem.read_u64(object + off!(NDIS_CONFIGURATION_OBJECT, NdisHandle))?;
        if !self.check_owner_handle(owner, API) {
            return Ok(NDIS_STATUS_INVALID_PARAMETER);
        }
        let handle = self.handles.issue(HandleKind::Config);
        mem.write_u64(out, handle)?;
        self.configs.insert(handle, ConfigHandle { owner, blocks: Vec::new() });
        Ok(NDIS_STATUS_SUCCESS)
    }

    /// `NdisReadConfiguration` (PASSIVE). Writes `*Status` and `*ParameterValue`.
    pub fn read_configuration(
        &mut self,
        mem: &mut dyn AddressSpace,
        status_out: u64,
        value_out: u64,
        handle: u64,
        keyword: u64,
        kind: i32,
    ) {
        const API: &str = "NdisReadConfiguration";
        let (status, value) = match self.read_configuration_inner(mem, handle, keyword, kind) {
            Ok(r) => r,
            Err(fault) => {
                self.violate(rules::MEMORY_FAULT, format!("{API}: {fault}"));
                (NDIS_STATUS_FAILURE, 0)
            }
        };
        if mem.write_u64(value_out, value).is_err() || mem.write_u32(status_out, status as u32).is_err() {
            self.violate(rules::MEMORY_FAULT, format!("{API}: cannot write *Status/*ParameterValue"));
        }
    }

    fn read_configuration_inner(
        &mut self,
        mem: &mut dyn AddressSpace,
        handle: u64,
        keyword: u64,
        kind: i32,
    ) -> Result<(i32, u64), Fault> {
        const API: &str = "NdisReadConfiguration";
        if self.irql > PASSIVE_LEVEL {
            self.violate(rules::CONFIG_MISUSE, format!("{API} at IRQL {} (must be PASSIVE_LEVEL)", self.irql));
        }
        let Some(owner) = self.configs.get(&handle).map(|c| c.owner) else {
            let what = self.handles.describe(handle);
            self.violate(rules::HANDLE_INVALID, format!("{API}: {what} is not an open configuration handle"));
            return Ok((NDIS_STATUS_FAILURE, 0));
        };
        let len = mem.read_u16(keyword + off!(UNICODE_STRING, Length))?;
        let buffer = mem.read_u64(keyword + off!(UNICODE_STRING, Buffer))?;
        let raw = mem.read_vec(buffer, usize::from(len))?;
        let units: Vec<u16> = raw.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        let name = String::from_utf16_lossy(&units);
        let (value, preference) = match self.adapters.get_mut(&owner) {
            Some(a) => {
                a.keywords_read.push(name.to_ascii_lowercase());
                (a.config.lookup(&name), a.config.lookup(super::config::RSS_OR_VMQ_PREFERENCE))
            }
            None => (None, None),
        };
        // "Handling SR-IOV, VMQ, and RSS Standardized INF Keywords": "If the miniport driver is
        // configured for RSS preference, it must not read any of the VMQ or SR-IOV standardized
        // keywords" — RSS preference is *RssOrVmqPreference 0 or absent.
        let lower = name.to_ascii_lowercase();
        if preference != Some(1) && (lower == "*vmq" || lower == "*vmqvlanfiltering" || lower.starts_with("*sriov")) {
            self.violate(
                rules::CONFIG_RSS_OR_VMQ_PREFERENCE,
                format!(
                    "{API}: adapter {owner:#x} read {name} while *RssOrVmqPreference is {preference:?} (RSS preference)"
                ),
            );
        }
        let Some(value) = value.filter(|_| kind == NdisParameterInteger || kind == NdisParameterHexInteger) else {
            return Ok((NDIS_STATUS_FAILURE, 0));
        };
        let Some(block) = mem.alloc(size!(NDIS_CONFIGURATION_PARAMETER), 8) else {
            return Ok((NDIS_STATUS_RESOURCES, 0));
        };
        mem.write_u32(block + off!(NDIS_CONFIGURATION_PARAMETER, ParameterType), kind as u32)?;
        mem.write_u32(block + off!(NDIS_CONFIGURATION_PARAMETER, ParameterData), value)?;
        if let Some(c) = self.configs.get_mut(&handle) {
            c.blocks.push(block);
        }
        Ok((NDIS_STATUS_SUCCESS, block))
    }

    /// `NdisReadNetworkAddress` (PASSIVE): the adapter's `NetworkAddress` keyword
    /// ([`AdapterConfig::network_address`](super::config::AdapterConfig::network_address)) as six
    /// bytes valid until `NdisCloseConfiguration`; NDIS_STATUS_FAILURE when it is absent.
    pub fn read_network_address(
        &mut self,
        mem: &mut dyn AddressSpace,
        status_out: u64,
        address_out: u64,
        length_out: u64,
        handle: u64,
    ) {
        const API: &str = "NdisReadNetworkAddress";
        if self.irql > PASSIVE_LEVEL {
            self.violate(rules::CONFIG_MISUSE, format!("{API} at IRQL {} (must be PASSIVE_LEVEL)", self.irql));
        }
        let Some(owner) = self.configs.get(&handle).map(|c| c.owner) else {
            let what = self.handles.describe(handle);
            self.violate(rules::HANDLE_INVALID, format!("{API}: {what} is not an open configuration handle"));
            let _ = mem.write_u32(status_out, NDIS_STATUS_FAILURE as u32);
            return;
        };
        let address = self.adapters.get_mut(&owner).and_then(|a| {
            a.keywords_read.push("networkaddress".to_string());
            a.config.network_address
        });
        let block = address.and_then(|_| mem.alloc(6, 8));
        let status = match (address, block) {
            (Some(bytes), Some(block)) if mem.write(block, &bytes).is_ok() => {
                if let Some(c) = self.configs.get_mut(&handle) {
                    c.blocks.push(block);
                }
                let _ = mem.write_u64(address_out, block);
                let _ = mem.write_u32(length_out, 6);
                NDIS_STATUS_SUCCESS
            }
            (Some(_), _) => NDIS_STATUS_RESOURCES,
            (None, _) => NDIS_STATUS_FAILURE,
        };
        if mem.write_u32(status_out, status as u32).is_err() {
            self.violate(rules::MEMORY_FAULT, format!("{API}: cannot write *Status"));
        }
    }

    /// `NdisCloseConfiguration` (PASSIVE): frees the parameter blocks.
    pub fn close_configuration(&mut self, mem: &mut dyn AddressSpace, handle: u64) {
        let Some(c) = self.configs.remove(&handle) else {
            let what = self.handles.describe(handle);
            self.violate(
                rules::HANDLE_INVALID,
                format!("NdisCloseConfiguration: {what} is not an open configuration handle"),
            );
            return;
        };
        for block in c.blocks {
            mem.free(block);
        }
    }

    /// Reports (and closes) configuration handles of `owner` still open `when`.
    pub(super) fn check_configs_closed(&mut self, mem: &mut dyn AddressSpace, owner: u64, when: &str) {
        let open: Vec<u64> = self.configs.iter().filter(|(_, c)| c.owner == owner).map(|(h, _)| *h).collect();
        for h in open {
            self.violate(rules::CONFIG_NOT_CLOSED, format!("configuration handle {h:#x} still open {when}"));
            self.close_configuration(mem, h);
        }
    }
}
