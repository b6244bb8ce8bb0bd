//! Choosing writers (`--format LIST`) and writing the report files of one
//! run, or of several agents side by side.

use std::path::{Path, PathBuf};

use super::autobahn::{HTML_FILE, autobahn_index};
use super::html::html;
use super::json::to_json;
use super::junit::junit;
use super::markdown::markdown;
use crate::results::RunResults;

/// One report writer. The `results.jsonl` stream is always written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    /// The summary printed at the end of a run.
    Terminal,
    /// `results.json`.
    Json,
    /// `junit.xml`.
    Junit,
    /// `report.html`.
    Html,
    /// `summary.md`.
    Md,
    /// Autobahn-compatible `index.json`.
    Autobahn,
}

/// The writers used when `--format` is not given.
pub const DEFAULT_FORMATS: &str = "terminal,json,junit,html,md";

/// An unknown name in a format list.
#[derive(Debug, thiserror::Error)]
#[error(
    "unknown report format {0:?} (terminal, json, junit, html, md, autobahn; jsonl is always written)"
)]
pub struct FormatError(pub String);

impl Format {
    /// Parses a comma-separated list (`jsonl` is accepted and ignored).
    pub fn parse_list(list: &str) -> Result<Vec<Format>, FormatError> {
        let mut out = Vec::new();
        for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let f = match name.to_ascii_lowercase().as_str() {
                "terminal" => Format::Terminal,
                "json" => Format::Json,
                "junit" => Format::Junit,
                "html" => Format::Html,
                "md" | "markdown" => Format::Md,
                "autobahn" => Format::Autobahn,
                "jsonl" => continue,
                _ => return Err(FormatError(name.to_string())),
            };
            out.push(f);
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// The file this writer writes (`None` for the terminal).
    pub fn file_name(self) -> Option<&'static str> {
        Some(match self {
            Format::Terminal => return None,
            Format::Json => "results.json",
            Format::Junit => "junit.xml",
            Format::Html => HTML_FILE,
            Format::Md => "summary.md",
            Format::Autobahn => "index.json",
        })
    }

    /// The report of `runs` in this format (`junit` and `json` take the first run).
    pub fn render(self, runs: &[RunResults]) -> Option<String> {
        let first = runs.first()?;
        match self {
            Format::Terminal => None,
            Format::Json => Some(to_json(first)),
            Format::Junit => Some(junit(first)),
            Format::Html => Some(html(runs)),
            Format::Md => Some(markdown(runs)),
            Format::Autobahn => Some(autobahn_index(runs)),
        }
    }
}

/// Writes the files of one run into `dir`; the paths written.
pub fn write_reports(
    dir: &Path,
    run: &RunResults,
    formats: &[Format],
) -> std::io::Result<Vec<PathBuf>> {
    write_files(dir, std::slice::from_ref(run), formats)
}

/// Writes the combined files of several agents (HTML, Markdown, index.json)
/// into `dir`; the paths written.
pub fn write_combined(
    dir: &Path,
    runs: &[RunResults],
    formats: &[Format],
) -> std::io::Result<Vec<PathBuf>> {
    let mut combined: Vec<Format> = formats
        .iter()
        .copied()
        .filter(|f| matches!(f, Format::Html | Format::Md | Format::Autobahn))
        .collect();
    combined.sort();
    combined.dedup();
    write_files(dir, runs, &combined)
}

fn write_files(
    dir: &Path,
    runs: &[RunResults],
    formats: &[Format],
) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for f in formats {
        let (Some(name), Some(text)) = (f.file_name(), f.render(runs)) else {
            continue;
        };
        let path = dir.join(name);
        std::fs::write(&path, text)?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_lists() {
        let f = Format::parse_list(DEFAULT_FORMATS).unwrap();
        assert_eq!(
            f,
            [
                Format::Terminal,
                Format::Json,
                Format::Junit,
                Format::Html,
                Format::Md
            ]
        );
        assert_eq!(
            Format::parse_list("jsonl, autobahn,json,json").unwrap(),
            [Format::Json, Format::Autobahn]
        );
        assert!(Format::parse_list("xml").is_err());
    }
}
