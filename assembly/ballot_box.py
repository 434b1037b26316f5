"""The ballot box: a hall's burst of ballots taken together, a thousand in about a second.

A phone's ballot is an htmx POST to /m/<meeting>/decisions/<decision>/vote/. Through Django's
whole stack each one cost about 30 queries, a render of the person's part of the room and some
30 ms of CPU, one at a time: 1,000 ballots sent within a second were all answered only after a
minute (make bench: ack p95 63 s). Here, in front of Django (config/asgi.py), the common ballot
(a present voter's own, cast once, on an open round, from the page) skips that machinery:

1. On the event loop, the request is checked as Django checks it: the allowed host, Django's
   own CSRF middleware, and the session cookie. Nothing is read from the database yet.
2. It is queued. One writer per process takes everything queued and, in its own thread:
   reads the batch's sessions, users and attendances in a few queries (the same rules as
   Django's auth and `permissions.get_access`), then records every ballot of the batch in one
   transaction (`actions.decisions.cast_many`).
3. Each phone gets a small answer once its ballot is committed: "recorded" (#my-vote, with
   an open ballot's choice for the phone to mark), never before. The room's "n of m have
   voted" follows through the live layer, coalesced.

Whatever is not that common ballot goes on to Django's own view, unchanged: a page without
htmx, a proxy's vote, a secret ballot's review, a second ballot, a refused one, a session that
does not check out, a full queue. The box never refuses and never answers an error: it records
a ballot, or passes it on before anything of it was written.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIRequest
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape

from assembly import actions, crowd
from assembly.forms.decisions import read_quickly
from assembly.models import Attendee, Ballot, Decision
from assembly.permissions import Action

logger = logging.getLogger(__name__)

Scope = dict[str, Any]
Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

BALLOT_PATH = re.compile(r"^/m/(\d{1,12})/decisions/(\d{1,12})/vote/$")
MAX_BODY = 16_384  # bytes: a ranked ballot of 30 candidates is well under 1 KB
BATCH = 500  # ballots written in one transaction
QUEUE_MAX = 5_000  # beyond this, ballots go to Django's view (and its queue)
OPERATION_MEMORY = 30 * 60  # seconds a ballot's operation key is remembered


def operation_key(attendee_id: int, decision_id: int, op: str) -> str | None:
    """The cache key that says a ballot's operation went through (never what it held): a phone
    that lost the answer sends the same `op` again and is answered without a second cast."""
    return f"op:{attendee_id}:{decision_id}:{op}" if op else None


@dataclass
class Sent:
    """One ballot as the phone sent it, checked as far as it can be without the database."""

    meeting_id: int
    decision_id: int
    session_key: str
    data: Any  # the POST's QueryDict
    language: str
    answered: asyncio.Future[bool] = field(repr=False)
    marks: str = ""  # an open ballot's choice, which the phone marks (Decision.marks)


class BallotBox:
    """The ASGI app in front of Django's for HTTP: ballots here, everything else to Django."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.writer: Writer | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = BALLOT_PATH.match(scope.get("path", ""))
        if scope["type"] != "http" or scope.get("method") != "POST" or match is None:
            await self.app(scope, receive, send)
            return
        body, whole = await _read_body(receive)
        if whole:
            try:
                sent = checked(scope, body, int(match[1]), int(match[2]))
            except Exception:  # hostile input (too many fields, say): Django answers it
                logger.debug("a ballot the box could not read", exc_info=True)
                sent = None
            if sent is not None and await self._writer().take(sent):
                await _answer(send, sent)
                return
        await self.app(scope, _replaying(body, whole, receive), send)

    def _writer(self) -> Writer:
        loop = asyncio.get_running_loop()
        if self.writer is None or self.writer.loop is not loop:
            if self.writer is not None:  # its loop is gone (tests run one loop after another)
                self.writer.thread.shutdown(wait=False)
            self.writer = Writer(loop)
        return self.writer


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The request's body, and whether that is all of it (False past MAX_BODY)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False  # the client went away: Django sees it too
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True
        if size > MAX_BODY:
            return b"".join(chunks), False


