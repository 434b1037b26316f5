"""The room's sockets, kept per process: a change is rendered once and the same text written to
every socket of its group, here, by one loop.

Why not Channels' `group_send` to each consumer: measured on these machines, it costs per
consumer per event (the layer delivers to each consumer's channel, the in-memory layer scans every
channel on each receive, and each delivery hops to the sync thread), 43–50× a bare websockets
server at 1,000 phones; and on Redis every idle consumer's blocking pop times out after 5 s and
drops the socket. So the room's sockets never listen on a channel layer: each process keeps its
own sockets by group (`m<id>.<audience>.<lang>`, `a<id>.<lang>`), and with Redis, one pub/sub
subscription per process, to one channel, relays what any process publishes: each process
writes it to the group's sockets it holds, if any. (A subscription per group cost a Redis
round trip for every phone that came and went, 2,000 each way when a hall reconnected; a
process hears of every meeting's changes, a few a second each, and drops those it has no
socket for.)

Deliveries go through one queue per process, so every socket gets a group's messages in the order
they were sent; a socket that does not take a message within SEND_TIMEOUT (a phone that stopped
reading) is closed rather than allowed to hold up the room: it reconnects and resyncs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings

from assembly.live import wire
from assembly.live.parts import is_room_group

if TYPE_CHECKING:
    import redis

logger = logging.getLogger(__name__)

CLOSE = "\x00close"  # not shown: tells the group's sockets to close (someone removed)
SEND_TIMEOUT = 2.0  # seconds
SUBSCRIBE_TIMEOUT = 5.0  # seconds a socket waits for the process's relay to be subscribed
REOPEN = 1012  # "service restart": the phone reopens its socket at once (app.js) and resyncs


class Socket(Protocol):
    base_send: Any

    async def room_closed(self) -> None: ...

    async def close(self, code: int | None = None) -> None: ...


_groups: dict[str, set[Socket]] = {}
# The screens' groups this process holds a socket of, counted in Redis (see `listened_among`):
# the count's write, awaited by every socket that joins until it is done.
_counted: dict[str, asyncio.Task[bool]] = {}
_loop: asyncio.AbstractEventLoop | None = None
_queue: asyncio.Queue[tuple[str, str]] | None = None
_relay: Relay | None = None


def _channel() -> str:
    return f"{settings.CHANNEL_PREFIX}:live"


def attach(loop: asyncio.AbstractEventLoop) -> None:
    """The loop this process serves its websockets on (each connecting socket says so)."""
    global _loop, _queue, _relay
    if _loop is loop:
        return
    _loop = loop
    _groups.clear()
    _counted.clear()
    _queue = asyncio.Queue()
    loop.create_task(_deliver_forever(_queue))
    _relay = Relay(loop) if settings.REDIS_URL else None


async def join(group: str, socket: Socket) -> None:
    """Add the socket to `group` here; once this returns, everything sent to it arrives."""
    if _relay is not None and not _relay.listening.is_set():
        with contextlib.suppress(TimeoutError):  # Redis down: the room goes on, unrelayed
            async with asyncio.timeout(SUBSCRIBE_TIMEOUT):
                await _relay.listening.wait()
    _groups.setdefault(group, set()).add(socket)
    if _relay is not None and is_room_group(group):
        # Counted before the socket is sent its room: a change made after that is rendered.
        counting = _counted.get(group)
        if counting is None:
            counting = _counted[group] = asyncio.get_running_loop().create_task(
                _relay.count(group, 1)
            )
        with contextlib.suppress(TimeoutError):  # Redis down: counted once it is back
            async with asyncio.timeout(SUBSCRIBE_TIMEOUT):
                await asyncio.shield(counting)


async def leave(groups: Iterable[str], socket: Socket) -> None:
    for group in groups:
        members = _groups.get(group)
        if members is None:
            continue
        members.discard(socket)
        if not members:
            _emptied(group)


def _emptied(group: str) -> None:
    """Nobody listens to `group` here now (`listened`, `listened_among`)."""
    del _groups[group]
    counting = _counted.pop(group, None)
    if counting is not None and _relay is not None:
        asyncio.get_running_loop().create_task(_relay.uncount(group, counting))


def local_count() -> int:
    """How many sockets this process holds (the coalescing window, the benchmark, the tests)."""
    return len({socket for members in _groups.values() for socket in members})


def listened(group: str) -> bool:
    """Whether a push to `group` could reach anyone: callers skip rendering one that cannot (no
    Spanish phone in the hall, no projector yet). Only a process that holds every socket knows:
    with Redis, a person's phone may be in any worker, so theirs may be listened to (a screen's
    group: `listened_among`)."""
    if settings.REDIS_URL:
        return True
    return group in _groups  # a process that never held a socket tells nobody (`send`)


def listened_among(groups: list[str]) -> list[str]:
    """Those of the screens' `groups` that someone may be listening to, in every process.

    With Redis, each worker counts the groups it holds a socket of in one hash (a process
    adds itself as its first socket of a group joins, and takes itself off as its last one
    leaves): a hall whose phones are all English renders no Spanish part, as on `make run`.
    A worker that died leaves its count behind: that group is rendered for nobody until the
    hash is cleared (as every group was before). Redis unreachable: all of them."""
    if not settings.REDIS_URL:
        return [group for group in groups if listened(group)]
    if not groups:
        return []
    try:
        counts = _sync_redis().hmget(_counts_key(), groups)
    except Exception:
        logger.warning("live: Redis unreachable, rendering for every screen", exc_info=True)
        return groups
    return [group for group, count in zip(groups, counts, strict=True) if int(count or 0) > 0]


def _counts_key() -> str:
    return f"{settings.CHANNEL_PREFIX}:listened"


def send(group: str, text: str) -> None:
    """Send `text` to every socket of `group`, in every process; callable from any thread."""
    if settings.REDIS_URL:
        _sync_redis().publish(_channel(), f"{group}\n{text}")
        return
    loop, queue = _loop, _queue
    if loop is None or queue is None or loop.is_closed():
        return  # no socket was ever opened in this process: nobody to tell
    with contextlib.suppress(RuntimeError):  # the loop stopped in between
        loop.call_soon_threadsafe(queue.put_nowait, (group, text))


async def _deliver_forever(queue: asyncio.Queue[tuple[str, str]]) -> None:
    while True:
        group, text = await queue.get()
        try:
            await deliver(group, text)
        except Exception:  # one failed delivery must not stop the next ones
            logger.exception("delivery to %s failed", group)


async def deliver(group: str, text: str) -> None:
    """Write `text` to this process's sockets in `group`, one after another.

    The frame is built once and written straight to each connection that can take it now
    (live.wire: nearly all). Any other socket's send starts eagerly, through ASGI: the few that
    must wait for a slow phone are waited for together, SEND_TIMEOUT at most, before the
    group's next message."""
    members = list(_groups.get(group, ()))
    if text == CLOSE:
        for socket in members:
            await socket.room_closed()
        return
    event = {"type": "websocket.send", "text": text}
    framed = wire.frame(text)
    loop = asyncio.get_running_loop()
    waiting: dict[asyncio.Task[None], Socket] = {}
    for socket in members:
        try:
            if wire.write(socket.base_send, framed):
                continue
        except Exception:  # the connection went as it was written to
            _drop(socket)
            continue
        sending = asyncio.Task(socket.base_send(event), loop=loop, eager_start=True)
        if not sending.done():
            waiting[sending] = socket
        elif sending.cancelled() or sending.exception() is not None:
            _drop(socket)
    if not waiting:
        return
    done, late = await asyncio.wait(waiting, timeout=SEND_TIMEOUT)
    for sending in late:
        sending.cancel()
        _drop(waiting[sending])
    for sending in done:
        if sending.cancelled() or sending.exception() is not None:
            _drop(waiting[sending])


