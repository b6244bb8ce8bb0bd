//! The oracle: a sans-IO model of a conforming endpoint. Fed the frames its
//! peer sends, it says what a conforming endpoint must do in reply — deliver
//! (echo) messages, answer pings, answer or start the closing handshake, or
//! fail the connection with a given close code — and which alternatives
//! the RFC leaves open. The catalogue, the fuzzer, the cargo-fuzz targets and
//! the reference server all judge with it.

mod declared;
mod endpoint;
mod expect;
mod inflated;
mod reaction;

pub use declared::Declared;
pub use endpoint::{Endpoint, Limits};
pub use expect::{End, Expectation, ExpectationBuilder, Expected};
pub use reaction::{Failure, Owed, Reaction};
