//! The OID fuzzing engine shared by `tests/oid_fuzz.rs`, `tests/oid_regressions.rs` and the
//! cargo-fuzz target `fuzz/fuzz_targets/oid_request.rs`: bytes in, OID requests out, checked.
//!
//! A byte string is read as a program: each step picks an action (query, set or method of a
//! handled or unknown OID, a raw request with an invalid `RequestType`, traffic, pause/restart,
//! returning held NBLs), builds a *valid* payload with `ndis_sim::vswitch` and then mutates it
//! (header type/revision/size, array offsets/counts/element sizes, ids, lengths) as the bytes
//! say. Exhausted input reads as zeros, which means "valid", so short inputs still go deep.
//! <https://learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nc-ndis-miniport_oid_request>
//!
//! Oracle, after every request: the status is one the OID's Microsoft Learn page allows for that OID and request
//! kind ([`allowed`]); `BytesNeeded` exceeds the length given for INVALID_LENGTH /
//! BUFFER_TOO_SHORT; `BytesWritten`/`BytesRead` fit the buffer; ndis-sim reports no violation.
//! At the end the adapter halts with no shared memory, pool or NBL outstanding.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::mem::offset_of;

use ndis_sim::vswitch::{
    allocation_complete_bytes, clear_filter_bytes, filter_parameters_bytes, parse_allocation_complete,
    queue_free_bytes, queue_parameters_bytes, queue_parameters_set_bytes,
};
use ndis_sim::{
    AdapterConfig, AdapterId, FilterField, FrameSpec, Host, HostConfig, MiniportCall, OidResult, QueueId, QueueSpec,
    RequestKind,
};
use ndis_sys::*;

/// Statuses a request may end with, by OID and request kind (the `oid-receive-filter-*` pages under <https://learn.microsoft.com/windows-hardware/drivers/network/> and the general-OID
/// rules of `src/vmq/oid/general.rs`). A request kind the OID does not use is NOT_SUPPORTED.
pub fn allowed(kind: RequestKind, oid: u32) -> &'static [NDIS_STATUS] {
    const QUERY: &[NDIS_STATUS] = &[NDIS_STATUS_SUCCESS, NDIS_STATUS_BUFFER_TOO_SHORT, NDIS_STATUS_NOT_SUPPORTED];
    const SET: &[NDIS_STATUS] =
        &[NDIS_STATUS_SUCCESS, NDIS_STATUS_INVALID_LENGTH, NDIS_STATUS_INVALID_DATA, NDIS_STATUS_NOT_SUPPORTED];
    const ALLOCATE: &[NDIS_STATUS] = &[
        NDIS_STATUS_SUCCESS,
        NDIS_STATUS_PENDING,
        NDIS_STATUS_INVALID_PARAMETER,
        NDIS_STATUS_INVALID_LENGTH,
        NDIS_STATUS_NOT_SUPPORTED,
        NDIS_STATUS_RESOURCES,
        NDIS_STATUS_FAILURE,
        NDIS_STATUS_NOT_ACCEPTED,
    ];
    const COMPLETE: &[NDIS_STATUS] = &[
        NDIS_STATUS_SUCCESS,
        NDIS_STATUS_INVALID_PARAMETER,
        NDIS_STATUS_INVALID_LENGTH,
        NDIS_STATUS_NOT_SUPPORTED,
        NDIS_STATUS_RESOURCES,
    ];
    const PARAMETERS: &[NDIS_STATUS] = &[
        NDIS_STATUS_SUCCESS,
        NDIS_STATUS_INVALID_PARAMETER,
        NDIS_STATUS_INVALID_LENGTH,
        NDIS_STATUS_NOT_SUPPORTED,
        NDIS_STATUS_RESOURCES,
    ];
    const SET_FILTER: &[NDIS_STATUS] = &[
        NDIS_STATUS_SUCCESS,
        NDIS_STATUS_INVALID_PARAMETER,
        NDIS_STATUS_INVALID_LENGTH,
        NDIS_STATUS_NOT_SUPPORTED,
        NDIS_STATUS_RESOURCES,
    ];
    const MUST_SUCCEED: &[NDIS_STATUS] =
        &[NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_STATUS_NOT_ACCEPTED, NDIS_STATUS_REQUEST_ABORTED];
    const UNSUPPORTED: &[NDIS_STATUS] = &[NDIS_STATUS_NOT_SUPPORTED];
    // OID_GEN_LINK_PARAMETERS: a malformed NDIS_LINK_PARAMETERS header is INVALID_PARAMETER.
    const LINK: &[NDIS_STATUS] =
        &[NDIS_STATUS_SUCCESS, NDIS_STATUS_INVALID_LENGTH, NDIS_STATUS_INVALID_DATA, NDIS_STATUS_INVALID_PARAMETER];
    match (kind, oid) {
        (RequestKind::Set, OID_GEN_LINK_PARAMETERS) => LINK,
        (RequestKind::Method, OID_RECEIVE_FILTER_ALLOCATE_QUEUE) => ALLOCATE,
        (RequestKind::Method, OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE) => COMPLETE,
        (RequestKind::Method, OID_RECEIVE_FILTER_SET_FILTER) => SET_FILTER,
        (RequestKind::Set, OID_RECEIVE_FILTER_QUEUE_PARAMETERS) => PARAMETERS,
        // Driver Verifier's NdisOidComplete rule holds for these OIDs whatever the request kind.
        (_, OID_RECEIVE_FILTER_FREE_QUEUE | OID_RECEIVE_FILTER_CLEAR_FILTER) => MUST_SUCCEED,
        (RequestKind::Query, o) if vmqnic::vmq::oid::SUPPORTED_OIDS.contains(&o) => QUERY,
        (RequestKind::Set, o) if vmqnic::vmq::oid::SUPPORTED_OIDS.contains(&o) => SET,
        _ => UNSUPPORTED,
    }
}

