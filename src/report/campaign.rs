//! The summary of a network fuzz campaign: `campaign.json` (the
//! [`CampaignSummary`] record, pretty-printed) and `campaign.txt` (the same
//! in a few lines, as printed at the end of `wsgauntlet fuzz`).

use std::fmt::Write;
use std::path::{Path, PathBuf};

use crate::results::CampaignSummary;

/// File name of the JSON summary.
pub const CAMPAIGN_JSON: &str = "campaign.json";
/// File name of the text summary.
pub const CAMPAIGN_TEXT: &str = "campaign.txt";

/// A campaign summary could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}")]
pub struct CampaignWriteError {
    /// The file.
    pub path: String,
    /// The cause.
    pub source: std::io::Error,
}

/// What [`write_campaign`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CampaignFiles {
    /// `campaign.json`.
    pub json: PathBuf,
    /// `campaign.txt`.
    pub text: PathBuf,
}

/// `campaign.json`: the summary, pretty-printed, ending in a newline.
pub fn campaign_json(s: &CampaignSummary) -> String {
    let mut json = serde_json::to_string_pretty(s).unwrap_or_default();
    json.push('\n');
    json
}

/// `campaign.txt`: inputs, rate, outcome counts, load shedding, whether the
/// server died, and one line per finding.
pub fn campaign_text(s: &CampaignSummary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "fuzz campaign: {} inputs in {:.1} s ({} inputs/s), seed {}, {} job(s)",
        s.inputs,
        s.duration_ms as f64 / 1000.0,
        s.inputs_per_second,
        s.seed,
        s.jobs
    );
    let counts: Vec<String> = s.outcomes.iter().map(|(o, n)| format!("{o} {n}")).collect();
    let _ = writeln!(out, "outcomes: {}", counts.join(", "));
    if s.throttled > 0 {
        let _ = writeln!(out, "load shedding met {} time(s), backed off", s.throttled);
    }
    if s.server_died {
        let _ = writeln!(out, "the server stopped accepting connections");
    }
    let _ = writeln!(out, "findings: {}", s.findings.len());
    for f in &s.findings {
        let _ = writeln!(
            out,
            "  {} {} ({} frame(s)) {}",
            f.outcome, f.signature, f.frames, f.file
        );
    }
    out
}

/// Writes `campaign.json` and `campaign.txt` into `dir` (which must exist).
pub fn write_campaign(
    dir: &Path,
    s: &CampaignSummary,
) -> Result<CampaignFiles, CampaignWriteError> {
    let files = CampaignFiles {
        json: dir.join(CAMPAIGN_JSON),
        text: dir.join(CAMPAIGN_TEXT),
    };
    write(&files.json, &campaign_json(s))?;
    write(&files.text, &campaign_text(s))?;
    Ok(files)
}

fn write(path: &Path, text: &str) -> Result<(), CampaignWriteError> {
    std::fs::write(path, text).map_err(|source| CampaignWriteError {
        path: path.display().to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::results::{FindingSummary, Outcome, Reason};

    fn summary() -> CampaignSummary {
        let outcomes = [("PASS", 17), ("FAIL", 2), ("NON-STRICT", 1)];
        CampaignSummary {
            tool: "wsgauntlet 0.1.0".into(),
            url: "ws://127.0.0.1:9001/".into(),
            seed: 3,
            jobs: 4,
            mutators: vec!["reserved-data-opcode".into(), "rsv1".into()],
            duration_ms: 1234,
            inputs: 20,
            inputs_per_second: 16.2,
            outcomes: BTreeMap::from(outcomes.map(|(o, n)| (o.to_string(), n))),
            throttled: 2,
            probes: 5,
            server_died: true,
            findings: vec![
                FindingSummary {
                    file: "out/findings/001-reserved-data-opcode-unexpected-frame.json".into(),
                    signature: "reserved-data-opcode/unexpected-frame/-".into(),
                    outcome: Outcome::Fail,
                    reason: Some(Reason::UnexpectedFrame),
                    close_code: None,
                    frames: 1,
                    frames_before_minimising: 3,
                },
                FindingSummary {
                    file: "out/findings/002-x.json".into(),
                    signature: "x".into(),
                    outcome: Outcome::Fail,
                    reason: None,
                    close_code: Some(1013),
                    frames: 2,
                    frames_before_minimising: 2,
                },
            ],
        }
    }

    /// The exact bytes the summary had when it was written by the CLI.
    #[test]
    fn json_keeps_its_shape() {
        let expected = r#"{
  "tool": "wsgauntlet 0.1.0",
  "url": "ws://127.0.0.1:9001/",
  "seed": 3,
  "jobs": 4,
  "mutators": [
    "reserved-data-opcode",
    "rsv1"
  ],
  "duration_ms": 1234,
  "inputs": 20,
  "inputs_per_second": 16.2,
  "outcomes": {
    "FAIL": 2,
    "NON-STRICT": 1,
    "PASS": 17
  },
  "throttled": 2,
  "probes": 5,
  "server_died": true,
  "findings": [
    {
      "file": "out/findings/001-reserved-data-opcode-unexpected-frame.json",
      "signature": "reserved-data-opcode/unexpected-frame/-",
      "outcome": "FAIL",
      "reason": "unexpected-frame",
      "close_code": null,
      "frames": 1,
      "frames_before_minimising": 3
    },
    {
      "file": "out/findings/002-x.json",
      "signature": "x",
      "outcome": "FAIL",
      "reason": null,
      "close_code": 1013,
      "frames": 2,
      "frames_before_minimising": 2
    }
  ]
}
"#;
        let s = summary();
        assert_eq!(campaign_json(&s), expected);
        let back: CampaignSummary = serde_json::from_str(expected).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn text_keeps_its_shape() {
        assert_eq!(
            campaign_text(&summary()),
            "fuzz campaign: 20 inputs in 1.2 s (16.2 inputs/s), seed 3, 4 job(s)\n\
             outcomes: FAIL 2, NON-STRICT 1, PASS 17\n\
             load shedding met 2 time(s), backed off\n\
             the server stopped accepting connections\n\
             findings: 2\n  \
             FAIL reserved-data-opcode/unexpected-frame/- (1 frame(s)) out/findings/001-reserved-data-opcode-unexpected-frame.json\n  \
             FAIL x (2 frame(s)) out/findings/002-x.json\n"
        );
        let quiet = CampaignSummary {
            outcomes: BTreeMap::new(),
            throttled: 0,
            server_died: false,
            findings: Vec::new(),
            ..summary()
        };
        assert_eq!(
            campaign_text(&quiet),
            "fuzz campaign: 20 inputs in 1.2 s (16.2 inputs/s), seed 3, 4 job(s)\n\
             outcomes: \n\
             findings: 0\n"
        );
    }

    #[test]
    fn writes_both_files() {
        let dir = std::env::temp_dir().join(format!("wsg-campaign-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let s = summary();
        let files = write_campaign(&dir, &s).unwrap();
        assert_eq!(
            std::fs::read_to_string(&files.json).unwrap(),
            campaign_json(&s)
        );
        assert_eq!(
            std::fs::read_to_string(&files.text).unwrap(),
            campaign_text(&s)
        );
        std::fs::remove_dir_all(&dir).unwrap();
        let err = write_campaign(&dir, &s).unwrap_err();
        assert!(err.to_string().starts_with("cannot write "), "{err}");
    }
}
