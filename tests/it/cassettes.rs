//! Checks over every recorded cassette in `tests/cassettes/`: each loads, sends exactly the
//! request headers the octodeploy client sends, looks like GitHub traffic, paginates
//! consistently, and replays itself through a [`ReplayServer`].

use std::collections::BTreeSet;
use std::error::Error;

use octodeploy_replay::{
    BASE_PLACEHOLDER, Cassette, CassetteResponse, ReplayServer, cassette_dir, find_token_like,
    substitute_base,
};
use serde_json::Value;

type TestResult = Result<(), Box<dyn Error>>;

const STATUS_ACCEPT: &str = "application/vnd.github+json, application/vnd.github.ant-man-preview+json, application/vnd.github.flash-preview+json";
const PLAIN_ACCEPT: &str = "application/vnd.github+json";

/// Scenarios the client's tests rely on; more may exist.
const REQUIRED: &[&str] = &[
    "list-statuses",
    "get-status",
    "create-status",
    "delete-deployment",
    "dispatch-with-payload",
    "dispatch-without-payload",
    "get-status-not-found",
    "create-status-validation-failed",
    "delete-deployment-active",
    "bad-credentials",
    "primary-rate-limit",
    "secondary-rate-limit-403",
    "secondary-rate-limit-429",
    "bad-gateway-html",
    "get-status-retry-after-502",
    "create-status-secondary-rate-limit-then-success",
    "create-status-502-not-retried",
    "dispatch-secondary-rate-limit-then-success",
    "list-statuses-three-pages",
    "get-status-ghes-2x",
    "get-status-github-com-2026",
    "get-status-unknown-state",
    "get-status-null-creator",
    "deactivate-and-delete",
    "create-deployment",
    "create-deployment-string-payload",
    "create-deployment-auto-merged",
    "create-deployment-failed-contexts",
    "create-deployment-merge-conflict",
    "create-deployment-validation-failed",
    "list-deployments-two-pages",
    "get-deployment",
    "wait-deployment-not-modified",
];

/// Whether an interaction is a deployment-status operation.
fn request_is_status(interaction: &octodeploy_replay::Interaction) -> bool {
    interaction.request.path.contains("/statuses")
}

/// A cassette's name, the loaded cassette, and the file's text.
type Loaded = (String, Cassette, String);

/// Every cassette, by name, loaded through [`Cassette::load`].
fn all() -> Result<Vec<Loaded>, Box<dyn Error>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(cassette_dir())? {
        let path = entry?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or("cassette file name is not UTF-8")?
            .to_owned();
        let cassette =
            Cassette::load(&name).map_err(|e| format!("{name}: {e}: {:?}", e.source()))?;
        let text = std::fs::read_to_string(&path)?;
        out.push((name, cassette, text));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

fn header<'a>(response: &'a CassetteResponse, name: &str) -> Vec<&'a str> {
    response
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect()
}

fn is_from_github(response: &CassetteResponse) -> bool {
    header(response, "server")
        .iter()
        .any(|s| s.eq_ignore_ascii_case("github.com"))
}

#[test]
fn every_required_scenario_exists_and_loads() -> TestResult {
    let cassettes = all()?;
    let names: BTreeSet<&str> = cassettes.iter().map(|(n, _, _)| n.as_str()).collect();
    let missing: Vec<&&str> = REQUIRED.iter().filter(|r| !names.contains(**r)).collect();
    assert!(missing.is_empty(), "missing cassettes: {missing:?}");
    for (name, cassette, _) in &cassettes {
        assert!(
            !cassette.interactions.is_empty(),
            "{name} has no interactions"
        );
        assert!(
            cassette.description.contains("GHES") || cassette.description.contains("github.com"),
            "{name}: the description must say which server the shape comes from"
        );
        let ghes = cassette.base_path == "/api/v3";
        assert!(ghes || cassette.base_path.is_empty(), "{name}: base_path");
        assert_eq!(
            ghes,
            cassette.description.contains("base path /api/v3"),
            "{name}: the description must state the base path"
        );
        assert_eq!(
            !ghes,
            cassette.description.contains("no base path"),
            "{name}: a github.com cassette's description must say \"no base path\""
        );
    }
    Ok(())
}

