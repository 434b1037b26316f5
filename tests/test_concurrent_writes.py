"""Phones act at the same moment: every twinkle and every ballot sent together is recorded, on
SQLite (`make run`) as on PostgreSQL. Before SQLite took its write lock up front, some of them
failed with "database is locked" and were lost."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from assembly import actions
from tests.conftest import unheard

pytestmark = pytest.mark.django_db(transaction=True)

PHONES = 12


def all_at_once(people, act) -> list[str]:
    """Run `act(person)` for everyone in threads released together; the errors, if any."""
    errors: list[str] = []
    start = threading.Barrier(len(people))

    def run(person):
        try:
            start.wait()
            act(person)
        except Exception as error:  # noqa: BLE001 - each one is a lost tap; report them all
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(person,)) for person in people]
    with unheard():  # patched once, here: patching from each thread would race
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return errors


@pytest.fixture
def phones(live_meeting):
    return [
        live_meeting.attendees.create(
            display_name=f"P{n}", kind="guest", status="present", may_vote=True
        )
        for n in range(PHONES)
    ]


def test_twinkles_sent_together_are_all_counted(live_meeting, facilitator, phones):
    with unheard():
        check = actions.stack.open_temperature(meeting=live_meeting, question="", by=facilitator)
    errors = all_at_once(phones, lambda p: actions.stack.respond(attendee=p, value="agree"))
    assert not errors
    assert check.responses.count() == PHONES


def test_ballots_sent_together_are_all_counted_once(live_meeting, facilitator, phones):
    with unheard():
        decision = actions.decisions.create(
            meeting=live_meeting, by=facilitator, question="Fund?", method="motion"
        )
        actions.decisions.open_round(
            meeting=live_meeting, decision_id=decision.pk, by=facilitator, override_quorum=True
        )
    errors = all_at_once(
        phones,
        lambda p: actions.decisions.cast(
            decision_id=decision.pk, attendee=p, choice={"vote": "yes"}
        ),
    )
    assert not errors
    assert decision.participations.count() == PHONES == decision.ballots.count()
