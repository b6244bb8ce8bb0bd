//! The engine: input `i` of a campaign is a base scenario with a stack of
//! one to three mutators, all drawn from a generator seeded by
//! `(seed, i)` alone — so any input can be rebuilt from its index, and
//! several workers produce exactly the inputs one would.

use super::base;
use super::input::Input;
use super::mutator::Mutator;
use super::rng::Gen;

/// Produces the inputs of a campaign.
#[derive(Clone, Debug)]
pub struct Engine {
    seed: u64,
    mutators: Vec<&'static Mutator>,
}

impl Engine {
    /// An engine with master `seed` drawing from `mutators`.
    pub fn new(seed: u64, mutators: Vec<&'static Mutator>) -> Engine {
        Engine { seed, mutators }
    }

    /// The master seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The mutators in use.
    pub fn mutators(&self) -> &[&'static Mutator] {
        &self.mutators
    }

    /// Input `index`: a pure function of the seed, the mutator set and `index`.
    pub fn input(&self, index: u64) -> Input {
        let mut g = Gen::for_input(self.seed, index);
        let mut input = base::scenario(&mut g);
        let mut stack = self.pick_stack(&mut g);
        stack.sort_by_key(|m| m.phase);
        for m in stack {
            if (m.apply)(&mut input, &mut g) {
                input.mutators.push(m.name);
            }
        }
        input
    }

    /// One mutator most of the time, sometimes two or three, never twice.
    fn pick_stack(&self, g: &mut Gen) -> Vec<&'static Mutator> {
        let depth = 1 + usize::from(g.one_in(3)) + usize::from(g.one_in(6));
        let mut stack: Vec<&'static Mutator> = Vec::with_capacity(depth);
        for _ in 0..depth {
            if self.mutators.is_empty() {
                break;
            }
            let m = self.mutators[g.below(self.mutators.len())];
            if !stack.iter().any(|s| s.name == m.name) {
                stack.push(m);
            }
        }
        stack
    }
}
