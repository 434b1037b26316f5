"""Bursts are coalesced: during a vote, "47 of 112 have voted" goes out a few times a second, not
once per ballot.

Per meeting, the first change is broadcast at once; changes arriving within the next `window()`
seconds (WINDOW, longer in a big hall) are merged into one broadcast at the end of it, rendered
then (so with the newest state and version). The bookkeeping lives with the event loop that
serves this process's websockets (the first socket to connect tells us which), and works with
the in-memory channel layer as well as Redis. A change whose window is open goes out from the
thread that made it (`now`), which has just read and rendered what it changed for its reply:
through the loop it took two hops and another thread, with the version read again there. Those
that follow within the window wait on the loop. A process with no socket of its own (a
management command, a test without one) broadcasts at once, as before.

With Redis, the worker processes coalesce each meeting's changes together (`Shared`): each
process broadcast its own, so two workers sent a ballot burst's turnout twice per window to
every phone. The parts wait in one Redis set per meeting; the process that takes the meeting's
slot (SET NX, a window long) broadcasts them all, and one that finds it taken tries again as
it expires, broadcasting what is left, if anything.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any, NamedTuple

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from assembly.live import fanout

logger = logging.getLogger(__name__)

WINDOW = 0.25  # seconds
# A broadcast costs its delivery to every socket (about 0.1 ms each, make bench): a big hall's
# window grows so that a ballot burst's turnout takes no more than about a tenth of a core,
# up to MAX_WINDOW, which still shows the final count within a second.
PER_SOCKET = 0.00025  # seconds of window per socket held here
MAX_WINDOW = 0.75  # seconds


def window() -> float:
    return min(MAX_WINDOW, max(WINDOW, fanout.local_count() * PER_SOCKET))


# How a coalesced change goes out: publish.broadcast(meeting id, parts).
Send = Callable[[int, tuple[str, ...]], None]


class Shared:
    """A meeting's pending parts and its broadcast slot, in Redis, for every worker process."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis.asyncio

        self.client = redis.asyncio.Redis.from_url(url)
        self.url = url
        self.prefix = prefix

    def _keys(self, meeting_id: int) -> tuple[str, str]:
        base = f"{self.prefix}:coalesce:{meeting_id}"
        return f"{base}:parts", f"{base}:slot"

    async def add(self, meeting_id: int, parts: Sequence[str]) -> None:
        pending, _slot = self._keys(meeting_id)
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.sadd(pending, *parts)
            pipe.expire(pending, 60)  # never left behind by a process that died
            await pipe.execute()

    async def claim(self, meeting_id: int, window: float) -> tuple[tuple[str, ...], float]:
        """The parts any process has pending, if this one may broadcast them now (else none,
        and how long until it may try again: none pending, 0). One round trip (CLAIM)."""
        claimed = await self.claiming(keys=self._keys(meeting_id), args=[_ms(window)])
        parts, wait, _others = _claimed(claimed)
        return parts, wait

    def add_and_claim(
        self, meeting_id: int, parts: Sequence[str], window: float
    ) -> tuple[tuple[str, ...], float, bool]:
        """`add`, then `claim`, in one round trip, from a thread (`now`); and whether any
        change was pending before this one (its parts are then taken too)."""
        claimed = fanout.script(CLAIM)(keys=self._keys(meeting_id), args=[_ms(window), *parts])
        return _claimed(claimed)

    @cached_property
    def claiming(self) -> Any:
        return self.client.register_script(CLAIM)


def _ms(window: float) -> int:
    return max(1, int(window * 1000))


def _claimed(claimed: list[Any]) -> tuple[tuple[str, ...], float, bool]:
    left, members, before = claimed
    if int(left):
        return (), max(0.01, int(left) / 1000), bool(int(before))
    return tuple(sorted(member.decode() for member in members)), 0.0, bool(int(before))


# Shared.claim, in Redis at once (four round trips before, each a few hundred Python calls):
# how many parts were pending (before those in ARGV[2..], if any, are added: add_and_claim);
# nothing pending, nothing to do; the slot taken, how long it is held for; else the slot, for
# ARGV[1] ms, and every part pending, taken.
CLAIM = """
local before = redis.call('SCARD', KEYS[1])
if #ARGV > 1 then
  redis.call('SADD', KEYS[1], unpack(ARGV, 2))
  redis.call('EXPIRE', KEYS[1], 60)
elseif before == 0 then
  return {0, {}, 0}
end
if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[1]) then
  return {math.max(1, redis.call('PTTL', KEYS[2])), {}, before}
end
local members = redis.call('SMEMBERS', KEYS[1])
redis.call('DEL', KEYS[1])
return {0, members, before}
"""


_loop: asyncio.AbstractEventLoop | None = None
_loop_thread: int | None = None
_shared: Shared | None = None
# Held while the window's bookkeeping below is read or changed: on the loop, and by a thread
# asking whether a change may go out `now`.
_lock = threading.Lock()
_pending: dict[int, dict[str, None]] = {}  # meeting id → parts, in order
_unshared: dict[int, dict[str, None]] = {}  # those Redis did not take (this process sends them)
_scheduled: set[int] = set()
_last: dict[int, float] = {}


def attach(loop: asyncio.AbstractEventLoop) -> None:
    """The loop this process serves websockets on (called by each connecting socket)."""
    global _loop, _loop_thread, _shared
    if _loop is not loop:
        _loop, _loop_thread = loop, threading.get_ident()
        _shared = (
            Shared(settings.REDIS_URL, settings.CHANNEL_PREFIX) if settings.REDIS_URL else None
        )
        _pending.clear()
        _unshared.clear()
        _scheduled.clear()
        _last.clear()


