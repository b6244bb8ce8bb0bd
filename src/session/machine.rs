//! One case over one connection, sans-IO, for both tester roles (the role
//! is a field, as quinn-proto's `Side`): the driver feeds it bytes, EOF and
//! the time, and writes what it asks; the session decides everything else.
//! As client the tester first performs the opening handshake; as server it
//! starts right after the 101 it sent.

use std::collections::{HashSet, VecDeque};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};

use super::bounds::{
    EXTRA_EVENTS, INVALID_LIMIT, KEY_LIMIT, PING_ANSWER_LIMIT, WIRE_LOG_LIMIT, WIRE_PAYLOAD_HEAD,
};
use super::config::{SessionConfig, SessionEnd};
use super::deflate_plan::compressed_plan;
use super::observe::{Observed, SeenClose, SeenEvent, WireFrame};
use super::opening::{Opening, read_response};
use super::peer::{PeerStream, Rx};
use super::plan::{Action, MaskKeys, Plan};
use super::request::build_request;
use super::transmit::Cursor;
use super::verdict::{Judging, judge_with};
use crate::catalog::{Case, CaseKind, DeflateCase, HandshakeExpect, Judge, Step};
use crate::codec::deflate::{Agreement, offers_header};
use crate::codec::{ClientRequest, CloseCode, Frame, Role};
use crate::model::End;

/// The least time a case waits beyond its own pauses for what it is owed: a
/// server that is merely slow under load must not miss it.
const MIN_DEADLINE: Duration = Duration::from_secs(2);

/// Slack of the hard deadline beyond every deadline of the session.
const HARD_MARGIN: Duration = Duration::from_secs(2);

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
    request: Option<ClientRequest>,
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
    /// The generated message being written, if any.
    transmit: Option<Cursor>,
    /// The last instant the driver gave (for what `poll_transmit` logs).
    last_now: Instant,
    /// `advance` is due at once (a stream was written to its end).
    wake: bool,
    rx: BytesMut,
    stream: PeerStream,
    keys: MaskKeys,
    distinct_keys: HashSet<[u8; 4]>,
    obs: Observed,
    throttled: Option<(u16, u64)>,
    /// A case that needs permessage-deflate: its steps wait for the
    /// agreement, which decides how they are compressed.
    pending_deflate: Option<(DeflateCase, Vec<Step>)>,
    /// The case answers with its own deflate parameters (21.1).
    chosen_response: bool,
}

impl Session {
    /// Starts `case`. As client the opening request is the first thing to
    /// transmit; as server the case's first frames are.
    pub fn new(case: &Case, cfg: SessionConfig, now: Instant) -> Session {
        let role = cfg.role;
        let pending_deflate = case.deflate.clone().map(|d| (d, case.steps()));
        let (plan, handshake) = match &case.kind {
            CaseKind::Handshake(h)
                if role == Role::Client || matches!(h.expect, HandshakeExpect::ClientFails(_)) =>
            {
                let plan = handshake_plan(&h.expect, cfg.seed, role);
                (plan, Some(h.expect.clone()))
            }
            _ if pending_deflate.is_some() => (Plan::from_steps(Vec::new(), cfg.seed), None),
            _ => (Plan::from_steps_as(case.steps(), cfg.seed, role), None),
        };
        let mut plan = plan;
        plan.delay_start(cfg.opening_pause);
        let owed = plan.owed_messages();
        let mut out = VecDeque::new();
        let mut request = (role == Role::Client).then(|| build_request(&cfg, &case.kind));
        if let (Some(r), Some(d)) = (request.as_mut(), &case.deflate) {
            r.extensions.push(offers_header(&d.offers));
        }
        if let Some(r) = &request {
            out.push_back(Bytes::from(r.to_bytes()));
        }
        let mut cfg = cfg;
        let factor = cfg.factor();
        cfg.handshake_timeout = cfg.handshake_timeout.mul_f64(factor);
        cfg.close_timeout = cfg.close_timeout.mul_f64(factor);
        // The case's own pauses plus a margin load cannot eat: never less
        // than MIN_DEADLINE beyond the pauses, plus the measured round trip.
        let margin = case.deadline.max(MIN_DEADLINE) + cfg.rtt_margin;
        let case_deadline = (plan.pauses() + margin).mul_f64(factor);
        let mut s = Session {
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
            transmit: None,
            last_now: now,
            wake: false,
            rx: BytesMut::new(),
            stream: PeerStream::of(role.peer(), cfg.max_message).expecting(owed),
            keys: MaskKeys::new(cfg.seed ^ 0x5EED_C105E),
            distinct_keys: HashSet::new(),
            obs: Observed::default(),
            throttled: None,
            chosen_response: case.deflate.as_ref().is_some_and(|d| d.answer_as_offered),
            pending_deflate,
            cfg,
        };
        if role == Role::Server {
            s.start_running(now);
            s.on_agreement(s.cfg.deflate, now);
            s.advance(now);
        }
        s
    }

