//! From a finished campaign to its summary record: where the runner's
//! [`CampaignReport`] and [`Finding`]s meet the results model's
//! [`CampaignSummary`] (written by `report::write_campaign`), and the name
//! each finding's replay file gets.

use std::path::PathBuf;

use super::agent::tool_name;
use super::campaign::{CampaignOptions, CampaignReport, Finding};
use crate::results::{CampaignSummary, FindingSummary};

/// The summary of `report`, a campaign against `url` run with `opts` and
/// the mutators named `mutators`. `files` holds the replay file of each
/// finding, in the order of `report.findings`.
pub fn campaign_summary(
    url: &str,
    opts: &CampaignOptions,
    mutators: &[&str],
    report: &CampaignReport,
    files: &[PathBuf],
) -> CampaignSummary {
    debug_assert_eq!(files.len(), report.findings.len());
    let secs = report.elapsed.as_secs_f64().max(1e-9);
    let stats = &report.stats;
    CampaignSummary {
        tool: tool_name(),
        url: url.to_string(),
        seed: opts.seed,
        jobs: opts.jobs,
        mutators: mutators.iter().map(|s| s.to_string()).collect(),
        duration_ms: report.elapsed.as_millis() as u64,
        inputs: stats.inputs,
        inputs_per_second: (stats.inputs as f64 / secs * 10.0).round() / 10.0,
        outcomes: stats
            .outcomes
            .iter()
            .map(|(o, n)| (o.as_str().to_string(), *n))
            .collect(),
        throttled: stats.throttled,
        probes: stats.probes,
        server_died: report.server_died,
        findings: files
            .iter()
            .zip(&report.findings)
            .map(|(file, f)| finding_summary(file, f))
            .collect(),
    }
}

/// One finding as the summary lists it.
pub fn finding_summary(file: &std::path::Path, f: &Finding) -> FindingSummary {
    FindingSummary {
        file: file.display().to_string(),
        signature: f.signature.clone(),
        outcome: f.verdict.outcome,
        reason: f.verdict.reason,
        close_code: f.verdict.close_code,
        frames: f.input.frames.len(),
        frames_before_minimising: f.original.frames.len(),
    }
}

/// The file name of the `n`-th finding (from 1): `001-<signature>.json`,
/// the signature cut to 80 file-name-safe characters.
pub fn finding_file_name(n: usize, signature: &str) -> String {
    format!("{n:03}-{}.json", slug(signature))
}

fn slug(sig: &str) -> String {
    let s: String = sig
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    s.trim_matches('-').chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_file_name_safe() {
        assert_eq!(slug("rsv1+unmasked/no-close/-"), "rsv1-unmasked-no-close");
        assert_eq!(
            finding_file_name(7, "server-died/len-msb-set"),
            "007-server-died-len-msb-set.json"
        );
    }
}
