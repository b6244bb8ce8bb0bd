#!/usr/bin/env python3
"""A strictly conforming RFC 6455 echo server, Python 3 standard library only.

Written for wsgauntlet's tests as an independent strict server in another
language than the tool: every message is echoed, every rule of RFC 6455 that
a server must enforce is enforced, with the close code the RFC names.

    python3 tests/servers/strict_echo.py --port 0      # prints "listening on 127.0.0.1:PORT"

--restart-every N  every Nth connection gets Close 1012 right after the 101
--shed-above N     a connection that makes more than N open at once gets Close 1013
(both without reading anything first: what a restarting or overloaded server does)
"""
import argparse
import asyncio
import base64
import codecs
import hashlib
import re
import struct
import sys

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_MESSAGE = 64 << 20  # bytes of one reassembled message
MAX_REQUEST = 16 << 10  # bytes of the opening handshake request
HANDSHAKE_TIMEOUT = 10.0
LINGER = 2.0  # after our FIN: how long unread input is still read and dropped
CHUNK = 1 << 16
CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class Fail(Exception):
    """_Fail the WebSocket Connection_ (RFC 6455 §7.1.7) with this close code."""

    def __init__(self, code, why):
        super().__init__(why)
        self.code = code


def valid_close_code(code):
    # §7.4.1/§7.4.2: 0-999 not used; 1004, 1005, 1006, 1015 and the unassigned
    # rest of 1000-2999 are reserved; 1012-1014 are registered with IANA;
    # 3000-4999 belong to libraries and applications.
    return 1000 <= code <= 1003 or 1007 <= code <= 1014 or 3000 <= code <= 4999


class Utf8:
    """Incremental UTF-8 validator that fails as soon as a byte cannot be valid."""

    def __init__(self):
        self.dec = codecs.getincrementaldecoder("utf-8")("strict")

    def feed(self, data, final=False):
        try:
            self.dec.decode(data, final)
        except UnicodeDecodeError:
            return False
        # CPython buffers ED A0..BF (a UTF-16 surrogate) until its third byte:
        # that prefix can never become valid, so fail now (§8.1 fail fast).
        pending = self.dec.getstate()[0]
        return not (len(pending) == 2 and pending[0] == 0xED and pending[1] >= 0xA0)


def unmask(data, key, offset):
    """§5.3: octet i of the data is XORed with octet (i MOD 4) of the key."""
    k = key[offset % 4:] + key[: offset % 4]
    n = len(data)
    m = (k * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "little") ^ int.from_bytes(m, "little")).to_bytes(n, "little")


def frame_head(opcode, n):
    """A server frame header: FIN set, no RSV bits, unmasked (§5.1), minimal length (§5.2)."""
    if n < 126:
        return struct.pack("!BB", 0x80 | opcode, n)
    if n < 1 << 16:
        return struct.pack("!BBH", 0x80 | opcode, 126, n)
    return struct.pack("!BBQ", 0x80 | opcode, 127, n)


def frame(opcode, payload=b""):
    return frame_head(opcode, len(payload)) + payload


def close_frame(code=None):
    return frame(CLOSE, b"" if code is None else struct.pack("!H", code))


def http_response(status, extra=()):
    lines = [f"HTTP/1.1 {status}", *extra, "Connection: close", "Content-Length: 0", "", ""]
    return "\r\n".join(lines).encode()


def tokens(values):
    return {t.strip().lower() for v in values for t in v.split(",") if t.strip()}


