//! One connection of `serve`: the opening handshake (bounded in bytes and
//! time), the command its path names, and for `/runCase` the case itself.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::timeout;

use super::Shared;
use super::http::{answer, refuse};
use super::negotiation::{Extensions, extensions_for, with_rule};
use super::route::{CaseRef, Route};
use crate::codec::{
    ClientHandshake, CloseCode, DEFAULT_MAX_HEADER_BYTES, Decoder, Frame, OpCode, parse_request,
    reject, server_response,
};
use crate::report::CaseResult;
use crate::runner::{CaseMeta, case_result, close, drive};
use crate::session::{Outcome, Reason, Session, SessionEnd};

/// Serves one connection to its end.
pub(super) async fn serve<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, shared: Arc<Shared>) {
    let mut buf = BytesMut::with_capacity(4096);
    let limit = shared.cfg.handshake_timeout;
    let request = match timeout(limit, read_request(&mut stream, &mut buf)).await {
        Ok(Ok(Some(r))) => r,
        Ok(Err(bytes)) => {
            let _ = timeout(Duration::from_secs(1), stream.write_all(&bytes)).await;
            return close(&mut stream).await;
        }
        // The client went away, or did not finish its request in time.
        _ => return,
    };
    let route = match Route::parse(&request.path) {
        Ok(r) => r,
        Err(e) => return refuse(&mut stream, 404, &e.to_string()).await,
    };
    if route.is_plain_http() {
        return answer(&mut stream, &request, &route, &shared).await;
    }
    let case = match &route {
        Route::CaseInfo(r) | Route::CaseStatus(r, _) | Route::RunCase(r, _) => {
            match shared.resolve(r) {
                Some(i) => Some(i),
                None => return refuse(&mut stream, 404, &no_case(r, shared.cases.len())).await,
            }
        }
        _ => None,
    };
    let agent = agent_of(&route, &request);
    let extensions = match (&route, case) {
        (Route::RunCase(..), Some(i)) => extensions_for(&shared.cases[i], &request),
        _ => Extensions::None,
    };
    let reply = match extensions.header() {
        Some(header) => server_response(&request).with_header("Sec-WebSocket-Extensions", header),
        None => server_response(&request),
    };
    let written = timeout(Duration::from_secs(5), stream.write_all(&reply.bytes)).await;
    if !reply.is_accept() || !matches!(written, Ok(Ok(()))) {
        if let (Route::RunCase(..), Some(i), Some(e)) = (&route, case, &reply.error) {
            shared.record(&agent, handshake_failure(&shared, i, &e.to_string()), &[]);
        }
        return close(&mut stream).await;
    }
    match (route, case) {
        (Route::RunCase(..), Some(i)) => {
            run_case(stream, buf, &shared, i, &agent, extensions).await
        }
        (Route::CaseCount, _) => announce(stream, buf, Some(shared.cases.len().to_string())).await,
        (Route::CaseInfo(_), Some(i)) => announce(stream, buf, Some(shared.info(i))).await,
        (Route::CaseStatus(..), Some(i)) => {
            announce(stream, buf, Some(shared.status(&agent, i))).await
        }
        (Route::UpdateReports(name), _) => {
            shared.update_reports(name.as_deref());
            announce(stream, buf, None).await;
            if shared.cfg.once {
                shared.stop.notify_one();
            }
        }
        _ => {}
    }
}

/// Reads the request head: `Ok(None)` at EOF, `Err(response)` for a request
/// that is not HTTP (answered 400 and closed).
async fn read_request<S: AsyncRead + Unpin>(
    stream: &mut S,
    buf: &mut BytesMut,
) -> Result<Option<ClientHandshake>, Vec<u8>> {
    loop {
        match parse_request(buf, DEFAULT_MAX_HEADER_BYTES) {
            Ok(Some((request, n))) => {
                buf.advance(n);
                return Ok(Some(request));
            }
            Ok(None) => {}
            Err(e) => return Err(reject(e).bytes),
        }
        buf.reserve(4096);
        match stream.read_buf(buf).await {
            Ok(0) | Err(_) => return Ok(None),
            Ok(_) => {}
        }
    }
}

