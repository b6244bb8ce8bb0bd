//! A single self-contained HTML report (no external assets, no network):
//! summary counts per agent, a matrix of sections × outcomes, filters by
//! outcome, and per case the requirement and, for each agent side by side,
//! the verdict, timings, the frames decoded field by field and a hex wire
//! log. Every text from results is escaped.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::autobahn::case_anchor;
use super::counts::{Counts, OUTCOMES};
use super::deflate::{agreed_cell, deflate_cases, deflate_fields, ratio_cell};
use super::html_assets::{CSS, JS};
use super::html_escape::esc;
use super::html_wire::{hex_log, wire_table};
use super::json::{by_section, id_order};
use super::junit::close_code_text;
use crate::results::Outcome;
use crate::results::{CaseResult, RunResults};

/// The HTML report of one or more runs (agents side by side).
pub fn html(runs: &[RunResults]) -> String {
    let agents: Vec<&str> = runs.iter().map(|r| r.agent.as_str()).collect();
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>wsgauntlet report — {}</title><style>{CSS}</style></head><body>\n",
        esc(&agents.join(", "))
    );
    header(&mut out, runs);
    cards(&mut out, runs);
    matrices(&mut out, runs);
    deflate_tables(&mut out, runs);
    filters(&mut out, runs);
    cases(&mut out, runs);
    let _ = write!(out, "<script>{JS}</script>\n</body></html>\n");
    out
}

fn header(out: &mut String, runs: &[RunResults]) {
    let tool = runs.first().map_or("wsgauntlet", |r| r.tool.as_str());
    let _ = writeln!(
        out,
        "<header><h1>WebSocket conformance report</h1><div class=\"meta\">{} · RFC 6455</div></header>",
        esc(tool)
    );
}

fn cards(out: &mut String, runs: &[RunResults]) {
    out.push_str("<h2>Summary</h2><div class=\"cards\">");
    for run in runs {
        let counts = Counts::of(&run.cases);
        let _ = write!(
            out,
            "<div class=\"card\"><h3>{}</h3><div class=\"url\">{}</div><div class=\"counts\">",
            esc(&run.agent),
            esc(&run.url)
        );
        for o in OUTCOMES {
            let _ = write!(
                out,
                "<span class=\"badge o-{o}\" data-agent=\"{}\" data-outcome=\"{o}\">{o} {}</span>",
                esc(&run.agent),
                counts.get(o)
            );
        }
        let _ = write!(
            out,
            "</div><div class=\"meta\">{} cases · {:.1} s · seed {} · started {}</div>",
            run.cases.len(),
            run.duration_ms as f64 / 1000.0,
            run.seed,
            esc(&run.started)
        );
        attention(out, run);
        out.push_str("</div>");
    }
    out.push_str("</div>\n");
}

/// Links to the first cases of a run that are not PASS.
fn attention(out: &mut String, run: &RunResults) {
    const SHOWN: usize = 40;
    let bad: Vec<&CaseResult> = run
        .cases
        .iter()
        .filter(|c| c.outcome != Outcome::Pass)
        .collect();
    if bad.is_empty() {
        return;
    }
    out.push_str("<div class=\"attention\">not PASS:");
    for c in bad.iter().take(SHOWN) {
        let _ = write!(
            out,
            " <a class=\"badge o-{}\" href=\"#{}\">{}</a>",
            c.outcome,
            esc(&case_anchor(&run.agent, &c.id)),
            esc(&c.id)
        );
    }
    if bad.len() > SHOWN {
        let _ = write!(
            out,
            " <span class=\"dim\">and {} more</span>",
            bad.len() - SHOWN
        );
    }
    out.push_str("</div>");
}

