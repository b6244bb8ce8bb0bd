//! `serve` in process: the echo-everything drivers client libraries use
//! (tokio-tungstenite, tokio-websockets) run a subset of the client cases
//! over Autobahn's URL protocol; deliberately broken clients built on our
//! own model show each defect; hostile clients cost bounded time and still
//! get verdicts; results survive a restart.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::{Buf, BytesMut};
use futures_util::{SinkExt, StreamExt};
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio::time::timeout;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

use wsgauntlet::catalog::{self, Profile, Selection};
use wsgauntlet::codec::{
    ClientRequest, CloseCode, DEFAULT_MAX_HEADER_BYTES, Decoder, Frame, Role, key_bytes_from_seed,
    parse_response,
};
use wsgauntlet::model::{Endpoint, Reaction};
use wsgauntlet::report::RunResults;
use wsgauntlet::server::serve::{
    ClientTester, ServeConfig, client_cases, client_catalogue, exit_code,
};
use wsgauntlet::session::Declared;

/// Echo, pings, fragmentation, reserved bits and opcodes, fragmented and
/// oversize control frames, UTF-8, close codes and payloads, a masked server
/// frame, an MSB-set length, a non-minimal length, data after Close, a
/// chain of 100,000 empty fragments.
const DRIVER_CASES: &str = "1.1.1,1.2.8,2.2,2.5,2.10,3.1,3.3,4.1.1,4.2.1,5.1,5.6,5.15,6.2.1,6.3.1,7.1.1,7.3.1,7.3.2,7.5.1,7.9.1,15.2.1,16.1.2,16.2.1,17.1.1,18.5.1,20.1.2";
/// The cases each defect of the broken clients shows in.
const BROKEN_CASES: &str = "1.1.1,2.2,4.1.1,4.2.1,6.3.1,7.1.1,15.2.1";

static SEEDS: AtomicU64 = AtomicU64::new(1);

/// `serve --once` of the client cases matching `cases` (as the CLI picks
/// them: the catalogue and the client-only cases), reporting to `dir`.
pub(crate) async fn start(cases: &str, dir: &Path) -> (SocketAddr, JoinHandle<Vec<RunResults>>) {
    let _ = std::fs::remove_dir_all(dir);
    let all = client_catalogue(Profile::Quick, &Declared::default());
    let mut cfg = ServeConfig::new(Selection::parse(cases, "").apply(all), dir);
    cfg.once = true;
    let tester = ClientTester::bind("127.0.0.1:0".parse().unwrap(), cfg)
        .await
        .expect("bind");
    tester.spawn().expect("spawn")
}

pub(crate) fn report_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("serve-{name}"))
}

/// `id outcome reason close_code`, one line per case.
pub(crate) fn outcomes(run: &RunResults) -> String {
    run.cases
        .iter()
        .map(|c| {
            let reason = c.reason.map_or("-".to_string(), |r| r.to_string());
            let code = c.close_code.map_or("-".to_string(), |c| c.to_string());
            format!("{} {} {reason} {code}\n", c.id, c.outcome)
        })
        .collect()
}

/// The one report `--once` returned, after `/updateReports`.
pub(crate) async fn finish(
    addr: SocketAddr,
    agent: &str,
    server: JoinHandle<Vec<RunResults>>,
) -> RunResults {
    update_reports(addr, agent).await;
    let mut reports = timeout(Duration::from_secs(10), server)
        .await
        .expect("--once stops after /updateReports")
        .unwrap();
    assert_eq!(reports.len(), 1);
    reports.remove(0)
}

async fn text_of(url: String) -> String {
    let (mut ws, _) = connect_async(url).await.expect("connect");
    let mut text = String::new();
    while let Some(Ok(m)) = ws.next().await {
        if let Message::Text(t) = m {
            text = t.to_string();
        }
    }
    text
}

pub(crate) async fn case_count(addr: SocketAddr) -> usize {
    text_of(format!("ws://{addr}/getCaseCount"))
        .await
        .parse()
        .expect("a number")
}