fn no_case(r: &CaseRef, count: usize) -> String {
    match r {
        CaseRef::Number(n) => format!("no case {n}: cases are numbered 1 to {count}"),
        CaseRef::Id(id) => format!("no selected case has the id {id:?}"),
    }
}

/// The agent named in the query, else the client's `User-Agent`.
fn agent_of(route: &Route, request: &ClientHandshake) -> String {
    let named = match route {
        Route::RunCase(_, a) | Route::CaseStatus(_, a) => a.clone(),
        _ => None,
    };
    named
        .or_else(|| {
            let ua = request.header("User-Agent")?;
            Some(String::from_utf8_lossy(ua).trim().to_string()).filter(|s| !s.is_empty())
        })
        .unwrap_or_else(|| "unknown".into())
}

async fn run_case<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    leftover: BytesMut,
    shared: &Shared,
    index: usize,
    agent: &str,
    extensions: Extensions,
) {
    let mut case = shared.cases[index].clone();
    let t0 = Instant::now();
    let mut cfg = shared.cfg.session.clone();
    match extensions {
        Extensions::Deflate(agreement, _) => cfg.deflate = Some(agreement),
        Extensions::Bad { rule, .. } => case = with_rule(case, rule),
        Extensions::CannotRun(verdict) => {
            let meta = CaseMeta::of(&case);
            let result = case_result(&meta, &verdict, None, t0.elapsed(), &[], &[]);
            shared.record(agent, result, &[]);
            return announce(stream, leftover, None).await;
        }
        Extensions::None => {}
    }
    let case = &case;
    let mut session = Session::new(case, cfg, crate::runner::now());
    if !leftover.is_empty() {
        session.handle_input(&leftover, crate::runner::now());
    }
    let (verdict, observed) = match drive(&mut stream, session).await {
        SessionEnd::Judged(v, o) => (v, o),
        // Only a tester as client meets load shedding.
        SessionEnd::Throttled { code, .. } => (
            crate::session::Verdict::error(Reason::Connection, format!("throttled ({code})")),
            Box::default(),
        ),
    };
    let result = case_result(
        &CaseMeta::of(case),
        &verdict,
        Some(&observed),
        t0.elapsed(),
        &[],
        &[],
    );
    shared.record(agent, result, &observed.peer_keys);
    close(&mut stream).await;
}

fn handshake_failure(shared: &Shared, index: usize, why: &str) -> CaseResult {
    let case = &shared.cases[index];
    CaseResult {
        id: case.id.clone(),
        title: case.title.clone(),
        section: "4.1".into(),
        requirement: "The handshake MUST be a valid HTTP request as specified by [RFC2616].".into(),
        outcome: Outcome::Fail,
        reason: Some(Reason::Handshake),
        close_code: None,
        duration_ms: 0,
        expected: "a valid opening handshake request".into(),
        actual: why.to_string(),
        throttled: Vec::new(),
        attempts: Vec::new(),
        wire: Vec::new(),
        deflate: None,
    }
}

/// Sends `text` (if any) and a Close 1000, waits (bounded) for the client's
/// Close, then closes TCP: the answer to the protocol's query commands.
async fn announce<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    mut buf: BytesMut,
    text: Option<String>,
) {
    let mut out = BytesMut::new();
    if let Some(t) = text {
        Frame::text(t).encode(&mut out);
    }
    Frame::close(CloseCode::NORMAL, b"").encode(&mut out);
    if timeout(Duration::from_secs(1), stream.write_all(&out))
        .await
        .is_ok()
    {
        let _ = timeout(Duration::from_secs(1), await_close(&mut stream, &mut buf)).await;
    }
    close(&mut stream).await;
}

/// Reads frames until the client's Close (or anything that ends the talk).
async fn await_close<S: AsyncRead + Unpin>(stream: &mut S, buf: &mut BytesMut) {
    let decoder = Decoder::new(1 << 16);
    loop {
        loop {
            match decoder.decode(buf) {
                Ok(Some(f)) if f.header.opcode == OpCode::CLOSE => return,
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) => return,
            }
        }
        buf.reserve(4096);
        if !matches!(stream.read_buf(buf).await, Ok(n) if n > 0) {
            return;
        }
    }
}
