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
import os
import secrets
from collections.abc import Iterable
from socket import gethostname
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
# Seconds between keepalive rounds (`keep_alive`): the server's --ws-ping-interval, as the
# connections it pings say it (uvicorn's default until one does).
_ping_interval = 20.0
REOPEN = 1012  # "service restart": the phone reopens its socket at once (app.js) and resyncs


class Socket(Protocol):
    base_send: Any
    writer: wire.Writer | None  # set as it joins (wire.writer)

    async def room_closed(self) -> None: ...

    async def close(self, code: int | None = None) -> None: ...


_groups: dict[str, set[Socket]] = {}
# The screens' groups this process holds a socket of, and its presence among their listeners
# in Redis (see `listened_among`): that write, awaited by every socket that joins until done.
_present: dict[str, asyncio.Task[bool]] = {}
_me = ""  # this process, among a group's listeners
PRESENCE_TTL = 30  # seconds a process's presence in a group holds unless renewed
PRESENCE_RENEW = 10  # seconds between renewals of every group the process holds
_loop: asyncio.AbstractEventLoop | None = None
_queue: asyncio.Queue[tuple[str, str]] | None = None
_relay: Relay | None = None


def _channel() -> str:
    return f"{settings.CHANNEL_PREFIX}:live"


def attach(loop: asyncio.AbstractEventLoop) -> None:
    """The loop this process serves its websockets on (each connecting socket says so)."""
    global _loop, _queue, _relay, _me
    if _loop is loop:
        return
    _loop = loop
    _groups.clear()
    _present.clear()
    _me = f"{gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
    _queue = asyncio.Queue()
    loop.create_task(_deliver_forever(_queue))
    loop.create_task(_keep_alive_forever())
    _relay = Relay(loop) if settings.REDIS_URL else None


async def join(group: str, socket: Socket) -> None:
    """Add the socket to `group` here; once this returns, everything sent to it arrives."""
    global _ping_interval
    if _relay is not None and not _relay.listening.is_set():
        with contextlib.suppress(TimeoutError):  # Redis down: the room goes on, unrelayed
            async with asyncio.timeout(SUBSCRIBE_TIMEOUT):
                await _relay.listening.wait()
    socket.writer = wire.writer(socket.base_send)
    if socket.writer is not None:
        _ping_interval = wire.take_keepalive(socket.writer) or _ping_interval
    _groups.setdefault(group, set()).add(socket)
    if _relay is not None and is_room_group(group):
        # Present before the socket is sent its room: a change made after that is rendered.
        arriving = _present.get(group)
        if arriving is None:
            arriving = _present[group] = asyncio.get_running_loop().create_task(
                _relay.arrive(group)
            )
        with contextlib.suppress(TimeoutError):  # Redis down: present once it is back
            async with asyncio.timeout(SUBSCRIBE_TIMEOUT):
                await asyncio.shield(arriving)


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
    if _present.pop(group, None) is not None and _relay is not None:
        asyncio.get_running_loop().create_task(_relay.gone(group))


def relay_listening() -> bool:
    """Whether this process's relay holds its Redis subscription now (callable from any thread):
    Redis answered a moment ago, so a thread may ask it something rather than wait out its
    timeouts (live.coalesce.now)."""
    return _relay is not None and _relay.listening.is_set()


