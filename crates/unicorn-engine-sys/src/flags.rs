//! Combined hook types and the I/O bits of `uc_ctl` control codes (unicorn.h's `UC_HOOK_MEM_*`
//! unions and `UC_CTL_IO_READ` / `UC_CTL_IO_WRITE`, which are macros bindgen does not turn into
//! constants of these types).

use crate::bindings::{ControlType, HookType};

impl HookType {
    /// `UC_HOOK_MEM_UNMAPPED`: any access to unmapped memory.
    pub const MEM_UNMAPPED: Self =
        Self(Self::MEM_READ_UNMAPPED.0 | Self::MEM_WRITE_UNMAPPED.0 | Self::MEM_FETCH_UNMAPPED.0);
    /// `UC_HOOK_MEM_PROT`: any access that the protection forbids.
    pub const MEM_PROT: Self = Self(Self::MEM_READ_PROT.0 | Self::MEM_WRITE_PROT.0 | Self::MEM_FETCH_PROT.0);
    /// `UC_HOOK_MEM_VALID`: any successful access.
    pub const MEM_VALID: Self = Self(Self::MEM_READ.0 | Self::MEM_WRITE.0 | Self::MEM_FETCH.0);
    /// `UC_HOOK_MEM_READ_INVALID`: a read of unmapped or read-protected memory.
    pub const MEM_READ_INVALID: Self = Self(Self::MEM_READ_UNMAPPED.0 | Self::MEM_READ_PROT.0);
    /// `UC_HOOK_MEM_WRITE_INVALID`: a write to unmapped or write-protected memory.
    pub const MEM_WRITE_INVALID: Self = Self(Self::MEM_WRITE_UNMAPPED.0 | Self::MEM_WRITE_PROT.0);
    /// `UC_HOOK_MEM_FETCH_INVALID`: a fetch from unmapped or non-executable memory.
    pub const MEM_FETCH_INVALID: Self = Self(Self::MEM_FETCH_UNMAPPED.0 | Self::MEM_FETCH_PROT.0);
    /// `UC_HOOK_MEM_INVALID`: any invalid access.
    pub const MEM_INVALID: Self =
        Self(Self::MEM_READ_INVALID.0 | Self::MEM_WRITE_INVALID.0 | Self::MEM_FETCH_INVALID.0);
    /// `UC_HOOK_MEM_ALL`: every memory access, valid or not.
    pub const MEM_ALL: Self = Self(Self::MEM_VALID.0 | Self::MEM_INVALID.0);
}

impl ControlType {
    /// `UC_CTL_IO_READ`: the control call reads values back.
    pub const IO_READ: Self = Self(1 << 31);
    /// `UC_CTL_IO_WRITE`: the control call writes values.
    pub const IO_WRITE: Self = Self(1 << 30);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unions_match_unicorn_h() {
        // unicorn.h: UC_HOOK_MEM_READ_UNMAPPED = 1 << 4 ... UC_HOOK_MEM_FETCH = 1 << 12.
        assert_eq!(HookType::MEM_UNMAPPED.0, 0x70);
        assert_eq!(HookType::MEM_PROT.0, 0x380);
        assert_eq!(HookType::MEM_VALID.0, 0x1c00);
        assert_eq!(HookType::MEM_INVALID.0, 0x3f0);
        assert_eq!(HookType::MEM_ALL.0, 0x1ff0);
        assert_eq!(ControlType::IO_READ.0 | ControlType::IO_WRITE.0, 0xc000_0000);
    }
}
