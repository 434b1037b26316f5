"""The three screens and the facilitator's controls, per person."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse

from assembly.models import Meeting
from tests.conftest import client_for


@pytest.fixture(autouse=True)
def _no_broadcast():
    with mock.patch("assembly.live.publish.broadcast"):
        yield


def url(name: str, meeting: Meeting, **kwargs) -> str:
    return reverse(f"assembly:{name}", kwargs={"meeting_id": meeting.pk, **kwargs})


@pytest.mark.parametrize(
    ("page", "person", "status"),
    [
        ("meeting-room", "member", 200),
        ("meeting-room", "secretary", 200),
        ("meeting-room", "facilitator", 200),
        ("meeting-room", "outsider", 404),
        ("meeting-console", "facilitator", 200),
        ("meeting-console", "secretary", 403),
        ("meeting-console", "member", 403),
        ("meeting-console", "outsider", 404),
        ("meeting-projector", "facilitator", 200),
        ("meeting-projector", "secretary", 200),
        ("meeting-projector", "member", 403),
        ("meeting-projector", "outsider", 404),
    ],
)
def test_each_page_is_for_the_right_people(request, meeting, page, person, status):
    response = client_for(request.getfixturevalue(person)).get(url(page, meeting))
    assert response.status_code == status


@pytest.mark.parametrize("page", ["meeting-room", "meeting-console", "meeting-projector"])
def test_anonymous_visitors_are_sent_to_sign_in(client, meeting, page):
    response = client.get(url(page, meeting))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_missing_meeting_is_404(facilitator):
    response = client_for(facilitator).get(reverse("assembly:meeting-room", args=[999999]))
    assert response.status_code == 404


def test_the_participant_page_shows_the_room_and_its_socket(meeting, member):
    response = client_for(member).get(url("meeting-room", meeting))
    html = response.content.decode()
    assert f'ws-connect="/ws/meetings/{meeting.pk}/participant/?lang=en"' in html
    assert 'id="current-item"' in html
    assert "Welcome" in html
    assert "Start meeting" not in html


def test_pages_carry_a_strict_csp_with_a_nonce(meeting, member):
    response = client_for(member).get(url("meeting-room", meeting))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()


def test_the_projector_shows_the_join_code(meeting, facilitator):
    response = client_for(facilitator).get(url("meeting-projector", meeting))
    assert meeting.join_code in response.content.decode()


def test_starting_from_the_console_answers_htmx_with_the_new_parts(meeting, facilitator):
    response = client_for(facilitator).post(
        url("meeting-start", meeting), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h2>Welcome</h2>" in html
    # Not the room's version: a push from before it, still on its way, must not be dropped as
    # outdated beside these parts. The reply's own, with what it carries (app.js reads it).
    assert 'id="room-version"' not in html
    assert '<div id="reply-version" data-version="1" data-parts="meeting-status ' in html
    meeting.refresh_from_db()
    assert meeting.is_live


def test_a_console_control_answers_with_what_it_changed_not_the_whole_console(meeting, facilitator):
    client = client_for(facilitator)
    client.post(url("meeting-start", meeting), headers={"HX-Request": "true"})
    response = client.post(
        reverse("assembly:stack-close", args=[meeting.pk]),
        {"closed": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="stack"' in html
    assert "Reopen the list" in html
    assert 'id="agenda"' not in html and 'id="attendance"' not in html


def test_without_htmx_the_console_redirects_back(meeting, facilitator):
    response = client_for(facilitator).post(url("meeting-start", meeting))
    assert response.status_code == 302
    assert response["Location"] == url("meeting-console", meeting)


def test_a_refused_action_says_why(meeting, facilitator):
    response = client_for(facilitator).post(
        url("meeting-next", meeting), headers={"HX-Request": "true"}
    )
    assert response.status_code == 409
    assert "The meeting is not in session." in response.content.decode()


def test_a_refused_action_without_htmx_says_why_on_the_console(meeting, facilitator):
    client = client_for(facilitator)
    response = client.post(url("meeting-next", meeting), follow=True)
    assert "The meeting is not in session." in response.content.decode()


@pytest.mark.parametrize("person", ["member", "secretary"])
def test_only_facilitators_run_the_meeting(request, meeting, person):
    response = client_for(request.getfixturevalue(person)).post(url("meeting-start", meeting))
    assert response.status_code == 403
    meeting.refresh_from_db()
    assert not meeting.is_live


def test_an_outsider_cannot_run_the_meeting(meeting, outsider):
    response = client_for(outsider).post(url("meeting-start", meeting))
    assert response.status_code == 404
    meeting.refresh_from_db()
    assert not meeting.is_live


@pytest.mark.parametrize("action", ["meeting-start", "meeting-next", "meeting-adjourn"])
def test_actions_refuse_get(meeting, facilitator, action):
    assert client_for(facilitator).get(url(action, meeting)).status_code == 405


def test_pages_refuse_post(meeting, facilitator):
    assert client_for(facilitator).post(url("meeting-room", meeting)).status_code == 405


def test_going_to_an_item_of_another_meeting_is_refused(meeting, organization, facilitator):
    other = Meeting.objects.create(organization=organization, title="Other")
    foreign = other.items.create(position=1, title="Not ours")
    client = client_for(facilitator)
    client.post(url("meeting-start", meeting))
    response = client.post(
        url("meeting-go-to", meeting, item_id=foreign.pk), headers={"HX-Request": "true"}
    )
    assert response.status_code == 409
    assert "not on this meeting" in response.content.decode()


def test_home_lists_my_meetings_with_the_links_my_role_allows(meeting, member, facilitator):
    member_home = client_for(member).get("/").content.decode()
    assert meeting.title in member_home
    assert url("meeting-console", meeting) not in member_home
    assert url("meeting-console", meeting) in client_for(facilitator).get("/").content.decode()


def test_home_invites_a_visitor_to_sign_in(client):
    assert reverse("account_login") in client.get("/").content.decode()


def test_the_language_can_be_switched_and_sticks(client, meeting, member):
    client.force_login(member)
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    html = client.get(url("meeting-room", meeting)).content.decode()
    assert 'lang="es"' in html
    assert "?lang=es" in html


def test_a_null_character_in_a_temperature_question_is_refused(live_meeting, facilitator):
    response = client_for(facilitator).post(
        url("temperature-open", live_meeting),
        {"question": "Cap\x00 rents?"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert "null character" in response.content.decode()
    assert not live_meeting.temperature_checks.exists()


@pytest.mark.parametrize(
    "next_url", ["https://elsewhere.example/phish", "//elsewhere.example/", "/m/1/\x00"]
)
def test_a_control_goes_back_only_to_a_page_of_this_site(live_meeting, facilitator, next_url):
    response = client_for(facilitator).post(
        url("stack-close", live_meeting), {"closed": "1", "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == url("meeting-console", live_meeting)
