//! Deployments as GitHub returns them ([`Deployment`]), getting one
//! (`repo.deployment(id).get()`) and listing them with GitHub's four
//! filters (`repo.deployments()`), one page or every page.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use futures::stream::BoxStream;
use octodeploy_api::types;
use serde::Serialize;
use serde_json::Value;
use url::Url;

use crate::error::Error;
use crate::model::{App, User};
use crate::pagination::{self, Listing, Page};
use crate::repo::{DeploymentHandle, RepoHandle};
use crate::response::Response;
use crate::transport::Inner;
use crate::transport::{Op, execute};
use crate::validate;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A deployment as GitHub returns it.
///
/// Tolerant of old and new servers: fields GHES 3.0 omits without the
/// ant-man preview (`transient_environment`, `production_environment`) are
/// `false`, an absent or empty `description` is `None`, and `payload` is
/// kept as sent — servers answer with a JSON object or with the JSON
/// string the deployment was created with ([`Self::payload_json`] reads
/// both).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Deployment {
    /// The deployment id.
    pub id: i64,
    /// The GraphQL node id (absent on old GHES).
    pub node_id: Option<String>,
    /// The deployment's API URL.
    pub url: String,
    /// The commit deployed.
    pub sha: String,
    /// The ref that was asked for (branch, tag or SHA).
    #[serde(rename = "ref")]
    pub git_ref: String,
    /// The task (`deploy`, `deploy:migrations`…).
    pub task: String,
    /// The payload exactly as the server returned it: an object, a string,
    /// or `null` when absent.
    pub payload: Value,
    /// The environment the deployment was created for.
    pub original_environment: Option<String>,
    /// The environment it is in now (a status may have moved it).
    pub environment: String,
    /// The description (`None` when empty or absent).
    pub description: Option<String>,
    /// Who created it.
    pub creator: Option<User>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last updated.
    pub updated_at: DateTime<Utc>,
    /// Its statuses' API URL.
    pub statuses_url: String,
    /// The repository's API URL.
    pub repository_url: String,
    /// Whether the environment goes away at some point (review apps).
    pub transient_environment: bool,
    /// Whether end users interact with the environment.
    pub production_environment: bool,
    /// The GitHub App that created it, if any.
    pub performed_via_github_app: Option<App>,
}

impl Deployment {
    /// The payload as JSON: an object as it is; a string parsed as JSON
    /// when it is JSON (GitHub's own example sends `"{ \"deploy\":
    /// \"migrate\" }"`), else the string itself; `None` for `null`, `""`
    /// and `{}`.
    pub fn payload_json(&self) -> Option<Value> {
        match &self.payload {
            Value::Null => None,
            Value::String(text) if text.trim().is_empty() => None,
            Value::String(text) => {
                Some(serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone())))
            }
            Value::Object(map) if map.is_empty() => None,
            other => Some(other.clone()),
        }
    }
}

impl From<types::Deployment> for Deployment {
    fn from(raw: types::Deployment) -> Self {
        let payload = match raw.payload {
            None => Value::Null,
            Some(types::DeploymentPayload::Object(map)) => Value::Object(map),
            Some(types::DeploymentPayload::String(text)) => Value::String(text),
        };
        Deployment {
            id: raw.id,
            node_id: raw.node_id.filter(|s| !s.is_empty()),
            url: raw.url,
            sha: raw.sha,
            git_ref: raw.ref_,
            task: raw.task,
            payload,
            original_environment: raw.original_environment.filter(|s| !s.is_empty()),
            environment: raw.environment,
            description: raw.description.filter(|s| !s.is_empty()),
            creator: raw.creator.and_then(|c| c.0).map(User::from),
            created_at: raw.created_at,
            updated_at: raw.updated_at,
            statuses_url: raw.statuses_url,
            repository_url: raw.repository_url,
            transient_environment: raw.transient_environment.unwrap_or(false),
            production_environment: raw.production_environment.unwrap_or(false),
            performed_via_github_app: raw
                .performed_via_github_app
                .and_then(|a| a.0)
                .map(App::from),
        }
    }
}

impl DeploymentHandle {
    /// Gets the deployment.
    pub async fn get(&self) -> Result<Response<Deployment>, Error> {
        self.repo().check()?;
        validate::id("deployment_id", self.id())?;
        let repo = self.repo();
        let inner = repo.client.inner();
        let (rv, meta) = execute(inner, Op::GetDeployment, None, || {
            inner
                .api
                .repos_get_deployment(&repo.owner, &repo.repo, self.id())
        })
        .await?;
        Ok(Response::new(Deployment::from(rv.into_inner()), meta))
    }
}

impl RepoHandle {
    /// Lists deployments, newest first, optionally filtered: one page with
    /// [`ListDeployments::send`], or all of them with
    /// [`ListDeployments::stream`].
    pub fn deployments(&self) -> ListDeployments {
        ListDeployments {
            repo: self.clone(),
            sha: None,
            git_ref: None,
            task: None,
            environment: None,
            per_page: None,
            page: None,
        }
    }
}

/// Lists a repository's deployments.
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until `.send()`, `.await` or `.stream()`"]
pub struct ListDeployments {
    repo: RepoHandle,
    sha: Option<String>,
    git_ref: Option<String>,
    task: Option<String>,
    environment: Option<String>,
    per_page: Option<u32>,
    page: Option<u32>,
}

