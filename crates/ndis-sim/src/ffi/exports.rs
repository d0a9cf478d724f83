//! The NDIS and ntoskrnl routines the driver imports, defined for host tests from the import
//! table (`ndis_sys::for_each_import!`): each converts its arguments to the model's types
//! ([`HostArg`]) and calls the model method the table names on the current host's
//! [`crate::model::Model`], or the hand-written glue in `adapters.rs`. The C runtime rows are
//! left to the platform's C runtime.
//!
//! The driver's declarations (in `ndis-sys`, unresolved off Windows) link against these. Each
//! definition is checked at compile time against the `ndis_sys::pfn::<Name>` pointer type.
//!
//! # Safety (all exports)
//! Callers must pass what the WDK prototype requires: pointers valid for the documented
//! structure sizes (or NULL where the prototype allows it) and handles NDIS returned. The
//! model validates handles, headers and the simple pointer errors it can see (NULL, the model's
//! own handles used as pointers) and records violations for them.

#![allow(non_snake_case)]

#[allow(clippy::wildcard_imports, reason = "the table's rows name their WDK types unqualified")]
use ndis_sys::*;

use super::abi::{HostArg, HostRet};
use super::{adapters, with_host};
use crate::model::lifecycle::Transition;

/// The table consumer: one `#[no_mangle]` export per `model` or `adapter` row.
macro_rules! host_exports {
    ($(
        $(#[doc = $doc:literal])*
        $dll:literal extern $abi:literal fn $name:ident $params:tt
            $(-> $rty:ty $(= $default:expr)?)? => $answer:ident $how:tt;
    )*) => {
        $(host_exports!(@row $answer $how [$(#[doc = $doc])*] $abi $name $params [$($rty $(= $default)?)?]);)*
    };
    // The platform's C runtime answers these on the host.
    (@row runtime $how:tt [$($doc:tt)*] $abi:literal $name:ident $params:tt [$($ret:tt)*]) => {};
    (@row adapter ($adapter:ident) [$($doc:tt)*] $abi:literal $name:ident
        ($($p:ident: $pty:ty),* $(,)?) [$($rty:ty)?]) => {
        host_exports!(@export [$($doc)*] $abi $name ($($p: $pty),*) [$($rty)?] { adapters::$adapter($($p),*) });
    };
    (@row model ($answer:expr) [$($doc:tt)*] $abi:literal $name:ident
        ($($p:ident: $pty:ty),* $(,)?) []) => {
        host_exports!(@export [$($doc)*] $abi $name ($($p: $pty),*) [] {
            $(#[allow(unused_variables)] let $p = <$pty as HostArg>::to_model($p);)*
            with_host(stringify!($name), (), $answer)
        });
    };
    (@row model ($answer:expr) [$($doc:tt)*] $abi:literal $name:ident
        ($($p:ident: $pty:ty),* $(,)?) [$rty:ty = $default:expr]) => {
        host_exports!(@export [$($doc)*] $abi $name ($($p: $pty),*) [$rty] {
            $(#[allow(unused_variables)] let $p = <$pty as HostArg>::to_model($p);)*
            <$rty as HostRet>::from_model(with_host(stringify!($name), $default, $answer))
        });
    };
    (@export [$($doc:tt)*] $abi:literal $name:ident ($($p:ident: $pty:ty),*) [$($rty:ty)?] $body:block) => {
        $($doc)*
        ///
        /// # Safety
        /// See the module documentation.
        #[unsafe(no_mangle)]
        pub unsafe extern $abi fn $name($($p: $pty),*) $(-> $rty)? $body
        const _: [pfn::$name; 2] = [ndis_sys::$name, $name];
    };
}

ndis_sys::for_each_import!(host_exports);
