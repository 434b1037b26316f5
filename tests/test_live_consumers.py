"""The room's websocket: a client gets the room, then pushed changes, and nothing else."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from assembly import actions
from assembly.live.consumers import CLOSE_FORBIDDEN, CLOSE_MALFORMED, CLOSE_TOO_LARGE
from assembly.live.routing import websocket_urlpatterns
from config.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


def communicator(meeting_id, user, audience="participant", lang="en"):
    socket = WebsocketCommunicator(
        URLRouter(websocket_urlpatterns), f"/ws/meetings/{meeting_id}/{audience}/?lang={lang}"
    )
    socket.scope["user"] = user
    return socket


@pytest.fixture
async def connected(meeting, member):
    """A member's phone on the participant page, connected and caught up."""
    socket = communicator(meeting.pk, member)
    connected, _ = await socket.connect()
    assert connected
    yield socket, await socket.receive_from()
    await socket.disconnect()


async def test_a_connecting_phone_gets_the_whole_room(connected, meeting):
    _, room = connected
    assert 'id="room-version" data-version="0"' in room
    assert 'id="current-item"' in room
    assert "has not started yet" in room
    assert "Welcome" in room  # the agenda


async def test_a_phone_receives_a_pushed_change_and_nothing_more(connected, meeting, facilitator):
    socket, _ = connected
    await sync_to_async(actions.meetings.start)(meeting=meeting, by=facilitator)
    pushed = await socket.receive_from(timeout=3)
    assert 'data-version="1"' in pushed
    assert "<h2>Welcome</h2>" in pushed
    assert await socket.receive_nothing(timeout=0.3)


async def test_each_language_gets_its_own_rendering(meeting, member, facilitator):
    english = communicator(meeting.pk, member, lang="en")
    spanish = communicator(meeting.pk, member, lang="es")
    for socket in (english, spanish):
        assert (await socket.connect())[0]
        await socket.receive_from()
    await sync_to_async(actions.meetings.start)(meeting=meeting, by=facilitator)
    assert "Agenda" in await english.receive_from(timeout=3)
    assert "Orden del día" in await spanish.receive_from(timeout=3)
    await english.disconnect()
    await spanish.disconnect()


async def test_a_reconnecting_phone_catches_up(meeting, member, facilitator):
    await sync_to_async(actions.meetings.start)(meeting=meeting, by=facilitator)
    await sync_to_async(actions.meetings.next_item)(meeting=meeting, by=facilitator)
    socket = communicator(meeting.pk, member)
    assert (await socket.connect())[0]
    room = await socket.receive_from()
    assert 'data-version="2"' in room
    assert "<h2>Report</h2>" in room
    await socket.disconnect()


async def test_sync_sends_the_room_only_when_the_client_is_behind(connected):
    socket, _ = connected
    await socket.send_to(text_data=json.dumps({"type": "sync", "version": 0}))
    assert await socket.receive_nothing(timeout=0.3)
    await socket.send_to(text_data=json.dumps({"type": "sync", "version": -1}))
    assert 'data-version="0"' in await socket.receive_from()


@pytest.mark.parametrize(
    "message",
    ["not json", "[]", '{"type": "vote"}', '{"type": "sync", "version": "3"}', "{}"],
)
async def test_a_malformed_message_closes_that_socket_only(meeting, member, facilitator, message):
    rude = communicator(meeting.pk, member)
    polite = communicator(meeting.pk, member)
    for socket in (rude, polite):
        assert (await socket.connect())[0]
        await socket.receive_from()
    await rude.send_to(text_data=message)
    assert await rude.receive_output() == {"type": "websocket.close", "code": CLOSE_MALFORMED}
    await sync_to_async(actions.meetings.start)(meeting=meeting, by=facilitator)
    assert "<h2>Welcome</h2>" in await polite.receive_from(timeout=3)
    await polite.disconnect()


async def test_an_oversized_message_closes_the_socket(connected):
    socket, _ = connected
    await socket.send_to(text_data='{"type": "sync", "version": 1, "x": "' + "a" * 5000 + '"}')
    assert await socket.receive_output() == {"type": "websocket.close", "code": CLOSE_TOO_LARGE}


async def test_a_binary_message_closes_the_socket(connected):
    socket, _ = connected
    await socket.send_to(bytes_data=b"\x00\x01")
    assert await socket.receive_output() == {"type": "websocket.close", "code": CLOSE_MALFORMED}


@pytest.mark.parametrize("audience", ["participant", "facilitator", "projector"])
async def test_an_outsider_is_refused_every_audience(meeting, outsider, audience):
    socket = communicator(meeting.pk, outsider, audience=audience)
    assert (await socket.connect())[0]
    assert await socket.receive_output() == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}


async def test_a_member_cannot_follow_the_facilitator_console(meeting, member):
    socket = communicator(meeting.pk, member, audience="facilitator")
    await socket.connect()
    assert await socket.receive_output() == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}


async def test_an_unknown_audience_is_refused(meeting, facilitator):
    socket = communicator(meeting.pk, facilitator, audience="everyone")
    await socket.connect()
    assert await socket.receive_output() == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}


async def test_the_asgi_app_refuses_a_foreign_origin(meeting):
    socket = WebsocketCommunicator(
        application,
        f"/ws/meetings/{meeting.pk}/participant/",
        headers=[(b"origin", b"https://evil.example"), (b"host", b"localhost")],
    )
    connected, _ = await socket.connect()
    assert not connected


async def test_the_asgi_app_refuses_an_anonymous_visitor(meeting):
    socket = WebsocketCommunicator(
        application,
        f"/ws/meetings/{meeting.pk}/participant/",
        headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")],
    )
    connected, _ = await socket.connect()
    assert connected
    assert await socket.receive_output() == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
