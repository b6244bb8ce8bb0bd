//! What a conformance case is: an id, the RFC requirement it checks, the
//! steps it sends, and how its outcome is judged.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use crate::codec::deflate::{ParamError, ResponseError};
use crate::codec::{Body, Frame, OpCode};

/// How the bytes of one `Send` step reach the socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// All frames of the step in one write.
    Whole,
    /// One write (and flush) per frame (Autobahn's "sync" sends).
    FrameWise,
    /// The step's bytes cut into writes of this many bytes, flushed each.
    Chops(usize),
    /// The step's single frame written in parts, flushed each, waiting
    /// `pause` before every part after the first: the header with the
    /// payload up to the first cut, then up to the next cut, then the rest
    /// (Autobahn 6.4.3/6.4.4: one frame in three pieces, 1 s apart).
    PayloadParts {
        /// Payload offsets at which a part ends, ascending.
        cuts: &'static [usize],
        /// The wait before each part after the first.
        pause: Duration,
    },
}

/// One thing a case does.
#[derive(Clone, Debug)]
pub enum Step {
    /// Sends frames as a client does: every frame without a mask key gets a
    /// fresh key from the case seed (RFC 6455 §5.3). Frames that already
    /// carry a key keep it.
    Send(Vec<Frame>, Delivery),
    /// Sends frames exactly as written (unmasked client frames, masking
    /// attacks). The model still judges them.
    SendAsIs(Vec<Frame>, Delivery),
    /// Sends raw bytes the model does not see as frames (a declared length
    /// larger than what follows, garbage). Judged only by `Judge::Survive`
    /// or `Judge::NoReply`.
    SendBytes(Bytes, Delivery),
    /// Sends one generated message (a pattern repeated to a length) in
    /// frames of `fragment` bytes (0: one frame), masked as by `Send`. Its
    /// bytes are produced as they are written and the echo is compared as
    /// it arrives, so a large message is never held whole (section 9, 20.1.3).
    SendGenerated(Generated, Delivery),
    /// Waits this long before the next step (fail-fast checks, pauses).
    Wait(Duration),
    /// Waits until every event the model expects so far has arrived (or the
    /// case deadline passes): sequential round trips, "close after the echo".
    AwaitEvents,
    /// Stops reading from the socket (the server's writes back up) until
    /// `ResumeReading`.
    PauseReading,
    /// Reads again.
    ResumeReading,
}

/// A message produced from a pattern as it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    /// Text or binary (or a control opcode, for a flood of control frames).
    pub opcode: OpCode,
    /// The message.
    pub body: Body,
    /// Payload bytes per frame; 0 for one frame.
    pub fragment: u64,
    /// How many times the message is sent, back to back (a flood).
    pub repeat: u64,
}

/// How a case's outcome is decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Judge {
    /// The reference model decides: exact events in order, then the owed close.
    Model,
    /// As `Model`, and a deferrable UTF-8 failure must come before the next
    /// frame after the invalid one is sent (fail-fast); after it, NON-STRICT.
    FailFast,
    /// As `Model`, but failing with 1009 or 1008 (message too big, policy)
    /// is also correct: for large messages and fragment floods.
    ModelOrTooBig,
    /// Whatever happened is recorded as INFORMATIONAL (unless the server
    /// died or sent invalid frames, which fail).
    Informational,
    /// The server must not deliver anything for what was sent, nor die; it
    /// may close with any code or keep waiting (raw length lies).
    NoReply,
    /// The server must stay alive and keep to the protocol in what it sends;
    /// replies and close codes are not judged (floods).
    Survive,
    /// A deflate bomb: refusing it with 1009/1008 passes; delivering it is
    /// judged by the model, and fails above a declared message limit
    /// (RFC 6455 §10.4).
    Bomb,
    /// As `Model` when the agreed parameters keep the context of the
    /// tester's messages; INFORMATIONAL when they hold the tester's
    /// `*_no_context_takeover`, since the receiver then "MAY decompress each
    /// new message with an empty LZ77 sliding window" (RFC 7692 §7.2.2): a
    /// message that refers into the previous one may be refused or
    /// delivered. Decided on the response, which may add the parameter to
    /// an offer without it or leave out the one the offer hinted at
    /// (§7.1.1.2).
    ModelUnlessContextReset,
}

