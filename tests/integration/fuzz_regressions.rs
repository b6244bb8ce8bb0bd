//! `corpus/regressions/network/*.json`: findings fixed or recorded. Each
//! names the in-process server it is replayed against: `reference` must
//! behave (the fix holds), every other server (`broken:<Defect>`,
//! `tungstenite`) must still show its deviation.

use std::path::{Path, PathBuf};
use std::process::Command;

use wsgauntlet::mutate::{Engine, select};
use wsgauntlet::runner::{FindingFile, finding_file, replay_file, run_campaign};

use crate::fuzz_campaign::{exec, options};
use crate::support::TestServer;
use crate::support::broken::{Defect, broken};
use crate::support::servers;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/regressions/network");

const DEFECTS: &[Defect] = &[
    Defect::IgnoresReservedOpcodes,
    Defect::Answers1013ToProtocolErrors,
    Defect::DropsTcpWithoutClose,
    Defect::SkipsUtf8Checks,
    Defect::MasksOwnFrames,
    Defect::DiesOnMsbLength,
    Defect::HangsOnOrphanContinuation,
    Defect::CorruptsMessageOnMidFragmentPing,
    Defect::DropsLastByteOf126,
    Defect::UnmasksLargePayloadsWrongly,
    Defect::AcceptsUnmaskedFrames,
];

async fn server_named(name: &str) -> TestServer {
    match name {
        "reference" => servers::reference().await,
        "tungstenite" => servers::tungstenite().await,
        _ => {
            let defect = name
                .strip_prefix("broken:")
                .and_then(|d| DEFECTS.iter().find(|x| format!("{x:?}") == d))
                .unwrap_or_else(|| panic!("unknown server {name:?}"));
            broken(*defect).await
        }
    }
}

fn files() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(DIR)
        .expect("corpus/regressions/network exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_network_regression_replays_as_recorded() {
    let files = files();
    assert!(files.len() >= 8, "{} files", files.len());
    for path in files {
        let file = FindingFile::load(&path).unwrap();
        let name = file.server.clone().expect("a regression names its server");
        let server = server_named(&name).await;
        let r = replay_file(&exec(server.addr), &file).await;
        let must_reproduce = name != "reference";
        assert_eq!(
            r.reproduced,
            must_reproduce,
            "{}: against {name}: {:?}",
            path.display(),
            r.verdict
        );
        if must_reproduce {
            assert!(r.same_as_recorded, "{}: {:?}", path.display(), r.verdict);
        }
    }
}

fn replay_cli(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wsgauntlet"))
        .arg("replay")
        .args(args)
        .output()
        .expect("the binary runs");
    let s = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    (out.status.code(), s(out.stdout), s(out.stderr))
}

