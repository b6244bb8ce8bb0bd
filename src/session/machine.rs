//! One case over one connection, sans-IO: the runner feeds it bytes, EOF and
//! the time, and writes what it asks; the session decides everything else.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::{Buf, Bytes, BytesMut};

use super::observe::{Observed, Rx, Seen, SeenClose, SeenEvent, ServerStream, WireFrame};
use super::outcome::Verdict;
use super::plan::{Action, MaskKeys, Plan};
use super::request::build_request;
use super::verdict::judge;
use crate::catalog::{Case, CaseKind, HandshakeExpect, Judge};
use crate::codec::{
    ClientRequest, CloseCode, Frame, HandshakeError, OpCode, check_response, parse_response,
};
use crate::model::End;

/// Where and how to connect, and the limits of a session.
#[derive(Clone, Debug)]
pub struct SessionConfig {
    /// `Host` header value (`host[:port]`).
    pub host: String,
    /// Request path with query.
    pub path: String,
    /// `Origin` header, if any.
    pub origin: Option<String>,
    /// Subprotocols to offer.
    pub subprotocols: Vec<String>,
    /// Extra request headers.
    pub headers: Vec<(String, String)>,
    /// Seed of the case's keys.
    pub seed: u64,
    /// Largest server message the session buffers.
    pub max_message: u64,
    /// How long the opening handshake may take.
    pub handshake_timeout: Duration,
    /// How long the closing handshake and the TCP close may take.
    pub close_timeout: Duration,
    /// Multiplies every case deadline (slow servers, debug builds).
    pub deadline_factor: f64,
}

impl SessionConfig {
    /// Defaults for `host` and `path`.
    pub fn new(host: impl Into<String>, path: impl Into<String>) -> SessionConfig {
        SessionConfig {
            host: host.into(),
            path: path.into(),
            origin: None,
            subprotocols: Vec::new(),
            headers: Vec::new(),
            seed: 0,
            max_message: 128 << 20,
            handshake_timeout: Duration::from_secs(5),
            close_timeout: Duration::from_secs(1),
            deadline_factor: 1.0,
        }
    }
}

/// How a session ended.
#[derive(Clone, Debug)]
pub enum SessionEnd {
    /// The case was judged.
    Judged(Verdict, Box<Observed>),
    /// The server shed load (1013/1012 or HTTP 503) before the case did
    /// anything wrong: back off and retry; never a conformance failure.
    Throttled {
        /// The close code or HTTP status.
        code: u16,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Handshake,
    Running,
    Closing,
    Done,
}

/// The sans-IO execution of one case.
pub struct Session {
    cfg: SessionConfig,
    judge: Judge,
    handshake: Option<HandshakeExpect>,
    plan: Plan,
    request: ClientRequest,
    start: Instant,
    case_deadline: Duration,
    deadline: Instant,
    close_deadline: Option<Instant>,
    phase: Phase,
    next: usize,
    wait_until: Option<Instant>,
    bytes_sent: u64,
    frames_sent: usize,
    last_write_started: bool,
    close_sent: bool,
    reading: bool,
    out: VecDeque<Bytes>,
    rx: BytesMut,
    stream: ServerStream,
    keys: MaskKeys,
    obs: Observed,
    throttled: Option<u16>,
}

const WIRE_LOG_LIMIT: usize = 400;
const HANDSHAKE_CAP: usize = 64 << 10;
const PING_ANSWER_LIMIT: usize = 1000;

impl Session {
    /// Starts `case`: the opening handshake is the first thing to transmit.
    pub fn new(case: &Case, cfg: SessionConfig, now: Instant) -> Session {
        let (plan, handshake) = match &case.kind {
            CaseKind::Frames(_) => (Plan::new(case, cfg.seed), None),
            CaseKind::Handshake(h) => (handshake_plan(&h.expect, cfg.seed), Some(h.expect.clone())),
        };
        let request = build_request(&cfg, &case.kind);
        let mut out = VecDeque::new();
        out.push_back(Bytes::from(request.to_bytes()));
        let mut cfg = cfg;
        let factor = cfg.deadline_factor.max(0.01);
        let case_deadline = case.deadline.mul_f64(factor);
        cfg.handshake_timeout = cfg.handshake_timeout.mul_f64(factor);
        cfg.close_timeout = cfg.close_timeout.mul_f64(factor);
        Session {
            judge: case.judge,
            handshake,
            plan,
            request,
            start: now,
            case_deadline,
            deadline: now + cfg.handshake_timeout,
            close_deadline: None,
            phase: Phase::Handshake,
            next: 0,
            wait_until: None,
            bytes_sent: 0,
            frames_sent: 0,
            last_write_started: false,
            close_sent: false,
            reading: true,
            out,
            rx: BytesMut::new(),
            stream: ServerStream::new(cfg.max_message),
            keys: MaskKeys::new(cfg.seed ^ 0x5EED_C105E),
            obs: Observed::default(),
            throttled: None,
            cfg,
        }
    }

