//! `wsgauntlet report`: makes the final reports from a results stream
//! (`rebuild`, e.g. after a killed run) and compares two result files
//! (`diff`).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand};

use super::outputs::{print_written, write_all, write_run};
use crate::report::{ChangeKind, DEFAULT_FORMATS, Format, RunResults, Scope, diff, read_results};

const AFTER_HELP: &str = "\
A result file is a results.json, a results.jsonl stream, or a report folder
holding one of them (results.jsonl is preferred in `rebuild`, results.json
in `diff`).

Exit codes: rebuild 0, or 2 if the stream cannot be read; diff 0 when every
case has the same outcome, reason and close code in both, 1 when any differs
(or is in one file only).

Examples:
  wsgauntlet report rebuild reports
  wsgauntlet report rebuild reports --out /tmp/again --format html,md
  wsgauntlet report diff old/results.json reports/results.json";

/// Arguments of `report`.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct ReportArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ReportCommand,
}

/// The `report` subcommands.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Make the final reports from DIR/results.jsonl (or DIR/<agent>/results.jsonl of a spec run)
    Rebuild {
        /// Report folder of a run
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// Where to write the reports (default: DIR)
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Report writers: terminal, json, junit, html, md, autobahn
        #[arg(long, value_name = "LIST", default_value = DEFAULT_FORMATS)]
        format: String,
    },
    /// Compare two result files case by case (exit 1 when they differ)
    Diff {
        /// The earlier results
        #[arg(value_name = "A")]
        a: PathBuf,
        /// The later results
        #[arg(value_name = "B")]
        b: PathBuf,
    },
}

pub(super) fn run(args: ReportArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    match args.command {
        ReportCommand::Rebuild {
            dir,
            out: to,
            format,
        } => {
            let formats = Format::parse_list(&format)?;
            let to = to.unwrap_or_else(|| dir.clone());
            rebuild(&dir, &to, &formats, out)
        }
        ReportCommand::Diff { a, b } => diff_files(&a, &b, out),
    }
}

fn rebuild(dir: &Path, to: &Path, formats: &[Format], out: &mut dyn Write) -> anyhow::Result<u8> {
    let single = dir.join("results.jsonl");
    if single.is_file() {
        let run = read_results(&single)?;
        let written = write_run(to, &run, formats, out)?;
        print_written(out, &written)?;
        return Ok(super::EXIT_OK);
    }
    let mut agents: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("results.jsonl").is_file())
        .collect();
    agents.sort();
    if agents.is_empty() {
        anyhow::bail!(
            "{}: no results.jsonl in it or in its sub-folders",
            dir.display()
        );
    }
    let mut runs = Vec::new();
    for a in &agents {
        let run = read_results(&a.join("results.jsonl"))?;
        let name = a.file_name().unwrap_or_default();
        let written = write_run(&to.join(name), &run, formats, out)?;
        print_written(out, &written)?;
        runs.push(run);
    }
    let mut combined = formats.to_vec();
    combined.extend([Format::Html, Format::Autobahn]);
    let written = write_all(to, &runs, &combined)?;
    print_written(out, &written)?;
    Ok(super::EXIT_OK)
}

/// A results file, or the results in a report folder.
fn load(path: &Path, prefer: &[&str]) -> anyhow::Result<RunResults> {
    if path.is_dir() {
        for name in prefer {
            let f = path.join(name);
            if f.is_file() {
                return Ok(read_results(&f)?);
            }
        }
        anyhow::bail!("{}: no {} in it", path.display(), prefer.join(" or "));
    }
    Ok(read_results(path)?)
}

fn diff_files(a: &Path, b: &Path, out: &mut dyn Write) -> anyhow::Result<u8> {
    let prefer = ["results.json", "results.jsonl"];
    let (before, after) = (load(a, &prefer)?, load(b, &prefer)?);
    let changes = diff(&before, &after, Scope::Both);
    for ch in &changes {
        writeln!(out, "{ch}")?;
    }
    let count = |k: ChangeKind| changes.iter().filter(|c| c.kind() == k).count();
    writeln!(
        out,
        "{} cases differ: {} worse, {} better, {} same outcome with other details, {} added",
        changes.len(),
        count(ChangeKind::Regression),
        count(ChangeKind::Improvement),
        count(ChangeKind::Detail),
        count(ChangeKind::Added)
    )?;
    Ok(if changes.is_empty() {
        super::EXIT_OK
    } else {
        super::EXIT_DEVIATION
    })
}