    /// The opening handshake is done: a case that needs permessage-deflate
    /// gets its compressed plan, or ends UNIMPLEMENTED when it was declined.
    fn on_agreement(&mut self, agreement: Option<Agreement>, now: Instant) {
        let Some((deflate, steps)) = self.pending_deflate.take() else {
            return;
        };
        let Some(a) = agreement else {
            self.obs.deflate_declined = true;
            return self.send_close(now, CloseCode::NORMAL);
        };
        let role = self.cfg.role;
        self.obs.deflate = Some(a);
        (self.plan, self.obs.deflate_sent) =
            compressed_plan(steps, &deflate, &a, role, self.cfg.seed);
        self.plan.delay_start(self.cfg.opening_pause);
        let owed = self.plan.owed_messages();
        // An echo owed (a bomb's, say) is never "more than any reply owed".
        let largest = owed.iter().map(|m| m.len()).max().unwrap_or(0);
        self.stream = PeerStream::of(role.peer(), self.cfg.max_message.max(largest))
            .with_deflate(a.receiving(role))
            .expecting(owed);
    }

    /// The tester's role.
    pub fn role(&self) -> Role {
        self.cfg.role
    }

    /// Starts the clocks afresh at `now` (the handshake deadline and case
    /// times), for a session built before its connection was made.
    pub fn reset_clock(&mut self, now: Instant) {
        if self.phase == Phase::Handshake {
            self.start = now;
            self.deadline = now + self.cfg.handshake_timeout;
        }
    }

