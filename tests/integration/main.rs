//! The project's one integration-test binary.

mod fuzz_corpus;
mod utf8_reference;