#[test]
fn requests_carry_exactly_the_client_headers() -> TestResult {
    for (name, cassette, _) in all()? {
        for (i, interaction) in cassette.interactions.iter().enumerate() {
            let request = &interaction.request;
            let at = format!("{name} interactions[{i}]");
            // Deployment and status operations carry the previews GHES 3.0
            // needs; delete and dispatch do not.
            let status_op = request.path.contains("/deployments") && request.method != "DELETE";
            let want_accept = if status_op {
                STATUS_ACCEPT
            } else {
                PLAIN_ACCEPT
            };
            let mut want: Vec<(&str, &str)> = vec![
                ("accept", want_accept),
                ("x-github-api-version", "2022-11-28"),
                ("authorization", "<redacted>"),
            ];
            // A conditional poll (`deployment.wait()`) adds its ETag.
            let conditional = request
                .headers
                .0
                .iter()
                .find(|(n, _)| n == "if-none-match")
                .map(|(_, v)| v.as_str());
            if let Some(tag) = conditional {
                assert!(request.method == "GET", "{at}: If-None-Match on a GET only");
                want.push(("if-none-match", tag));
            }
            if request.method == "POST" {
                want.push(("content-type", "application/json"));
                assert!(request.body.is_some(), "{at}: a POST has a JSON body");
            } else {
                assert!(
                    request.body.is_none() && request.body_text.is_none(),
                    "{at}: {} has no body",
                    request.method
                );
            }
            let got: Vec<(&str, &str)> = request
                .headers
                .0
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            assert_eq!(got, want, "{at}: request headers");
            assert!(
                request.path.contains("/repos/octo-org/deploy-demo/")
                    || request.path.contains("/repositories/1296269/"),
                "{at}: path {}",
                request.path
            );
            if request.path.ends_with("/dispatches") {
                let body = request.body.as_ref().ok_or("dispatch without body")?;
                assert!(body["event_type"].is_string(), "{at}: event_type");
            }
        }
    }
    Ok(())
}

#[test]
fn responses_look_like_github() -> TestResult {
    for (name, cassette, text) in all()? {
        assert!(
            find_token_like(&text).is_none(),
            "{name}: token-shaped string in the file"
        );
        assert!(
            !text.contains("Bearer "),
            "{name}: a credential in the file"
        );
        for (i, interaction) in cassette.interactions.iter().enumerate() {
            let response = &interaction.response;
            let at = format!("{name} interactions[{i}] ({})", response.status);
            let content_type = header(response, "content-type");
            if response.body.is_some() {
                assert_eq!(content_type, ["application/json; charset=utf-8"], "{at}");
            }
            if response.body_text.is_some() {
                assert!(
                    content_type.iter().all(|c| c.starts_with("text/html"))
                        && content_type.len() == 1,
                    "{at}: {content_type:?}"
                );
                assert!(
                    !is_from_github(response),
                    "{at}: HTML pages come from a proxy"
                );
            }
            if response.status == 204 {
                assert!(content_type.is_empty(), "{at}: 204 without content-type");
            }
            if !is_from_github(response) {
                continue;
            }
            let ids = header(response, "x-github-request-id");
            assert_eq!(ids.len(), 1, "{at}: x-github-request-id");
            let parts: Vec<&str> = ids[0].split(':').collect();
            assert!(
                parts.len() == 5
                    && parts
                        .iter()
                        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_hexdigit())),
                "{at}: request id {}",
                ids[0]
            );
            assert_eq!(header(response, "x-github-media-type").len(), 1, "{at}");
            for etag in header(response, "etag") {
                assert!(
                    etag.starts_with("W/\"") && etag.ends_with('"'),
                    "{at}: etag {etag}"
                );
            }
            if response.status == 201 {
                let location = header(response, "location");
                assert_eq!(location.len(), 1, "{at}: location");
                let id = response
                    .body
                    .as_ref()
                    .and_then(|b| b["id"].as_u64())
                    .ok_or("201 without id")?;
                assert!(
                    location[0].starts_with(BASE_PLACEHOLDER),
                    "{at}: {location:?}"
                );
                let kind = if request_is_status(interaction) {
                    "/statuses/"
                } else {
                    "/deployments/"
                };
                assert!(
                    location[0].ends_with(&format!("{kind}{id}")),
                    "{at}: {location:?}"
                );
            }
            let limit: Vec<&str> = header(response, "x-ratelimit-limit");
            if let [limit] = limit.as_slice() {
                let number = |h: &str| -> Result<u64, Box<dyn Error>> {
                    let v = header(response, h);
                    Ok(v.first().ok_or(format!("{at}: {h} missing"))?.parse()?)
                };
                let (limit, remaining, used) = (
                    limit.parse::<u64>()?,
                    number("x-ratelimit-remaining")?,
                    number("x-ratelimit-used")?,
                );
                assert_eq!(limit, remaining + used, "{at}: limit = remaining + used");
                assert!(
                    number("x-ratelimit-reset")? > 1_500_000_000,
                    "{at}: reset is epoch seconds"
                );
                assert_eq!(header(response, "x-ratelimit-resource"), ["core"], "{at}");
            }
            // Error bodies carry documentation_url; a 202's message does not.
            if let Some(Value::Object(body)) = &response.body
                && let Some(message) = body.get("message")
                && response.status >= 400
            {
                assert!(message.is_string(), "{at}: message");
                assert!(
                    body.get("documentation_url")
                        .and_then(Value::as_str)
                        .is_some_and(|u| u.starts_with("https://docs.github.com/")),
                    "{at}: documentation_url"
                );
            }
        }
    }
    Ok(())
}

