"""The room's websocket: a client gets the room, then pushed changes, and nothing else."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from assembly import actions, crowd, live, permissions
from assembly.live import coalesce, fanout
from assembly.live.consumers import CLOSE_FORBIDDEN, CLOSE_MALFORMED, CLOSE_TOO_LARGE
from assembly.live.parts import Part
from assembly.live.routing import websocket_urlpatterns
from assembly.models import Attendee, Meeting, Membership
from config.asgi import application
from tests.conftest import make_person, open_motion, present, session_of, unheard

pytestmark = pytest.mark.django_db(transaction=True)


def communicator(meeting_id, user, audience="participant", lang="en", query=""):
    socket = WebsocketCommunicator(
        URLRouter(websocket_urlpatterns),
        f"/ws/meetings/{meeting_id}/{audience}/?lang={lang}" + (f"&{query}" if query else ""),
    )
    socket.scope["user"] = user
    return socket


async def everything_sent(socket):
    """What a socket is sent as it opens (and any push that was on its way), then closed."""
    assert (await socket.connect())[0]
    got = [await socket.receive_from(timeout=3)]
    while not await socket.receive_nothing(timeout=0.5):
        got.append(await socket.receive_from())
    await socket.disconnect()
    return got


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


async def test_a_phone_that_reopens_its_socket_showing_the_current_room_gets_its_version_only(
    meeting, member, facilitator
):
    await sync_to_async(actions.attendance.check_in_member)(meeting=meeting, user=member)
    await sync_to_async(actions.meetings.start)(meeting=meeting, by=facilitator)
    first = communicator(meeting.pk, member)
    assert (await first.connect())[0]
    room = await first.receive_from()
    version = int(room.split('data-version="')[1].split('"')[0])
    await first.disconnect()
    # Back with nothing changed meanwhile: the version alone.
    again = communicator(meeting.pk, member, query=f"v={version}")
    assert (await again.connect())[0]
    assert (
        await again.receive_from()
        == f'<div id="room-version" data-version="{version}" hidden></div>'
    )
    await again.disconnect()
    # The room changed meanwhile, their own part did not: the whole room, without their part.
    await sync_to_async(actions.meetings.next_item)(meeting=meeting, by=facilitator)
    got = await everything_sent(communicator(meeting.pk, member, query=f"v={version}"))
    assert any('id="current-item"' in text and "Proposal" in text for text in got)
    assert not any('id="me"' in text for text in got)
    # Their own part changed too (the secretary checked them in by hand, say): it comes along.
    attendee = await sync_to_async(Attendee.objects.get)(meeting=meeting, user=member)
    await sync_to_async(live.publish_personal)(attendee)
    got = await everything_sent(communicator(meeting.pk, member, query=f"v={version}"))
    assert any('id="current-item"' in text and 'id="me"' in text for text in got)
    # A hostile or missing version is the whole room too.
    for query in ("v=abc", "v=-1", "v=99999999999999999999"):
        odd = communicator(meeting.pk, member, query=query)
        assert (await odd.connect())[0]
        assert 'id="current-item"' in await odd.receive_from()
        await odd.disconnect()


async def test_a_phone_that_dropped_an_older_push_gets_the_room_again_without_its_own_part(
    meeting, member, facilitator
):
    """Two workers can deliver two changes out of order: app.js drops the older push, whose
    parts the newer may lack, and reopens asking for the whole room even on the current
    version (room=1); its own part comes along only if it changed since."""
    await sync_to_async(actions.attendance.check_in_member)(meeting=meeting, user=member)
    await sync_to_async(actions.meetings.start)(meeting=meeting, by=facilitator)
    version = await sync_to_async(lambda: Meeting.objects.get(pk=meeting.pk).version)()
    got = await everything_sent(communicator(meeting.pk, member, query=f"v={version}&room=1"))
    assert any('id="current-item"' in text and "<h2>Welcome</h2>" in text for text in got)
    assert not any('id="me"' in text for text in got)
    for hostile in ("room=yes", "room=1&room=1", "room="):
        got = await everything_sent(
            communicator(meeting.pk, member, query=f"v={version}&{hostile}")
        )
        assert got == [f'<div id="room-version" data-version="{version}" hidden></div>']


async def test_a_phone_that_lost_its_own_part_just_after_a_room_push_gets_it_back(
    meeting, member, facilitator
):
    """A room change that also changes some people's own parts (a new item lowers their hands)
    sends the room, then each part: a phone that dropped between the two has the room's
    version but not its part, and is sent that part alone."""
    attendee = await sync_to_async(actions.attendance.check_in_member)(meeting=meeting, user=member)
    await sync_to_async(actions.meetings.start)(meeting=meeting, by=facilitator)

    def change_the_room_and_their_part():
        with transaction.atomic():
            current = Meeting.objects.get(pk=meeting.pk)
            live.changed(current, parts=[Part.STACK])
            live.publish_personal_ids([attendee.pk])
            return current.version

    version = await sync_to_async(change_the_room_and_their_part)()
    got = await everything_sent(communicator(meeting.pk, member, query=f"v={version}"))
    mine = [
        text for text in got if text.startswith(f'<div id="room-version" data-version="{version}"')
    ]
    assert mine and 'id="me"' in mine[-1]
    assert 'id="current-item"' not in mine[-1]  # the room it already shows is not sent again


@pytest.mark.parametrize("through", ["cast", "cast_many"])
async def test_a_voter_whose_answer_was_lost_gets_their_vote_when_asking_for_the_room(
    meeting, member, facilitator, through
):
    """The phone hears its ballot was recorded in the answer to its POST, not in a push: if
    that answer is lost, app.js reopens its socket without its version, and it is sent its
    part. A phone that did hear it reopens on the turnout's version: its part is not rendered
    again (a hall reopening after a burst would render every voter's)."""
    voter = await sync_to_async(actions.attendance.check_in_member)(meeting=meeting, user=member)
    await sync_to_async(actions.meetings.start)(meeting=meeting, by=facilitator)
    decision = await sync_to_async(open_motion)(meeting, facilitator)

    def vote():
        if through == "cast":
            actions.decisions.cast(decision_id=decision.pk, attendee=voter, choice={"vote": "yes"})
        else:
            actions.decisions.cast_many(
                meeting_id=meeting.pk,
                decision_id=decision.pk,
                ballots=[(voter.pk, {"vote": "yes"})],
            )
        return Meeting.objects.get(pk=meeting.pk).version

    version = await sync_to_async(vote)()
    got = await everything_sent(communicator(meeting.pk, member))
    assert any(f'data-voted="{decision.pk}"' in text for text in got)
    got = await everything_sent(communicator(meeting.pk, member, query=f"v={version}"))
    assert got == [f'<div id="room-version" data-version="{version}" hidden></div>']


async def test_a_change_to_one_persons_own_part_counts_a_new_version(meeting, member, facilitator):
    """Their hand, say: a phone that was away then sees it is behind."""
    await sync_to_async(actions.meetings.start)(meeting=meeting, by=facilitator)
    attendee = await sync_to_async(actions.attendance.check_in_member)(meeting=meeting, user=member)
    before = await sync_to_async(lambda: Meeting.objects.get(pk=meeting.pk).version)()
    await sync_to_async(live.publish_personal)(attendee)
    after = await sync_to_async(lambda: Meeting.objects.get(pk=meeting.pk).version)()
    assert after == before + 1


async def test_sync_sends_the_room_only_when_the_client_is_behind(connected):
    socket, _ = connected
    await socket.send_to(text_data=json.dumps({"type": "sync", "version": 0}))
    assert await socket.receive_nothing(timeout=0.3)
    await socket.send_to(text_data=json.dumps({"type": "sync", "version": -1}))
    assert 'data-version="0"' in await socket.receive_from()


async def test_a_phone_that_dropped_a_push_asks_on_its_socket_for_the_room_as_it_is_now(
    meeting, member, facilitator
):
    """Pushes can arrive out of order: app.js drops the older one, whose part the newer may
    lack, and asks at once on its socket, with the dropped version. It is sent the whole room,
    without its own part (personal pushes are never dropped) unless that changed since."""
    attendee = await sync_to_async(actions.attendance.check_in_member)(meeting=meeting, user=member)
    socket = communicator(meeting.pk, member)
    assert (await socket.connect())[0]
    while not await socket.receive_nothing(timeout=0.5):
        await socket.receive_from()
    with unheard():
        await sync_to_async(actions.meetings.start)(meeting=meeting, by=facilitator)
    dropped = await sync_to_async(lambda: Meeting.objects.get(pk=meeting.pk).version)()
    with unheard():
        await sync_to_async(actions.stack.set_stack_closed)(
            meeting=meeting, closed=True, by=facilitator
        )

    await socket.send_to(text_data=json.dumps({"type": "sync", "version": dropped}))
    room = await socket.receive_from()
    assert "<h2>Welcome</h2>" in room and "list is closed; a point of process" in room
    assert 'id="me"' not in room
    assert await socket.receive_nothing(timeout=0.3)

    # Her own part changed after the dropped push: it comes along.
    await sync_to_async(live.publish_personal)(attendee)
    while not await socket.receive_nothing(timeout=0.3):
        await socket.receive_from()  # the push of her part itself
    await socket.send_to(text_data=json.dumps({"type": "sync", "version": dropped}))
    assert 'id="me"' in await socket.receive_from()
    await socket.disconnect()


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


def guest_socket(attendee):
    from django.contrib.auth.models import AnonymousUser

    socket = communicator(attendee.meeting_id, AnonymousUser())
    socket.scope["session"] = {"guest_tokens": {str(attendee.meeting_id): attendee.token}}
    return socket


async def test_a_waiting_guest_hears_only_about_themselves(meeting, facilitator):
    knocking = await sync_to_async(meeting.attendees.create)(display_name="Jin", kind="guest")
    socket = guest_socket(knocking)
    assert (await socket.connect())[0]
    first = await socket.receive_from()
    assert "will let you in shortly" in first
    assert 'id="agenda"' not in first
    await sync_to_async(actions.meetings.start)(meeting=meeting, by=facilitator)
    assert await socket.receive_nothing(timeout=0.3)  # the room moved on; the door did not
    await sync_to_async(actions.attendance.admit)(
        meeting=meeting, attendee_id=knocking.pk, by=facilitator
    )
    admitted = await socket.receive_from(timeout=3)
    assert "You are in as Jin" in admitted
    assert 'id="admission"' in admitted  # the page fetches the room it may now see
    await socket.disconnect()


async def test_a_removed_guest_is_disconnected(meeting, facilitator):
    guest = await sync_to_async(meeting.attendees.create)(
        display_name="Jin", kind="guest", status="present"
    )
    socket = guest_socket(guest)
    assert (await socket.connect())[0]
    await socket.receive_from()
    await sync_to_async(actions.attendance.remove)(
        meeting=meeting, attendee_id=guest.pk, by=facilitator
    )
    messages = []
    while True:
        output = await socket.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            break
        messages.append(output["text"])
    assert output["code"] == CLOSE_FORBIDDEN
    assert any("no longer in this meeting" in text for text in messages)


async def test_raising_a_hand_updates_my_own_part_and_everyones_queue(meeting, member, facilitator):
    await sync_to_async(actions.meetings.start)(meeting=meeting, by=facilitator)
    lupe = await sync_to_async(actions.attendance.check_in_member)(meeting=meeting, user=member)
    mine = communicator(meeting.pk, member)
    watcher = communicator(meeting.pk, facilitator, audience="projector")
    for socket in (mine, watcher):
        assert (await socket.connect())[0]
        await socket.receive_from()
    await sync_to_async(actions.stack.raise_hand)(attendee=lupe, kind="clarifying")
    pushes = [await mine.receive_from(timeout=3), await mine.receive_from(timeout=3)]
    assert any(f'data-attendee="{lupe.pk}"' in text for text in pushes)
    assert any("Your hand is up: Clarifying question" in text for text in pushes)
    # The person's own part comes without the meeting's version: the room push, rendered at
    # the same moment or a little before, must not look outdated beside it and be dropped.
    (own,) = [text for text in pushes if "Your hand is up" in text]
    assert "room-version" not in own
    on_projector = await watcher.receive_from(timeout=3)
    assert "Lupe" in on_projector and "Your hand is up" not in on_projector
    assert await watcher.receive_nothing(timeout=0.3)
    for socket in (mine, watcher):
        await socket.disconnect()


async def test_the_projector_hides_names_when_the_meeting_asks(meeting, member, facilitator):
    meeting.projector_shows_names = False
    await sync_to_async(meeting.save)()
    await sync_to_async(actions.meetings.start)(meeting=meeting, by=facilitator)
    lupe = await sync_to_async(actions.attendance.check_in_member)(meeting=meeting, user=member)
    projector = communicator(meeting.pk, facilitator, audience="projector")
    console = communicator(meeting.pk, facilitator, audience="facilitator")
    for socket in (projector, console):
        assert (await socket.connect())[0]
        await socket.receive_from()
    await sync_to_async(actions.stack.raise_hand)(attendee=lupe, kind="speak")
    shown = await projector.receive_from(timeout=3)
    assert "Speaker 1" in shown and "Lupe" not in shown
    assert "Lupe" in await console.receive_from(timeout=3)
    for socket in (projector, console):
        await socket.disconnect()


async def test_a_burst_of_ballots_reaches_a_phone_as_a_few_pushes(meeting, member, facilitator):
    """DESIGN: "47 of 112 have voted" goes out a few times a second, not once per ballot; the
    first change goes out at once and the last count always arrives."""

    def open_vote():
        actions.meetings.start(meeting=meeting, by=facilitator)
        voters = [
            meeting.attendees.create(
                display_name=f"V{n}", kind="guest", status="present", may_vote=True
            )
            for n in range(30)
        ]
        decision = actions.decisions.create(
            meeting=meeting, by=facilitator, question="Fund?", method="motion"
        )
        actions.decisions.open_round(meeting=meeting, decision_id=decision.pk, by=facilitator)
        return voters, decision

    voters, decision = await sync_to_async(open_vote)()
    socket = communicator(meeting.pk, member)
    assert (await socket.connect())[0]
    await socket.receive_from()
    started = time.monotonic()
    for voter in voters:
        await sync_to_async(actions.decisions.cast)(
            decision_id=decision.pk, attendee=voter, choice={"vote": "yes"}
        )
    took = time.monotonic() - started
    pushes = []
    while not await socket.receive_nothing(timeout=0.6):
        pushes.append(await socket.receive_from())
    turnout = [push for push in pushes if 'id="turnout"' in push]
    # At most one push per coalescing window however fast the ballots came (on a loaded
    # machine they come slower, and so more windows pass), never one per ballot of a burst.
    assert 1 <= len(turnout) <= took / coalesce.window() + 2, (len(turnout), took)
    assert "30 of 30 have voted" in turnout[-1]
    await socket.disconnect()


@pytest.mark.skipif(not settings.REDIS_URL, reason="the idle drop was Redis's (REDIS_URL unset)")
async def test_an_idle_phone_stays_connected_on_redis_and_gets_the_next_push(
    connected, meeting, facilitator
):
    """With channels-redis, every idle socket used to drop about 5 s after connecting (its
    blocking pop timed out). A phone that hears nothing for a minute must still be there."""
    socket, _ = connected
    for _ in range(12):
        assert await socket.receive_nothing(timeout=5)  # no close, no error: still listening
    await sync_to_async(actions.meetings.start)(meeting=meeting, by=facilitator)
    assert "<h2>Welcome</h2>" in await socket.receive_from(timeout=5)


@pytest.mark.skipif(not settings.REDIS_URL, reason="the relay is Redis's (REDIS_URL unset)")
async def test_a_phone_reopens_once_its_server_is_back_on_redis_so_it_misses_nothing(
    connected, meeting, member, facilitator
):
    """What is published while a process's relay is cut off from Redis never reaches its
    sockets: once the relay is subscribed again, each is closed with "service restart" (app.js
    reopens it at once, saying its version), and a phone that opens then hears what follows."""
    import redis.asyncio

    socket, _ = connected
    client = redis.asyncio.Redis.from_url(settings.REDIS_URL)
    cut = 0
    for entry in await client.client_list(_type="pubsub"):
        if entry.get("name") == fanout.relay_name():
            cut += await client.client_kill_filter(_id=entry["id"])
    await client.aclose()
    assert cut >= 1
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 1012}
    again = communicator(meeting.pk, member)
    assert (await again.connect())[0]
    await again.receive_from()
    await sync_to_async(actions.meetings.start)(meeting=meeting, by=facilitator)
    assert "<h2>Welcome</h2>" in await again.receive_from(timeout=5)
    await again.disconnect()


