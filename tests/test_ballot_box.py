"""The ballot box: a burst of ballots through the real ASGI app (config.asgi), each with its
phone's session cookie and CSRF token, is recorded in batches, once each, and answered only
once committed; whatever the box does not take, Django's own view answers as before."""

from __future__ import annotations

import asyncio

import pytest
from channels.testing import HttpCommunicator
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.test.utils import CaptureQueriesContext

from assembly import actions, ballot_box
from assembly.models import Attendee, Participation
from config.asgi import application
from tests.conftest import make_person, present, session_of
from tests.conftest import open_motion as opened

pytestmark = [pytest.mark.usefixtures("quiet"), pytest.mark.django_db(transaction=True)]

CSRF = _get_new_csrf_string()


def post(
    meeting_id: int,
    decision_id: int,
    session: str,
    fields: str,
    *,
    htmx: bool = True,
    csrf: str = CSRF,
):
    headers = [
        (b"host", b"testserver"),
        (b"cookie", f"sessionid={session}; csrftoken={CSRF}".encode()),
        (b"x-csrftoken", csrf.encode()),
        (b"content-type", b"application/x-www-form-urlencoded"),
    ]
    if htmx:
        headers.append((b"hx-request", b"true"))
    path = f"/m/{meeting_id}/decisions/{decision_id}/vote/"
    return HttpCommunicator(application, "POST", path, body=fields.encode(), headers=headers)


async def answers(*communicators) -> list[tuple[int, str]]:
    got = await asyncio.gather(*(c.get_response(timeout=60) for c in communicators))
    return [(r["status"], r["body"].decode()) for r in got]


def send_all(*communicators) -> list[tuple[int, str]]:
    return asyncio.run(answers(*communicators))


def hall(meeting, organization, size: int) -> list:
    people = [make_person(organization, f"voter{n}@example.org", "member") for n in range(size)]
    for person in people:
        present(meeting, person)
    return people


def test_a_burst_of_ballots_is_recorded_once_each_and_counted(
    live_meeting, organization, facilitator
):
    people = hall(live_meeting, organization, 60)
    decision = opened(live_meeting, facilitator)
    sessions = [session_of(person) for person in people]
    got = send_all(
        *(post(live_meeting.pk, decision.pk, s, "vote=yes&op=a1b2c3d4e5f6") for s in sessions)
    )
    assert {status for status, _ in got} == {200}
    assert all(f'id="my-vote" hidden data-voted="{decision.pk}"' in body for _, body in got)
    assert all('data-choice="yes"' in body for _, body in got)  # the phone marks its answer
    assert decision.participations.count() == 60 == decision.ballots.count()
    result = actions.decisions.close(
        meeting=live_meeting, decision_id=decision.pk, by=facilitator
    ).result
    assert (result["yes"], result["ballots"]) == ("60", 60)


def test_a_phone_that_lost_its_answer_sends_again_and_is_not_counted_twice(
    live_meeting, organization, facilitator, member
):
    present(live_meeting, member)
    decision = opened(live_meeting, facilitator, secret=True)
    session = session_of(member)
    ballot = "vote=no&confirm=1&op=0123456789abcdef"
    first, again = (
        send_all(post(live_meeting.pk, decision.pk, session, ballot)),
        send_all(post(live_meeting.pk, decision.pk, session, ballot)),
    )
    assert first[0][0] == again[0][0] == 200
    assert "already recorded" not in again[0][1]
    assert "data-choice" not in first[0][1] + again[0][1]  # a secret ballot's, never
    assert decision.participations.count() == 1 == decision.sealed.count()
    # A new tap (a new operation) on a secret ballot is Django's refusal, with its reason.
    ((status, body),) = send_all(post(live_meeting.pk, decision.pk, session, "vote=yes&confirm=1"))
    assert status == 409 and "already recorded" in body
    assert decision.participations.count() == 1


def test_a_secret_ballot_is_reviewed_first_and_sealed_once_confirmed(
    live_meeting, facilitator, member
):
    present(live_meeting, member)
    decision = opened(live_meeting, facilitator, secret=True)
    session = session_of(member)
    ((status, body),) = send_all(post(live_meeting.pk, decision.pk, session, "vote=yes"))
    assert status == 200 and 'name="confirm"' in body  # Django's review, nothing cast
    assert decision.participations.count() == 0
    ((status, body),) = send_all(post(live_meeting.pk, decision.pk, session, "vote=yes&confirm=1"))
    assert status == 200 and f'data-voted="{decision.pk}"' in body
    assert "data-choice" not in body  # what a secret ballot held never comes back
    assert decision.sealed.count() == 1 and decision.ballots.count() == 0


def test_a_guest_votes_through_the_box(live_meeting, facilitator, guest):
    Attendee.objects.filter(pk=guest.pk).update(status="present", may_vote=True)
    decision = opened(live_meeting, facilitator)
    ((status, _),) = send_all(
        post(live_meeting.pk, decision.pk, session_of(guest=guest), "vote=abstain")
    )
    assert status == 200
    assert decision.ballots.get().choice == {"vote": "abstain"}


