//! The one results model every report is written from (schema version 1).

use serde::{Deserialize, Serialize};

use super::deflate::DeflateResult;
use super::outcome::{Outcome, Reason};

/// Version of the results schema; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// A whole run against one server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResults {
    /// Schema version ([`SCHEMA_VERSION`]).
    pub schema: u32,
    /// The tool and its version.
    pub tool: String,
    /// Name of the server under test.
    pub agent: String,
    /// Its URL.
    pub url: String,
    /// Start time, RFC 3339 UTC.
    pub started: String,
    /// Wall time of the run.
    pub duration_ms: u64,
    /// Master seed of the run.
    pub seed: u64,
    /// Cases, in catalogue order.
    pub cases: Vec<CaseResult>,
}

/// One case's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    /// Case id.
    pub id: String,
    /// What the case sends.
    #[serde(default)]
    pub title: String,
    /// RFC 6455 section of the requirement.
    #[serde(default)]
    pub section: String,
    /// The requirement, quoted.
    #[serde(default)]
    pub requirement: String,
    /// The combined outcome.
    pub outcome: Outcome,
    /// Why it is not PASS.
    pub reason: Option<Reason>,
    /// The close code the server sent (null if none).
    pub close_code: Option<u16>,
    /// Wall time of the case.
    pub duration_ms: u64,
    /// What a conforming server does.
    pub expected: String,
    /// What this one did.
    pub actual: String,
    /// Load-shedding codes met before the final attempt.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub throttled: Vec<u16>,
    /// Every 1012/1013 (or HTTP 503/429) sighting and how it was judged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attempts: Vec<Attempt>,
    /// The first frames in both directions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wire: Vec<WireEntry>,
    /// The permessage-deflate agreement and traffic, when the case offered it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deflate: Option<DeflateResult>,
}

/// One attempt of a case that met a 1012/1013 (or HTTP 503/429): a
/// load-shedding code is never judged on one sighting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// The close code or HTTP status.
    pub code: u16,
    /// When it arrived, milliseconds after the attempt started.
    pub at_ms: u64,
    /// Case bytes the tester had written by then.
    pub bytes_written: u64,
    /// How it was taken: "load-shedding" (before the case did anything
    /// wrong: back off and retry), "suspect" (after a violation was written:
    /// probe and rerun), "confirmed" (the same answer again from a healthy
    /// server: the verdict stands).
    pub judged: String,
    /// What the liveness probe after it found: "healthy", "shedding",
    /// "dead", or none when no probe ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<String>,
}

/// A frame in the wire log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireEntry {
    /// "tx" (sent by the tester) or "rx".
    pub dir: String,
    /// Milliseconds since the case started.
    pub at_ms: u64,
    /// FIN bit.
    pub fin: bool,
    /// RSV bits (3-bit number).
    pub rsv: u8,
    /// Opcode.
    pub opcode: u8,
    /// Masking key, hex, if masked.
    pub mask: Option<String>,
    /// Declared payload length.
    pub len: u64,
    /// Length form (7, 16, 64).
    pub len_form: u8,
    /// Up to 64 bytes of the unmasked payload, hex.
    pub payload_head: String,
}

/// Frames kept per case in the results.
pub const WIRE_ENTRIES: usize = 48;

/// Lower-case hex of bytes.
pub fn hex(bytes: impl AsRef<[u8]>) -> String {
    bytes.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// A `SystemTime` as RFC 3339 UTC (seconds precision).
pub fn rfc3339(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil from days (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(1_795_000_000)),
            "2026-11-18T11:06:40Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
    }

    #[test]
    fn outcome_names_in_json() {
        let json =
            serde_json::to_string(&(Outcome::NonStrict, Some(Reason::WrongCloseCode))).unwrap();
        assert_eq!(json, r#"["NON-STRICT","wrong-close-code"]"#);
    }
}
