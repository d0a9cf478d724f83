//! Conversions between unicorn's enums and the integers its C API passes (`uc_open`'s arch,
//! `uc_ctl`'s CPU model, `uc_reg_read`'s register id).

use crate::bindings::{
    Arch, Arm64CpuModel, ArmCpuModel, M68kCpuModel, Mips32CpuModel, Mips64CpuModel, Mode, Ppc64CpuModel, PpcCpuModel,
    RegisterARM, RegisterARM64, RegisterM68K, RegisterMIPS, RegisterPPC, RegisterRISCV, RegisterS390X, RegisterSPARC,
    RegisterTRICORE, RegisterX86, Riscv32CpuModel, Riscv64CpuModel, S390xCpuModel, Sparc32CpuModel, Sparc64CpuModel,
    TricoreCpuModel, X86CpuModel, uc_error,
};

impl TryFrom<usize> for Arch {
    type Error = uc_error;

    /// Every `uc_arch` value (including `UC_ARCH_MAX`); anything else is `UC_ERR_ARCH`.
    fn try_from(v: usize) -> Result<Self, Self::Error> {
        const ALL: [Arch; 11] = [
            Arch::ARM,
            Arch::ARM64,
            Arch::MIPS,
            Arch::X86,
            Arch::PPC,
            Arch::SPARC,
            Arch::M68K,
            Arch::RISCV,
            Arch::S390X,
            Arch::TRICORE,
            Arch::MAX,
        ];
        ALL.into_iter().find(|arch| *arch as usize == v).ok_or(uc_error::ARCH)
    }
}

impl TryFrom<i32> for Mode {
    type Error = uc_error;

    /// A single `uc_mode` constant of any architecture; anything else (combinations included)
    /// is `UC_ERR_MODE`.
    fn try_from(v: i32) -> Result<Self, Self::Error> {
        const ALL: [Mode; 26] = [
            Mode::LITTLE_ENDIAN,
            Mode::BIG_ENDIAN,
            Mode::ARM,
            Mode::THUMB,
            Mode::MCLASS,
            Mode::V8,
            Mode::ARMBE8,
            Mode::ARM926,
            Mode::ARM946,
            Mode::ARM1176,
            Mode::MICRO,
            Mode::MIPS3,
            Mode::MIPS32R6,
            Mode::MIPS32,
            Mode::MIPS64,
            Mode::MODE_16,
            Mode::MODE_32,
            Mode::MODE_64,
            Mode::PPC32,
            Mode::PPC64,
            Mode::QPX,
            Mode::SPARC32,
            Mode::SPARC64,
            Mode::V9,
            Mode::RISCV32,
            Mode::RISCV64,
        ];
        // CAST: the C API passes modes as int; every constant is below 2^31.
        ALL.into_iter().find(|mode| mode.0 as i32 == v).ok_or(uc_error::MODE)
    }
}

/// `From<T> for i32` for C enums passed as `int` (`uc_reg_read`'s `regid`).
macro_rules! into_c_int {
    ($($ty:ty),* $(,)?) => {$(
        impl From<$ty> for i32 {
            fn from(value: $ty) -> Self {
                // CAST: the enum is `repr(u32)` with values far below 2^31.
                value as Self
            }
        }
    )*};
}

/// `From<T>` and `From<&T>` for `i32`, for CPU models (`uc_ctl_set_cpu_model`'s `int model`).
macro_rules! into_c_int_by_ref_too {
    ($($ty:ty),* $(,)?) => {$(
        into_c_int!($ty);
        impl From<&$ty> for i32 {
            fn from(value: &$ty) -> Self {
                // CAST: as above.
                *value as Self
            }
        }
    )*};
}

into_c_int_by_ref_too!(
    M68kCpuModel,
    X86CpuModel,
    ArmCpuModel,
    Arm64CpuModel,
    Mips32CpuModel,
    Mips64CpuModel,
    Sparc32CpuModel,
    Sparc64CpuModel,
    PpcCpuModel,
    Ppc64CpuModel,
    Riscv32CpuModel,
    Riscv64CpuModel,
    S390xCpuModel,
    TricoreCpuModel,
);

into_c_int!(
    RegisterM68K,
    RegisterX86,
    RegisterARM,
    RegisterARM64,
    RegisterMIPS,
    RegisterSPARC,
    RegisterPPC,
    RegisterRISCV,
    RegisterS390X,
    RegisterTRICORE,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arch_round_trips_and_rejects_unknown() {
        assert_eq!(Arch::try_from(Arch::X86 as usize), Ok(Arch::X86));
        assert_eq!(Arch::try_from(Arch::MAX as usize), Ok(Arch::MAX));
        assert_eq!(Arch::try_from(0), Err(uc_error::ARCH));
        assert_eq!(Arch::try_from(12), Err(uc_error::ARCH));
    }

    #[test]
    fn mode_accepts_constants_only() {
        assert_eq!(Mode::try_from(8), Ok(Mode::MODE_64));
        assert_eq!(Mode::try_from(1 << 30), Ok(Mode::BIG_ENDIAN));
        assert_eq!(Mode::try_from(0), Ok(Mode::LITTLE_ENDIAN));
        assert_eq!(Mode::try_from(2 | 4), Err(uc_error::MODE));
        assert_eq!(Mode::try_from(-1), Err(uc_error::MODE));
    }

    #[test]
    fn enums_become_their_c_values() {
        assert_eq!(i32::from(RegisterX86::RIP), RegisterX86::RIP as i32);
        assert_eq!(i32::from(&X86CpuModel::QEMU64), X86CpuModel::QEMU64 as i32);
        assert_eq!(i32::from(X86CpuModel::QEMU64), 0);
    }
}
