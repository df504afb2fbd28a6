//! Parsers for authentication and access logs.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod journald;
pub mod linux_auth;
pub mod syslog;

use tplus_model::Parser;

mod entra;
mod idp_json;
mod okta;
mod utf16;
mod windows;
mod windows_ps;
mod windows_xml;

pub use entra::EntraSignIn;
pub use okta::OktaSystemLog;
pub use windows::{WindowsEvtx, WindowsJson};
pub use windows_ps::WindowsPowerShellJson;
pub use windows_xml::WindowsXml;

/// Every auth parser, in sniffing tie-break order.
pub fn parsers() -> Vec<Box<dyn Parser>> {
    vec![
        Box::new(syslog::Syslog),
        Box::new(journald::Journald),
        Box::new(OktaSystemLog),
        Box::new(EntraSignIn),
        Box::new(WindowsEvtx),
        Box::new(WindowsJson),
        Box::new(WindowsXml),
        Box::new(WindowsPowerShellJson),
    ]
}
