//! The single integration-test binary: one module per area.

mod cli_conform;
mod cli_echo_server;
mod cli_explain;
mod cli_frame;
mod conform;
mod echo_server;
mod hostile;
mod servers_smoke;
mod support;
