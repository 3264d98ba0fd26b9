//! GitHub's deployment rules, as pure functions over the model: what
//! creating a deployment leads to, which deployments `auto_inactive`
//! supersedes, and which deployments may be deleted. [`crate::state`]
//! applies them.

use crate::api_error::ApiError;
use crate::model::{DeploymentState, Repo};
use crate::repo_settings::{AutoMerge, CommitState};
use crate::request::NewDeployment;

/// What a valid create-deployment request leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Creation {
    /// 201: create it at this commit.
    Create {
        /// The SHA the ref resolved to.
        sha: String,
    },
    /// 202: the default branch was merged into the ref instead; nothing was
    /// created.
    AutoMerged {
        /// GitHub's message, `Auto-merged main into topic on deployment.`
        message: String,
    },
}

/// GitHub's default for `production_environment`: `true` exactly when the
/// environment is `production`.
pub(crate) fn production_default(environment: &str) -> bool {
    environment == "production"
}

/// Decides a create-deployment request, in GitHub's order: the ref must
/// exist (422), then `auto_merge` (202 when the default branch merges in,
/// 409 when it conflicts), then the required commit-status contexts (409
/// naming every checked context when one is not `success`; all contexts
/// when `required_contexts` is absent, none when it is empty).
pub(crate) fn creation(repo: &Repo, new: &NewDeployment) -> Result<Creation, ApiError> {
    let settings = &repo.settings;
    let Some(sha) = settings.resolve(&repo.owner, &repo.name, &new.git_ref) else {
        return Err(ApiError::NoRef(new.git_ref.clone()));
    };
    let base = &settings.default_branch;
    if new.auto_merge && new.git_ref != *base {
        match settings.auto_merge {
            AutoMerge::UpToDate => {}
            AutoMerge::Merges => {
                return Ok(Creation::AutoMerged {
                    message: format!("Auto-merged {base} into {} on deployment.", new.git_ref),
                });
            }
            AutoMerge::Conflicts => {
                return Err(ApiError::MergeConflict {
                    base: base.clone(),
                    head: new.git_ref.clone(),
                });
            }
        }
    }
    let contexts: Vec<(String, CommitState)> = match &new.required_contexts {
        None => settings.commit_statuses.clone(),
        Some(required) => required
            .iter()
            .map(|context| {
                let state = settings
                    .commit_statuses
                    .iter()
                    .find(|(c, _)| c == context)
                    .map_or(CommitState::Pending, |(_, state)| *state);
                (context.clone(), state)
            })
            .collect(),
    };
    if contexts
        .iter()
        .any(|(_, state)| *state != CommitState::Success)
    {
        return Err(ApiError::ChecksFailed {
            head: new.git_ref.clone(),
            contexts,
        });
    }
    Ok(Creation::Create { sha })
}

/// `auto_inactive`: a new `success` on `deployment_id` supersedes every
/// *other* deployment of the repository in the same environment that is
/// neither transient nor production and whose latest state is `success`.
pub(crate) fn superseded(repo: &Repo, deployment_id: u64) -> Vec<u64> {
    let Some(deployment) = repo.deployments.get(&deployment_id) else {
        return Vec::new();
    };
    repo.deployments
        .values()
        .filter(|other| {
            other.id != deployment_id
                && other.environment == deployment.environment
                && !other.transient
                && !other.production
                && other.latest_state() == Some(DeploymentState::Success)
        })
        .map(|other| other.id)
        .collect()
}

/// The delete rule: a repository's only deployment can be deleted whatever
/// its state; with several, only one whose latest status is `inactive`.
pub(crate) fn may_delete(repo: &Repo, deployment_id: u64) -> Result<(), ApiError> {
    let deployment = repo
        .deployments
        .get(&deployment_id)
        .ok_or(ApiError::NotFound)?;
    if repo.deployments.len() > 1 && deployment.latest_state() != Some(DeploymentState::Inactive) {
        return Err(ApiError::ActiveDeployment);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::repo_settings::{RepoSettings, SettingChange};
    use serde_json::json;

    fn repo(changes: &[SettingChange]) -> Repo {
        let mut settings = RepoSettings::default();
        for change in changes {
            settings.apply(change);
        }
        Repo {
            owner: "o".into(),
            name: "r".into(),
            deployments: Default::default(),
            settings,
        }
    }

    fn new(body: serde_json::Value) -> NewDeployment {
        NewDeployment::from_json(&body).unwrap()
    }

    #[test]
    fn up_to_date_creates() {
        let outcome = creation(&repo(&[]), &new(json!({"ref": "topic"}))).unwrap();
        assert!(matches!(outcome, Creation::Create { sha } if sha.len() == 40));
    }

    #[test]
    fn auto_merge_outcomes_apply_only_when_asked() {
        let merges = repo(&[SettingChange::AutoMerge(AutoMerge::Merges)]);
        assert_eq!(
            creation(&merges, &new(json!({"ref": "topic"}))).unwrap(),
            Creation::AutoMerged {
                message: "Auto-merged main into topic on deployment.".into()
            }
        );
        assert!(matches!(
            creation(&merges, &new(json!({"ref": "topic", "auto_merge": false}))),
            Ok(Creation::Create { .. })
        ));
        assert!(matches!(
            creation(&merges, &new(json!({"ref": "main"}))),
            Ok(Creation::Create { .. })
        ));
        let conflicts = repo(&[SettingChange::AutoMerge(AutoMerge::Conflicts)]);
        assert_eq!(
            creation(&conflicts, &new(json!({"ref": "topic"}))),
            Err(ApiError::MergeConflict {
                base: "main".into(),
                head: "topic".into()
            })
        );
    }

    #[test]
    fn required_contexts() {
        let r = repo(&[
            SettingChange::CommitStatus("ci".into(), CommitState::Success),
            SettingChange::CommitStatus("lint".into(), CommitState::Failure),
        ]);
        let Err(ApiError::ChecksFailed { contexts, .. }) =
            creation(&r, &new(json!({"ref": "topic"})))
        else {
            panic!("all contexts are checked when none are named")
        };
        assert_eq!(contexts.len(), 2);
        assert!(matches!(
            creation(
                &r,
                &new(json!({"ref": "topic", "required_contexts": ["ci"]}))
            ),
            Ok(Creation::Create { .. })
        ));
        assert!(matches!(
            creation(&r, &new(json!({"ref": "topic", "required_contexts": []}))),
            Ok(Creation::Create { .. })
        ));
        assert_eq!(
            creation(
                &r,
                &new(json!({"ref": "topic", "required_contexts": ["ci", "deploy-gate"]}))
            ),
            Err(ApiError::ChecksFailed {
                head: "topic".into(),
                contexts: vec![
                    ("ci".into(), CommitState::Success),
                    ("deploy-gate".into(), CommitState::Pending)
                ]
            })
        );
    }

    #[test]
    fn unknown_refs_once_refs_are_seeded() {
        let r = repo(&[SettingChange::Ref("main".into(), "a".repeat(40))]);
        assert_eq!(
            creation(&r, &new(json!({"ref": "nope"}))),
            Err(ApiError::NoRef("nope".into()))
        );
        assert_eq!(
            creation(&r, &new(json!({"ref": "main"}))),
            Ok(Creation::Create {
                sha: "a".repeat(40)
            })
        );
    }
}
