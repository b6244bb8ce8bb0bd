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

use wsgauntlet::codec::{Frame, OpCode};

use crate::support::broken::{Defect, broken};
use crate::support::peer::{Event, KEY, RawPeer, m};
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

/// Every defect leaves ordinary traffic alone, except the two whose bug is
/// in ordinary traffic itself (masking, turning connections away).
#[tokio::test]
async fn broken_servers_still_serve_valid_traffic() {
    use Defect::*;
    for defect in [
        IgnoresReservedOpcodes,
        Answers1013ToProtocolErrors,
        DropsTcpWithoutClose,
        SkipsUtf8Checks,
        DiesOnMsbLength,
        ThrottlesWith1013 { first_n: 0 },
        HangsOnOrphanContinuation,
        CorruptsMessageOnMidFragmentPing,
        DropsLastByteOf126,
        UnmasksLargePayloadsWrongly,
        AcceptsUnmaskedFrames,
    ] {
        behaves(broken(defect).await.addr).await;
    }
}

/// What each defect does to one probe, next to what the reference does.
async fn probe(server: SocketAddr, frames: &[Frame]) -> Vec<Event> {
    let mut peer = RawPeer::connect(server).await;
    for f in frames {
        peer.send(f).await;
    }
    let mut events = Vec::new();
    loop {
        let e = peer.next(Duration::from_millis(300)).await;
        let done = e != Event::Timeout
            && !matches!(&e, Event::Frame(f) if f.header.opcode != OpCode::CLOSE);
        events.push(e);
        if events.len() > 4 || done || events.last() == Some(&Event::Timeout) {
            return events;
        }
    }
}

/// The close code of the first frame, if it is a Close.
fn first_close(events: &[Event]) -> Option<u16> {
    match events.first() {
        Some(Event::Frame(f)) if f.header.opcode == OpCode::CLOSE => f.close_code().map(|c| c.0),
        _ => None,
    }
}

#[tokio::test]
async fn protocol_error_defects_show_against_the_reference() {
    let good = servers::reference().await;
    let reserved = [
        m(Frame::new(OpCode(0xB), &b""[..])),
        m(Frame::text(&b"hi"[..])),
    ];
    assert_eq!(first_close(&probe(good.addr, &reserved).await), Some(1002));
    let s = broken(Defect::IgnoresReservedOpcodes).await;
    assert_eq!(
        probe(s.addr, &reserved).await[0],
        Event::Frame(Frame::text(&b"hi"[..]))
    );
    let s = broken(Defect::Answers1013ToProtocolErrors).await;
    assert_eq!(first_close(&probe(s.addr, &reserved).await), Some(1013));
    let s = broken(Defect::DropsTcpWithoutClose).await;
    assert_eq!(probe(s.addr, &reserved).await, vec![Event::Eof]);
    let bad_text = [m(Frame::text(&b"\xff"[..]))];
    assert_eq!(first_close(&probe(good.addr, &bad_text).await), Some(1007));
    let s = broken(Defect::Answers1013ToProtocolErrors).await;
    assert_eq!(first_close(&probe(s.addr, &bad_text).await), Some(1013));
    let s = broken(Defect::SkipsUtf8Checks).await;
    assert_eq!(
        probe(s.addr, &bad_text).await[0],
        Event::Frame(Frame::text(&b"\xff"[..]))
    );
    let unmasked = [Frame::text(&b"plain"[..])];
    assert_eq!(first_close(&probe(good.addr, &unmasked).await), Some(1002));
    let s = broken(Defect::AcceptsUnmaskedFrames).await;
    assert_eq!(
        probe(s.addr, &unmasked).await[0],
        Event::Frame(Frame::text(&b"plain"[..]))
    );
    let orphan = [m(Frame::continuation(&b"x"[..])), m(Frame::ping(&b"p"[..]))];
    assert_eq!(first_close(&probe(good.addr, &orphan).await), Some(1002));
    let s = broken(Defect::HangsOnOrphanContinuation).await;
    assert_eq!(probe(s.addr, &orphan).await, vec![Event::Timeout]);
}

