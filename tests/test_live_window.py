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
            coalesce._shared and coalesce._shared.client,
            fanout._relay and fanout._relay.client,
        ):
            if client is not None:
                await client.aclose()

    asyncio.run_coroutine_threadsafe(attach(), loop).result(5)
    yield loop
    asyncio.run_coroutine_threadsafe(detach(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def test_the_first_change_goes_out_from_its_thread_and_the_next_waits(websocket_loop):
    assert coalesce.now(41, ["stack"]) == ("stack",)
    assert coalesce.now(41, ["agenda"]) is None  # within the window: `submit` it
    assert coalesce.now(42, ["agenda"]) == ("agenda",)  # each meeting has its own window

    async def on_the_loop() -> tuple[str, ...] | None:
        return coalesce.now(43, ["stack"])

    # The loop's thread never renders nor queries: it hands the change on.
    assert asyncio.run_coroutine_threadsafe(on_the_loop(), websocket_loop).result(5) is None


@pytest.mark.skipif(not settings.REDIS_URL, reason="the relay is Redis's")
def test_while_redis_is_away_a_change_goes_through_the_loop(websocket_loop):
    """Not from the thread of the person who clicked, who would wait out Redis's timeouts."""
    assert fanout._relay is not None
    websocket_loop.call_soon_threadsafe(fanout._relay.listening.clear)
    for _ in range(100):
        if not fanout.relay_listening():
            break
        time.sleep(0.01)
    assert coalesce.now(46, ["stack"]) is None


def test_a_change_waiting_on_the_loop_keeps_the_window_shut(websocket_loop):
    sent: list[tuple[int, tuple[str, ...]]] = []
    assert coalesce.submit(44, ["turnout"], lambda meeting, parts: sent.append((meeting, parts)))
    for _ in range(100):
        if sent:
            break
        time.sleep(0.01)
    assert sent == [(44, ("turnout",))]
    # Sent by the loop a moment ago: the window is its.
    assert coalesce.now(44, ["stack"]) is None


@pytest.mark.django_db(transaction=True)  # the push goes after commit
def test_a_click_is_pushed_from_its_own_thread_at_the_version_of_its_reply(
    live_meeting, facilitator, websocket_loop
):
    """The reply read and rendered the change: its push takes that, without reading the
    meeting's version again; a second click within the window goes out at the window's end.
    (The loop is attached after the meeting is set up, whose changes would open its window.)"""
    client = client_for(facilitator)
    close = reverse("assembly:stack-close", args=[live_meeting.pk])
    group = f"m{live_meeting.pk}.participant.en"
    sent: list[tuple[str, str, int]] = []

    def record(to: str, text: str) -> None:
        sent.append((to, text, threading.get_ident()))

    with (
        mock.patch("assembly.live.fanout.listened_among", side_effect=list),  # a screen in each
        mock.patch("assembly.live.fanout.send", side_effect=record),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.post(close, {"closed": "1"}, **HTMX).status_code == 200
        pushed = [(text, thread) for to, text, thread in sent if to == group]
        assert len(pushed) == 1 and pushed[0][1] == threading.get_ident()
        assert "list is closed" in pushed[0][0]
        assert not [q for q in queries.captured_queries if '"version" AS' in q["sql"]]

        sent.clear()
        assert client.post(close, {"closed": "0"}, **HTMX).status_code == 200
        assert not sent  # within the window: on the loop, at its end
        for _ in range(200):
            if any(to == group for to, _text, _thread in sent):
                break
            time.sleep(0.01)
    again = [(text, thread) for to, text, thread in sent if to == group]
    assert len(again) == 1 and again[0][1] != threading.get_ident()
    assert "list is closed" not in again[0][0]  # open again, as of then
