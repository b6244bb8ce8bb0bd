//! Deliberately broken servers (filled in below).