@pytest.mark.skipif(not settings.REDIS_URL, reason="the workers' presence is Redis's")
async def test_a_worker_is_among_a_screens_listeners_while_it_holds_one(
    meeting, member, monkeypatch
):
    """A push is rendered only for screens some worker holds (fanout.listened_among): this one
    is present before its first phone of a screen is sent the room, stays while a phone of it
    is here, leaves after the last one, and says so again if Redis lost it (a restart)."""
    import redis.asyncio

    monkeypatch.setattr(fanout, "PRESENCE_RENEW", 0.1)  # not every 10 s, for the test
    client = redis.asyncio.Redis.from_url(settings.REDIS_URL)
    key = fanout.presence_key(f"m{meeting.pk}.participant.en")

    async def here() -> bool:
        return await client.zscore(key, fanout._me) is not None

    first, second = communicator(meeting.pk, member), communicator(meeting.pk, member)
    assert (await first.connect())[0]
    await first.receive_from()
    assert await here()
    assert (await second.connect())[0]
    await second.receive_from()
    await first.disconnect()
    assert await here()  # the second phone is still here
    await client.delete(key)  # as a Redis that restarted without its data
    for _ in range(50):  # until the worker's next renewal
        if await here():
            break
        await asyncio.sleep(0.05)
    assert await here()
    await second.disconnect()
    for _ in range(50):
        if not await here():
            break
        await asyncio.sleep(0.05)
    assert not await here()
    await client.aclose()


