//! What a run leaves behind: the report files, the terminal summary, and
//! the gate against a baseline and known deviations (shared by `conform`
//! and `report rebuild`).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::report::{
    ChangeKind, Expectations, Format, Gate, GateRules, RunResults, Scope, diff, read_results,
    summary, to_json, updated_baseline, write_combined, write_reports,
};

/// Writes the reports of one run into `dir` and prints the summary when
/// the terminal format is chosen.
pub(super) fn write_run(
    dir: &Path,
    run: &RunResults,
    formats: &[Format],
    out: &mut dyn Write,
) -> anyhow::Result<Vec<PathBuf>> {
    let written = write_reports(dir, run, formats)
        .with_context(|| format!("cannot write reports into {}", dir.display()))?;
    if formats.contains(&Format::Terminal) {
        write!(out, "{}", summary(run))?;
    }
    Ok(written)
}

/// Writes the combined reports of several agents into `dir`.
pub(super) fn write_all(
    dir: &Path,
    runs: &[RunResults],
    formats: &[Format],
) -> anyhow::Result<Vec<PathBuf>> {
    write_combined(dir, runs, formats)
        .with_context(|| format!("cannot write reports into {}", dir.display()))
}

/// Prints `reports: a, b, …`.
pub(super) fn print_written(out: &mut dyn Write, written: &[PathBuf]) -> std::io::Result<()> {
    let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    if !names.is_empty() {
        writeln!(out, "reports: {}", names.join(", "))?;
    }
    Ok(())
}

/// The baseline and known-deviations files of a gated run.
#[derive(Debug, Default)]
pub(super) struct GateFiles {
    /// The baseline file and its results (`None`: does not exist yet).
    pub baseline: Option<(PathBuf, Option<RunResults>)>,
    /// Known deviations.
    pub expect: Option<Expectations>,
    /// Write improvements into the baseline.
    pub update: bool,
    /// NON-STRICT fails cases judged on their own.
    pub strict: bool,
}

impl GateFiles {
    /// Reads the files named by the flags. A missing baseline is allowed
    /// only with `update` (it is then created).
    pub fn load(
        baseline: Option<&Path>,
        expect: Option<&Path>,
        update: bool,
        strict: bool,
    ) -> anyhow::Result<GateFiles> {
        let baseline = match baseline {
            None => None,
            Some(p) if update && !p.exists() => Some((p.to_path_buf(), None)),
            Some(p) => Some((p.to_path_buf(), Some(read_results(p)?))),
        };
        let expect = match expect {
            None => None,
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("cannot read {}", p.display()))?;
                Some(Expectations::parse(&text).with_context(|| p.display().to_string())?)
            }
        };
        Ok(GateFiles {
            baseline,
            expect,
            update,
            strict,
        })
    }

    /// Judges `run`, prints the findings, updates the baseline when asked;
    /// the exit code (0, 1, or 2 for an unexplained ERROR).
    pub fn judge(&self, run: &RunResults, out: &mut dyn Write) -> anyhow::Result<u8> {
        let base = self.baseline.as_ref().and_then(|(_, b)| b.as_ref());
        let gate = Gate::judge(
            run,
            GateRules {
                baseline: base,
                expect: self.expect.as_ref(),
                strict: self.strict,
            },
        );
        let path = self.baseline.as_ref().map(|(p, _)| p.display().to_string());
        write!(
            out,
            "{}",
            gate.render(path.as_deref().filter(|_| base.is_some()))
        )?;
        if self.update {
            self.update_baseline(run, out)?;
        } else if !gate.improvements.is_empty() && base.is_some() {
            writeln!(out, "(--update-baseline records the improvements)")?;
        }
        Ok(gate.exit_code())
    }

    fn update_baseline(&self, run: &RunResults, out: &mut dyn Write) -> anyhow::Result<()> {
        let Some((path, base)) = &self.baseline else {
            return Ok(());
        };
        let next = match base {
            Some(b) => {
                let changes = diff(b, run, Scope::LaterRun);
                if changes.iter().all(|c| c.kind() == ChangeKind::Regression) {
                    return Ok(());
                }
                updated_baseline(b, run)
            }
            None => {
                let mut fresh = run.clone();
                fresh.cases.iter_mut().for_each(|c| c.wire.clear());
                fresh
            }
        };
        std::fs::write(path, to_json(&next))
            .with_context(|| format!("cannot write {}", path.display()))?;
        writeln!(out, "baseline updated: {}", path.display())?;
        Ok(())
    }
}