def check_request(raw):
    """The 101 response for a valid opening handshake (§4.2.1), else an error response."""
    try:
        text = raw.decode("latin-1")
        request_line, *header_lines = text[:-4].split("\r\n")
        method, _target, version = request_line.split(" ")
    except ValueError:
        return None, http_response("400 Bad Request")
    headers = {}
    for line in header_lines:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip() or line[0] in " \t":
            return None, http_response("400 Bad Request")
        headers.setdefault(name.lower(), []).append(value.strip(" \t"))
    # §4.2.1 item 1: "An HTTP/1.1 or higher GET request".
    if method != "GET":
        return None, http_response("405 Method Not Allowed", ["Allow: GET"])
    m = re.fullmatch(r"HTTP/(\d)\.(\d)", version)
    if not m or (int(m[1]), int(m[2])) < (1, 1):
        return None, http_response("400 Bad Request")
    # §4.2.1 items 2-4: a |Host| header; |Upgrade| containing "websocket";
    # |Connection| including the token "Upgrade" (all ASCII case-insensitive).
    # §4.2.2: if the server finds the handshake invalid, it MUST answer with
    # "an appropriate HTTP error code (such as 400 Bad Request)".
    if len(headers.get("host", [])) != 1:
        return None, http_response("400 Bad Request")
    if "websocket" not in tokens(headers.get("upgrade", [])):
        return None, http_response("400 Bad Request")
    if "upgrade" not in tokens(headers.get("connection", [])):
        return None, http_response("400 Bad Request")
    # §4.2.1 item 6 / §4.2.2: a version other than 13 gets "426 Upgrade Required"
    # and "a |Sec-WebSocket-Version| header field indicating the version(s)".
    if headers.get("sec-websocket-version") != ["13"]:
        return None, http_response("426 Upgrade Required", ["Sec-WebSocket-Version: 13"])
    # §4.2.1 item 5: the key "when decoded, is 16 bytes in length".
    keys = headers.get("sec-websocket-key", [])
    try:
        if len(keys) != 1 or len(base64.b64decode(keys[0], validate=True)) != 16:
            raise ValueError
    except ValueError:
        return None, http_response("400 Bad Request")
    # §4.2.2 step 5: Sec-WebSocket-Accept = base64(SHA-1(key + GUID)).
    # No extension and no subprotocol is ever selected (§4.2.2, §9.1).
    accept = base64.b64encode(hashlib.sha1(keys[0].encode() + GUID).digest()).decode()
    ok = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
          f"Sec-WebSocket-Accept: {accept}", "", ""]
    return "\r\n".join(ok).encode(), None


class Connection:
    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer
        self.message = None  # opcode of the fragmented message in progress
        self.parts = bytearray()
        self.utf8 = None

    async def send(self, data):
        self.writer.write(data)
        await self.writer.drain()

    async def close_tcp(self):
        """Send FIN at once (§5.5.1: "The server MUST close the underlying TCP
        connection immediately"), but keep reading and dropping input for a
        while so that unread data does not turn our close into a reset that
        destroys the Close frame in flight."""
        try:
            await self.writer.drain()
            self.writer.write_eof()
            async def drop():
                while await self.reader.read(CHUNK):
                    pass
            await asyncio.wait_for(drop(), LINGER)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
            pass
        finally:
            self.writer.close()

    async def run(self):
        try:
            while await self.next_frame():
                pass
        except Fail as f:
            # §7.1.7: "the server MUST _Close the WebSocket Connection_"; before
            # that it "SHOULD send a Close frame with an appropriate status code".
            await self.send(close_frame(f.code))
        except (asyncio.IncompleteReadError, ConnectionError):
            return  # the peer went away
        await self.close_tcp()

    async def next_frame(self):
        """Reads and handles one frame; False once the connection is done."""
        read = self.reader.readexactly
        b0, b1 = await read(2)
        fin, rsv, opcode, masked, n = b0 >> 7, (b0 >> 4) & 7, b0 & 15, b1 >> 7, b1 & 127
        # §5.2: "If a nonzero value is received and none of the negotiated
        # extensions defines the meaning of such a nonzero value, the receiving
        # endpoint MUST _Fail the WebSocket Connection_."
        if rsv:
            raise Fail(1002, "RSV bits set")
        # §5.2: "If an unknown opcode is received, the receiving endpoint MUST
        # _Fail the WebSocket Connection_."
        if opcode not in (CONT, TEXT, BINARY, CLOSE, PING, PONG):
            raise Fail(1002, "reserved opcode")
        # §5.1: "The server MUST close the connection upon receiving a frame
        # that is not masked. In this case, a server MAY send a Close frame
        # with a status code of 1002 (protocol error)".
        if not masked:
            raise Fail(1002, "unmasked client frame")
        if n == 126:
            (n,) = struct.unpack("!H", await read(2))
        elif n == 127:
            (n,) = struct.unpack("!Q", await read(8))
            # §5.2: "the most significant bit MUST be 0".
            if n >> 63:
                raise Fail(1002, "64-bit length with its MSB set")
        if opcode >= CLOSE:
            # §5.5: "All control frames MUST have a payload length of 125 bytes
            # or less and MUST NOT be fragmented."
            if n > 125 or not fin:
                raise Fail(1002, "control frame too long or fragmented")
            key = await read(4)
            return await self.control(opcode, unmask(await read(n), key, 0))
        # §5.4: a message is one FIN frame, or a non-FIN text/binary frame,
        # continuations, and a FIN continuation; nothing else may interleave
        # except control frames.
        if opcode == CONT and self.message is None:
            raise Fail(1002, "continuation without a message to continue")
        if opcode != CONT and self.message is not None:
            raise Fail(1002, "new data frame while a fragmented message is open")
        # §7.4.1 1009: "a message that is too big for it to process".
        if len(self.parts) + n > MAX_MESSAGE:
            raise Fail(1009, "message over 64 MiB")
        if opcode != CONT:
            self.message = opcode
            self.utf8 = Utf8() if opcode == TEXT else None
        await self.payload(n, await read(4))
        if fin:
            await self.message_done()
        return True

    async def payload(self, n, key):
        """Streams one data frame's payload into the message, validating text
        as it arrives (§8.1 fail fast: invalid UTF-8 → 1007, §7.4.1)."""
        offset = 0
        while offset < n:
            chunk = await self.reader.read(min(CHUNK, n - offset))
            if not chunk:
                raise asyncio.IncompleteReadError(b"", n - offset)
            data = unmask(chunk, key, offset)
            offset += len(chunk)
            if self.utf8 and not self.utf8.feed(data):
                raise Fail(1007, "invalid UTF-8 in a text message")
            self.parts += data

    async def message_done(self):
        # §8.1: a text message must be valid UTF-8 as a whole (no cut sequence at its end).
        if self.utf8 and not self.utf8.feed(b"", final=True):
            raise Fail(1007, "text message ends inside a UTF-8 sequence")
        # Written 1 MiB at a time, so that a 64 MiB echo does not stall the other connections.
        body = memoryview(self.parts)
        await self.send(frame_head(self.message, len(body)))
        for at in range(0, len(body), 1 << 20):
            await self.send(body[at:at + (1 << 20)])
        self.message, self.parts, self.utf8 = None, bytearray(), None

    async def control(self, opcode, data):
        if opcode == PING:
            # §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong
            # frame in response" with "identical Application data".
            await self.send(frame(PONG, data))
            return True
        if opcode == PONG:
            return True  # §5.5.3: an unsolicited Pong needs no response
        # §5.5.1: "If there is a body, the first two bytes of the body MUST be
        # a 2-byte unsigned integer (in network byte order) representing a
        # status code with value /code/ defined in Section 7.4."
        if len(data) == 1:
            raise Fail(1002, "Close body of 1 byte")
        if len(data) >= 2:
            (code,) = struct.unpack("!H", data[:2])
            if not valid_close_code(code):
                raise Fail(1002, f"invalid close code {code}")
            # §5.5.1 + §8.1: the reason is UTF-8; invalid UTF-8 MUST fail the connection.
            if not Utf8().feed(data[2:], final=True):
                raise Fail(1002, "Close reason is not UTF-8")
        # §5.5.1: "If an endpoint receives a Close frame and did not previously
        # send a Close frame, the endpoint MUST send a Close frame in response
        # ... typically echos the status code it received." An empty Close
        # (1005, no status) is answered with an empty Close.
        code = struct.unpack("!H", data[:2])[0] if data else None
        await self.send(close_frame(code))
        return False


