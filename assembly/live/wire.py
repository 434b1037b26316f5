"""One push, framed once: the same bytes written to every phone's connection.

A server's websocket frames are not masked, so a text sent to a thousand phones is the same
thousand times over on the wire. Through ASGI's `send`, uvicorn encoded the text, built and
serialized the frame again for each socket, behind a coroutine of its own: two thirds of the
server's CPU per push beyond the write itself (py-spy, 1,000 phones). Here the frame is built once
per push and written to each connection whose state lets a frame go out now; anything else (a
phone whose buffer is full, a closing socket, another server than uvicorn's websockets-sansio
protocol, a connection with an extension that rewrites frames) takes ASGI's `send`, which waits
or refuses as it always did.

The keepalive goes the same way (live.fanout.keep_alive): uvicorn pinged each connection on a
timer of its own, and read its pong, about 0.2 ms of server CPU each (a hall of 1,000 phones
kept 1% of a core busy doing nothing else); one ping frame, built once, is written to every
connection in a single pass instead, at the server's own interval, and a connection that did
not answer within the server's timeout is closed as uvicorn closes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State

# The connection a push is written straight to (`writer`).
Writer = WebSocketsSansIOProtocol


def frame(text: str) -> bytes:
    """`text` as one unmasked websocket text frame, as a server sends it."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False, extensions=[])


def ping_frame(payload: bytes) -> bytes:
    """A server's ping carrying `payload`, which the phone's pong echoes."""
    return Frame(Opcode.PING, payload).serialize(mask=False, extensions=[])


def writer(send: Callable[..., Any]) -> Writer | None:
    """The uvicorn connection behind an ASGI `send`, if frames may ever be written straight to
    it: uvicorn's websockets-sansio protocol, with no extension that rewrites frames (those are
    agreed in the handshake, so this is asked once per socket, as it joins: live.fanout)."""
    protocol = getattr(send, "__self__", None)
    if type(protocol) is not WebSocketsSansIOProtocol or protocol.conn.extensions:
        return None
    return protocol


def write(protocol: Writer, data: bytes) -> bool:
    """Write the framed `data` straight to `protocol` if a whole frame can go out now: open, not
    closing, nothing of websockets' own waiting to go out first (a pong), and room in its buffer
    (uvicorn clears `writable` when the phone stops reading; ASGI's `send` then waits), with
    no send still waiting on it (room came back this very turn of the loop: that one was sent
    first). Else False: it must go through `send`.

    Asked of every socket for every push (a thousand times a click): the checks read as few
    objects as they can, each once (3 us a socket before, a fifth of the delivery, py-spy)."""
    conn = protocol.conn
    writable = protocol.writable
    if (
        conn.state is State.OPEN
        and writable.is_set()
        and not writable._waiters
        and not conn.writes
        and not conn.expect_continuation_frame
        and protocol.handshake_complete
        and protocol.initial_response is None
        and not protocol.close_sent
        and not protocol.disconnected
    ):
        transport = protocol.transport
        if not transport.is_closing():
            transport.write(data)
            return True
    return False


def take_keepalive(protocol: Writer) -> float | None:
    """If the server pings its connections (`--ws-ping-interval`, 20 s unless told otherwise),
    uvicorn stops pinging this one on its own timer, and the interval is returned: `ping`
    pings it, with every other in one pass. None: the server was told not to ping."""
    interval = protocol.ping_interval
    if not interval:
        return None
    protocol.stop_keepalive()
    return interval


TIMER_SLACK = 0.05  # seconds: a round's timer may fire a hair before a whole interval is up


def ping(protocol: Writer, payload: bytes, data: bytes) -> None:
    """One keepalive round for `protocol`. If it has not answered the last ping: closed (1011,
    as uvicorn's own keepalive closes it) once the server's `--ws-ping-timeout` (20 s unless
    told otherwise) is up, else left to answer; with no timeout, pinged again, as uvicorn does.
    Otherwise it is sent the framed ping `data` (its `payload`, which uvicorn matches against
    the pong that comes back, forgetting it then). Written even while the phone is slow to
    read, as uvicorn's own ping was: a whole control frame may go between any two frames."""
    if protocol.pending_ping_payload is not None:
        timeout = protocol.ping_timeout
        if timeout is not None:
            if protocol.loop.time() - protocol.ping_sent_at + TIMER_SLACK >= timeout:
                protocol.keepalive_timeout()
            return
    conn = protocol.conn
    if (
        conn.state is State.OPEN
        and not conn.writes
        and protocol.handshake_complete
        and not protocol.close_sent
        and not protocol.disconnected
        and not protocol.transport.is_closing()
    ):
        protocol.transport.write(data)
        protocol.pending_ping_payload = payload
        protocol.ping_sent_at = protocol.loop.time()
