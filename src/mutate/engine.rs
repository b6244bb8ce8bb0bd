//! The engine: input `i` of a campaign is a base scenario with a stack of
//! one to three mutators, all drawn from a generator seeded by
//! `(seed, i)` alone — so any input can be rebuilt from its index, and
//! several workers produce exactly the inputs one would.
//!
//! When the mutator set has deflate mutators, a share of the inputs
//! ([`DEFLATE_SHARE`], all of them when every mutator is a deflate one)
//! offers permessage-deflate: they start from a deflate scenario and their
//! first mutator is a deflate one. Whether input `i` is such an input is
//! drawn from its own generator, so the other inputs are exactly those of
//! an engine without deflate mutators.

use super::base;
use super::deflate_base;
use super::input::Input;
use super::mutator::Mutator;
use super::rng::Gen;

/// One input in this many offers permessage-deflate, when both kinds of
/// mutator are in the set.
pub const DEFLATE_SHARE: usize = 4;

/// The family whose mutators need a deflate input.
const DEFLATE: &str = "deflate";

/// Salt of the generator that decides whether an input offers deflate.
const DEFLATE_SALT: u64 = 0x7065_726d_6573_7361;

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
        let deflate = self.offers_deflate(index);
        let mut input = if deflate {
            deflate_base::scenario(&mut g)
        } else {
            base::scenario(&mut g)
        };
        let mut stack = self.pick_stack(&mut g, deflate);
        stack.sort_by_key(|m| m.phase);
        for m in stack {
            if (m.apply)(&mut input, &mut g) {
                input.mutators.push(m.name);
            }
        }
        input
    }

    /// Whether input `index` offers permessage-deflate.
    pub fn offers_deflate(&self, index: u64) -> bool {
        let deflate = self.mutators.iter().filter(|m| m.family == DEFLATE).count();
        match (deflate, self.mutators.len() - deflate) {
            (0, _) => false,
            (_, 0) => true,
            _ => Gen::for_input(self.seed ^ DEFLATE_SALT, index).one_in(DEFLATE_SHARE),
        }
    }

    /// One mutator most of the time, sometimes two or three, never twice.
    /// A plain input draws from the mutators that apply to it; a deflate
    /// input's first mutator is a deflate one, the others from all.
    fn pick_stack(&self, g: &mut Gen, deflate: bool) -> Vec<&'static Mutator> {
        let pool = |first: bool| -> Vec<&'static Mutator> {
            let keep =
                |m: &&&'static Mutator| (m.family == DEFLATE) == deflate || (deflate && !first);
            self.mutators.iter().filter(keep).copied().collect()
        };
        let depth = 1 + usize::from(g.one_in(3)) + usize::from(g.one_in(6));
        let mut stack: Vec<&'static Mutator> = Vec::with_capacity(depth);
        for k in 0..depth {
            let pool = pool(k == 0);
            if pool.is_empty() {
                break;
            }
            let m = pool[g.below(pool.len())];
            if !stack.iter().any(|s| s.name == m.name) {
                stack.push(m);
            }
        }
        stack
    }
}
