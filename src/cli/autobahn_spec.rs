//! The Autobahn fuzzingclient spec of `conform --autobahn-spec FILE`:
//! servers with agent and url, `cases`, `exclude-cases`, and
//! `exclude-agent-cases` keyed by agent globs; the case patterns of each
//! agent and the folder its reports go to (`conform` runs them).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

use crate::report::glob_matches;

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
    }
}
