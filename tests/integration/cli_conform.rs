//! `wsgauntlet conform` run as the real binary: exit 2 with one stderr line
//! when the tool cannot do its job, results.json with the documented keys,
//! exit 1 on a deviation, and `--strict` turning NON-STRICT into a failure.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::support::broken::{Defect, broken};

/// Runs `wsgauntlet conform ARGS` on a blocking thread; output and wall time.
async fn conform(args: &[&str]) -> (Output, Duration) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let t0 = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_wsgauntlet"))
            .arg("conform")
            .args(&args)
            .output()
            .expect("the wsgauntlet binary runs");
        (out, t0.elapsed())
    })
    .await
    .unwrap()
}

/// A fresh report folder under the system temp dir.
fn report_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wsg-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Exit 2, and stderr is one `error: …` line containing `needle`.
fn assert_tool_error(out: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr:?}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains(needle), "{needle:?} not in {stderr:?}");
}

#[tokio::test]
async fn refused_port_exits_2_with_one_line() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = report_dir("refused");
    let url = format!("ws://127.0.0.1:{port}/");
    let (out, took) = conform(&[&url, "--report-dir", dir.to_str().unwrap()]).await;
    assert_tool_error(&out, "refused");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

/// A refused connection says so once, not once per error wrapping it:
/// `error: the server is not reachable: cannot connect to 127.0.0.1:PORT:
/// Connection refused (os error 111)`, from every command that connects.
#[tokio::test]
async fn refused_connection_names_its_cause_once() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("ws://127.0.0.1:{port}/");
    let dir = report_dir("refused-once");
    let d = dir.to_str().unwrap().to_string();
    let commands: [Vec<String>; 3] = [
        vec![
            "conform".into(),
            url.clone(),
            "--report-dir".into(),
            d.clone(),
        ],
        vec![
            "fuzz".into(),
            url.clone(),
            "--iterations".into(),
            "1".into(),
            "--out".into(),
            d,
        ],
        vec!["replay".into(), "1.1.1".into(), url.clone()],
    ];
    for args in commands {
        let out = tokio::task::spawn_blocking({
            let args = args.clone();
            move || {
                Command::new(env!("CARGO_BIN_EXE_wsgauntlet"))
                    .args(&args)
                    .output()
                    .expect("the wsgauntlet binary runs")
            }
        })
        .await
        .unwrap();
        assert_tool_error(&out, "refused");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.matches("refused").count(), 1, "{args:?}: {stderr}");
        assert_eq!(
            stderr.matches(&format!("127.0.0.1:{port}")).count(),
            1,
            "{args:?}: {stderr}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn bad_urls_exit_2_with_one_line() {
    for url in ["http://x", "ws://"] {
        let (out, _) = conform(&[url]).await;
        assert_tool_error(&out, "URL");
    }
}

#[tokio::test]
async fn unresolvable_host_exits_2_with_one_line() {
    let (out, took) = conform(&["ws://nonexistent.invalid/"]).await;
    assert_tool_error(&out, "nonexistent.invalid");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("nonexistent.invalid").count(), 1, "{stderr}");
    assert!(took < Duration::from_secs(15), "{took:?}");
}

#[tokio::test]
async fn no_matching_case_exits_2() {
    let (out, _) = conform(&["--cases", "99.*"]).await;
    assert_tool_error(&out, "no case matches");
}

#[tokio::test]
async fn reference_run_writes_results_json_and_exits_0() {
    let dir = report_dir("reference");
    let (out, _) = conform(&["--cases", "1.*,2.*", "--report-dir", dir.to_str().unwrap()]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.join("results.json")).expect("results.json");
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    for key in ["agent", "url", "started", "cases"] {
        assert!(json.get(key).is_some(), "no {key}");
    }
    assert_eq!(json["agent"], "reference");
    let cases = json["cases"].as_array().expect("cases array");
    assert!(cases.len() > 20, "{}", cases.len());
    let keys = [
        "id",
        "outcome",
        "reason",
        "close_code",
        "duration_ms",
        "expected",
        "actual",
    ];
    for case in cases {
        for key in keys {
            assert!(case.get(key).is_some(), "case without {key}: {case}");
        }
        assert_eq!(case["outcome"], "PASS", "{case}");
    }
    assert!(dir.join("results.jsonl").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deviation_exits_1() {
    let server = broken(Defect::IgnoresReservedOpcodes).await;
    let dir = report_dir("deviation");
    let url = format!("ws://{}/", server.addr);
    let args = [
        "--cases",
        "1.1.1,4.1.1",
        "--report-dir",
        dir.to_str().unwrap(),
    ];
    let (out, _) = conform(&[&[url.as_str()][..], &args[..]].concat()).await;
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("4.1.1"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_fails_a_non_strict_result() {
    let server = broken(Defect::DropsTcpWithoutClose).await;
    let dir = report_dir("strict");
    let url = format!("ws://{}/", server.addr);
    let args = [
        "--cases",
        "1.1.1,4.1.1,5.1",
        "--report-dir",
        dir.to_str().unwrap(),
    ];
    let (out, _) = conform(&[&[url.as_str()][..], &args[..]].concat()).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "NON-STRICT passes: {stderr}");
    let (out, _) = conform(&[&[url.as_str(), "--strict"][..], &args[..]].concat()).await;
    assert_eq!(out.status.code(), Some(1), "--strict fails NON-STRICT");
    let _ = std::fs::remove_dir_all(&dir);
}
