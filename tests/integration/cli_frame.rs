//! `wsgauntlet frame decode|encode`, run as the real binary.

use std::process::{Command, Output};

use serde_json::{Value, json};

pub fn wsg(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wsgauntlet"))
        .args(args)
        .output()
        .expect("the wsgauntlet binary runs")
}

fn decode_json(hex: &str, role: &str) -> (Value, i32) {
    let out = wsg(&["frame", "decode", "--json", "--role", role, hex]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout:?}"));
    (value, out.status.code().unwrap())
}

fn encode(args: &[&str]) -> String {
    let mut full = vec!["frame", "encode"];
    full.extend_from_slice(args);
    let out = wsg(&full);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim_end().to_owned()
}

#[test]
fn rfc_5_7_unmasked_hello_from_a_server() {
    let (v, code) = decode_json("810548656c6c6f", "server");
    let expected = json!({
        "fin": true, "rsv1": false, "rsv2": false, "rsv3": false, "opcode": 1,
        "masked": false, "mask_key": null, "payload_len": 5, "length_form": 7,
        "minimal_length": true, "payload_hex": "48656c6c6f", "complete": true,
        "violations": []
    });
    assert_eq!(v, expected);
    assert_eq!(code, 0);
}

#[test]
fn rfc_5_7_masked_hello_from_a_client() {
    let (v, code) = decode_json("818537fa213d7f9f4d5158", "client");
    let expected = json!({
        "fin": true, "rsv1": false, "rsv2": false, "rsv3": false, "opcode": 1,
        "masked": true, "mask_key": "37fa213d", "payload_len": 5, "length_form": 7,
        "minimal_length": true, "payload_hex": "48656c6c6f", "complete": true,
        "violations": []
    });
    assert_eq!(v, expected);
    assert_eq!(code, 0);
}

#[test]
fn each_broken_rule_is_named_with_its_close_code() {
    let ping_126 = format!("89fe007e00000000{}", "00".repeat(126));
    let cases: [(&str, &str, &str, u64); 8] = [
        ("838000000000", "client", "reserved-opcode", 1002),
        ("c18000000000", "client", "reserved-bits", 1002),
        ("810548656c6c6f", "client", "unmasked-client-frame", 1002),
        ("818000000000", "server", "masked-server-frame", 1002),
        (
            "82ff800000000000000000000000",
            "client",
            "length-msb-set",
            1002,
        ),
        (&ping_126, "client", "control-frame-too-long", 1002),
        ("88820000000003ed", "client", "invalid-close-code", 1002),
        ("818300000000eda080", "client", "invalid-utf8", 1007),
    ];
    for (hex, role, rule, close) in cases {
        let (v, code) = decode_json(hex, role);
        let found = v["violations"].as_array().unwrap();
        assert!(
            found
                .iter()
                .any(|f| f["rule"] == rule && f["close_code"] == close),
            "{hex}: expected {rule} → {close}, got {found:?}"
        );
        assert!(
            found
                .iter()
                .all(|f| f["section"].as_str().is_some_and(|s| !s.is_empty()))
        );
        assert_eq!(code, 1, "{hex}: a violation exits 1");
    }
}

