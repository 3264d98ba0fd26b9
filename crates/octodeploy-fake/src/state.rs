//! The store: every repository, deployment and status of one server, the
//! id counters, and the operations the routes call, each applying
//! GitHub's rules from [`crate::rules`]. HTTP-free, so that it is unit
//! tested directly.
//!
//! Everything here works on owned data behind one [`std::sync::Mutex`] held
//! by the server; no method blocks or awaits.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::api_error::ApiError;
use crate::deployment_seed::DeploymentDetails;
pub(crate) use crate::model::{Deployment, User};
use crate::model::{DeploymentPage, DeploymentView, Repo, Status, StatusPage, StatusView};
pub use crate::model::{DeploymentState, UnknownState};
use crate::repo_settings::{AutoMerge, SettingChange};
use crate::request::{DeploymentFilter, NewDeployment, NewStatus};
use crate::rules::{self, Creation};

/// The whole server's data.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct State {
    repos: Vec<Repo>,
    /// Deployment ids are unique across the server, like GitHub's.
    deployment_ids: BTreeSet<u64>,
    /// The id the next status gets; never reused, not even after deletion.
    next_status_id: u64,
}

/// Why seed data was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SeedError {
    /// Owner and repository names: 1 to 100 ASCII letters, digits, `-`,
    /// `_` or `.`.
    #[error("{0:?} is not a valid repository owner or name")]
    BadName(String),
    /// Deployment ids are unique across the whole server, like GitHub's.
    #[error("deployment id {0} is used twice (ids are unique across the server)")]
    DuplicateDeployment(u64),
    /// Deployment ids start at 1.
    #[error("deployment id must be positive")]
    ZeroDeployment,
    /// A deployment needs an environment name.
    #[error("deployment {0} has an empty environment")]
    EmptyEnvironment(u64),
    /// Settings for a repository that does not exist.
    #[error("no repository {0}")]
    UnknownRepo(String),
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

impl State {
    /// An empty server; status ids start at 1.
    pub(crate) fn new() -> State {
        State {
            repos: Vec::new(),
            deployment_ids: BTreeSet::new(),
            next_status_id: 1,
        }
    }

    fn find_repo(&self, owner: &str, repo: &str) -> Option<usize> {
        // GitHub matches owner and repository names case-insensitively.
        self.repos
            .iter()
            .position(|r| r.owner.eq_ignore_ascii_case(owner) && r.name.eq_ignore_ascii_case(repo))
    }

    /// Adds an empty repository, or returns the index of the existing one
    /// (names compared case-insensitively).
    pub(crate) fn add_repo(&mut self, owner: &str, name: &str) -> Result<usize, SeedError> {
        for part in [owner, name] {
            if !valid_name(part) {
                return Err(SeedError::BadName(part.to_owned()));
            }
        }
        if let Some(index) = self.find_repo(owner, name) {
            return Ok(index);
        }
        self.repos.push(Repo {
            owner: owner.to_owned(),
            name: name.to_owned(),
            deployments: Default::default(),
            settings: Default::default(),
        });
        Ok(self.repos.len() - 1)
    }

