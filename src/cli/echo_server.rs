//! `wsgauntlet echo-server`: the bundled strict reference server, for
//! trying the catalogue against a known-good endpoint or for comparing a
//! server's behaviour with what RFC 6455 requires.

use std::io::Write;
use std::net::SocketAddr;

use anyhow::Context as _;
use clap::Args;

use crate::server::{EchoConfig, EchoServer};

const AFTER_HELP: &str = "\
Echoes every text and binary message, answers pings and closes, and fails
the connection with the close code RFC 6455 requires on any violation
(1002, 1007, 1009), as early as it can be known. Stop it with Ctrl-C.

Examples:
  wsgauntlet echo-server
  wsgauntlet echo-server --listen 0.0.0.0:9001 --max-message 1048576";

/// Arguments of `echo-server`.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct EchoServerArgs {
    /// Address and port to listen on (port 0 picks a free one)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9001")]
    pub listen: SocketAddr,

    /// Largest message accepted, in bytes; a larger one fails the connection with 1009
    #[arg(long, value_name = "BYTES", default_value_t = EchoConfig::default().max_message)]
    pub max_message: u64,
}

/// Serves until Ctrl-C, printing `listening on ws://ADDR/` once bound.
pub(super) fn run(args: EchoServerArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(args, out))
}

async fn serve(args: EchoServerArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let cfg = EchoConfig {
        max_message: args.max_message,
        ..EchoConfig::default()
    };
    let server = EchoServer::bind(args.listen, cfg)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    writeln!(out, "listening on ws://{}/", server.local_addr())?;
    out.flush()?;
    tokio::select! {
        () = server.run() => {}
        stopped = tokio::signal::ctrl_c() => stopped.context("cannot wait for Ctrl-C")?,
    }
    Ok(super::EXIT_OK)
}