# Through the real app, as a browser connects: its session cookie, read for a crowd at once.


def browser_socket(meeting_id, session, audience="participant"):
    return WebsocketCommunicator(
        application,
        f"/ws/meetings/{meeting_id}/{audience}/?lang=en",
        headers=[
            (b"origin", b"http://localhost"),
            (b"host", b"localhost"),
            (b"cookie", f"sessionid={session}".encode()),
        ],
    )


async def first_frame(socket):
    """What the socket is sent as it opens: its room, or how it was turned away."""
    connected, _ = await socket.connect()
    assert connected
    output = await socket.receive_output(timeout=5)
    await socket.disconnect()
    return output.get("text") or output


async def test_a_hall_arriving_at_once_each_gets_the_room_with_their_own_part(
    meeting, organization, facilitator
):
    await sync_to_async(actions.meetings.start)(meeting=meeting, by=facilitator)

    def the_hall():
        people = [make_person(organization, f"p{n}@example.org", "member") for n in range(24)]
        for person in people:
            present(meeting, person)
        guest = meeting.attendees.create(display_name="Jin", kind="guest", status="present")
        return [(p.display_name, session_of(p)) for p in people] + [
            ("Jin", session_of(guest=guest))
        ]

    hall = await sync_to_async(the_hall)()
    frames = await asyncio.gather(
        *(first_frame(browser_socket(meeting.pk, session)) for _, session in hall)
    )
    for (name, _), frame in zip(hall, frames, strict=True):
        assert 'id="current-item"' in frame and "<h2>Welcome</h2>" in frame
        assert f"You are in as {name}." in frame


