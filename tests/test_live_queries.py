"""What a push costs: each part builds only what it renders, so the "n of m have voted" line
that goes out with every ballot does not rebuild the whole room. Before the parts had context
builders of their own, each of these took 39 queries (the whole room, once per audience)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assembly import actions
from assembly.live import Part
from assembly.live.publish import broadcast
from tests.conftest import client_for, present, unheard

HTMX = {"HTTP_HX_REQUEST": "true"}
TURNOUT_PUSH_MAX = 8  # measured: 7 (the meeting, attendance, the open decision, its count)
# measured: 33 (one for the proposer's own part, "my proposals"; one noting the voter's own
# part's version, for a phone that reopens without its answer; one for the open ballot's
# choice, which the phone marks)
VOTE_POST_MAX = 34


@pytest.fixture
def voting(live_meeting, member, secretary, facilitator):
    """A motion open to three voting members who are present."""
    with unheard():
        for user in (member, secretary, facilitator):
            present(live_meeting, user)
        decision = actions.decisions.create(
            meeting=live_meeting, by=facilitator, question="Fund it?", method="motion"
        )
        actions.decisions.open_round(meeting=live_meeting, decision_id=decision.pk, by=facilitator)
    return decision


def test_a_turnout_push_builds_only_the_turnout(voting):
    sent = []
    with (
        mock.patch("assembly.live.fanout.listened_among", side_effect=list),  # a screen in each
        mock.patch("assembly.live.fanout.send", side_effect=lambda group, html: sent.append(html)),
        CaptureQueriesContext(connection) as queries,
    ):
        broadcast(voting.meeting_id, (Part.TURNOUT,))
    assert sent and all('id="turnout"' in html for html in sent)
    assert len(queries) <= TURNOUT_PUSH_MAX, [q["sql"] for q in queries.captured_queries]


def test_a_vote_post_stays_cheap(voting, member):
    client = client_for(member)
    vote = reverse("assembly:decision-vote", args=[voting.meeting_id, voting.pk])
    with unheard(), CaptureQueriesContext(connection) as queries:
        response = client.post(vote, {"vote": "yes"}, **HTMX)
    assert response.status_code == 200
    assert "1 of 3 have voted" in response.content.decode()
    assert len(queries) <= VOTE_POST_MAX, [q["sql"] for q in queries.captured_queries]


# measured: 10 (the session, the user, the facilitator's role with the meeting's key in one
# query; the action's lock, its write and the version counted in one statement; the meeting
# read again for the reply, and the console's stack, fresh: the speaker and the waiting hands
# in one query)
FACILITATOR_CLICK_MAX = 10


def test_a_facilitators_click_stays_cheap(live_meeting, facilitator):
    client = client_for(facilitator)
    close = reverse("assembly:stack-close", args=[live_meeting.pk])
    with unheard(), CaptureQueriesContext(connection) as queries:
        response = client.post(close, {"closed": "1"}, **HTMX)
    assert response.status_code == 200
    assert "closed" in response.content.decode().lower()
    assert len(queries) <= FACILITATOR_CLICK_MAX, [q["sql"] for q in queries.captured_queries]
    whole_meeting = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and '"assembly_meeting"."title"' in q["sql"]
    ]
    # Under the action's lock, and for the reply; whether they may act needs none of it.
    assert len(whole_meeting) == 2, whole_meeting
    # Each reads the meeting with its current item, not its organization: the speakers' list
    # shows no quorum.
    assert not any('JOIN "assembly_organization"' in sql for sql in whole_meeting), whole_meeting


@pytest.mark.django_db(transaction=True)  # the push goes after commit
def test_a_click_and_its_push_read_the_room_once(live_meeting, facilitator):
    """The push of a facilitator's change takes what their reply built for that version: the
    speakers' list is read once for both, and the console gets the very part it was sent."""
    client = client_for(facilitator)
    close = reverse("assembly:stack-close", args=[live_meeting.pk])
    sent = {}
    with (
        mock.patch("assembly.live.fanout.listened_among", side_effect=list),  # a screen in each
        mock.patch("assembly.live.fanout.send", side_effect=sent.__setitem__),
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.post(close, {"closed": "1"}, **HTMX)
    assert response.status_code == 200
    stack_reads = [q for q in queries.captured_queries if "assembly_speakerrequest" in q["sql"]]
    assert len(stack_reads) == 1, stack_reads  # who speaks and who waits, together, once
    reply = response.content.decode()
    pushed = sent[f"m{live_meeting.pk}.facilitator.en"]
    part = pushed[pushed.index('<section id="stack"') :]
    assert part in reply
    assert "closed" in part.lower()
    assert f"m{live_meeting.pk}.participant.es" in sent  # and every other screen


@pytest.mark.django_db(transaction=True)
def test_a_change_reaches_the_room_even_if_its_reply_fails(live_meeting, facilitator):
    client = client_for(facilitator)
    client.raise_request_exception = False
    close = reverse("assembly:stack-close", args=[live_meeting.pk])
    sent = {}
    with (
        mock.patch("assembly.live.fanout.listened_among", side_effect=list),
        mock.patch("assembly.live.fanout.send", side_effect=sent.__setitem__),
        mock.patch("assembly.views.replies.console_parts", side_effect=RuntimeError("boom")),
    ):
        response = client.post(close, {"closed": "1"}, **HTMX)
    assert response.status_code == 500
    assert "closed" in sent[f"m{live_meeting.pk}.participant.en"].lower()


# measured: 10 (the session, the user; the meeting, their membership and attendance; none of the
# room, built for that version already; then the person's own part: their hands, their vote in
# the open ballot, the proxies they carry, their action items and their proposals)
PAGE_AGAIN_MAX = 10


def test_a_hall_opening_the_page_reads_the_room_once(voting, member, secretary, facilitator):
    """Each phone of a hall that opens the page at once gets the room as the first one read it
    (and rendered for that version): its own part is all that is read for it."""
    page = reverse("assembly:meeting-room", args=[voting.meeting_id])
    with unheard():
        rosa = voting.meeting.attendees.get(user=facilitator)
        actions.stack.raise_hand(attendee=rosa, kind="speak")
    first = client_for(member).get(page)
    assert first.status_code == 200
    phone = client_for(secretary)
    with CaptureQueriesContext(connection) as queries:
        again = phone.get(page)
    assert again.status_code == 200
    assert len(queries) <= PAGE_AGAIN_MAX, [q["sql"] for q in queries.captured_queries]
    room_tables = ("assembly_agendaitem", "assembly_speakerrequest", "assembly_decision")
    assert not [
        q["sql"]
        for q in queries.captured_queries
        if any(f'FROM "{table}"' in q["sql"] for table in room_tables)
        and "attendee_id" not in q["sql"]
    ]
    for response in (first, again):
        html = response.content.decode()
        assert "Fund it?" in html and "0 of 3 have voted" in html
        assert "Rosa" in html  # the hand up on the speakers' list
    marcus = voting.meeting.attendees.get(user=secretary)
    assert f'data-me="{marcus.pk}"' in again.content.decode()  # and their own part


def test_a_page_after_a_change_shows_it(voting, member, facilitator):
    page = reverse("assembly:meeting-room", args=[voting.meeting_id])
    phone = client_for(member)
    assert "0 of 3 have voted" in phone.get(page).content.decode()
    with unheard():
        rosa = voting.meeting.attendees.get(user=facilitator)
        actions.decisions.cast(decision_id=voting.pk, attendee=rosa, choice={"vote": "yes"})
    assert "1 of 3 have voted" in phone.get(page).content.decode()