# Until then, a thread does not ask Redis (`now`): it failed to answer one a moment ago.
_redis_away_until = 0.0
REDIS_AWAY = 5.0  # seconds


class Now(NamedTuple):
    """What a thread broadcasts at once (`now`): `parts`, and whether they are only its own
    change's, so that what it read and rendered for its reply is the newest (`alone`)."""

    parts: tuple[str, ...]
    alone: bool


def now(meeting_id: int, parts: Sequence[str]) -> Now | None:
    """The parts to broadcast at once, from this thread, if the meeting's window is open: no
    change of it waits here, and its last broadcast was a window ago; with Redis, this process
    also takes the window from every worker (Shared.add_and_claim), and sends what any of them
    has pending with its own. Else None: `submit` it. The window starts now, so the changes
    that follow wait for its end. Never on the loop, whose thread must not render or query;
    nor while Redis is away, whose timeouts the person who clicked would wait out."""
    global _redis_away_until
    loop = _loop
    if loop is None or not loop.is_running() or threading.get_ident() == _loop_thread:
        return None
    if meeting_id in _scheduled or meeting_id in _pending:  # asked again below, held
        return None
    if _shared is not None and (
        not fanout.relay_listening() or time.monotonic() < _redis_away_until
    ):
        return None
    try:
        span = window()
    except RuntimeError:  # a socket came or went on the loop as it was counted: the loop's way
        return None
    with _lock:
        at = loop.time()
        if (
            meeting_id in _scheduled
            or meeting_id in _pending
            or at < _last.get(meeting_id, -math.inf) + span
        ):
            return None
        _last[meeting_id] = at
    if _shared is None:
        return Now(tuple(parts), alone=True)
    try:
        claimed, wait, others = _shared.add_and_claim(meeting_id, parts, span)
    except Exception:  # the loop's way, which holds nobody up while Redis is away
        logger.warning("coalescing: Redis did not answer; through the loop", exc_info=True)
        _redis_away_until = time.monotonic() + REDIS_AWAY
        return None
    if wait:  # another worker broadcast within the window: ours wait in Redis for its end
        return None
    return Now(claimed, alone=not others)


def submit(meeting_id: int, parts: Sequence[str], send: Send) -> bool:
    """Hand a change to the loop; False when there is no loop to coalesce on (send it now)."""
    loop = _loop
    if loop is None or loop.is_closed() or not loop.is_running():
        return False
    try:
        asyncio.run_coroutine_threadsafe(_add(loop, meeting_id, tuple(parts), send), loop)
    except RuntimeError:  # the loop stopped in between
        return False
    return True


async def _add(
    loop: asyncio.AbstractEventLoop, meeting_id: int, parts: tuple[str, ...], send: Send
) -> None:
    with _lock:
        _pending.setdefault(meeting_id, {}).update(dict.fromkeys(parts))
    if _shared is not None:
        try:
            await _shared.add(meeting_id, parts)
        except Exception:  # Redis down, or refusing writes: this process sends these itself
            logger.warning("coalescing: Redis unreachable, broadcasting alone", exc_info=True)
            _unshared.setdefault(meeting_id, {}).update(dict.fromkeys(parts))
    if meeting_id in _scheduled:
        return
    _schedule(loop, meeting_id, send, _last.get(meeting_id, -math.inf) + window() - loop.time())


def _schedule(loop: asyncio.AbstractEventLoop, meeting_id: int, send: Send, wait: float) -> None:
    with _lock:
        _scheduled.add(meeting_id)
    loop.call_later(max(0.0, wait), lambda: loop.create_task(_flush(loop, meeting_id, send)))


async def _flush(loop: asyncio.AbstractEventLoop, meeting_id: int, send: Send) -> None:
    with _lock:
        _scheduled.discard(meeting_id)
        parts = tuple(_pending.pop(meeting_id, {}))
    unshared = tuple(_unshared.pop(meeting_id, {}))
    if _shared is not None:
        try:
            claimed, wait = await _shared.claim(meeting_id, window())
        except Exception:  # Redis down: this process's own parts, as without it
            logger.warning("coalescing: Redis unreachable, broadcasting alone", exc_info=True)
        else:
            if wait:  # another process broadcast within the window: what is left goes at its end
                with _lock:
                    _pending.setdefault(meeting_id, {}).update(dict.fromkeys(parts))
                _unshared.setdefault(meeting_id, {}).update(dict.fromkeys(unshared))
                if meeting_id not in _scheduled:
                    _schedule(loop, meeting_id, send, wait)
                return
            # Ours among them, unless another process has sent them already; and any that
            # Redis would not take.
            parts = tuple(dict.fromkeys((*claimed, *unshared)))
    with _lock:
        _last[meeting_id] = loop.time()
    if not parts:
        return
    try:
        # In a thread of its own: the request that made the change may still hold the loop's
        # one thread-sensitive thread.
        await sync_to_async(_send, thread_sensitive=False)(send, meeting_id, parts)
    except Exception:  # one failed broadcast must not stop the next ones
        logger.exception("broadcast of %s for meeting %s failed", parts, meeting_id)


def _send(send: Send, meeting_id: int, parts: tuple[str, ...]) -> None:
    try:
        send(meeting_id, parts)
    finally:
        # As after a request: given back to PostgreSQL's pool; SQLite's kept for the thread's
        # next broadcast (closing and opening it again was 6% of a click's CPU, py-spy).
        close_old_connections()
