//! Hostile servers: raw TCP servers that misbehave on purpose. Each must
//! cost the tool bounded time and memory and yield a verdict — never a hang
//! or a panic. Then `conform` through the real binary: exit codes and the
//! one-line errors of the tool's own failures.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use wsgauntlet::catalog::{self, Profile, Selection};
use wsgauntlet::codec::{
    DEFAULT_MAX_HEADER_BYTES, Decoder, Frame, OpCode, parse_request, server_response,
};
use wsgauntlet::runner::{Backoff, CaseRun, Connector, RunOptions, Target, TlsOptions, run_cases};
use wsgauntlet::session::{Outcome, Reason, SessionConfig};

use crate::support::servers::upgrade;
use crate::support::{TestServer, accept_loop, loopback};

/// Serves every connection with `handler`.
async fn hostile<F, Fut>(handler: F) -> TestServer
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    accept_loop(loopback().await, Arc::new(Notify::new()), handler)
}

/// Runs case `id` once against `addr` (no liveness probe: the verdict is
/// the case's own); the run and its wall time.
async fn run_one(addr: SocketAddr, id: &str) -> (CaseRun, Duration) {
    let target = Target::parse(&format!("ws://{addr}/")).unwrap();
    let connector =
        Connector::new(&target, &TlsOptions::default(), Duration::from_secs(5)).unwrap();
    let opts = RunOptions {
        jobs: 1,
        seed: 1,
        session: SessionConfig::new(target.host_header.clone(), target.path.clone()),
        backoff: Backoff::default(),
        probe: false,
    };
    let cases = Selection::parse(id, "").apply(catalog::all(Profile::Quick));
    assert_eq!(cases.len(), 1, "{id} selects one case");
    let t0 = Instant::now();
    let mut runs = run_cases(&target, &connector, cases, &opts, |_| {}).await;
    (runs.remove(0), t0.elapsed())
}

/// Asserts the verdict and that it came within `limit`.
fn assert_verdict(run: &(CaseRun, Duration), reason: Reason, limit: Duration) {
    let (run, took) = run;
    let v = &run.verdict;
    assert_eq!(
        (v.outcome, v.reason),
        (Outcome::Fail, Some(reason)),
        "{}",
        v.actual
    );
    assert!(*took < limit, "took {took:?}, limit {limit:?}");
}

/// Reads the client's request head; the 101 a correct server would send.
async fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut head = BytesMut::new();
    loop {
        if let Ok(Some((request, _))) = parse_request(&head, DEFAULT_MAX_HEADER_BYTES) {
            return Some(String::from_utf8_lossy(&server_response(&request).bytes).into_owned());
        }
        if !matches!(stream.read_buf(&mut head).await, Ok(n) if n > 0) {
            return None;
        }
    }
}

/// Reads and discards until the peer closes.
async fn drain(stream: &mut TcpStream) {
    let mut sink = [0u8; 4096];
    while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
}

