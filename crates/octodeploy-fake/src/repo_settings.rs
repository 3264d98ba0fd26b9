//! How creating a deployment turns out in one repository: whether the ref
//! is behind the default branch (so `auto_merge` merges, answering 202, or
//! conflicts, answering 409), which commit-status contexts exist and in
//! which state (failing required contexts answer 409), and which refs exist
//! (an unknown ref answers 422). Set when seeding ([`RepoBuilder`]) or
//! while the fake runs ([`FakeGitHub::configure_repo`]).
//!
//! Decisions where GitHub's documentation is silent: commit statuses are
//! per repository, not per commit (every ref sees the same contexts); a
//! required context that was never submitted is reported as `pending`;
//! after a 202 the ref counts as up to date, so the next request creates
//! the deployment ("a new request to create a deployment should give a
//! successful response"). Without seeded refs any ref exists, and its SHA
//! is derived from the repository and ref names (a 40-hex-digit ref is its
//! own SHA).

use std::collections::BTreeMap;
use std::fmt;

use sha2::{Digest, Sha256};

use crate::FakeGitHub;
use crate::builder::RepoBuilder;
use crate::error::FakeError;
use crate::routes::lock;

/// What `auto_merge` finds when a deployment is requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AutoMerge {
    /// The ref contains the default branch: the deployment is created (201).
    #[default]
    UpToDate,
    /// The ref is behind and merges cleanly: GitHub merges the default
    /// branch into it and answers 202 without creating a deployment.
    Merges,
    /// The ref is behind and does not merge: 409 `Conflict merging …`.
    Conflicts,
}

/// The state of a commit status (`repos/create-commit-status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CommitState {
    /// `error`
    Error,
    /// `failure`
    Failure,
    /// `pending`
    Pending,
    /// `success`
    Success,
}

impl CommitState {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            CommitState::Error => "error",
            CommitState::Failure => "failure",
            CommitState::Pending => "pending",
            CommitState::Success => "success",
        }
    }
}

impl fmt::Display for CommitState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One repository's switches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RepoSettings {
    pub(crate) default_branch: String,
    pub(crate) auto_merge: AutoMerge,
    /// `(context, state)` in the order first set.
    pub(crate) commit_statuses: Vec<(String, CommitState)>,
    /// Ref name → SHA; empty means "every ref exists".
    pub(crate) refs: BTreeMap<String, String>,
}

impl Default for RepoSettings {
    fn default() -> Self {
        RepoSettings {
            default_branch: "main".to_owned(),
            auto_merge: AutoMerge::UpToDate,
            commit_statuses: Vec::new(),
            refs: BTreeMap::new(),
        }
    }
}

/// One change to a repository's switches, applied in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SettingChange {
    DefaultBranch(String),
    AutoMerge(AutoMerge),
    CommitStatus(String, CommitState),
    Ref(String, String),
}

impl RepoSettings {
    pub(crate) fn apply(&mut self, change: &SettingChange) {
        match change {
            SettingChange::DefaultBranch(name) => self.default_branch.clone_from(name),
            SettingChange::AutoMerge(outcome) => self.auto_merge = *outcome,
            SettingChange::CommitStatus(context, state) => {
                match self.commit_statuses.iter_mut().find(|(c, _)| c == context) {
                    Some(entry) => entry.1 = *state,
                    None => self.commit_statuses.push((context.clone(), *state)),
                }
            }
            SettingChange::Ref(name, sha) => {
                self.refs.insert(name.clone(), sha.clone());
            }
        }
    }

    /// The SHA `git_ref` points to, `None` when the repository has seeded
    /// refs and this is not one of them (nor a SHA of one).
    pub(crate) fn resolve(&self, owner: &str, repo: &str, git_ref: &str) -> Option<String> {
        if self.refs.is_empty() {
            if git_ref.len() == 40 && git_ref.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Some(git_ref.to_ascii_lowercase());
            }
            return Some(derived_sha(owner, repo, git_ref));
        }
        if let Some(sha) = self.refs.get(git_ref) {
            return Some(sha.clone());
        }
        self.refs
            .values()
            .find(|sha| sha.eq_ignore_ascii_case(git_ref))
            .cloned()
    }
}

