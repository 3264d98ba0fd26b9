//! The README's library example, verbatim (the tidy test holds the two together).

use futures::TryStreamExt;
use octodeploy::{Client, State};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // GITHUB_API_URL / GITHUB_TOKEN as Actions sets them, or GH_HOST / GH_ENTERPRISE_TOKEN as gh does.
    let client = Client::from_env()?;
    let repo = client.repo("octo-org", "deploy-demo");
    let deployment = repo.deployment(42);

    deployment
        .create_status(State::InProgress)
        .environment("staging")
        .log_url("https://ci.example.com/runs/981")
        .description("Deploying 1f2e3d4")
        .await?;

    let done = deployment
        .create_status(State::Success)
        .environment_url("https://staging.example.com")
        .await?;
    println!("status {} ({:?})", done.id, done.meta().request_id);

    // Every status, following the server's Link headers.
    let statuses: Vec<_> = deployment.statuses().per_page(100).stream().try_collect().await?;
    for s in &statuses {
        println!("{} {} {}", s.id, s.state, s.description.as_deref().unwrap_or(""));
    }

    // Tell workflows listening on `repository_dispatch`.
    repo.dispatch("deployed")
        .payload(&serde_json::json!({"deployment": 42, "environment": "staging"}))
        .await?;

    // Tear down: mark inactive (GitHub only deletes inactive deployments when
    // there are several), then delete.
    deployment.deactivate_and_delete().await?;
    Ok(())
}
