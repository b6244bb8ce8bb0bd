//! The registry of mutators: stable names (used on the command line, in
//! finding signatures and replay files), the rule or bug class each
//! targets, and selection by name.

use super::mutator::Mutator;

const FAMILIES: &[&[Mutator]] = &[
    super::header::MUTATORS,
    super::opcode::MUTATORS,
    super::masking::MUTATORS,
    super::length::MUTATORS,
    super::control::MUTATORS,
    super::fragment::MUTATORS,
    super::utf8::MUTATORS,
    super::close::MUTATORS,
    super::sequence::MUTATORS,
    super::delivery::MUTATORS,
    super::deflate::MUTATORS,
];

/// Every mutator, family by family.
pub fn all() -> impl Iterator<Item = &'static Mutator> {
    FAMILIES.iter().flat_map(|f| f.iter())
}

/// The mutator called `name`.
pub fn by_name(name: &str) -> Option<&'static Mutator> {
    all().find(|m| m.name == name)
}

/// A mutator name that is not registered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown mutator {0:?} (see `wsgauntlet fuzz --list-mutators`)")]
pub struct UnknownMutator(pub String);

/// The mutators to use: `only` (all when empty) minus `skip`.
pub fn select(only: &[String], skip: &[String]) -> Result<Vec<&'static Mutator>, UnknownMutator> {
    for name in only.iter().chain(skip) {
        by_name(name).ok_or_else(|| UnknownMutator(name.clone()))?;
    }
    Ok(all()
        .filter(|m| only.is_empty() || only.iter().any(|n| n == m.name))
        .filter(|m| !skip.iter().any(|n| n == m.name))
        .collect())
}
