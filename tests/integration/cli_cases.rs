//! `wsgauntlet cases` through the real binary.

use std::process::Command;

fn cases(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wsgauntlet"))
        .arg("cases")
        .args(args)
        .output()
        .expect("run wsgauntlet");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn lists_every_autobahn_case_of_sections_1_to_10_and_80_more() {
    let (code, out, _) = cases(&["--json"]);
    assert_eq!(code, 0);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let top = |r: &serde_json::Value| -> u32 {
        r["id"]
            .as_str()
            .unwrap()
            .split('.')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(rows.iter().filter(|r| top(r) <= 10).count(), 301);
    assert!(rows.iter().filter(|r| top(r) >= 14).count() >= 80);
    assert!(
        rows.iter()
            .all(|r| !r["requirement"].as_str().unwrap().is_empty())
    );
    let mut ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), rows.len(), "ids are unique");
}

#[test]
fn patterns_select_and_nothing_selected_is_exit_2() {
    let (code, out, _) = cases(&["--cases", "6.4*"]);
    assert_eq!(code, 0);
    assert!(out.contains("6.4.3") && out.ends_with("4 cases\n"), "{out}");
    let (code, out, err) = cases(&["--cases", "99.*"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(err.lines().count(), 1, "{err}");
}

fn ids(json: &str) -> Vec<String> {
    let rows: Vec<serde_json::Value> = serde_json::from_str(json).unwrap();
    rows.iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

/// The case count `serve` announces with `args` ("listening on … with N
/// cases"); the server is stopped at once.
fn serve_count(args: &[&str]) -> usize {
    use std::io::{BufRead, BufReader};
    let dir = std::env::temp_dir().join(format!("wsgauntlet-cases-{}", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_wsgauntlet"))
        .args(["serve", "--listen", "127.0.0.1:0", "--report-dir"])
        .arg(&dir)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run wsgauntlet serve");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    BufReader::new(stdout).read_line(&mut line).expect("a line");
    child.kill().expect("stop serve");
    child.wait().expect("serve stopped");
    let _ = std::fs::remove_dir_all(&dir);
    let n = line
        .split(" with ")
        .nth(1)
        .and_then(|s| s.split(' ').next());
    n.and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{line}"))
}

#[test]
fn clients_lists_what_serve_runs_with_the_client_only_cases() {
    let (code, out, _) = cases(&["--clients", "--json"]);
    assert_eq!(code, 0);
    let clients = ids(&out);
    let (_, out, _) = cases(&["--json"]);
    let servers = ids(&out);
    // 21.3 is for clients only; the opening handshake (14.1) and the
    // unmasked client frames (15.1) only for servers.
    assert!(clients.iter().any(|id| id == "21.3.1"));
    assert!(!servers.iter().any(|id| id.starts_with("21.3.")));
    for only_servers in ["14.1.1", "15.1.1"] {
        assert!(
            servers.iter().any(|id| id == only_servers),
            "{only_servers}"
        );
        assert!(
            !clients.iter().any(|id| id == only_servers),
            "{only_servers}"
        );
    }
    // The same list, and the same selection, as serve.
    assert_eq!(clients.len(), serve_count(&[]));
    let (_, out, _) = cases(&["--clients", "--cases", "21.*", "--exclude", "21.3.2"]);
    assert!(
        out.contains("21.3.10 ") && !out.contains("21.3.2 "),
        "{out}"
    );
    let n: usize = out
        .lines()
        .last()
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        n,
        serve_count(&["--cases", "21.*", "--exclude", "21.3.2"]),
        "{out}"
    );
}

#[test]
fn a_declared_limit_lists_the_cases_conform_and_serve_add_for_it() {
    let limit = ["--max-message-size", "1000"];
    for side in [&[][..], &["--clients"][..]] {
        let (_, out, _) = cases(&[side, &["--json"][..]].concat());
        assert!(
            !ids(&out).iter().any(|id| id.starts_with("20.5.")),
            "{side:?}"
        );
        let (code, out, _) = cases(&[side, &limit[..], &["--json"][..]].concat());
        assert_eq!(code, 0);
        let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
        let added: Vec<&str> = rows
            .iter()
            .filter(|r| r["id"].as_str().unwrap().starts_with("20.5."))
            .map(|r| r["title"].as_str().unwrap())
            .collect();
        assert_eq!(added.len(), 3, "{side:?}: {added:?}");
        for size in ["999 bytes", "1000 bytes", "1001 bytes"] {
            assert!(added.iter().any(|t| t.contains(size)), "{size}: {added:?}");
        }
    }
    let (_, out, _) = cases(&["--clients", "--json", "--max-message-size", "1000"]);
    assert_eq!(ids(&out).len(), serve_count(&limit));
}