fn matrices(out: &mut String, runs: &[RunResults]) {
    out.push_str("<h2>Sections × outcomes</h2><div class=\"matrices\">");
    for run in runs {
        let _ = write!(
            out,
            "<div class=\"mx\"><h3>{}</h3><table class=\"matrix\"><thead><tr><th>section</th>",
            esc(&run.agent)
        );
        for o in OUTCOMES {
            let short = match o {
                Outcome::Informational => "INFO",
                Outcome::Unimplemented => "UNIMPL.",
                _ => o.as_str(),
            };
            let _ = write!(out, "<th title=\"{o}\">{short}</th>");
        }
        out.push_str("<th>total</th></tr></thead><tbody>");
        for (name, cases) in by_section(&run.cases) {
            let counts = Counts::of(cases.iter().copied());
            let _ = write!(out, "<tr><td>{}</td>", esc(&name));
            for o in OUTCOMES {
                match counts.get(o) {
                    0 => out.push_str("<td class=\"zero\">·</td>"),
                    n => {
                        let _ = write!(out, "<td><span class=\"badge o-{o}\">{n}</span></td>");
                    }
                }
            }
            let _ = write!(out, "<td>{}</td></tr>", cases.len());
        }
        out.push_str("</tbody></table></div>");
    }
    out.push_str("</div>\n");
}

/// Per agent, every case that offered permessage-deflate: what was agreed,
/// the compression ratio each way (wire bytes per inflated byte) and the
/// time, as Autobahn's report of sections 12 and 13 shows them.
fn deflate_tables(out: &mut String, runs: &[RunResults]) {
    if runs.iter().all(|r| deflate_cases(&r.cases).is_empty()) {
        return;
    }
    out.push_str("<h2 id=\"deflate\">permessage-deflate</h2><div class=\"matrices\">");
    for run in runs {
        let rows = deflate_cases(&run.cases);
        if rows.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "<div class=\"mx\"><h3>{}</h3><div class=\"scroll\"><table class=\"matrix deflate\"><thead><tr>\
             <th>case</th><th>outcome</th><th class=\"l\">agreed</th><th title=\"client → server\">c→s window</th>\
             <th title=\"server → client\">s→c window</th><th title=\"wire bytes per inflated byte, tester → peer\">ratio sent</th>\
             <th title=\"wire bytes per inflated byte, peer → tester\">ratio received</th><th>messages</th><th>ms</th></tr></thead><tbody>",
            esc(&run.agent)
        );
        for (c, d) in rows {
            deflate_row(out, &run.agent, c, d);
        }
        out.push_str("</tbody></table></div></div>");
    }
    out.push_str("</div>\n");
}

fn deflate_row(out: &mut String, agent: &str, c: &CaseResult, d: &crate::results::DeflateResult) {
    let window = |w: Option<crate::results::DeflateDirection>| {
        w.map_or("–".into(), |w| {
            let ctx = if w.no_context_takeover { " no ctx" } else { "" };
            format!("{}{ctx}", w.window_bits)
        })
    };
    let _ = write!(
        out,
        "<tr><td><a href=\"#{}\">{}</a></td><td><span class=\"badge o-{}\">{}</span></td>\
         <td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        esc(&case_anchor(agent, &c.id)),
        esc(&c.id),
        c.outcome,
        c.outcome,
        esc(&agreed_cell(d)),
        window(d.client_to_server),
        window(d.server_to_client),
        ratio_cell(d.sent.ratio()),
        ratio_cell(d.received.ratio()),
        d.sent.messages.max(d.received.messages),
        c.duration_ms
    );
}

fn filters(out: &mut String, runs: &[RunResults]) {
    let all = Counts::of(runs.iter().flat_map(|r| &r.cases));
    out.push_str("<h2>Cases</h2><div class=\"filters\"><span>Show:</span>");
    for o in OUTCOMES {
        let _ = write!(
            out,
            "<label><input type=\"checkbox\" data-outcome=\"{o}\" checked> \
             <span class=\"badge o-{o}\">{o} {}</span></label>",
            all.get(o)
        );
    }
    out.push_str(
        "<button type=\"button\" id=\"show-all\">all</button>\
         <button type=\"button\" id=\"show-bad\">not PASS</button>\
         <span id=\"shown\"></span><output id=\"js-counts\" hidden></output></div>\n",
    );
}

/// Every case id of any run, in catalogue order.
fn case_ids(runs: &[RunResults]) -> Vec<String> {
    let mut ids: Vec<String> = runs
        .iter()
        .flat_map(|r| r.cases.iter().map(|c| c.id.clone()))
        .collect();
    ids.sort_by_key(|id| id_order(id));
    ids.dedup();
    ids
}

