//! The single integration-test binary: one module per area.

mod cli_cases;
mod cli_conform;
mod cli_echo_server;
mod cli_explain;
mod cli_frame;
mod conform;
mod deflate;
mod echo_server;
mod fuzz_campaign;
mod fuzz_corpus;
mod fuzz_endpoints;
mod fuzz_ratchet_deflate;
mod fuzz_regressions;
mod hostile;
mod layers;
mod reports;
mod reports_cli;
mod serve;
mod serve_deflate;
mod serve_page;
mod servers_smoke;
mod support;
mod tls;
mod utf8_reference;
