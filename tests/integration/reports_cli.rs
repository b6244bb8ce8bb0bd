//! The report features through the real binary against the bundled server
//! and a broken one: baseline gate exit codes and diff lines, known
//! deviations, shards, `report diff`, an Autobahn spec with two agents, and
//! a run stopped mid-way whose reports `report rebuild` reproduces.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::broken::{Defect, broken};
use wsgauntlet::report::read_results;

const BIN: &str = env!("CARGO_BIN_EXE_wsgauntlet");

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

async fn wsg(args: &[&str]) -> Ran {
    let out = tokio::process::Command::new(BIN)
        .args(args)
        .output()
        .await
        .expect("the binary runs");
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wsg-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn baseline_gate_exit_codes() {
    let dir = tempdir("gate");
    let (base, again, bad) = (dir.join("base"), dir.join("again"), dir.join("bad"));
    let cases = "1.1.*,4.1.*";
    let first = wsg(&["conform", "--cases", cases, "--report-dir", s(&base)]).await;
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    let baseline = base.join("results.json");
    let r = wsg(&[
        "conform",
        "--cases",
        cases,
        "--report-dir",
        s(&again),
        "--baseline",
        s(&baseline),
    ])
    .await;
    assert_eq!(r.code, 0, "unchanged: {}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("0 regressions"), "{}", r.stdout);

    let server = broken(Defect::Answers1013ToProtocolErrors).await;
    let url = format!("ws://{}/", server.addr);
    let r = wsg(&[
        "conform",
        &url,
        "--cases",
        cases,
        "--report-dir",
        s(&bad),
        "--baseline",
        s(&baseline),
    ])
    .await;
    assert_eq!(r.code, 1, "regression: {}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("4.1.1: PASS → FAIL (wrong-close-code 1013)"),
        "{}",
        r.stdout
    );

    let d = wsg(&["report", "diff", s(&baseline), s(&bad.join("results.json"))]).await;
    assert_eq!(d.code, 1);
    assert!(
        d.stdout
            .contains("4.1.1: PASS → FAIL (wrong-close-code 1013)"),
        "{}",
        d.stdout
    );
    let same = wsg(&["report", "diff", s(&baseline), s(&again)]).await;
    assert_eq!(same.code, 0, "{}{}", same.stdout, same.stderr);

    let expect = dir.join("expect.toml");
    std::fs::write(
        &expect,
        "[\"4.1.*\"]\noutcome = \"FAIL\"\nreason = \"answers 1013, issue 7\"\n",
    )
    .unwrap();
    let r = wsg(&[
        "conform",
        &url,
        "--cases",
        "4.1.*",
        "--report-dir",
        s(&dir.join("exp")),
        "--expect",
        s(&expect),
    ])
    .await;
    assert_eq!(r.code, 0, "known deviations: {}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("as expected — answers 1013, issue 7"),
        "{}",
        r.stdout
    );

    let none = wsg(&[
        "conform",
        "--cases",
        "99.*",
        "--report-dir",
        s(&dir.join("none")),
    ])
    .await;
    assert_eq!(none.code, 2, "{}", none.stderr);
    assert!(none.stderr.contains("no case matches"), "{}", none.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn improvements_update_the_baseline() {
    let dir = tempdir("update");
    let r = wsg(&["conform", "--cases", "2.1,2.2", "--report-dir", s(&dir)]).await;
    assert_eq!(r.code, 0);
    let baseline = dir.join("baseline.json");
    let mut old = read_results(&dir.join("results.json")).unwrap();
    old.cases[0].outcome = wsgauntlet::session::Outcome::Fail;
    std::fs::write(&baseline, wsgauntlet::report::to_json(&old)).unwrap();
    let args = [
        "conform",
        "--cases",
        "2.1,2.2",
        "--report-dir",
        s(&dir),
        "--baseline",
        s(&baseline),
    ];
    let r = wsg(&args).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains("2.1: FAIL") && r.stdout.contains("→ PASS"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("--update-baseline"), "{}", r.stdout);
    let r = wsg(&[&args[..], &["--update-baseline"]].concat()).await;
    assert!(r.stdout.contains("baseline updated"), "{}", r.stdout);
    let now = read_results(&baseline).unwrap();
    assert!(
        now.cases
            .iter()
            .all(|c| c.outcome == wsgauntlet::session::Outcome::Pass)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn shards_cover_the_selection_once() {
    let dir = tempdir("shard");
    let mut seen: Vec<String> = Vec::new();
    for k in ["1/3", "2/3", "3/3"] {
        let out = dir.join(k.replace('/', "-"));
        let r = wsg(&[
            "conform",
            "--cases",
            "1.*",
            "--shard",
            k,
            "--format",
            "json",
            "--report-dir",
            s(&out),
        ])
        .await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        let run = read_results(&out.join("results.json")).unwrap();
        assert!(
            (5..=6).contains(&run.cases.len()),
            "{k}: {}",
            run.cases.len()
        );
        seen.extend(run.cases.into_iter().map(|c| c.id));
    }
    seen.sort();
    let before = seen.len();
    seen.dedup();
    assert_eq!(
        (before, seen.len()),
        (16, 16),
        "sections 1.1 and 1.2, each once"
    );
    let r = wsg(&["conform", "--cases", "1.1.1", "--shard", "2/2"]).await;
    assert_eq!(r.code, 2, "an empty shard selects nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn autobahn_spec_runs_every_agent() {
    let dir = tempdir("spec");
    let good = crate::support::servers::reference().await;
    let bad = broken(Defect::Answers1013ToProtocolErrors).await;
    let spec = dir.join("fuzzingclient.json");
    let text = serde_json::json!({
        "outdir": "./ignored",
        "servers": [
            {"agent": "Good Server", "url": format!("ws://{}/", good.addr)},
            {"agent": "bad/1.0", "url": format!("ws://{}/", bad.addr), "options": {"version": 18}}
        ],
        "cases": ["2.*", "4.1.*"],
        "exclude-cases": ["2.1*"],
        "exclude-agent-cases": {"bad*": ["4.1.5"]}
    });
    std::fs::write(&spec, text.to_string()).unwrap();
    let out = dir.join("out");
    let r = wsg(&[
        "conform",
        "--autobahn-spec",
        s(&spec),
        "--report-dir",
        s(&out),
    ])
    .await;
    assert_eq!(r.code, 1, "the bad agent fails: {}{}", r.stdout, r.stderr);
    let good_run = read_results(&out.join("Good_Server/results.json")).unwrap();
    let bad_run = read_results(&out.join("bad_1.0/results.json")).unwrap();
    assert_eq!(
        good_run.cases.len(),
        8 + 5,
        "2.2-2.9 ('2.1*' drops 2.1, 2.10, 2.11) and 4.1.1-4.1.5"
    );
    assert_eq!(bad_run.cases.len(), good_run.cases.len() - 1);
    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("index.json")).unwrap()).unwrap();
    assert_eq!(index["Good Server"]["4.1.1"]["behavior"], "OK");
    assert_eq!(index["bad/1.0"]["4.1.1"]["behaviorClose"], "WRONG CODE");
    assert!(index["bad/1.0"].get("4.1.5").is_none());
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Good Server") && html.contains("bad/1.0"));
}

/// Ctrl-C mid-run: exit 2 with the notice, reports for exactly the finished
/// cases, and `report rebuild` makes the same files from results.jsonl.
#[test]
fn interrupted_run_reports_what_finished() {
    let dir = tempdir("interrupt");
    let run = dir.join("run");
    let child = Command::new(BIN)
        .args(["conform", "--cases", "2.*,5.19,5.20,6.4.*", "--jobs", "1"])
        .args([
            "--format",
            "terminal,json,junit,html,md,autobahn",
            "--report-dir",
            s(&run),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let jsonl = run.join("results.jsonl");
    let deadline = Instant::now() + Duration::from_secs(30);
    while lines(&jsonl) < 3 {
        assert!(Instant::now() < deadline, "no cases finished");
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let finished = lines(&jsonl) - 1;
    // One job; the idle-wait cases (6.4.x: 2 s each, 5.19/5.20) run first.
    assert!((2..19).contains(&finished), "stopped mid-way: {finished}");
    assert!(
        stderr.contains(&format!(
            "interrupted: reports cover {finished} finished cases"
        )),
        "{stderr}"
    );
    assert_eq!(
        read_results(&run.join("results.json")).unwrap().cases.len(),
        finished
    );
    let again = dir.join("again");
    let r = Command::new(BIN)
        .args(["report", "rebuild", s(&run), "--out", s(&again)])
        .args(["--format", "json,junit,html,md,autobahn"])
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    for f in [
        "results.json",
        "junit.xml",
        "report.html",
        "summary.md",
        "index.json",
    ] {
        let a = std::fs::read_to_string(run.join(f)).unwrap();
        let b = std::fs::read_to_string(again.join(f)).unwrap();
        assert!(a == b, "{f} differs after rebuild");
    }
}

/// SIGKILL leaves only the stream; `report rebuild` makes the reports.
#[test]
fn killed_run_is_rebuilt_from_the_stream() {
    let dir = tempdir("killed");
    let mut child = Command::new(BIN)
        .args([
            "conform",
            "--cases",
            "2.*,6.4.*",
            "--jobs",
            "1",
            "--report-dir",
            s(&dir),
        ])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let jsonl = dir.join("results.jsonl");
    let deadline = Instant::now() + Duration::from_secs(30);
    while lines(&jsonl) < 3 {
        assert!(Instant::now() < deadline, "no cases finished");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!dir.join("results.json").exists(), "killed before the end");
    let finished = lines(&jsonl) - 1;
    let r = Command::new(BIN)
        .args(["report", "rebuild", s(&dir)])
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let rebuilt = read_results(&dir.join("results.json")).unwrap();
    assert_eq!(rebuilt.cases.len(), finished);
    let junit = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    assert!(junit.contains(&format!("tests=\"{finished}\"")), "{junit}");
}

fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path).map_or(0, |t| t.lines().count())
}

/// Sections 12 and 13 through every writer of a real run against the bundled
/// server: the agreement, the compression ratio each way and the time in
/// results.json and results.jsonl, the HTML table, Markdown, JUnit
/// properties and Autobahn's `index.json` fields.
#[tokio::test(flavor = "multi_thread")]
async fn deflate_cases_reach_every_writer() {
    let dir = tempdir("deflate");
    let formats = "json,junit,html,md,autobahn";
    let cases = "12.1.10,13.6.10";
    let r = wsg(&[
        "conform",
        "--cases",
        cases,
        "--format",
        formats,
        "--report-dir",
        s(&dir),
    ])
    .await;
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for file in ["results.json", "results.jsonl"] {
        let run = read_results(&dir.join(file)).unwrap();
        assert_eq!(run.cases.len(), 2, "{file}");
        for c in &run.cases {
            let d = c
                .deflate
                .as_ref()
                .unwrap_or_else(|| panic!("{file} {}: no deflate", c.id));
            assert!(
                !d.declined && d.agreed.starts_with("permessage-deflate"),
                "{d:?}"
            );
            assert!(d.sent.messages > 0 && d.received.messages > 0, "{d:?}");
            let (tx, rx) = (d.sent.ratio().unwrap(), d.received.ratio().unwrap());
            assert!(tx > 0.0 && tx < 1.0 && rx > 0.0 && rx < 1.0, "{d:?}");
            assert!(c.duration_ms > 0);
        }
        let narrowed = run.cases[1].deflate.as_ref().unwrap();
        assert_eq!(
            narrowed.agreed,
            "permessage-deflate; server_no_context_takeover; server_max_window_bits=15"
        );
        let s2c = narrowed.server_to_client.unwrap();
        assert!(s2c.no_context_takeover && s2c.window_bits == 15);
    }
    let page = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(page.contains("<h2 id=\"deflate\">permessage-deflate</h2>"));
    assert!(page.contains("<dt>compression, peer → tester</dt>"));
    assert!(
        page.contains("<td>15 no ctx</td>"),
        "13.6: no context takeover"
    );
    let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(
        md.contains(
            r"| 13.6.10 | PASS | server\_no\_context\_takeover; server\_max\_window\_bits=15 |"
        ),
        "{md}"
    );
    let xml = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    assert!(
        xml.contains("<property name=\"compression, tester → peer\" value=\"0."),
        "{xml}"
    );
    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
    let agent = index.as_object().unwrap().values().next().unwrap();
    for id in ["12.1.10", "13.6.10"] {
        let c = &agent[id];
        assert_eq!(c["behavior"], "OK", "{id}");
        assert_eq!(c["behaviorClose"], "OK", "{id}");
        assert_eq!(c["remoteCloseCode"], 1000, "{id}");
        assert!(c["duration"].as_u64().unwrap() > 0, "{id}");
        assert!(
            c["reportfile"]
                .as_str()
                .unwrap()
                .starts_with("report.html#case-"),
            "{id}"
        );
    }
}