async def test_a_phone_signed_in_before_the_secret_key_was_rotated_still_follows_the_room(
    meeting, member, settings
):
    session = await sync_to_async(session_of)(member)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a new secret key, the old one kept as a fallback"
    assert 'id="current-item"' in await first_frame(browser_socket(meeting.pk, session))
    # Rotated away entirely, it no longer holds.
    settings.SECRET_KEY_FALLBACKS = []
    turned_away = {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
    assert await first_frame(browser_socket(meeting.pk, session)) == turned_away


async def test_a_session_that_no_longer_holds_is_turned_away(meeting, organization, facilitator):
    def sessions():
        gone = make_person(organization, "gone@example.org", "member")
        logged_out = session_of(gone)
        Session.objects.filter(session_key=logged_out).delete()
        changed = make_person(organization, "changed@example.org", "member")
        old_password = session_of(changed)
        # Signed in on a phone that also let a guest in: a new password logs it out wholly.
        jin = meeting.attendees.create(display_name="Jin", kind="guest", status="present")
        also_a_guest = SessionStore(session_key=old_password)
        also_a_guest["guest_tokens"] = {str(meeting.pk): jin.token}
        also_a_guest.save()
        changed.set_password("a new one, after a stolen phone")
        changed.save()
        left = make_person(organization, "left@example.org", "member")
        no_longer_member = session_of(left)
        Membership.objects.filter(user=left).delete()
        removed = meeting.attendees.create(display_name="Jin", kind="guest", status="removed")
        other = Meeting.objects.create(organization=meeting.organization, title="Another")
        elsewhere = other.attendees.create(display_name="Ana", kind="guest", status="present")
        return [
            logged_out,
            old_password,
            no_longer_member,
            session_of(guest=removed),
            session_of(guest=elsewhere),
            "not-a-session-key",
        ]

    turned_away = {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
    for session in await sync_to_async(sessions)():
        assert await first_frame(browser_socket(meeting.pk, session)) == turned_away
    # A participant's session is no facilitator's.
    member = await sync_to_async(make_person)(organization, "m@example.org", "member")
    session = await sync_to_async(session_of)(member)
    assert await first_frame(browser_socket(meeting.pk, session, "facilitator")) == turned_away
    assert "<h2>" in await first_frame(browser_socket(meeting.pk, session))


def test_a_crowd_of_sockets_costs_the_same_queries_as_one(meeting, organization):
    people = [make_person(organization, f"q{n}@example.org", "member") for n in range(30)]
    for person in people:
        present(meeting, person)
    asking = [crowd.Asking(session_of(p), meeting.pk, permissions.Action.VIEW_ROOM) for p in people]
    with CaptureQueriesContext(connection) as one:
        alone = crowd.access_many(asking[:1])
    with CaptureQueriesContext(connection) as thirty:
        found = crowd.access_many(asking)
    assert alone[0].attendee.user_id == people[0].pk
    assert [access.attendee.user_id for access in found] == [p.pk for p in people]
    assert len(thirty) == len(one) <= 6


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the connection pool is PostgreSQL's",
)
async def test_sockets_give_their_database_connections_back_to_the_pool(
    meeting, organization, facilitator
):
    """Thirty phones opening at once, each with its own part rendered, hold no connection
    afterwards: a pool that ran dry would leave the next phones and ballots waiting."""

    def the_hall():
        people = [make_person(organization, f"c{n}@example.org", "member") for n in range(30)]
        for person in people:
            present(meeting, person)
        return [session_of(person) for person in people]

    def checked_out():
        stats = connection.pool.get_stats()
        return stats["pool_size"] - stats["pool_available"]

    sessions = await sync_to_async(the_hall)()
    before = checked_out()
    frames = await asyncio.gather(*(first_frame(browser_socket(meeting.pk, s)) for s in sessions))
    assert all('id="me"' in frame for frame in frames)
    assert checked_out() <= before
