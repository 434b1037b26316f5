"""A change whose window is open goes out from the thread that made it; those that follow
within the window wait for its end, on the loop (assembly.live.coalesce)."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Iterator
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assembly.live import coalesce, fanout
from tests.conftest import client_for

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def websocket_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """This process's websocket loop, running in a thread of its own as under uvicorn, with a
    Redis prefix of this test's own (a window held by an earlier test must not hold here)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def attach() -> None:
        fanout.attach(loop)
        coalesce.attach(loop)
        if coalesce._shared is not None:
            coalesce._shared.prefix = f"window-test-{uuid.uuid4().hex[:8]}"
            assert fanout._relay is not None
            await asyncio.wait_for(fanout._relay.listening.wait(), 5)

    async def detach() -> None:
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for client in (
            getattr(coalesce._shared, "client", None),
            getattr(fanout._relay, "client", None),
        ):
            if client is not None:
                await client.aclose()

    coalesce._redis_away_until = 0.0
    asyncio.run_coroutine_threadsafe(attach(), loop).result(5)
    yield loop
    asyncio.run_coroutine_threadsafe(detach(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def wait_for(test, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not test():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_the_first_change_goes_out_from_its_thread_and_the_next_waits(websocket_loop):
    assert coalesce.now(41, ["stack"]) == (("stack",), True)
    assert coalesce.now(41, ["agenda"]) is None  # within the window: `submit` it
    assert coalesce.now(42, ["agenda"]) == (("agenda",), True)  # each meeting has its own

    async def on_the_loop() -> coalesce.Now | None:
        return coalesce.now(43, ["stack"])

    # The loop's thread never renders nor queries: it hands the change on.
    assert asyncio.run_coroutine_threadsafe(on_the_loop(), websocket_loop).result(5) is None


@pytest.mark.skipif(not settings.REDIS_URL, reason="the relay is Redis's")
def test_while_redis_is_away_a_change_goes_through_the_loop(websocket_loop):
    """Not from the thread of the person who clicked, who would wait out Redis's timeouts."""
    assert fanout._relay is not None
    websocket_loop.call_soon_threadsafe(fanout._relay.listening.clear)
    assert wait_for(lambda: not fanout.relay_listening())
    assert coalesce.now(46, ["stack"]) is None


def test_when_redis_does_not_answer_threads_leave_it_to_the_loop_for_a_while(
    websocket_loop, monkeypatch
):
    asked = []

    class Silent:
        def add_and_claim(self, meeting_id, parts, window):
            asked.append(meeting_id)
            raise TimeoutError("Redis did not answer")

    monkeypatch.setattr(coalesce, "_shared", Silent())
    monkeypatch.setattr(fanout, "relay_listening", lambda: True)
    assert coalesce.now(47, ["stack"]) is None
    assert coalesce.now(48, ["stack"]) is None  # not asked again for a few seconds
    assert asked == [47]


def test_a_change_waiting_on_the_loop_keeps_the_window_shut(websocket_loop, monkeypatch):
    monkeypatch.setattr(coalesce, "WINDOW", 1.0)
    sent: list[tuple[int, tuple[str, ...]]] = []
    assert coalesce.now(44, ["stack"]) is not None  # the window opens, from this thread
    assert coalesce.submit(44, ["turnout"], lambda meeting, parts: sent.append((meeting, parts)))
    assert wait_for(lambda: 44 in coalesce._scheduled)
    with coalesce._lock:
        coalesce._last[44] = float("-inf")  # as if the window had passed: the change still waits
    assert coalesce.now(44, ["agenda"]) is None
    assert wait_for(lambda: bool(sent))
    assert sent == [(44, ("turnout",))]


@pytest.mark.django_db(transaction=True)  # the push goes after commit
def test_a_click_is_pushed_from_its_own_thread_at_the_version_of_its_reply(
    live_meeting, facilitator, websocket_loop, monkeypatch
):
    """The reply read and rendered the change: its push takes that, without reading the
    meeting's version again; a second click within the window goes out at the window's end.
    (The loop is attached after the meeting is set up, whose changes would open its window.)"""
    monkeypatch.setattr(coalesce, "WINDOW", 1.0)  # a click's round trip, on a loaded machine
    monkeypatch.setattr(coalesce, "MAX_WINDOW", 1.0)
    client = client_for(facilitator)
    close = reverse("assembly:stack-close", args=[live_meeting.pk])
    group = f"m{live_meeting.pk}.participant.en"
    sent: list[tuple[str, str, int]] = []

    def record(to: str, text: str) -> None:
        sent.append((to, text, threading.get_ident()))

    def pushed() -> list[tuple[str, int]]:
        return [(text, thread) for to, text, thread in sent if to == group]

    with (
        mock.patch("assembly.live.fanout.listened_among", side_effect=list),  # a screen in each
        mock.patch("assembly.live.fanout.send", side_effect=record),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.post(close, {"closed": "1"}, **HTMX).status_code == 200
        assert len(pushed()) == 1 and pushed()[0][1] == threading.get_ident()
        assert "list is closed" in pushed()[0][0]
        assert not [q for q in queries.captured_queries if '"version" AS' in q["sql"]]

        sent.clear()
        assert client.post(close, {"closed": "0"}, **HTMX).status_code == 200
        assert not sent  # within the window: on the loop, at its end
        assert wait_for(lambda: bool(pushed()))
    assert len(pushed()) == 1 and pushed()[0][1] != threading.get_ident()
    assert "list is closed" not in pushed()[0][0]  # open again, as of then


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("alone", [True, False])
def test_a_push_with_other_changes_in_it_reads_the_version_afresh(live_meeting, facilitator, alone):
    """Taking what other workers had pending, the reply's snapshot may be older than their
    changes: the version is then read again, and the room rendered as it is."""
    close = reverse("assembly:stack-close", args=[live_meeting.pk])
    with (
        mock.patch(
            "assembly.live.publish.coalesce.now", return_value=coalesce.Now(("stack",), alone)
        ),
        mock.patch("assembly.live.publish.broadcast") as broadcast,
    ):
        assert client_for(facilitator).post(close, {"closed": "1"}, **HTMX).status_code == 200
    live_meeting.refresh_from_db()
    broadcast.assert_called_once_with(
        live_meeting.pk, ("stack",), live_meeting.version if alone else None
    )


@pytest.mark.django_db(transaction=True)
def test_a_push_that_fails_loses_nothing_and_answers(live_meeting, member, websocket_loop, caplog):
    """The broadcast now runs in the thread of the person's request, after its commit: a
    failure there is logged, the action stands, and the person gets their answer."""
    from tests.conftest import present

    with (
        mock.patch("assembly.live.publish.broadcast"),
        mock.patch("assembly.live.publish.send_personal"),
    ):
        attendee = present(live_meeting, member)
    raise_hand = reverse("assembly:stack-raise", args=[live_meeting.pk])
    # The check-in above opened the meeting's window (in Redis too): a moment has passed.
    with coalesce._lock:
        coalesce._last.clear()
    if coalesce._shared is not None:
        coalesce._shared.prefix = f"window-test-{uuid.uuid4().hex[:8]}"
    with (
        mock.patch("assembly.live.fanout.listened_among", side_effect=list),
        mock.patch("assembly.live.fanout.send", side_effect=RuntimeError("Redis went away")),
        mock.patch("assembly.live.publish.send_personal"),
    ):
        response = client_for(member).post(raise_hand, {"kind": "speak"}, **HTMX)
    assert response.status_code == 200
    assert attendee.speaker_requests.filter(status="waiting").count() == 1
    assert "Redis went away" in caplog.text
