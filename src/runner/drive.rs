//! Drives one sans-IO session over a socket: reads when the session wants
//! to, writes what it asks, wakes it at its timeouts. Reading and writing
//! run concurrently, so a server that stops reading cannot wedge the tester.

use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::target::Io;
use crate::session::{Session, SessionEnd};

/// Upper bound on any single wait, in case a session reports none.
const FALLBACK_WAIT: Duration = Duration::from_secs(5);
const READ_CHUNK: usize = 64 << 10;

/// Runs `session` to its end over `stream`.
pub async fn drive(stream: Box<dyn Io>, mut session: Session) -> SessionEnd {
    let (mut rd, mut wr) = tokio::io::split(stream);
    let mut buf = vec![0u8; READ_CHUNK];
    let mut pending: Option<Bytes> = None;
    let mut write_failed = false;
    while !session.is_done() {
        if pending.is_none() && !write_failed {
            pending = session.poll_transmit();
        }
        let wake = session
            .poll_timeout()
            .unwrap_or_else(|| Instant::now() + FALLBACK_WAIT);
        let chunk = pending.clone();
        tokio::select! {
            biased;
            r = rd.read(&mut buf), if session.wants_read() => match r {
                Ok(0) | Err(_) => session.handle_eof(Instant::now()),
                Ok(n) => session.handle_input(&buf[..n], Instant::now()),
            },
            w = async { wr.write(chunk.as_deref().unwrap_or_default()).await }, if chunk.is_some() => match w {
                Ok(n) if n > 0 => {
                    let rest = pending.take().map(|b| b.slice(n..)).filter(|b| !b.is_empty());
                    pending = rest;
                }
                // A peer that closed while we write: stop writing, keep reading.
                _ => {
                    write_failed = true;
                    pending = None;
                    if !session.wants_read() {
                        session.handle_eof(Instant::now());
                    }
                }
            },
            _ = tokio::time::sleep_until(wake.into()) => session.handle_timeout(Instant::now()),
        }
    }
    let _ = tokio::time::timeout(Duration::from_millis(100), wr.shutdown()).await;
    session.finish()
}
