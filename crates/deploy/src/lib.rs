//! Parsers for deploy and change events.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod github_runs;

use tplus_model::Parser;

/// Every deploy parser, in sniffing tie-break order.
pub fn parsers() -> Vec<Box<dyn Parser>> {
    vec![Box::new(github_runs::GithubRuns)]
}
