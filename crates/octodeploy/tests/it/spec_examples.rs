//! Every example in GitHub's contract goes through our types and back
//! unchanged: the generated types (request bodies and responses) and the
//! ergonomic ones built on them. An example the types cannot hold, or lose
//! data from, fails here.

use octodeploy::api::types;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// (operation, where, example) for every example in the fragment.
fn examples() -> Vec<(String, String, Value)> {
    let spec = codegen::Workspace::from_build().read_fragment().unwrap();
    let resolve = |v: &Value| -> Value {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => spec.pointer(r.trim_start_matches('#')).unwrap().clone(),
            None => v.clone(),
        }
    };
    let mut out = Vec::new();
    for item in spec["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            let id = op["operationId"].as_str().unwrap().to_owned();
            let mut media = Vec::new();
            if let Some(c) = op.pointer("/requestBody/content/application~1json") {
                media.push(("request".to_owned(), c.clone()));
            }
            for (code, response) in op["responses"].as_object().unwrap() {
                if let Some(c) = resolve(response).pointer("/content/application~1json") {
                    media.push((format!("response {code}"), c.clone()));
                }
            }
            for (place, content) in media {
                if let Some(example) = content.get("example") {
                    out.push((id.clone(), place.clone(), example.clone()));
                }
                for example in content
                    .get("examples")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flat_map(|m| m.values())
                {
                    out.push((id.clone(), place.clone(), resolve(example)["value"].clone()));
                }
            }
        }
    }
    out
}

/// Every key of `original` is in `back` with the same value (a null may
/// come back absent).
fn assert_kept(original: &Value, back: &Value, at: &str) {
    match (original, back) {
        (Value::Object(o), Value::Object(b)) => {
            for (k, v) in o {
                // A null that comes back absent is the same answer (an
                // optional nullable field, omitted when unset).
                if v.is_null() && !b.contains_key(k) {
                    continue;
                }
                let got = b.get(k).unwrap_or_else(|| panic!("{at}.{k} was dropped"));
                assert_kept(v, got, &format!("{at}.{k}"));
            }
        }
        (Value::Array(o), Value::Array(b)) => {
            assert_eq!(o.len(), b.len(), "{at}: array length");
            for (i, (x, y)) in o.iter().zip(b).enumerate() {
                assert_kept(x, y, &format!("{at}[{i}]"));
            }
        }
        _ => assert_eq!(original, back, "{at}"),
    }
}

fn round_trip<T: DeserializeOwned + Serialize>(example: &Value, what: &str) -> T {
    let value: T = serde_json::from_value(example.clone())
        .unwrap_or_else(|e| panic!("{what}: does not decode: {e}"));
    assert_kept(example, &serde_json::to_value(&value).unwrap(), what);
    value
}

/// The ergonomic type decodes GitHub's JSON itself (that is how the client
/// reads responses): it must read each example as the conversion from the
/// contract's generated type does, and read back what it writes.
fn decodes_alike<G, T>(example: &Value, generated: G, what: &str) -> T
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug + From<G>,
{
    let ours: T = serde_json::from_value(example.clone())
        .unwrap_or_else(|e| panic!("{what}: the ergonomic type does not decode it: {e}"));
    assert_eq!(
        ours,
        T::from(generated),
        "{what}: decoded unlike the generated type"
    );
    let again: T = serde_json::from_value(serde_json::to_value(&ours).unwrap()).unwrap();
    assert_eq!(again, ours, "{what}: does not read back what it writes");
    ours
}

#[test]
fn every_spec_example_round_trips() {
    let all = examples();
    assert!(all.len() >= 5, "only {} examples found", all.len());
    for (op, place, example) in &all {
        let what = format!("{op} {place}");
        match (op.as_str(), place.as_str()) {
            ("repos/create-deployment-status", "request") => {
                round_trip::<types::ReposCreateDeploymentStatusBody>(example, &what);
                let ours: octodeploy::NewDeploymentStatus = round_trip(example, &what);
                ours.validate().unwrap();
            }
            ("repos/create-dispatch-event", "request") => {
                round_trip::<types::ReposCreateDispatchEventBody>(example, &what);
                let ours: octodeploy::DispatchEvent = round_trip(example, &what);
                ours.validate().unwrap();
            }
            ("repos/list-deployment-statuses", "response 200") => {
                let raw: Vec<types::DeploymentStatus> = round_trip(example, &what);
                assert!(!raw.is_empty());
                for (i, raw) in raw.into_iter().enumerate() {
                    let what = format!("{what}[{i}]");
                    let s: octodeploy::DeploymentStatus = decodes_alike(&example[i], raw, &what);
                    assert!(
                        !matches!(s.state, octodeploy::State::Other(_)),
                        "{:?}",
                        s.state
                    );
                }
            }
            ("repos/create-deployment", "request") => {
                round_trip::<types::ReposCreateDeploymentBody>(example, &what);
            }
            ("repos/create-deployment", "response 202") => {
                // Not generated (fixup drop_auto_merge_response): `{message}`.
                assert!(example["message"].is_string(), "{what}");
            }
            ("repos/list-deployments", "response 200") => {
                let raw: Vec<types::Deployment> = round_trip(example, &what);
                assert!(!raw.is_empty());
            }
            ("repos/create-deployment" | "repos/get-deployment", _) => {
                let raw: types::Deployment = round_trip(example, &what);
                assert_eq!(raw.id, example["id"].as_i64().unwrap());
            }
            ("apps/create-installation-access-token", "request") => {
                round_trip::<types::AppsCreateInstallationAccessTokenBody>(example, &what);
            }
            ("apps/create-installation-access-token", "response 201") => {
                let raw: types::InstallationToken = round_trip(example, &what);
                assert!(!raw.token.is_empty());
            }
            ("apps/get-repo-installation", "response 200") => {
                let raw: types::Installation = round_trip(example, &what);
                assert_eq!(raw.id, example["id"].as_i64().unwrap());
            }
            (_, "response 200" | "response 201") => {
                let raw: types::DeploymentStatus = round_trip(example, &what);
                let s: octodeploy::DeploymentStatus = decodes_alike(example, raw, &what);
                assert_eq!(s.id, example["id"].as_i64().unwrap());
            }
            _ => panic!("{what}: an example this test does not know how to check"),
        }
    }
}