/// `CompletionStatus` values an allocation-complete element may carry.
const ELEMENT_STATUSES: &[NDIS_STATUS] =
    &[NDIS_STATUS_SUCCESS, NDIS_STATUS_INVALID_PARAMETER, NDIS_STATUS_RESOURCES, NDIS_STATUS_FAILURE];

/// OIDs the driver does not handle (some real, some made up).
const UNKNOWN_OIDS: &[u32] = &[
    0,
    u32::MAX,
    OID_GEN_VLAN_ID,
    0x0001_0117,
    0x0102_0201,
    OID_RECEIVE_FILTER_HARDWARE_CAPABILITIES, // NDIS answers these itself
    OID_RECEIVE_FILTER_ENUM_QUEUES,
    OID_RECEIVE_FILTER_PARAMETERS,
    OID_RECEIVE_FILTER_MOVE_FILTER,
    0x8000_0000,
];

/// The byte stream a program is read from; past the end every read is 0.
pub struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }
    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }
    pub fn u8(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }
    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    pub fn u64(&mut self) -> u64 {
        u64::from(self.u32()) | (u64::from(self.u32()) << 32)
    }
    /// A value in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        usize::from(self.u8()) % n
    }
    /// A "boundary" u32: 0, 1, small, huge, or the raw bytes.
    pub fn edgy_u32(&mut self, near: u32) -> u32 {
        match self.u8() % 12 {
            0 => 0,
            1 => 1,
            2 => near,
            3 => near.wrapping_sub(1),
            4 => near.wrapping_add(1),
            5 => u32::MAX,
            6 => 0x8000_0000,
            7 => 0x7FFF_FFFF,
            8 => u32::MAX / 2 + 2,
            9 => u32::from(self.u8()),
            10 => 0x1000_0000,
            _ => self.u32(),
        }
    }
}

/// Which kind of adapter and host a session runs.
#[derive(Clone, Copy, Debug)]
pub struct Variant(pub u8);

impl Variant {
    pub const COUNT: u8 = 8;

    fn host_config(self, seed: u64) -> HostConfig {
        let mut config = HostConfig::default().seed(seed);
        if self.0 & 1 != 0 {
            // NBLs stay with the host until returned: FREE_QUEUE pends.
            config = config.hold_received(true);
        }
        if self.0 == 7 {
            // Shared-memory and pool failures sprinkled over the run.
            for k in [12, 19, 27, 33, 41, 58, 77, 90, 130] {
                config = config.fail_shared_memory_allocation(k);
            }
            for k in [40, 61, 95] {
                config = config.fail_pool_allocation(k);
            }
        }
        config
    }