def _drop(socket: Socket) -> None:
    """Gone, or not reading: out of every group here; a live phone reconnects and resyncs."""
    for group, members in list(_groups.items()):
        members.discard(socket)
        if not members:
            _emptied(group)
    asyncio.get_running_loop().create_task(_close_quietly(socket))


def reopen_all() -> None:
    """Close every socket of this process with "service restart" (1012): each phone reopens at
    once, saying which version it shows, and is sent whatever it missed."""
    sockets = {socket for members in _groups.values() for socket in members}
    for group in list(_groups):
        _emptied(group)
    loop = asyncio.get_running_loop()
    for socket in sockets:
        loop.create_task(_close_quietly(socket, code=REOPEN))


def relay_name() -> str:
    return f"{settings.CHANNEL_PREFIX}:relay"


async def _close_quietly(socket: Socket, code: int | None = None) -> None:
    with contextlib.suppress(Exception):
        await socket.close(code)


_sync_client: redis.Redis | None = None


def _sync_redis() -> redis.Redis:
    global _sync_client
    if _sync_client is None:
        import redis

        _sync_client = redis.Redis.from_url(settings.REDIS_URL)
    return _sync_client


class Relay:
    """One Redis pub/sub connection per process, subscribed to the one channel every process
    publishes to; what arrives goes through the same delivery queue as a local send."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        import redis.asyncio

        # Named, so that `CLIENT LIST` in Redis says whose connection this is.
        self.client = redis.asyncio.Redis.from_url(settings.REDIS_URL, client_name=relay_name())
        self.listening = asyncio.Event()  # subscribed: nothing published from now is missed
        self.task = loop.create_task(self.listen())

    async def listen(self) -> None:
        lost = False
        while True:
            pubsub = self.client.pubsub()
            try:
                await pubsub.subscribe(_channel())
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    if message.get("type") == "subscribe":  # Redis confirms: it holds from now
                        self.listening.set()
                        if lost:
                            reopen_all()
                            lost = False
                    elif message.get("type") == "message":
                        self.relay(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("live relay lost Redis; subscribing again", exc_info=True)
                # What was published meanwhile never reached this process: sockets that join
                # wait for the new subscription, and those here reopen once it holds.
                self.listening.clear()
                lost = True
                await asyncio.sleep(0.5)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def count(self, group: str, step: int) -> bool:
        """Count this process in (1) or out (-1) of `group`'s listeners (`listened_among`).
        Counting in is tried again while Redis refuses, as long as a socket of the group is
        here; False if it never was."""
        while True:
            try:
                await self.client.hincrby(_counts_key(), group, step)
                return True
            except Exception:
                logger.warning("live: could not count listeners of %s", group, exc_info=True)
                if step < 0 or group not in _groups:
                    return False
                await asyncio.sleep(0.5)

    async def uncount(self, group: str, counting: asyncio.Task[bool]) -> None:
        """Count this process out of `group`, once it was counted in."""
        with contextlib.suppress(Exception):
            if await counting:
                await self.count(group, -1)

    @staticmethod
    def relay(data: bytes) -> None:
        group, _, text = data.decode().partition("\n")
        if group in _groups and _queue is not None:
            _queue.put_nowait((group, text))