def test_an_open_ballot_cast_again_is_changed_not_added(live_meeting, facilitator, member):
    present(live_meeting, member)
    decision = opened(live_meeting, facilitator)
    session = session_of(member)
    ((_, first),) = send_all(post(live_meeting.pk, decision.pk, session, "vote=yes"))
    assert 'data-choice="yes"' in first  # the box's answer
    ((status, body),) = send_all(post(live_meeting.pk, decision.pk, session, "vote=no"))
    assert status == 200
    assert 'data-choice="no"' in body  # Django's view's answer: the phone's own part
    assert decision.ballots.get().choice == {"vote": "no"}


def test_a_page_without_script_gets_djangos_answer(live_meeting, facilitator, member):
    present(live_meeting, member)
    decision = opened(live_meeting, facilitator)
    ((status, _),) = send_all(
        post(live_meeting.pk, decision.pk, session_of(member), "vote=no", htmx=False)
    )
    assert status == 302  # back to the room, with its message
    assert decision.ballots.get().choice == {"vote": "no"}


@pytest.mark.parametrize(
    "case, expected",
    [
        ("wrong csrf", 403),
        ("bad choice", 422),
        ("closed", 409),
        ("left", 403),
        ("no vote", 409),
        ("password changed", 404),
        ("logged out", 404),
        ("other meeting", 404),
    ],
)
def test_what_the_box_does_not_take_django_answers_and_nothing_is_recorded(
    live_meeting, organization, other_organization, facilitator, member, case, expected
):
    attendee = present(live_meeting, member)
    decision = opened(live_meeting, facilitator)
    session, fields, kwargs = session_of(member), "vote=yes", {}
    meeting_id = live_meeting.pk
    if case == "wrong csrf":
        kwargs["csrf"] = _get_new_csrf_string()
    elif case == "bad choice":
        fields = "vote=maybe"
    elif case == "closed":
        actions.decisions.close(meeting=live_meeting, decision_id=decision.pk, by=facilitator)
    elif case == "left":
        Attendee.objects.filter(pk=attendee.pk).update(status="left")
    elif case == "no vote":
        Attendee.objects.filter(pk=attendee.pk).update(may_vote=False)
    elif case == "password changed":
        member.set_password("a new one, from another phone")
        member.save()
    elif case == "logged out":
        browser = Client()
        browser.cookies["sessionid"] = session
        browser.logout()
    elif case == "other meeting":
        other = make_person(other_organization, "elsewhere@example.org", "facilitator")
        session = session_of(other)
    ((status, _),) = send_all(post(meeting_id, decision.pk, session, fields, **kwargs))
    assert status == expected
    assert not Participation.objects.filter(decision=decision).exists()


def test_a_hostile_ballot_gets_djangos_clear_answer(live_meeting, facilitator, member):
    present(live_meeting, member)
    decision = opened(live_meeting, facilitator)
    session = session_of(member)
    flood = "&".join(f"f{n}=1" for n in range(1500))  # past Django's 1,000 fields
    ((status, _),) = send_all(post(live_meeting.pk, decision.pk, session, flood + "&vote=yes"))
    assert status == 400
    ((status, _),) = send_all(post(live_meeting.pk, decision.pk, session, "vote=%ff%fe"))
    assert status == 422
    assert not decision.participations.exists()


def test_a_batch_costs_a_few_queries_whatever_its_size(live_meeting, organization, facilitator):
    people = hall(live_meeting, organization, 40)
    decision = opened(live_meeting, facilitator)

    async def batch_of(scopes):
        return [
            ballot_box.checked(scope, b"vote=yes", live_meeting.pk, decision.pk) for scope in scopes
        ]

    def scope_of(person):
        return post(live_meeting.pk, decision.pk, session_of(person), "vote=yes").scope

    costs = []
    for group in (people[:1], people[1:40]):
        batch = asyncio.run(batch_of([scope_of(person) for person in group]))
        assert all(sent is not None for sent in batch)
        with CaptureQueriesContext(connection) as queries:
            recorded = ballot_box.record(batch)
        assert len(recorded) == len(group)
        costs.append(len(queries))
    one, thirty_nine = costs
    assert thirty_nine <= one + 2 <= 20  # constant per batch, not per ballot
    assert decision.participations.count() == 40


def test_a_retry_answered_from_its_key_marks_what_was_cast_not_what_it_carries(
    live_meeting, facilitator, member
):
    """A phone that reuses a recorded ballot's operation key with another answer is answered
    from the key, nothing cast: its phone must mark the answer stored, not the one it sent."""
    present(live_meeting, member)
    decision = opened(live_meeting, facilitator)
    session = session_of(member)
    send_all(post(live_meeting.pk, decision.pk, session, "vote=yes&op=fedcba9876543210"))
    ((status, body),) = send_all(
        post(live_meeting.pk, decision.pk, session, "vote=no&op=fedcba9876543210")
    )
    assert status == 200 and f'data-voted="{decision.pk}"' in body
    assert 'data-choice="yes"' in body and 'data-choice="no"' not in body
    assert decision.ballots.get().choice == {"vote": "yes"}
