//! The command line: clap derive types, one file per subcommand, and the
//! dispatch `main.rs` calls. Exit codes are the same for every subcommand:
//! [`EXIT_OK`], [`EXIT_DEVIATION`], [`EXIT_ERROR`].

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{Parser, Subcommand};

mod autobahn_spec;
mod cases;
mod conform;
mod echo_server;
mod explain;
mod frame;
mod fuzz;
mod limits;
mod outputs;
mod replay;
mod report;
mod serve;
mod shard;

pub use cases::CasesArgs;
pub use conform::ConformArgs;
pub use echo_server::EchoServerArgs;
pub use explain::ExplainArgs;
pub use frame::{DecodeArgs, EncodeArgs, FrameArgs, FrameCommand, SenderRole};
pub use fuzz::FuzzArgs;
pub use replay::ReplayArgs;
pub use report::{ReportArgs, ReportCommand};
pub use serve::ServeArgs;
pub use shard::Shard;

/// Exit code: everything as expected.
pub const EXIT_OK: u8 = 0;
/// Exit code: a case failed or a deviation from RFC 6455 was found.
pub const EXIT_DEVIATION: u8 = 1;
/// Exit code: the tool could not do its job (bad flag, bad input, I/O).
pub const EXIT_ERROR: u8 = 2;

const AFTER_HELP: &str = "\
Exit codes: 0 all as expected, 1 a case failed or a deviation was found,
2 the tool could not do its job (bad flag, bad input).

Examples:
  wsgauntlet conform                                 # the catalogue against the bundled server
  wsgauntlet conform ws://127.0.0.1:9001/ --quick
  wsgauntlet fuzz ws://127.0.0.1:9001/ --seed 7 --duration 60s
  wsgauntlet serve --once                            # test a client with its Autobahn driver
  wsgauntlet frame decode 81 85 37 fa 21 3d 7f 9f 4d 51 58
  wsgauntlet frame encode --opcode ping --mask 37fa213d --text hi
  wsgauntlet explain 1013";

/// `wsgauntlet`: puts WebSocket endpoints through the gauntlet of RFC 6455.
#[derive(Debug, Parser)]
#[command(name = "wsgauntlet", version, after_help = AFTER_HELP)]
#[command(about = "Tests WebSocket endpoints against RFC 6455, and decodes frames and close codes")]
pub struct Cli {
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands; each variant's arguments live in its own file.
#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per process
pub enum Command {
    /// Run the conformance catalogue against a server (default: the bundled reference server)
    Conform(ConformArgs),
    /// List the conformance catalogue: id, RFC section, what it sends, the requirement
    Cases(CasesArgs),
    /// Decode or build a single frame (what is this frame, and what rule does it break?)
    Frame(FrameArgs),
    /// Explain a close code: what it means, when you see it, how to resolve it
    Explain(ExplainArgs),
    /// Run the bundled strict reference echo server
    EchoServer(EchoServerArgs),
    /// Rebuild reports from a results stream, or compare two result files
    Report(ReportArgs),
    /// Play a malicious server and judge WebSocket clients (Autobahn client-driver protocol)
    Serve(ServeArgs),
    /// Fuzz a server with mutated frame sequences judged by the reference model
    Fuzz(FuzzArgs),
    /// Re-run a fuzz finding or one catalogue case against a server
    Replay(ReplayArgs),
}

/// Parses the command line. Help and version are printed and give
/// `Err(EXIT_OK)`; a usage error is printed as one `error: …` line on
/// stderr and gives `Err(EXIT_ERROR)`.
pub fn parse<I, T>(args: I) -> Result<Cli, ExitCode>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    Cli::try_parse_from(args).map_err(|err| match err.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.print();
            ExitCode::from(err.exit_code() as u8)
        }
        _ => {
            eprintln!("{}", clap_error_line(&err));
            ExitCode::from(EXIT_ERROR)
        }
    })
}