/// A stable, SHA-1-length hex digest of `owner/repo@ref`.
pub(crate) fn derived_sha(owner: &str, repo: &str, git_ref: &str) -> String {
    let digest = Sha256::digest(
        format!(
            "{}/{}@{git_ref}",
            owner.to_ascii_lowercase(),
            repo.to_ascii_lowercase()
        )
        .as_bytes(),
    );
    digest
        .iter()
        .take(20)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

impl RepoBuilder {
    /// The default branch `auto_merge` merges from (default `main`).
    pub fn default_branch(mut self, name: impl Into<String>) -> RepoBuilder {
        self.settings
            .push(SettingChange::DefaultBranch(name.into()));
        self
    }

    /// What `auto_merge` finds when a deployment is requested (default
    /// [`AutoMerge::UpToDate`]).
    pub fn auto_merge(mut self, outcome: AutoMerge) -> RepoBuilder {
        self.settings.push(SettingChange::AutoMerge(outcome));
        self
    }

    /// Sets the state of one commit-status context (seen by every ref).
    pub fn commit_status(mut self, context: impl Into<String>, state: CommitState) -> RepoBuilder {
        self.settings
            .push(SettingChange::CommitStatus(context.into(), state));
        self
    }

    /// Adds a ref pointing at `sha`. Once a repository has refs, only
    /// they (and their SHAs) can be deployed; others answer 422.
    pub fn git_ref(mut self, name: impl Into<String>, sha: impl Into<String>) -> RepoBuilder {
        self.settings
            .push(SettingChange::Ref(name.into(), sha.into()));
        self
    }
}

impl FakeGitHub {
    /// Changes a running repository's switches (auto-merge outcome, commit
    /// statuses, refs): `fake.configure_repo("o", "r", |r|
    /// r.auto_merge(AutoMerge::Merges))`. Deployments given here are
    /// ignored; use [`FakeGitHub::add_repo`] for those.
    ///
    /// # Errors
    /// [`FakeError::Seed`] when the repository does not exist.
    pub fn configure_repo(
        &self,
        owner: &str,
        name: &str,
        configure: impl FnOnce(RepoBuilder) -> RepoBuilder,
    ) -> Result<(), FakeError> {
        let changes = configure(RepoBuilder::new(owner.to_owned(), name.to_owned())).settings;
        lock(&self.app.state).apply_settings(owner, name, &changes)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_resolve() {
        let mut settings = RepoSettings::default();
        let sha = settings.resolve("o", "r", "main").unwrap_or_default();
        assert_eq!(sha.len(), 40);
        assert_eq!(
            settings.resolve("O", "R", "main").as_deref(),
            Some(sha.as_str())
        );
        assert_ne!(
            settings.resolve("o", "r", "dev").as_deref(),
            Some(sha.as_str())
        );
        let full = "A84D88E7554FC1FA21BCBC4EFAE3C782A70D2B9D";
        assert_eq!(
            settings.resolve("o", "r", full).as_deref(),
            Some("a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d")
        );
        settings.apply(&SettingChange::Ref("main".into(), "abc".into()));
        assert_eq!(settings.resolve("o", "r", "main").as_deref(), Some("abc"));
        assert_eq!(settings.resolve("o", "r", "ABC").as_deref(), Some("abc"));
        assert_eq!(settings.resolve("o", "r", "dev"), None);
    }

    #[test]
    fn commit_statuses_update_in_place() {
        let mut settings = RepoSettings::default();
        settings.apply(&SettingChange::CommitStatus(
            "ci".into(),
            CommitState::Pending,
        ));
        settings.apply(&SettingChange::CommitStatus(
            "lint".into(),
            CommitState::Success,
        ));
        settings.apply(&SettingChange::CommitStatus(
            "ci".into(),
            CommitState::Success,
        ));
        assert_eq!(
            settings.commit_statuses,
            [
                ("ci".to_owned(), CommitState::Success),
                ("lint".to_owned(), CommitState::Success)
            ]
        );
    }
}
