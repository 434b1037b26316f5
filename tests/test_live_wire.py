"""A push on the real server (uvicorn, as production and `make run` serve): framed once, it
reaches each phone whole, and a phone that cannot take it now still gets it, in order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import connect

from assembly.live import fanout
from config.logs import EACH_CONNECTION

GROUP = "m1.participant.en"
# One text of each length a websocket frame encodes differently (7-bit, 16-bit, 64-bit), and
# characters that take more than a byte.
TEXTS = ["¿Quién sigue?", "<div id='stack'>" + "ñ" * 300 + "</div>", "x" * 70_000 + "é"]


class Phone:
    """The server's side of one socket, as a consumer is to live.fanout."""

    def __init__(self, send) -> None:
        self.base_send = send
        self.writer = None
        self.closed = False

    async def room_closed(self) -> None:
        self.closed = True

    async def close(self, code: int | None = None) -> None:
        self.closed = True


@contextlib.asynccontextmanager
async def serving(
    *, deflate: bool = False, **options: Any
) -> AsyncIterator[tuple[int, list[Phone]]]:
    joined: list[Phone] = []

    async def app(scope, receive, send) -> None:
        assert scope["type"] == "websocket"
        await receive()
        await send({"type": "websocket.accept"})
        phone = Phone(send)
        await fanout.join(GROUP, phone)
        joined.append(phone)
        while (await receive())["type"] != "websocket.disconnect":
            pass
        await fanout.leave([GROUP], phone)

    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, ws="websockets-sansio", lifespan="off",
        ws_per_message_deflate=deflate, **{"log_level": "warning", **options},
    )  # fmt: skip
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        yield server.servers[0].sockets[0].getsockname()[1], joined
    finally:
        server.should_exit = True
        await task


@pytest.fixture(autouse=True)
def room(monkeypatch):
    monkeypatch.setattr(fanout, "_groups", {})
    monkeypatch.setattr(fanout, "_relay", None)
    monkeypatch.setattr(fanout, "_ping_interval", fanout._ping_interval)  # a server's says


async def joined_phone(joined: list[Phone]) -> Phone:
    while not joined:
        await asyncio.sleep(0.01)
    return joined[0]


async def test_a_push_is_framed_once_and_reaches_the_phone_whole():
    async with serving() as (port, joined), connect(f"ws://127.0.0.1:{port}/") as ws:
        phone = await joined_phone(joined)
        # Written straight to the connection: the server's own send is not what carried it.
        assert phone.writer is not None and phone.writer is phone.base_send.__self__

        for text in TEXTS:
            await fanout.deliver(GROUP, text)

        assert [await asyncio.wait_for(ws.recv(), 5) for _ in TEXTS] == TEXTS


async def test_a_phone_that_compresses_gets_the_push_through_the_servers_send():
    async with (
        serving(deflate=True) as (port, joined),
        connect(f"ws://127.0.0.1:{port}/", compression="deflate") as ws,
    ):
        phone = await joined_phone(joined)
        assert phone.writer is None  # the frame would not be the same bytes

        for text in TEXTS:
            await fanout.deliver(GROUP, text)

        assert [await asyncio.wait_for(ws.recv(), 5) for _ in TEXTS] == TEXTS


async def test_a_phone_whose_buffer_is_full_gets_the_push_once_it_reads_again():
    async with serving() as (port, joined), connect(f"ws://127.0.0.1:{port}/") as ws:
        phone = await joined_phone(joined)
        server_side = phone.base_send.__self__
        server_side.pause_writing()  # what the transport says when the phone stops reading

        delivering = asyncio.create_task(fanout.deliver(GROUP, TEXTS[0]))
        await asyncio.sleep(0.1)
        assert not delivering.done()  # waiting for this phone, SEND_TIMEOUT at most
        server_side.resume_writing()
        await delivering
        await fanout.deliver(GROUP, TEXTS[1])

        assert [await asyncio.wait_for(ws.recv(), 5) for _ in TEXTS[:2]] == TEXTS[:2]
        assert not phone.closed


async def pong_back(writer, limit: float = 5.0) -> None:
    """Until the phone's pong to the last keepalive ping has been read by the server."""
    async with asyncio.timeout(limit):
        while writer.pending_ping_payload is not None:
            await asyncio.sleep(0.01)


