//! The mutation engine: pure and seeded. Valid base traffic (echoes at every
//! length form, fragmented messages, pings, close handshakes) is bent by
//! named mutators — header bits, reserved opcodes, masking, length lies,
//! control-frame rules, fragmentation order, UTF-8 breakage, close payloads,
//! sequence edits and delivery (TCP chops, pauses) — and, on inputs that
//! negotiate permessage-deflate, RSV1 misuse, corrupt and truncated DEFLATE
//! streams, bombs, window violations, final-block forms and references into
//! the previous message. Each mutated input is expressed as catalogue
//! [`Step`](crate::catalog::Step)s, so the same plan, model and verdict that
//! judge the catalogue judge the fuzzer: one truth.
//!
//! Input `i` of a campaign is a pure function of `(seed, i)`.

mod base;
mod close;
mod control;
mod deflate;
mod deflate_base;
mod deflate_context;
mod deflate_messages;
mod delivery;
mod engine;
mod fragment;
mod header;
mod input;
mod length;
mod masking;
mod mutator;
mod opcode;
mod registry;
mod rng;
mod sequence;
mod utf8;

pub use engine::Engine;
pub use input::Input;
pub use mutator::{Mutator, Phase};
pub use registry::{UnknownMutator, all, by_name, select};
pub use rng::Gen;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_deflate;
#[cfg(test)]
mod tests_deflate_context;
