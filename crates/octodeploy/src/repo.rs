//! The operations, reached as `client.repo(owner, repo)` and
//! `.deployment(id)`, with builders for the calls that take options.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};

use futures::TryStreamExt;
use futures::stream::BoxStream;
use octodeploy_api::ResponseValue;
use serde::Serialize;
use url::Url;

use crate::client::Client;
use crate::error::{Error, ValidationError};
use crate::model::{DeploymentStatus, State, StatusPage};
use crate::pagination::{self, Listing, Page};
use crate::requests::{DispatchEvent, NewDeploymentStatus};
use crate::response::Response;
use crate::transport::Inner;
use crate::transport::{Op, execute, unit_success, unit_success_after};
use crate::validate;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The description `deactivate_and_delete` gives the inactive status.
pub const DEACTIVATION_DESCRIPTION: &str = "Deactivated by octodeploy before deletion";

/// One repository.
#[derive(Debug, Clone)]
pub struct RepoHandle {
    pub(crate) client: Client,
    pub(crate) owner: String,
    pub(crate) repo: String,
}

impl RepoHandle {
    pub(crate) fn new(client: Client, owner: String, repo: String) -> Self {
        RepoHandle {
            client,
            owner,
            repo,
        }
    }

    /// The owner.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// The repository name.
    pub fn name(&self) -> &str {
        &self.repo
    }

    /// One deployment of this repository.
    pub fn deployment(&self, id: i64) -> DeploymentHandle {
        DeploymentHandle {
            repo: self.clone(),
            id,
        }
    }

    /// Sends a dispatch event built elsewhere.
    pub async fn dispatch_event(&self, event: DispatchEvent) -> Result<Response<()>, Error> {
        Dispatch {
            repo: self.clone(),
            event,
            payload_error: None,
        }
        .send()
        .await
    }

    /// Triggers a `repository_dispatch` event named `event_type`.
    pub fn dispatch(&self, event_type: impl Into<String>) -> Dispatch {
        Dispatch {
            repo: self.clone(),
            event: DispatchEvent::new(event_type),
            payload_error: None,
        }
    }

    pub(crate) fn check(&self) -> Result<(), ValidationError> {
        validate::path_segment("owner", &self.owner)?;
        validate::path_segment("repo", &self.repo)
    }
}

/// One deployment.
#[derive(Debug, Clone)]
pub struct DeploymentHandle {
    repo: RepoHandle,
    id: i64,
}

impl DeploymentHandle {
    /// The deployment id.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// The repository it belongs to.
    pub fn repo(&self) -> &RepoHandle {
        &self.repo
    }

    fn check(&self) -> Result<(), ValidationError> {
        self.repo.check()?;
        validate::id("deployment_id", self.id)
    }

    /// Lists statuses, newest first: one page with [`ListStatuses::send`],
    /// or all of them with [`ListStatuses::stream`].
    pub fn statuses(&self) -> ListStatuses {
        ListStatuses {
            deployment: self.clone(),
            per_page: None,
            page: None,
        }
    }

    /// Gets one status.
    pub async fn status(&self, status_id: i64) -> Result<Response<DeploymentStatus>, Error> {
        self.check()?;
        validate::id("status_id", status_id)?;
        let inner = self.repo.client.inner();
        let (rv, meta) = execute(inner, Op::GetStatus, None, || {
            inner
                .api
                .repos_get_deployment_status_as::<DeploymentStatus>(
                    &self.repo.owner,
                    &self.repo.repo,
                    self.id,
                    status_id,
                )
        })
        .await?;
        Ok(Response::new(rv.into_inner(), meta))
    }

    /// Creates a status from a body built elsewhere (from configuration, say).
    pub async fn create_status_with(
        &self,
        body: NewDeploymentStatus,
    ) -> Result<Response<DeploymentStatus>, Error> {
        CreateStatus {
            deployment: self.clone(),
            body,
        }
        .send()
        .await
    }

    /// Starts a new status in `state`; set options, then `.send()` or `.await`.
    pub fn create_status(&self, state: State) -> CreateStatus {
        CreateStatus {
            deployment: self.clone(),
            body: NewDeploymentStatus::new(state),
        }
    }

