//! The codec against RFC 7692's own examples, against zlib, and against
//! itself: negotiation both ways.

mod negotiation;

use super::*;