    /// The next bytes to write, in order. A generated message is produced
    /// here, a write at a time; the tester's own control frames go between
    /// its frames, never inside one, and nothing of it after the tester's Close.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        let mid_frame = self
            .transmit
            .as_ref()
            .is_some_and(|c| !c.done && !c.at_frame_boundary());
        if !mid_frame && let Some(b) = self.out.pop_front() {
            return Some(b);
        }
        if self.close_sent && !mid_frame {
            return None;
        }
        self.next_stream_write()
    }

    fn next_stream_write(&mut self) -> Option<Bytes> {
        let cursor = self.transmit.as_mut().filter(|c| !c.done)?;
        let stream = &self.plan.streams[cursor.index];
        let bytes = cursor.next_write(stream);
        if cursor.done {
            self.wake = true;
        }
        let bytes = bytes?;
        self.count_written(bytes.len() as u64, self.last_now);
        Some(bytes)
    }

    /// Whether the driver should read from the socket now.
    pub fn wants_read(&self) -> bool {
        self.reading && self.phase != Phase::Done
    }

    /// True once the outcome is known. As server the tester then closes TCP
    /// first (RFC 6455 §7.1.1), after writing what `poll_transmit` still has.
    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// Whether bytes still queued when the session is done must be written
    /// before TCP is closed: the server's last Close reply (§7.1.1, the
    /// server closes the connection, and only after its Close).
    pub fn flushes_on_close(&self) -> bool {
        self.cfg.role == Role::Server
    }

    /// The latest instant the session may run to, whatever the peer does:
    /// the driver gives up then (a safety net behind the session's own
    /// deadlines, which normally end it well before).
    pub fn hard_deadline(&self) -> Instant {
        let opening = match self.cfg.role {
            Role::Client => self.cfg.handshake_timeout,
            Role::Server => Duration::ZERO,
        };
        self.start + opening + self.case_deadline + self.cfg.close_timeout * 2 + HARD_MARGIN
    }

    /// The next instant `handle_timeout` must be called at.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.phase == Phase::Done {
            return None;
        }
        // The closing handshake has its own deadline, measured from the
        // tester's Close, not what is left of the case deadline.
        let case = (self.phase != Phase::Closing).then_some(self.deadline);
        let wake = self.wake.then_some(self.last_now);
        [case, self.wait_until, self.close_deadline, wake]
            .into_iter()
            .flatten()
            .min()
    }

    /// Bytes arrived from the peer.
    pub fn handle_input(&mut self, data: &[u8], now: Instant) {
        self.last_now = now;
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

    /// The peer closed its side of TCP (or reset it).
    pub fn handle_eof(&mut self, _now: Instant) {
        if self.phase == Phase::Handshake && self.obs.handshake_status.is_none() {
            self.obs.handshake_error = Some("connection closed before a handshake response".into());
        }
        self.obs.eof = true;
        self.record_wrong_unfinished();
        self.phase = Phase::Done;
    }

    /// A message the peer left unfinished counts as seen when what arrived
    /// of it is already wrong (so a peer that sends wrong data, then drops
    /// the connection, is judged by the data, whichever comes first).
    fn record_wrong_unfinished(&mut self) {
        if let Some(event) = self.stream.wrong_unfinished() {
            let at_ms = self.at_ms(self.last_now);
            self.obs.events.push(SeenEvent {
                event,
                frames_sent: self.frames_sent,
                at_ms,
            });
        }
    }

    /// Time passed; call at or after `poll_timeout`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.last_now = now;
        self.wake = false;
        if self.phase == Phase::Done {
            return;
        }
        if self.close_deadline.is_some_and(|d| now >= d) {
            self.obs.lingered = self.obs.close.is_some() && self.close_sent;
            self.phase = Phase::Done;
            return;
        }
        if now >= self.deadline && self.phase != Phase::Closing {
            self.on_deadline(now);
            return;
        }
        self.advance(now);
    }

    /// The result, once done (or now, if the driver gives up).
    pub fn finish(mut self) -> SessionEnd {
        if let Some((code, at_ms)) = self.throttled {
            let bytes_written = self.bytes_sent;
            return SessionEnd::Throttled {
                code,
                at_ms,
                bytes_written,
            };
        }
        if self.phase != Phase::Done {
            self.obs.timed_out = true;
        }
        let ctx = Judging {
            peer: self.cfg.role.peer(),
            judge: self.judge,
            handshake: self.handshake.as_ref(),
            plan: &self.plan,
            declared: self.cfg.declared,
            chosen_response: self.chosen_response,
        };
        let verdict = judge_with(&ctx, &self.obs);
        self.obs.deflate_received = self.stream.compressed;
        SessionEnd::Judged(verdict, Box::new(self.obs))
    }

    fn start_running(&mut self, now: Instant) {
        self.phase = Phase::Running;
        self.deadline = now + self.case_deadline;
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
                self.record_wrong_unfinished();
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
        let Some(request) = &self.request else {
            return self.start_running(now);
        };
        let offers = self.pending_deflate.as_ref().map(|(d, _)| &d.offers[..]);
        match read_response(
            &mut self.rx,
            request,
            self.handshake.as_ref(),
            offers,
            &mut self.obs,
        ) {
            Opening::Pending => {}
            Opening::Accepted => {
                self.start_running(now);
                self.on_agreement(self.obs.deflate, now);
            }
            // No `advance` after the 101: frames that came with the response
            // are read first (by `handle_input`), so a Close 1013 sent right
            // after the 101 is seen before any case byte is written.
            Opening::Ended { throttled } => {
                self.throttled = throttled.map(|code| (code, self.at_ms(now)));
                self.phase = Phase::Done;
            }
        }
    }

    fn at_ms(&self, now: Instant) -> u64 {
        now.saturating_duration_since(self.start).as_millis() as u64
    }

    fn read_frames(&mut self, now: Instant) {
        let mut items = Vec::new();
        self.stream
            .read(&mut self.rx, &mut items, &mut self.obs.invalid);
        self.obs.invalid.truncate(INVALID_LIMIT);
        if self.obs.deflate.is_some() && !self.obs.invalid.is_empty() && !self.close_sent {
            // RFC 7692 §6.1: "An endpoint receiving such a frame MUST _Fail
            // the WebSocket Connection_": a deflate case waits for echoes one
            // at a time, so the tester stops here rather than at the deadline.
            self.send_close(now, CloseCode::PROTOCOL_ERROR);
        }
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
    }

    /// Records the peer's masking key; the first reuse is remembered for
    /// the verdict (RFC 6455 §5.3 binds only clients, which mask).
    fn note_key(&mut self, f: &Frame) {
        let Some(key) = f.header.mask else { return };
        if self.obs.peer_keys.len() >= KEY_LIMIT {
            return;
        }
        if !self.distinct_keys.insert(key) && self.obs.reused_key.is_none() {
            self.obs.reused_key = Some((key, self.obs.peer_keys.len()));
        }
        self.obs.peer_keys.push(key);
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
                self.obs.peer_pings += 1;
                if self.obs.peer_pings <= PING_ANSWER_LIMIT && !self.close_sent {
                    self.send_frame(Frame::pong(p), now);
                }
            }
            Rx::Close(f) => self.on_peer_close(f, now),
            Rx::Oversize(n) => {
                self.obs.oversize = Some(n);
                self.phase = Phase::Done;
            }
            Rx::Nothing => {}
        }
    }

    fn on_peer_close(&mut self, f: Frame, now: Instant) {
        if self.obs.close.is_some() {
            return;
        }
        let code = f.close_code();
        if let Some(c) = code.filter(|c| self.is_throttle(*c)) {
            self.throttled = Some((c.0, self.at_ms(now)));
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
            bytes_written: self.bytes_sent,
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
        if self.cfg.role == Role::Server {
            // RFC 6455 §7.1.1: "the underlying TCP connection, in most normal
            // cases, SHOULD be closed first by the server": the closing
            // handshake is complete, and the driver closes TCP now.
            self.obs.tester_closed_tcp = true;
            self.phase = Phase::Done;
            return;
        }
        self.phase = Phase::Closing;
        self.close_deadline = Some(now + self.cfg.close_timeout);
    }

    /// 1013/1012 from a server before the case wrote a byte of the frame the
    /// reaction is owed to, and before our Close: the server sheds load or
    /// restarts. Bytes count, not whole frames: a header alone can be the
    /// violation (an MSB-set length), and a 1013 to it is a wrong close code.
    fn is_throttle(&self, code: CloseCode) -> bool {
        let refused = matches!(self.handshake, Some(HandshakeExpect::Reject { .. }));
        let server_peer = self.cfg.role == Role::Client;
        if !matches!(code.0, 1012 | 1013) || self.close_sent || refused || !server_peer {
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

    /// Queues a control frame of the tester's own: masked as a client
    /// (RFC 6455 §5.3), unmasked as a server (§5.1).
    fn send_frame(&mut self, frame: Frame, now: Instant) {
        let frame = match self.cfg.role {
            Role::Client => frame.masked(self.keys.next_key()),
            Role::Server => frame,
        };
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
            let payload_head = f.payload.slice(..f.payload.len().min(WIRE_PAYLOAD_HEAD));
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
            Action::Stream { index } => match &self.transmit {
                Some(c) if c.index == index && c.done => self.transmit = None,
                Some(_) => return false,
                None => {
                    if Some(self.next) == self.plan.last_write {
                        self.last_write_started = true;
                    }
                    self.transmit = Some(Cursor::new(index));
                    return false;
                }
            },
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
        self.count_written(bytes.len() as u64, now);
        if Some(self.next) == self.plan.last_write {
            self.last_write_started = true;
        }
        self.out.push_back(bytes);
    }

    /// Case bytes handed to the driver: the frames they complete are sent.
    fn count_written(&mut self, n: u64, now: Instant) {
        let before = self.frames_sent;
        self.bytes_sent += n;
        let ends = &self.plan.frame_ends;
        while ends
            .get(self.frames_sent)
            .is_some_and(|e| *e <= self.bytes_sent)
        {
            self.frames_sent += 1;
        }
        let logged =
            before.min(self.plan.frames.len())..self.frames_sent.min(self.plan.frames.len());
        for i in logged {
            let f = self.plan.frames[i].clone();
            self.log(true, &f, now);
        }
        let close = self.plan.first_close;
        if close.is_some_and(|c| (before..self.frames_sent).contains(&c))
            && self.obs.close.is_none()
        {
            self.close_sent = true;
            self.obs.tester_closed = true;
        }
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

/// A handshake case that must be accepted sends one text message (plain:
/// also after a declined offer); one that must be refused sends nothing.
/// As server the tester sends the same message after a 101 the client must
/// fail: a client that goes on echoes it.
fn handshake_plan(expect: &HandshakeExpect, seed: u64, role: Role) -> Plan {
    let steps = match expect {
        HandshakeExpect::Accept | HandshakeExpect::Decline(_) | HandshakeExpect::ClientFails(_) => {
            vec![crate::catalog::send(vec![Frame::text(
                "handshake accepted",
            )])]
        }
        HandshakeExpect::Reject { .. } => Vec::new(),
    };
    Plan::from_steps_as(steps, seed, role)
}
