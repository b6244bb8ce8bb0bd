//! `results.json`: the versioned results document (schema
//! [`SCHEMA_VERSION`](super::SCHEMA_VERSION)), and reading results back from
//! either that document or a `results.jsonl` stream.

use std::path::Path;

use super::stream::{StreamError, read_stream};
use crate::results::{CaseResult, RunResults, SCHEMA_VERSION};

/// Why a results file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// The file could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The file is not a results document.
    #[error("{path}: not a wsgauntlet results file: {why}")]
    Parse {
        /// The file.
        path: String,
        /// The parser's complaint.
        why: String,
    },
    /// The document has another schema version.
    #[error("{path}: results schema {found} is not the supported schema {SCHEMA_VERSION}")]
    Schema {
        /// The file.
        path: String,
        /// The version found.
        found: u32,
    },
    /// A `results.jsonl` stream could not be read.
    #[error(transparent)]
    Stream(#[from] StreamError),
}

/// The results document, pretty-printed, ending in a newline.
pub fn to_json(run: &RunResults) -> String {
    let mut s = serde_json::to_string_pretty(run).unwrap_or_default();
    s.push('\n');
    s
}

/// Reads `results.json` (or a `results.jsonl` stream, recognised by its
/// `.jsonl` extension or by not being one JSON document). Cases come back
/// in catalogue order.
pub fn read_results(path: &Path) -> Result<RunResults, ResultsError> {
    let p = path.display().to_string();
    if path.extension().is_some_and(|e| e == "jsonl") {
        return Ok(sorted(read_stream(path)?));
    }
    let text = std::fs::read_to_string(path).map_err(|source| ResultsError::Io {
        path: p.clone(),
        source,
    })?;
    let value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(_) if text.lines().count() > 1 => return Ok(sorted(read_stream(path)?)),
        Err(e) => return Err(parse_error(&p, e)),
    };
    let found = value.get("schema").and_then(serde_json::Value::as_u64);
    match found {
        Some(v) if v == u64::from(SCHEMA_VERSION) => {}
        Some(v) => {
            return Err(ResultsError::Schema {
                path: p,
                found: u32::try_from(v).unwrap_or(u32::MAX),
            });
        }
        None => return Err(parse_error(&p, "no \"schema\" field")),
    }
    let run = serde_json::from_value(value).map_err(|e| parse_error(&p, e))?;
    Ok(sorted(run))
}

fn parse_error(path: &str, why: impl ToString) -> ResultsError {
    ResultsError::Parse {
        path: path.to_string(),
        why: why.to_string(),
    }
}

fn sorted(mut run: RunResults) -> RunResults {
    sort_cases(&mut run);
    run
}

/// Puts cases in catalogue order: ids compared number by number
/// (`2.10` after `2.9`, `10.1` after `9.8.6`).
pub fn sort_cases(run: &mut RunResults) {
    run.cases.sort_by_key(|c| id_order(&c.id));
}

/// The sort key of a case id: its numeric parts (non-numbers last, by text).
pub fn id_order(id: &str) -> Vec<(u64, String)> {
    id.split('.')
        .map(|p| match p.parse::<u64>() {
            Ok(n) => (n, String::new()),
            Err(_) => (u64::MAX, p.to_string()),
        })
        .collect()
}

/// Cases grouped by top-level section, sections in catalogue order.
pub fn by_section(cases: &[CaseResult]) -> Vec<(String, Vec<&CaseResult>)> {
    let mut groups: Vec<(String, Vec<&CaseResult>)> = Vec::new();
    for c in cases {
        let top = top_section(&c.id);
        match groups.iter_mut().find(|(name, _)| name == top) {
            Some((_, list)) => list.push(c),
            None => groups.push((top.to_string(), vec![c])),
        }
    }
    groups.sort_by_key(|(name, _)| id_order(name));
    groups
}

/// The top-level section of a case id (`4` for `4.1.1`).
pub fn top_section(id: &str) -> &str {
    id.split('.').next().unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_numerically() {
        let mut ids = vec!["10.1.1", "2.10", "2.9", "1.1.2", "9.8.6", "x"];
        ids.sort_by_key(|i| id_order(i));
        assert_eq!(ids, ["1.1.2", "2.9", "2.10", "9.8.6", "10.1.1", "x"]);
        assert_eq!(top_section("4.1.1"), "4");
    }

    #[test]
    fn other_schema_is_refused() {
        let dir = std::env::temp_dir().join(format!("wsg-json-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("results.json");
        std::fs::write(&f, r#"{"schema": 99, "cases": []}"#).unwrap();
        let err = read_results(&f).unwrap_err();
        assert!(
            matches!(err, ResultsError::Schema { found: 99, .. }),
            "{err}"
        );
        std::fs::write(&f, r#"{"cases": []}"#).unwrap();
        assert!(matches!(
            read_results(&f).unwrap_err(),
            ResultsError::Parse { .. }
        ));
    }
}