def local_count() -> int:
    """How many sockets this process holds (the coalescing window, the benchmark, the tests)."""
    return len(set().union(*_groups.values()))  # in C: asked for at every broadcast


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

    With Redis, each worker says it is present among the listeners of every screen's group it
    holds a socket of: as its first socket of the group joins, again every PRESENCE_RENEW
    seconds, and each presence lapses PRESENCE_TTL seconds after it was last said (by Redis's
    own clock), or as the worker's last socket of the group leaves. So a hall whose phones are
    all English renders no Spanish part, as on `make run`; a worker that died stops counting
    within PRESENCE_TTL; and a Redis that lost its data is told again within PRESENCE_RENEW
    (or at once, as a relay that lost Redis reopens its sockets). Redis unreachable: all."""
    if not settings.REDIS_URL:
        return [group for group in groups if listened(group)]
    if not groups:
        return []
    try:
        heard = script(HEARD)(keys=[presence_key(group) for group in groups])
    except Exception:
        logger.warning("live: Redis unreachable, rendering for every screen", exc_info=True)
        return groups
    return [group for group, listeners in zip(groups, heard, strict=True) if int(listeners)]


def presence_key(group: str) -> str:
    return f"{settings.CHANNEL_PREFIX}:listeners:{group}"


# Lua, so that Redis's clock, not each worker's, says when a presence lapses.
HERE = """
local now = tonumber(redis.call('TIME')[1])
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + tonumber(ARGV[2]), ARGV[1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  redis.call('EXPIRE', key, 2 * tonumber(ARGV[2]))
end
return #KEYS
"""
HEARD = """
local now = tonumber(redis.call('TIME')[1])
local heard = {}
for i, key in ipairs(KEYS) do heard[i] = redis.call('ZCOUNT', key, '(' .. now, '+inf') end
return heard
"""
_scripts: dict[str, Any] = {}


def script(source: str) -> Any:
    """A Lua script registered on the process's synchronous Redis client."""
    client = _sync_redis()
    if source not in _scripts:
        _scripts[source] = client.register_script(source)
    return _scripts[source]


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
            writer = socket.writer
            if writer is not None and wire.write(writer, framed):
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


async def _keep_alive_forever() -> None:
    while True:
        await asyncio.sleep(_ping_interval)
        try:
            keep_alive()
        except Exception:  # one failed round must not stop the next ones
            logger.exception("keepalive round failed")


def keep_alive() -> None:
    """Ping every connection this process writes pushes to, in one pass (live.wire.ping), and
    close each that did not answer in time: a phone that vanished without closing (out of the
    Wi-Fi, battery gone) frees its socket, and a proxy or a NAT does not close a quiet one.
    The others keep their server's own keepalive, if it has one."""
    payload = secrets.token_bytes(4)
    framed = wire.ping_frame(payload)
    writers = {socket.writer for members in _groups.values() for socket in members}
    failed = 0
    for writer in writers:
        if writer is None or not writer.ping_interval:
            continue  # not a connection whose keepalive this process took (`join`)
        try:
            wire.ping(writer, payload, framed)
        except Exception:  # the connection went as it was written to, or uvicorn changed
            if not failed:
                logger.warning("keepalive ping failed", exc_info=True)
            failed += 1


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
SYNC_TIMEOUT = 1.0  # seconds


def _sync_redis() -> redis.Redis:
    global _sync_client
    if _sync_client is None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # Asked from the thread of a request (live.coalesce.now, the broadcast that follows):
        # a Redis that stopped answering holds it a couple of seconds, not redis-py's 5 s,
        # tried three more times with backoff.
        _sync_client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_timeout=SYNC_TIMEOUT,
            socket_connect_timeout=SYNC_TIMEOUT,
            retry=Retry(NoBackoff(), 1),
        )
        _scripts.clear()  # registered on the client before it, if any
    return _sync_client


class Relay:
    """One Redis pub/sub connection per process, subscribed to the one channel every process
    publishes to; what arrives goes through the same delivery queue as a local send."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        import redis.asyncio

        # Named, so that `CLIENT LIST` in Redis says whose connection this is.
        self.client = redis.asyncio.Redis.from_url(settings.REDIS_URL, client_name=relay_name())
        self.listening = asyncio.Event()  # subscribed: nothing published from now is missed
        self.here_script = self.client.register_script(HERE)
        self.task = loop.create_task(self.listen())
        self.renewing = loop.create_task(self.renew())

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

    async def here(self, groups: list[str]) -> None:
        """Say this process is among the listeners of `groups` (`listened_among`)."""
        for start in range(0, len(groups), 500):
            keys = [presence_key(group) for group in groups[start : start + 500]]
            await self.here_script(keys=keys, args=[_me, PRESENCE_TTL])

    async def arrive(self, group: str) -> bool:
        """Present in `group`, tried again while Redis refuses and a socket of it is here."""
        failed = False
        while group in _groups:
            try:
                await self.here([group])
                return True
            except Exception:
                if not failed:  # once per outage, not every half second
                    logger.warning("live: could not join the listeners of %s", group)
                failed = True
                await asyncio.sleep(0.5)
        return False

    async def gone(self, group: str) -> None:
        with contextlib.suppress(Exception):  # else it lapses within PRESENCE_TTL
            await self.client.zrem(presence_key(group), _me)

    async def renew(self) -> None:
        """Say again, every PRESENCE_RENEW seconds, every group this process holds."""
        while True:
            await asyncio.sleep(PRESENCE_RENEW)
            held = [group for group in _groups if is_room_group(group)]
            try:
                await self.here(held)
            except Exception:
                logger.warning("live: could not renew this process's listeners", exc_info=True)

    @staticmethod
    def relay(data: bytes) -> None:
        group, _, text = data.decode().partition("\n")
        if group in _groups and _queue is not None:
            _queue.put_nowait((group, text))
