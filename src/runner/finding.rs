//! The replay file of a finding: readable and diffable (pretty JSON), with
//! the frames described field by field, the exact bytes sent with their
//! write boundaries and pauses, the seed and mutators, and what came back.
//! The `writes` are the truth a replay sends; `frames` are for people.

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::catalog::{Delivery, Judge, Step};
use crate::codec::Frame;
use crate::codec::deflate::{DeflateParams, valid_offers};
use crate::mutate::Input;
use crate::report::hex;
use crate::session::{Action, Outcome, Plan, Reason, Verdict};

/// The format tag of replay files.
pub const FINDING_FORMAT: &str = "wsgauntlet-finding/1";

/// What kind of finding a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// The server reacted differently from the model.
    Deviation,
    /// The server stopped accepting connections; `last_inputs` holds what
    /// was sent before.
    ServerDied,
}

/// One frame, field by field, as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameDesc {
    /// FIN bit.
    pub fin: bool,
    /// RSV bits as a 3-bit number (RSV1 = 4).
    pub rsv: u8,
    /// Opcode, e.g. `text` or `0x3 (reserved)`.
    pub opcode: String,
    /// Masking key in hex, absent when the MASK bit is clear.
    pub mask: Option<String>,
    /// Length form: 7, 16 or 64 bits.
    pub length_form: u8,
    /// Declared payload length.
    pub declared_length: u64,
    /// Payload bytes actually written.
    pub payload_length: usize,
    /// Unmasked payload in hex (first 256 bytes).
    pub payload_hex: String,
    /// The payload as text when it is short valid UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_text: Option<String>,
}

impl FrameDesc {
    /// Describes `f`.
    pub fn of(f: &Frame) -> FrameDesc {
        let h = &f.header;
        let text = std::str::from_utf8(&f.payload)
            .ok()
            .filter(|t| t.len() <= 256)
            .map(str::to_owned);
        FrameDesc {
            fin: h.fin,
            rsv: h.rsv,
            opcode: h.opcode.to_string(),
            mask: h.mask.map(hex),
            length_form: h.len.form(),
            declared_length: h.len.value(),
            payload_length: f.payload.len(),
            payload_hex: hex(&f.payload[..f.payload.len().min(256)]),
            payload_text: text,
        }
    }
}

/// One write to the socket, after an optional pause.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteDesc {
    /// Milliseconds to wait before this write.
    #[serde(default)]
    pub pause_before_ms: u64,
    /// The bytes, hex.
    pub hex: String,
}

/// The verdict as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedVerdict {
    /// Outcome.
    pub outcome: Outcome,
    /// Reason.
    pub reason: Option<Reason>,
    /// The server's close code.
    pub close_code: Option<u16>,
}

impl RecordedVerdict {
    /// The recorded part of `v`.
    pub fn of(v: &Verdict) -> RecordedVerdict {
        RecordedVerdict {
            outcome: v.outcome,
            reason: v.reason,
            close_code: v.close_code,
        }
    }
}

/// An input sent shortly before the server died.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentInput {
    /// Index in the campaign.
    pub index: u64,
    /// Mutators applied.
    pub mutators: Vec<String>,
    /// Its permessage-deflate offer, if it made one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deflate_offer: Option<String>,
    /// The writes.
    pub writes: Vec<WriteDesc>,
}

/// A replay file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingFile {
    /// Always [`FINDING_FORMAT`].
    pub format: String,
    /// Deviation or dead server.
    pub kind: FindingKind,
    /// The server it was found on.
    pub url: String,
    /// For regression files: the in-process server to replay against
    /// (`reference`, `broken:<Defect>`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// Master seed of the campaign.
    pub seed: u64,
    /// Index of the input in the campaign.
    pub index: u64,
    /// Base scenario.
    pub scenario: String,
    /// Mutators applied.
    pub mutators: Vec<String>,
    /// Deduplication key: mutators, reason, close code.
    pub signature: String,
    /// `model`, `no-reply` or `survive`.
    pub judge: String,
    /// Deadline of the input in milliseconds.
    pub deadline_ms: u64,
    /// The `Sec-WebSocket-Extensions` offer of a deflate input
    /// (`permessage-deflate; …`); absent when the input offers no extension
    /// (files written before deflate inputs existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deflate_offer: Option<String>,
    /// The verdict.
    pub verdict: RecordedVerdict,
    /// What a conforming server does.
    pub expected: String,
    /// What this one did.
    pub actual: String,
    /// Frames of the (minimised) input, as written.
    pub frames: Vec<FrameDesc>,
    /// Exactly what is sent, write by write.
    pub writes: Vec<WriteDesc>,
    /// Frames before minimisation.
    pub frames_before_minimising: usize,
    /// For a dead server: the inputs sent just before it died, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub last_inputs: Vec<SentInput>,
}

/// A replay file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FindingError {
    /// Could not read it.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not valid JSON of the right shape (corrupt or truncated).
    #[error("{path} is not a wsgauntlet finding (corrupt or truncated?): {why}")]
    Parse {
        /// The path.
        path: String,
        /// Where and why parsing stopped.
        why: String,
    },
    /// Parsed, but a field is unusable.
    #[error("{path}: {why}")]
    Invalid {
        /// The path.
        path: String,
        /// What is wrong.
        why: String,
    },
}

