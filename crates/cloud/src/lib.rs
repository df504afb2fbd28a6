//! Parsers for cloud audit trails: AWS CloudTrail (`aws.cloudtrail`), GCP Cloud Audit Logs
//! (`gcp.audit`), Azure Activity Log (`azure.activity`), Kubernetes audit (`k8s.audit`) and the
//! Microsoft 365 unified audit log (`m365.audit`).
//!
//! Every parser frames records with the byte scanner of `tplus_model::json` and
//! deserialises each record alone, so each keeps its index and byte offset and one bad
//! record is one located error, never a lost file.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod azure;
pub mod cloudtrail;
mod frame;
pub mod gcp;
mod jsonx;
pub mod k8s;
pub mod m365;
mod walk;

use tplus_model::Parser;

pub use azure::AzureActivity;
pub use cloudtrail::CloudTrail;
pub use gcp::GcpAudit;
pub use k8s::K8sAudit;
pub use m365::M365Audit;

/// Every cloud parser, in sniffing tie-break order.
pub fn parsers() -> Vec<Box<dyn Parser>> {
    vec![
        Box::new(CloudTrail),
        Box::new(GcpAudit),
        Box::new(AzureActivity),
        Box::new(K8sAudit),
        Box::new(M365Audit),
    ]
}