const SEC: Duration = Duration::from_secs(1);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_frame_is_cut_at_the_header() {
    let written = Arc::new(AtomicU64::new(0));
    let count = Arc::clone(&written);
    let server = hostile(move |mut s| {
        let count = Arc::clone(&count);
        async move {
            if !upgrade(&mut s).await {
                return;
            }
            // A binary frame declaring 2^62 bytes, then zeros forever.
            let mut head = vec![0x82, 127];
            head.extend_from_slice(&(1u64 << 62).to_be_bytes());
            let _ = s.write_all(&head).await;
            let chunk = vec![0u8; 64 << 10];
            while s.write_all(&chunk).await.is_ok() {
                count.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            }
        }
    })
    .await;
    let run = run_one(server.addr, "1.1.1").await;
    assert_verdict(&run, Reason::UnexpectedFrame, 3 * SEC);
    assert!(
        run.0.verdict.actual.contains("4611686018427387904"),
        "{}",
        run.0.verdict.actual
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent = written.load(Ordering::Relaxed);
    assert!(sent < 64 << 20, "the tool kept reading: {sent} bytes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn msb_set_length_is_an_invalid_server_frame() {
    let server = hostile(|mut s| async move {
        if !upgrade(&mut s).await {
            return;
        }
        let mut frame = vec![0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 5];
        frame.extend_from_slice(b"hello");
        let _ = s.write_all(&frame).await;
        drain(&mut s).await;
    })
    .await;
    let run = run_one(server.addr, "1.1.1").await;
    assert_verdict(&run, Reason::InvalidServerFrame, 3 * SEC);
    assert!(
        run.0.verdict.actual.contains("5.2"),
        "{}",
        run.0.verdict.actual
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn byte_a_second_handshake_meets_the_handshake_deadline() {
    let server = hostile(|mut s| async move {
        let Some(reply) = read_request(&mut s).await else {
            return;
        };
        for b in reply.bytes() {
            if s.write_all(&[b]).await.is_err() {
                return;
            }
            tokio::time::sleep(SEC).await;
        }
    })
    .await;
    let run = run_one(server.addr, "1.1.1").await;
    // SessionConfig's default handshake deadline is 5 s.
    assert_verdict(&run, Reason::Handshake, 8 * SEC);
    assert!(run.1 >= 4 * SEC, "gave up early: {:?}", run.1);
    assert!(
        run.0.verdict.actual.contains("within"),
        "{}",
        run.0.verdict.actual
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_megabytes_of_headers_hit_the_cap() {
    let server = hostile(|mut s| async move {
        if read_request(&mut s).await.is_none() {
            return;
        }
        let _ = s.write_all(b"HTTP/1.1 101 Switching Protocols\r\n").await;
        let line = format!("X-Filler: {}\r\n", "a".repeat(1000));
        for _ in 0..10_000 {
            if s.write_all(line.as_bytes()).await.is_err() {
                return;
            }
        }
        let _ = s.write_all(b"\r\n").await;
    })
    .await;
    let run = run_one(server.addr, "1.1.1").await;
    assert_verdict(&run, Reason::Handshake, 3 * SEC);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_accept_fails_the_handshake() {
    let server = hostile(|mut s| async move {
        let Some(reply) = read_request(&mut s).await else {
            return;
        };
        let (head, _) = reply.split_once("Sec-WebSocket-Accept:").expect("accept");
        let wrong = format!("{head}Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
        let _ = s.write_all(wrong.as_bytes()).await;
        drain(&mut s).await;
    })
    .await;
    let run = run_one(server.addr, "1.1.1").await;
    assert_verdict(&run, Reason::Handshake, 3 * SEC);
    assert!(
        run.0.verdict.actual.contains("Sec-WebSocket-Accept"),
        "{}",
        run.0.verdict.actual
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_200_fails_the_handshake() {
    let server = hostile(|mut s| async move {
        if read_request(&mut s).await.is_some() {
            let _ = s
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
                .await;
        }
    })
    .await;
    let run = run_one(server.addr, "1.1.1").await;
    assert_verdict(&run, Reason::Handshake, 3 * SEC);
    assert!(
        run.0.verdict.actual.contains("200"),
        "{}",
        run.0.verdict.actual
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_flood_ends_at_the_deadline() {
    let server = hostile(|mut s| async move {
        if !upgrade(&mut s).await {
            return;
        }
        let ping = Frame::ping(b"flood".to_vec()).to_bytes();
        let batch: Vec<u8> = ping
            .iter()
            .copied()
            .cycle()
            .take(ping.len() * 100)
            .collect();
        while s.write_all(&batch).await.is_ok() {}
    })
    .await;
    let run = run_one(server.addr, "1.1.1").await;
    // The case deadline (at least 2 s), then the close timeout (3 s).
    assert_verdict(&run, Reason::NoClose, 8 * SEC);
    let observed = run.0.observed.as_ref().expect("observed");
    assert!(observed.peer_pings > 1000, "{}", observed.peer_pings);
    assert!(observed.wire.len() <= 400, "wire log is bounded");
}

/// Echoes data messages frame by frame and answers pings, but never a Close.
async fn echo_without_close(mut s: TcpStream) {
    if !upgrade(&mut s).await {
        return;
    }
    let decoder = Decoder::new(1 << 20);
    let mut buf = BytesMut::new();
    loop {
        while let Ok(Some(f)) = decoder.decode(&mut buf) {
            let reply = match f.header.opcode {
                OpCode::PING => Frame::pong(f.payload),
                OpCode::TEXT | OpCode::BINARY => Frame::new(f.header.opcode, f.payload),
                _ => continue,
            };
            let _ = s.write_all(&reply.to_bytes()).await;
        }
        if !matches!(s.read_buf(&mut buf).await, Ok(n) if n > 0) {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn never_answering_the_close_is_no_close() {
    let server = hostile(echo_without_close).await;
    let run = run_one(server.addr, "1.1.2").await;
    // The echo comes at once; then the close timeout (1 s).
    assert_verdict(&run, Reason::NoClose, 4 * SEC);
    assert!(
        run.0.verdict.actual.contains("never answered"),
        "{}",
        run.0.verdict.actual
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_after_the_handshake_is_unclean() {
    let server = hostile(|mut s| async move {
        if upgrade(&mut s).await {
            let _ = s.set_zero_linger();
        }
    })
    .await;
    let run = run_one(server.addr, "1.1.1").await;
    assert_verdict(&run, Reason::Unclean, 3 * SEC);
}