/// Waits (up to 6 s) until case `n` of `agent` has a result.
async fn wait_for_result(addr: SocketAddr, agent: &str, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(6);
    let status = format!("ws://{addr}/getCaseStatus?case={n}&agent={agent}");
    while text_of(status.clone()).await.contains("MISSING") {
        assert!(
            Instant::now() < deadline,
            "no verdict for case {n} of {agent}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn update_reports(addr: SocketAddr, agent: &str) {
    text_of(format!("ws://{addr}/updateReports?agent={agent}")).await;
}

/// tokio-tungstenite's own Autobahn driver: echo every message, stop at the
/// first error.
pub(crate) async fn tungstenite_case(url: String) {
    let Ok((mut ws, _)) = connect_async(url).await else {
        return;
    };
    while let Some(Ok(m)) = ws.next().await {
        if (m.is_text() || m.is_binary()) && ws.send(m).await.is_err() {
            break;
        }
    }
}

/// The same driver over tokio-websockets.
async fn tokio_websockets_case(url: String) {
    let Ok(builder) = tokio_websockets::ClientBuilder::new().uri(&url) else {
        return;
    };
    let builder = builder.limits(tokio_websockets::Limits::unlimited());
    let Ok((mut ws, _)) = builder.connect().await else {
        return;
    };
    while let Some(Ok(m)) = ws.next().await {
        if (m.is_text() || m.is_binary()) && ws.send(m).await.is_err() {
            break;
        }
    }
}

#[tokio::test]
async fn tokio_tungstenite_driver() {
    let dir = report_dir("tungstenite");
    let (addr, server) = start(DRIVER_CASES, &dir).await;
    let n = case_count(addr).await;
    let selected = Selection::parse(DRIVER_CASES, "").apply(catalog::all(Profile::Quick));
    assert_eq!(n, client_cases(selected).len());
    for i in 1..=n {
        tungstenite_case(format!("ws://{addr}/runCase?case={i}&agent=tungstenite")).await;
        wait_for_result(addr, "tungstenite", i).await;
    }
    let status = text_of(format!(
        "ws://{addr}/getCaseStatus?case=1&agent=tungstenite"
    ))
    .await;
    assert_eq!(
        status,
        r#"{"behavior":"OK","outcome":"PASS","reason":null}"#
    );
    let info = text_of(format!("ws://{addr}/getCaseInfo?case=1")).await;
    assert!(info.contains(r#""id":"1.1.1""#), "{info}");
    let run = finish(addr, "tungstenite", server).await;
    assert!(dir.join("tungstenite/results.json").is_file());
    assert!(dir.join("tungstenite/results.jsonl").is_file());
    insta::assert_snapshot!("serve_tokio_tungstenite", outcomes(&run));
}

#[tokio::test]
async fn tokio_websockets_driver() {
    let (addr, server) = start(DRIVER_CASES, &report_dir("tokio-websockets")).await;
    for i in 1..=case_count(addr).await {
        // A client that panics (the unlimited reader allocates what a
        // length field says) ends its case like a crashed process.
        let url = format!("ws://{addr}/runCase?case={i}&agent=tokio-websockets");
        let _ = tokio::spawn(tokio_websockets_case(url)).await;
        wait_for_result(addr, "tokio-websockets", i).await;
    }
    let run = finish(addr, "tokio-websockets", server).await;
    insta::assert_snapshot!("serve_tokio_websockets", outcomes(&run));
}

/// What a test client gets wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Defect {
    /// None: a strict client built on the reference model.
    None,
    /// Sends its frames unmasked.
    Unmasked,
    /// Masks every frame with the same key.
    ConstantKey,
    /// Never answers the server's Close (and keeps TCP open).
    NoCloseReply,
    /// Ignores frames with reserved opcodes instead of failing.
    AcceptsReservedOpcode,
}

/// A client whose every reaction comes from `Endpoint::new(Role::Client)`,
/// except for its defect.
struct ModelClient {
    stream: TcpStream,
    buf: BytesMut,
    endpoint: Endpoint,
    rng: ChaCha8Rng,
    defect: Defect,
}

impl ModelClient {
    async fn connect(addr: SocketAddr, path: &str, defect: Defect) -> ModelClient {
        let seed = SEEDS.fetch_add(1, Ordering::Relaxed);
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let request = ClientRequest::new(addr.to_string(), path, key_bytes_from_seed(seed));
        stream.write_all(&request.to_bytes()).await.unwrap();
        let mut buf = BytesMut::new();
        loop {
            if let Some((response, n)) = parse_response(&buf, DEFAULT_MAX_HEADER_BYTES).unwrap() {
                assert_eq!(response.status, 101);
                buf.advance(n);
                break;
            }
            assert!(stream.read_buf(&mut buf).await.unwrap() > 0);
        }
        ModelClient {
            stream,
            buf,
            endpoint: Endpoint::new(Role::Client),
            rng: ChaCha8Rng::seed_from_u64(seed),
            defect,
        }
    }

    async fn send(&mut self, frame: Frame) {
        let frame = match self.defect {
            Defect::Unmasked => frame,
            Defect::ConstantKey => frame.masked([0x12, 0x34, 0x56, 0x78]),
            _ => frame.masked(self.rng.next_u32().to_be_bytes()),
        };
        let _ = self.stream.write_all(&frame.to_bytes()).await;
    }

    /// Plays the case to its end.
    async fn run(mut self) {
        let decoder = Decoder::new(1 << 26);
        loop {
            if let Ok(Some((h, _))) = decoder.peek_header(&self.buf)
                && let Some(f) = self.endpoint.judge_header(&h)
                && !(self.defect == Defect::AcceptsReservedOpcode && h.opcode.is_reserved())
            {
                return self.close(f.codes[0]).await;
            }
            match decoder.decode(&mut self.buf) {
                Ok(Some(frame)) => {
                    if !self.react(frame).await {
                        return;
                    }
                }
                Ok(None) => {
                    self.buf.reserve(1 << 16);
                    if !matches!(self.stream.read_buf(&mut self.buf).await, Ok(n) if n > 0) {
                        return;
                    }
                }
                Err(_) => return self.close(CloseCode::MESSAGE_TOO_BIG).await,
            }
        }
    }

    /// False when the connection is over.
    async fn react(&mut self, frame: Frame) -> bool {
        if self.defect == Defect::AcceptsReservedOpcode && frame.header.opcode.is_reserved() {
            return true;
        }
        match self.endpoint.receive(&frame).reaction {
            Reaction::Message { opcode, payload } => {
                self.send(Frame::new(opcode, payload.to_bytes())).await
            }
            Reaction::Pong(p) => self.send(Frame::pong(p)).await,
            Reaction::CloseReply { codes, .. } => {
                if self.defect == Defect::NoCloseReply {
                    return true;
                }
                let code = codes.last().copied().unwrap_or(CloseCode::NORMAL);
                self.close(code).await;
                return false;
            }
            Reaction::Fail(f) => {
                self.close(f.codes[0]).await;
                return false;
            }
            Reaction::Nothing | Reaction::Ignore => {}
        }
        true
    }

    /// Sends a Close and waits for the server to close TCP.
    async fn close(&mut self, code: CloseCode) {
        self.send(Frame::close(code, b"")).await;
        let mut sink = [0u8; 4096];
        let wait = async { while matches!(self.stream.read(&mut sink).await, Ok(n) if n > 0) {} };
        let _ = timeout(Duration::from_secs(3), wait).await;
    }
}

async fn broken_client_outcomes(defect: Defect) -> String {
    let name = format!("{defect:?}");
    let (addr, server) = start(BROKEN_CASES, &report_dir(&name)).await;
    for i in 1..=case_count(addr).await {
        let path = format!("/runCase?case={i}&agent={name}");
        let client = ModelClient::connect(addr, &path, defect).await;
        timeout(Duration::from_secs(10), client.run())
            .await
            .expect("bounded case");
    }
    let run = finish(addr, &name, server).await;
    outcomes(&run)
}

#[tokio::test]
async fn reference_model_client_passes() {
    let out = broken_client_outcomes(Defect::None).await;
    insta::assert_snapshot!("serve_model_client", out);
}

#[tokio::test]
async fn unmasked_client_fails() {
    let out = broken_client_outcomes(Defect::Unmasked).await;
    insta::assert_snapshot!("serve_unmasked_client", out);
}

#[tokio::test]
async fn constant_mask_key_fails() {
    let out = broken_client_outcomes(Defect::ConstantKey).await;
    insta::assert_snapshot!("serve_constant_key_client", out);
}

#[tokio::test]
async fn missing_close_reply_fails() {
    let out = broken_client_outcomes(Defect::NoCloseReply).await;
    insta::assert_snapshot!("serve_no_close_reply_client", out);
}

#[tokio::test]
async fn accepting_a_reserved_opcode_fails() {
    let out = broken_client_outcomes(Defect::AcceptsReservedOpcode).await;
    insta::assert_snapshot!("serve_reserved_opcode_client", out);
}

/// A client that never reads, one that floods, one that disconnects in the
/// middle of a case and one with a bad handshake: each costs bounded time
/// and gets a verdict; garbage that names no case is refused.
#[tokio::test]
async fn hostile_clients_get_verdicts_in_bounded_time() {
    let (addr, server) = start("1.1.1,1.2.8,2.2,9.1.1", &report_dir("hostile")).await;
    let t0 = Instant::now();
    let agent = "hostile";
    // 1.1.1: completes the handshake, then never reads nor writes.
    let silent = ModelClient::connect(
        addr,
        &format!("/runCase?case=1&agent={agent}"),
        Defect::None,
    )
    .await;
    // 1.2.8: floods a frame declaring 1 GiB.
    let mut flood = ModelClient::connect(
        addr,
        &format!("/runCase?case=2&agent={agent}"),
        Defect::None,
    )
    .await;
    let huge = Frame::binary(vec![0u8; 1 << 16])
        .declared_len(wsgauntlet::codec::PayloadLen::Len64(1 << 30));
    flood.send(huge).await;
    // 2.2: disconnects mid-case.
    drop(
        ModelClient::connect(
            addr,
            &format!("/runCase?case=3&agent={agent}"),
            Defect::None,
        )
        .await,
    );
    // 9.1.1: a handshake without a key.
    let mut bad = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "GET /runCase?case=4&agent={agent} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    bad.write_all(head.as_bytes()).await.unwrap();
    let mut answer = String::new();
    let _ = timeout(Duration::from_secs(3), bad.read_to_string(&mut answer)).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    // Garbage: refused, no verdict.
    let mut garbage = TcpStream::connect(addr).await.unwrap();
    garbage
        .write_all(b"\x16\x03\x01garbage\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let _ = timeout(Duration::from_secs(3), garbage.read_to_end(&mut answer)).await;
    assert!(
        answer.starts_with(b"HTTP/1.1 400"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    // Wait for the silent client's verdict (deadline + close timeout + margin).
    let deadline = Instant::now() + Duration::from_secs(6);
    let status = format!("ws://{addr}/getCaseStatus?case=1&agent={agent}");
    while text_of(status.clone()).await.contains("MISSING") {
        assert!(
            Instant::now() < deadline,
            "no verdict for a client that never reads"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(silent);
    let run = finish(addr, agent, server).await;
    assert!(t0.elapsed() < Duration::from_secs(10), "{:?}", t0.elapsed());
    insta::assert_snapshot!("serve_hostile_clients", outcomes(&run));
}

/// Results stream to disk as cases finish: a restarted server loads them.
#[tokio::test]
async fn results_survive_a_restart() {
    let dir = report_dir("restart");
    let (addr, server) = start("1.1.1,2.2,4.1.1", &dir).await;
    tungstenite_case(format!("ws://{addr}/runCase?case=1&agent=restart")).await;
    tungstenite_case(format!("ws://{addr}/runCase?casetuple=4.1.1&agent=restart")).await;
    wait_for_result(addr, "restart", 3).await;
    server.abort();
    let _ = server.await;
    let jsonl = std::fs::read_to_string(dir.join("restart/results.jsonl")).unwrap();
    assert_eq!(jsonl.lines().count(), 3, "header and two cases: {jsonl}");
    let selected = Selection::parse("1.1.1,2.2,4.1.1", "").apply(catalog::all(Profile::Quick));
    let mut cfg = ServeConfig::new(client_cases(selected), &dir);
    cfg.once = true;
    let tester = ClientTester::bind("127.0.0.1:0".parse().unwrap(), cfg)
        .await
        .unwrap();
    let (addr, server) = tester.spawn().unwrap();
    tungstenite_case(format!("ws://{addr}/runCase?case=2&agent=restart")).await;
    let run = finish(addr, "restart", server).await;
    let ids: Vec<&str> = run.cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["1.1.1", "2.2", "4.1.1", "15.3.1"]);
    assert_eq!(exit_code(&[run], false), 0);
}

/// `wsgauntlet serve --once` as a process: its address on the first line,
/// exit 0 when no case failed and 1 when one did.
async fn binary_exit_code(agent: &str, defect: Option<Defect>) -> i32 {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let dir = report_dir(&format!("binary-{agent}"));
    let _ = std::fs::remove_dir_all(&dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_wsgauntlet"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--cases",
            "1.1.1",
            "--once",
        ])
        .arg("--report-dir")
        .arg(&dir)
        .stdout(Stdio::piped())
        .spawn()
        .expect("the wsgauntlet binary runs");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let addr: SocketAddr = line
        .strip_prefix("listening on ws://")
        .and_then(|l| l.split('/').next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    let path = format!("/runCase?case=1&agent={agent}");
    match defect {
        Some(d) => ModelClient::connect(addr, &path, d).await.run().await,
        None => tungstenite_case(format!("ws://{addr}{path}")).await,
    }
    wait_for_result(addr, agent, 1).await;
    update_reports(addr, agent).await;
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(dir.join(agent).join("results.json").is_file());
    status.code().unwrap_or(-1)
}

#[tokio::test]
async fn once_exits_with_the_outcome() {
    assert_eq!(binary_exit_code("good", None).await, 0);
    assert_eq!(
        binary_exit_code("unmasked", Some(Defect::Unmasked)).await,
        1
    );
}
