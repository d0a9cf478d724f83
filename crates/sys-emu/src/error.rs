//! Why an image did not load, and why an emulated run stopped.

use std::fmt;

/// Loading the image failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// The file could not be read.
    Io(String),
    /// The PE image is malformed or uses something the loader does not support.
    Image(String),
    /// The CPU emulator refused a setup step.
    Cpu(String),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "cannot read the image: {e}"),
            Self::Image(e) => write!(f, "bad image: {e}"),
            Self::Cpu(e) => write!(f, "emulator setup failed: {e}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// What stopped an emulated run. After the first stop the machine is dead: later driver calls
/// return `STATUS_UNSUCCESSFUL` without running guest code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EmuError {
    /// The driver called an import the emulator does not implement.
    UnknownImport(String),
    /// The driver called `KeBugCheckEx`.
    BugCheck {
        /// BugCheckCode.
        code: u32,
        /// BugCheckParameter1..4.
        parameters: [u64; 4],
    },
    /// A call used up its instruction budget (an endless loop, e.g. after a panic).
    Budget {
        /// The routine called.
        call: &'static str,
        /// The address where it stopped.
        rip: u64,
    },
    /// An import was called with a misaligned stack (`rsp % 16 != 8` at the call).
    StackAlignment {
        /// The import.
        import: String,
        /// rsp at the stub.
        rsp: u64,
    },
    /// The stack went below its 24 KiB (guard page or `__chkstk` probe).
    StackOverflow {
        /// The address accessed or probed.
        addr: u64,
        /// Where.
        rip: u64,
    },
    /// The CPU faulted (unmapped or protected memory, invalid instruction).
    Fault {
        /// What unicorn reported.
        reason: String,
        /// The address accessed (0 when unknown).
        addr: u64,
        /// Where.
        rip: u64,
    },
    /// A memory routine (`memcpy`, ...) touched memory that is not mapped.
    MemoryRoutine {
        /// The routine.
        routine: &'static str,
        /// The failed address.
        addr: u64,
    },
}

impl EmuError {
    /// The violation rule the model records for this stop.
    pub fn rule(&self) -> &'static str {
        match self {
            Self::UnknownImport(_) => "emulator.unknown-import",
            Self::BugCheck { .. } => "emulator.bugcheck",
            Self::Budget { .. } => "emulator.instruction-budget",
            Self::StackAlignment { .. } => "emulator.stack-alignment",
            Self::StackOverflow { .. } => "emulator.stack-overflow",
            Self::Fault { .. } => "emulator.cpu-fault",
            Self::MemoryRoutine { .. } => "emulator.memory-routine-fault",
        }
    }
}

impl fmt::Display for EmuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownImport(name) => write!(f, "the driver called {name}, which the emulator does not implement"),
            Self::BugCheck { code, parameters: p } => {
                write!(f, "KeBugCheckEx({code:#x}, {:#x}, {:#x}, {:#x}, {:#x})", p[0], p[1], p[2], p[3])
            }
            Self::Budget { call, rip } => write!(f, "{call} exceeded its instruction budget at {rip:#x}"),
            Self::StackAlignment { import, rsp } => {
                write!(f, "{import} called with rsp {rsp:#x} (rsp % 16 must be 8 at the call target)")
            }
            Self::StackOverflow { addr, rip } => write!(f, "kernel stack overflow: {addr:#x} touched at {rip:#x}"),
            Self::Fault { reason, addr, rip } => write!(f, "CPU fault ({reason}) at {rip:#x}, address {addr:#x}"),
            Self::MemoryRoutine { routine, addr } => write!(f, "{routine} touched unmapped memory at {addr:#x}"),
        }
    }
}

impl std::error::Error for EmuError {}