    fn adapter_config(self) -> AdapterConfig {
        let c = AdapterConfig::default();
        match self.0 >> 1 {
            0 => c,
            1 => c.keyword("*VMQVlanFiltering", 0).keyword("VmqContiguousRx", 1),
            2 => c.bus_master(true),
            _ => c.keyword("*VMQ", u32::from(self.0 & 1)),
        }
    }
}

/// A failed oracle: what was sent and what went wrong.
pub type Failure = String;

fn mac(n: u8) -> [u8; 6] {
    [0x02, 0x15, 0x5D, 0xF0, 0x0D, n]
}

/// A host with the driver loaded and one adapter with queues in every state.
pub struct Session {
    pub host: Host,
    pub adapter: AdapterId,
    variant: Variant,
    /// Queue ids ever allocated (live or freed).
    known_queues: Vec<u32>,
    /// (queue, filter) ever set (live or cleared).
    known_filters: Vec<(u32, u32)>,
    /// A request returned PENDING and has not completed yet.
    pending: bool,
    /// The pending request is a FREE_QUEUE of a queue that still had filters (see `step`).
    pending_with_filters: bool,
    pub steps: u64,
    /// The adapter is surprise-removed or paused for good: the caller should recycle it.
    pub worn: bool,
}

impl Session {
    /// Loads the driver and builds the adapter: queue A allocated only, B completed (Paused),
    /// C completed with a filter (Running), D allocated with a filter (Set), E freed (stale),
    /// and a filter on the default queue.
    pub fn new(variant: Variant, seed: u64) -> Result<Self, Failure> {
        let mut host = Host::new(variant.host_config(seed));
        host.load_driver(vmqnic::DriverEntry).map_err(|e| format!("DriverEntry: {e}"))?;
        let adapter = host.add_adapter(variant.adapter_config()).map_err(|e| format!("initialize: {e}"))?;
        let mut s = Self {
            host,
            adapter,
            variant,
            known_queues: Vec::new(),
            known_filters: Vec::new(),
            pending: false,
            pending_with_filters: false,
            steps: 0,
            worn: false,
        };
        s.populate()?;
        Ok(s)
    }

    /// Re-creates the adapter on the same host (driver stays loaded).
    pub fn recycle(&mut self) -> Result<(), Failure> {
        self.halt_checked()?;
        self.adapter = self.host.add_adapter(self.variant.adapter_config()).map_err(|e| format!("initialize: {e}"))?;
        self.known_queues.clear();
        self.known_filters.clear();
        self.pending = false;
        self.pending_with_filters = false;
        self.worn = false;
        self.populate()
    }

    fn populate(&mut self) -> Result<(), Failure> {
        let a = self.adapter;
        let mut ids = Vec::new();
        for _ in 0..5 {
            match self.host.allocate_queue(a, QueueSpec::default().suggested_buffers(64)) {
                Ok(q) => ids.push(q),
                Err(r) => self.check(&r, 0, 0)?,
            }
        }
        self.known_queues.extend(ids.iter().map(|q| q.0));
        if let [_, b, c, d, e] = ids[..] {
            if let Ok(f) = self.host.set_mac_filter(a, d, mac(4), None) {
                self.known_filters.push((d.0, f));
            }
            let _ = self.host.complete_queue_allocation(a, &[b, c, e]);
            if let Ok(f) = self.host.set_mac_filter(a, c, mac(3), Some(7)) {
                self.known_filters.push((c.0, f));
            }
            if let Ok(f) = self.host.set_mac_filter(a, c, mac(3), None) {
                self.known_filters.push((c.0, f));
            }
            let r = self.host.free_queue(a, e);
            self.check(&r, r.bytes_read, 0)?;
        }
        if let Ok(f) = self.host.set_mac_filter(a, QueueId(0), mac(1), None) {
            self.known_filters.push((0, f));
        }
        self.take_violations("setup")
    }

    fn take_violations(&mut self, what: &str) -> Result<(), Failure> {
        let v = self.host.take_violations();
        if v.is_empty() { Ok(()) } else { Err(format!("{what}: ndis-sim violations: {v:#?}")) }
    }

