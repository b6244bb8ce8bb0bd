//! Known-good WebSocket echo servers in the test's runtime, each on a free
//! loopback port: ours and three real Rust libraries. Each echoes text and
//! binary messages, answers pings and closes.

use std::sync::Arc;

use bytes::BytesMut;
use fastwebsockets::{FragmentCollector, OpCode, Role, WebSocket};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use wsgauntlet::codec::{DEFAULT_MAX_HEADER_BYTES, parse_request, reject, server_response};
use wsgauntlet::server::{EchoConfig, EchoServer};

use super::{TestServer, accept_loop, loopback};

/// Our strict reference server with the default configuration.
pub async fn reference() -> TestServer {
    reference_with(EchoConfig::default()).await
}

/// Our strict reference server with `cfg`.
pub async fn reference_with(cfg: EchoConfig) -> TestServer {
    let server = EchoServer::bind("127.0.0.1:0".parse().unwrap(), cfg)
        .await
        .expect("bind");
    let (addr, task) = server.spawn().expect("spawn");
    TestServer::new(addr, task)
}

/// A tokio-tungstenite echo server; the library answers pings and closes.
pub async fn tungstenite() -> TestServer {
    accept_loop(loopback().await, Arc::new(Notify::new()), |stream| async {
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

/// A tokio-websockets echo server; the library answers pings and closes.
pub async fn tokio_websockets() -> TestServer {
    accept_loop(loopback().await, Arc::new(Notify::new()), |stream| async {
        let builder = tokio_websockets::ServerBuilder::new();
        let Ok((_, mut ws)) = builder.accept(stream).await else {
            return;
        };
        while let Some(Ok(msg)) = ws.next().await {
            if (msg.is_text() || msg.is_binary()) && ws.send(msg).await.is_err() {
                return;
            }
        }
    })
}

/// A fastwebsockets echo server (whole messages via `FragmentCollector`,
/// automatic pong and close), after our own HTTP upgrade.
pub async fn fastwebsockets() -> TestServer {
    accept_loop(
        loopback().await,
        Arc::new(Notify::new()),
        |mut stream| async {
            if !upgrade(&mut stream).await {
                return;
            }
            let mut ws = WebSocket::after_handshake(stream, Role::Server);
            ws.set_auto_close(true);
            ws.set_auto_pong(true);
            let mut ws = FragmentCollector::new(ws);
            while let Ok(frame) = ws.read_frame().await {
                let echo = matches!(frame.opcode, OpCode::Text | OpCode::Binary);
                if frame.opcode == OpCode::Close || (echo && ws.write_frame(frame).await.is_err()) {
                    return;
                }
            }
        },
    )
}

/// Our server side of the opening handshake. The head is read a byte at a
/// time so no frame byte after it is consumed (the library reads those).
pub async fn upgrade(stream: &mut TcpStream) -> bool {
    let mut head = BytesMut::new();
    loop {
        let reply = match parse_request(&head, DEFAULT_MAX_HEADER_BYTES) {
            Ok(None) => match stream.read_u8().await {
                Ok(b) => {
                    head.extend_from_slice(&[b]);
                    continue;
                }
                Err(_) => return false,
            },
            Ok(Some((request, _))) => server_response(&request),
            Err(e) => reject(e),
        };
        return stream.write_all(&reply.bytes).await.is_ok() && reply.is_accept();
    }
}
