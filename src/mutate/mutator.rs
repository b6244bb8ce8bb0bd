//! What a mutator is: a stable name, the rule or bug class it targets, its
//! phase in a stack, and the function that applies it. The family files
//! define mutators; the registry lists them.

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