    /// Deletes the deployment.
    ///
    /// GitHub deletes a repository's *only* deployment whatever its state;
    /// when the repository has several, only inactive ones (422 otherwise,
    /// so that one active deployment always remains). Use
    /// [`Self::deactivate_and_delete`] for an active deployment among others.
    ///
    /// A DELETE is retried after ambiguous failures (it is idempotent). If a
    /// retry finds the deployment gone (404 after an earlier attempt failed
    /// without an answer), the earlier attempt deleted it: that is success,
    /// with `meta().status == 404` and `meta().attempts > 1`.
    pub async fn delete(&self) -> Result<Response<()>, Error> {
        self.check()?;
        let inner = self.repo.client.inner();
        let attempts = AtomicU32::new(0);
        let (_, meta) = execute(inner, Op::DeleteDeployment, None, || {
            let attempt = attempts.fetch_add(1, Ordering::Relaxed) + 1;
            async move {
                let result = inner
                    .api
                    .repos_delete_deployment(&self.repo.owner, &self.repo.repo, self.id)
                    .await;
                match unit_success(result) {
                    Err(octodeploy_api::Error::UnexpectedResponse(r))
                        if attempt > 1 && r.status() == reqwest::StatusCode::NOT_FOUND =>
                    {
                        Ok(ResponseValue::new((), r.status(), r.headers().clone()))
                    }
                    other => other,
                }
            }
        })
        .await?;
        Ok(Response::new((), meta))
    }

    /// GitHub's documented way to delete an active deployment among others:
    /// mark it inactive with a non-successful status (`inactive`, described
    /// as [`DEACTIVATION_DESCRIPTION`]), then delete it.
    ///
    /// Use it when tearing down a deployment that may still be active (a
    /// review app, a superseded environment). Use [`Self::delete`] when the
    /// deployment is already inactive or is the repository's only one: it
    /// makes one request and leaves no status behind on failure. If the
    /// delete fails after the status was created, the deployment stays
    /// inactive and the error is returned; calling again adds another
    /// `inactive` status before retrying the delete (harmless, but visible in
    /// the status list), so after such a failure [`Self::delete`] alone is
    /// enough.
    pub async fn deactivate_and_delete(&self) -> Result<Response<()>, Error> {
        self.create_status(State::Inactive)
            .description(DEACTIVATION_DESCRIPTION)
            .send()
            .await?;
        self.delete().await
    }
}

/// Lists a deployment's statuses.
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until `.send()`, `.await` or `.stream()`"]
pub struct ListStatuses {
    deployment: DeploymentHandle,
    per_page: Option<u32>,
    page: Option<u32>,
}

impl ListStatuses {
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
    pub async fn send(self) -> Result<Response<Page<DeploymentStatus>>, Error> {
        if let Some(p) = self.page {
            validate::page(p)?;
        }
        self.fetch_page(None, self.page).await
    }

    /// Every status, page after page, following the server's `Link:
    /// rel="next"` URLs exactly as given (relative ones resolved against the
    /// URL that answered), so nothing is lost or repeated when the server
    /// changes the path shape. The stream ends with an error rather than
    /// silently: [`Error::ForeignLink`] for a link to another origin (the
    /// token is never sent elsewhere), [`Error::Pagination`] for a `next`
    /// link that does not parse or leads back to a page already read.
    ///
    /// Each status id is yielded once: a list read newest-first shifts when
    /// a status is created while it is read, and the next page then repeats
    /// items already yielded; those are skipped. A server that varies only
    /// the order of the query parameters serves a page already read, which
    /// is an error too; so is reading more pages than
    /// [`crate::ClientBuilder::max_pages`]. Such an error comes after the
    /// items of the page that carried the link (every page read is
    /// yielded), and the stream ends there. One page is held at a time.
    pub fn stream(self) -> BoxStream<'static, Result<DeploymentStatus, Error>> {
        pagination::walk(self)
    }

    /// Every status, collected (see [`Self::stream`]).
    pub async fn all(self) -> Result<Vec<DeploymentStatus>, Error> {
        self.stream().try_collect().await
    }

    async fn fetch_page(
        &self,
        url: Option<Url>,
        page: Option<u32>,
    ) -> Result<Response<Page<DeploymentStatus>>, Error> {
        let d = &self.deployment;
        d.check()?;
        if let Some(n) = self.per_page {
            validate::per_page(n)?;
        }
        let inner = d.repo.client.inner();
        let (per_page, page) = match url {
            Some(_) => (None, None), // the link carries its own query
            None => (self.per_page.map(i64::from), page.map(i64::from)),
        };
        let (rv, meta) = execute(inner, Op::ListStatuses, url.clone(), || {
            inner.api.repos_list_deployment_statuses_as::<StatusPage>(
                &d.repo.owner,
                &d.repo.repo,
                d.id,
                page,
                per_page,
            )
        })
        .await?;
        let links = pagination::page_links(rv.headers(), &meta, url.as_ref(), &inner.base);
        let items = rv.into_inner().0;
        Ok(Response::new(Page { items, links }, meta))
    }
}

