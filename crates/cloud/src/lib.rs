//! Parsers for cloud audit trails.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod azure_activity;
pub mod cloudtrail;
mod frame;
pub mod gcp_audit;
pub mod k8s_audit;

use tplus_model::Parser;

/// Every cloud parser, in sniffing tie-break order.
pub fn parsers() -> Vec<Box<dyn Parser>> {
    vec![
        Box::new(cloudtrail::CloudTrail),
        Box::new(k8s_audit::K8sAudit),
        Box::new(gcp_audit::GcpAudit),
        Box::new(azure_activity::AzureActivity),
    ]
}
