//! The seed's other documented way to retire a deployment, as one call:
//! `old.replace_with(repo.create_deployment(..))` creates the new
//! deployment, marks it `success` (which makes the old one inactive through
//! `auto_inactive` when GitHub applies it), makes sure the old one is
//! inactive, and deletes it.

use serde::Serialize;

use crate::deployments::Deployment;
use crate::deployments_create::{AutoMerged, CreateDeployment, CreateOutcome};
use crate::error::Error;
use crate::model::{DeploymentStatus, State};
use crate::repo::DeploymentHandle;

/// What [`DeploymentHandle::replace_with`] did.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[non_exhaustive]
#[allow(clippy::large_enum_variant)] // one value per call; boxing would only make matching clumsy
pub enum ReplaceOutcome {
    /// The new deployment is live and the old one is deleted.
    Replaced {
        /// The new deployment.
        deployment: Deployment,
        /// Its `success` status.
        status: DeploymentStatus,
        /// The deleted deployment's id.
        deleted: i64,
    },
    /// GitHub answered 202 (auto-merged): no deployment was created and
    /// the old one was left alone.
    AutoMerged(AutoMerged),
}

impl DeploymentHandle {
    /// Replaces this deployment: creates `new`, marks it `success`, then
    /// deletes this one (marking it `inactive` first when `auto_inactive`
    /// did not — production and transient deployments are exempt from it).
    ///
    /// Stops at the first failure and returns it: if the new deployment's
    /// status or the delete fails, the new deployment exists (look it up
    /// with `repo.deployments()`), and this one is still there.
    pub async fn replace_with(&self, new: CreateDeployment) -> Result<ReplaceOutcome, Error> {
        let created = new.send().await?.into_inner();
        let deployment = match created {
            CreateOutcome::Created(d) => d,
            CreateOutcome::AutoMerged(merged) => return Ok(ReplaceOutcome::AutoMerged(merged)),
        };
        let repo = self.repo();
        let status = repo
            .deployment(deployment.id)
            .create_status(State::Success)
            .send()
            .await?
            .into_inner();
        let latest = self
            .statuses()
            .per_page(1)
            .send()
            .await?
            .into_inner()
            .items
            .into_iter()
            .next();
        if latest.is_some_and(|s| s.state == State::Inactive) {
            self.delete().await?;
        } else {
            self.deactivate_and_delete().await?;
        }
        Ok(ReplaceOutcome::Replaced {
            deployment,
            status,
            deleted: self.id(),
        })
    }
}
