"""Pages and static files through the real ASGI app (config.asgi): every middleware still runs
(compression, security headers, CSRF), and a page enters its synchronous chain once."""

from __future__ import annotations

import asyncio
import gzip
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from unittest import mock

import pytest
from asgiref.sync import SyncToAsync
from django.core.signals import request_finished, request_started

from config.asgi import application

pytestmark = [pytest.mark.usefixtures("quiet"), pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[1]


def fetch(method: str, path: str, *, body: bytes = b"") -> dict:
    """The app's answer, as a browser asking for compression gets it."""
    return asyncio.run(answer(application, method, path, body=body))


async def answer(app, method: str, path: str, *, body: bytes = b"", language: str = "") -> dict:
    headers = [(b"host", b"testserver"), (b"accept-encoding", b"gzip")]
    if body:
        headers.append((b"content-type", b"application/x-www-form-urlencoded"))
    if language:
        headers.append((b"accept-language", language.encode()))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": headers, "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }  # fmt: skip
    asked = asyncio.Queue()
    asked.put_nowait({"type": "http.request", "body": body, "more_body": False})
    sent = []

    async def send(message: dict) -> None:
        sent.append(message)

    await asyncio.wait_for(app(scope, asked.get, send), 30)
    start = sent[0]
    return {
        "status": start["status"],
        "headers": {k.decode().lower(): v.decode() for k, v in start["headers"]},
        "body": b"".join(m.get("body", b"") for m in sent[1:]),
    }


def test_a_page_is_sent_compressed_with_its_security_headers():
    response = fetch("GET", "/accounts/login/")
    headers = response["headers"]
    assert response["status"] == 200
    assert headers["content-encoding"] == "gzip"
    assert b"<form" in gzip.decompress(response["body"])
    assert headers["x-content-type-options"] == "nosniff"
    assert "default-src" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"


def test_a_static_file_is_sent_whole_and_compressed():
    response = fetch("GET", "/static/assembly/js/app.js")
    assert response["status"] == 200
    assert response["headers"]["content-encoding"] == "gzip"
    assert response["headers"]["x-content-type-options"] == "nosniff"
    expected = (ROOT / "static" / "assembly" / "js" / "app.js").read_bytes()
    assert gzip.decompress(response["body"]) == expected


def test_a_missing_page_and_a_missing_file_are_not_found():
    assert fetch("GET", "/no-such-page/")["status"] == 404
    assert fetch("GET", "/static/assembly/js/no-such-file.js")["status"] == 404


def test_a_form_posted_without_its_csrf_token_is_refused():
    response = fetch("POST", "/accounts/login/", body=b"login=a%40b.org&password=x")
    assert response["status"] == 403


def test_a_page_crosses_into_a_thread_once_not_once_per_middleware():
    # Django's stock handler ran each middleware's steps in a sync_to_async of their own:
    # a dozen and more per page (make bench: 15% of a facilitator's click, in Python calls),
    # and the request_started signal and the response's close in two more.
    calls = []
    original = SyncToAsync.__call__

    async def counted(self, *args, **kwargs):
        calls.append(getattr(self.func, "__qualname__", repr(self.func)))
        return await original(self, *args, **kwargs)

    with mock.patch.object(SyncToAsync, "__call__", counted):
        assert fetch("GET", "/accounts/login/")["status"] == 200
    assert calls == ["OneHopASGIHandler.page"]


def test_pages_one_after_another_are_served_on_kept_threads():
    # Django's own handler starts a thread for every request (and on SQLite, opens a
    # database connection on it). Kept threads serve page after page; another is started
    # only when none is free (the one that just served may still be on its way back).
    threads = []

    def note(sender, **kwargs):
        threads.append(threading.current_thread().name)

    request_started.connect(note)
    try:
        for _page in range(20):
            assert fetch("GET", "/accounts/login/")["status"] == 200
    finally:
        request_started.disconnect(note)
    assert len(threads) == 20
    assert len(set(threads)) <= 5, threads


def test_a_page_is_started_and_finished_on_its_own_thread():
    # request_finished, where Django closes the connection (or hands it back to the pool),
    # must run on the thread that used it.
    seen = []

    def note(sender, **kwargs):
        seen.append(threading.current_thread().name)

    request_started.connect(note)
    request_finished.connect(note)
    try:
        assert fetch("GET", "/accounts/login/")["status"] == 200
    finally:
        request_started.disconnect(note)
        request_finished.disconnect(note)
    assert len(seen) == 2 and seen[0] == seen[1] and seen[0].startswith("page"), seen


BALLOT = "/m/1/decisions/1/vote/"  # what the ballot box passes on goes through Django's view


@pytest.fixture
def one_turn(monkeypatch):
    """One ballot at a time (as on SQLite), and the first one to come held in Django until
    `release` is set; pages on two threads, so that a burst could take them all."""
    from django.middleware.csrf import CsrfViewMiddleware

    from assembly import middleware
    from config.handlers import OneHopASGIHandler

    monkeypatch.setattr(middleware, "ballot_slots", lambda: 1)
    monkeypatch.setattr(middleware, "_slots", None)
    held, release = threading.Event(), threading.Event()
    original = CsrfViewMiddleware.process_view

    def holding(self, request, *args):
        if request.path_info == BALLOT and not held.is_set():
            held.set()
            release.wait(10)
        return original(self, request, *args)

    monkeypatch.setattr(CsrfViewMiddleware, "process_view", holding)
    handler = OneHopASGIHandler()
    handler.threads = ThreadPoolExecutor(2, thread_name_prefix="page")
    yield handler, held, release
    release.set()


def test_ballots_waiting_their_turn_leave_the_pages_to_everyone_else(one_turn):
    # Each ballot waited for its turn on a thread of its own; on kept threads, a burst would
    # take every one and the facilitator's clicks would wait behind it.
    handler, held, release = one_turn

    async def burst_and_a_click():
        ballots = [
            asyncio.create_task(answer(handler, "POST", BALLOT, body=b"vote=yes"))
            for _ballot in range(3)
        ]
        try:
            assert await asyncio.to_thread(held.wait, 5)
            page = await asyncio.wait_for(answer(handler, "GET", "/accounts/login/"), 5)
        finally:
            release.set()
        return page, await asyncio.gather(*ballots)

    page, ballots = asyncio.run(burst_and_a_click())
    assert page["status"] == 200
    assert len(ballots) == 3 and all(b["status"] < 500 for b in ballots)  # each answered


def test_a_ballot_that_cannot_get_its_turn_is_told_to_try_again(one_turn, monkeypatch):
    handler, held, release = one_turn
    monkeypatch.setattr("assembly.middleware.BALLOT_WAIT", 0.3)

    async def two_ballots():
        first = asyncio.create_task(answer(handler, "POST", BALLOT, body=b"vote=yes"))
        try:
            assert await asyncio.to_thread(held.wait, 5)
            second = await answer(handler, "POST", BALLOT, body=b"vote=yes", language="es")
        finally:
            release.set()
        await first
        return second

    second = asyncio.run(two_ballots())
    assert second["status"] == 503
    assert second["headers"]["retry-after"] == "5"
    assert "Inténtalo de nuevo" in second["body"].decode()  # in their language
