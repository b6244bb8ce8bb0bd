//! One case against a *client*, sans-IO: the tester plays the server. The
//! opening handshake is already done (the request path chose the case); the
//! session writes the case's server frames, reads the client's frames —
//! validated for the client role, their masking keys collected — answers
//! pings and closes, and judges with the same verdict function as for
//! servers, the model being a conforming client (`Endpoint::new(Role::Client)`).

use std::collections::{HashSet, VecDeque};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};

use super::observe::{Observed, Rx, SeenClose, SeenEvent, ServerStream, WireFrame};
use super::outcome::Verdict;
use super::plan::{Action, Plan};
use crate::catalog::{Case, Judge};
use crate::codec::{CloseCode, Frame, OpCode, Role};
use crate::model::End;

const WIRE_LOG_LIMIT: usize = 400;
const PING_ANSWER_LIMIT: usize = 1000;
/// Masking keys kept per connection (for reuse checks and statistics).
const KEY_LIMIT: usize = 4096;
/// Events beyond those owed after which the session stops reading.
const EXTRA_EVENTS: usize = 64;
const INVALID_LIMIT: usize = 16;

/// Limits of a session against a client.
#[derive(Clone, Debug)]
pub struct PeerClientConfig {
    /// Largest client message buffered.
    pub max_message: u64,
    /// How long the closing handshake may take.
    pub close_timeout: Duration,
    /// Multiplies every case deadline.
    pub deadline_factor: f64,
}

impl Default for PeerClientConfig {
    fn default() -> Self {
        PeerClientConfig {
            max_message: 64 << 20,
            close_timeout: Duration::from_secs(1),
            deadline_factor: 1.0,
        }
    }
}

/// How a session against a client ended.
#[derive(Clone, Debug)]
pub struct PeerClientEnd {
    /// The verdict.
    pub verdict: Verdict,
    /// What was observed.
    pub observed: Box<Observed>,
    /// The masking keys of the client's frames, in arrival order (bounded).
    pub keys: Vec<[u8; 4]>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Running,
    Closing,
    Done,
}

/// The sans-IO execution of one case against a client.
pub struct PeerClientSession {
    cfg: PeerClientConfig,
    judge: Judge,
    plan: Plan,
    start: Instant,
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
    obs: Observed,
    keys: Vec<[u8; 4]>,
    distinct: HashSet<[u8; 4]>,
    reused: Option<([u8; 4], usize)>,
}

impl PeerClientSession {
    /// Starts `case` (frames as a server sends them) right after the 101.
    pub fn new(case: &Case, cfg: PeerClientConfig, now: Instant) -> PeerClientSession {
        let plan = Plan::from_steps_as(case.steps(), 0, Role::Server);
        let case_deadline = case.deadline.mul_f64(cfg.deadline_factor.max(0.01));
        let mut s = PeerClientSession {
            judge: case.judge,
            plan,
            start: now,
            deadline: now + case_deadline,
            close_deadline: None,
            phase: Phase::Running,
            next: 0,
            wait_until: None,
            bytes_sent: 0,
            frames_sent: 0,
            last_write_started: false,
            close_sent: false,
            reading: true,
            out: VecDeque::new(),
            rx: BytesMut::new(),
            stream: ServerStream::of(Role::Client, cfg.max_message),
            obs: Observed {
                handshake_status: Some(101),
                ..Observed::default()
            },
            keys: Vec::new(),
            distinct: HashSet::new(),
            reused: None,
            cfg,
        };
        s.advance(now);
        s
    }

