"""One push, framed once: the same bytes written to every phone's connection.

A server's websocket frames are not masked, so a text sent to a thousand phones is the same
thousand times over on the wire. Through ASGI's `send`, uvicorn encoded the text, built and
serialized the frame again for each socket, behind a coroutine of its own: two thirds of the
server's CPU per push beyond the write itself (py-spy, 1,000 phones). Here the frame is built once
per push and written to each connection whose state lets a frame go out now; anything else (a
phone whose buffer is full, a closing socket, another server than uvicorn's websockets-sansio
protocol, a connection with an extension that rewrites frames) takes ASGI's `send`, which waits
or refuses as it always did.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State


def frame(text: str) -> bytes:
    """`text` as one unmasked websocket text frame, as a server sends it."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False, extensions=[])


def direct(send: Callable[..., Any]) -> WebSocketsSansIOProtocol | None:
    """The uvicorn connection behind an ASGI `send`, if a whole frame can be written to it now:
    open, not closing, with nothing that rewrites frames or waits to go out before, and room in
    its buffer (uvicorn clears `writable` when the phone stops reading; `send` then waits)."""
    protocol = getattr(send, "__self__", None)
    if type(protocol) is not WebSocketsSansIOProtocol:
        return None
    conn = protocol.conn
    if (
        protocol.handshake_complete
        and protocol.initial_response is None
        and not protocol.close_sent
        and not protocol.disconnected
        and protocol.writable.is_set()
        # Nor ahead of a send still waiting on it (room came back this very turn of the loop):
        # that one was sent first.
        and not protocol.writable._waiters
        and conn.state is State.OPEN
        and not conn.extensions
        and not conn.expect_continuation_frame
        and not conn.writes  # nothing of websockets' own waits to go out first (a pong)
        and not protocol.transport.is_closing()
    ):
        return protocol
    return None


def write(send: Callable[..., Any], data: bytes) -> bool:
    """Write the framed `data` straight to the connection behind `send`; False if it must go
    through `send` instead."""
    protocol = direct(send)
    if protocol is None:
        return False
    protocol.transport.write(data)
    return True
