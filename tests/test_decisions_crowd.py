"""A hall votes at once: every ballot is stored exactly once, or refused with a reason, and a
close racing the ballots neither deadlocks nor loses one. Real threads, real transactions (on
PostgreSQL in CI's second pass, with the connection pool)."""

from __future__ import annotations

import threading
import time
from unittest import mock

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse

from assembly import actions
from assembly.actions import ActionError
from assembly.models import Attendee, AuditEntry
from assembly.models.rows import insert_rows
from tests.conftest import open_motion

pytestmark = [pytest.mark.usefixtures("quiet"), pytest.mark.django_db(transaction=True)]


def hall_of(meeting, size: int) -> list[Attendee]:
    return Attendee.objects.bulk_create(
        Attendee(
            meeting=meeting, display_name=f"V{n}", kind="guest", status="present", may_vote=True
        )
        for n in range(size)
    )


def all_at_once(work, items) -> list:
    """Run `work(item)` for every item in its own thread, released together; their outcomes."""
    start = threading.Barrier(len(items))
    outcomes: list = [None] * len(items)

    def run(n, item):
        try:
            start.wait(timeout=30)
            outcomes[n] = work(item)
        except Exception as error:  # the outcome to assert on, whatever it is
            outcomes[n] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n, i)) for n, i in enumerate(items)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


@pytest.mark.parametrize("secret", [False, True])
def test_two_hundred_voters_at_one_instant_are_all_stored(live_meeting, facilitator, secret):
    voters = hall_of(live_meeting, 200)
    decision = open_motion(live_meeting, facilitator, secret=secret)
    outcomes = all_at_once(
        lambda voter: actions.decisions.cast(
            decision_id=decision.pk, attendee=voter, choice={"vote": "yes"}
        ),
        voters,
    )
    assert [o for o in outcomes if o is not None] == []
    result = actions.decisions.close(
        meeting=live_meeting, decision_id=decision.pk, by=facilitator
    ).result
    assert (result["yes"], result["ballots"]) == ("200", 200)


def test_a_close_racing_the_ballots_counts_each_or_refuses_it(live_meeting, facilitator):
    voters = hall_of(live_meeting, 60)
    decision = open_motion(live_meeting, facilitator, secret=True)

    def act(who):
        if who == "close":
            return actions.decisions.close(
                meeting=live_meeting, decision_id=decision.pk, by=facilitator
            )
        return actions.decisions.cast(decision_id=decision.pk, attendee=who, choice={"vote": "yes"})

    crowd: list = [*voters[:30], "close", *voters[30:]]
    outcomes = all_at_once(act, crowd)
    closed = outcomes[30]
    assert not isinstance(closed, Exception), closed  # the close went through, no deadlock
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert all(
        isinstance(o, ActionError) and "Voting on this decision is closed" in str(o)
        for o in refused
    ), refused
    counted = sum(1 for o in outcomes[:30] + outcomes[31:] if o is None)
    # Every ballot acknowledged before the close is in the count; every other one was refused.
    assert closed.result["ballots"] == counted == 60 - len(refused)
    assert closed.result["yes"] == str(counted)


def test_a_burst_of_ballot_posts_queues_before_the_database(live_meeting, facilitator):
    """Ballots posted at once wait their turn in the process, holding no connection, a few at a
    time (here one): every phone is answered 200 and every ballot stored once."""
    voters = hall_of(live_meeting, 12)
    decision = open_motion(live_meeting, facilitator)
    inside, most = [0], [0]
    lock = threading.Lock()
    cast = actions.decisions.cast

    def counted_cast(**kwargs):
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        try:
            time.sleep(0.02)  # long enough for the others to pile up behind it
            return cast(**kwargs)
        finally:
            with lock:
                inside[0] -= 1

    url = reverse("assembly:decision-vote", args=[live_meeting.pk, decision.pk])

    def post(voter):
        client = Client()
        session = client.session
        session["guest_tokens"] = {str(live_meeting.pk): voter.token}
        session.save()
        client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
        return client.post(url, {"vote": "yes"}, HTTP_HX_REQUEST="true").status_code

    with (
        mock.patch("assembly.middleware._slots", threading.BoundedSemaphore(1)),
        mock.patch("assembly.actions.decisions.cast", side_effect=counted_cast),
    ):
        codes = all_at_once(post, voters)
    assert codes == [200] * len(voters)
    assert most[0] == 1
    assert decision.participations.count() == len(voters)


@pytest.mark.parametrize("secret", [False, True])
def test_a_batch_of_ballots_counts_as_each_voter_chose(live_meeting, facilitator, secret):
    """The ballot box's batch (cast_many) writes its rows without model instances
    (assembly.models.rows): each choice, open or sealed, reads back and counts as it was cast."""
    voters = hall_of(live_meeting, 30)
    decision = open_motion(live_meeting, facilitator, secret=secret)
    choices = ["yes"] * 15 + ["no"] * 10 + ["abstain"] * 5
    recorded = actions.decisions.cast_many(
        meeting_id=live_meeting.pk,
        decision_id=decision.pk,
        ballots=[(v.pk, {"vote": c}) for v, c in zip(voters, choices, strict=True)],
    )
    assert sorted(recorded) == sorted(v.pk for v in voters)
    assert set(decision.participations.values_list("assisted", "contested")) == {(False, False)}
    if not secret:
        assert {b.attendee_id: b.choice for b in decision.ballots.all()} == {
            v.pk: {"vote": c} for v, c in zip(voters, choices, strict=True)
        }
    result = actions.decisions.close(
        meeting=live_meeting, decision_id=decision.pk, by=facilitator
    ).result
    assert (result["yes"], result["no"], result["abstain"], result["ballots"]) == (
        "15",
        "10",
        "5",
        30,
    )


def test_rows_without_a_value_for_a_field_that_needs_one_are_refused_whole(live_meeting):
    with pytest.raises(ValueError, match="display_name needs a value"):
        insert_rows(Attendee, ("meeting_id",), [(live_meeting.pk,)])
    with pytest.raises(ValueError, match="no field 'nickname'"):
        insert_rows(Attendee, ("meeting_id", "nickname"), [(live_meeting.pk, "x")])
    assert not Attendee.objects.filter(meeting=live_meeting).exists()
    with pytest.raises(ValueError, match="at needs a value"):  # auto_now_add: pre_save's
        insert_rows(
            AuditEntry,
            ("organization_id", "action"),
            [(live_meeting.organization_id, "test")],
        )
    assert not AuditEntry.objects.filter(action="test").exists()
