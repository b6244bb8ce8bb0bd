//! Tests of the section 9 and 14–20 catalogue data: ids and counts, steps
//! that build, and the reference model's verdict on what each case sends.

use std::collections::HashSet;
use std::time::Duration;

use bytes::{Bytes, BytesMut};

use super::*;
use crate::codec::{CloseCode, Frame, FrameHeader, OpCode, PayloadLen, Role, Violation};
use crate::model::{End, Endpoint, Expectation, Reaction};

/// The key the tests give `Send` frames, as the session gives them one.
const TEST_KEY: [u8; 4] = [0xA1, 0xB2, 0xC3, 0xD4];

fn new_sections() -> Vec<Case> {
    let mut all = s14_opening_handshake::cases();
    all.extend(s15_masking::cases());
    all.extend(s16_length_encoding::cases());
    all.extend(s17_control_frames::cases());
    all.extend(s18_close::cases());
    all.extend(s19_interleaving::cases());
    all.extend(s20_limits_floods::cases());
    all.extend(s20_size_boundaries::cases());
    all
}

fn find(cases: &[Case], id: &str) -> Case {
    cases
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no case {id}"))
        .clone()
}

/// The frames a case puts on the wire, as the model sees them: `Send`
/// frames without a key get one, `SendAsIs` frames stay as written, raw
/// bytes are not frames.
fn wire_frames(steps: &[Step]) -> Vec<Frame> {
    let mut out = Vec::new();
    for step in steps {
        match step {
            Step::Send(frames, _) => out.extend(frames.iter().map(|f| match f.header.mask {
                Some(_) => f.clone(),
                None => f.clone().masked(TEST_KEY),
            })),
            Step::SendAsIs(frames, _) => out.extend(frames.iter().cloned()),
            Step::SendGenerated(g, _) => out.extend(generated_frames(g)),
            _ => {}
        }
    }
    out
}

/// A generated message as frames, held (the session never holds them).
fn generated_frames(g: &Generated) -> Vec<Frame> {
    let payload = g.body.to_bytes();
    let frag = if g.fragment == 0 {
        payload.len().max(1)
    } else {
        g.fragment as usize
    };
    let count = payload.len().div_ceil(frag).max(1);
    (0..count)
        .map(|i| {
            let end = ((i + 1) * frag).min(payload.len());
            let op = if i == 0 {
                g.opcode
            } else {
                OpCode::CONTINUATION
            };
            Frame::new(op, payload.slice(i * frag..end))
                .fin(i + 1 == count)
                .masked(TEST_KEY)
        })
        .collect()
}

fn model(case: &Case) -> Expectation {
    Expectation::of(Endpoint::new(Role::Server), &wire_frames(&case.steps()))
}

fn id_key(id: &str) -> Vec<u32> {
    id.split('.')
        .map(|n| {
            n.parse()
                .unwrap_or_else(|_| panic!("id {id} is not numeric"))
        })
        .collect()
}

fn messages(e: &Expectation) -> Vec<(OpCode, Bytes)> {
    e.events
        .iter()
        .filter_map(|ev| match &ev.reaction {
            Reaction::Message { opcode, payload } => Some((*opcode, payload.to_bytes())),
            _ => None,
        })
        .collect()
}