    fn pick_queue(&mut self, input: &mut Bytes) -> u32 {
        let live = self.host.queues(self.adapter);
        match input.u8() % 8 {
            0..=2 if !live.is_empty() => live[input.below(live.len())],
            3 if !self.known_queues.is_empty() => self.known_queues[input.below(self.known_queues.len())],
            4 => 0,
            5 => input.u8().into(),
            6 => input.u32(),
            _ => live.last().copied().unwrap_or(1),
        }
    }

    fn pick_filter(&mut self, input: &mut Bytes) -> (u32, u32) {
        let live = self.host.filters(self.adapter);
        match input.u8() % 6 {
            0..=2 if !live.is_empty() => {
                let (f, q) = live[input.below(live.len())];
                (q, f)
            }
            3 if !self.known_filters.is_empty() => self.known_filters[input.below(self.known_filters.len())],
            4 => (self.pick_queue(input), input.u8().into()),
            _ => (self.pick_queue(input), input.u32()),
        }
    }

    /// One step of the program. `Ok` means every oracle held.
    pub fn step(&mut self, input: &mut Bytes) -> Result<(), Failure> {
        self.steps += 1;
        let action = input.u8();
        let a = self.adapter;
        if trace() {
            eprintln!("step {}: action {}", self.steps, action % 16);
        }
        match action % 16 {
            0 | 1 => {
                let oid = pick_oid(input);
                let len = pick_len(input, 8);
                let r = self.host.oid_query(a, oid, len);
                self.check(&r, 0, len)?;
            }
            2 => {
                let oid = pick_oid(input);
                let payload = mutate(general_payload(oid, input), input, &[0]);
                let r = self.host.oid_set(a, oid, &payload);
                self.check(&r, len32(&payload), 0)?;
            }
            3 | 4 => {
                let spec = queue_spec(input);
                let payload = mutate(queue_parameters_bytes(&spec), input, QUEUE_FIELDS);
                self.method(OID_RECEIVE_FILTER_ALLOCATE_QUEUE, payload, input)?;
            }
            5 => {
                let n = input.below(4);
                let queues: Vec<QueueId> = (0..n).map(|_| QueueId(self.pick_queue(input))).collect();
                let payload = mutate(allocation_complete_bytes(&queues), input, ARRAY_FIELDS);
                self.method(OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE, payload, input)?;
            }
            6 => {
                let queue = QueueId(self.pick_queue(input));
                let changed = match input.u8() % 4 {
                    0 => NDIS_RECEIVE_QUEUE_PARAMETERS_SUGGESTED_RECV_BUFFER_NUMBERS_CHANGED,
                    1 => NDIS_RECEIVE_QUEUE_PARAMETERS_PROCESSOR_AFFINITY_CHANGED,
                    2 => input.u32() & NDIS_RECEIVE_QUEUE_PARAMETERS_CHANGE_MASK,
                    _ => input.u32(),
                };
                let spec = queue_spec(input);
                let payload = mutate(queue_parameters_set_bytes(queue, changed, &spec), input, QUEUE_FIELDS);
                let r = self.host.oid_set(a, OID_RECEIVE_FILTER_QUEUE_PARAMETERS, &payload);
                self.check(&r, len32(&payload), 0)?;
            }
            7 => {
                let queue = QueueId(self.pick_queue(input));
                let payload = mutate(queue_free_bytes(queue), input, &[0, 4]);
                let r = self.host.oid_set(a, OID_RECEIVE_FILTER_FREE_QUEUE, &payload);
                self.check(&r, len32(&payload), 0)?;
            }
            8 | 9 => {
                let queue = QueueId(self.pick_queue(input));
                let fields = filter_fields(input);
                let payload = mutate(filter_parameters_bytes(queue, &fields), input, FILTER_FIELDS);
                self.method(OID_RECEIVE_FILTER_SET_FILTER, payload, input)?;
            }
            10 => {
                let (q, f) = self.pick_filter(input);
                let payload = mutate(clear_filter_bytes(QueueId(q), f), input, &[0, 4, 8]);
                let r = self.host.oid_set(a, OID_RECEIVE_FILTER_CLEAR_FILTER, &payload);
                self.check(&r, len32(&payload), 0)?;
            }
            11 => {
                // A handled OID with the wrong request kind, or an unknown OID as a method.
                let oid = pick_oid(input);
                let payload = mutate(vec![0; input.below(64)], input, &[0]);
                let out = pick_len(input, len32(&payload));
                let r = self.host.oid_method(a, oid, &payload, out);
                self.check(&r, len32(&payload), out)?;
            }
            12 => self.raw_request(input)?,
            // Traffic also flows while a FREE_QUEUE of a queue whose filters the host never
            // cleared pends: the driver drops those filters at once, and ndis-sim (since the
            // fuzzer found the gap) stops expecting their frames on that queue too.
            13 => {
                let frames: Vec<FrameSpec> = (0..1 + input.below(8))
                    .map(|_| {
                        let f = FrameSpec::new(mac(input.u8() % 6), 60 + input.below(200));
                        if input.u8().is_multiple_of(3) { f.vlan(u16::from(input.u8() % 9)) } else { f }
                    })
                    .collect();
                let _ = self.host.send_frames(a, &frames);
            }
            14 => {
                let n = input.below(6);
                if input.u8().is_multiple_of(2) {
                    self.host.return_received_shuffled(a, n);
                } else {
                    self.host.return_received(a);
                }
                self.collect_completions()?;
            }
            _ => match input.u8() % 16 {
                0 => {
                    let _ = self.host.pause(a);
                }
                1 | 2 => {
                    let _ = self.host.restart(a);
                }
                3 if input.u8() == 0x5A => {
                    let _ = self.host.pnp_event(a, NdisDevicePnPEventSurpriseRemoved);
                    self.worn = true;
                }
                _ => {
                    let _ = self.host.restart(a);
                }
            },
        }
        self.take_violations("step")
    }

