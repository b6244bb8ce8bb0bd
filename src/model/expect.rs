//! From a whole frame sequence to what a conforming endpoint must show: the
//! events it sends in order, and how the connection must end.

use super::endpoint::Endpoint;
use super::reaction::{Failure, Reaction};
use crate::codec::{Body, CloseCode, Frame, FrameHeader, OpCode, Violation};

/// One event the endpoint must send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    /// A `Reaction::Message` or `Reaction::Pong`.
    pub reaction: Reaction,
    /// Index of the frame that calls for it.
    pub after_frame: usize,
    /// True for events owed before a later violation: an endpoint that
    /// failed the connection before sending them is non-strict, not wrong.
    pub may_be_missing: bool,
}

/// How the connection must end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// Every frame was fine and none was a Close: the tester starts the
    /// closing handshake once the events arrived, and the endpoint must
    /// answer with 1000 (or an empty Close).
    TesterCloses,
    /// The tester's Close (frame `frame`) must be answered.
    CloseReply {
        /// Index of the tester's Close frame.
        frame: usize,
        /// Correct reply codes.
        codes: Vec<CloseCode>,
        /// Whether a reply without a body is correct.
        empty_ok: bool,
    },
    /// The endpoint must fail the connection.
    Fail {
        /// Index of the frame that breaks the rule.
        frame: usize,
        /// The failure owed.
        failure: Failure,
        /// With a deferrable failure: index of the frame ending the message,
        /// the latest point a non-strict endpoint may fail at (`None` when
        /// the message never ends in the sequence).
        latest_frame: Option<usize>,
    },
}

/// What a conforming endpoint shows for a whole frame sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    /// Events in the order they must arrive.
    pub events: Vec<Expected>,
    /// How the connection ends.
    pub end: End,
    /// Frames breaking a rule the endpoint may tolerate or fail on (1002).
    pub tolerable: Vec<(usize, Violation)>,
}

impl Expectation {
    /// Runs `endpoint` over `frames` and collects what it owes.
    pub fn of(endpoint: Endpoint, frames: &[Frame]) -> Expectation {
        Expectation::of_stream(endpoint, frames, None)
    }

    /// As `of`, for a stream that ends with the header of a frame whose
    /// payload never (or not yet) arrives: a header that already calls for
    /// failing the connection ends the expectation as frame `frames.len()`.
    pub fn of_stream(
        endpoint: Endpoint,
        frames: &[Frame],
        trailing: Option<&FrameHeader>,
    ) -> Expectation {
        let frames: Vec<(FrameHeader, Body)> = frames
            .iter()
            .map(|f| (f.header, Body::Bytes(f.payload.clone())))
            .collect();
        Expectation::of_bodies(endpoint, &frames, trailing)
    }

    /// As `of_stream`, for frames given as a header and a [`Body`] (a
    /// generated payload is modelled piece by piece, never held whole).
    pub fn of_bodies(
        endpoint: Endpoint,
        frames: &[(FrameHeader, Body)],
        trailing: Option<&FrameHeader>,
    ) -> Expectation {
        let mut b = ExpectationBuilder::new(endpoint);
        frames.iter().for_each(|(h, body)| b.push(h, body));
        b.finish(trailing)
    }
}

/// An expectation built a frame at a time, so a plan need not keep its
/// frames (a flood of 100,000) to have them judged.
#[derive(Debug)]
pub struct ExpectationBuilder {
    endpoint: Endpoint,
    events: Vec<Expected>,
    tolerable: Vec<(usize, Violation)>,
    end: End,
    frames: usize,
    /// A deferrable failure whose message has not ended yet.
    awaiting_message_end: bool,
}

impl ExpectationBuilder {
    /// Nothing received yet by `endpoint`.
    pub fn new(endpoint: Endpoint) -> ExpectationBuilder {
        ExpectationBuilder {
            endpoint,
            events: Vec::new(),
            tolerable: Vec::new(),
            end: End::TesterCloses,
            frames: 0,
            awaiting_message_end: false,
        }
    }

    /// The next compressed message should inflate to `plain`
    /// ([`Endpoint::expect_inflated`]).
    pub fn expect_inflated(&mut self, plain: Option<Body>) {
        self.endpoint.expect_inflated(plain);
    }

    /// The sender's compressed messages are all the codec's own
    /// ([`Endpoint::trust_compressor`]).
    pub fn trust_compressor(&mut self) {
        self.endpoint.trust_compressor();
    }

    /// The next frame.
    pub fn push(&mut self, header: &FrameHeader, body: &Body) {
        let i = self.frames;
        self.frames += 1;
        if self.awaiting_message_end && header.opcode == OpCode::CONTINUATION && header.fin {
            self.awaiting_message_end = false;
            if let End::Fail { latest_frame, .. } = &mut self.end {
                *latest_frame = Some(i);
            }
        }
        let owed = self.endpoint.receive_body(header, body);
        if let Some(v) = owed.tolerable {
            self.tolerable.push((i, v));
        }
        match owed.reaction {
            r @ (Reaction::Message { .. } | Reaction::Pong(_)) => self.events.push(Expected {
                reaction: r,
                after_frame: i,
                may_be_missing: false,
            }),
            Reaction::CloseReply { codes, empty_ok } => {
                self.end = End::CloseReply {
                    frame: i,
                    codes,
                    empty_ok,
                };
            }
            Reaction::Fail(failure) => {
                self.awaiting_message_end = failure.deferrable_to_message_end;
                self.end = End::Fail {
                    frame: i,
                    failure,
                    latest_frame: None,
                };
                self.events.iter_mut().for_each(|e| e.may_be_missing = true);
            }
            Reaction::Nothing | Reaction::Ignore => {}
        }
    }

    /// The expectation, for a stream that ends with `trailing`, the header
    /// of a frame whose payload never (or not yet) arrives.
    pub fn finish(mut self, trailing: Option<&FrameHeader>) -> Expectation {
        if let Some(failure) = trailing.and_then(|h| self.endpoint.judge_header(h)) {
            self.end = End::Fail {
                frame: self.frames,
                failure,
                latest_frame: None,
            };
            self.events.iter_mut().for_each(|e| e.may_be_missing = true);
        }
        Expectation {
            events: self.events,
            end: self.end,
            tolerable: self.tolerable,
        }
    }
}

#[cfg(test)]
mod tests;
