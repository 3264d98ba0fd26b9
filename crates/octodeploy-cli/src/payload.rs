//! The dispatch `client_payload`: from `--payload JSON`, `--payload-file
//! PATH` or `--payload-file -` (standard input), parsed and checked against
//! GitHub's limits before anything is sent.

use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::CliError;

/// The most the CLI reads from a payload file or standard input. GitHub's
/// limit is 64 KiB serialized compactly; a pretty-printed file may be larger
/// than what is sent, so the read limit is generous.
pub(crate) const MAX_READ_BYTES: usize = 1024 * 1024;

/// Where the payload comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source<'a> {
    /// `--payload JSON`.
    Inline(&'a str),
    /// `--payload-file PATH`.
    File(&'a Path),
    /// `--payload-file -`.
    Stdin,
}

impl<'a> Source<'a> {
    /// The source the flags name, if any (clap makes them exclusive).
    pub(crate) fn from_flags(
        payload: Option<&'a str>,
        file: Option<&'a Path>,
    ) -> Option<Source<'a>> {
        match (payload, file) {
            (Some(json), _) => Some(Source::Inline(json)),
            (None, Some(path)) if path == Path::new("-") => Some(Source::Stdin),
            (None, Some(path)) => Some(Source::File(path)),
            (None, None) => None,
        }
    }

    /// The flag as the user typed it, for messages.
    pub(crate) fn arg(&self) -> String {
        match self {
            Source::Inline(_) => "--payload".to_owned(),
            Source::File(path) => format!("--payload-file {}", path.display()),
            Source::Stdin => "--payload-file -".to_owned(),
        }
    }
}

/// Reads, parses and validates the payload: a JSON object with at most 10
/// top-level properties, under 64 KiB serialized (the library's
/// [`octodeploy::validate::client_payload`]).
pub(crate) fn load(source: Source<'_>) -> Result<Map<String, Value>, CliError> {
    let bytes = read(source)?;
    parse(&bytes, source)
}

/// Reads and parses a deployment `payload`: any JSON (the library refuses
/// what is neither an object nor a string, naming `--payload`).
pub(crate) fn load_value(source: Source<'_>) -> Result<Value, CliError> {
    let bytes = read(source)?;
    serde_json::from_slice(&bytes).map_err(|e| CliError::PayloadJson {
        arg: source.arg(),
        source: e,
    })
}

/// The payload's bytes, at most [`MAX_READ_BYTES`].
fn read(source: Source<'_>) -> Result<Vec<u8>, CliError> {
    Ok(match source {
        Source::Inline(json) => json.as_bytes().to_vec(),
        Source::File(path) => {
            let file = File::open(path).map_err(|e| read_error(source, e))?;
            read_limited(file, source)?
        }
        Source::Stdin => {
            let stdin = io::stdin().lock();
            if stdin.is_terminal() {
                eprintln!("reading the payload from standard input (end with Ctrl-D)…");
            }
            read_limited(stdin, source)?
        }
    })
}

/// Parses and validates payload bytes read from `source`.
pub(crate) fn parse(bytes: &[u8], source: Source<'_>) -> Result<Map<String, Value>, CliError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| CliError::PayloadJson {
        arg: source.arg(),
        source: e,
    })?;
    octodeploy::validate::client_payload(value).map_err(|e| CliError::Invalid {
        arg: source.arg(),
        source: e,
    })
}

fn read_limited(reader: impl Read, source: Source<'_>) -> Result<Vec<u8>, CliError> {
    let mut bytes = Vec::new();
    let limit = u64::try_from(MAX_READ_BYTES).unwrap_or(u64::MAX);
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| read_error(source, e))?;
    if bytes.len() > MAX_READ_BYTES {
        return Err(CliError::PayloadTooLarge {
            arg: source.arg(),
            limit: MAX_READ_BYTES,
        });
    }
    Ok(bytes)
}

fn read_error(source: Source<'_>, e: io::Error) -> CliError {
    CliError::PayloadRead {
        arg: source.arg(),
        source: e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit;

    #[test]
    fn objects_pass() {
        let map = parse(br#"{"ref": "main", "n": 1}"#, Source::Inline("")).unwrap();
        assert_eq!(map.len(), 2);
        assert_eq!(
            map.keys().next().map(String::as_str),
            Some("ref"),
            "order kept"
        );
    }

    #[test]
    fn malformed_json_names_the_flag_line_and_column() {
        let err = parse(b"{\n  \"ref\": main\n}", Source::Inline("")).unwrap_err();
        let text = exit::report(&err);
        assert!(text.contains("`--payload`"), "{text}");
        assert!(text.contains("line 2 column"), "{text}");
        assert_eq!(exit::code(&err), exit::USAGE);
    }

    #[test]
    fn github_limits_are_checked() {
        let err = parse(b"[1, 2]", Source::Stdin).unwrap_err();
        let text = exit::report(&err);
        assert!(
            text.contains("`--payload-file -`") && text.contains("an array"),
            "{text}"
        );
        let eleven: String = (0..11)
            .map(|i| format!("\"k{i}\": {i}"))
            .collect::<Vec<_>>()
            .join(",");
        let err = parse(format!("{{{eleven}}}").as_bytes(), Source::Inline("")).unwrap_err();
        assert!(exit::report(&err).contains("at most 10"));
    }

    #[test]
    fn sources_from_flags() {
        assert_eq!(
            Source::from_flags(None, Some(Path::new("-"))),
            Some(Source::Stdin)
        );
        assert_eq!(
            Source::from_flags(None, Some(Path::new("p.json"))).map(|s| s.arg()),
            Some("--payload-file p.json".to_owned())
        );
        assert_eq!(Source::from_flags(None, None), None);
    }

    #[test]
    fn oversized_input_is_refused() {
        let big = vec![b' '; MAX_READ_BYTES + 1];
        let err = read_limited(big.as_slice(), Source::Stdin).unwrap_err();
        assert!(matches!(err, CliError::PayloadTooLarge { .. }));
    }
}
