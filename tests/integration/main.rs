//! The single integration-test binary: one module per area.

mod cli_explain;
mod cli_frame;
mod echo_server;
mod fuzz_corpus;
mod servers_smoke;
mod support;
mod utf8_reference;
