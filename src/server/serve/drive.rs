//! Drives one sans-IO session against a client over a socket: reads when
//! the session wants to, writes what it asks, wakes it at its timeouts, and
//! gives up at a hard deadline whatever the client does. Then the server
//! closes TCP first (RFC 6455 §7.1.1), reading and discarding what the
//! client still sends for a moment so the last Close is not lost to a reset.

use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::timeout;

use crate::session::{PeerClientEnd, PeerClientSession};

const READ_CHUNK: usize = 64 << 10;
/// Time and bytes spent draining the client after our FIN.
const LINGER: Duration = Duration::from_millis(500);
const LINGER_BYTES: usize = 1 << 20;

/// Runs `session` to its end; `hard_deadline` bounds the whole case. The
/// caller closes the connection (after recording the result, so a client
/// that sees the close can rely on the result being stored).
pub async fn drive<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    mut session: PeerClientSession,
    hard_deadline: Instant,
) -> PeerClientEnd {
    let mut buf = vec![0u8; READ_CHUNK];
    let mut pending: Option<Bytes> = None;
    let mut write_failed = false;
    let (mut rd, mut wr) = tokio::io::split(&mut *stream);
    while !session.is_done() && Instant::now() < hard_deadline {
        if pending.is_none() && !write_failed {
            pending = session.poll_transmit();
        }
        let wake = session
            .poll_timeout()
            .unwrap_or(hard_deadline)
            .min(hard_deadline);
        let chunk = pending.clone();
        tokio::select! {
            biased;
            r = rd.read(&mut buf), if session.wants_read() => match r {
                Ok(0) | Err(_) => session.handle_eof(Instant::now()),
                Ok(n) => session.handle_input(&buf[..n], Instant::now()),
            },
            w = wr.write(chunk.as_deref().unwrap_or_default()), if chunk.is_some() => match w {
                Ok(n) if n > 0 => {
                    pending = pending.take().map(|b| b.slice(n..)).filter(|b| !b.is_empty());
                }
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
    let stream = rd.unsplit(wr);
    if !write_failed {
        flush_rest(stream, pending, &mut session).await;
    }
    session.finish()
}

/// Writes what the session still has queued (its last Close), bounded.
async fn flush_rest<S: AsyncWrite + Unpin>(
    stream: &mut S,
    pending: Option<Bytes>,
    session: &mut PeerClientSession,
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
    let _ = timeout(Duration::from_secs(1), write).await;
}

/// Sends FIN, then drains the client briefly.
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
