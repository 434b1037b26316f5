"""Coming in: the code on the projector, the QR link, members checking in, guests knocking."""

from __future__ import annotations

import pytest
import segno
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from assembly import actions, throttle
from assembly.models import Attendee
from tests.conftest import client_for, guest_client

pytestmark = pytest.mark.usefixtures("quiet")


def test_the_code_leads_to_the_meeting_whatever_its_case_or_spaces(client, meeting):
    code = meeting.join_code
    response = client.post(reverse("assembly:join"), {"code": f" {code[:3].lower()} {code[3:]} "})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("assembly:join-code", args=[code]) + "?k=")


def test_a_wrong_code_says_so_and_keeps_what_was_typed(client, db):
    response = client.post(reverse("assembly:join"), {"code": "nope99"})
    assert response.status_code == 404
    html = response.content.decode()
    assert "No meeting has that code" in html
    assert 'value="NOPE99"' in html


def test_a_guest_joins_with_a_name_only_and_waits(client, meeting):
    response = client.post(
        reverse("assembly:join-code", args=[meeting.join_code]), {"display_name": "Jin"}
    )
    assert response.status_code == 302
    guest = meeting.attendees.get()
    assert (guest.display_name, guest.status, guest.may_vote) == ("Jin", "waiting", False)
    page = client.get(reverse("assembly:meeting-room", args=[meeting.pk])).content.decode()
    assert "will let you in shortly" in page
    assert 'id="agenda"' not in page  # nothing of the room before admission
    assert "Welcome" not in page


def test_a_guest_coming_back_goes_straight_to_the_room(client, meeting):
    url = reverse("assembly:join-code", args=[meeting.join_code])
    client.post(url, {"display_name": "Jin"})
    response = client.get(url)
    assert response.status_code == 302
    assert meeting.attendees.count() == 1


def test_an_empty_name_is_refused_with_a_message(client, meeting):
    response = client.post(
        reverse("assembly:join-code", args=[meeting.join_code]), {"display_name": "  "}
    )
    assert response.status_code == 422
    assert "type the name" in response.content.decode()
    assert not meeting.attendees.exists()


def test_the_qr_link_of_an_unknown_meeting_is_404(client, db):
    assert client.get(reverse("assembly:join-code", args=["ZZZZZZ"])).status_code == 404


def test_a_member_checks_in_through_the_link(meeting, member):
    client = client_for(member)
    url = reverse("assembly:join-code", args=[meeting.join_code])
    assert "You are on the roll as Lupe" in client.get(url).content.decode()
    client.post(url)
    attendee = meeting.attendees.get()
    assert attendee.user == member and attendee.is_present and attendee.may_vote


def test_a_member_checks_in_from_the_room(meeting, member):
    client = client_for(member)
    room = reverse("assembly:meeting-room", args=[meeting.pk])
    assert "Check in: I'm here" in client.get(room).content.decode()
    client.post(reverse("assembly:meeting-check-in", args=[meeting.pk]))
    assert meeting.attendees.get().is_present
    assert "You are in as Lupe" in client.get(room).content.decode()


