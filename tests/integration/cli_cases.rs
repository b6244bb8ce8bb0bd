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
