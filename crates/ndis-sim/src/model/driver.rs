//! Driver registration: NdisMRegisterMiniportDriver / NdisMDeregisterMiniportDriver and the
//! driver-object extension routines.
//!
//! See <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismregisterminiportdriver>.

use std::collections::BTreeMap;

use ndis_sys::{
    NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS, NDIS_STATUS_BAD_CHARACTERISTICS, NDIS_STATUS_BAD_VERSION,
    NDIS_STATUS_FAILURE, NDIS_STATUS_SUCCESS,
};

use super::handles::HandleKind;
use super::memory::{AddressSpace, Fault, Header, MemExt};
use super::{Model, rules};

/// `STATUS_OBJECT_NAME_COLLISION`.
const STATUS_OBJECT_NAME_COLLISION: i32 = 0xC000_0035_u32 as i32;
/// `STATUS_INSUFFICIENT_RESOURCES`.
const STATUS_INSUFFICIENT_RESOURCES: i32 = 0xC000_009A_u32 as i32;

/// The miniport handler addresses NDIS copied from the characteristics (0 = absent).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Handlers {
    /// SetOptionsHandler.
    pub set_options: u64,
    /// InitializeHandlerEx.
    pub initialize: u64,
    /// HaltHandlerEx.
    pub halt: u64,
    /// UnloadHandler.
    pub unload: u64,
    /// PauseHandler.
    pub pause: u64,
    /// RestartHandler.
    pub restart: u64,
    /// OidRequestHandler.
    pub oid_request: u64,
    /// SendNetBufferListsHandler.
    pub send: u64,
    /// ReturnNetBufferListsHandler.
    pub return_nbls: u64,
    /// CancelSendHandler.
    pub cancel_send: u64,
    /// CheckForHangHandlerEx.
    pub check_for_hang: u64,
    /// ResetHandlerEx.
    pub reset: u64,
    /// DevicePnPEventNotifyHandler.
    pub pnp_event: u64,
    /// ShutdownHandlerEx.
    pub shutdown: u64,
    /// CancelOidRequestHandler.
    pub cancel_oid: u64,
    /// DirectOidRequestHandler (revision 2+).
    pub direct_oid: u64,
    /// CancelDirectOidRequestHandler (revision 2+).
    pub cancel_direct_oid: u64,
}

/// The decoded NDIS_MINIPORT_DRIVER_CHARACTERISTICS NDIS keeps a copy of.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Characteristics {
    /// Header revision.
    pub revision: u8,
    /// MajorNdisVersion.
    pub major_ndis_version: u8,
    /// MinorNdisVersion.
    pub minor_ndis_version: u8,
    /// MajorDriverVersion.
    pub major_driver_version: u8,
    /// MinorDriverVersion.
    pub minor_driver_version: u8,
    /// Flags.
    pub flags: u32,
    /// Handler addresses.
    pub handlers: Handlers,
}

/// What NDIS knows about the loaded driver.
#[derive(Clone, Debug, Default)]
pub struct DriverState {
    /// The fake DRIVER_OBJECT passed to DriverEntry.
    pub driver_object: u64,
    /// The registry path UNICODE_STRING passed to DriverEntry.
    pub registry_path: u64,
    /// NdisMiniportDriverHandle while registered.
    pub handle: Option<u64>,
    /// MiniportDriverContext given at registration.
    pub context: u64,
    /// The characteristics copy.
    pub characteristics: Option<Characteristics>,
    /// NdisMDeregisterMiniportDriver was called.
    pub deregistered: bool,
    /// Driver-object extensions by ClientIdentificationAddress.
    pub extensions: BTreeMap<u64, u64>,
}

impl Model {
    /// Records a freshly loaded driver (its fake DRIVER_OBJECT and registry path).
    pub fn attach_driver(&mut self, driver_object: u64, registry_path: u64) {
        self.driver = Some(DriverState { driver_object, registry_path, ..DriverState::default() });
    }

    /// The loaded driver, if any.
    pub fn driver(&self) -> Option<&DriverState> {
        self.driver.as_ref()
    }

    /// The registered handler table.
    pub fn handlers(&self) -> Option<Handlers> {
        self.driver.as_ref().and_then(|d| d.characteristics).map(|c| c.handlers)
    }

    /// Treats the driver as deregistered (after a failed DriverEntry was already reported, so
    /// that the unload checks do not report the same registration again).
    pub fn drop_registration(&mut self) {
        if let Some(d) = self.driver.as_mut() {
            d.deregistered = true;
        }
    }