/// Runs a parsed command, writing its output to `out`. `Ok` carries
/// [`EXIT_OK`] or [`EXIT_DEVIATION`]; any `Err` means [`EXIT_ERROR`].
pub fn run(cli: Cli, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let code = match cli.command {
        Command::Conform(args) => conform::run(args, out)?,
        Command::Cases(args) => cases::run(args, out)?,
        Command::Frame(args) => frame::run(args, out)?,
        Command::Explain(args) => explain::run(args, out)?,
        Command::EchoServer(args) => echo_server::run(args, out)?,
        Command::Report(args) => report::run(args, out)?,
        Command::Serve(args) => serve::run(args, out)?,
        Command::Fuzz(args) => fuzz::run(args, out)?,
        Command::Replay(args) => replay::run(args, out)?,
    };
    out.flush()?;
    Ok(ExitCode::from(code))
}

/// The async runtime of every command that runs cases. Building a plan is
/// CPU work done off the async workers (`spawn_blocking`); more builder
/// threads than cores only run slower, and each thread that allocates gets
/// a glibc arena of its own that keeps its peak: bounded to the cores, the
/// tester's resident memory stays near its heap.
pub(crate) fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(cores)
        .build()
}

/// An error and its causes as one line: `error: what: why`, each cause
/// once.
///
/// The library's errors name their cause in their own message (`cannot
/// connect to HOST: Connection refused`, so a verdict or a log line that
/// shows only the error still says why) and also return it as their
/// `source()`; `{:#}` would print every such cause again after the message
/// that already holds it. A cause whose text the line already ends with is
/// therefore left out.
pub fn error_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if line.ends_with(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    one_line(&format!("error: {line}"))
}

/// A clap usage error as one line: its message and tip, without the usage
/// block (which `--help` shows).
fn clap_error_line(err: &clap::Error) -> String {
    let rendered = err.render().to_string();
    let parts: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:"))
        .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
        .collect();
    let line = one_line(&parts.join("; "));
    if line.starts_with("error:") {
        line
    } else {
        format!("error: {line}")
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Replaces the default panic message and backtrace with one `error:` line.
/// A panic is a bug in wsgauntlet; `main` turns it into [`EXIT_ERROR`].
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()));
        eprintln!(
            "{}",
            one_line(&format!(
                "error: internal error: {msg}{} (a bug in wsgauntlet)",
                at.unwrap_or_default()
            ))
        );
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn usage_errors_render_as_one_line() {
        let err =
            Cli::try_parse_from(["wsgauntlet", "frame", "decode", "--jsn", "00"]).unwrap_err();
        let line = clap_error_line(&err);
        assert!(
            line.starts_with("error: unexpected argument '--jsn'"),
            "{line}"
        );
        assert!(!line.contains('\n'));
        assert_eq!(err.exit_code(), i32::from(EXIT_ERROR));
    }

    #[test]
    fn error_chain_is_one_line() {
        let err = anyhow::anyhow!("bad hex\nat 3").context("cannot decode");
        assert_eq!(error_line(&err), "error: cannot decode: bad hex at 3");
    }

    /// An error that names its source in its message, as the library's do.
    #[derive(Debug, thiserror::Error)]
    #[error("cannot connect to {addr}: {source}")]
    struct Connect {
        addr: &'static str,
        source: std::io::Error,
    }

    /// And one that wraps it the same way.
    #[derive(Debug, thiserror::Error)]
    #[error("the server is not reachable: {0}")]
    struct Unreachable(#[from] Connect);

    #[test]
    fn each_cause_is_printed_once() {
        let refused = || Connect {
            addr: "127.0.0.1:9",
            source: std::io::Error::from(std::io::ErrorKind::ConnectionRefused),
        };
        let want =
            "error: the server is not reachable: cannot connect to 127.0.0.1:9: connection refused";
        let wrapped = anyhow::Error::from(Unreachable(refused()));
        assert_eq!(error_line(&wrapped), want);
        let context = anyhow::Error::from(refused()).context("the server is not reachable");
        assert_eq!(error_line(&context), want);
        let distinct = anyhow::anyhow!("refused").context("connection refused by peer");
        assert_eq!(
            error_line(&distinct),
            "error: connection refused by peer: refused",
            "a cause is dropped only when the line ends with it"
        );
    }
}
