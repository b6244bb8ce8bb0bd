//! The catalogue with the roles swapped: the frame cases as a server sends
//! them, for testing clients. The same frames go out unmasked (as a server
//! must send them) and a conforming client is the judge:
//!
//! * a `Send` frame without a key stays unmasked; a frame with an explicit
//!   key stays masked and makes the case a masked-server-frame case;
//! * `SendAsIs` frames lose the key that made them valid client frames, so
//!   length, opcode and RSV attacks keep their point; a case whose point was
//!   the missing key itself (an unmasked client frame) has no meaning for a
//!   client and is left out;
//! * raw bytes that start with a masked header get that header unmasked;
//! * opening-handshake cases are left out (they test servers), except the
//!   101s a client must fail (21.3, `catalog::client_only_cases`).
//!
//! Kept cases keep their ids, so Autobahn ids map one to one.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};

use crate::catalog::{self, Case, CaseKind, HandshakeExpect, Profile, Step};
use crate::codec::{FrameHeader, Violation, apply_mask_at};
use crate::model::End;
use crate::session::{Declared, Plan};

/// The catalogue as `serve` runs it against clients, before any selection:
/// the cases of `profile`, those the `declared` limits add, and the
/// client-only ones (21.3), each in its client-testing form. `serve` and
/// `cases --clients` both list it.
pub fn client_catalogue(profile: Profile, declared: &Declared) -> Vec<Case> {
    let mut all = catalog::for_servers(profile, declared);
    all.extend(catalog::client_only_cases());
    client_cases(all)
}

/// The client-testing form of every case that has one, in catalogue order.
pub fn client_cases(cases: Vec<Case>) -> Vec<Case> {
    cases.into_iter().filter_map(for_client).collect()
}

/// The client-testing form of `case`, or `None` when it has no meaning for
/// a client.
pub fn for_client(case: Case) -> Option<Case> {
    let steps = match &case.kind {
        CaseKind::Frames(steps) => steps,
        // A 101 the client must fail (21.3) is the tester's to send.
        CaseKind::Handshake(h) if matches!(h.expect, HandshakeExpect::ClientFails(_)) => {
            return Some(case);
        }
        CaseKind::Handshake(_) => return None,
    };
    let original = steps();
    if fails_only_for_missing_mask(&original) {
        return None;
    }
    let masked = original.iter().any(sends_explicit_key);
    let inner = Arc::clone(steps);
    let mut case = Case {
        kind: CaseKind::Frames(Arc::new(move || as_server(inner()))),
        ..case
    };
    if masked {
        case.section = Violation::MaskedServerFrame.section();
        case.requirement = Violation::MaskedServerFrame.requirement();
    }
    Some(case)
}

/// The steps as a server sends them.
pub fn as_server(steps: Vec<Step>) -> Vec<Step> {
    steps
        .into_iter()
        .map(|step| match step {
            Step::SendAsIs(frames, d) => {
                Step::SendAsIs(frames.into_iter().map(|f| f.unmasked()).collect(), d)
            }
            Step::SendBytes(bytes, d) => Step::SendBytes(unmask_leading_header(bytes), d),
            other => other,
        })
        .collect()
}

fn sends_explicit_key(step: &Step) -> bool {
    matches!(step, Step::Send(frames, _) if frames.iter().any(|f| f.header.mask.is_some()))
}

/// Whether the case, sent by a client, is failed for an unmasked frame:
/// its point is a client-only rule.
fn fails_only_for_missing_mask(steps: &[Step]) -> bool {
    let unmasked_as_is = steps.iter().any(|s| {
        matches!(s, Step::SendAsIs(frames, _) if frames.iter().any(|f| f.header.mask.is_none()))
    });
    if !unmasked_as_is {
        return false;
    }
    let plan = Plan::from_steps(steps.to_vec(), 0);
    matches!(
        plan.expectation.end,
        End::Fail { ref failure, .. } if failure.violation == Violation::UnmaskedClientFrame
    )
}

/// `bytes` with its leading frame header unmasked (the payload bytes after
/// it unmasked too); other bytes as they are.
fn unmask_leading_header(bytes: Bytes) -> Bytes {
    let Some((header, n)) = FrameHeader::parse(&bytes) else {
        return bytes;
    };
    let Some(key) = header.mask else {
        return bytes;
    };
    let mut out = BytesMut::with_capacity(bytes.len());
    FrameHeader {
        mask: None,
        ..header
    }
    .write(&mut out);
    let start = out.len();
    out.extend_from_slice(&bytes[n..]);
    apply_mask_at(&mut out[start..], key, 0);
    out.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{self, Profile};
    use crate::codec::{Frame, PayloadLen, Role};

    fn find(cases: &[Case], id: &str) -> Option<Case> {
        cases.iter().find(|c| c.id == id).cloned()
    }

    #[test]
    fn handshake_and_unmasked_client_cases_are_left_out() {
        let all = catalog::all(Profile::Quick);
        let ids: Vec<String> = all.iter().map(|c| c.id.clone()).collect();
        let client = client_cases(all);
        assert!(client.iter().all(|c| !c.id.starts_with("14.")));
        assert!(find(&client, "15.1.1").is_none());
        assert!(find(&client, "16.4.4").is_none());
        for id in [
            "1.1.1", "4.1.1", "6.3.1", "7.9.1", "15.2.1", "16.1.2", "18.5.4",
        ] {
            assert!(find(&client, id).is_some(), "{id} kept");
        }
        let kept: Vec<&String> = ids.iter().filter(|i| find(&client, i).is_some()).collect();
        assert_eq!(kept.len(), client.len(), "ids and order kept");
    }

    #[test]
    fn explicit_keys_make_masked_server_frame_cases() {
        let c = find(&client_cases(catalog::all(Profile::Quick)), "15.2.1").unwrap();
        assert_eq!(c.section, "5.1");
        let plan = Plan::from_steps_as(c.steps(), 0, Role::Server);
        let End::Fail { failure, .. } = plan.expectation.end else {
            panic!("must fail");
        };
        assert_eq!(failure.violation, Violation::MaskedServerFrame);
    }

    #[test]
    fn as_is_frames_and_raw_headers_lose_their_key() {
        let c = find(&client_cases(catalog::all(Profile::Quick)), "16.1.2").unwrap();
        let plan = Plan::from_steps_as(c.steps(), 0, Role::Server);
        let End::Fail { failure, .. } = plan.expectation.end else {
            panic!("must fail");
        };
        assert!(matches!(failure.violation, Violation::LengthMsbSet { .. }));
        let lie = Frame::binary("abcd")
            .declared_len(PayloadLen::Len16(1000))
            .masked([1, 2, 3, 4]);
        let raw = unmask_leading_header(lie.to_bytes());
        let (h, n) = FrameHeader::parse(&raw).unwrap();
        assert_eq!((h.mask, h.len.value()), (None, 1000));
        assert_eq!(&raw[n..], b"abcd");
    }
}
