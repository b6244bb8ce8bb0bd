#!/usr/bin/env python3
"""Autobahn client driver on the Python `websockets` library (asyncio API), library defaults.

    python3 tests/clients/websockets_client.py ws://127.0.0.1:9001 --agent websockets

Runs every case `wsgauntlet serve` offers (/getCaseCount, then /runCase?case=N
for each, echoing every text and binary message as the same type), then
/updateReports. Defaults kept on purpose (websockets 17): compression =
"deflate" (offers `permessage-deflate; client_max_window_bits`), max_size =
1 MiB (a bigger message is refused with Close 1009), max_queue = 16,
ping_interval = 20 s, close_timeout = 10 s. A case the library fails (its
exception) simply ends; serve judges what it saw on the wire.
Started by scripts/real-clients.sh, which installs the pinned version.
"""
import argparse
import asyncio
import sys

from websockets.asyncio.client import connect

# Longer than any case's deadline plus serve's close timeout: a stuck case
# ends here rather than hanging the run.
CASE_LIMIT_S = 120


async def run_case(url):
    try:
        async with connect(url) as ws:
            async for message in ws:  # str for text, bytes for binary
                await ws.send(message)
    except Exception:  # the library failing the connection is the point of many cases
        pass


async def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("url", help="serve's address, ws://HOST:PORT")
    p.add_argument("--agent", default="websockets")
    args = p.parse_args()
    base = args.url.rstrip("/")
    async with connect(f"{base}/getCaseCount") as ws:
        count = int(await ws.recv())
    for n in range(1, count + 1):
        url = f"{base}/runCase?case={n}&agent={args.agent}"
        try:
            await asyncio.wait_for(run_case(url), CASE_LIMIT_S)
        except asyncio.TimeoutError:
            print(f"case {n}: still running after {CASE_LIMIT_S} s, left", file=sys.stderr)
        if n % 100 == 0:
            print(f"{n} of {count} cases", file=sys.stderr, flush=True)
    async with connect(f"{base}/updateReports?agent={args.agent}") as ws:
        await ws.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