fn pongs(e: &Expectation) -> Vec<Bytes> {
    e.events
        .iter()
        .filter_map(|ev| match &ev.reaction {
            Reaction::Pong(p) => Some(p.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn section_9_has_autobahns_54_ids_under_both_profiles() {
    let groups = [6, 6, 9, 9, 6, 6, 6, 6];
    let expected: Vec<String> = (1..=8)
        .flat_map(|g| (1..=groups[g - 1]).map(move |n| format!("9.{g}.{n}")))
        .collect();
    for profile in [Profile::Full, Profile::Quick] {
        let ids: Vec<String> = s09_limits_performance::cases(profile)
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(ids.len(), 54);
        assert_eq!(ids, expected);
    }
}

#[test]
fn declared_limits_add_cases_on_both_sides_of_each_limit() {
    use crate::model::Declared;
    assert!(s20_size_boundaries::declared_cases(&Declared::default()).is_empty());
    let declared = Declared {
        max_message: Some(1000),
        max_frame: Some(100),
    };
    let cases = s20_size_boundaries::declared_cases(&declared);
    let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        ["20.5.1", "20.5.2", "20.5.3", "20.5.4", "20.5.5", "20.5.6"]
    );
    let sizes: Vec<(u64, u64)> = cases
        .iter()
        .map(|c| {
            let p = crate::session::Plan::new(c, 1);
            (p.sizes.message, p.sizes.frame)
        })
        .collect();
    assert_eq!(
        sizes,
        [
            (999, 100),
            (1000, 100),
            (1001, 100),
            (297, 99),
            (300, 100),
            (303, 101)
        ]
    );
    for c in &cases {
        assert_eq!(model(c).end, End::TesterCloses, "{}: valid traffic", c.id);
    }
}

#[test]
fn new_sections_have_at_least_80_cases_numbered_from_14_in_order() {
    let cases = new_sections();
    assert!(cases.len() >= 80, "only {} new cases", cases.len());
    for c in &cases {
        let key = id_key(&c.id);
        assert!(key[0] >= 14, "{} reuses an Autobahn section", c.id);
        assert_eq!(key.len(), 3, "{} is not x.y.z", c.id);
    }
    let keys: Vec<Vec<u32>> = cases.iter().map(|c| id_key(&c.id)).collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "ids out of order");
}

#[test]
fn catalogue_ids_are_unique_and_every_case_quotes_its_rfc_section() {
    let all = all(Profile::Quick);
    let mut seen = HashSet::new();
    for c in &all {
        assert!(seen.insert(c.id.clone()), "duplicate id {}", c.id);
        assert!(
            c.section
                .trim_start_matches("RFC 7692 §")
                .split('.')
                .all(|n| n.parse::<u8>().is_ok()),
            "{}: section {:?}",
            c.id,
            c.section
        );
        assert!(c.requirement.len() > 40, "{}: requirement too short", c.id);
        assert!(!c.title.is_empty() && c.deadline > Duration::ZERO);
    }
    assert!(all.len() >= 54 + 80);
}

/// Message sizes of section 9 under the quick profile (Autobahn's / 16).
const QUICK_SINGLE: [usize; 6] = [4 << 10, 16 << 10, 64 << 10, 256 << 10, 512 << 10, 1 << 20];
const QUICK_FRAGMENTS: [usize; 9] = [
    4,
    16,
    64,
    256,
    1 << 10,
    4 << 10,
    16 << 10,
    64 << 10,
    256 << 10,
];
const ROUND_TRIP_SIZES: [usize; 6] = [0, 16, 64, 256, 1024, 4096];

#[test]
fn section_9_quick_cases_build_and_the_model_echoes_every_message_in_full() {
    for case in s09_limits_performance::cases(Profile::Quick) {
        let key = id_key(&case.id);
        let (group, index) = (key[1], key[2] as usize - 1);
        let steps = case.steps();
        let frames = wire_frames(&steps);
        let e = Expectation::of(Endpoint::new(Role::Server), &frames);
        assert_eq!(e.end, End::TesterCloses, "{}", case.id);
        assert!(e.tolerable.is_empty(), "{}", case.id);
        let opcode = if group % 2 == 1 {
            OpCode::TEXT
        } else {
            OpCode::BINARY
        };
        let (count, size) = match group {
            1 | 2 => (1, QUICK_SINGLE[index]),
            3 | 4 => (1, 256 << 10),
            5 | 6 => (1, 64 << 10),
            _ => (100, ROUND_TRIP_SIZES[index]),
        };
        let msgs = messages(&e);
        assert_eq!(msgs.len(), count, "{}", case.id);
        assert!(
            msgs.iter().all(|(op, p)| *op == opcode && p.len() == size),
            "{}",
            case.id
        );
        if let 3 | 4 = group {
            assert_eq!(
                frames.len(),
                (256usize << 10).div_ceil(QUICK_FRAGMENTS[index])
            );
        }
        if let 5 | 6 = group {
            let chop = [64, 128, 256, 512, 1024, 2048][index];
            assert!(matches!(steps[0], Step::SendGenerated(_, Delivery::Chops(n)) if n == chop));
        }
        if group >= 7 {
            assert_eq!(
                steps.len(),
                200,
                "{}: a send and an await per trip",
                case.id
            );
            assert!(
                steps
                    .iter()
                    .skip(1)
                    .step_by(2)
                    .all(|s| matches!(s, Step::AwaitEvents))
            );
        }
    }
}

#[test]
fn section_9_full_profile_keeps_autobahns_sizes_and_deadlines() {
    let full = s09_limits_performance::cases(Profile::Full);
    let steps = find(&full, "9.1.6").steps();
    let frames = wire_frames(&steps);
    assert!(matches!(
        steps.as_slice(),
        [Step::SendGenerated(_, Delivery::Whole)]
    ));
    let frame = &frames[0];
    assert_eq!(frame.payload.len(), 16 << 20);
    assert_eq!(frame.header.len, PayloadLen::Len64(16 << 20));
    assert_eq!(&frame.payload[..12], b"BAsd7&jh23BA");
    let secs = |id: &str| find(&full, id).deadline.as_secs();
    assert_eq!(
        [secs("9.1.1"), secs("9.1.6"), secs("9.2.4"), secs("9.2.5")],
        [10, 100, 10, 100]
    );
    assert_eq!(
        [secs("9.3.1"), secs("9.5.1"), secs("9.7.6"), secs("9.8.4")],
        [100, 1000, 480, 120]
    );
    assert_eq!(find(&full, "9.7.1").steps().len(), 2000);
    let binary = find(&full, "9.4.1").steps();
    assert_eq!(wire_frames(&binary).len(), (4 << 20) / 64);
}

#[test]
fn large_messages_are_generated_not_held() {
    let full = s09_limits_performance::cases(Profile::Full);
    for (id, fragment) in [("9.1.6", 0), ("9.3.1", 64), ("9.5.1", 0)] {
        let steps = find(&full, id).steps();
        let [Step::SendGenerated(g, _)] = steps.as_slice() else {
            panic!("{id} is one generated message: {steps:?}");
        };
        assert!(matches!(g.body, crate::codec::Body::Pattern { .. }), "{id}");
        assert_eq!(g.fragment, fragment, "{id}");
    }
    let s20 = s20_limits_floods::cases();
    let big = find(&s20, "20.1.3").steps();
    assert!(
        matches!(big.as_slice(), [Step::SendGenerated(g, Delivery::Whole)] if g.body.len() == 64 << 20)
    );
}

/// What a case is meant to show, by id prefix (longest prefix wins).
#[derive(Clone, Copy, Debug)]
enum Intent {
    /// The server must fail with one of these codes.
    Fail(&'static [u16]),
    /// The server must answer the tester's Close.
    CloseReply,
    /// Valid traffic: every event, then the tester closes.
    Clean,
    /// Valid except for a rule the receiver may tolerate.
    Tolerated,
    /// Judged outside the model (raw bytes, floods).
    Unmodelled,
}

const INTENTS: &[(&str, Intent)] = &[
    ("15.1.", Intent::Fail(&[1002])),
    ("15.2.", Intent::Clean),
    ("15.2.3", Intent::CloseReply),
    ("16.1.", Intent::Fail(&[1002])),
    ("16.2.", Intent::Tolerated),
    ("16.3.", Intent::Unmodelled),
    ("16.4.", Intent::Fail(&[1002])),
    ("16.5.", Intent::Clean),
    ("17.1.", Intent::Fail(&[1002])),
    ("17.2.", Intent::Fail(&[1002])),
    ("17.3.", Intent::Clean),
    ("17.3.6", Intent::CloseReply),
    ("17.4.", Intent::Fail(&[1002])),
    ("18.1.", Intent::CloseReply),
    ("18.2.", Intent::Fail(&[1002])),
    ("18.3.", Intent::Fail(&[1007, 1002])),
    ("18.4.", Intent::CloseReply),
    ("18.5.", Intent::CloseReply),
    ("19.", Intent::Clean),
    ("19.4.", Intent::Fail(&[1002])),
    ("20.1.", Intent::Clean),
    ("20.2.", Intent::Unmodelled),
    ("20.3.", Intent::Clean),
    ("20.4.", Intent::Clean),
];

fn intent(id: &str) -> Intent {
    INTENTS
        .iter()
        .filter(|(prefix, _)| id.starts_with(prefix))
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|(_, i)| *i)
        .unwrap_or_else(|| panic!("no intent for {id}"))
}

#[test]
fn the_model_gives_every_new_frame_case_the_end_it_is_meant_to_have() {
    for case in new_sections() {
        if matches!(case.kind, CaseKind::Handshake(_)) {
            continue;
        }
        let e = model(&case);
        let id = &case.id;
        match intent(id) {
            Intent::Fail(codes) => {
                let End::Fail { failure, .. } = &e.end else {
                    panic!("{id}: model does not fail: {:?}", e.end);
                };
                let got: Vec<u16> = failure.codes.iter().map(|c| c.0).collect();
                assert_eq!(got, codes, "{id}");
                assert!(matches!(case.judge, Judge::Model | Judge::FailFast), "{id}");
            }
            Intent::CloseReply => {
                assert!(matches!(e.end, End::CloseReply { .. }), "{id}: {:?}", e.end);
                assert_eq!(case.judge, Judge::Model, "{id}");
            }
            Intent::Clean => {
                assert_eq!(e.end, End::TesterCloses, "{id}");
                assert!(e.tolerable.is_empty() && !e.events.is_empty(), "{id}");
                assert!(
                    matches!(case.judge, Judge::Model | Judge::ModelOrTooBig),
                    "{id}"
                );
            }
            Intent::Tolerated => {
                assert_eq!(e.end, End::TesterCloses, "{id}");
                let rules: Vec<&str> = e.tolerable.iter().map(|(_, v)| v.rule()).collect();
                assert_eq!(rules, ["non-minimal-length"], "{id}");
                assert_eq!(case.judge, Judge::Informational, "{id}");
            }
            Intent::Unmodelled => {
                assert!(
                    matches!(case.judge, Judge::NoReply | Judge::Survive),
                    "{id}"
                );
            }
        }
    }
}

#[test]
fn masking_failures_come_from_the_unmasked_frame_after_the_owed_echo() {
    let cases = s15_masking::cases();
    for case in cases.iter().filter(|c| c.id.starts_with("15.1.")) {
        let End::Fail { failure, .. } = model(case).end else {
            panic!("{}", case.id)
        };
        assert_eq!(
            failure.violation,
            Violation::UnmaskedClientFrame,
            "{}",
            case.id
        );
    }
    let e = model(&find(&cases, "15.1.10"));
    assert!(matches!(e.end, End::Fail { frame: 1, .. }));
    assert_eq!(messages(&e), [(OpCode::TEXT, Bytes::from("masked"))]);
    assert!(e.events[0].may_be_missing);
}

#[test]
fn odd_fragments_start_off_the_key_phase_and_echo_kosme() {
    for id in ["15.2.4", "15.2.5"] {
        let frames = wire_frames(&find(&s15_masking::cases(), id).steps());
        let mut start = 0;
        for f in &frames[..frames.len() - 1] {
            start += f.payload.len();
            assert_ne!(start % 4, 0, "{id}: a fragment starts key-aligned");
        }
        let e = Expectation::of(Endpoint::new(Role::Server), &frames);
        assert_eq!(messages(&e), [(OpCode::TEXT, Bytes::from("κόσμε world"))]);
    }
}

#[test]
fn header_only_violations_can_be_failed_before_any_payload_arrives() {
    let endpoint = Endpoint::new(Role::Server);
    let ids = [
        "16.1.1", "16.1.3", "16.1.4", "16.4.1", "16.4.2", "16.4.3", "16.4.4",
    ];
    let cases = s16_length_encoding::cases();
    for id in ids {
        let frames = wire_frames(&find(&cases, id).steps());
        assert_eq!(frames.len(), 1);
        assert!(frames[0].payload.is_empty(), "{id} sends a payload");
        assert!(frames[0].header.len.value() >= 1 << 40, "{id}");
        let failure = endpoint.judge_header(&frames[0].header);
        assert!(failure.is_some(), "{id}: the header alone is not enough");
    }
}

#[test]
fn length_lies_declare_more_than_they_send_in_a_header_that_breaks_no_rule() {
    let endpoint = Endpoint::new(Role::Server);
    for case in s16_length_encoding::cases()
        .iter()
        .filter(|c| c.id.starts_with("16.3."))
    {
        let steps = case.steps();
        let Some(Step::SendBytes(bytes, _)) = steps.first() else {
            panic!("{} sends raw bytes", case.id)
        };
        let (header, at) = FrameHeader::parse(bytes).expect("a whole header");
        let sent = (bytes.len() - at) as u64;
        assert!(header.len.value() > sent, "{}", case.id);
        assert!(endpoint.judge_header(&header).is_none(), "{}", case.id);
        assert!(matches!(steps.last(), Some(Step::Wait(w)) if *w < case.deadline));
    }
}

#[test]
fn the_64_bit_length_of_16_5_2_straddles_a_write_boundary() {
    let steps = find(&s16_length_encoding::cases(), "16.5.2").steps();
    let [Step::Send(frames, Delivery::Chops(chop))] = steps.as_slice() else {
        panic!("16.5.2 is one chopped send")
    };
    let first = wire_frames(&steps)[0].wire_len();
    let second_header = wire_frames(&steps)[1].header.wire_len();
    assert_eq!(frames[1].header.len.form(), 64);
    assert!(first < *chop && first + second_header > *chop);
}

#[test]
fn close_replies_may_echo_the_code_and_nothing_after_close_is_processed() {
    let cases = s18_close::cases();
    for (id, code) in [("18.1.1", 1012), ("18.1.2", 1013), ("18.1.3", 1014)] {
        let End::CloseReply { codes, .. } = model(&find(&cases, id)).end else {
            panic!("{id}")
        };
        assert!(codes.contains(&CloseCode(code)) && codes.contains(&CloseCode::NORMAL));
    }
    for case in cases.iter().filter(|c| c.id.starts_with("18.5.")) {
        let e = model(case);
        assert!(
            matches!(e.end, End::CloseReply { frame: 0, .. }),
            "{}",
            case.id
        );
        assert!(e.events.is_empty(), "{}", case.id);
    }
    for case in cases.iter().filter(|c| c.id.starts_with("18.4.")) {
        let frames = wire_frames(&case.steps());
        assert!(frames[0].payload.len() <= 125, "{}", case.id);
    }
    let too_long = wire_frames(&find(&cases, "18.2.3").steps());
    assert_eq!(too_long[0].payload.len(), 126);
}

#[test]
fn pongs_echo_their_pings_in_order_before_the_message() {
    let e = model(&find(&s19_interleaving::cases(), "19.1.1"));
    let expected: Vec<Bytes> = (0..100).map(|i| Bytes::from(format!("ping-{i}"))).collect();
    assert_eq!(pongs(&e), expected);
    assert!(matches!(
        e.events.last().map(|ev| &ev.reaction),
        Some(Reaction::Message { .. })
    ));
    let e = model(&find(&s17_control_frames::cases(), "17.3.4"));
    assert_eq!(pongs(&e), [Bytes::from(vec![b'A'; 125]), Bytes::from("B")]);
    let e = model(&find(&s17_control_frames::cases(), "17.3.6"));
    assert_eq!(pongs(&e), [Bytes::from("before close")]);
    assert!(matches!(e.end, End::CloseReply { frame: 1, .. }));
}

#[test]
fn long_fragment_chains_reassemble_to_the_whole_message() {
    let e = model(&find(&s19_interleaving::cases(), "19.3.1"));
    let kosme = "κόσμε".repeat(1000);
    assert_eq!(messages(&e), [(OpCode::TEXT, Bytes::from(kosme))]);
    let floods = s20_limits_floods::cases();
    let chain = wire_frames(&find(&floods, "20.1.1").steps());
    assert_eq!(chain.len(), 100_000);
    let e = Expectation::of(Endpoint::new(Role::Server), &chain);
    assert_eq!(messages(&e)[0].1.len(), 100_000);
    assert_eq!(wire_frames(&find(&floods, "20.1.2").steps()).len(), 100_002);
}

#[test]
fn floods_are_legal_traffic_sent_while_not_reading() {
    let floods = s20_limits_floods::cases();
    for id in ["20.2.1", "20.2.2", "20.3.3"] {
        let case = find(&floods, id);
        assert_eq!(model(&case).end, End::TesterCloses, "{id}");
    }
    for id in ["20.2.1", "20.3.3"] {
        let steps = find(&floods, id).steps();
        assert!(matches!(steps.first(), Some(Step::PauseReading)), "{id}");
        assert!(matches!(steps.last(), Some(Step::ResumeReading)), "{id}");
    }
    let e = model(&find(&floods, "20.2.1"));
    assert_eq!(pongs(&e).len(), 10_000);
}

#[test]
fn oversize_message_is_64_mib_in_one_frame() {
    let case = find(&s20_limits_floods::cases(), "20.1.3");
    assert_eq!(case.judge, Judge::ModelOrTooBig);
    let frames = wire_frames(&case.steps());
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].header.len, PayloadLen::Len64(64 << 20));
}