    /// A method request: `payload` as input, an output length chosen by the bytes.
    fn method(&mut self, oid: u32, payload: Vec<u8>, input: &mut Bytes) -> Result<(), Failure> {
        let out = pick_len(input, len32(&payload));
        if trace() {
            eprintln!("method {oid:#x} out {out} in {} bytes: {payload:02x?}", payload.len());
        }
        let r = self.host.oid_method(self.adapter, oid, &payload, out);
        self.check(&r, len32(&payload), out)?;
        if r.succeeded() {
            match oid {
                OID_RECEIVE_FILTER_ALLOCATE_QUEUE => self.known_queues.extend(r.queue_id),
                OID_RECEIVE_FILTER_SET_FILTER => {
                    if let (Some(q), Some(f)) = (r.queue_id, r.filter_id) {
                        self.known_filters.push((q, f));
                    }
                }
                OID_RECEIVE_FILTER_QUEUE_ALLOCATION_COMPLETE => {
                    // Every element the driver wrote carries an allowed CompletionStatus.
                    if let Some(list) = parse_allocation_complete(&r.data).filter(|l| l.len() <= 16) {
                        for (q, s) in list {
                            if !ELEMENT_STATUSES.contains(&s) {
                                return Err(format!("ALLOCATION_COMPLETE element for queue {q}: status {s:#x}"));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The oracle for one delivered request with `input_len` bytes in and `output_len` out.
    fn check(&mut self, r: &OidResult, input_len: u32, output_len: u32) -> Result<(), Failure> {
        if trace() {
            eprintln!(
                "  -> {:#x} {:?} status {:#x} q {:?} f {:?} read {} written {} needed {}",
                r.oid, r.kind, r.status, r.queue_id, r.filter_id, r.bytes_read, r.bytes_written, r.bytes_needed
            );
        }
        STATS.with(|s| *s.borrow_mut().entry((r.oid, format!("{:?}", r.kind), r.status)).or_insert(0) += 1);
        if !r.delivered {
            // NDIS holds requests back while one is pending (FREE_QUEUE waiting for NBLs).
            return if self.pending || r.status == NDIS_STATUS_ADAPTER_NOT_READY {
                Ok(())
            } else {
                Err(format!("request not delivered: {r:?}"))
            };
        }
        if r.is_pending() {
            self.pending = true;
            // The pended result carries no QueueId; the driver frees the one in the payload.
            self.pending_with_filters = !self.host.filters(self.adapter).is_empty();
            if r.oid != OID_RECEIVE_FILTER_FREE_QUEUE {
                return Err(format!("only FREE_QUEUE may pend: {r:?}"));
            }
            return Ok(());
        }
        check_result(r, input_len, output_len)
    }

    /// Takes the completions of pended requests and checks them.
    fn collect_completions(&mut self) -> Result<(), Failure> {
        for r in self.host.take_oid_completions(self.adapter) {
            check_result(&r, u32::MAX, 0)?;
            if r.status != NDIS_STATUS_SUCCESS {
                return Err(format!("a pended FREE_QUEUE completed with {:#x}", r.status));
            }
            self.pending = false;
            self.pending_with_filters = false;
        }
        Ok(())
    }

    /// MiniportOidRequest called directly with a RequestType the sim never sends.
    fn raw_request(&mut self, input: &mut Bytes) -> Result<(), Failure> {
        const TYPES: &[i32] = &[-1, i32::MIN, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 0x7FFF_FFFF];
        let request_type = TYPES[input.below(TYPES.len())];
        let oid = pick_oid(input);
        let len = pick_len(input, 16).min(4096);
        let Some((handler, context)) = self.host.with_model(|m, _| {
            let h = m.handlers()?;
            Some((h.oid_request, m.adapter(self.adapter.0)?.context))
        }) else {
            return Ok(());
        };
        if self.pending {
            return Ok(()); // NDIS would not deliver it
        }
        let data = offset_of!(NDIS_OID_REQUEST, DATA) as u64;
        let built = self.host.with_model(|_, mem| {
            let buffer = mem.alloc(len as usize, 16)?;
            let request = mem.alloc(size_of::<NDIS_OID_REQUEST>(), 16)?;
            let header = [NDIS_OBJECT_TYPE_OID_REQUEST, 1, 236u8, 0];
            mem.write(request, &header).ok()?;
            let w = |mem: &mut dyn ndis_sim::AddressSpace, off: usize, v: u32| {
                mem.write(request + off as u64, &v.to_le_bytes()).ok()
            };
            w(mem, offset_of!(NDIS_OID_REQUEST, RequestType), request_type as u32)?;
            w(mem, data as usize + offset_of!(NDIS_OID_REQUEST_QUERY, Oid), oid)?;
            mem.write(
                request + data + offset_of!(NDIS_OID_REQUEST_QUERY, InformationBuffer) as u64,
                &buffer.to_le_bytes(),
            )
            .ok()?;
            w(mem, data as usize + offset_of!(NDIS_OID_REQUEST_QUERY, InformationBufferLength), len)?;
            Some((request, buffer))
        });
        let Some((request, buffer)) = built else {
            return Ok(());
        };
        let status = self.host.invoke(MiniportCall::OidRequest { handler, context, request }, ndis_sim::PASSIVE_LEVEL)
            as u32 as i32;
        let written = self.host.with_model(|_, mem| {
            let at = request + data + offset_of!(NDIS_OID_REQUEST_QUERY, BytesWritten) as u64;
            let mut b = [0u8; 4];
            let ok = mem.read(at, &mut b).is_ok();
            mem.free(request);
            mem.free(buffer);
            if ok { u32::from_le_bytes(b) } else { 0 }
        });
        let ok = if request_type == NdisRequestQueryStatistics {
            allowed(RequestKind::Query, oid).contains(&status) && written <= len
        } else {
            status == NDIS_STATUS_INVALID_PARAMETER || status == NDIS_STATUS_NOT_SUPPORTED
        };
        if ok { Ok(()) } else { Err(format!("RequestType {request_type} OID {oid:#x}: status {status:#x}")) }
    }

    /// Halts the adapter the way NDIS does and checks that nothing is left.
    pub fn halt_checked(&mut self) -> Result<(), Failure> {
        let a = self.adapter;
        self.host.return_received(a);
        self.collect_completions()?;
        self.host.halt(a, NdisHaltDeviceDisabled).map_err(|e| format!("halt: {e}"))?;
        // The support adapter the traffic came from goes too (the host brings it back when
        // it next sends).
        for other in self.host.live_adapters() {
            self.host.halt(other, NdisHaltDeviceDisabled).map_err(|e| format!("halt of the support adapter: {e}"))?;
        }
        self.take_violations("halt")?;
        let report = self.host.report();
        if report.shared_memory.bytes_outstanding != 0 || report.nbls_outstanding != 0 {
            return Err(format!(
                "after halt: {} bytes of shared memory, {} NBLs outstanding",
                report.shared_memory.bytes_outstanding, report.nbls_outstanding
            ));
        }
        if let Some((tag, t)) = report.pool.by_tag.iter().find(|(_, t)| t.bytes_outstanding != 0) {
            return Err(format!("after halt: pool tag {tag} has {} bytes outstanding", t.bytes_outstanding));
        }
        Ok(())
    }

    /// Halts, unloads the driver and checks that the whole host is clean.
    pub fn finish(mut self) -> Result<(), Failure> {
        self.halt_checked()?;
        self.host.unload_driver().map_err(|e| format!("unload: {e}"))?;
        self.take_violations("unload")?;
        let report = self.host.report();
        if report.pool.bytes_outstanding != 0 {
            return Err(format!("after unload: {} bytes of pool outstanding", report.pool.bytes_outstanding));
        }
        Ok(())
    }
}

/// The oracle on one finished request.
pub fn check_result(r: &OidResult, input_len: u32, output_len: u32) -> Result<(), Failure> {
    if !allowed(r.kind, r.oid).contains(&r.status) {
        return Err(format!("status {:#x} not allowed for OID {:#x} ({:?}): {r:?}", r.status, r.oid, r.kind));
    }
    let given = match r.kind {
        RequestKind::Query => output_len,
        RequestKind::Set => input_len,
        RequestKind::Method => input_len.min(output_len),
    };
    if (r.status == NDIS_STATUS_INVALID_LENGTH || r.status == NDIS_STATUS_BUFFER_TOO_SHORT) && r.bytes_needed <= given {
        return Err(format!("BytesNeeded {} <= length given {given}: {r:?}", r.bytes_needed));
    }
    if r.bytes_written > output_len || r.bytes_read > input_len {
        return Err(format!("BytesWritten/Read beyond the buffer (in {input_len}, out {output_len}): {r:?}"));
    }
    Ok(())
}

thread_local! {
    /// (OID, kind, status) → count, for `VMQNIC_FUZZ_STATS=1` runs: shows which paths were reached.
    pub static STATS: std::cell::RefCell<std::collections::BTreeMap<(u32, String, i32), u64>> =
        Default::default();
}

/// Prints the statistics gathered so far (if `VMQNIC_FUZZ_STATS` is set).
pub fn print_stats() {
    if std::env::var_os("VMQNIC_FUZZ_STATS").is_some() {
        STATS.with(|s| {
            for ((oid, kind, status), n) in s.borrow().iter() {
                eprintln!("{oid:#010x} {kind:6} {status:#010x} {n}");
            }
        });
    }
}

/// `VMQNIC_FUZZ_TRACE=1` prints each method request (to turn a failing case into a test).
fn trace() -> bool {
    std::env::var_os("VMQNIC_FUZZ_TRACE").is_some()
}

fn len32(b: &[u8]) -> u32 {
    u32::try_from(b.len()).unwrap_or(u32::MAX)
}

fn pick_oid(input: &mut Bytes) -> u32 {
    let supported = vmqnic::vmq::oid::SUPPORTED_OIDS;
    match input.u8() % 8 {
        0 => UNKNOWN_OIDS[input.below(UNKNOWN_OIDS.len())],
        1 => input.u32(),
        _ => supported[input.below(supported.len())],
    }
}

/// A buffer length: usually `natural`, sometimes short, zero or oversized.
fn pick_len(input: &mut Bytes, natural: u32) -> u32 {
    match input.u8() % 10 {
        0..=4 => natural,
        5 => 0,
        6 => u32::from(input.u8()) % natural.max(1),
        7 => natural.saturating_sub(1),
        8 => natural + u32::from(input.u16() % 4096),
        _ => u32::from(input.u16() % 2048),
    }
}

/// A plausible set payload for a general OID.
fn general_payload(oid: u32, input: &mut Bytes) -> Vec<u8> {
    match oid {
        OID_802_3_MULTICAST_LIST => (0..input.below(40) * 6).map(|i| i as u8).collect(),
        OID_GEN_CURRENT_PACKET_FILTER => (input.u32() & 0x3F).to_le_bytes().to_vec(),
        OID_GEN_CURRENT_LOOKAHEAD => (input.u32() % 2000).to_le_bytes().to_vec(),
        _ => input.u32().to_le_bytes().to_vec(),
    }
}

fn queue_spec(input: &mut Bytes) -> QueueSpec {
    let mut spec = QueueSpec::default();
    let knobs = input.u8();
    if knobs & 1 != 0 {
        spec.flags = input.u32() & 0x3;
    }
    if knobs & 2 != 0 {
        spec.lookahead = input.edgy_u32(128);
    }
    if knobs & 4 != 0 {
        spec.affinity = input.u64();
    }
    if knobs & 8 != 0 {
        spec.suggested_buffers = input.edgy_u32(64);
    } else {
        spec.suggested_buffers = 16 + u32::from(input.u8());
    }
    if knobs & 16 != 0 {
        spec.revision = input.u8() % 4;
    }
    if knobs & 32 != 0 {
        spec.queue_type = input.u32() as i32;
    }
    spec
}

fn filter_fields(input: &mut Bytes) -> Vec<FilterField> {
    let m = mac(input.u8() % 6);
    match input.u8() % 8 {
        0..=3 => vec![FilterField::DestinationMac { mac: m, untagged_or_zero: true }],
        4 => vec![FilterField::DestinationMac { mac: m, untagged_or_zero: false }, FilterField::VlanId(7)],
        5 => vec![FilterField::DestinationMac { mac: m, untagged_or_zero: input.u8() & 1 != 0 }],
        6 => vec![FilterField::VlanId(input.u16())],
        _ => (0..input.below(4))
            .map(|_| {
                if input.u8() & 1 == 0 {
                    FilterField::VlanId(input.u16() & 0x0FFF)
                } else {
                    FilterField::DestinationMac { mac: m, untagged_or_zero: input.u8() & 1 != 0 }
                }
            })
            .collect(),
    }
}

/// Field offsets worth mutating: the header, then each u32 of the fixed part.
const QUEUE_FIELDS: &[usize] = &[0, 4, 8, 12, 16, 24, 32, 36, 40];
const ARRAY_FIELDS: &[usize] = &[0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44];
const FILTER_FIELDS: &[usize] = &[0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 48, 52, 56, 60, 64, 72, 104, 108, 112, 120];

/// Applies 0..=3 mutations to a valid payload (0 most often, so valid requests stay common).
fn mutate(mut b: Vec<u8>, input: &mut Bytes, fields: &[usize]) -> Vec<u8> {
    let n = match input.u8() {
        0..=95 => 0,
        96..=191 => 1,
        192..=239 => 2,
        _ => 3,
    };
    for _ in 0..n {
        match input.u8() % 10 {
            0 => {
                // Header: Type, Revision or Size.
                let at = input.below(4);
                let v = input.u8();
                if let Some(x) = b.get_mut(at) {
                    *x = v;
                }
            }
            1..=4 => {
                let at = fields[input.below(fields.len())];
                let len = len32(&b);
                let v = input.edgy_u32(len);
                if let Some(dst) = b.get_mut(at..at + 4) {
                    dst.copy_from_slice(&v.to_le_bytes());
                }
            }
            5 => {
                let keep = input.below(b.len().max(1) + 1);
                b.truncate(keep);
            }
            6 => {
                let extra = usize::from(input.u16() % 512);
                b.resize(b.len() + extra, input.u8());
            }
            7 => {
                if !b.is_empty() {
                    let at = usize::from(input.u16()) % b.len();
                    b[at] ^= input.u8() | 1;
                }
            }
            8 => {
                let at = fields[input.below(fields.len())];
                if let Some(x) = b.get_mut(at) {
                    *x = input.u8();
                }
            }
            _ => {
                let keep = b.len().saturating_sub(1 + input.below(8));
                b.truncate(keep);
            }
        }
    }
    b
}

/// Runs a whole program on a fresh session and finishes it: the standalone form of a case.
pub fn run_program(data: &[u8], max_steps: usize) -> Result<(), Failure> {
    let mut input = Bytes::new(data);
    let variant = Variant(input.u8() % Variant::COUNT);
    let mut s = Session::new(variant, u64::from(input.u16()))?;
    for _ in 0..max_steps {
        if input.is_empty() {
            break;
        }
        s.step(&mut input)?;
    }
    s.finish()
}
