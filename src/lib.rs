//! wsgauntlet: puts WebSocket endpoints through the gauntlet of RFC 6455.
//!
//! Layers, dependencies pointing one way: `codec → model → {catalog, mutate}
//! → session → runner → cli`, with `report` over the results model
//! (`results`). See `docs/architecture.md`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod catalog;
pub mod cli;
pub mod codec;
#[doc(hidden)]
pub mod fuzzing;
pub mod model;
pub mod mutate;
pub mod report;
pub mod results;
pub mod runner;
pub mod server;
pub mod session;
