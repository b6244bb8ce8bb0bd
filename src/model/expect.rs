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
        mut endpoint: Endpoint,
        frames: &[(FrameHeader, Body)],
        trailing: Option<&FrameHeader>,
    ) -> Expectation {
        let mut events = Vec::new();
        let mut tolerable = Vec::new();
        let mut end = End::TesterCloses;
        for (i, (header, body)) in frames.iter().enumerate() {
            let owed = endpoint.receive_body(header, body);
            if let Some(v) = owed.tolerable {
                tolerable.push((i, v));
            }
            match owed.reaction {
                r @ (Reaction::Message { .. } | Reaction::Pong(_)) => events.push(Expected {
                    reaction: r,
                    after_frame: i,
                    may_be_missing: false,
                }),
                Reaction::CloseReply { codes, empty_ok } => {
                    end = End::CloseReply {
                        frame: i,
                        codes,
                        empty_ok,
                    };
                }
                Reaction::Fail(failure) => {
                    let latest_frame = failure
                        .deferrable_to_message_end
                        .then(|| message_end(frames, i))
                        .flatten();
                    end = End::Fail {
                        frame: i,
                        failure,
                        latest_frame,
                    };
                    events.iter_mut().for_each(|e| e.may_be_missing = true);
                }
                Reaction::Nothing | Reaction::Ignore => {}
            }
        }
        if let Some(failure) = trailing.and_then(|h| endpoint.judge_header(h)) {
            end = End::Fail {
                frame: frames.len(),
                failure,
                latest_frame: None,
            };
            events.iter_mut().for_each(|e| e.may_be_missing = true);
        }
        Expectation {
            events,
            end,
            tolerable,
        }
    }
}

/// Index of the first frame after `from` that ends the open message.
fn message_end(frames: &[(FrameHeader, Body)], from: usize) -> Option<usize> {
    frames
        .iter()
        .enumerate()
        .skip(from + 1)
        .find(|(_, (h, _))| h.opcode == OpCode::CONTINUATION && h.fin)
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests;
