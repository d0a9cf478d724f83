//! Builders for the ARM / ARM64 coprocessor register requests (`uc_arm_cp_reg`,
//! `uc_arm64_cp_reg`), read and written through `UC_ARM_REG_CP_REG` / `UC_ARM64_REG_CP_REG`.

use crate::bindings::{RegisterARM64CP, RegisterARMCP};

/// `const fn` setters, one per field, each returning the updated value.
macro_rules! setters {
    ($ty:ty { $($field:ident: $field_ty:ty),* $(,)? }) => {
        impl $ty {
            $(
                #[doc = concat!("Sets `", stringify!($field), "`.")]
                #[must_use]
                pub const fn $field(mut self, $field: $field_ty) -> Self {
                    self.$field = $field;
                    self
                }
            )*
        }
    };
}

impl RegisterARMCP {
    /// Every field zero.
    #[must_use]
    pub const fn new() -> Self {
        Self { cp: 0, is64: 0, sec: 0, crn: 0, crm: 0, opc1: 0, opc2: 0, val: 0 }
    }
}

impl Default for RegisterARMCP {
    fn default() -> Self {
        Self::new()
    }
}

setters!(RegisterARMCP { cp: u32, is64: u32, sec: u32, crn: u32, crm: u32, opc1: u32, opc2: u32, val: u64 });

impl RegisterARM64CP {
    /// Every field zero.
    #[must_use]
    pub const fn new() -> Self {
        Self { crn: 0, crm: 0, op0: 0, op1: 0, op2: 0, val: 0 }
    }
}

impl Default for RegisterARM64CP {
    fn default() -> Self {
        Self::new()
    }
}

setters!(RegisterARM64CP { crn: u32, crm: u32, op0: u32, op1: u32, op2: u32, val: u64 });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setters_set_their_field_only() {
        let cp = RegisterARMCP::new().cp(15).crn(1).opc2(2).val(7);
        assert_eq!((cp.cp, cp.is64, cp.crn, cp.crm, cp.opc2, cp.val), (15, 0, 1, 0, 2, 7));
        let cp64 = RegisterARM64CP::default().op0(3).crm(4);
        assert_eq!((cp64.crn, cp64.crm, cp64.op0, cp64.op1, cp64.val), (0, 4, 3, 0, 0));
    }
}
