//! A raw WebSocket client over TCP built on our codec: it sends exactly the
//! bytes it is given and reports every frame the server sends, unjudged.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use wsgauntlet::codec::{
    ClientRequest, DEFAULT_MAX_HEADER_BYTES, Decoder, Frame, check_response, parse_response,
};

/// The mask key every test frame uses.
pub const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// What the server did next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// It sent a frame.
    Frame(Frame),
    /// It closed TCP.
    Eof,
    /// Nothing within the wait.
    Timeout,
}

/// A client connection past the opening handshake.
pub struct RawPeer {
    /// The socket.
    pub stream: TcpStream,
    buf: BytesMut,
}

impl RawPeer {
    /// Connects and completes the opening handshake; panics if refused.
    pub async fn connect(addr: SocketAddr) -> RawPeer {
        let (peer, status) = RawPeer::handshake(addr, &request(addr).to_bytes()).await;
        assert_eq!(status, 101, "handshake refused");
        peer
    }

    /// Sends `head` and reads the response head: the peer and the status.
    /// A 101 is checked against the request of [`request`].
    pub async fn handshake(addr: SocketAddr, head: &[u8]) -> (RawPeer, u16) {
        let stream = TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).unwrap();
        let mut peer = RawPeer {
            stream,
            buf: BytesMut::new(),
        };
        peer.send_raw(head).await;
        loop {
            if let Some((response, n)) =
                parse_response(&peer.buf, DEFAULT_MAX_HEADER_BYTES).expect("HTTP response")
            {
                let _ = peer.buf.split_to(n);
                if response.status == 101 {
                    check_response(&response, &request(addr)).expect("valid 101");
                }
                return (peer, response.status);
            }
            let n = peer.stream.read_buf(&mut peer.buf).await.expect("read");
            assert!(n > 0, "server closed during the handshake");
        }
    }

    /// Sends one frame as encoded.
    pub async fn send(&mut self, frame: &Frame) {
        self.send_raw(&frame.to_bytes()).await;
    }

    /// Sends bytes as they are.
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.expect("write");
    }

    /// The next thing the server does, waiting at most `within`.
    pub async fn next(&mut self, within: Duration) -> Event {
        let decoder = Decoder::new(1 << 30);
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(frame) = decoder.decode(&mut self.buf).expect("decodable frame") {
                return Event::Frame(frame);
            }
            match tokio::time::timeout_at(deadline, self.stream.read_buf(&mut self.buf)).await {
                Err(_) => return Event::Timeout,
                Ok(Ok(0)) | Ok(Err(_)) => return Event::Eof,
                Ok(Ok(_)) => {}
            }
        }
    }

    /// The next frame, which must come within 2 s.
    pub async fn frame(&mut self) -> Frame {
        match self.next(Duration::from_secs(2)).await {
            Event::Frame(f) => f,
            other => panic!("expected a frame, got {other:?}"),
        }
    }

    /// Asserts the server closes TCP within `within`, with nothing before.
    pub async fn expect_eof(&mut self, within: Duration) {
        let got = timeout(within, self.next(within)).await;
        assert!(matches!(got, Ok(Event::Eof)), "expected EOF, got {got:?}");
    }
}

/// The well-formed upgrade request used by [`RawPeer::connect`].
pub fn request(addr: SocketAddr) -> ClientRequest {
    ClientRequest::new(addr.to_string(), "/", *b"wsgauntlet-tests")
}

/// `frame` masked with [`KEY`], as a client sends it.
pub fn m(frame: Frame) -> Frame {
    frame.masked(KEY)
}
