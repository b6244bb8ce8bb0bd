//! Library-specific parts of the fuzz targets: in-process echo servers of
//! real WebSocket libraries and the deviations each is known to have.
#![forbid(unsafe_code)]

mod adapters;

pub use adapters::{
    RATCHET_TOLERATED, RatchetDeflate, TOKIO_WEBSOCKETS_TOLERATED, TUNGSTENITE_TOLERATED,
    TokioWebsockets, Tungstenite,
};

/// One input against tokio-tungstenite's server, run in process.
pub fn tungstenite_endpoint(data: &[u8]) {
    wsgauntlet::fuzzing::run_endpoint(data, &Tungstenite, TUNGSTENITE_TOLERATED);
}

/// One input against tokio-websockets' server, run in process.
pub fn tokio_websockets_endpoint(data: &[u8]) {
    wsgauntlet::fuzzing::run_endpoint(data, &TokioWebsockets, TOKIO_WEBSOCKETS_TOLERATED);
}

/// One input against ratchet_rs's server with permessage-deflate, run in
/// process: a share of the inputs offer deflate and send compressed
/// messages (`input_with_deflate_from`).
pub fn ratchet_endpoint(data: &[u8]) {
    wsgauntlet::fuzzing::run_deflate_endpoint(data, &RatchetDeflate, RATCHET_TOLERATED);
}
