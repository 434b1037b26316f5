"""A burst of ballots queues in the process, before it touches the database.

A thousand phones voting within a second are a thousand requests at once. Each Django request
holds its own database connection from its first query (the session) to its end, so a burst
drained the PostgreSQL pool and the requests still waiting after 20 s failed (make bench: 582 of
1,000 ballots answered 500), and on SQLite they waited in its busy loop for the one write lock.
Here ballots wait their turn before the session is even read: a few at a time per process (one
on SQLite, which has one writer; up to half the pool on PostgreSQL, leaving the rest to the
facilitator and everyone else). Each is answered; one that waits two minutes is told to try
again (503), never a bare error.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections.abc import AsyncIterator, Callable

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

BALLOT_PATH = re.compile(r"^/m/\d+/decisions/\d+/vote/$")
BALLOT_WAIT = 120  # seconds


def ballot_slots() -> int:
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        return 1
    pool = database.get("OPTIONS", {}).get("pool") or {}
    return max(1, min(8, int(pool.get("max_size", 4)) // 2))


_slots: threading.BoundedSemaphore | None = None
_slots_made = threading.Lock()


def slots() -> threading.BoundedSemaphore:
    """The process's one queue (however many handlers load this middleware)."""
    global _slots
    with _slots_made:
        if _slots is None:
            _slots = threading.BoundedSemaphore(ballot_slots())
        return _slots


def hand_back_connections() -> None:
    """This thread's connections back to the pool before the next ballot goes, as Django does
    at the end of a request (never one inside a transaction: a test's, say)."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


def is_ballot(method: str | None, path_info: str) -> bool:
    return method == "POST" and BALLOT_PATH.match(path_info) is not None


class BallotQueueMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_ballot(request.method, request.path_info):
            return self.get_response(request)
        queue = slots()
        if not queue.acquire(timeout=BALLOT_WAIT):
            return busy(request)
        try:
            return self.get_response(request)
        finally:
            hand_back_connections()
            queue.release()


def busy(request: HttpRequest) -> HttpResponse:
    with translation.override(translation.get_language_from_request(request)):
        message = _(
            "The hall is voting all at once and yours could not be taken yet. Please try again."
        )
    response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "5"
    return response


class BallotTurns:
    """The same queue, waited in on the event loop (config/handlers.py): a server that takes
    each page on a thread of a bounded pool must not let ballots waiting their turn hold those
    threads, or a burst takes every one of them and the facilitator's clicks wait behind it.
    As many turns at once as the middleware's slots, whose own wait then never blocks."""

    def __init__(self) -> None:
        self._turns: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[bool]:
        """Waits for a turn, BALLOT_WAIT seconds at most: True while holding one, else False."""
        loop = asyncio.get_running_loop()
        if self._turns is None or self._loop is not loop:  # one per loop (tests run several)
            self._turns, self._loop = asyncio.Semaphore(ballot_slots()), loop
        turns = self._turns
        try:
            async with asyncio.timeout(BALLOT_WAIT):
                await turns.acquire()
        except TimeoutError:
            yield False
            return
        try:
            yield True
        finally:
            turns.release()