/// A header change for an opening-handshake case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeaderEdit {
    /// Removes the header (case-insensitive name).
    Remove(&'static str),
    /// Sets the header to this value (replacing any existing one).
    Set(&'static str, String),
    /// Adds one more header line, keeping the others.
    Add(&'static str, String),
}

/// An opening-handshake case: the request to send and the answer owed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandshakeCase {
    /// Request method (normally `GET`).
    pub method: &'static str,
    /// Request HTTP version (normally `HTTP/1.1`).
    pub http_version: &'static str,
    /// Changes to the otherwise correct headers: of the request (the tester
    /// as client), or of the 101 (the tester as server, for
    /// [`HandshakeExpect::ClientFails`]).
    pub edits: Vec<HeaderEdit>,
    /// What the server must answer.
    pub expect: HandshakeExpect,
}

/// The answer owed to a handshake case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HandshakeExpect {
    /// A valid 101 (checked like every handshake), then an echo of one text
    /// message and a clean close.
    Accept,
    /// A rejection: a status among `statuses`; when `header` is set, the
    /// response must carry it (name, value; case-insensitive name).
    Reject {
        /// Accepted status codes.
        statuses: &'static [u16],
        /// A header the rejection must carry.
        header: Option<(&'static str, &'static str)>,
    },
    /// As `Accept`, for a request whose permessage-deflate offer breaks
    /// this rule: the 101 must leave the extension out (RFC 7692 §7: the
    /// server "MUST decline"), and the echo is plain. Accepting the offer
    /// fails; refusing the whole connection (4xx) is non-strict.
    Decline(ParamError),
    /// The tester as server answers with a 101 whose edits break this rule
    /// for the client's offers: the client must fail the connection, before
    /// it sends any data message (clients only).
    ClientFails(ResponseError),
}

impl HandshakeCase {
    /// The value a `Set` edit gives header `name` (case-insensitive).
    pub fn set_value(&self, name: &str) -> Option<&str> {
        self.edits.iter().find_map(|e| match e {
            HeaderEdit::Set(n, v) if n.eq_ignore_ascii_case(name) => Some(v.as_str()),
            _ => None,
        })
    }
}

/// The steps of a frame case, built on demand (section 9 payloads are large).
pub type StepsFn = Arc<dyn Fn() -> Vec<Step> + Send + Sync>;

/// What a case exercises.
#[derive(Clone)]
pub enum CaseKind {
    /// Frames after a normal opening handshake.
    Frames(StepsFn),
    /// The opening handshake itself.
    Handshake(HandshakeCase),
}

impl std::fmt::Debug for CaseKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CaseKind::Frames(_) => f.write_str("Frames(..)"),
            CaseKind::Handshake(h) => f.debug_tuple("Handshake").field(h).finish(),
        }
    }
}

/// A case that needs permessage-deflate (RFC 7692): what the tester offers,
/// and how its compressed messages are cut into frames.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeflateCase {
    /// The offers, in order of preference, of one `Sec-WebSocket-Extensions`
    /// header (the tester as client); as server the tester accepts one of
    /// the client's.
    pub offers: Vec<crate::codec::deflate::DeflateParams>,
    /// Frame payload size the *compressed* bytes of each message are cut
    /// into (Autobahn's auto-fragment size); `None` sends each message as
    /// one frame.
    pub fragment: Option<usize>,
    /// As server (`serve`), answer with these offers accepted as they are,
    /// the first that the client's own offers allow, rather than with the
    /// client's first acceptable offer: the case is about these parameters
    /// (21.1). UNIMPLEMENTED when the client's offers allow none of them.
    pub answer_as_offered: bool,
}

/// One conformance case.
#[derive(Clone, Debug)]
pub struct Case {
    /// Stable id: Autobahn's for equivalent cases (`4.1.1`), 14.x and up for ours.
    pub id: String,
    /// What the case sends, in a line.
    pub title: String,
    /// The RFC 6455 section of the requirement (`5.2`).
    pub section: &'static str,
    /// The requirement, quoted from the RFC.
    pub requirement: &'static str,
    /// Frames or handshake.
    pub kind: CaseKind,
    /// How the outcome is decided.
    pub judge: Judge,
    /// Upper bound for the whole case once connected (Autobahn's killAfter).
    pub deadline: Duration,
    /// permessage-deflate, when the case needs it: its whole messages are
    /// compressed as agreed, and a peer that declines makes it UNIMPLEMENTED.
    pub deflate: Option<DeflateCase>,
}