#[tokio::test]
async fn masks_own_frames_sends_masked_frames() {
    let s = broken(Defect::MasksOwnFrames).await;
    let got = probe(s.addr, &[m(Frame::text(&b"hi"[..]))]).await;
    let Event::Frame(f) = &got[0] else {
        panic!("{got:?}")
    };
    assert!(f.header.mask.is_some(), "{f:?}");
    assert_eq!(f.payload, &b"hi"[..]);
    let good = servers::reference().await;
    let got = probe(good.addr, &[m(Frame::text(&b"hi"[..]))]).await;
    assert_eq!(got[0], Event::Frame(Frame::text(&b"hi"[..])));
}

#[tokio::test]
async fn dies_on_msb_length_drops_everything_and_refuses_new_connections() {
    let s = broken(Defect::DiesOnMsbLength).await;
    let mut bystander = RawPeer::connect(s.addr).await;
    let mut attacker = RawPeer::connect(s.addr).await;
    attacker
        .send_raw(&[0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1])
        .await;
    attacker.send_raw(&KEY).await;
    assert_eq!(attacker.next(WAIT).await, Event::Eof);
    assert_eq!(bystander.next(WAIT).await, Event::Eof);
    assert!(refuses(s.addr).await, "listener still open");
    let good = servers::reference().await;
    let mut peer = RawPeer::connect(good.addr).await;
    peer.send_raw(&[0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1])
        .await;
    peer.send_raw(&KEY).await;
    let got = peer.next(WAIT).await;
    assert_eq!(
        first_close(std::slice::from_ref(&got)),
        Some(1002),
        "{got:?}"
    );
    assert!(!refuses_now(good.addr).await);
}

#[tokio::test]
async fn throttles_the_first_connections_then_serves() {
    let s = broken(Defect::ThrottlesWith1013 { first_n: 2 }).await;
    let text = [m(Frame::text(&b"hi"[..]))];
    for _ in 0..2 {
        assert_eq!(first_close(&probe(s.addr, &text).await), Some(1013));
    }
    assert_eq!(
        probe(s.addr, &text).await[0],
        Event::Frame(Frame::text(&b"hi"[..]))
    );
}

#[tokio::test]
async fn corrupts_message_on_mid_fragment_ping() {
    let frames = [
        m(Frame::text(&b"ab"[..]).fin(false)),
        m(Frame::continuation(&b"cd"[..]).fin(false)),
        m(Frame::ping(&b"p"[..])),
        m(Frame::continuation(&b"ef"[..])),
    ];
    let pong = Event::Frame(Frame::pong(&b"p"[..]));
    let good = servers::reference().await;
    let want = [pong.clone(), Event::Frame(Frame::text(&b"abcdef"[..]))];
    assert_eq!(probe(good.addr, &frames).await[..2], want[..]);
    let s = broken(Defect::CorruptsMessageOnMidFragmentPing).await;
    let got = probe(s.addr, &frames).await;
    assert_eq!(got[..2], [pong, Event::Frame(Frame::text(&b"abef"[..]))]);
}

#[tokio::test]
async fn length_and_masking_defects_corrupt_echoes() {
    let s = broken(Defect::DropsLastByteOf126).await;
    for (len, echoed) in [(125, 125), (126, 125), (127, 127)] {
        let got = probe(s.addr, &[m(Frame::binary(vec![7u8; len]))]).await;
        assert_eq!(
            got[0],
            Event::Frame(Frame::binary(vec![7u8; echoed])),
            "{len}"
        );
    }
    let s = broken(Defect::UnmasksLargePayloadsWrongly).await;
    let small = vec![9u8; 1000];
    let got = probe(s.addr, &[m(Frame::binary(small.clone()))]).await;
    assert_eq!(got[0], Event::Frame(Frame::binary(small)));
    let large = vec![9u8; 70_000];
    let got = probe(s.addr, &[m(Frame::binary(large.clone()))]).await;
    let Event::Frame(f) = &got[0] else {
        panic!("{got:?}")
    };
    assert_eq!(f.payload[..65_536], large[..65_536]);
    assert_ne!(f.payload[65_536..], large[65_536..]);
}

/// Whether one connection attempt to `addr` is refused right now.
async fn refuses_now(addr: SocketAddr) -> bool {
    tokio::net::TcpStream::connect(addr).await.is_err()
}
