//! Codec benchmarks: masking throughput, and reading one masked client text
//! frame (decode, unmask, UTF-8 check) side by side with tungstenite and
//! fastwebsockets reading the same bytes from memory.
//!
//! `BENCH_FRAMES=binary` reads binary frames instead, leaving UTF-8 out.
//! `scripts/bench.sh` runs this and prints the ratios.

use std::hint::black_box;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::BytesMut;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use wsgauntlet::codec::{
    Decoder, Frame, Role, Utf8Validator, Validator, apply_mask, apply_mask_naive,
};

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];
const SIZES: [(&str, usize); 5] = [
    ("0B", 0),
    ("125B", 125),
    ("1KiB", 1 << 10),
    ("64KiB", 64 << 10),
    ("1MiB", 1 << 20),
];

/// Valid UTF-8 of exactly `len` bytes: JSON-like text, mostly ASCII with
/// two- three- and four-byte characters mixed in, padded with ASCII.
fn text(len: usize) -> Vec<u8> {
    let unit = "{\"msg\":\"Hello, κόσμε — ünïcödé 😀\",\"n\":12345} ";
    let mut s = String::with_capacity(len);
    'fill: loop {
        for c in unit.chars() {
            if s.len() + c.len_utf8() > len {
                break 'fill;
            }
            s.push(c);
        }
    }
    while s.len() < len {
        s.push('.');
    }
    s.into_bytes()
}

/// Whether to read binary frames (`BENCH_FRAMES=binary`) rather than text.
fn binary() -> bool {
    std::env::var("BENCH_FRAMES").as_deref() == Ok("binary")
}

/// The wire bytes of one final, masked client text (or binary) frame.
fn client_frame(len: usize) -> Vec<u8> {
    let frame = if binary() {
        Frame::binary(text(len))
    } else {
        Frame::text(text(len))
    };
    frame.masked(KEY).to_bytes().to_vec()
}

/// An in-memory stream over a frame's bytes for the peers: reads hand out
/// the same hot bytes our decoder copies from, writes are discarded.
struct Input<'a>(&'a [u8]);

impl io::Read for Input<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl io::Write for Input<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl AsyncRead for Input<'_> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = buf.remaining().min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        buf.put_slice(head);
        self.0 = rest;
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Input<'_> {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, b: &[u8]) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(b.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

fn masking(c: &mut Criterion) {
    let mut g = c.benchmark_group("mask");
    let mut buf = vec![0x5au8; 1 << 20];
    g.throughput(Throughput::Bytes(buf.len() as u64));
    g.bench_function(BenchmarkId::new("apply_mask", "1MiB"), |b| {
        b.iter(|| apply_mask(black_box(&mut buf), KEY))
    });
    g.bench_function(BenchmarkId::new("apply_mask_naive", "1MiB"), |b| {
        b.iter(|| apply_mask_naive(black_box(&mut buf), KEY, 0))
    });
    g.finish();
}

/// Ours: bytes arrive in the buffer, one frame comes off unmasked, and the
/// strict validator checks it (including its UTF-8).
fn read_ours(c: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    let decoder = Decoder::new(64 << 20);
    for (name, len) in SIZES {
        let wire = client_frame(len);
        c.bench_with_input(BenchmarkId::new("wsgauntlet", name), &wire, |b, wire| {
            b.iter(|| {
                let mut buf = BytesMut::new();
                buf.extend_from_slice(wire);
                let frame = decoder
                    .decode(&mut buf)
                    .expect("decodes")
                    .expect("whole frame");
                let violations = Validator::new(Role::Client).check_frame(&frame);
                assert!(violations.is_empty(), "{violations:?}");
                frame
            })
        });
    }
}

/// tungstenite: a server-side `WebSocket` over an in-memory stream reads one
/// message (unmasked, text checked as UTF-8).
fn read_tungstenite(c: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    use tungstenite::protocol::{Role as TRole, WebSocket};
    for (name, len) in SIZES {
        let wire = client_frame(len);
        c.bench_with_input(BenchmarkId::new("tungstenite", name), &wire, |b, wire| {
            b.iter(|| {
                let mut ws = WebSocket::from_raw_socket(Input(wire), TRole::Server, None);
                let msg = ws.read().expect("reads a message");
                assert_eq!(msg.is_binary(), binary());
                msg
            })
        });
    }
}

/// fastwebsockets: a server-role `WebSocket` over an in-memory tokio stream
/// reads one frame (unmasked, text checked as UTF-8), on a current-thread runtime.
fn read_fastwebsockets(c: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    use fastwebsockets::{OpCode as FOpCode, Role as FRole, WebSocket};
    let opcode = if binary() {
        FOpCode::Binary
    } else {
        FOpCode::Text
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    for (name, len) in SIZES {
        let wire = client_frame(len);
        c.bench_with_input(
            BenchmarkId::new("fastwebsockets", name),
            &wire,
            |b, wire| {
                b.iter(|| {
                    let mut ws = WebSocket::after_handshake(Input(wire), FRole::Server);
                    let frame = rt.block_on(ws.read_frame()).expect("reads a frame");
                    assert!(frame.opcode == opcode && frame.payload.len() == len);
                    frame
                })
            },
        );
    }
}

fn read_one_frame(c: &mut Criterion) {
    let mut g = c.benchmark_group("read_frame");
    read_ours(&mut g);
    read_tungstenite(&mut g);
    read_fastwebsockets(&mut g);
    g.finish();
}

/// Where our time goes: each stage of `read_ours` alone.
fn our_stages(c: &mut Criterion) {
    let mut g = c.benchmark_group("stages");
    let decoder = Decoder::new(64 << 20);
    for (name, len) in [("1KiB", 1 << 10), ("1MiB", 1 << 20)] {
        let wire = client_frame(len);
        let frame = decoder
            .decode(&mut BytesMut::from(&wire[..]))
            .unwrap()
            .unwrap();
        g.bench_with_input(BenchmarkId::new("decode", name), &wire, |b, wire| {
            b.iter(|| {
                let mut buf = BytesMut::new();
                buf.extend_from_slice(wire);
                decoder
                    .decode(&mut buf)
                    .expect("decodes")
                    .expect("whole frame")
            })
        });
        g.bench_with_input(BenchmarkId::new("std_from_utf8", name), &frame, |b, f| {
            b.iter(|| std::str::from_utf8(black_box(&f.payload)).is_ok())
        });
        g.bench_with_input(BenchmarkId::new("utf8_validator", name), &frame, |b, f| {
            b.iter(|| Utf8Validator::validate(black_box(&f.payload)))
        });
        g.bench_with_input(BenchmarkId::new("check_frame", name), &frame, |b, f| {
            b.iter(|| Validator::new(Role::Client).check_frame(black_box(f)))
        });
    }
    g.finish();
}

criterion_group!(benches, masking, read_one_frame, our_stages);
criterion_main!(benches);
