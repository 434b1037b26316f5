"""Workers coalesce a meeting's changes together on Redis: one broadcast per window for all."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings

from assembly.live.coalesce import Shared

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL, reason="coalescing across workers is Redis's (REDIS_URL unset)"
)


@pytest.fixture
async def workers():
    """Two worker processes' views of the same Redis, under a prefix of this test's own."""
    prefix = f"{settings.CHANNEL_PREFIX}-test-{uuid.uuid4().hex[:8]}"
    one, two = Shared(settings.REDIS_URL, prefix), Shared(settings.REDIS_URL, prefix)
    yield one, two
    for worker in (one, two):
        await worker.client.aclose()


async def test_one_worker_broadcasts_what_both_have_pending_and_the_other_waits(workers):
    one, two = workers
    await one.add(7, ["turnout"])
    await two.add(7, ["stack", "turnout"])

    parts, wait = await one.claim(7, 0.5)
    assert (parts, wait) == (("stack", "turnout"), 0.0)
    # The other worker's own change went out with that broadcast: nothing left to send.
    assert await two.claim(7, 0.5) == ((), 0.0)

    # A change made within the window waits for it to end, then goes out once.
    await two.add(7, ["decision"])
    parts, wait = await two.claim(7, 0.5)
    assert parts == () and 0 < wait <= 0.5
    await one.client.delete(f"{one.prefix}:coalesce:7:slot")  # the window ends
    assert await two.claim(7, 0.5) == (("decision",), 0.0)
    assert await one.claim(7, 0.5) == ((), 0.0)


async def test_meetings_are_coalesced_apart(workers):
    one, two = workers
    await one.add(1, ["stack"])
    await two.add(2, ["agenda"])
    assert await one.claim(1, 0.5) == (("stack",), 0.0)
    assert await two.claim(2, 0.5) == (("agenda",), 0.0)


async def test_a_change_redis_would_not_take_is_still_broadcast(monkeypatch):
    """Redis refusing writes (full, say) while it still answers reads: this process sends its
    own change itself rather than lose it."""
    import asyncio

    import redis

    from assembly.live import coalesce

    async def refuse(self, meeting_id, parts):
        raise redis.exceptions.ResponseError("OOM command not allowed")

    coalesce.attach(asyncio.get_running_loop())
    monkeypatch.setattr(coalesce.Shared, "add", refuse)
    sent = []
    assert coalesce.submit(987654, ["stack"], lambda meeting, parts: sent.append((meeting, parts)))
    for _ in range(100):
        if sent:
            break
        await asyncio.sleep(0.02)
    assert sent == [(987654, ("stack",))]
    assert coalesce._shared is not None
    await coalesce._shared.client.aclose()


async def test_a_thread_adds_and_claims_at_once(workers):
    """A change whose window is open here goes out from its own thread (coalesce.now): it
    takes the window from every worker, with what any has pending, in one round trip."""
    one, two = workers
    # Alone: what the thread read and rendered for its reply is the newest.
    assert one.add_and_claim(8, ["stack"], 0.5) == (("stack",), 0.0, False)
    # Another change waited: it goes too, and says so (not rendered as of the reply's version).
    await two.add(7, ["turnout"])
    assert one.add_and_claim(7, ["stack"], 0.5) == (("stack", "turnout"), 0.0, True)
    # The window is the first's: the other's change waits in Redis for its end.
    parts, wait, _others = two.add_and_claim(7, ["agenda"], 0.5)
    assert parts == () and 0 < wait <= 0.5
    await one.client.delete(f"{one.prefix}:coalesce:7:slot")  # the window ends
    assert await one.claim(7, 0.5) == (("agenda",), 0.0)
