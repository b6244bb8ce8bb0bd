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

/// A ratchet_rs echo server with permessage-deflate (ratchet_deflate's
/// default provider: it accepts any valid offer), as the library's own
/// Autobahn server example (`ratchet_rs/examples/autobahn-server.rs`) runs
/// it: ratchet leaves UTF-8 to the application, so a text message is
/// checked with `String::from_utf8` and an invalid one ends the connection,
/// as there. The library answers pings and closes.
#[derive(Clone, Copy, Debug, Default)]
pub struct RatchetDeflate;

impl InProcessServer for RatchetDeflate {
    fn serve(&self, stream: DuplexStream) -> BoxFuture {
        Box::pin(async move {
            let _ = ratchet_echo(stream).await;
        })
    }
}

async fn ratchet_echo(stream: DuplexStream) -> Result<(), ratchet_rs::Error> {
    use ratchet_rs::deflate::DeflateExtProvider;
    use ratchet_rs::{Message, PayloadType, SubprotocolRegistry, WebSocketConfig};
    let upgrader = ratchet_rs::accept_with(
        stream,
        WebSocketConfig::default(),
        DeflateExtProvider::default(),
        SubprotocolRegistry::default(),
    )
    .await?;
    let mut ws = upgrader.upgrade().await?.websocket;
    let mut buf = bytes::BytesMut::new();
    loop {
        let kind = match ws.read(&mut buf).await? {
            Message::Text => {
                std::str::from_utf8(&buf).map_err(|_| std::io::Error::other("invalid UTF-8"))?;
                PayloadType::Text
            }
            Message::Binary => PayloadType::Binary,
            Message::Ping(_) | Message::Pong(_) => continue,
            Message::Close(_) => return Ok(()),
        };
        ws.write(&mut buf, kind).await?;
        ws.flush().await?;
        buf.clear();
    }
}

/// Deviations ratchet_rs is known to have: like tokio-tungstenite, its
/// `FrameDecoder` reads a frame's whole payload (`read_exact`) before it
/// checks the header's rules (an orphan continuation, …), so a header whose
/// payload never completes gets no Close; and UTF-8 is the application's,
/// checked on whole messages, so invalid text in a message that never ends
/// gets no Close either. With permessage-deflate (ratchet_deflate 1.2.1,
/// tests/data/endpoint-findings/): RSV1 is accepted on control and
/// continuation frames (ratchet_core's `FrameHeader::read_from` checks the
/// RSV bits against the negotiated ones only); after the first compressed
/// message every uncompressed message in fragments is inflated too
/// (`DeflateDecoder::decode` never clears its `compressed` flag); and after
/// a DEFLATE block with BFINAL set nothing more is inflated (its zlib
/// stream is never restarted).
pub const RATCHET_TOLERATED: &[Tolerated] = &[
    Tolerated::NoCloseOnIncompleteFrame,
    Tolerated::Utf8CheckedAtMessageEnd,
    Tolerated::AcceptsMisplacedRsv1,
    Tolerated::InflatesUncompressedFragments,
    Tolerated::StopsInflatingAfterFinalBlock,
];
