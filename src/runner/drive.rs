//! Drives one sans-IO session over a socket, for both tester roles: reads
//! when the session wants to, writes what it asks, wakes it at its
//! timeouts, and gives up at the session's hard deadline whatever the peer
//! does. Reading and writing run concurrently, so a peer that stops reading
//! cannot wedge the tester, and a peer that is always readable cannot
//! starve the deadlines. Used by `conform`, `fuzz`, `replay`, `serve` and
//! the in-process endpoint fuzz targets.

use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::timeout;

use crate::session::{Session, SessionEnd};

/// Upper bound on any single wait, in case a session reports none.
const FALLBACK_WAIT: Duration = Duration::from_secs(5);
const READ_CHUNK: usize = 64 << 10;
/// Time the tester as server spends writing its last Close before closing.
const FLUSH_LIMIT: Duration = Duration::from_secs(1);
/// Time the tester as client waits for its FIN to be written.
const SHUTDOWN_LIMIT: Duration = Duration::from_millis(100);
/// Time and bytes spent draining a client after the server's FIN.
const LINGER: Duration = Duration::from_millis(500);
const LINGER_BYTES: usize = 1 << 20;

/// The time from tokio's clock: the same as `Instant::now()` under a normal
/// runtime, and virtual under a paused one (in-process fuzzing), so session
/// deadlines then cost no wall time.
pub fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

/// Runs `session` to its end over `stream`. As client the tester then
/// half-closes TCP (the server closes first); as server it writes what the
/// session still queued (its last Close) and leaves the close to the
/// caller, which records the result first and then calls [`close`].
pub async fn drive<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    mut session: Session,
) -> SessionEnd {
    let hard = session.hard_deadline();
    let mut buf = vec![0u8; READ_CHUNK];
    let mut pending: Option<Bytes> = None;
    let mut write_failed = false;
    let (mut rd, mut wr) = tokio::io::split(&mut *stream);
    while !session.is_done() && now() < hard {
        if pending.is_none() && !write_failed {
            pending = session.poll_transmit();
        }
        let wake = session
            .poll_timeout()
            .unwrap_or_else(|| now() + FALLBACK_WAIT)
            .min(hard);
        // The read branch comes first and a flooding peer keeps it ready,
        // so a deadline is checked here too, not only when the timer wins.
        if now() >= wake {
            session.handle_timeout(now());
            continue;
        }
        let chunk = pending.clone();
        tokio::select! {
            biased;
            r = rd.read(&mut buf), if session.wants_read() => match r {
                Ok(0) | Err(_) => session.handle_eof(now()),
                Ok(n) => session.handle_input(&buf[..n], now()),
            },
            w = wr.write(chunk.as_deref().unwrap_or_default()), if chunk.is_some() => match w {
                Ok(n) if n > 0 => {
                    pending = pending.take().map(|b| b.slice(n..)).filter(|b| !b.is_empty());
                }
                // A peer that closed while we write: stop writing, keep reading.
                _ => {
                    write_failed = true;
                    pending = None;
                    if !session.wants_read() {
                        session.handle_eof(now());
                    }
                }
            },
            _ = tokio::time::sleep_until(wake.into()) => session.handle_timeout(now()),
        }
    }
    let stream = rd.unsplit(wr);
    if session.flushes_on_close() {
        if !write_failed {
            flush_rest(stream, pending, &mut session).await;
        }
    } else {
        let _ = timeout(SHUTDOWN_LIMIT, stream.shutdown()).await;
    }
    session.finish()
}

/// Writes what the session still has queued (its last Close), bounded.
async fn flush_rest<S: AsyncWrite + Unpin>(
    stream: &mut S,
    pending: Option<Bytes>,
    session: &mut Session,
) {
    let rest: Vec<Bytes> = pending
        .into_iter()
        .chain(std::iter::from_fn(|| session.poll_transmit()))
        .collect();
    let write = async {
        for b in rest {
            stream.write_all(&b).await?;
        }
        stream.flush().await
    };
    let _ = timeout(FLUSH_LIMIT, write).await;
}

/// The tester as server closes TCP: FIN, then drains the client briefly so
/// its last Close is not lost to a reset.
pub async fn close<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S) {
    let _ = timeout(Duration::from_millis(200), stream.shutdown()).await;
    let deadline = tokio::time::Instant::now() + LINGER;
    let mut sink = [0u8; 4096];
    let mut drained = 0;
    while drained < LINGER_BYTES {
        match tokio::time::timeout_at(deadline, stream.read(&mut sink)).await {
            Ok(Ok(n)) if n > 0 => drained += n,
            _ => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

    use super::*;
    use crate::catalog::{Case, Profile, all};
    use crate::codec::{DEFAULT_MAX_HEADER_BYTES, Frame, parse_request, server_response};
    use crate::session::SessionConfig;

    /// A server that is always readable: its 101, then pings without end.
    /// It never returns `Pending`, as a fast flooding peer on loopback can.
    struct Flood {
        bytes: Vec<u8>,
        at: usize,
    }

    impl AsyncRead for Flood {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            let n = buf.remaining().min(self.bytes.len() - self.at);
            let at = self.at;
            buf.put_slice(&self.bytes[at..at + n]);
            self.at += n;
            if self.at == self.bytes.len() {
                let ping = Frame::ping(b"flood".to_vec()).to_bytes().repeat(100);
                self.bytes = ping;
                self.at = 0;
            }
            Poll::Ready(Ok(()))
        }
    }

    impl AsyncWrite for Flood {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<std::io::Result<usize>> {
            Poll::Ready(Ok(buf.len()))
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    /// A session for `case` and the 101 its request earns (keys are seeded,
    /// so a second session sends the same request).
    fn session_and_101(case: &Case) -> (Session, Vec<u8>) {
        let mut cfg = SessionConfig::new("h", "/");
        cfg.close_timeout = Duration::from_millis(300);
        let mut twin = Session::new(case, cfg.clone(), now());
        let request = twin.poll_transmit().expect("request");
        let (parsed, _) = parse_request(&request, DEFAULT_MAX_HEADER_BYTES)
            .unwrap()
            .unwrap();
        let reply = server_response(&parsed).bytes;
        (Session::new(case, cfg, now()), reply)
    }

    #[test]
    fn an_always_readable_server_cannot_starve_the_deadline() {
        let case = all(Profile::Quick).remove(0);
        let (session, reply) = session_and_101(&case);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let io = Flood {
                bytes: reply,
                at: 0,
            };
            let mut io = io;
            let _ = tx.send(rt.block_on(drive(&mut io, session)));
        });
        let end = rx
            // The case deadline (at least 2 s), then the close timeout.
            .recv_timeout(Duration::from_secs(8))
            .expect("drive must end soon after the case deadline (2 s)");
        assert!(matches!(end, SessionEnd::Judged(..)));
    }
}