async def test_the_keepalive_pings_every_phone_in_one_pass_and_keeps_those_that_answer():
    async with serving() as (port, joined), connect(f"ws://127.0.0.1:{port}/") as ws:
        phone = await joined_phone(joined)
        server_side = phone.base_send.__self__
        # uvicorn's own timer for this connection is stopped: one pass pings them all.
        assert server_side.ping_interval and server_side.ping_timer is None

        for _round in range(3):
            fanout.keep_alive()
            assert server_side.pending_ping_payload is not None  # a ping is out
            await pong_back(server_side)  # and the phone's pong came back for it

        await fanout.deliver(GROUP, TEXTS[0])
        assert await asyncio.wait_for(ws.recv(), 5) == TEXTS[0]
        assert not phone.closed and phone in fanout._groups[GROUP]


async def test_a_phone_that_does_not_answer_the_keepalive_in_time_is_closed():
    # The server's --ws-ping-timeout, shortened: a phone has that long to answer.
    async with (
        serving(ws_ping_timeout=0.5) as (port, joined),
        connect(f"ws://127.0.0.1:{port}/") as ws,
    ):
        phone = await joined_phone(joined)
        server_side = phone.base_send.__self__
        ws.transport.pause_reading()  # a phone gone out of the Wi-Fi: it answers nothing

        fanout.keep_alive()
        fanout.keep_alive()  # a round within its time to answer: left alone
        await asyncio.sleep(0.1)
        assert server_side.pending_ping_payload is not None and not server_side.close_sent
        await asyncio.sleep(0.5)
        fanout.keep_alive()  # its time is up

        assert server_side.close_sent
        async with asyncio.timeout(5):  # the server let go of it: out of the room's group
            while GROUP in fanout._groups:
                await asyncio.sleep(0.01)
        ws.transport.resume_reading()
        await ws.wait_closed()
        assert ws.close_code == 1011


async def test_the_keepalive_runs_by_itself_at_the_servers_interval_with_a_ping_of_its_own():
    async with (
        serving(ws_ping_interval=0.3) as (port, joined),
        connect(f"ws://127.0.0.1:{port}/"),
    ):
        phone = await joined_phone(joined)
        server_side = phone.base_send.__self__
        answered: list[bytes] = []
        read = server_side.handle_pong

        def pong(event) -> None:
            answered.append(bytes(event.data))
            read(event)

        server_side.handle_pong = pong
        rounds = asyncio.create_task(fanout._keep_alive_forever())
        try:
            async with asyncio.timeout(5):
                while len(set(answered)) < 3:  # each round's ping is told apart by its payload
                    await asyncio.sleep(0.01)
        finally:
            rounds.cancel()
        assert not server_side.close_sent and phone in fanout._groups[GROUP]


async def test_a_server_told_not_to_ping_pings_nobody():
    async with (
        serving(ws_ping_interval=0) as (port, joined),
        connect(f"ws://127.0.0.1:{port}/", ping_interval=None) as ws,
    ):
        phone = await joined_phone(joined)
        server_side = phone.base_send.__self__
        for _round in range(3):
            fanout.keep_alive()
        assert server_side.pending_ping_payload is None and not server_side.close_sent
        await fanout.deliver(GROUP, TEXTS[0])
        assert await asyncio.wait_for(ws.recv(), 5) == TEXTS[0]


async def test_the_server_logs_no_phones_address_and_no_line_for_each_phone(caplog, monkeypatch):
    """uvicorn's line for each socket carries the phone's address: Asamblea keeps it nowhere;
    and a hall of phones coming and going is not a line each in the server's log."""
    caplog.set_level(logging.INFO)
    # uvicorn's own logging, set up by another test's server, stops its records short of the
    # test's: on, as without it.
    monkeypatch.setattr(logging.getLogger("uvicorn"), "propagate", True)
    # uvicorn's logger at INFO, as `make run` has it, passing its records on to the test's.
    async with (
        serving(log_level="info", log_config=None) as (port, joined),
        connect(f"ws://127.0.0.1:{port}/") as ws,
    ):
        await joined_phone(joined)
        host, port_of_phone = ws.local_address[:2]
        address = f"{host}:{port_of_phone}"
        await fanout.deliver(GROUP, TEXTS[0])
        assert await asyncio.wait_for(ws.recv(), 5) == TEXTS[0]

    said = [record for record in caplog.records if record.name.startswith("uvicorn")]
    assert any("Uvicorn running on" in record.getMessage() for record in said)  # it does log
    assert not [record for record in said if address in record.getMessage()]
    assert not [record for record in said if record.getMessage().startswith(EACH_CONNECTION)]