#[test]
fn retry_scenarios_repeat_the_same_request() -> TestResult {
    for name in [
        "get-status-retry-after-502",
        "create-status-secondary-rate-limit-then-success",
        "dispatch-secondary-rate-limit-then-success",
    ] {
        let cassette = Cassette::load(name)?;
        let [first, second] = cassette.interactions.as_slice() else {
            return Err(format!("{name}: expected exactly two interactions").into());
        };
        assert_eq!(
            first.request, second.request,
            "{name}: a retry is the same request"
        );
        assert!(
            first.response.status >= 400 && second.response.status < 300,
            "{name}"
        );
    }
    for name in [
        "create-status-secondary-rate-limit-then-success",
        "dispatch-secondary-rate-limit-then-success",
    ] {
        let first = &Cassette::load(name)?.interactions[0].response;
        assert_eq!(header(first, "retry-after"), ["1"], "{name}");
    }
    let not_retried = Cassette::load("create-status-502-not-retried")?;
    assert_eq!(
        not_retried.interactions.len(),
        1,
        "a retry must be an unexpected request"
    );
    assert_eq!(not_retried.interactions[0].request.method, "POST");
    Ok(())
}

/// `(url, rel)` pairs of a Link header value.
fn links(value: &str) -> Vec<(String, String)> {
    value
        .split(", <")
        .filter_map(|part| {
            let part = part.trim_start_matches('<');
            let (url, rest) = part.split_once(">; rel=\"")?;
            Some((url.to_owned(), rest.trim_end_matches('"').to_owned()))
        })
        .collect()
}

#[test]
fn pagination_links_lead_to_the_next_interaction() -> TestResult {
    let cassette = Cassette::load("list-statuses-three-pages")?;
    let pages = &cassette.interactions;
    assert_eq!(pages.len(), 3);
    let mut total = 0;
    for (i, page) in pages.iter().enumerate() {
        let link = header(&page.response, "link");
        let [link] = link.as_slice() else {
            return Err(format!("page {i}: expected one link header").into());
        };
        let rels: Vec<(String, String)> = links(link);
        let names: Vec<&str> = rels.iter().map(|(_, r)| r.as_str()).collect();
        let expected: &[&str] = match i {
            0 => &["next", "last"],
            1 => &["prev", "next", "last", "first"],
            _ => &["prev", "first"],
        };
        assert_eq!(names, expected, "page {i}: rels in GitHub's order");
        for (url, _) in &rels {
            assert!(
                url.starts_with(
                    "{{base}}/api/v3/repositories/1296269/deployments/42/statuses?per_page=2&page="
                ),
                "page {i}: {url}"
            );
        }
        if let Some((url, _)) = rels.iter().find(|(_, r)| r == "next") {
            let next = &pages[i + 1].request;
            let query: Vec<String> = next
                .query
                .0
                .iter()
                .flat_map(|(n, vs)| vs.iter().map(move |v| format!("{n}={v}")))
                .collect();
            assert_eq!(
                url.as_str(),
                format!("{BASE_PLACEHOLDER}{}?{}", next.path, query.join("&")),
                "page {i}: rel=next must be the next interaction's request"
            );
        }
        total += page
            .response
            .body
            .as_ref()
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
    }
    assert_eq!(total, 5);
    assert_ne!(
        pages[0].request.path, pages[1].request.path,
        "later pages use another path shape"
    );
    Ok(())
}

