//! `wsgauntlet explain CODE`, run as the real binary.

use serde_json::Value;

use crate::cli_frame::wsg;

fn explain_json(code: u32) -> Value {
    let out = wsg(&["explain", "--json", &code.to_string()]);
    assert_eq!(out.status.code(), Some(0), "{code}");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn try_again_later_is_about_overload_and_back_off() {
    let out = wsg(&["explain", "1013"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("1013 Try Again Later"), "{text}");
    assert!(
        text.contains("overload") && text.contains("back-off"),
        "{text}"
    );
    assert!(text.contains("NOT a protocol-error code"), "{text}");
}

#[test]
fn every_registered_code_has_a_named_explanation() {
    let sendable = [
        1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
    ];
    for code in 1000..=1015 {
        let v = explain_json(code);
        assert_eq!(v["code"], code);
        assert!(v["name"].is_string(), "{code}");
        for key in ["meaning", "when_seen", "resolution"] {
            assert!(
                v[key].as_str().is_some_and(|s| s.len() > 40),
                "{code} {key}"
            );
        }
        assert_eq!(v["sendable"], sendable.contains(&code), "{code}");
    }
    for code in [1005, 1006, 1015] {
        assert!(
            explain_json(code)["meaning"]
                .as_str()
                .unwrap()
                .contains("MUST NOT"),
            "{code}"
        );
    }
    let protocol_error = explain_json(1002);
    assert!(
        protocol_error["when_seen"]
            .as_str()
            .unwrap()
            .contains("reserved opcode")
    );
    assert!(
        protocol_error["resolution"]
            .as_str()
            .unwrap()
            .contains("proxy")
    );
}

#[test]
fn ranges_are_explained() {
    let ranges = [
        (0, false),
        (999, false),
        (1016, false),
        (2999, false),
        (3000, true),
        (3999, true),
        (4000, true),
        (4999, true),
        (5000, false),
        (65535, false),
    ];
    for (code, sendable) in ranges {
        let v = explain_json(code);
        assert!(v["name"].is_null(), "{code}");
        assert_eq!(v["sendable"], sendable, "{code}");
    }
    assert_ne!(explain_json(999)["meaning"], explain_json(1016)["meaning"]);
    assert_ne!(explain_json(3000)["meaning"], explain_json(4000)["meaning"]);
}

#[test]
fn non_numbers_exit_2() {
    for arg in ["abc", "-1", "65536", "10.5"] {
        let out = wsg(&["explain", arg]);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{arg}");
        assert_eq!(stderr.lines().count(), 1, "{arg}: {stderr:?}");
        assert!(stderr.starts_with("error: "), "{arg}");
    }
}