#[test]
fn corrupt_or_truncated_files_give_one_clear_error_line() {
    let good = std::fs::read_to_string(&files()[0]).unwrap();
    let dir = std::env::temp_dir().join(format!("wsg-replay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        ("truncated.json", good[..good.len() / 2].to_string()),
        ("garbage.json", "\u{0}\u{1}not json".to_string()),
        (
            "badhex.json",
            good.replacen("\"hex\": \"", "\"hex\": \"zz", 1),
        ),
    ];
    for (name, text) in cases {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        let (code, _, err) = replay_cli(&[p.to_str().unwrap()]);
        assert_eq!(code, Some(2), "{name}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{name}: {err}");
        assert!(
            err.starts_with("error: ") && err.contains(name),
            "{name}: {err}"
        );
    }
    let (code, _, err) = replay_cli(&["missing.json"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("cannot read"), "{err}");
    let (code, _, err) = replay_cli(&["99.99.99"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("neither a file nor a catalogue case"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_cli_exits_1_when_the_deviation_shows_and_0_when_not() {
    let path = files()
        .into_iter()
        .find(|p| p.to_string_lossy().contains("IgnoresReservedOpcodes"))
        .expect("the reserved-opcode regression");
    let p = path.to_str().unwrap().to_string();
    let bad = broken(Defect::IgnoresReservedOpcodes).await;
    let good = servers::reference().await;
    let (bad_url, good_url) = (
        format!("ws://{}/", bad.addr),
        format!("ws://{}/", good.addr),
    );
    let run = |url: String| {
        let p = p.clone();
        tokio::task::spawn_blocking(move || replay_cli(&[&p, &url]))
    };
    let (code, out, _) = run(bad_url.clone()).await.unwrap();
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("the deviation reproduces"), "{out}");
    let (code, out, _) = run(good_url.clone()).await.unwrap();
    assert_eq!(code, Some(0), "{out}");
    let case = tokio::task::spawn_blocking(move || replay_cli(&["4.1.1", &bad_url]));
    let (code, out, _) = case.await.unwrap();
    assert_eq!(code, Some(1), "4.1.1 sends a reserved opcode: {out}");
}

/// Regenerates the regression files from campaigns against every broken
/// server (run with `--ignored` after changing the engine, then review).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore]
async fn write_network_regressions() {
    let plans: &[(Defect, &[&str], u64)] = &[
        (
            Defect::IgnoresReservedOpcodes,
            &["reserved-data-opcode"],
            10,
        ),
        (Defect::AcceptsUnmaskedFrames, &["unmasked"], 20),
        (Defect::Answers1013ToProtocolErrors, &["rsv1"], 20),
        (Defect::DiesOnMsbLength, &["len-msb-set"], 10),
        (
            Defect::HangsOnOrphanContinuation,
            &["orphan-continuation"],
            10,
        ),
        (
            Defect::CorruptsMessageOnMidFragmentPing,
            &["control-mid-message"],
            40,
        ),
        (
            Defect::DropsLastByteOf126,
            &["mask-key-variation", "frame-wise"],
            300,
        ),
        (
            Defect::UnmasksLargePayloadsWrongly,
            &["mask-key-variation", "frame-wise"],
            200,
        ),
    ];
    std::fs::create_dir_all(DIR).unwrap();
    for (defect, muts, n) in plans {
        let server = broken(*defect).await;
        let names: Vec<String> = muts.iter().map(|s| s.to_string()).collect();
        let mut opts = options(*n, 40);
        opts.jobs = 2;
        let r = run_campaign(
            Engine::new(42, select(&names, &[]).unwrap()),
            exec(server.addr),
            opts,
            |_| {},
        )
        .await;
        let f = r
            .findings
            .first()
            .unwrap_or_else(|| panic!("{defect:?}: nothing found"));
        let mut file = finding_file(f, "ws://127.0.0.1:9001/", 42, opts_deadline());
        file.server = Some(format!("broken:{defect:?}"));
        file.save(&Path::new(DIR).join(format!("{defect:?}.json")))
            .unwrap();
        if *defect == Defect::IgnoresReservedOpcodes {
            file.server = Some("reference".into());
            file.save(&Path::new(DIR).join("reference-fails-reserved-opcode.json"))
                .unwrap();
        }
    }
}

fn opts_deadline() -> std::time::Duration {
    options(1, 0).deadline
}

fn fuzz_cli(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wsgauntlet"))
        .arg("fuzz")
        .args(args)
        .output()
        .expect("the binary runs");
    let s = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    (out.status.code(), s(out.stdout), s(out.stderr))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuzz_cli_writes_findings_and_a_summary_and_exits_1() {
    let server = broken(Defect::IgnoresReservedOpcodes).await;
    let dir = std::env::temp_dir().join(format!("wsg-fuzz-{}", std::process::id()));
    let (url, d) = (
        format!("ws://{}/", server.addr),
        dir.to_str().unwrap().to_string(),
    );
    let args = [
        url.as_str(),
        "--seed",
        "3",
        "--iterations",
        "20",
        "--jobs",
        "4",
        "--mutators",
        "reserved-data-opcode",
        "--deadline",
        "300ms",
        "--out",
        d.as_str(),
    ]
    .map(String::from);
    let (code, out, err) = tokio::task::spawn_blocking(move || {
        fuzz_cli(&args.iter().map(String::as_str).collect::<Vec<_>>())
    })
    .await
    .unwrap();
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains("findings: "), "{out}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("campaign.json")).unwrap()).unwrap();
    assert_eq!(summary["inputs"], 20);
    let found: Vec<PathBuf> = std::fs::read_dir(dir.join("findings"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(!found.is_empty());
    for p in &found {
        FindingFile::load(p).unwrap();
    }
    assert!(dir.join("campaign.txt").exists());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn fuzz_cli_lists_mutators_and_refuses_what_it_cannot_run() {
    let (code, out, _) = fuzz_cli(&["--list-mutators"]);
    assert_eq!(code, Some(0));
    assert!(
        out.lines().count() >= 30 && out.contains("len-msb-set"),
        "{out}"
    );
    let bomb = out.lines().find(|l| l.starts_with("deflate-bomb "));
    let bomb = bomb.unwrap_or_else(|| panic!("{out}"));
    assert!(
        bomb.contains(" deflate ") && bomb.contains("1009"),
        "{bomb}"
    );
    let (code, _, err) = fuzz_cli(&["ws://127.0.0.1:9/", "--mutators", "no-such"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown mutator"), "{err}");
    let (code, _, err) = fuzz_cli(&["ws://127.0.0.1:9/", "--iterations", "1"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.starts_with("error: the server is not reachable"),
        "{err}"
    );
    let (code, _, _) = fuzz_cli(&["http://x/"]);
    assert_eq!(code, Some(2));
}