#[test]
fn handshake_cases_change_one_thing_and_owe_a_precise_answer() {
    let cases = s14_opening_handshake::cases();
    let mut accepted = 0;
    for case in &cases {
        let CaseKind::Handshake(h) = &case.kind else {
            panic!("{} is not a handshake case", case.id)
        };
        assert!(case.steps().is_empty());
        let changed = !h.edits.is_empty() || h.method != "GET" || h.http_version != "HTTP/1.1";
        assert!(changed, "{} sends the default request", case.id);
        match &h.expect {
            HandshakeExpect::Accept => accepted += 1,
            HandshakeExpect::Reject { statuses, header } => {
                assert!(!statuses.is_empty(), "{}", case.id);
                assert!(
                    statuses.iter().all(|s| (400..600).contains(s)),
                    "{}",
                    case.id
                );
                if case.section == "4.2.2" {
                    assert_eq!(
                        *header,
                        Some(("Sec-WebSocket-Version", "13")),
                        "{}",
                        case.id
                    );
                }
            }
            other => panic!("{}: section 14 owes no {other:?}", case.id),
        }
    }
    assert_eq!(accepted, 8);
}

#[test]
fn wire_frames_masks_only_frames_without_a_key() {
    let steps = vec![
        send(vec![Frame::text("a"), Frame::text("b").masked([0; 4])]),
        Step::SendAsIs(vec![Frame::text("c")], Delivery::Whole),
        Step::SendBytes(Bytes::from_static(b"\x81"), Delivery::Whole),
    ];
    let keys: Vec<_> = wire_frames(&steps).iter().map(|f| f.header.mask).collect();
    assert_eq!(keys, [Some(TEST_KEY), Some([0; 4]), None]);
    let mut out = BytesMut::new();
    wire_frames(&steps)[1].encode(&mut out);
    assert_eq!(&out[..], b"\x81\x81\0\0\0\0b");
}
