"""The limit `make bench` compares the app with: a bare `websockets` broadcast server.

Any client that sends "go" makes it write one text message of exactly --size bytes to every
connected client, with websockets' `broadcast` (no framework, no per-client work beyond the write).
The shape of /work/shared/reference/live/ws_server.py, with the message size a parameter so that
it matches the app's own push.

    python benchmarks/bare_ws.py --port 8765 --size 1400
"""

from __future__ import annotations

import argparse
import asyncio

from websockets.asyncio.server import broadcast, serve


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--size", type=int, default=300, help="bytes per broadcast message")
    args = parser.parse_args()
    clients = set()

    def message(seq: str) -> str:
        head = f"push {seq} "
        return head + "x" * max(0, args.size - len(head))

    async def handler(ws) -> None:
        clients.add(ws)
        try:
            async for text in ws:
                if isinstance(text, str) and text.startswith("go"):
                    broadcast(clients, message(text[3:]))
        finally:
            clients.discard(ws)

    async def run() -> None:
        # No compression, as the app is served; no keepalive pings, as the founders' reference
        # (the app's pings are measured apart: room_bench.idle_cpu); uvicorn's listen backlog.
        async with serve(
            handler,
            "127.0.0.1",
            args.port,
            compression=None,
            ping_interval=None,
            max_queue=None,
            backlog=2048,
        ) as server:
            await server.serve_forever()

    asyncio.run(run())


if __name__ == "__main__":
    main()