    /// Forgets the driver after unload.
    pub fn detach_driver(&mut self) -> Option<DriverState> {
        self.driver.take()
    }

    fn check_driver_object(&mut self, api: &str, driver_object: u64) -> bool {
        let known = self.driver.as_ref().is_some_and(|d| d.driver_object == driver_object);
        if !known {
            self.violate(
                rules::DRIVER_OBJECT_UNKNOWN,
                format!("{api}: DRIVER_OBJECT {driver_object:#x} is not the loaded driver's"),
            );
        }
        known
    }

    /// `NdisMRegisterMiniportDriver` (PASSIVE, from DriverEntry). Copies and checks the
    /// characteristics, writes the driver handle. MiniportSetOptions is called by [`super::Sim`].
    pub fn register_miniport_driver(
        &mut self,
        mem: &mut dyn AddressSpace,
        driver_object: u64,
        context: u64,
        characteristics: u64,
        out_handle: u64,
    ) -> i32 {
        const API: &str = "NdisMRegisterMiniportDriver";
        if !self.check_driver_object(API, driver_object) {
            return NDIS_STATUS_FAILURE;
        }
        if self.driver.as_ref().is_some_and(|d| d.handle.is_some() && !d.deregistered) {
            self.violate(rules::REGISTRATION_TWICE, "NdisMRegisterMiniportDriver called while already registered");
            return NDIS_STATUS_FAILURE;
        }
        let chars = match self.decode_characteristics(mem, characteristics) {
            Ok(Ok(c)) => c,
            Ok(Err(status)) => return status,
            Err(fault) => return self.fault(API, fault).unwrap_or(NDIS_STATUS_FAILURE),
        };
        let handle = self.handles.issue(HandleKind::Driver);
        if let Err(fault) = mem.write_u64(out_handle, handle) {
            return self.fault(API, fault).unwrap_or(NDIS_STATUS_FAILURE);
        }
        if let Some(d) = self.driver.as_mut() {
            d.handle = Some(handle);
            d.context = context;
            d.characteristics = Some(chars);
            d.deregistered = false;
        }
        NDIS_STATUS_SUCCESS
    }

