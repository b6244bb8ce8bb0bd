#!/usr/bin/env python3
"""Echo server on the Python `websockets` library (asyncio API), library defaults.

    python3 tests/servers/websockets_echo.py --port 0   # prints "listening on 127.0.0.1:PORT"

Defaults kept on purpose (websockets 17): max_size = 1 MiB (2**20: a bigger
message is refused with Close 1009), at most 4096 fragments per message
(WEBSOCKETS_MAX_FRAGMENTS, then Close 1009), max_queue = 16 frames,
ping_interval = 20 s, ping_timeout = 20 s, close_timeout = 10 s,
compression = "deflate" (permessage-deflate only when the client offers it;
wsgauntlet does not).
Started by scripts/real-servers.sh, which installs the pinned version.
"""
import argparse
import asyncio

from websockets.asyncio.server import serve


async def echo(ws):
    async for message in ws:  # str for text, bytes for binary: sent back as the same type
        await ws.send(message)


async def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=9001, help="0: any free port")
    args = p.parse_args()
    async with serve(echo, "127.0.0.1", args.port) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"listening on 127.0.0.1:{port}", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
