//! Every in-process test server really is a WebSocket server (a
//! tokio-tungstenite client gets echoes, pongs and a clean close), and each
//! deliberate defect really shows.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::time::timeout;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode as TCode;

use crate::support::servers;

const WAIT: Duration = Duration::from_secs(2);

/// Echo of a text message, ping → pong, and a clean closing handshake.
async fn behaves(addr: SocketAddr) {
    let (mut ws, _) = connect_async(format!("ws://{addr}/"))
        .await
        .expect("connect");
    ws.send(Message::text("hello")).await.unwrap();
    let echo = timeout(WAIT, ws.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(echo, Message::text("hello"));
    ws.send(Message::binary(vec![1u8, 2, 3])).await.unwrap();
    let echo = timeout(WAIT, ws.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(echo, Message::binary(vec![1u8, 2, 3]));
    ws.send(Message::Ping("p".into())).await.unwrap();
    let pong = timeout(WAIT, ws.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(pong, Message::Pong("p".into()));
    let bye = CloseFrame {
        code: TCode::Normal,
        reason: "bye".into(),
    };
    ws.close(Some(bye)).await.unwrap();
    let reply = timeout(WAIT, ws.next()).await.unwrap().unwrap().unwrap();
    assert!(matches!(reply, Message::Close(_)), "{reply:?}");
    let end = timeout(WAIT, ws.next()).await.unwrap();
    assert!(end.is_none(), "stream must end after the close: {end:?}");
}

#[tokio::test]
async fn reference_behaves() {
    behaves(servers::reference().await.addr).await;
}

#[tokio::test]
async fn tungstenite_behaves() {
    behaves(servers::tungstenite().await.addr).await;
}

#[tokio::test]
async fn tokio_websockets_behaves() {
    behaves(servers::tokio_websockets().await.addr).await;
}

#[tokio::test]
async fn fastwebsockets_behaves() {
    behaves(servers::fastwebsockets().await.addr).await;
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let server = servers::tungstenite().await;
    let addr = server.addr;
    behaves(addr).await;
    drop(server);
    assert!(refuses(addr).await, "{addr} still accepts after the drop");
}

/// Whether connections to `addr` are refused within 2 s (a stopping
/// server's listener may take a moment to close).
async fn refuses(addr: SocketAddr) -> bool {
    let deadline = tokio::time::Instant::now() + WAIT;
    while tokio::time::Instant::now() < deadline {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}