#[test]
fn human_output_quotes_the_requirement() {
    let out = wsg(&["frame", "decode", "83 80 00 00 00 00"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("violates"))
        .expect("a violation line");
    assert!(
        line.starts_with("violates RFC 6455 §5.2 (reserved-opcode): \""),
        "{line}"
    );
    assert!(
        line.contains("MUST") && line.ends_with("→ close 1002"),
        "{line}"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn incomplete_payload_still_decodes_the_header() {
    // Masked "Hello" cut after two payload bytes.
    let (v, code) = decode_json("8185 37fa213d 7f9f", "client");
    assert_eq!(v["complete"], false);
    assert_eq!(v["payload_len"], 5);
    assert_eq!(v["payload_hex"], "4865");
    assert_eq!(v["violations"], json!([]));
    assert_eq!(code, 0);
}

#[test]
fn trailing_bytes_are_mentioned_by_the_human_output() {
    let out = wsg(&["frame", "decode", "--role", "server", "8100", "8a00"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("trailing") && l.contains("2 byte")),
        "{text}"
    );
    let (v, _) = decode_json("81008a00", "server");
    assert_eq!(v["payload_hex"], "");
}

#[test]
fn encode_matches_the_rfc_examples() {
    assert_eq!(encode(&["--text", "Hello"]), "810548656c6c6f");
    assert_eq!(
        encode(&["--text", "Hello", "--mask", "37fa213d"]),
        "818537fa213d7f9f4d5158"
    );
    assert_eq!(
        encode(&["--opcode", "ping", "--no-mask", "--text", "Hello"]),
        "890548656c6c6f"
    );
}

#[test]
fn encode_decode_round_trip() {
    let cases: [(&[&str], &str, Value); 6] = [
        (
            &["--text", "Hello", "--mask", "37:fa:21:3d"],
            "client",
            json!({"fin": true, "opcode": 1, "mask_key": "37fa213d", "payload_hex": "48656c6c6f"}),
        ),
        (
            &[
                "--no-fin",
                "--opcode",
                "binary",
                "--payload-hex",
                "00 01 02",
                "--mask",
                "01020304",
            ],
            "client",
            json!({"fin": false, "opcode": 2, "payload_len": 3, "payload_hex": "000102"}),
        ),
        (
            &["--rsv", "5", "--opcode", "0xB", "--no-mask"],
            "server",
            json!({"rsv1": true, "rsv2": false, "rsv3": true, "opcode": 11, "masked": false}),
        ),
        (
            &[
                "--opcode",
                "pong",
                "--len-form",
                "64",
                "--payload-hex",
                "aa",
                "--mask",
                "00000000",
            ],
            "client",
            json!({"opcode": 10, "length_form": 64, "minimal_length": false, "payload_len": 1}),
        ),
        (
            &["--len-form", "16", "--payload-hex", &"ab".repeat(300)],
            "server",
            json!({"opcode": 2, "length_form": 16, "minimal_length": true, "payload_len": 300}),
        ),
        (
            &[
                "--declared-len",
                "10",
                "--text",
                "abc",
                "--mask",
                "00000000",
            ],
            "client",
            json!({"payload_len": 10, "complete": false, "payload_hex": "616263"}),
        ),
    ];
    for (flags, role, expected) in cases {
        let hex = encode(flags);
        let (got, _) = decode_json(&hex, role);
        for (key, value) in expected.as_object().unwrap() {
            assert_eq!(&got[key], value, "{flags:?} → {hex}: {key}");
        }
    }
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let long = "00".repeat(126);
    let cases: &[&[&str]] = &[
        &["frame", "decode", "zz"],
        &["frame", "decode", "8"],
        &["frame", "decode", ""],
        &["frame", "decode", "81"],
        &["frame", "decode", "81fe00"],
        &["frame", "decode", "--role", "proxy", "8100"],
        &["frame", "decode", "--jsn", "8100"],
        &["frame", "encode", "--rsv", "8"],
        &["frame", "encode", "--opcode", "16"],
        &["frame", "encode", "--opcode", "pingg"],
        &["frame", "encode", "--mask", "0102"],
        &["frame", "encode", "--payload-hex", "0g"],
        &["frame", "encode", "--len-form", "7", "--payload-hex", &long],
        &[
            "frame",
            "encode",
            "--len-form",
            "16",
            "--declared-len",
            "70000",
        ],
        &["frame", "encode", "--len-form", "32"],
        &["frame", "encode", "--fin", "--no-fin"],
        &["frame", "encode", "--mask", "00000000", "--no-mask"],
        &["frame", "encode", "--text", "a", "--payload-hex", "00"],
        &["no-such-command"],
    ];
    for args in cases {
        let out = wsg(args);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr:?}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn help_and_version_exit_0() {
    for args in [
        &["--help"][..],
        &["--version"],
        &["frame", "decode", "--help"],
        &["frame", "encode", "--help"],
    ] {
        let out = wsg(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(!out.stdout.is_empty(), "{args:?}");
    }
    let help = String::from_utf8(wsg(&["frame", "encode", "--help"]).stdout).unwrap();
    assert!(help.contains("--declared-len") && help.contains("Examples:"));
}
