//! The reference echo server against our own frames over TCP: it must do
//! what the model says, at the moment the model says.

use std::time::{Duration, Instant};

use wsgauntlet::codec::{CloseCode, Frame, FrameHeader, OpCode, PayloadLen};
use wsgauntlet::server::EchoConfig;

use crate::support::peer::{Event, KEY, RawPeer, m, request};
use crate::support::servers::{reference, reference_with};

const QUICK: Duration = Duration::from_millis(500);

/// Asserts the next frame is a Close with `code`, then that TCP closes.
async fn expect_close(peer: &mut RawPeer, code: u16) {
    let f = peer.frame().await;
    assert_eq!(f.header.opcode, OpCode::CLOSE, "{f:?}");
    assert_eq!(f.close_code(), Some(CloseCode(code)), "{f:?}");
    assert_eq!(f.header.mask, None, "server frames must be unmasked");
    peer.expect_eof(Duration::from_secs(2)).await;
}

#[tokio::test]
async fn echoes_text_binary_and_fragmented_messages_unmasked() {
    let server = reference().await;
    let mut peer = RawPeer::connect(server.addr).await;
    peer.send(&m(Frame::text(&b"Hello"[..]))).await;
    assert_eq!(peer.frame().await, Frame::text(&b"Hello"[..]));
    peer.send(&m(Frame::binary(vec![0u8, 0xff, 7]))).await;
    assert_eq!(peer.frame().await, Frame::binary(vec![0u8, 0xff, 7]));
    peer.send(&m(Frame::text(&b"fra"[..]).fin(false))).await;
    peer.send(&m(Frame::continuation(&b"gme"[..]).fin(false)))
        .await;
    peer.send(&m(Frame::continuation(&b"nted"[..]))).await;
    assert_eq!(peer.frame().await, Frame::text(&b"fragmented"[..]));
    let big = vec![b'x'; 70_000];
    peer.send(&m(Frame::binary(big.clone()))).await;
    assert_eq!(peer.frame().await.payload, big);
}

#[tokio::test]
async fn answers_ping_with_identical_pong_even_inside_a_message() {
    let server = reference().await;
    let mut peer = RawPeer::connect(server.addr).await;
    peer.send(&m(Frame::ping(&b"abc"[..]))).await;
    assert_eq!(peer.frame().await, Frame::pong(&b"abc"[..]));
    peer.send(&m(Frame::text(&b"a"[..]).fin(false))).await;
    peer.send(&m(Frame::ping(&b""[..]))).await;
    assert_eq!(peer.frame().await, Frame::pong(&b""[..]));
    peer.send(&m(Frame::continuation(&b"b"[..]))).await;
    assert_eq!(peer.frame().await, Frame::text(&b"ab"[..]));
}

#[tokio::test]
async fn frames_pipelined_with_the_handshake_are_served() {
    let server = reference().await;
    let mut head = request(server.addr).to_bytes();
    head.extend_from_slice(&m(Frame::text(&b"early"[..])).to_bytes());
    let (mut peer, status) = RawPeer::handshake(server.addr, &head).await;
    assert_eq!(status, 101);
    assert_eq!(peer.frame().await, Frame::text(&b"early"[..]));
}

#[tokio::test]
async fn reserved_opcode_fails_with_1002() {
    let server = reference().await;
    let mut peer = RawPeer::connect(server.addr).await;
    peer.send(&m(Frame::new(OpCode(0x3), &b"x"[..]))).await;
    expect_close(&mut peer, 1002).await;
}

#[tokio::test]
async fn unmasked_client_frame_fails_with_1002() {
    let server = reference().await;
    let mut peer = RawPeer::connect(server.addr).await;
    peer.send(&Frame::text(&b"x"[..])).await;
    expect_close(&mut peer, 1002).await;
}

#[tokio::test]
async fn invalid_utf8_fails_with_1007() {
    let server = reference().await;
    let mut peer = RawPeer::connect(server.addr).await;
    peer.send(&m(Frame::text(&b"ok \xc0\xaf"[..]))).await;
    expect_close(&mut peer, 1007).await;
}