impl FindingFile {
    /// Reads and checks a replay file.
    pub fn load(path: &Path) -> Result<FindingFile, FindingError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| FindingError::Read {
            path: p.clone(),
            source,
        })?;
        let file: FindingFile = serde_json::from_str(&text).map_err(|e| FindingError::Parse {
            path: p.clone(),
            why: e.to_string(),
        })?;
        let invalid = |why: String| FindingError::Invalid {
            path: p.clone(),
            why,
        };
        if file.format != FINDING_FORMAT {
            return Err(invalid(format!("unknown format {:?}", file.format)));
        }
        parse_judge(&file.judge)
            .ok_or_else(|| invalid(format!("unknown judge {:?}", file.judge)))?;
        file.steps().map_err(invalid)?;
        if let Some(offer) = &file.deflate_offer
            && file.deflate().is_none()
        {
            return Err(invalid(format!(
                "not a permessage-deflate offer: {offer:?}"
            )));
        }
        Ok(file)
    }

    /// Writes the file, pretty.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let json = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(path, json + "\n")
    }

    /// The steps a replay sends: exactly the recorded writes and pauses.
    pub fn steps(&self) -> Result<Vec<Step>, String> {
        steps_of(&self.writes)
    }

    /// The judge of the input.
    pub fn judge(&self) -> Judge {
        parse_judge(&self.judge).unwrap_or(Judge::Model)
    }

    /// The permessage-deflate offer a replay makes, if any.
    pub fn deflate(&self) -> Option<DeflateParams> {
        let offer = self.deflate_offer.as_deref()?;
        valid_offers(offer).into_iter().next()
    }

    /// The input's deadline.
    pub fn deadline(&self) -> Duration {
        Duration::from_millis(self.deadline_ms.max(1))
    }
}

/// Steps for recorded writes.
pub fn steps_of(writes: &[WriteDesc]) -> Result<Vec<Step>, String> {
    let mut steps = Vec::with_capacity(writes.len() * 2);
    for (i, w) in writes.iter().enumerate() {
        let bytes = unhex(&w.hex).ok_or_else(|| format!("write {}: bad hex", i + 1))?;
        if w.pause_before_ms > 0 {
            steps.push(Step::Wait(Duration::from_millis(w.pause_before_ms)));
        }
        steps.push(Step::SendBytes(bytes, Delivery::Whole));
    }
    Ok(steps)
}

/// The writes of an input, as its plan performs them.
pub fn writes_of(input: &Input) -> Vec<WriteDesc> {
    let plan = Plan::from_steps(input.steps(), 0);
    let mut out = Vec::new();
    let mut pause = 0u64;
    for a in plan.actions {
        match a {
            Action::Wait(d) => pause += d.as_millis() as u64,
            Action::Write(b) => out.push(WriteDesc {
                pause_before_ms: std::mem::take(&mut pause),
                hex: hex(&b),
            }),
            _ => {}
        }
    }
    out
}

/// The name of a judge in replay files.
pub fn judge_name(j: Judge) -> &'static str {
    match j {
        Judge::Model => "model",
        Judge::FailFast => "fail-fast",
        Judge::ModelOrTooBig => "model-or-too-big",
        Judge::Informational => "informational",
        Judge::NoReply => "no-reply",
        Judge::Survive => "survive",
        Judge::Bomb => "bomb",
        Judge::ModelUnlessContextReset => "model-unless-context-reset",
    }
}

fn parse_judge(s: &str) -> Option<Judge> {
    [
        Judge::Model,
        Judge::FailFast,
        Judge::ModelOrTooBig,
        Judge::Informational,
        Judge::NoReply,
        Judge::Survive,
        Judge::Bomb,
        Judge::ModelUnlessContextReset,
    ]
    .into_iter()
    .find(|j| judge_name(*j) == s)
}

fn unhex(s: &str) -> Option<Bytes> {
    let s: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    s.chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
        .collect::<Option<Vec<u8>>>()
        .map(Bytes::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mutate::{Engine, all};

    #[test]
    fn writes_round_trip_to_the_same_plan() {
        let e = Engine::new(4, all().collect());
        for i in 0..100 {
            let input = e.input(i);
            let direct = Plan::from_steps(input.steps(), 0);
            let replayed = Plan::from_steps(steps_of(&writes_of(&input)).unwrap(), 0);
            let writes = |p: &Plan| {
                p.actions
                    .iter()
                    .filter(|a| !matches!(a, Action::Wait(_)))
                    .cloned()
                    .collect::<Vec<_>>()
            };
            assert_eq!(writes(&direct), writes(&replayed), "input {i}");
            assert_eq!(direct.expectation, replayed.expectation);
        }
    }

    #[test]
    fn the_deflate_offer_is_recorded_and_files_without_it_offer_nothing() {
        let old = r#"{"format":"wsgauntlet-finding/1","kind":"deviation","url":"ws://h/",
            "seed":1,"index":2,"scenario":"text-echo","mutators":["rsv1"],"signature":"s",
            "judge":"model","deadline_ms":400,
            "verdict":{"outcome":"FAIL","reason":"no-close","close_code":null},
            "expected":"e","actual":"a","frames":[],"writes":[{"hex":"8180aabbccdd"}],
            "frames_before_minimising":1}"#;
        let mut file: FindingFile = serde_json::from_str(old).unwrap();
        assert_eq!(file.deflate(), None);
        assert!(
            !serde_json::to_string(&file)
                .unwrap()
                .contains("deflate_offer")
        );
        let offer = DeflateParams::new().client_max_window_bits(Some(9));
        file.deflate_offer = Some(crate::codec::deflate::offers_header(&[offer]));
        let back: FindingFile =
            serde_json::from_str(&serde_json::to_string(&file).unwrap()).unwrap();
        assert_eq!(back.deflate(), Some(offer));
        file.deflate_offer = Some("x-webkit-deflate-frame".into());
        assert_eq!(file.deflate(), None, "not an offer: load refuses it");
    }

    #[test]
    fn bad_hex_is_refused() {
        assert!(unhex("0g").is_none());
        assert!(unhex("abc").is_none());
        assert_eq!(unhex("81 00").unwrap().as_ref(), &[0x81, 0]);
    }
}
