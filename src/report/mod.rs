//! Reports: one results model (serde) and a writer per format.

mod results;
mod stream;
mod terminal;

pub use results::{CaseResult, RunResults, SCHEMA_VERSION, WireEntry, hex, rfc3339, wire_of};
pub use stream::{ResultStream, StreamError, StreamHeader, read_stream};
pub use terminal::{Counts, summary};
