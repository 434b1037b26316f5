"""The proposer accepts two conflicting amendments at once, from two devices: exactly one is
applied, the other refused with a message. Real threads and transactions (run on PostgreSQL,
where the rows are locked `FOR UPDATE`, in CI's second pass; on SQLite the write lock is
taken up front)."""

from __future__ import annotations

import pytest

from assembly import actions
from assembly.actions import ActionError
from assembly.models import Amendment, Proposal
from tests.conftest import present
from tests.test_decisions_crowd import all_at_once

pytestmark = [pytest.mark.usefixtures("quiet"), pytest.mark.django_db(transaction=True)]


@pytest.fixture
def floor(live_meeting, member, facilitator):
    lupe = present(live_meeting, member)
    proposal = actions.proposals.submit(attendee=lupe, title="Fund", text="Commit the fund.")
    actions.proposals.bring_to_floor(meeting=live_meeting, proposal_id=proposal.pk, by=facilitator)
    return live_meeting, lupe, proposal


def accept(meeting, lupe):
    def work(amendment_id):
        return actions.proposals.answer(
            meeting=meeting.pk, amendment_id=amendment_id, accept=True, attendee=lupe
        )

    return work


@pytest.mark.parametrize("attempt", range(3))
def test_two_conflicting_accepts_at_once_one_wins(floor, attempt):
    meeting, lupe, proposal = floor
    texts = ["Commit the fund, capped at $500.", "Commit half the fund."]
    amendments = [
        actions.proposals.amend(attendee=lupe, proposal_id=proposal.pk, text=t, against=1)
        for t in texts
    ]
    outcomes = all_at_once(accept(meeting, lupe), [a.pk for a in amendments])
    won = [o for o in outcomes if isinstance(o, Amendment)]
    refused = [o for o in outcomes if isinstance(o, ActionError)]
    assert len(won) == 1 and len(refused) == 1, outcomes
    assert "no longer applies" in str(refused[0])
    proposal = Proposal.objects.get(pk=proposal.pk)
    assert proposal.version == 2 and proposal.text == won[0].text
    assert [v.number for v in proposal.versions.all()] == [1, 2]
    statuses = sorted(Amendment.objects.values_list("status", flat=True))
    assert statuses == ["accepted", "pending"]


def test_the_same_accept_from_two_devices_applies_once(floor):
    meeting, lupe, proposal = floor
    amendment = actions.proposals.amend(
        attendee=lupe, proposal_id=proposal.pk, text="Commit it all.", against=1
    )
    outcomes = all_at_once(accept(meeting, lupe), [amendment.pk, amendment.pk])
    assert sum(isinstance(o, Amendment) for o in outcomes) == 1, outcomes
    assert any("already been answered" in str(o) for o in outcomes)
    assert Proposal.objects.get(pk=proposal.pk).versions.count() == 2
