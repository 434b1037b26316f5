"""Floods: a person tapping far faster than a person can is told to slow down, and what they
did before stands; hundreds of guest joins fill neither the door nor the console."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from assembly import actions
from assembly.models import Attendee, SpeakerRequest
from assembly.models.attendance import WAITING_GUESTS_MAX
from assembly.views import limits
from tests.conftest import client_for, present

pytestmark = pytest.mark.usefixtures("quiet")

HTMX = {"HX-Request": "true"}


@pytest.fixture
def lupe(live_meeting, member) -> Client:
    present(live_meeting, member)
    return client_for(member)


def test_a_burst_of_hands_is_refused_with_a_message_and_the_raised_hand_stays(live_meeting, lupe):
    url = reverse("assembly:stack-raise", args=[live_meeting.pk])
    answers = [
        lupe.post(url, {"kind": "speak"}, headers=HTMX).status_code
        for _ in range(limits.HANDS.limit)
    ]
    assert answers[0] == 200 and set(answers[1:]) == {409}  # already up, said so
    refused = lupe.post(url, {"kind": "speak"}, headers=HTMX)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(limits.HANDS.window)
    html = refused.content.decode()
    assert '<div id="flash"' in html  # the page's own message area, swapped in by id
    assert "too many in a short time" in html
    assert SpeakerRequest.objects.filter(status="waiting").count() == 1


def test_without_htmx_a_refused_tap_gets_a_page_that_leads_back(live_meeting, lupe):
    url = reverse("assembly:temperature-respond", args=[live_meeting.pk])
    for _ in range(limits.TEMPERATURE.limit):
        lupe.post(url, {"value": "agree"})
    refused = lupe.post(url, {"value": "agree"})
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Please wait a moment" in html
    assert reverse("assembly:meeting-room", args=[live_meeting.pk]) in html


def test_the_limit_is_one_persons_and_spares_the_rest_of_the_room(live_meeting, lupe, secretary):
    url = reverse("assembly:stack-raise", args=[live_meeting.pk])
    for _ in range(limits.HANDS.limit + 1):
        lupe.post(url, {"kind": "speak"}, headers=HTMX)
    present(live_meeting, secretary)
    marcus = client_for(secretary)
    assert marcus.post(url, {"kind": "speak"}, headers=HTMX).status_code == 200


def test_a_refused_tap_is_spoken_in_the_persons_language(live_meeting, lupe):
    url = reverse("assembly:stack-raise", args=[live_meeting.pk])
    for _ in range(limits.HANDS.limit):
        lupe.post(url, {"kind": "speak"}, headers=HTMX)
    refused = lupe.post(url, {"kind": "speak"}, headers={**HTMX, "Accept-Language": "es"})
    assert refused.status_code == 429
    assert "Espera un minuto" in refused.content.decode()


def test_ballots_are_limited_too(live_meeting, lupe, facilitator):
    decision = actions.decisions.create(
        meeting=live_meeting, by=facilitator, question="Q?", method="motion"
    )
    actions.decisions.open_round(
        meeting=live_meeting, decision_id=decision.pk, by=facilitator, override_quorum=True
    )
    url = reverse("assembly:decision-vote", args=[live_meeting.pk, decision.pk])
    for _ in range(limits.BALLOTS.limit):
        lupe.post(url, {"vote": "yes"}, headers=HTMX)
    assert lupe.post(url, {"vote": "no"}, headers=HTMX).status_code == 429
    assert decision.participations.count() == 1


def test_hundreds_of_guest_joins_from_one_address_stop_at_the_limit(meeting):
    door = reverse("assembly:join-code", args=[meeting.join_code])
    for number in range(limits.GUEST_JOINS_PER_ADDRESS.limit):
        assert Client().post(door, {"display_name": f"Bot {number}"}).status_code == 302
    refused = Client().post(door, {"display_name": "Bot"})
    assert refused.status_code == 429
    assert "Too many joins from here" in refused.content.decode()
    assert meeting.attendees.count() == limits.GUEST_JOINS_PER_ADDRESS.limit
    meeting.attendees.update(status=Attendee.Status.PRESENT)  # admitted: the door is free
    elsewhere = Client(REMOTE_ADDR="10.0.0.7")
    assert elsewhere.post(door, {"display_name": "Jin"}).status_code == 302


def test_one_browser_turned_away_cannot_knock_again_and_again(meeting, facilitator):
    door = reverse("assembly:join-code", args=[meeting.join_code])
    browser = Client(REMOTE_ADDR="10.0.0.8")
    for _ in range(limits.GUEST_JOINS_PER_BROWSER.limit):
        assert browser.post(door, {"display_name": "Pest"}).status_code == 302
        pest = meeting.attendees.get(status=Attendee.Status.WAITING)
        actions.attendance.remove(meeting=meeting, attendee_id=pest.pk, by=facilitator)
    assert browser.post(door, {"display_name": "Pest"}).status_code == 429


def test_the_console_shows_a_full_door_and_turns_everyone_waiting_away(meeting, facilitator):
    Attendee.objects.bulk_create(
        Attendee(meeting=meeting, display_name=f"Bot {n}", kind=Attendee.Kind.GUEST)
        for n in range(WAITING_GUESTS_MAX)
    )
    rosa = client_for(facilitator)
    console = rosa.get(reverse("assembly:meeting-console", args=[meeting.pk])).content.decode()
    assert f"{WAITING_GUESTS_MAX} guests waiting" in console
    assert "The door is full" in console
    url = reverse("assembly:attendance-turn-away-waiting", args=[meeting.pk])
    assert f'hx-post="{url}"' in console
    response = rosa.post(url, headers=HTMX)
    assert response.status_code == 200
    assert "guests waiting" not in response.content.decode()
    assert not meeting.attendees.waiting().exists()
    assert (
        Client()
        .post(reverse("assembly:join-code", args=[meeting.join_code]), {"display_name": "Jin"})
        .status_code
        == 302
    )  # a real guest gets in again


def test_the_attendance_page_turns_everyone_waiting_away_too(meeting, facilitator):
    for name in ("Bot", "Bot 2"):
        actions.attendance.join_as_guest(meeting=meeting, display_name=name)
    rosa = client_for(facilitator)
    page = reverse("assembly:meeting-attendance", args=[meeting.pk])
    url = reverse("assembly:attendance-turn-away-waiting", args=[meeting.pk])
    assert f'action="{url}"' in rosa.get(page).content.decode()
    response = rosa.post(url)
    assert response.status_code == 302 and response["Location"] == page
    assert not meeting.attendees.waiting().exists()