    /// Starts the clocks afresh at `now` (the handshake deadline and case
    /// times), for a session built before its connection was made.
    pub fn reset_clock(&mut self, now: Instant) {
        if self.phase == Phase::Handshake {
            self.start = now;
            self.deadline = now + self.cfg.handshake_timeout;
        }
    }

    /// The next bytes to write, in order.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        self.out.pop_front()
    }

    /// Whether the runner should read from the socket now.
    pub fn wants_read(&self) -> bool {
        self.reading && self.phase != Phase::Done
    }

    /// True once the outcome is known.
    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// The next instant `handle_timeout` must be called at.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.phase == Phase::Done {
            return None;
        }
        [Some(self.deadline), self.wait_until, self.close_deadline]
            .into_iter()
            .flatten()
            .min()
    }

    /// Bytes arrived from the server.
    pub fn handle_input(&mut self, data: &[u8], now: Instant) {
        if self.phase == Phase::Done {
            return;
        }
        self.rx.extend_from_slice(data);
        if self.phase == Phase::Handshake {
            self.read_handshake(now);
        }
        if matches!(self.phase, Phase::Running | Phase::Closing) {
            self.read_frames(now);
            self.advance(now);
        }
    }

    /// The server closed its side of TCP (or reset it).
    pub fn handle_eof(&mut self, _now: Instant) {
        if self.phase == Phase::Handshake && self.obs.handshake_status.is_none() {
            self.obs.handshake_error = Some("connection closed before a handshake response".into());
        }
        self.obs.eof = true;
        self.phase = Phase::Done;
    }

    /// Time passed; call at or after `poll_timeout`.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.phase == Phase::Done {
            return;
        }
        if self.close_deadline.is_some_and(|d| now >= d) {
            self.obs.lingered = self.obs.close.is_some() && self.close_sent;
            self.phase = Phase::Done;
            return;
        }
        if now >= self.deadline {
            self.on_deadline(now);
            return;
        }
        self.advance(now);
    }

    /// The result, once done (or now, if the runner gives up).
    pub fn finish(mut self) -> SessionEnd {
        if let Some(code) = self.throttled {
            return SessionEnd::Throttled { code };
        }
        if self.phase != Phase::Done {
            self.obs.timed_out = true;
        }
        let verdict = judge(self.judge, self.handshake.as_ref(), &self.plan, &self.obs);
        SessionEnd::Judged(verdict, Box::new(self.obs))
    }

    fn on_deadline(&mut self, now: Instant) {
        match self.phase {
            Phase::Handshake => {
                self.obs.handshake_error = Some(format!(
                    "no complete handshake response within {:?}",
                    self.cfg.handshake_timeout
                ));
                self.phase = Phase::Done;
            }
            Phase::Running => {
                self.obs.timed_out = true;
                match self.plan.expectation.end {
                    End::TesterCloses if !self.close_sent => {
                        self.send_close(now, CloseCode::NORMAL)
                    }
                    _ => self.phase = Phase::Done,
                }
            }
            _ => self.phase = Phase::Done,
        }
    }

    fn read_handshake(&mut self, now: Instant) {
        let (response, n) = match parse_response(&self.rx, HANDSHAKE_CAP) {
            Ok(None) => return,
            Ok(Some(r)) => r,
            Err(e) => return self.handshake_failed(e),
        };
        self.rx.advance(n);
        self.obs.handshake_status = Some(response.status);
        if matches!(self.handshake, Some(HandshakeExpect::Reject { .. })) || response.status != 101
        {
            let accept = !matches!(self.handshake, Some(HandshakeExpect::Reject { .. }));
            if matches!(response.status, 503 | 429) && accept {
                self.throttled = Some(response.status);
            }
            self.obs.handshake_error = check_response(&response, &self.request)
                .err()
                .map(|e| e.to_string());
            self.obs.handshake_headers = response
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), String::from_utf8_lossy(v).into_owned()))
                .collect();
            self.phase = Phase::Done;
            return;
        }
        if let Err(e) = check_response(&response, &self.request) {
            return self.handshake_failed(e);
        }
        self.phase = Phase::Running;
        self.deadline = now + self.case_deadline;
        // No `advance` here: frames that came with the response are read
        // first (by `handle_input`), so a Close 1013 sent right after the 101
        // is seen before any case byte is written.
    }

    fn handshake_failed(&mut self, e: HandshakeError) {
        self.obs.handshake_error = Some(e.to_string());
        self.phase = Phase::Done;
    }

    fn at_ms(&self, now: Instant) -> u64 {
        now.saturating_duration_since(self.start).as_millis() as u64
    }

    fn read_frames(&mut self, now: Instant) {
        let mut items = Vec::new();
        self.stream
            .read(&mut self.rx, &mut items, &mut self.obs.invalid);
        for (rx, frame) in items {
            if let Some(f) = frame {
                self.log(false, &f, now);
            }
            self.on_rx(rx, now);
            if self.phase == Phase::Done {
                return;
            }
        }
    }

    fn on_rx(&mut self, rx: Rx, now: Instant) {
        let at_ms = self.at_ms(now);
        match rx {
            Rx::Event(event) => self.obs.events.push(SeenEvent {
                event,
                frames_sent: self.frames_sent,
                at_ms,
            }),
            Rx::Ping(p) => {
                self.obs.server_pings += 1;
                if self.obs.server_pings <= PING_ANSWER_LIMIT && !self.close_sent {
                    self.send_frame(Frame::pong(p), now);
                }
            }
            Rx::Close(f) => self.on_server_close(f, now),
            Rx::Oversize(n) => {
                self.obs.oversize = Some(n);
                self.phase = Phase::Done;
            }
            Rx::Nothing => {}
        }
    }

    fn on_server_close(&mut self, f: Frame, now: Instant) {
        if self.obs.close.is_some() {
            return;
        }
        let code = f.close_code();
        if let Some(c) = code.filter(|c| self.is_throttle(*c)) {
            self.throttled = Some(c.0);
            self.phase = Phase::Done;
            return;
        }
        self.obs.close = Some(SeenClose {
            code,
            reason: f.payload.slice(f.payload.len().min(2)..),
            frames_sent: self.frames_sent,
            after_tester_close: self.close_sent,
            after_last_write: self.last_write_started,
            at_ms: self.at_ms(now),
        });
        if !self.close_sent {
            // RFC 6455 §5.5.1: "If an endpoint receives a Close frame and did
            // not previously send a Close frame, the endpoint MUST send a Close
            // frame in response" — echoing a sendable code.
            let reply = code
                .filter(|c| c.is_sendable())
                .unwrap_or(CloseCode::NORMAL);
            self.send_close(now, reply);
        }
        self.phase = Phase::Closing;
        self.close_deadline = Some(now + self.cfg.close_timeout);
    }

    /// 1013/1012 before the case wrote a byte of the frame the reaction is
    /// owed to, and before our Close: the server sheds load or restarts.
    /// Bytes count, not whole frames: a header alone can be the violation
    /// (an MSB-set length), and a 1013 to it is a wrong close code.
    fn is_throttle(&self, code: CloseCode) -> bool {
        let refused = matches!(self.handshake, Some(HandshakeExpect::Reject { .. }));
        if !matches!(code.0, 1012 | 1013) || self.close_sent || refused {
            return false;
        }
        let frame = match &self.plan.expectation.end {
            End::Fail { frame, .. } | End::CloseReply { frame, .. } => *frame,
            End::TesterCloses => return true,
        };
        let start = frame
            .checked_sub(1)
            .and_then(|i| self.plan.frame_ends.get(i))
            .copied()
            .unwrap_or(0);
        self.bytes_sent <= start
    }

    fn send_frame(&mut self, frame: Frame, now: Instant) {
        let frame = frame.masked(self.keys.next_key());
        self.log(true, &frame, now);
        self.out.push_back(frame.to_bytes());
    }

    fn send_close(&mut self, now: Instant, code: CloseCode) {
        self.send_frame(Frame::close(code, b""), now);
        self.close_sent = true;
        self.obs.tester_closed = self.obs.close.is_none();
        self.phase = Phase::Closing;
        self.close_deadline = Some(now + self.cfg.close_timeout);
    }

    fn log(&mut self, sent: bool, f: &Frame, now: Instant) {
        if self.obs.wire.len() < WIRE_LOG_LIMIT {
            let at_ms = self.at_ms(now);
            let payload_head = f.payload.slice(..f.payload.len().min(64));
            self.obs.wire.push(WireFrame {
                sent,
                header: f.header,
                payload_head,
                at_ms,
            });
        }
    }

    /// Runs actions until one has to wait.
    fn advance(&mut self, now: Instant) {
        while self.phase == Phase::Running {
            let Some(action) = self.plan.actions.get(self.next).cloned() else {
                return self.on_actions_done(now);
            };
            if !self.run_action(action, now) {
                return;
            }
            self.next += 1;
        }
    }

    /// Runs one action; false when it must wait.
    fn run_action(&mut self, action: Action, now: Instant) -> bool {
        match action {
            Action::Write(bytes) => self.write_case_bytes(bytes, now),
            Action::Wait(d) => match self.wait_until {
                None => {
                    self.wait_until = Some(now + d);
                    return false;
                }
                Some(t) if now < t => return false,
                Some(_) => self.wait_until = None,
            },
            Action::AwaitEvents { frames } => {
                let owed = self
                    .plan
                    .expectation
                    .events
                    .iter()
                    .filter(|e| e.after_frame < frames)
                    .count();
                return self.obs.events.len() >= owed;
            }
            Action::PauseReading => self.reading = false,
            Action::ResumeReading => self.reading = true,
        }
        true
    }

    fn write_case_bytes(&mut self, bytes: Bytes, now: Instant) {
        let before = self.frames_sent;
        self.bytes_sent += bytes.len() as u64;
        self.frames_sent = self
            .plan
            .frame_ends
            .iter()
            .take_while(|e| **e <= self.bytes_sent)
            .count();
        for i in before..self.frames_sent {
            let f = self.plan.frames[i].clone();
            self.log(true, &f, now);
            if f.header.opcode == OpCode::CLOSE && self.obs.close.is_none() {
                self.close_sent = true;
                self.obs.tester_closed = true;
            }
        }
        if Some(self.next) == self.plan.last_write {
            self.last_write_started = true;
        }
        self.out.push_back(bytes);
    }

    fn on_actions_done(&mut self, now: Instant) {
        let owed = self.plan.expectation.events.len();
        match self.plan.expectation.end {
            End::TesterCloses if !self.close_sent && self.obs.events.len() >= owed => {
                self.send_close(now, CloseCode::NORMAL)
            }
            End::CloseReply { .. } if self.close_sent => {
                self.phase = Phase::Closing;
                self.close_deadline
                    .get_or_insert(now + self.cfg.close_timeout);
            }
            _ => {}
        }
    }
}

/// A handshake case that must be accepted sends one text message; one that
/// must be refused sends nothing.
fn handshake_plan(expect: &HandshakeExpect, seed: u64) -> Plan {
    let steps = match expect {
        HandshakeExpect::Accept => vec![crate::catalog::send(vec![Frame::text(
            "handshake accepted",
        )])],
        HandshakeExpect::Reject { .. } => Vec::new(),
    };
    Plan::from_steps(steps, seed)
}

/// The seen events' payload sizes, for messages in a line.
pub fn describe_seen(e: &Seen) -> String {
    match e {
        Seen::Message { opcode, payload } => format!("{opcode}({} B)", payload.len()),
        Seen::Pong(p) => format!("pong({} B)", p.len()),
    }
}