#[tokio::test]
async fn a_gigabyte_header_gets_1009_without_any_payload() {
    let server = reference().await;
    let mut peer = RawPeer::connect(server.addr).await;
    let header = FrameHeader {
        fin: true,
        rsv: 0,
        opcode: OpCode::BINARY,
        mask: Some(KEY),
        len: PayloadLen::minimal(1 << 30),
    };
    let mut bytes = bytes::BytesMut::new();
    header.write(&mut bytes);
    let start = Instant::now();
    peer.send_raw(&bytes).await;
    match peer.next(QUICK).await {
        Event::Frame(f) => assert_eq!(f.close_code(), Some(CloseCode(1009)), "{f:?}"),
        other => panic!("expected Close 1009 at once, got {other:?}"),
    }
    assert!(start.elapsed() < QUICK);
}

#[tokio::test]
async fn a_message_over_the_cap_in_fragments_gets_1009() {
    let cfg = EchoConfig {
        max_message: 1000,
        ..EchoConfig::default()
    };
    let server = reference_with(cfg).await;
    let mut peer = RawPeer::connect(server.addr).await;
    peer.send(&m(Frame::binary(vec![1u8; 1000]))).await;
    assert_eq!(peer.frame().await.payload.len(), 1000);
    peer.send(&m(Frame::binary(vec![1u8; 600]).fin(false)))
        .await;
    peer.send(&m(Frame::continuation(vec![1u8; 600]))).await;
    expect_close(&mut peer, 1009).await;
}

#[tokio::test]
async fn fails_fast_inside_a_chopped_text_frame() {
    let server = reference().await;
    let mut peer = RawPeer::connect(server.addr).await;
    // Autobahn 6.4.3: "κόσμε", a byte sequence no continuation can save,
    // then more; sent in chops with pauses, the rest never sent.
    let payload = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80edited".to_vec();
    let wire = m(Frame::text(payload)).to_bytes();
    peer.send_raw(&wire[..6 + 11]).await;
    assert_eq!(peer.next(Duration::from_millis(300)).await, Event::Timeout);
    peer.send_raw(&wire[6 + 11..6 + 15]).await;
    match peer.next(QUICK).await {
        Event::Frame(f) => assert_eq!(f.close_code(), Some(CloseCode(1007)), "{f:?}"),
        other => panic!("expected Close 1007 before the frame ends, got {other:?}"),
    }
}

#[tokio::test]
async fn close_is_answered_with_the_echoed_code_then_tcp_closes() {
    let server = reference().await;
    for (sent, want) in [
        (Frame::close(CloseCode(1000), b"bye"), Some(1000)),
        (Frame::close(CloseCode(3000), b""), Some(3000)),
        (Frame::close_empty(), None),
    ] {
        let mut peer = RawPeer::connect(server.addr).await;
        peer.send(&m(sent)).await;
        let reply = peer.frame().await;
        assert_eq!(reply.header.opcode, OpCode::CLOSE);
        assert_eq!(reply.close_code().map(|c| c.0), want);
        peer.expect_eof(QUICK).await;
    }
}

#[tokio::test]
async fn bad_handshakes_get_400_or_426() {
    let server = reference().await;
    let no_key = request(server.addr);
    let no_key = wsgauntlet::codec::ClientRequest {
        key: None,
        ..no_key
    };
    assert_eq!(
        RawPeer::handshake(server.addr, &no_key.to_bytes()).await.1,
        400
    );
    let old = request(server.addr);
    let old = wsgauntlet::codec::ClientRequest {
        version_header: Some("8".into()),
        ..old
    };
    assert_eq!(
        RawPeer::handshake(server.addr, &old.to_bytes()).await.1,
        426
    );
}

#[tokio::test]
async fn idle_connection_gets_1001() {
    let cfg = EchoConfig {
        idle_timeout: Duration::from_millis(200),
        ..EchoConfig::default()
    };
    let server = reference_with(cfg).await;
    let mut peer = RawPeer::connect(server.addr).await;
    expect_close(&mut peer, 1001).await;
}
