//! Parsers for cloud audit trails.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod cloudtrail;
pub mod k8s_audit;

use tplus_model::Parser;

/// Every cloud parser, in sniffing tie-break order.
pub fn parsers() -> Vec<Box<dyn Parser>> {
    vec![
        Box::new(cloudtrail::CloudTrail),
        Box::new(k8s_audit::K8sAudit),
    ]
}
