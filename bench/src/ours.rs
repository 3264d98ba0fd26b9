//! The clients under test: octodeploy's `statuses().per_page(100).stream()`
//! consumed item by item, and (for reference) the generated client alone.

use futures::TryStreamExt;

use crate::summary::Summary;

fn client(base: &str) -> Result<octodeploy::Client, octodeploy::Error> {
    octodeploy::Client::builder()
        .base_url(base)
        .token("bench")
        .build()
}

/// octodeploy's stream over every status of deployment `count`.
pub async fn stream(base: &str, count: u64) -> Result<Summary, Box<dyn std::error::Error>> {
    let client = client(base)?;
    let mut statuses = client
        .repo("o", "r")
        .deployment(count as i64)
        .statuses()
        .per_page(100)
        .stream();
    let mut summary = Summary::default();
    while let Some(s) = statuses.try_next().await? {
        summary.add(
            s.id,
            s.description.as_deref(),
            s.creator.as_ref().and_then(|c| c.login.as_deref()),
        );
    }
    Ok(summary)
}

/// The generated client, page numbers instead of links (it does not follow them).
pub async fn generated(base: &str, count: u64) -> Result<Summary, Box<dyn std::error::Error>> {
    let client = client(base)?;
    let api = client.api();
    let mut summary = Summary::default();
    let pages = count.div_ceil(100).max(1);
    for page in 1..=pages {
        let items = api
            .repos_list_deployment_statuses("o", "r", count as i64, Some(page as i64), Some(100))
            .await?
            .into_inner();
        for s in items {
            let login = s
                .creator
                .as_ref()
                .and_then(|c| c.0.as_ref())
                .and_then(|c| c.login.as_deref());
            summary.add(s.id, Some(s.description.as_str()), login);
        }
    }
    Ok(summary)
}
