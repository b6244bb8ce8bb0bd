//! Echo servers of real libraries over an in-memory stream, for the
//! in-process endpoint harness (`wsgauntlet::fuzzing::run_endpoint`). The
//! integration tests include this file too, so the seeds replay against
//! exactly the servers the fuzz targets run.

use futures_util::{SinkExt, StreamExt};
use wsgauntlet::fuzzing::{BoxFuture, DuplexStream, InProcessServer, Tolerated};

/// A tokio-tungstenite echo server; the library answers pings and closes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tungstenite;

impl InProcessServer for Tungstenite {
    fn serve(&self, stream: DuplexStream) -> BoxFuture {
        Box::pin(async move {
            let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
                return;
            };
            while let Some(Ok(msg)) = ws.next().await {
                if (msg.is_text() || msg.is_binary()) && ws.send(msg).await.is_err() {
                    return;
                }
            }
        })
    }
}

/// A tokio-websockets echo server; the library answers pings and closes.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioWebsockets;

impl InProcessServer for TokioWebsockets {
    fn serve(&self, stream: DuplexStream) -> BoxFuture {
        Box::pin(async move {
            let Ok((_, mut ws)) = tokio_websockets::ServerBuilder::new().accept(stream).await
            else {
                return;
            };
            while let Some(Ok(msg)) = ws.next().await {
                if (msg.is_text() || msg.is_binary()) && ws.send(msg).await.is_err() {
                    return;
                }
            }
        })
    }
}

/// Deviations tokio-tungstenite is known to have (see
/// docs/in-process-fuzzing.md); the fuzzer reports only new ones.
pub const TUNGSTENITE_TOLERATED: &[Tolerated] = &[Tolerated::NoCloseOnIncompleteFrame];

/// Deviations tokio-websockets is known to have: it also refuses a
/// non-minimal length encoding, dropping the connection, and echoes invalid
/// UTF-8 after an empty first fragment (tests/data/endpoint-findings/).
pub const TOKIO_WEBSOCKETS_TOLERATED: &[Tolerated] = &[
    Tolerated::NoCloseOnIncompleteFrame,
    Tolerated::RefusesTolerableViolation,
    Tolerated::EchoesInvalidUtf8,
];
