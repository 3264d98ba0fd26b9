//! GitHub's contract as a validator: response bodies (recorded, or from the
//! fake server) checked against the fixed-up fragment's schemas, so neither
//! can drift from the contract unnoticed.

use serde_json::Value;

/// The operations, recognised from a request's method and path.
pub fn operation_for(method: &str, path: &str) -> Option<&'static str> {
    let path = path.split('?').next().unwrap_or(path).trim_end_matches('/');
    let segments: Vec<&str> = path.split('/').collect();
    let ends = |suffix: &[&str]| {
        segments.len() >= suffix.len()
            && segments[segments.len() - suffix.len()..]
                .iter()
                .zip(suffix)
                .all(|(s, p)| *p == "*" || s == p)
    };
    match method {
        "POST" if ends(&["deployments"]) => Some("repos/create-deployment"),
        "GET" if ends(&["deployments"]) => Some("repos/list-deployments"),
        "GET" if ends(&["deployments", "*"]) => Some("repos/get-deployment"),
        "DELETE" if ends(&["deployments", "*"]) => Some("repos/delete-deployment"),
        "GET" if ends(&["deployments", "*", "statuses"]) => Some("repos/list-deployment-statuses"),
        "POST" if ends(&["deployments", "*", "statuses"]) => Some("repos/create-deployment-status"),
        "GET" if ends(&["deployments", "*", "statuses", "*"]) => {
            Some("repos/get-deployment-status")
        }
        "POST" if ends(&["dispatches"]) => Some("repos/create-dispatch-event"),
        _ => None,
    }
}

/// Validates response bodies against the contract.
#[derive(Debug)]
pub struct Contract {
    verbatim: Value,
    fixed: Value,
}

impl Contract {
    /// Loads `openapi/fragment.json` and applies the fixups.
    pub fn load() -> Result<Self, String> {
        let ws = codegen::Workspace::from_build();
        let verbatim = ws.read_fragment().map_err(|e| e.to_string())?;
        let fixed = codegen::fixups::apply_all(&verbatim).map_err(|e| e.to_string())?;
        Ok(Contract { verbatim, fixed })
    }

    /// The schema a `status` response of `operation` must satisfy: the
    /// documented success body (after fixups); for errors, the documented
    /// error schema of the verbatim fragment, else GitHub's `basic-error`
    /// (401, 403 and 429 are undocumented but shaped like it).
    pub fn schema_for(&self, operation: &str, status: u16) -> Result<Value, String> {
        if status < 300 {
            // A success the generator does not model (create-deployment's
            // 202) is still described in the verbatim fragment.
            return codegen::contract::response_schema(&self.fixed, operation, status)
                .or_else(|_| codegen::contract::response_schema(&self.verbatim, operation, status))
                .map_err(|e| e.to_string());
        }
        codegen::contract::response_schema(&self.verbatim, operation, status)
            .or_else(|_| {
                let basic = serde_json::json!({"$ref": "#/components/schemas/basic-error"});
                codegen::contract::inline_schema(&self.verbatim, &basic)
            })
            .map_err(|e| e.to_string())
    }

    /// Checks one response body; the error lists every violation with its
    /// JSON pointer.
    pub fn validate(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: &Value,
    ) -> Result<(), String> {
        let operation = operation_for(method, path)
            .ok_or_else(|| format!("{method} {path} is none of the bound operations"))?;
        let schema = self.schema_for(operation, status)?;
        // GitHub sends "" for unset URLs that the contract types `format: uri`;
        // formats are not what this check is about.
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .should_validate_formats(false)
            .build(&schema)
            .map_err(|e| format!("{operation} {status}: schema does not compile: {e}"))?;
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{} at `{}`", e, e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("{operation} {status}: {}", errors.join("; ")))
        }
    }
}