class Server:
    def __init__(self, restart_every, shed_above):
        self.restart_every, self.shed_above = restart_every, shed_above
        self.upgraded = 0  # connections that got a 101
        self.open = 0

    async def handle(self, reader, writer):
        self.open += 1
        try:
            await self.serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.TimeoutError):
            pass
        finally:
            self.open -= 1
            writer.close()

    async def serve(self, reader, writer):
        try:
            raw = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HANDSHAKE_TIMEOUT)
        except asyncio.LimitOverrunError:
            raw = None
        accept, error = check_request(raw) if raw else (None, http_response("400 Bad Request"))
        conn = Connection(reader, writer)
        if error:
            await conn.send(error)
            return await conn.close_tcp()
        self.upgraded += 1
        shed = None
        if self.restart_every and self.upgraded % self.restart_every == 0:
            shed = 1012  # Service Restart
        elif self.shed_above and self.open > self.shed_above:
            shed = 1013  # Try Again Later
        if shed:
            await conn.send(accept + close_frame(shed))
            return await conn.close_tcp()
        await conn.send(accept)
        await conn.run()


async def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=9001, help="0: any free port")
    p.add_argument("--restart-every", type=int, default=0, metavar="N")
    p.add_argument("--shed-above", type=int, default=0, metavar="N")
    args = p.parse_args()
    srv = Server(args.restart_every, args.shed_above)
    server = await asyncio.start_server(srv.handle, "127.0.0.1", args.port, limit=MAX_REQUEST)
    port = server.sockets[0].getsockname()[1]
    print(f"listening on 127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
