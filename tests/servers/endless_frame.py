#!/usr/bin/env python3
"""A hostile WebSocket server for memory benchmarks (scripts/bench-conform.sh).

After a valid 101 it sends one binary frame that declares DECLARE bytes
(default 128 MiB - 1: just under the tester's reading cap, so the tester
must read it rather than refuse it at the header) and then zeros for as long
as the peer reads: one frame that never ends within any case deadline.
Standard library only.

    python3 tests/servers/endless_frame.py --port 0   # prints "listening on 127.0.0.1:PORT"
"""

import argparse
import asyncio
import base64
import hashlib
import struct

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


async def handle(reader, writer, declare, rate):
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        writer.close()
        return
    key = b""
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"sec-websocket-key":
            key = value.strip()
    accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
    writer.write(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n"
    )
    writer.write(bytes([0x82, 127]) + struct.pack(">Q", declare))
    chunk = bytes(64 << 10)
    sent = 0
    try:
        while sent < declare:
            writer.write(chunk)
            sent += len(chunk)
            await writer.drain()
            if rate:
                await asyncio.sleep(len(chunk) / rate)
    except (ConnectionError, OSError):
        pass
    writer.close()


async def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--declare", type=int, default=(128 << 20) - 1)
    p.add_argument("--rate", type=float, default=0, help="bytes per second (0: as fast as read)")
    a = p.parse_args()
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, a.declare, a.rate), "127.0.0.1", a.port
    )
    print("listening on 127.0.0.1:%d" % server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
