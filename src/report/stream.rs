//! `results.jsonl`: one line per finished case, written and flushed as each
//! case ends, so a killed run loses nothing that finished. The first line is
//! the run header.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::results::{CaseResult, RunResults, SCHEMA_VERSION};

/// The first line of a results stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamHeader {
    /// Schema version.
    pub schema: u32,
    /// The tool and its version.
    pub tool: String,
    /// Server name.
    pub agent: String,
    /// Server URL.
    pub url: String,
    /// Start time, RFC 3339.
    pub started: String,
    /// Master seed.
    pub seed: u64,
}

/// Appends finished cases to a JSONL file.
pub struct ResultStream {
    file: File,
}

impl ResultStream {
    /// Creates (truncates) the file and writes the header line.
    pub fn create(path: &Path, header: &StreamHeader) -> std::io::Result<ResultStream> {
        let mut file = File::create(path)?;
        writeln!(file, "{}", serde_json::to_string(header)?)?;
        file.flush()?;
        Ok(ResultStream { file })
    }

    /// Opens an existing stream to append to it (a restarted run), cutting
    /// off a last line that a kill left incomplete; creates it with the
    /// header line when it does not exist or is empty.
    pub fn append(path: &Path, header: &StreamHeader) -> std::io::Result<ResultStream> {
        let existing = std::fs::read(path).unwrap_or_default();
        let complete = existing
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        if complete == 0 {
            return ResultStream::create(path, header);
        }
        let file = std::fs::OpenOptions::new().append(true).open(path)?;
        if complete < existing.len() {
            file.set_len(complete as u64)?;
        }
        Ok(ResultStream { file })
    }

    /// Appends one case and flushes it to the OS.
    pub fn push(&mut self, case: &CaseResult) -> std::io::Result<()> {
        writeln!(self.file, "{}", serde_json::to_string(case)?)?;
        self.file.flush()
    }
}

/// Why a results stream could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// I/O.
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// A line that is not a result (only the last line may be cut short).
    #[error("{path}:{line}: not a wsgauntlet result: {why}")]
    Corrupt {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// The parser's complaint.
        why: String,
    },
}

/// Reads a results stream back into run results (in file order). A last
/// line cut short by a kill is skipped; any other bad line is an error.
pub fn read_stream(path: &Path) -> Result<RunResults, StreamError> {
    let p = path.display().to_string();
    let io = |source| StreamError::Io {
        path: p.clone(),
        source,
    };
    let lines: Vec<String> = BufReader::new(File::open(path).map_err(io)?)
        .lines()
        .collect::<Result<_, _>>()
        .map_err(io)?;
    let corrupt = |line: usize, why: String| StreamError::Corrupt {
        path: p.clone(),
        line,
        why,
    };
    let first = lines
        .first()
        .ok_or_else(|| corrupt(1, "empty file".into()))?;
    let header: StreamHeader =
        serde_json::from_str(first).map_err(|e| corrupt(1, e.to_string()))?;
    if header.schema != SCHEMA_VERSION {
        return Err(corrupt(
            1,
            format!("schema {} is not {SCHEMA_VERSION}", header.schema),
        ));
    }
    let mut cases = Vec::new();
    for (i, line) in lines.iter().enumerate().skip(1) {
        match serde_json::from_str::<CaseResult>(line) {
            Ok(c) => cases.push(c),
            Err(_) if i + 1 == lines.len() => break,
            Err(e) => return Err(corrupt(i + 1, e.to_string())),
        }
    }
    Ok(RunResults {
        schema: header.schema,
        tool: header.tool,
        agent: header.agent,
        url: header.url,
        started: header.started,
        duration_ms: cases.iter().map(|c| c.duration_ms).sum(),
        seed: header.seed,
        cases,
    })
}