    /// The next bytes to write, in order.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        self.out.pop_front()
    }

    /// Whether the driver should read from the socket now.
    pub fn wants_read(&self) -> bool {
        self.reading && self.phase != Phase::Done
    }

    /// True once the outcome is known (then close TCP: RFC 6455 §7.1.1, the
    /// server closes the TCP connection first).
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

    /// Bytes arrived from the client.
    pub fn handle_input(&mut self, data: &[u8], now: Instant) {
        if self.phase == Phase::Done {
            return;
        }
        self.rx.extend_from_slice(data);
        let mut items = Vec::new();
        self.stream
            .read(&mut self.rx, &mut items, &mut self.obs.invalid);
        self.obs.invalid.truncate(INVALID_LIMIT);
        for (rx, frame) in items {
            if let Some(f) = frame {
                self.note_key(&f);
                self.log(false, &f, now);
            }
            self.on_rx(rx, now);
            if self.phase == Phase::Done {
                return;
            }
        }
        self.advance(now);
    }

    /// The client closed its side of TCP (or reset it).
    pub fn handle_eof(&mut self, _now: Instant) {
        self.obs.eof = true;
        self.phase = Phase::Done;
    }

    /// Time passed; call at or after `poll_timeout`.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.phase == Phase::Done {
            return;
        }
        if self.close_deadline.is_some_and(|d| now >= d) {
            self.phase = Phase::Done;
            return;
        }
        if now >= self.deadline {
            self.obs.timed_out = true;
            match self.plan.expectation.end {
                End::TesterCloses if !self.close_sent => self.send_close(now, CloseCode::NORMAL),
                _ => self.phase = Phase::Done,
            }
            return;
        }
        self.advance(now);
    }

    /// The result, once done (or now, if the driver gives up).
    pub fn finish(mut self) -> PeerClientEnd {
        if self.phase != Phase::Done {
            self.obs.timed_out = true;
        }
        let verdict = verdict::client_verdict(self.judge, &self.plan, &self.obs, self.reused);
        PeerClientEnd {
            verdict,
            observed: Box::new(self.obs),
            keys: self.keys,
        }
    }

    fn note_key(&mut self, f: &Frame) {
        let Some(key) = f.header.mask else { return };
        if self.keys.len() >= KEY_LIMIT {
            return;
        }
        if !self.distinct.insert(key) && self.reused.is_none() {
            self.reused = Some((key, self.keys.len()));
        }
        self.keys.push(key);
    }

    fn at_ms(&self, now: Instant) -> u64 {
        now.saturating_duration_since(self.start).as_millis() as u64
    }

    fn on_rx(&mut self, rx: Rx, now: Instant) {
        let at_ms = self.at_ms(now);
        match rx {
            Rx::Event(event) => {
                self.obs.events.push(SeenEvent {
                    event,
                    frames_sent: self.frames_sent,
                    at_ms,
                });
                if self.obs.events.len() > self.plan.expectation.events.len() + EXTRA_EVENTS {
                    self.phase = Phase::Done;
                }
            }
            Rx::Ping(p) => {
                self.obs.server_pings += 1;
                if self.obs.server_pings <= PING_ANSWER_LIMIT && !self.close_sent {
                    self.send_frame(Frame::pong(p), now);
                }
            }
            Rx::Close(f) => self.on_client_close(f, now),
            Rx::Oversize(n) => {
                self.obs.oversize = Some(n);
                self.phase = Phase::Done;
            }
            Rx::Nothing => {}
        }
    }

    /// The client's Close: answered if it came first, and either way the
    /// closing handshake is complete and the server closes TCP.
    fn on_client_close(&mut self, f: Frame, now: Instant) {
        if self.obs.close.is_some() {
            return;
        }
        let code = f.close_code();
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
            // frame in response."
            let reply = code
                .filter(|c| c.is_sendable())
                .unwrap_or(CloseCode::NORMAL);
            self.send_frame(Frame::close(reply, b""), now);
            self.close_sent = true;
        }
        // RFC 6455 §7.1.1: "the underlying TCP connection, in most normal
        // cases, SHOULD be closed first by the server" — the session ends and
        // the driver closes TCP, so the connection counts as closed.
        self.obs.eof = true;
        self.phase = Phase::Done;
    }

    fn send_frame(&mut self, frame: Frame, now: Instant) {
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
            self.obs.wire.push(WireFrame {
                sent,
                header: f.header,
                payload_head: f.payload.slice(..f.payload.len().min(64)),
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
                let owed = self.plan.expectation.events.iter();
                let owed = owed.filter(|e| e.after_frame < frames).count();
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
        let ends = self.plan.frame_ends.iter();
        self.frames_sent = ends.take_while(|e| **e <= self.bytes_sent).count();
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
                let t = now + self.cfg.close_timeout;
                self.close_deadline.get_or_insert(t);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
mod verdict;
