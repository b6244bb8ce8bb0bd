//! `--shard K/N`: splits the selected cases across N CI runners,
//! round-robin over the selection order, so every runner gets a similar
//! mix and the union of all shards is the whole selection.

use std::fmt;
use std::str::FromStr;

/// Shard `index` (1-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, 1..=count.
    pub index: usize,
    /// How many shards.
    pub count: usize,
}

impl Shard {
    /// The items of this shard: every `count`-th, starting at `index - 1`.
    pub fn apply<T>(self, items: Vec<T>) -> Vec<T> {
        items
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % self.count == self.index - 1)
            .map(|(_, t)| t)
            .collect()
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("{s:?} is not K/N with 1 ≤ K ≤ N (e.g. 2/4)");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = k.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_selection() {
        let all: Vec<u32> = (0..11).collect();
        let mut union: Vec<u32> = Vec::new();
        for k in 1..=3 {
            let s: Shard = format!("{k}/3").parse().unwrap();
            let part = s.apply(all.clone());
            assert!(part.len() == 3 || part.len() == 4, "{part:?}");
            union.extend(part);
        }
        union.sort_unstable();
        assert_eq!(union, all);
        assert_eq!("2/3".parse::<Shard>().unwrap().apply(all), [1, 4, 7, 10]);
    }

    #[test]
    fn refuses_bad_shards() {
        for s in ["0/2", "3/2", "1/0", "1", "a/b", "1/2/3"] {
            assert!(s.parse::<Shard>().is_err(), "{s}");
        }
    }
}
