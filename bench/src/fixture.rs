//! The traffic the benchmark serves: GitHub-shaped deployment statuses (the
//! contract's own example, with unique ids), rendered page by page.

use std::fmt::Write;

/// One in this many statuses carries a `performed_via_github_app`; the others
/// have `null`, as github.com and GHES send for statuses made with a token.
const APP_EVERY: i64 = 25;

/// Appends status `id` as GitHub's JSON.
pub fn status(out: &mut String, id: i64) {
    let app = if id % APP_EVERY == 0 {
        r#"{"id":7,"slug":"deploy-bot","node_id":"MDM6QXBwNw==","owner":{"login":"octo-org","id":2,"node_id":"MDEyOk9yZ2FuaXphdGlvbjI=","avatar_url":"https://github.com/images/error/octocat_happy.gif","gravatar_id":"","url":"https://api.github.com/users/octo-org","html_url":"https://github.com/octo-org","followers_url":"https://api.github.com/users/octo-org/followers","following_url":"https://api.github.com/users/octo-org/following{/other_user}","gists_url":"https://api.github.com/users/octo-org/gists{/gist_id}","starred_url":"https://api.github.com/users/octo-org/starred{/owner}{/repo}","subscriptions_url":"https://api.github.com/users/octo-org/subscriptions","organizations_url":"https://api.github.com/users/octo-org/orgs","repos_url":"https://api.github.com/users/octo-org/repos","events_url":"https://api.github.com/users/octo-org/events{/privacy}","received_events_url":"https://api.github.com/users/octo-org/received_events","type":"Organization","site_admin":false},"name":"Deploy Bot","description":"","external_url":"https://deploy.example.com","html_url":"https://github.com/apps/deploy-bot","created_at":"2017-07-08T16:18:44-04:00","updated_at":"2017-07-08T16:18:44-04:00","permissions":{"deployments":"write","metadata":"read"},"events":["deployment"]}"#
    } else {
        "null"
    };
    let state = ["success", "in_progress", "queued", "pending", "failure"][(id % 5) as usize];
    let _ = write!(
        out,
        r#"{{"url":"https://api.github.com/repos/octocat/example/deployments/42/statuses/{id}","id":{id},"node_id":"MDE2OkRlcGxveW1lbnRTdGF0dXMx","state":"{state}","creator":{{"login":"octocat","id":1,"node_id":"MDQ6VXNlcjE=","avatar_url":"https://github.com/images/error/octocat_happy.gif","gravatar_id":"","url":"https://api.github.com/users/octocat","html_url":"https://github.com/octocat","followers_url":"https://api.github.com/users/octocat/followers","following_url":"https://api.github.com/users/octocat/following{{/other_user}}","gists_url":"https://api.github.com/users/octocat/gists{{/gist_id}}","starred_url":"https://api.github.com/users/octocat/starred{{/owner}}{{/repo}}","subscriptions_url":"https://api.github.com/users/octocat/subscriptions","organizations_url":"https://api.github.com/users/octocat/orgs","repos_url":"https://api.github.com/users/octocat/repos","events_url":"https://api.github.com/users/octocat/events{{/privacy}}","received_events_url":"https://api.github.com/users/octocat/received_events","type":"User","site_admin":false}},"description":"Deployment finished successfully.","environment":"production","target_url":"https://example.com/deployment/42/output","created_at":"2012-07-20T01:19:13Z","updated_at":"2012-07-20T01:19:13Z","deployment_url":"https://api.github.com/repos/octocat/example/deployments/42","repository_url":"https://api.github.com/repos/octocat/example","environment_url":"https://test-branch.lab.acme.com","log_url":"https://example.com/deployment/42/output","performed_via_github_app":{app}}}"#
    );
}

/// The JSON array of statuses `first ..= first + n - 1`.
pub fn page(first: i64, n: i64) -> String {
    let mut out = String::with_capacity(n.max(0) as usize * 1900 + 2);
    out.push('[');
    for id in first..first + n {
        if id != first {
            out.push(',');
        }
        status(&mut out, id);
    }
    out.push(']');
    out
}
