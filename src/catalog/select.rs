//! Choosing cases by Autobahn-style patterns: `*` matches anything, every
//! other character is literal, and a pattern matches when it matches a
//! prefix of the id (Autobahn's `re.match`), so `4.*`, `5.1*` and `6.4`
//! select what an Autobahn spec would.

use super::case::Case;

/// Whether `pattern` matches a prefix of `id`.
pub fn matches_pattern(pattern: &str, id: &str) -> bool {
    match pattern.split_once('*') {
        None => id.starts_with(pattern),
        Some((head, rest)) => {
            id.starts_with(head)
                && (0..=id.len() - head.len()).any(|skip| {
                    let tail = &id[head.len() + skip..];
                    matches_pattern(rest, tail)
                })
        }
    }
}

/// Include and exclude patterns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Cases to run (empty: all).
    pub include: Vec<String>,
    /// Cases to leave out, applied after `include`.
    pub exclude: Vec<String>,
}

impl Selection {
    /// Parses comma-separated pattern lists.
    pub fn parse(include: &str, exclude: &str) -> Selection {
        let split = |s: &str| {
            s.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(String::from)
                .collect()
        };
        Selection {
            include: split(include),
            exclude: split(exclude),
        }
    }

    /// Whether a case id is selected.
    pub fn selects(&self, id: &str) -> bool {
        let included =
            self.include.is_empty() || self.include.iter().any(|p| matches_pattern(p, id));
        included && !self.exclude.iter().any(|p| matches_pattern(p, id))
    }

    /// The selected cases, in catalogue order.
    pub fn apply(&self, cases: Vec<Case>) -> Vec<Case> {
        cases.into_iter().filter(|c| self.selects(&c.id)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autobahn_pattern_semantics() {
        assert!(matches_pattern("*", "9.1.1"));
        assert!(matches_pattern("4.*", "4.1.1"));
        assert!(!matches_pattern("4.*", "14.1"));
        assert!(matches_pattern("5.1*", "5.19"));
        assert!(matches_pattern("5.1*", "5.1"));
        assert!(!matches_pattern("5.1*", "5.2"));
        assert!(matches_pattern("6.4", "6.4.1"));
        assert!(matches_pattern("1.1.1", "1.1.1"));
        assert!(matches_pattern("*.1.1", "7.1.1"));
        assert!(!matches_pattern("7.9.*", "7.13.1"));
    }

    #[test]
    fn exclusions_apply_after_inclusions() {
        let s = Selection::parse("4.*,5.1*", "4.2.*");
        assert!(s.selects("4.1.3"));
        assert!(!s.selects("4.2.3"));
        assert!(s.selects("5.15"));
        assert!(!s.selects("6.1.1"));
        assert!(Selection::parse("", "9.*").selects("1.1.1"));
    }
}
