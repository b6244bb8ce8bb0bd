//! Results of the clients under test, per agent, kept on disk as they come:
//! `DIR/<agent>/results.jsonl` grows by one line per finished case and
//! `DIR/<agent>/mask-keys.jsonl` by the case's masking keys, so a restarted
//! `serve` loads them and loses nothing. `/updateReports` writes
//! `results.json` (the selected cases, latest result each, plus the
//! masking-key verdict) and `mask-keys.json`.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::keys::KeyStats;
use crate::report::{
    CaseResult, ResultStream, RunResults, SCHEMA_VERSION, StreamError, StreamHeader, hex,
    read_stream,
};

/// Why the store could not be loaded or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A results stream of an earlier run is unreadable.
    #[error(transparent)]
    Stream(#[from] StreamError),
    /// I/O on the report folder.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// One line of `mask-keys.jsonl`.
#[derive(Debug, Serialize, Deserialize)]
struct KeyLine {
    case: String,
    keys: Vec<String>,
}

struct Agent {
    folder: PathBuf,
    started: String,
    results: BTreeMap<String, CaseResult>,
    keys: Vec<[u8; 4]>,
    stream: Option<ResultStream>,
    key_file: Option<File>,
}

/// Every agent's results.
pub struct Store {
    dir: PathBuf,
    tool: String,
    url: String,
    agents: BTreeMap<String, Agent>,
}

impl Store {
    /// Loads what earlier runs left in `dir` (created if missing).
    pub fn load(dir: &Path, tool: String, url: String) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let mut store = Store {
            dir: dir.to_path_buf(),
            tool,
            url,
            agents: BTreeMap::new(),
        };
        let entries = std::fs::read_dir(dir).map_err(io_err(dir))?;
        for entry in entries.flatten() {
            let jsonl = entry.path().join("results.jsonl");
            if jsonl.is_file() {
                store.load_agent(&entry.path(), &jsonl)?;
            }
        }
        Ok(store)
    }

    fn load_agent(&mut self, folder: &Path, jsonl: &Path) -> Result<(), StoreError> {
        let run = read_stream(jsonl)?;
        let keys = read_keys(&folder.join("mask-keys.jsonl"));
        let results = run.cases.into_iter().map(|c| (c.id.clone(), c)).collect();
        let agent = Agent {
            folder: folder.to_path_buf(),
            started: run.started,
            results,
            keys,
            stream: None,
            key_file: None,
        };
        self.agents.insert(run.agent, agent);
        Ok(())
    }

    /// Agents with results, by name.
    pub fn agents(&self) -> Vec<String> {
        self.agents.keys().cloned().collect()
    }

    /// The latest result of case `id` for `agent`.
    pub fn result(&self, agent: &str, id: &str) -> Option<&CaseResult> {
        self.agents.get(agent)?.results.get(id)
    }

    /// Records a finished case: appended to the agent's streams at once.
    pub fn record(
        &mut self,
        agent: &str,
        result: CaseResult,
        keys: &[[u8; 4]],
    ) -> Result<(), StoreError> {
        let header = StreamHeader {
            schema: SCHEMA_VERSION,
            tool: self.tool.clone(),
            agent: agent.to_string(),
            url: self.url.clone(),
            started: crate::report::rfc3339(std::time::SystemTime::now()),
            seed: 0,
        };
        let folder = self.folder_for(agent);
        let a = self
            .agents
            .entry(agent.to_string())
            .or_insert_with(|| Agent {
                folder,
                started: header.started.clone(),
                results: BTreeMap::new(),
                keys: Vec::new(),
                stream: None,
                key_file: None,
            });
        std::fs::create_dir_all(&a.folder).map_err(io_err(&a.folder))?;
        let jsonl = a.folder.join("results.jsonl");
        if a.stream.is_none() {
            a.stream = Some(ResultStream::append(&jsonl, &header).map_err(io_err(&jsonl))?);
        }
        if let Some(s) = a.stream.as_mut() {
            s.push(&result).map_err(io_err(&jsonl))?;
        }
        append_keys(a, &result.id, keys)?;
        a.keys.extend_from_slice(keys);
        a.results.insert(result.id.clone(), result);
        Ok(())
    }

    /// A folder name for a new agent: its name made file-safe, unique.
    fn folder_for(&self, agent: &str) -> PathBuf {
        let base: String = agent
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let base = if base.trim_matches('.').is_empty() {
            "agent".into()
        } else {
            base
        };
        let taken = |p: &PathBuf| self.agents.values().any(|a| &a.folder == p) || p.exists();
        (1..)
            .map(|i| match i {
                1 => self.dir.join(&base),
                n => self.dir.join(format!("{base}-{n}")),
            })
            .find(|p| !taken(p))
            .unwrap_or_else(|| self.dir.join(base))
    }

    /// The report of `agent` over `order` (the selected case ids), with the
    /// masking-key verdict last.
    pub fn report(&self, agent: &str, order: &[String]) -> Option<(RunResults, KeyStats)> {
        let a = self.agents.get(agent)?;
        let stats = KeyStats::of(&a.keys);
        let mut cases: Vec<CaseResult> = order
            .iter()
            .filter_map(|id| a.results.get(id).cloned())
            .collect();
        cases.push(stats.result());
        let run = RunResults {
            schema: SCHEMA_VERSION,
            tool: self.tool.clone(),
            agent: agent.to_string(),
            url: self.url.clone(),
            started: a.started.clone(),
            duration_ms: cases.iter().map(|c| c.duration_ms).sum(),
            seed: 0,
            cases,
        };
        Some((run, stats))
    }

    /// Writes `results.json` and `mask-keys.json` of `agent`; the paths.
    pub fn write_reports(&self, agent: &str, order: &[String]) -> Result<PathBuf, StoreError> {
        let (run, stats) = self.report(agent, order).ok_or_else(|| StoreError::Io {
            path: agent.to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no results for this agent"),
        })?;
        let folder = &self.agents[agent].folder;
        let json = folder.join("results.json");
        let text = serde_json::to_string_pretty(&run).unwrap_or_default();
        std::fs::write(&json, text).map_err(io_err(&json))?;
        let keys = folder.join("mask-keys.json");
        let text = serde_json::to_string_pretty(&stats).unwrap_or_default();
        std::fs::write(&keys, text).map_err(io_err(&keys))?;
        Ok(json)
    }
}