def _replaying(body: bytes, whole: bool, receive: Receive) -> Receive:
    """`receive` for Django: what was read already, then the rest as it comes."""
    first = True

    async def again() -> Message:
        nonlocal first
        if first:
            first = False
            return {"type": "http.request", "body": body, "more_body": not whole}
        return await receive()

    return again


class _CsrfCheck(CsrfViewMiddleware):
    """Django's CSRF middleware, asked only whether it would let the request through (a refusal
    goes on to Django, which refuses it again and answers as it always does)."""

    def _reject(self, request: HttpRequest, reason: str) -> HttpResponse:
        return HttpResponse(status=403)


def _vote(request: HttpRequest) -> HttpResponse:
    """Stands for the vote view in the CSRF check (which only asks whether it is exempt)."""
    return HttpResponse()


_csrf = _CsrfCheck(_vote)


def checked(scope: Scope, body: bytes, meeting_id: int, decision_id: int) -> Sent | None:
    """The ballot, if the request is one the box takes and passes Django's checks; else None."""
    request = ASGIRequest(scope, io.BytesIO(body))
    if request.headers.get("HX-Request") != "true":
        return None  # a page without htmx gets Django's redirect and messages
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return None
    try:
        request.get_host()
    except DisallowedHost:
        return None
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    if not session_key or not crowd.readable():
        return None
    _csrf.process_request(request)
    if _csrf.process_view(request, _vote, (), {}) is not None:
        return None
    if request.POST.get("for_membership"):
        return None  # a proxy's vote: Django's view checks the proxy
    return Sent(
        meeting_id=meeting_id,
        decision_id=decision_id,
        session_key=session_key,
        data=request.POST,
        language=translation.get_language_from_request(request),
        answered=asyncio.get_running_loop().create_future(),
    )


_answers: dict[str, bytes] = {}


def _answer_html(language: str) -> bytes:
    """What a recorded ballot's phone swaps in: the message area cleared, the review closed."""
    html = _answers.get(language)
    if html is None:
        with translation.override(language):
            html = (
                render_to_string("assembly/room/ballot_review_empty.html")
                + render_to_string("assembly/flash.html", {"messages": ()})
            ).encode()
        _answers[language] = html
    return html