def test_an_admitted_guest_sees_the_room_and_may_raise_a_hand(live_meeting, guest):
    client = guest_client(guest)
    page = client.get(reverse("assembly:meeting-room", args=[live_meeting.pk])).content.decode()
    assert "You are in as Jin" in page
    assert "You can speak but not vote" in page
    response = client.post(
        reverse("assembly:stack-raise", args=[live_meeting.pk]),
        {"kind": "speak"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Your hand is up: Speak" in response.content.decode()


def test_a_waiting_guest_cannot_raise_a_hand(live_meeting):
    waiting = live_meeting.attendees.create(display_name="Knock", kind="guest")
    response = guest_client(waiting).post(
        reverse("assembly:stack-raise", args=[live_meeting.pk]), {"kind": "speak"}
    )
    assert response.status_code == 403
    assert not waiting.speaker_requests.exists()


def test_a_removed_guest_is_shown_the_door(live_meeting, guest):
    guest.status = Attendee.Status.REMOVED
    guest.save()
    response = guest_client(guest).get(reverse("assembly:meeting-room", args=[live_meeting.pk]))
    assert response.status_code == 404


def test_a_guest_token_for_one_meeting_opens_no_other(live_meeting, organization, guest):
    other = organization.meetings.create(title="Closed session")
    client = guest_client(guest)
    session = client.session
    session["guest_tokens"] = {str(other.pk): guest.token}
    session.save()
    assert client.get(reverse("assembly:meeting-room", args=[other.pk])).status_code == 404


def test_a_refused_hand_says_why(live_meeting, member):
    client = client_for(member)
    client.post(reverse("assembly:meeting-check-in", args=[live_meeting.pk]))
    url = reverse("assembly:stack-raise", args=[live_meeting.pk])
    client.post(url, {"kind": "speak"}, headers={"HX-Request": "true"})
    response = client.post(url, {"kind": "speak"}, headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert "Your hand is already up for this." in response.content.decode()


def test_leaving_takes_you_out_of_quorum(live_meeting, member):
    client = client_for(member)
    client.post(reverse("assembly:meeting-check-in", args=[live_meeting.pk]))
    client.post(reverse("assembly:meeting-leave", args=[live_meeting.pk]))
    assert live_meeting.attendees.get().status == Attendee.Status.LEFT


def test_an_anonymous_visitor_without_a_token_is_asked_to_sign_in(meeting):
    response = Client().get(reverse("assembly:meeting-room", args=[meeting.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_projector_shows_a_qr_code_for_the_join_link(meeting, facilitator):
    html = (
        client_for(facilitator)
        .get(reverse("assembly:meeting-projector", args=[meeting.pk]))
        .content.decode()
    )
    assert "<svg" in html
    assert f"/join/{meeting.join_code}/" in html


def test_the_console_announces_lost_quorum(live_meeting, facilitator, member):
    html = (
        client_for(facilitator)
        .get(reverse("assembly:meeting-console", args=[live_meeting.pk]))
        .content.decode()
    )
    assert 'role="alert"' in html
    assert "Quorum lost: 0 voting present, 2 needed" in html


def test_guessing_codes_is_slowed_down_for_that_client_only(meeting, client):
    wrong = "ZZZZZZ" if meeting.join_code != "ZZZZZZ" else "YYYYYY"
    for _ in range(30):
        assert client.post(reverse("assembly:join"), {"code": wrong}).status_code == 404
    refused = client.post(reverse("assembly:join"), {"code": meeting.join_code})
    assert refused.status_code == 429
    assert "Too many wrong codes from here" in refused.content.decode()
    assert client.get(reverse("assembly:join-code", args=[wrong])).status_code == 429
    elsewhere = Client(REMOTE_ADDR="10.0.0.7")
    response = elsewhere.post(reverse("assembly:join"), {"code": meeting.join_code})
    assert response.status_code == 302


def test_a_few_mistyped_codes_do_not_lock_a_hall_out(meeting, client):
    for _ in range(29):
        client.post(reverse("assembly:join"), {"code": "ZZZZZQ"})
    assert client.post(reverse("assembly:join"), {"code": meeting.join_code}).status_code == 302


def test_the_projectors_link_opens_even_for_a_client_stopped_for_wrong_codes(meeting, client):
    for _ in range(30):
        client.post(reverse("assembly:join"), {"code": "ZZZZZQ"})
    door = reverse("assembly:join-code", args=[meeting.join_code])
    assert client.get(door).status_code == 429  # typed, it might be a guess
    key = throttle.door_key(meeting.join_code)
    page = client.get(f"{door}?k={key}")
    assert page.status_code == 200
    assert f'action="{door}?k={key}"' in page.content.decode()  # the name form keeps the key
    response = client.post(f"{door}?k={key}", {"display_name": "Jin"})
    assert response.status_code == 302
    assert meeting.attendees.filter(display_name="Jin").exists()
    assert client.get(f"{door}?k=0123456789abcdef").status_code == 429  # a made-up key is not one


def test_the_projector_qr_carries_the_key_and_shows_the_short_link(meeting, facilitator):
    html = client_for(facilitator).get(reverse("assembly:meeting-projector", args=[meeting.pk]))
    text = html.content.decode()
    assert f"/join/{meeting.join_code}/</strong>" in text  # short enough to type
    keyed = f"http://testserver/join/{meeting.join_code}/?k={throttle.door_key(meeting.join_code)}"
    path = segno.make(keyed, error="m").svg_inline(scale=1, omitsize=True).split("<path")[-1]
    assert path[:200] in text  # the QR code is the keyed link's


def planted(client: Client) -> str:
    """An attacker's session key, planted in the victim's browser before they join."""
    session = SessionStore()
    session["planted"] = True
    session.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return session.session_key


def test_a_guest_join_rotates_a_planted_session_key(meeting, facilitator):
    victim = Client()
    key = planted(victim)
    victim.post(reverse("assembly:join-code", args=[meeting.join_code]), {"display_name": "Jin"})
    assert victim.cookies[settings.SESSION_COOKIE_NAME].value != key
    jin = meeting.attendees.get()
    actions.attendance.admit(meeting=meeting, attendee_id=jin.pk, by=facilitator)
    room = reverse("assembly:meeting-room", args=[meeting.pk])
    assert victim.get(room).status_code == 200
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = key
    response = attacker.get(room)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_leaving_rotates_the_session_key_and_the_old_key_opens_nothing(live_meeting, guest):
    client = guest_client(guest)
    old = client.cookies[settings.SESSION_COOKIE_NAME].value
    room = reverse("assembly:meeting-room", args=[live_meeting.pk])
    assert client.get(room).status_code == 200
    client.post(reverse("assembly:meeting-leave", args=[live_meeting.pk]))
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != old
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = old
    assert stale.get(room).status_code == 302
