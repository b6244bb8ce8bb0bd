//! Masking-key quality of a client over all its frames and connections.
//! RFC 6455 §5.3: "The masking key needs to be unpredictable; thus, the
//! masking key MUST be derived from a strong source of entropy, and the
//! masking key for a given frame MUST NOT make it simple for a server/proxy
//! to predict the masking key for a subsequent frame." Real clients broke
//! it with `math/rand` (gorilla/websocket) and `Math.random` (ws). A black
//! box cannot prove randomness; these checks catch the usual failures:
//! repeats, zero keys, constant steps between keys, and bits that never
//! change or are unbalanced.

use serde::{Deserialize, Serialize};

use crate::report::CaseResult;
use crate::session::{Outcome, Reason};

/// Id of the aggregate masking-key result in client reports.
pub const KEY_CASE_ID: &str = "15.3.1";
/// The requirement it checks.
pub const KEY_REQUIREMENT: &str = "The masking key needs to be unpredictable; thus, the masking key MUST be derived from a strong source of entropy, and the masking key for a given frame MUST NOT make it simple for a server/proxy to predict the masking key for a subsequent frame.";

/// Keys needed before any judgement.
const MIN_KEYS: usize = 8;

/// Statistics of a client's masking keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyStats {
    /// Keys seen.
    pub keys: usize,
    /// Different keys among them.
    pub distinct: usize,
    /// `keys - distinct`.
    pub repeats: usize,
    /// Repeats expected from 32-bit random keys (birthday bound).
    pub expected_repeats: f64,
    /// All-zero keys (no masking at all).
    pub zero_keys: usize,
    /// Consecutive keys whose difference equals the previous difference
    /// (a counter, a constant key, a linear generator).
    pub equal_steps: usize,
    /// Fraction of one bits over all keys (0.5 expected).
    pub ones_fraction: f64,
    /// Bit positions (0 = top bit of the first byte) that never change.
    pub stuck_bits: Vec<u8>,
    /// What the checks found, in words.
    pub findings: Vec<String>,
}

impl KeyStats {
    /// The statistics of `keys`, in arrival order.
    pub fn of(keys: &[[u8; 4]]) -> KeyStats {
        let n = keys.len();
        let words: Vec<u32> = keys.iter().map(|k| u32::from_be_bytes(*k)).collect();
        let mut sorted = words.clone();
        sorted.sort_unstable();
        sorted.dedup();
        let ones: u32 = words.iter().map(|w| w.count_ones()).sum();
        let equal_steps = words
            .windows(3)
            .filter(|w| w[1].wrapping_sub(w[0]) == w[2].wrapping_sub(w[1]))
            .count();
        let (all_or, all_and) = words
            .iter()
            .fold((0u32, u32::MAX), |(o, a), w| (o | w, a & w));
        let stuck_bits = (0..32u8)
            .filter(|b| {
                let bit = 1u32 << (31 - b);
                all_or & bit == 0 || all_and & bit != 0
            })
            .collect();
        let mut s = KeyStats {
            keys: n,
            distinct: sorted.len(),
            repeats: n - sorted.len(),
            expected_repeats: (n as f64) * (n as f64 - 1.0) / 2.0 / 4_294_967_296.0,
            zero_keys: words.iter().filter(|w| **w == 0).count(),
            equal_steps,
            ones_fraction: if n == 0 {
                0.5
            } else {
                f64::from(ones) / (32.0 * n as f64)
            },
            stuck_bits,
            findings: Vec::new(),
        };
        s.findings = s.check();
        s
    }

    fn check(&self) -> Vec<String> {
        let mut f = Vec::new();
        if self.keys < MIN_KEYS {
            return f;
        }
        if self.repeats >= 3 && self.repeats as f64 > 10.0 * self.expected_repeats {
            f.push(format!(
                "{} repeated keys among {}",
                self.repeats, self.keys
            ));
        }
        if self.zero_keys >= 2 {
            f.push(format!("{} all-zero keys", self.zero_keys));
        }
        if self.equal_steps >= 2 {
            f.push(format!(
                "{} keys follow the previous key by the same step",
                self.equal_steps
            ));
        }
        let sigma = 0.5 / (32.0 * self.keys as f64).sqrt();
        if self.keys >= 16 && (self.ones_fraction - 0.5).abs() > 6.0 * sigma {
            f.push(format!(
                "{:.1}% of key bits are 1",
                self.ones_fraction * 100.0
            ));
        }
        if self.keys >= 40 && !self.stuck_bits.is_empty() {
            f.push(format!("key bits {:?} never change", self.stuck_bits));
        }
        f
    }

    /// The statistics in a line.
    pub fn describe(&self) -> String {
        format!(
            "{} keys, {} repeated ({:.3} expected), {} zero, {} equal steps, {:.1}% one bits, {} stuck bit(s)",
            self.keys,
            self.repeats,
            self.expected_repeats,
            self.zero_keys,
            self.equal_steps,
            self.ones_fraction * 100.0,
            self.stuck_bits.len()
        )
    }

    /// The aggregate result for a client report.
    pub fn result(&self) -> CaseResult {
        let (outcome, reason, actual) = if self.keys < MIN_KEYS {
            let why = format!("too few keys to judge: {}", self.describe());
            (Outcome::Informational, None, why)
        } else if self.findings.is_empty() {
            (Outcome::Pass, None, self.describe())
        } else {
            let why = format!("{}; {}", self.findings.join("; "), self.describe());
            (Outcome::Fail, Some(Reason::InvalidClientFrame), why)
        };
        CaseResult {
            id: KEY_CASE_ID.into(),
            title: "Masking keys over every frame and connection of the client".into(),
            section: "5.3".into(),
            requirement: KEY_REQUIREMENT.into(),
            outcome,
            reason,
            close_code: None,
            duration_ms: 0,
            expected: "no repeats beyond chance, no zero keys, no constant steps, balanced bits"
                .into(),
            actual,
            throttled: Vec::new(),
            attempts: Vec::new(),
            wire: Vec::new(),
            deflate: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha8Rng;
    use rand_core::{Rng, SeedableRng};

    fn random(n: usize) -> Vec<[u8; 4]> {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        (0..n).map(|_| rng.next_u32().to_be_bytes()).collect()
    }

    #[test]
    fn random_keys_pass() {
        let s = KeyStats::of(&random(500));
        assert!(s.findings.is_empty(), "{s:?}");
        assert_eq!(s.result().outcome, Outcome::Pass);
    }

    #[test]
    fn bad_generators_are_caught() {
        let constant = KeyStats::of(&[[7, 7, 7, 7]; 20]);
        assert!(constant.findings.iter().any(|f| f.contains("repeated")));
        assert_eq!(constant.result().outcome, Outcome::Fail);
        let counter: Vec<[u8; 4]> = (0..20u32).map(|i| (1000 + 3 * i).to_be_bytes()).collect();
        assert_eq!(KeyStats::of(&counter).equal_steps, 18);
        let zeros = KeyStats::of(&[[0; 4]; 10]);
        assert!(zeros.findings.iter().any(|f| f.contains("all-zero")));
        let top_clear: Vec<[u8; 4]> = random(100)
            .into_iter()
            .map(|mut k| {
                k[0] &= 0x7F;
                k
            })
            .collect();
        assert_eq!(KeyStats::of(&top_clear).stuck_bits, vec![0]);
        assert_eq!(
            KeyStats::of(&random(3)).result().outcome,
            Outcome::Informational
        );
    }
}
