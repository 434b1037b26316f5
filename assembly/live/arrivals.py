"""Sockets arriving together: who they are, and what their screens lack, read for many at once.

When a hall's Wi-Fi comes back, a thousand phones reopen their sockets within a second. Each
handshake read its session, its user, its access and the room's version through the ORM, one
trip to a database thread each; on SQLite every query's return then waits for the GIL behind
the event loop and the other threads (py-spy --idle: 60% of the server's time in a reconnect
was there). Here a handshake's question waits on the event loop, and one thread answers every
question queued meanwhile, in a few queries whatever their number (`Batch`): the access of a
crowd in six (assembly.crowd), the versions in two.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import sync_to_async
from channels.auth import UserLazyObject
from django.conf import settings
from django.db import close_old_connections
from django.utils.functional import empty

from assembly import crowd, permissions
from assembly.live.auth import resolve_user
from assembly.models import Attendee, Meeting

logger = logging.getLogger(__name__)

MOST = 500  # questions answered in one batch


class Batch[Question, Answer]:
    """Questions asked on the event loop, answered in batches by one thread of their own:
    `answer` takes a list of questions and returns their answers in the same order."""

    def __init__(self, answer: Callable[[list[Question]], list[Answer]], name: str) -> None:
        self.answer = answer
        self.name = name
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: ThreadPoolExecutor | None = None
        self.waiting: list[tuple[Question, asyncio.Future[Answer]]] = []
        self.wake = asyncio.Event()

    async def ask(self, question: Question) -> Answer:
        loop = asyncio.get_running_loop()
        if self.loop is not loop:  # the first question on this loop (tests run one per test)
            self._start(loop)
        future: asyncio.Future[Answer] = loop.create_future()
        self.waiting.append((question, future))
        self.wake.set()
        return await future

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        if self.thread is not None:
            self.thread.shutdown(wait=False)
        self.loop = loop
        self.thread = ThreadPoolExecutor(1, thread_name_prefix=self.name)
        self.waiting = []
        self.wake = asyncio.Event()
        loop.create_task(self._run(loop, self.thread))

    async def _run(self, loop: asyncio.AbstractEventLoop, thread: ThreadPoolExecutor) -> None:
        while self.loop is loop:
            await self.wake.wait()
            self.wake.clear()
            while self.waiting:
                batch, self.waiting = self.waiting[:MOST], self.waiting[MOST:]
                questions = [question for question, _ in batch]
                try:
                    answers = await loop.run_in_executor(thread, self._answer, questions)
                except Exception as error:  # each asker fails as a lone query would
                    logger.exception("%s: a batch of %d failed", self.name, len(batch))
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
                for (_, future), answer in zip(batch, answers, strict=True):
                    if not future.done():  # not given up on (the phone went away)
                        future.set_result(answer)

    def _answer(self, questions: list[Question]) -> list[Answer]:
        try:
            return self.answer(questions)
        finally:
            close_old_connections()


async def off_loop[**P, R](function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """`function` run on a thread of the executor's, beside other sockets' (not the one thread
    Channels runs sync code on), its database connections closed (to the pool) when done.

    Channels' `database_sync_to_async` closes them outside the context the function ran in,
    where asgiref keeps them: on PostgreSQL every such call kept a pooled connection until the
    pool ran dry (seen in the tests as "couldn't get a connection after 20 s")."""

    def run() -> R:
        try:
            return function(*args, **kwargs)
        finally:
            close_old_connections()

    return await sync_to_async(run, thread_sensitive=False)()


def _versions(asked: list[tuple[int, int | None]]) -> list[tuple[int | None, int]]:
    """Each meeting's version, and the one at which the attendee's own part last changed."""
    meetings = dict(
        Meeting.objects.filter(pk__in={m for m, _ in asked}).values_list("pk", "version")
    )
    people = {a for _, a in asked if a is not None}
    personal = dict(
        Attendee.objects.filter(pk__in=people).values_list("pk", "personal_version")
        if people
        else ()
    )
    return [(meetings.get(m), personal.get(a, 0) if a else 0) for m, a in asked]


_access: Batch[crowd.Asking, permissions.Access | None] = Batch(crowd.access_many, "socket-access")
_versions_batch: Batch[tuple[int, int | None], tuple[int | None, int]] = Batch(
    _versions, "socket-versions"
)


async def access(
    scope: dict[str, Any], meeting_id: int, audience: str
) -> permissions.Access | None:
    """The person's access if they may follow the meeting as `audience`; else None."""
    action = permissions.AUDIENCE_ACTION.get(audience)
    if action is None:
        return None
    user = scope.get("user")
    if crowd.readable() and isinstance(user, UserLazyObject) and user._wrapped is empty:
        key = scope.get("cookies", {}).get(settings.SESSION_COOKIE_NAME, "")
        if not key:
            return None  # no session: neither a member signed in nor a guest let in
        return await _access.ask(crowd.Asking(key, meeting_id, action))
    return await off_loop(_access_of, scope, meeting_id, audience)


def _access_of(scope: dict[str, Any], meeting_id: int, audience: str) -> permissions.Access | None:
    """One socket's access, the usual way (sessions kept elsewhere than the database, or a
    user put in the scope by the tests)."""
    return permissions.access_for_socket(
        resolve_user(scope), permissions.guest_tokens(scope.get("session")), meeting_id, audience
    )


async def versions(meeting_id: int, attendee_id: int | None) -> tuple[int | None, int]:
    """The meeting's version now (None if it is gone), and the one at which the attendee's own
    part last changed (0 for a socket with no attendee)."""
    return await _versions_batch.ask((meeting_id, attendee_id))
