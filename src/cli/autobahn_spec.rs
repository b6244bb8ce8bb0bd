//! `conform --autobahn-spec fuzzingclient.json`: reads an Autobahn
//! fuzzingclient spec (servers with agent and url, `cases`, `exclude-cases`,
//! `exclude-agent-cases` keyed by agent globs) and tests every server one
//! after the other: `DIR/<agent>/` gets that agent's results and reports,
//! `DIR` the combined HTML, Markdown and `index.json`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

use super::conform::{ConformArgs, exit_code, run_agent, select};
use super::outputs::{GateFiles, print_written, write_all, write_run};
use crate::report::{Format, RunResults, glob_matches};

/// An Autobahn fuzzingclient spec (fields wsgauntlet does not use, such as
/// `options` and `outdir`, are accepted and ignored).
#[derive(Clone, Debug, Deserialize)]
pub struct FuzzingClientSpec {
    /// The servers to test.
    pub servers: Vec<SpecServer>,
    /// Case patterns to run.
    #[serde(default = "all_cases")]
    pub cases: Vec<String>,
    /// Case patterns to leave out.
    #[serde(default, rename = "exclude-cases")]
    pub exclude_cases: Vec<String>,
    /// Agent glob → case patterns to leave out for matching agents.
    #[serde(default, rename = "exclude-agent-cases")]
    pub exclude_agent_cases: BTreeMap<String, Vec<String>>,
}

/// One server of a spec.
#[derive(Clone, Debug, Deserialize)]
pub struct SpecServer {
    /// Its name in the reports.
    pub agent: String,
    /// Its URL.
    pub url: String,
}

fn all_cases() -> Vec<String> {
    vec!["*".into()]
}

impl FuzzingClientSpec {
    /// Reads a spec file.
    pub fn read(path: &Path) -> anyhow::Result<FuzzingClientSpec> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let spec: FuzzingClientSpec = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a fuzzingclient spec", path.display()))?;
        if spec.servers.is_empty() {
            anyhow::bail!("{}: \"servers\" is empty", path.display());
        }
        Ok(spec)
    }

    /// The include and exclude pattern lists for `agent`, comma-joined.
    pub fn patterns_for(&self, agent: &str) -> (String, String) {
        let mut exclude = self.exclude_cases.clone();
        for (glob, cases) in &self.exclude_agent_cases {
            if glob_matches(glob, agent) {
                exclude.extend(cases.iter().cloned());
            }
        }
        (self.cases.join(","), exclude.join(","))
    }
}

/// A folder name for an agent: unsafe characters become `_`.
pub fn agent_dir(agent: &str) -> String {
    let name: String = agent
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.trim_matches('.').is_empty() {
        "agent".into()
    } else {
        name
    }
}

/// Runs every server of the spec; the worst exit code of all agents.
pub(super) async fn run(
    args: &ConformArgs,
    spec_path: &Path,
    formats: &[Format],
    gate: &GateFiles,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let spec = FuzzingClientSpec::read(spec_path)?;
    let mut runs: Vec<RunResults> = Vec::new();
    let mut code = super::EXIT_OK;
    for server in &spec.servers {
        let (include, exclude) = spec.patterns_for(&server.agent);
        let cases =
            select(args, &include, &exclude).with_context(|| format!("agent {}", server.agent))?;
        writeln!(
            out,
            "\n== {} ({}): {} cases",
            server.agent,
            server.url,
            cases.len()
        )?;
        let dir = args.report_dir.join(agent_dir(&server.agent));
        let run = run_agent(
            args,
            cases,
            Some(server.url.clone()),
            Some(server.agent.clone()),
            &dir,
            out,
        )
        .await?;
        let written = write_run(&dir, &run.results, formats, out)?;
        print_written(out, &written)?;
        let agent_code = exit_code(&run, gate.judge(&run.results, out)?);
        code = worst(code, agent_code);
        runs.push(run.results);
        if run.interrupted {
            break;
        }
    }
    let mut combined: Vec<Format> = formats.to_vec();
    combined.extend([Format::Html, Format::Autobahn]);
    let written = write_all(&args.report_dir, &runs, &combined)?;
    print_written(out, &written)?;
    Ok(code)
}

/// 2 (could not do the job) over 1 (deviation) over 0.
fn worst(a: u8, b: u8) -> u8 {
    if a == super::EXIT_ERROR || b == super::EXIT_ERROR {
        super::EXIT_ERROR
    } else {
        a.max(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_autobahn_spec() {
        let spec: FuzzingClientSpec = serde_json::from_str(
            r#"{"options": {"failByDrop": false}, "outdir": "./reports/servers",
                "servers": [{"agent": "MyServer 1.0", "url": "ws://127.0.0.1:9001",
                             "options": {"version": 18}}],
                "cases": ["1.*", "6.4.*"], "exclude-cases": ["9.*"],
                "exclude-agent-cases": {"MyServer*": ["6.4.*"], "Other": ["1.*"]}}"#,
        )
        .unwrap();
        let (inc, exc) = spec.patterns_for("MyServer 1.0");
        assert_eq!(inc, "1.*,6.4.*");
        assert_eq!(exc, "9.*,6.4.*");
        assert_eq!(spec.patterns_for("Else").1, "9.*");
        assert_eq!(agent_dir("My Server/1.0"), "My_Server_1.0");
        assert_eq!(agent_dir(".."), "agent");
        assert_eq!(worst(1, 0), 1);
        assert_eq!(worst(1, 2), 2);
    }
}
