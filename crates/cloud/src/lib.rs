//! Parsers for cloud audit trails: AWS CloudTrail (`aws.cloudtrail`), GCP Cloud Audit Logs
//! (`gcp.audit`), Azure Activity Log (`azure.activity`) and Kubernetes audit (`k8s.audit`).
//!
//! Every parser frames records with the byte scanner of `tplus_model::json` and
//! deserialises each record alone, so each keeps its index and byte offset and one bad
//! record is one located error, never a lost file.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod cloudtrail;
mod frame;
mod jsonx;

use tplus_model::Parser;

pub use cloudtrail::CloudTrail;

/// Every cloud parser, in sniffing tie-break order.
pub fn parsers() -> Vec<Box<dyn Parser>> {
    vec![Box::new(CloudTrail)]
}