async def _answer(send: Send, sent: Sent) -> None:
    marks = f' data-choice="{escape(sent.marks)}"' if sent.marks else ""
    voted = f'<span id="my-vote" hidden data-voted="{sent.decision_id}"{marks}></span>'.encode()
    body = voted + _answer_html(sent.language)
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                (b"vary", b"Cookie"),
                (b"x-content-type-options", b"nosniff"),
                (b"x-frame-options", b"DENY"),
                (b"referrer-policy", b"same-origin"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class Writer:
    """The process's one writer: it takes everything queued as one batch, in its own thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: list[Sent] = []
        self.wake = asyncio.Event()
        self.thread = ThreadPoolExecutor(1, thread_name_prefix="ballot-box")
        self.task = loop.create_task(self._run())

    async def take(self, sent: Sent) -> bool:
        """True once the ballot is recorded; False if Django's view is to have it."""
        if len(self.queue) >= QUEUE_MAX or self.task.done():  # full, or its loop is ending
            return False
        self.queue.append(sent)
        self.wake.set()
        return await sent.answered

    async def _run(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            while self.queue:
                batch, self.queue = self.queue[:BATCH], self.queue[BATCH:]
                try:
                    recorded = await self.loop.run_in_executor(self.thread, record, batch)
                except Exception:  # the batch goes to Django's view, ballot by ballot
                    logger.exception("the ballot box could not take a batch")
                    recorded = set()
                for sent in batch:
                    if not sent.answered.done():
                        sent.answered.set_result(id(sent) in recorded)


def record(batch: list[Sent]) -> set[int]:
    """Record what can be of `batch` (in the writer's thread); the ids of the `Sent` recorded,
    or answered already (a retry whose first try went through)."""
    try:
        voters = _voters(batch)
        done: set[int] = set()
        by_round: dict[tuple[int, int], list[tuple[Sent, Attendee]]] = defaultdict(list)
        for sent in batch:
            voter = voters.get(id(sent))
            if voter is not None:
                by_round[sent.meeting_id, sent.decision_id].append((sent, voter))
        for (meeting_id, decision_id), ballots in by_round.items():
            done |= _record_round(meeting_id, decision_id, ballots)
        return done
    finally:
        close_old_connections()


def _record_round(
    meeting_id: int, decision_id: int, ballots: list[tuple[Sent, Attendee]]
) -> set[int]:
    keys: dict[int, str] = {}
    choices: dict[int, tuple[Sent, dict[str, Any]]] = {}
    unreviewed: set[int] = set()  # a secret ballot's review, the form's to show (cast_many)
    marks: dict[int, str] = {}  # an open ballot's choice as sent: the phone marks it if recorded
    for sent, voter in ballots:
        ballot = read_quickly(sent.data)
        if ballot is None:
            continue  # Django's view answers with the form's messages
        if not ballot.confirm:  # a secret ballot is recorded only from its review
            marks[id(sent)] = Decision.marks(ballot.choice)
        key = operation_key(voter.pk, decision_id, ballot.op)
        if key:
            keys[id(sent)] = key
        if voter.pk not in choices:
            choices[voter.pk] = (sent, ballot.choice)
            if not ballot.confirm:
                unreviewed.add(voter.pk)
    answered = cache.get_many(list(keys.values())) if keys else {}
    done = {sid for sid, key in keys.items() if answered.get(key)}
    waiting = {pk: (sent, choice) for pk, (sent, choice) in choices.items() if id(sent) not in done}
    recorded: list[int] = []
    try:
        if waiting:  # else not even the meeting's lock (on SQLite, the write lock) to take
            recorded = actions.decisions.cast_many(
                meeting_id=meeting_id,
                decision_id=decision_id,
                ballots=[(pk, choice) for pk, (_sent, choice) in waiting.items()],
                unreviewed=unreviewed,
            )
    except actions.ActionError:  # the round's key was lost: Django's view says so
        pass
    stored = {id(waiting[pk][0]) for pk in recorded}
    for sent in (waiting[pk][0] for pk in recorded):
        sent.marks = marks.get(id(sent), "")
    _mark_retries(decision_id, [(sent, voter.pk) for sent, voter in ballots if id(sent) in done])
    remember = {keys[sid]: True for sid in stored if sid in keys}
    if remember:
        try:
            cache.set_many(remember, timeout=OPERATION_MEMORY)
        except Exception:  # recorded all the same: a lost retry meets "already recorded"
            logger.exception("operation keys of a ballot batch not remembered")
    return done | stored


def _mark_retries(decision_id: int, retried: list[tuple[Sent, int]]) -> None:
    """What a retry answered from its operation key marks on its open ballot (`Sent.marks`):
    the choice stored by the try it repeats, not the one it carries (a new tap after a lost
    answer reuses its key: it was not cast). A secret round keeps no ballot row while it is
    open, so a secret ballot is never marked."""
    if not retried:
        return
    stored = dict(
        Ballot.objects.filter(
            decision_id=decision_id,
            attendee_id__in={pk for _sent, pk in retried},
            for_membership__isnull=True,
        ).values_list("attendee_id", "choice")
    )
    for sent, pk in retried:
        sent.marks = Decision.marks(stored.get(pk))


def _voters(batch: list[Sent]) -> dict[int, Attendee]:
    """Each ballot's voter, present in its meeting with a vote and allowed to take part, as
    Django's auth and `permissions.get_access` would find them (assembly.crowd)."""
    found = crowd.access_many(
        [crowd.Asking(sent.session_key, sent.meeting_id, Action.TAKE_PART) for sent in batch]
    )
    voters: dict[int, Attendee] = {}
    for sent, access in zip(batch, found, strict=True):
        voter = access.attendee if access is not None else None
        if voter is not None and voter.is_present and voter.may_vote:
            voters[id(sent)] = voter
    return voters
