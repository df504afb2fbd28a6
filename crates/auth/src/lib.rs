//! Parsers for authentication and access logs.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

use tplus_model::Parser;

mod entra;
mod idp_json;
mod okta;
mod windows;

pub use entra::EntraSignIn;
pub use okta::OktaSystemLog;
pub use windows::{WindowsEvtx, WindowsJson};

/// Every auth parser, in sniffing tie-break order.
pub fn parsers() -> Vec<Box<dyn Parser>> {
    vec![
        Box::new(OktaSystemLog),
        Box::new(EntraSignIn),
        Box::new(WindowsEvtx),
        Box::new(WindowsJson),
    ]
}