fn filter(field: &'static str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(crate::error::ValidationError::new(
            field,
            "must not be empty (leave the filter unset to list everything)",
        )
        .into());
    }
    Ok(())
}

impl ListDeployments {
    /// Only deployments of this commit.
    pub fn sha(mut self, sha: impl Into<String>) -> Self {
        self.sha = Some(sha.into());
        self
    }

    /// Only deployments of this ref (as it was asked for: branch, tag or SHA).
    pub fn git_ref(mut self, name: impl Into<String>) -> Self {
        self.git_ref = Some(name.into());
        self
    }

    /// Only deployments with this task.
    pub fn task(mut self, task: impl Into<String>) -> Self {
        self.task = Some(task.into());
        self
    }

    /// Only deployments in this environment.
    pub fn environment(mut self, name: impl Into<String>) -> Self {
        self.environment = Some(name.into());
        self
    }

    /// Results per page, 1 to 100 (GitHub's default is 30).
    pub fn per_page(mut self, n: u32) -> Self {
        self.per_page = Some(n);
        self
    }

    /// The page to fetch with [`Self::send`], from 1; ignored by [`Self::stream`].
    pub fn page(mut self, n: u32) -> Self {
        self.page = Some(n);
        self
    }

    /// Fetches one page.
    pub async fn send(self) -> Result<Response<Page<Deployment>>, Error> {
        if let Some(p) = self.page {
            validate::page(p)?;
        }
        self.fetch_page(None, self.page).await
    }

    /// Every matching deployment, page after page, through the same page
    /// walker as [`crate::ListStatuses::stream`] (which says what it
    /// guarantees): the server's `Link: rel="next"` URLs followed within the
    /// origin, a loop or more pages than [`crate::ClientBuilder::max_pages`]
    /// an error after the items of the page that carried the link, each
    /// deployment id yielded once.
    pub fn stream(self) -> BoxStream<'static, Result<Deployment, Error>> {
        pagination::walk(self)
    }

    /// Every matching deployment, collected (see [`Self::stream`]).
    pub async fn all(self) -> Result<Vec<Deployment>, Error> {
        self.stream().try_collect().await
    }

    async fn fetch_page(
        &self,
        url: Option<Url>,
        page: Option<u32>,
    ) -> Result<Response<Page<Deployment>>, Error> {
        self.repo.check()?;
        if let Some(n) = self.per_page {
            validate::per_page(n)?;
        }
        for (field, value) in [
            ("sha", &self.sha),
            ("ref", &self.git_ref),
            ("task", &self.task),
            ("environment", &self.environment),
        ] {
            if let Some(value) = value {
                filter(field, value)?;
            }
        }
        let inner = self.repo.client.inner();
        let (per_page, page) = match url {
            Some(_) => (None, None), // the link carries its own query
            None => (self.per_page.map(i64::from), page.map(i64::from)),
        };
        let (rv, meta) = execute(inner, Op::ListDeployments, url.clone(), || {
            inner.api.repos_list_deployments(
                &self.repo.owner,
                &self.repo.repo,
                self.environment.as_deref(),
                page,
                per_page,
                self.git_ref.as_deref(),
                self.sha.as_deref(),
                self.task.as_deref(),
            )
        })
        .await?;
        let links = pagination::page_links(rv.headers(), &meta, url.as_ref(), &inner.base);
        let items = rv.into_inner().into_iter().map(Deployment::from).collect();
        Ok(Response::new(Page { items, links }, meta))
    }
}

impl Listing for ListDeployments {
    type Item = Deployment;

    fn inner(&self) -> &Inner {
        self.repo.client.inner()
    }

    fn fetch(
        &self,
        next: Option<Url>,
    ) -> impl Future<Output = Result<Response<Page<Deployment>>, Error>> + Send {
        self.fetch_page(next, None)
    }

    fn id(deployment: &Deployment) -> i64 {
        deployment.id
    }
}

impl IntoFuture for ListDeployments {
    type Output = Result<Response<Page<Deployment>>, Error>;
    type IntoFuture = BoxFuture<'static, Self::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn with_payload(payload: Value) -> Deployment {
        Deployment {
            id: 1,
            node_id: None,
            url: String::new(),
            sha: String::new(),
            git_ref: "main".into(),
            task: "deploy".into(),
            payload,
            original_environment: None,
            environment: "production".into(),
            description: None,
            creator: None,
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            updated_at: DateTime::<Utc>::UNIX_EPOCH,
            statuses_url: String::new(),
            repository_url: String::new(),
            transient_environment: false,
            production_environment: false,
            performed_via_github_app: None,
        }
    }

    #[test]
    fn payload_json_reads_objects_and_strings() {
        let object = with_payload(json!({"deploy": "migrate"}));
        assert_eq!(object.payload_json(), Some(json!({"deploy": "migrate"})));
        let text = with_payload(json!("{ \"deploy\": \"migrate\" }"));
        assert_eq!(text.payload_json(), Some(json!({"deploy": "migrate"})));
        let plain = with_payload(json!("just text"));
        assert_eq!(plain.payload_json(), Some(json!("just text")));
        for empty in [json!(null), json!(""), json!({})] {
            assert_eq!(with_payload(empty).payload_json(), None);
        }
    }
}