    /// Adds a deployment without statuses to the repository at `repo_index`
    /// (seeding): ref `main`, task `deploy`, payload `{}` unless `details`
    /// say otherwise.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add_deployment(
        &mut self,
        repo_index: usize,
        id: u64,
        environment: &str,
        transient: bool,
        production: bool,
        details: &DeploymentDetails,
        creator: &User,
        now: DateTime<Utc>,
    ) -> Result<(), SeedError> {
        if id == 0 {
            return Err(SeedError::ZeroDeployment);
        }
        if environment.is_empty() {
            return Err(SeedError::EmptyEnvironment(id));
        }
        if self.deployment_ids.contains(&id) {
            return Err(SeedError::DuplicateDeployment(id));
        }
        let Some(repo) = self.repos.get_mut(repo_index) else {
            return Err(SeedError::BadName(format!("#{repo_index}")));
        };
        let git_ref = details.git_ref.clone().unwrap_or_else(|| "main".to_owned());
        let sha = details.sha.clone().unwrap_or_else(|| {
            repo.settings
                .resolve(&repo.owner, &repo.name, &git_ref)
                .unwrap_or_else(|| {
                    crate::repo_settings::derived_sha(&repo.owner, &repo.name, &git_ref)
                })
        });
        repo.deployments.insert(
            id,
            Deployment {
                id,
                git_ref,
                sha,
                task: details
                    .task
                    .clone()
                    .unwrap_or_else(|| crate::request::DEFAULT_TASK.to_owned()),
                payload: details
                    .payload
                    .clone()
                    .unwrap_or_else(|| serde_json::json!({})),
                original_environment: environment.to_owned(),
                environment: environment.to_owned(),
                description: details.description.clone(),
                transient,
                production,
                creator: creator.clone(),
                created_at: details.created_at.unwrap_or(now),
                statuses: Vec::new(),
            },
        );
        self.deployment_ids.insert(id);
        Ok(())
    }

    /// Applies setting changes to the repository at `repo_index`.
    pub(crate) fn apply_settings_at(&mut self, repo_index: usize, changes: &[SettingChange]) {
        if let Some(repo) = self.repos.get_mut(repo_index) {
            for change in changes {
                repo.settings.apply(change);
            }
        }
    }

    /// Applies setting changes to an existing repository.
    pub(crate) fn apply_settings(
        &mut self,
        owner: &str,
        repo: &str,
        changes: &[SettingChange],
    ) -> Result<(), SeedError> {
        let index = self
            .find_repo(owner, repo)
            .ok_or_else(|| SeedError::UnknownRepo(format!("{owner}/{repo}")))?;
        self.apply_settings_at(index, changes);
        Ok(())
    }

    fn take_status_id(&mut self) -> u64 {
        let id = self.next_status_id;
        self.next_status_id += 1;
        id
    }

    /// Appends a status as it is, without `auto_inactive` (seeding).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push_seed_status(
        &mut self,
        repo_index: usize,
        deployment_id: u64,
        state: DeploymentState,
        description: String,
        log_url: String,
        environment_url: String,
        creator: &User,
        created_at: DateTime<Utc>,
    ) -> Option<u64> {
        let id = self.take_status_id();
        let deployment = self
            .repos
            .get_mut(repo_index)?
            .deployments
            .get_mut(&deployment_id)?;
        // A deployment is not created after its statuses.
        deployment.created_at = deployment.created_at.min(created_at);
        deployment.statuses.push(Status {
            id,
            state,
            description,
            environment: deployment.environment.clone(),
            log_url,
            environment_url,
            creator: creator.clone(),
            created_at,
        });
        Some(id)
    }

    fn repo(&self, owner: &str, repo: &str) -> Result<&Repo, ApiError> {
        self.find_repo(owner, repo)
            .and_then(|index| self.repos.get(index))
            .ok_or(ApiError::NotFound)
    }

    fn deployment(
        &self,
        owner: &str,
        repo: &str,
        deployment_id: u64,
    ) -> Result<(&Repo, &Deployment), ApiError> {
        let repo = self.repo(owner, repo)?;
        let deployment = repo
            .deployments
            .get(&deployment_id)
            .ok_or(ApiError::NotFound)?;
        Ok((repo, deployment))
    }

    fn view(repo: &Repo, deployment_id: u64, status: &Status) -> StatusView {
        StatusView {
            owner: repo.owner.clone(),
            repo: repo.name.clone(),
            deployment_id,
            status: status.clone(),
        }
    }

    /// `GET .../statuses`: one page, newest first. `page` counts from 1.
    pub(crate) fn list_statuses(
        &self,
        owner: &str,
        repo: &str,
        deployment_id: u64,
        per_page: usize,
        page: usize,
    ) -> Result<StatusPage, ApiError> {
        let (repo, deployment) = self.deployment(owner, repo, deployment_id)?;
        let skip = page.saturating_sub(1).saturating_mul(per_page);
        let items = deployment
            .statuses
            .iter()
            .rev()
            .skip(skip)
            .take(per_page)
            .map(|status| Self::view(repo, deployment_id, status))
            .collect();
        Ok(StatusPage {
            owner: repo.owner.clone(),
            repo: repo.name.clone(),
            total: deployment.statuses.len(),
            items,
        })
    }

    /// `GET .../statuses/{status_id}`.
    pub(crate) fn get_status(
        &self,
        owner: &str,
        repo: &str,
        deployment_id: u64,
        status_id: u64,
    ) -> Result<StatusView, ApiError> {
        let (repo, deployment) = self.deployment(owner, repo, deployment_id)?;
        let status = deployment
            .statuses
            .iter()
            .find(|status| status.id == status_id)
            .ok_or(ApiError::NotFound)?;
        Ok(Self::view(repo, deployment_id, status))
    }

    /// `POST .../statuses`: appends the status, moves the deployment to the
    /// status's `environment` when one is given, then applies
    /// `auto_inactive`: on `success`, every *other* deployment of the same
    /// repository in the same environment that is neither transient nor
    /// production and whose latest state is `success` gets a new `inactive`
    /// status (ids after the new status's).
    pub(crate) fn create_status(
        &mut self,
        owner: &str,
        repo: &str,
        deployment_id: u64,
        new: NewStatus,
        creator: &User,
        now: DateTime<Utc>,
    ) -> Result<StatusView, ApiError> {
        let repo_index = self.find_repo(owner, repo).ok_or(ApiError::NotFound)?;
        let exists = self
            .repos
            .get(repo_index)
            .is_some_and(|r| r.deployments.contains_key(&deployment_id));
        if !exists {
            return Err(ApiError::NotFound);
        }
        let id = self.take_status_id();
        let Some(repo) = self.repos.get_mut(repo_index) else {
            return Err(ApiError::NotFound);
        };
        let Some(deployment) = repo.deployments.get_mut(&deployment_id) else {
            return Err(ApiError::NotFound);
        };
        if let Some(environment) = new.environment {
            deployment.environment = environment;
        }
        let status = Status {
            id,
            state: new.state,
            description: new.description,
            environment: deployment.environment.clone(),
            log_url: new.log_url,
            environment_url: new.environment_url,
            creator: creator.clone(),
            created_at: now,
        };
        deployment.statuses.push(status.clone());

        if new.state == DeploymentState::Success && new.auto_inactive {
            let superseded = rules::superseded(repo, deployment_id);
            for other_id in superseded {
                let inactive_id = self.take_status_id();
                if let Some(other) = self
                    .repos
                    .get_mut(repo_index)
                    .and_then(|r| r.deployments.get_mut(&other_id))
                {
                    other.statuses.push(Status {
                        id: inactive_id,
                        state: DeploymentState::Inactive,
                        description: String::new(),
                        environment: other.environment.clone(),
                        log_url: String::new(),
                        environment_url: String::new(),
                        creator: creator.clone(),
                        created_at: now,
                    });
                }
            }
        }
        let repo = self.repos.get(repo_index).ok_or(ApiError::NotFound)?;
        Ok(Self::view(repo, deployment_id, &status))
    }

    /// `DELETE .../deployments/{id}`: a repository's only deployment can be
    /// deleted whatever its state; with several, only one whose latest
    /// status is `inactive`. Its statuses go with it.
    pub(crate) fn delete_deployment(
        &mut self,
        owner: &str,
        repo: &str,
        deployment_id: u64,
    ) -> Result<(), ApiError> {
        let repo_index = self.find_repo(owner, repo).ok_or(ApiError::NotFound)?;
        let repo = self.repos.get_mut(repo_index).ok_or(ApiError::NotFound)?;
        rules::may_delete(repo, deployment_id)?;
        repo.deployments.remove(&deployment_id);
        // The id stays taken: GitHub never hands out a deployment id twice.
        Ok(())
    }

    fn deployment_view(repo: &Repo, deployment: &Deployment) -> DeploymentView {
        DeploymentView {
            owner: repo.owner.clone(),
            repo: repo.name.clone(),
            deployment: deployment.clone(),
        }
    }

    /// `POST .../deployments`: decides the outcome ([`rules::creation`]);
    /// on 201 stores the deployment with the next id (ids increase across
    /// the server and are never reused). A 202 leaves the ref up to date,
    /// so asking again creates the deployment.
    pub(crate) fn create_deployment(
        &mut self,
        owner: &str,
        repo: &str,
        new: NewDeployment,
        creator: &User,
        now: DateTime<Utc>,
    ) -> Result<Created, ApiError> {
        let repo_index = self.find_repo(owner, repo).ok_or(ApiError::NotFound)?;
        let id = self.deployment_ids.last().map_or(1, |last| last + 1);
        let repo = self.repos.get_mut(repo_index).ok_or(ApiError::NotFound)?;
        let sha = match rules::creation(repo, &new)? {
            Creation::AutoMerged { message } => {
                repo.settings.auto_merge = AutoMerge::UpToDate;
                return Ok(Created::AutoMerged(message));
            }
            Creation::Create { sha } => sha,
        };
        let production = new
            .production
            .unwrap_or_else(|| rules::production_default(&new.environment));
        let deployment = Deployment {
            id,
            git_ref: new.git_ref,
            sha,
            task: new.task,
            payload: new.payload,
            original_environment: new.environment.clone(),
            environment: new.environment,
            description: new.description,
            transient: new.transient,
            production,
            creator: creator.clone(),
            created_at: now,
            statuses: Vec::new(),
        };
        let view = Self::deployment_view(repo, &deployment);
        repo.deployments.insert(id, deployment);
        self.deployment_ids.insert(id);
        Ok(Created::Deployment(Box::new(view)))
    }

    /// `GET .../deployments`: one page of the deployments matching
    /// `filter`, newest (highest id) first. `page` counts from 1.
    pub(crate) fn list_deployments(
        &self,
        owner: &str,
        repo: &str,
        filter: &DeploymentFilter,
        per_page: usize,
        page: usize,
    ) -> Result<DeploymentPage, ApiError> {
        let repo = self.repo(owner, repo)?;
        let matches = |d: &&Deployment| {
            filter
                .sha
                .as_ref()
                .is_none_or(|sha| d.sha.eq_ignore_ascii_case(sha))
                && filter.git_ref.as_ref().is_none_or(|r| d.git_ref == *r)
                && filter.task.as_ref().is_none_or(|t| d.task == *t)
                && filter
                    .environment
                    .as_ref()
                    .is_none_or(|e| d.environment == *e)
        };
        let matching: Vec<&Deployment> = repo.deployments.values().rev().filter(matches).collect();
        let skip = page.saturating_sub(1).saturating_mul(per_page);
        let items = matching
            .iter()
            .skip(skip)
            .take(per_page)
            .map(|d| Self::deployment_view(repo, d))
            .collect();
        Ok(DeploymentPage {
            owner: repo.owner.clone(),
            repo: repo.name.clone(),
            total: matching.len(),
            items,
        })
    }

    /// `GET .../deployments/{id}`.
    pub(crate) fn get_deployment(
        &self,
        owner: &str,
        repo: &str,
        deployment_id: u64,
    ) -> Result<DeploymentView, ApiError> {
        let (repo, deployment) = self.deployment(owner, repo, deployment_id)?;
        Ok(Self::deployment_view(repo, deployment))
    }

    /// The canonical `(owner, name)` of the repository holding a deployment.
    pub(crate) fn repo_of(&self, deployment_id: u64) -> Option<(String, String)> {
        self.repos
            .iter()
            .find(|r| r.deployments.contains_key(&deployment_id))
            .map(|r| (r.owner.clone(), r.name.clone()))
    }

    /// Whether the deployment exists (checked before a body is validated,
    /// as GitHub answers 404 before 422).
    pub(crate) fn has_deployment(&self, owner: &str, repo: &str, deployment_id: u64) -> bool {
        self.deployment(owner, repo, deployment_id).is_ok()
    }

    /// Every repository's `(owner, name)` (for the GitHub App's installation).
    pub(crate) fn repo_names(&self) -> impl Iterator<Item = (&str, &str)> {
        self.repos
            .iter()
            .map(|r| (r.owner.as_str(), r.name.as_str()))
    }

    /// `POST .../dispatches`: the repository's canonical `(owner, name)`.
    pub(crate) fn dispatch_target(
        &self,
        owner: &str,
        repo: &str,
    ) -> Result<(String, String), ApiError> {
        let repo = self.repo(owner, repo)?;
        Ok((repo.owner.clone(), repo.name.clone()))
    }

    /// A copy of one deployment, for inspection from tests.
    pub(crate) fn find_deployment(
        &self,
        owner: &str,
        repo: &str,
        deployment_id: u64,
    ) -> Option<Deployment> {
        self.deployment(owner, repo, deployment_id)
            .ok()
            .map(|(_, deployment)| deployment.clone())
    }
}
/// What a valid create-deployment request led to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Created {
    /// 201 with the new deployment.
    Deployment(Box<DeploymentView>),
    /// 202 with GitHub's message; nothing was created.
    AutoMerged(String),
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use serde_json::json;

    fn user() -> User {
        User {
            login: "octocat".into(),
            id: 1,
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-05-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn status(state: &str) -> NewStatus {
        NewStatus::from_json(&json!({ "state": state })).unwrap()
    }

    fn state_with(deployments: &[(u64, &str, bool, bool)]) -> State {
        let mut state = State::new();
        let repo = state.add_repo("octo-org", "app").unwrap();
        for (id, env, transient, production) in deployments {
            state
                .add_deployment(
                    repo,
                    *id,
                    env,
                    *transient,
                    *production,
                    &DeploymentDetails::default(),
                    &user(),
                    now(),
                )
                .unwrap();
        }
        state
    }

    fn latest(state: &State, id: u64) -> Option<DeploymentState> {
        state
            .find_deployment("octo-org", "app", id)
            .unwrap()
            .latest_state()
    }

    #[test]
    fn status_ids_increase_across_deployments() {
        let mut state = state_with(&[(1, "staging", false, false), (2, "qa", false, false)]);
        let a = state
            .create_status("octo-org", "app", 1, status("pending"), &user(), now())
            .unwrap();
        let b = state
            .create_status("octo-org", "app", 2, status("pending"), &user(), now())
            .unwrap();
        let c = state
            .create_status("OCTO-ORG", "App", 1, status("queued"), &user(), now())
            .unwrap();
        assert_eq!(
            (a.status.id, b.status.id, c.status.id),
            (1, 2, 3),
            "ids are global and owner/repo match case-insensitively"
        );
        assert_eq!(c.owner, "octo-org");
    }

    #[test]
    fn log_url_sets_target_url_and_environment_moves_the_deployment() {
        let mut state = state_with(&[(1, "staging", false, false)]);
        let new = NewStatus::from_json(&json!({
            "state": "in_progress",
            "target_url": "https://old.example.com",
            "log_url": "https://ci.example.com/1",
            "environment": "qa",
        }))
        .unwrap();
        let view = state
            .create_status("octo-org", "app", 1, new, &user(), now())
            .unwrap();
        assert_eq!(view.status.log_url, "https://ci.example.com/1");
        assert_eq!(view.status.environment, "qa");
        let only_target = NewStatus::from_json(&json!({
            "state": "queued", "target_url": "https://old.example.com"
        }))
        .unwrap();
        assert_eq!(only_target.log_url, "https://old.example.com");
    }

    #[test]
    fn auto_inactive_marks_other_successful_plain_deployments() {
        let mut state = state_with(&[
            (1, "staging", false, false), // success → inactive
            (2, "staging", true, false),  // transient: untouched
            (3, "staging", false, true),  // production flag: untouched
            (4, "staging", false, false), // failure: untouched
            (5, "qa", false, false),      // other environment: untouched
            (6, "staging", false, false), // the new one
        ]);
        // Set up without auto_inactive, so that only the last success acts.
        let quiet =
            NewStatus::from_json(&json!({"state": "success", "auto_inactive": false})).unwrap();
        for id in [1, 2, 3, 5] {
            state
                .create_status("octo-org", "app", id, quiet.clone(), &user(), now())
                .unwrap();
        }
        state
            .create_status("octo-org", "app", 4, status("failure"), &user(), now())
            .unwrap();
        let created = state
            .create_status("octo-org", "app", 6, status("success"), &user(), now())
            .unwrap();
        assert_eq!(latest(&state, 1), Some(DeploymentState::Inactive));
        let inactive = state.find_deployment("octo-org", "app", 1).unwrap();
        assert!(inactive.statuses.last().unwrap().id > created.status.id);
        assert_eq!(latest(&state, 2), Some(DeploymentState::Success));
        assert_eq!(latest(&state, 3), Some(DeploymentState::Success));
        assert_eq!(latest(&state, 4), Some(DeploymentState::Failure));
        assert_eq!(latest(&state, 5), Some(DeploymentState::Success));
        assert_eq!(latest(&state, 6), Some(DeploymentState::Success));
    }

    #[test]
    fn auto_inactive_false_and_non_success_leave_others_alone() {
        let mut state = state_with(&[(1, "staging", false, false), (2, "staging", false, false)]);
        state
            .create_status("octo-org", "app", 1, status("success"), &user(), now())
            .unwrap();
        let quiet =
            NewStatus::from_json(&json!({"state": "success", "auto_inactive": false})).unwrap();
        state
            .create_status("octo-org", "app", 2, quiet, &user(), now())
            .unwrap();
        state
            .create_status("octo-org", "app", 2, status("in_progress"), &user(), now())
            .unwrap();
        assert_eq!(latest(&state, 1), Some(DeploymentState::Success));
    }

    #[test]
    fn delete_rule() {
        let mut state = state_with(&[(1, "staging", false, false), (2, "production", false, true)]);
        assert_eq!(
            state.delete_deployment("octo-org", "app", 1),
            Err(ApiError::ActiveDeployment),
            "no status yet counts as active"
        );
        state
            .create_status("octo-org", "app", 1, status("failure"), &user(), now())
            .unwrap();
        assert_eq!(
            state.delete_deployment("octo-org", "app", 1),
            Err(ApiError::ActiveDeployment)
        );
        state
            .create_status("octo-org", "app", 1, status("inactive"), &user(), now())
            .unwrap();
        assert_eq!(state.delete_deployment("octo-org", "app", 1), Ok(()));
        assert_eq!(
            state.delete_deployment("octo-org", "app", 1),
            Err(ApiError::NotFound)
        );
        state
            .create_status("octo-org", "app", 2, status("success"), &user(), now())
            .unwrap();
        assert_eq!(
            state.delete_deployment("octo-org", "app", 2),
            Ok(()),
            "the only one"
        );
        assert!(state.find_deployment("octo-org", "app", 2).is_none());
    }

    #[test]
    fn seeding_merges_repos_and_rejects_duplicate_ids() {
        let mut state = State::new();
        let repo = state.add_repo("octo-org", "app").unwrap();
        assert_eq!(state.add_repo("Octo-Org", "APP"), Ok(repo));
        assert!(state.add_repo("octo org", "app").is_err());
        state
            .add_deployment(
                repo,
                7,
                "qa",
                false,
                false,
                &DeploymentDetails::default(),
                &user(),
                now(),
            )
            .unwrap();
        let other = state.add_repo("octo-org", "other").unwrap();
        assert_eq!(
            state.add_deployment(
                other,
                7,
                "qa",
                false,
                false,
                &DeploymentDetails::default(),
                &user(),
                now()
            ),
            Err(SeedError::DuplicateDeployment(7))
        );
    }
}
