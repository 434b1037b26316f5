"""The process's sockets: a push reaches every phone that reads, whatever the others do."""

from __future__ import annotations

import asyncio

import pytest

from assembly.live import fanout


class Phone:
    """A socket as the fan-out sees it: what it was sent, and whether it was closed."""

    def __init__(self, reads: bool = True, gone: bool = False) -> None:
        self.reads, self.gone = reads, gone
        self.got: list[str] = []
        self.closed = False
        self.unblocked = asyncio.Event()

    async def base_send(self, event: dict) -> None:
        if self.gone:
            raise ConnectionResetError("the phone is gone")
        if not self.reads:  # its buffer is full: the send waits for the phone to read
            await self.unblocked.wait()
        self.got.append(event["text"])

    async def room_closed(self) -> None:
        self.closed = True

    async def close(self, code: int | None = None) -> None:
        self.closed = True


@pytest.fixture
def room(monkeypatch):
    monkeypatch.setattr(fanout, "SEND_TIMEOUT", 0.2)
    monkeypatch.setattr(fanout, "_groups", {})
    monkeypatch.setattr(fanout, "_relay", None)  # this process's sockets alone, not Redis's relay
    return "m1.participant.en"


async def test_a_phone_that_stopped_reading_is_closed_and_holds_up_nobody(room):
    reading = [Phone() for _ in range(3)]
    stuck, gone = Phone(reads=False), Phone(gone=True)
    for phone in [reading[0], stuck, reading[1], gone, reading[2]]:
        await fanout.join(room, phone)

    await fanout.deliver(room, "first")
    await fanout.deliver(room, "second")
    await asyncio.sleep(0)  # the closing of the dropped ones

    assert [phone.got for phone in reading] == [["first", "second"]] * 3
    assert stuck.closed and gone.closed
    assert not any(phone.closed for phone in reading)
    # Dropped from the room: the next push is not written to them again.
    assert fanout.local_count() == 3


async def test_a_slow_phone_that_catches_up_in_time_gets_every_push_in_order(room):
    slow, quick = Phone(reads=False), Phone()
    await fanout.join(room, slow)
    await fanout.join(room, quick)

    first = asyncio.create_task(fanout.deliver(room, "first"))
    await asyncio.sleep(0.05)
    slow.reads = True
    slow.unblocked.set()
    await first
    await fanout.deliver(room, "second")

    assert slow.got == quick.got == ["first", "second"]
    assert not slow.closed