    fn decode_characteristics(
        &mut self,
        mem: &dyn AddressSpace,
        at: u64,
    ) -> Result<Result<Characteristics, i32>, Fault> {
        let h = Header::read(mem, at)?;
        let size_ok = matches!((h.revision, h.size), (1, 136) | (2, 152) | (3, 160));
        if h.kind != NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS || !size_ok {
            self.violate(
                rules::REGISTRATION_BAD_HEADER,
                format!("characteristics header {h}; expected Type 0x8A with Revision 1/2/3 and Size 136/152/160"),
            );
            return Ok(Err(NDIS_STATUS_BAD_CHARACTERISTICS));
        }
        let b = mem.read_vec(at, usize::from(h.size))?;
        let byte = |o: u64| b.get(usize::try_from(o).unwrap_or(usize::MAX)).copied().unwrap_or(0);
        let ptr = |o: u64| {
            let o = usize::try_from(o).unwrap_or(usize::MAX);
            b.get(o..o.saturating_add(8))
                .map_or(0, |s| u64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]]))
        };
        macro_rules! p {
            ($field:ident) => {
                ptr(off!(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, $field))
            };
        }
        let c = Characteristics {
            revision: h.revision,
            major_ndis_version: byte(off!(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, MajorNdisVersion)),
            minor_ndis_version: byte(off!(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, MinorNdisVersion)),
            major_driver_version: byte(off!(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, MajorDriverVersion)),
            minor_driver_version: byte(off!(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, MinorDriverVersion)),
            flags: mem.read_u32(at + off!(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, Flags))?,
            handlers: Handlers {
                set_options: p!(SetOptionsHandler),
                initialize: p!(InitializeHandlerEx),
                halt: p!(HaltHandlerEx),
                unload: p!(UnloadHandler),
                pause: p!(PauseHandler),
                restart: p!(RestartHandler),
                oid_request: p!(OidRequestHandler),
                send: p!(SendNetBufferListsHandler),
                return_nbls: p!(ReturnNetBufferListsHandler),
                cancel_send: p!(CancelSendHandler),
                check_for_hang: p!(CheckForHangHandlerEx),
                reset: p!(ResetHandlerEx),
                pnp_event: p!(DevicePnPEventNotifyHandler),
                shutdown: p!(ShutdownHandlerEx),
                cancel_oid: p!(CancelOidRequestHandler),
                direct_oid: if h.revision >= 2 { p!(DirectOidRequestHandler) } else { 0 },
                cancel_direct_oid: if h.revision >= 2 { p!(CancelDirectOidRequestHandler) } else { 0 },
            },
        };
        if c.major_ndis_version != 6 || c.minor_ndis_version < 20 {
            self.violate(
                rules::REGISTRATION_NDIS_VERSION,
                format!(
                    "NDIS version {}.{}; VMQ needs 6.20 or later (6.x)",
                    c.major_ndis_version, c.minor_ndis_version
                ),
            );
            return Ok(Err(NDIS_STATUS_BAD_VERSION));
        }
        let hd = c.handlers;
        let required = [
            ("InitializeHandlerEx", hd.initialize),
            ("HaltHandlerEx", hd.halt),
            ("UnloadHandler", hd.unload),
            ("PauseHandler", hd.pause),
            ("RestartHandler", hd.restart),
            ("OidRequestHandler", hd.oid_request),
            ("SendNetBufferListsHandler", hd.send),
            ("ReturnNetBufferListsHandler", hd.return_nbls),
            ("CancelSendHandler", hd.cancel_send),
            ("DevicePnPEventNotifyHandler", hd.pnp_event),
            ("ShutdownHandlerEx", hd.shutdown),
            ("CancelOidRequestHandler", hd.cancel_oid),
        ];
        let missing: Vec<&str> = required.iter().filter(|(_, a)| *a == 0).map(|(n, _)| *n).collect();
        if !missing.is_empty() {
            self.violate(
                rules::REGISTRATION_MISSING_HANDLER,
                format!("required handlers NULL: {}", missing.join(", ")),
            );
            return Ok(Err(NDIS_STATUS_BAD_CHARACTERISTICS));
        }
        if (hd.direct_oid == 0) != (hd.cancel_direct_oid == 0) {
            self.violate(
                rules::REGISTRATION_DIRECT_OID_PAIR,
                "DirectOidRequestHandler and CancelDirectOidRequestHandler must both be set or both NULL",
            );
            return Ok(Err(NDIS_STATUS_BAD_CHARACTERISTICS));
        }
        Ok(Ok(c))
    }

    /// `NdisMDeregisterMiniportDriver` (PASSIVE).
    pub fn deregister_miniport_driver(&mut self, handle: u64) {
        let registered = self.driver.as_ref().and_then(|d| d.handle);
        if registered != Some(handle) || self.driver.as_ref().is_some_and(|d| d.deregistered) {
            let what = self.handles.describe(handle);
            self.violate(
                rules::HANDLE_INVALID,
                format!("NdisMDeregisterMiniportDriver with {what}, not a registered driver handle"),
            );
            return;
        }
        if let Some(d) = self.driver.as_mut() {
            d.deregistered = true;
        }
    }

    /// `IoAllocateDriverObjectExtension` (<= APC_LEVEL): a zeroed block keyed by
    /// (DRIVER_OBJECT, ClientIdentificationAddress), freed when the driver unloads.
    pub fn allocate_driver_object_extension(
        &mut self,
        mem: &mut dyn AddressSpace,
        driver_object: u64,
        client_id: u64,
        size: u32,
        out: u64,
    ) -> i32 {
        const API: &str = "IoAllocateDriverObjectExtension";
        if !self.check_driver_object(API, driver_object) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        if self.driver.as_ref().is_some_and(|d| d.extensions.contains_key(&client_id)) {
            if mem.write_u64(out, 0).is_err() {
                self.violate(rules::MEMORY_FAULT, format!("{API}: cannot write *DriverObjectExtension at {out:#x}"));
            }
            return STATUS_OBJECT_NAME_COLLISION;
        }
        let Some(block) = mem.alloc(size.max(1) as usize, 16) else {
            return STATUS_INSUFFICIENT_RESOURCES;
        };
        if let Err(fault) = mem.write_u64(out, block) {
            mem.free(block);
            return self.fault(API, fault).unwrap_or(STATUS_INSUFFICIENT_RESOURCES);
        }
        if let Some(d) = self.driver.as_mut() {
            d.extensions.insert(client_id, block);
        }
        0
    }

    /// `IoGetDriverObjectExtension` (<= DISPATCH_LEVEL): the block or 0.
    pub fn get_driver_object_extension(&mut self, driver_object: u64, client_id: u64) -> u64 {
        if !self.check_driver_object("IoGetDriverObjectExtension", driver_object) {
            return 0;
        }
        self.driver.as_ref().and_then(|d| d.extensions.get(&client_id).copied()).unwrap_or(0)
    }
}