fn cases(out: &mut String, runs: &[RunResults]) {
    let lookup: Vec<BTreeMap<&str, &CaseResult>> = runs
        .iter()
        .map(|r| r.cases.iter().map(|c| (c.id.as_str(), c)).collect())
        .collect();
    out.push_str("<div id=\"cases\">\n");
    for id in case_ids(runs) {
        let row: Vec<Option<&CaseResult>> =
            lookup.iter().map(|m| m.get(id.as_str()).copied()).collect();
        case_block(out, runs, &id, &row);
    }
    out.push_str("</div>\n");
}

fn case_block(out: &mut String, runs: &[RunResults], id: &str, row: &[Option<&CaseResult>]) {
    let first = row.iter().flatten().next();
    let outcomes: Vec<&str> = row
        .iter()
        .map(|c| c.map_or("MISSING", |c| c.outcome.as_str()))
        .collect();
    let open = row.iter().flatten().any(|c| c.outcome != Outcome::Pass);
    let _ = write!(
        out,
        "<details class=\"case\" data-outcomes=\"{}\"{}><summary><span class=\"cid\">{}</span>\
         <span class=\"title\">{}</span>",
        outcomes.join(" "),
        if open { " open" } else { "" },
        esc(id),
        esc(first.map_or("", |c| c.title.as_str()))
    );
    for o in &outcomes {
        let _ = write!(out, "<span class=\"badge o-{o}\">{o}</span>");
    }
    out.push_str("</summary><div class=\"body\">");
    if let Some(c) = first.filter(|c| !c.requirement.is_empty()) {
        let _ = write!(
            out,
            "<p class=\"req\">{}: “{}”</p>",
            esc(&crate::results::cite(&c.section)),
            esc(&c.requirement)
        );
    }
    let _ = write!(
        out,
        "<div class=\"agents\" style=\"grid-template-columns:repeat({},minmax(0,1fr))\">",
        runs.len()
    );
    for (run, c) in runs.iter().zip(row) {
        agent_cell(out, &run.agent, id, *c);
    }
    out.push_str("</div></div></details>\n");
}

fn agent_cell(out: &mut String, agent: &str, id: &str, c: Option<&CaseResult>) {
    let anchor = esc(&case_anchor(agent, id));
    let Some(c) = c else {
        let _ = write!(
            out,
            "<div class=\"agent\" id=\"{anchor}\"><h4>{}</h4><span class=\"badge o-MISSING\">MISSING</span> \
             <span class=\"dim\">not run</span></div>",
            esc(agent)
        );
        return;
    };
    let _ = write!(
        out,
        "<div class=\"agent\" id=\"{anchor}\" data-outcome=\"{}\"><h4>{}</h4><dl>",
        c.outcome,
        esc(agent)
    );
    let reason = c.reason.map(|r| format!(" {r}")).unwrap_or_default();
    let _ = write!(
        out,
        "<dt>outcome</dt><dd><span class=\"badge o-{}\">{}</span>{}</dd>",
        c.outcome,
        c.outcome,
        esc(&reason)
    );
    field(out, "expected", &c.expected);
    field(out, "actual", &c.actual);
    let code = c.close_code.map_or("none".to_string(), close_code_text);
    field(out, "close code", &code);
    if !c.throttled.is_empty() {
        let t: Vec<String> = c.throttled.iter().map(u16::to_string).collect();
        field(out, "throttled", &t.join(", "));
    }
    field(out, "duration", &format!("{} ms", c.duration_ms));
    if let Some(d) = &c.deflate {
        for (name, value) in deflate_fields(d) {
            field(out, name, &value);
        }
    }
    out.push_str("</dl>");
    wire(out, c);
    out.push_str("</div>");
}

fn field(out: &mut String, name: &str, value: &str) {
    let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", esc(name), esc(value));
}

fn wire(out: &mut String, c: &CaseResult) {
    if c.wire.is_empty() {
        out.push_str("<div class=\"dim\">no frames recorded</div>");
        return;
    }
    let _ = write!(
        out,
        "<details class=\"sub\"{}><summary>frames ({})</summary>{}\
         <details class=\"sub\"><summary>hex wire log</summary><pre class=\"hex\">{}</pre></details></details>",
        if c.outcome == Outcome::Pass {
            ""
        } else {
            " open"
        },
        c.wire.len(),
        wire_table(&c.wire),
        hex_log(&c.wire)
    );
}
