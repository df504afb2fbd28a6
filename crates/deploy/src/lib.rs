//! Parsers for deploy and change events: GitHub Actions runs and jobs, GitHub deployments,
//! GitHub and GitLab webhooks, Argo CD applications, Kubernetes events, Helm history and a
//! documented generic change-record format.
//!
//! Every parser keeps `records == events + skipped + errors`: structured inputs are framed
//! record by record with [`tplus_model::json`], so each record keeps its 0-based index and
//! byte offset and a bad record is one located error.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod argocd;
pub mod change;
mod common;
pub mod gha;
pub mod ghdeploy;
pub mod ghwebhook;
pub mod gitlab;
pub mod helm;
pub mod k8s;

use tplus_model::Parser;

/// Every deploy parser, in sniffing tie-break order.
pub fn parsers() -> Vec<Box<dyn Parser>> {
    vec![
        Box::new(gha::ActionsRuns),
        Box::new(gha::ActionsJobs),
        Box::new(ghdeploy::Deployments),
        Box::new(ghdeploy::DeploymentStatuses),
        Box::new(ghwebhook::GithubWebhooks),
        Box::new(gitlab::GitlabWebhooks),
        Box::new(gitlab::GitlabApi),
        Box::new(helm::HelmHistory),
        Box::new(argocd::ArgoApplications),
        Box::new(k8s::KubeEvents),
        Box::new(change::ChangeRecords),
    ]
}
