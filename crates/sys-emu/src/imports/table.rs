//! The emulator's handler lookup, generated from the import table (`ndis_sys::for_each_import!`):
//! a `model` row reads its arguments from the slots by their C types ([`GuestArg`]) and calls
//! the model method the table names over guest memory, as `ndis-sim`'s host export does over
//! host memory; an `adapter` or `runtime` row is answered by the hand-written handler of that
//! name in `ndis.rs` / `ntos.rs`.

#![allow(non_snake_case)]

use ndis_sim::model::lifecycle::Transition;
#[allow(clippy::wildcard_imports, reason = "the table's rows name their WDK types unqualified")]
use ndis_sys::*;

use super::abi::{GuestArg, GuestRet};
use super::ndis::{
    acquire_spin_lock, allocate_net_buffer_sg_list, dpr_acquire_spin_lock, flush_queued_dpcs, register_miniport_driver,
    synchronize_with_interrupt,
};
use super::ntos::{bug_check, chkstk, dbg_print, memcmp, memcpy, memmove, memset, strlen};
use super::{Handler, Ret, model};

/// The table consumer: `handler(name)`, one match arm per row.
macro_rules! guest_handlers {
    ($(
        $(#[doc = $doc:literal])*
        $dll:literal extern $abi:literal fn $name:ident $params:tt
            $(-> $rty:ty $(= $default:expr)?)? => $answer:ident $how:tt;
    )*) => {
        /// The handler of the table row `name`, if there is one.
        pub fn handler(name: &str) -> Option<Handler> {
            let h: Handler = match name {
                $(stringify!($name) => guest_handlers!(@row $answer $how $name $params [$($rty $(= $default)?)?]),)*
                _ => return None,
            };
            Some(h)
        }
    };
    (@row adapter ($handler:ident) $name:ident $params:tt [$($ret:tt)*]) => {
        $handler
    };
    (@row runtime ($handler:ident) $name:ident $params:tt [$($ret:tt)*]) => {
        $handler
    };
    (@row model ($answer:expr) $name:ident ($($p:ident: $pty:ty),* $(,)?) []) => {
        |uc, a| {
            guest_handlers!(@args a $($p: $pty),*);
            model(uc, stringify!($name), (), $answer);
            Ret::Value(0)
        }
    };
    (@row model ($answer:expr) $name:ident ($($p:ident: $pty:ty),* $(,)?) [$rty:ty = $default:expr]) => {
        |uc, a| {
            guest_handlers!(@args a $($p: $pty),*);
            <$rty as GuestRet>::to_ret(model(uc, stringify!($name), $default, $answer))
        }
    };
    // Binds each parameter, by its WDK name, to its slot (rcx, rdx, r8, r9, then the stack;
    // more than six parameters would not compile) converted by its C type.
    (@args $a:ident $($p:ident: $pty:ty),*) => {
        #[allow(unused_variables)]
        let [$($p,)* ..] = $a.v;
        $(#[allow(unused_variables)] let $p = <$pty as GuestArg>::from_slot($p);)*
    };
}

ndis_sys::for_each_import!(guest_handlers);

#[cfg(test)]
mod tests {
    #[test]
    fn every_import_has_a_handler() {
        for import in ndis_sys::IMPORTS {
            assert!(super::handler(import.name).is_some(), "{}", import.name);
        }
        assert!(super::handler("ZwBogusRoutine").is_none());
    }
}
