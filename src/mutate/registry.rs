//! The registry of mutators: stable names (used on the command line, in
//! finding signatures and replay files), the rule or bug class each
//! targets, and selection by name.

use super::input::Input;
use super::rng::Gen;

/// When a mutator runs relative to others stacked on the same input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Changes frames and their order.
    Content,
    /// Changes declared lengths (may cut the input after the lying frame).
    Length,
    /// Changes how bytes are written (chops, pauses).
    Delivery,
}

/// A named mutation.
#[derive(Clone, Copy, Debug)]
pub struct Mutator {
    /// Stable kebab-case name.
    pub name: &'static str,
    /// The family (one source file per family).
    pub family: &'static str,
    /// The RFC rule or real bug class it targets.
    pub targets: &'static str,
    /// When it runs in a stack.
    pub phase: Phase,
    /// Applies the mutation; false when the input offers nothing to mutate.
    pub apply: fn(&mut Input, &mut Gen) -> bool,
}

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