impl Case {
    /// A frame case judged by the model, with a 1 s deadline.
    pub fn frames(
        id: impl Into<String>,
        title: impl Into<String>,
        section: &'static str,
        requirement: &'static str,
        steps: impl Fn() -> Vec<Step> + Send + Sync + 'static,
    ) -> Case {
        Case {
            id: id.into(),
            title: title.into(),
            section,
            requirement,
            kind: CaseKind::Frames(Arc::new(steps)),
            judge: Judge::Model,
            deadline: Duration::from_secs(1),
            deflate: None,
        }
    }

    /// An opening-handshake case, judged by its `HandshakeExpect`, within 2 s.
    pub fn handshake(
        id: impl Into<String>,
        title: impl Into<String>,
        section: &'static str,
        requirement: &'static str,
        request: HandshakeCase,
    ) -> Case {
        Case {
            id: id.into(),
            title: title.into(),
            section,
            requirement,
            kind: CaseKind::Handshake(request),
            judge: Judge::Model,
            deadline: Duration::from_secs(2),
            deflate: None,
        }
    }

    /// Sets the judge.
    pub fn judge(mut self, judge: Judge) -> Case {
        self.judge = judge;
        self
    }

    /// Sets the deadline.
    pub fn deadline(mut self, deadline: Duration) -> Case {
        self.deadline = deadline;
        self
    }

    /// Makes the case one that needs permessage-deflate.
    pub fn deflate(mut self, deflate: DeflateCase) -> Case {
        self.deflate = Some(deflate);
        self
    }

    /// The steps of a frame case (empty for a handshake case).
    pub fn steps(&self) -> Vec<Step> {
        match &self.kind {
            CaseKind::Frames(f) => f(),
            CaseKind::Handshake(_) => Vec::new(),
        }
    }

    /// The Autobahn-style section of the id (`4.1.1` → `4`).
    pub fn top_section(&self) -> &str {
        self.id.split('.').next().unwrap_or(&self.id)
    }
}

/// A model-judged case that sends `frames` in one write.
pub fn one_step(
    id: &str,
    title: &str,
    section: &'static str,
    requirement: &'static str,
    frames: fn() -> Vec<Frame>,
) -> Case {
    Case::frames(id, title, section, requirement, move || {
        vec![send(frames())]
    })
}

/// Shorthand: one `Send` step written whole.
pub fn send(frames: Vec<Frame>) -> Step {
    Step::Send(frames, Delivery::Whole)
}

/// Shorthand: one `Send` step written frame by frame.
pub fn send_sync(frames: Vec<Frame>) -> Step {
    Step::Send(frames, Delivery::FrameWise)
}

/// Shorthand: one `Send` step cut into writes of `n` bytes.
pub fn send_chopped(frames: Vec<Frame>, n: usize) -> Step {
    Step::Send(frames, Delivery::Chops(n))
}

/// Shorthand: `pattern` repeated to `len` bytes, as one message of `opcode`
/// in frames of `fragment` bytes (0: one frame).
pub fn send_generated(
    opcode: OpCode,
    pattern: &'static [u8],
    len: u64,
    fragment: u64,
    delivery: Delivery,
) -> Step {
    let body = Body::pattern(pattern, len);
    Step::SendGenerated(
        Generated {
            opcode,
            body,
            fragment,
            repeat: 1,
        },
        delivery,
    )
}

/// Shorthand: `count` frames of `opcode`, each `pattern` repeated to `len`
/// bytes, in one write — a flood produced as it is written, never held.
pub fn send_repeated(opcode: OpCode, pattern: &'static [u8], len: u64, count: u64) -> Step {
    let body = Body::pattern(pattern, len);
    let g = Generated {
        opcode,
        body,
        fragment: 0,
        repeat: count,
    };
    Step::SendGenerated(g, Delivery::Whole)
}