fn append_keys(a: &mut Agent, case: &str, keys: &[[u8; 4]]) -> Result<(), StoreError> {
    let path = a.folder.join("mask-keys.jsonl");
    if a.key_file.is_none() {
        let f = OpenOptions::new().create(true).append(true).open(&path);
        a.key_file = Some(f.map_err(io_err(&path))?);
    }
    let line = KeyLine {
        case: case.to_string(),
        keys: keys.iter().map(hex).collect(),
    };
    let text = serde_json::to_string(&line).unwrap_or_default();
    if let Some(f) = a.key_file.as_mut() {
        writeln!(f, "{text}")
            .and_then(|_| f.flush())
            .map_err(io_err(&path))?;
    }
    Ok(())
}

/// The keys of a `mask-keys.jsonl`; unreadable lines (a cut-off last one)
/// are skipped: the statistics are best effort.
fn read_keys(path: &Path) -> Vec<[u8; 4]> {
    let Ok(file) = File::open(path) else {
        return Vec::new();
    };
    BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str::<KeyLine>(&l).ok())
        .flat_map(|l| l.keys)
        .filter_map(|k| parse_key(&k))
        .collect()
}

fn parse_key(hex: &str) -> Option<[u8; 4]> {
    let v = u32::from_str_radix(hex, 16).ok()?;
    (hex.len() == 8).then(|| v.to_be_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Outcome;

    fn result(id: &str, outcome: Outcome) -> CaseResult {
        let mut r = KeyStats::of(&[]).result();
        r.id = id.into();
        r.outcome = outcome;
        r
    }

    #[test]
    fn results_survive_a_restart_and_the_latest_wins() {
        let dir = std::env::temp_dir().join(format!("wsg-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut s = Store::load(&dir, "t".into(), "ws://x/".into()).unwrap();
        s.record(
            "my client/1",
            result("1.1.1", Outcome::Fail),
            &[[1, 2, 3, 4]],
        )
        .unwrap();
        s.record(
            "my client/1",
            result("1.1.1", Outcome::Pass),
            &[[5, 6, 7, 8]],
        )
        .unwrap();
        s.record("other", result("2.1", Outcome::Pass), &[])
            .unwrap();
        drop(s);
        let s = Store::load(&dir, "t".into(), "ws://x/".into()).unwrap();
        assert_eq!(
            s.agents(),
            vec!["my client/1".to_string(), "other".to_string()]
        );
        assert_eq!(
            s.result("my client/1", "1.1.1").unwrap().outcome,
            Outcome::Pass
        );
        let (run, stats) = s
            .report("my client/1", &["1.1.1".into(), "9.9".into()])
            .unwrap();
        assert_eq!(stats.keys, 2);
        let ids: Vec<&str> = run.cases.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["1.1.1", super::super::keys::KEY_CASE_ID]);
        assert!(
            s.write_reports("other", &[])
                .unwrap()
                .ends_with("other/results.json")
        );
        assert!(dir.join("my_client_1/mask-keys.jsonl").is_file());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