impl Listing for ListStatuses {
    type Item = DeploymentStatus;

    fn inner(&self) -> &Inner {
        self.deployment.repo.client.inner()
    }

    fn fetch(
        &self,
        next: Option<Url>,
    ) -> impl Future<Output = Result<Response<Page<DeploymentStatus>>, Error>> + Send {
        self.fetch_page(next, None)
    }

    fn id(status: &DeploymentStatus) -> i64 {
        status.id
    }
}

impl IntoFuture for ListStatuses {
    type Output = Result<Response<Page<DeploymentStatus>>, Error>;
    type IntoFuture = BoxFuture<'static, Self::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Creates a deployment status.
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until `.send()` or `.await`"]
pub struct CreateStatus {
    deployment: DeploymentHandle,
    body: NewDeploymentStatus,
}

impl CreateStatus {
    /// The deployment's output URL (GitHub also sets `target_url` from it).
    pub fn log_url(mut self, url: impl Into<String>) -> Self {
        self.body.log_url = Some(url.into());
        self
    }

    /// The deprecated target URL; prefer [`Self::log_url`].
    pub fn target_url(mut self, url: impl Into<String>) -> Self {
        self.body.target_url = Some(url.into());
        self
    }

    /// A short description, at most 140 characters.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.body.description = Some(text.into());
        self
    }

    /// The environment name (any name).
    pub fn environment(mut self, name: impl Into<String>) -> Self {
        self.body.environment = Some(name.into());
        self
    }

    /// The environment's URL.
    pub fn environment_url(mut self, url: impl Into<String>) -> Self {
        self.body.environment_url = Some(url.into());
        self
    }

    /// Whether earlier deployments to the same environment become inactive
    /// on success (GitHub's default: true).
    pub fn auto_inactive(mut self, on: bool) -> Self {
        self.body.auto_inactive = Some(on);
        self
    }

    /// The body as it will be sent.
    pub fn body(&self) -> &NewDeploymentStatus {
        &self.body
    }

    /// Validates and sends. Not retried after an ambiguous failure.
    pub async fn send(self) -> Result<Response<DeploymentStatus>, Error> {
        let d = &self.deployment;
        d.check()?;
        let body = self.body.to_body()?;
        let inner = d.repo.client.inner();
        let (rv, meta) = execute(inner, Op::CreateStatus, None, || {
            inner
                .api
                .repos_create_deployment_status_as::<DeploymentStatus>(
                    &d.repo.owner,
                    &d.repo.repo,
                    d.id,
                    &body,
                )
        })
        .await?;
        Ok(Response::new(rv.into_inner(), meta))
    }
}

impl IntoFuture for CreateStatus {
    type Output = Result<Response<DeploymentStatus>, Error>;
    type IntoFuture = BoxFuture<'static, Self::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Triggers a `repository_dispatch` event.
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until `.send()` or `.await`"]
pub struct Dispatch {
    repo: RepoHandle,
    event: DispatchEvent,
    payload_error: Option<ValidationError>,
}

impl Dispatch {
    /// The `client_payload`: any value that serializes to a JSON object (at
    /// most 10 top-level properties, under 64 KiB). Problems are reported by
    /// [`Self::send`].
    pub fn payload<T: Serialize + ?Sized>(mut self, payload: &T) -> Self {
        match serde_json::to_value(payload)
            .map_err(|e| ValidationError::new("client_payload", format!("does not serialize: {e}")))
            .and_then(validate::client_payload)
        {
            Ok(map) => {
                self.event.client_payload = Some(map);
                self.payload_error = None;
            }
            Err(e) => self.payload_error = Some(e),
        }
        self
    }

    /// The body as it will be sent.
    pub fn body(&self) -> &DispatchEvent {
        &self.event
    }

    /// Validates and sends. Not retried after an ambiguous failure: a
    /// duplicate dispatch runs workflows twice.
    pub async fn send(self) -> Result<Response<()>, Error> {
        if let Some(e) = self.payload_error {
            return Err(e.into());
        }
        self.repo.check()?;
        let body = self.event.to_body()?;
        let inner = self.repo.client.inner();
        let (_, meta) = execute(inner, Op::Dispatch, None, || {
            unit_success_after(inner.api.repos_create_dispatch_event(
                &self.repo.owner,
                &self.repo.repo,
                &body,
            ))
        })
        .await?;
        Ok(Response::new((), meta))
    }
}

impl IntoFuture for Dispatch {
    type Output = Result<Response<()>, Error>;
    type IntoFuture = BoxFuture<'static, Self::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