#[test]
fn version_shapes_differ_as_documented() -> TestResult {
    let body = |name: &str| -> Result<Value, Box<dyn Error>> {
        Ok(Cassette::load(name)?.interactions[0]
            .response
            .body
            .clone()
            .ok_or(format!("{name}: no body"))?)
    };
    let old = body("get-status-ghes-2x")?;
    for absent in [
        "environment",
        "environment_url",
        "log_url",
        "performed_via_github_app",
    ] {
        assert!(old.get(absent).is_none(), "GHES 2.x shape has no {absent}");
    }
    let today = body("get-status-github-com-2026")?;
    assert!(
        today["id"]
            .as_u64()
            .is_some_and(|id| id > u64::from(u32::MAX))
    );
    assert_eq!(today["creator"]["user_view_type"], "public");
    assert!(today["performed_via_github_app"]["owner"]["login"].is_string());
    let unknown = body("get-status-unknown-state")?;
    assert_eq!(unknown["state"], "waiting");
    let null_creator = body("get-status-null-creator")?;
    assert!(null_creator["creator"].is_null());
    assert!(null_creator.get("performed_via_github_app").is_none());
    Ok(())
}

#[tokio::test]
async fn every_cassette_replays_itself() -> TestResult {
    let client = reqwest::Client::new();
    for (name, cassette, _) in all()? {
        let server = ReplayServer::replay(cassette.clone()).await?;
        let origin = server.origin().to_owned();
        for (i, interaction) in cassette.interactions.iter().enumerate() {
            let request = &interaction.request;
            let method = reqwest::Method::from_bytes(request.method.as_bytes())?;
            let pairs: Vec<(&str, &str)> = request
                .query
                .0
                .iter()
                .flat_map(|(n, vs)| vs.iter().map(move |v| (n.as_str(), v.as_str())))
                .collect();
            let mut builder = client
                .request(method, format!("{origin}{}", request.path))
                .query(&pairs);
            for (header_name, value) in &request.headers.0 {
                let value = if value == "<redacted>" {
                    format!("Bearer {}", server.token())
                } else {
                    value.clone()
                };
                builder = builder.header(header_name.as_str(), value);
            }
            if let Some(body) = &request.body {
                builder = builder.body(body.to_string());
            }
            let response = builder.send().await?;
            let at = format!("{name} interactions[{i}]");
            assert_eq!(
                response.status().as_u16(),
                interaction.response.status,
                "{at}"
            );
            for (header_name, value) in &interaction.response.headers {
                let want = value.replace(BASE_PLACEHOLDER, &origin);
                assert!(
                    response
                        .headers()
                        .get_all(header_name.as_str())
                        .iter()
                        .any(|v| v.to_str().ok() == Some(want.as_str())),
                    "{at}: header {header_name}"
                );
            }
            let bytes = response.bytes().await?;
            match (&interaction.response.body, &interaction.response.body_text) {
                (Some(json), _) => {
                    let got: Value = serde_json::from_slice(&bytes)?;
                    assert_eq!(got, substitute_base(json, &origin), "{at}: body");
                    assert!(
                        !String::from_utf8_lossy(&bytes).contains(BASE_PLACEHOLDER),
                        "{at}"
                    );
                }
                (None, Some(text)) => assert_eq!(bytes, text.as_bytes(), "{at}: body_text"),
                (None, None) => assert!(bytes.is_empty(), "{at}: no body"),
            }
        }
        server.finish();
    }
    Ok(())
}
