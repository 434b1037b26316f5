"""Minutes approved at the next meeting: a decision on "approve the minutes of <date>" that
carries marks them approved and published, by which meeting; corrections before are kept."""

from __future__ import annotations

import pytest

from assembly import actions
from assembly.models import AuditEntry, NotesCorrection
from tests.conftest import present

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def first(live_meeting, facilitator):
    actions.meetings.adjourn(meeting=live_meeting, by=facilitator)
    live_meeting.refresh_from_db()
    return live_meeting


def approve_by_vote(first, organization, facilitator, member, vote):
    second = organization.meetings.create(title="Next assembly")
    item = second.items.create(
        position=1, title="Approve the minutes", kind="approve_minutes", minutes_of=first
    )
    actions.meetings.start(meeting=second, by=facilitator)
    lupe = present(second, member)
    decision = actions.decisions.create(
        meeting=second, by=facilitator, question="Approve the minutes?", method="motion"
    )
    actions.decisions.open_round(
        meeting=second, decision_id=decision.pk, by=facilitator, override_quorum=True
    )
    actions.decisions.cast(decision_id=decision.pk, attendee=lupe, choice={"vote": vote})
    actions.decisions.close(meeting=second, decision_id=decision.pk, by=facilitator)
    assert decision.item_id is None or decision.item_id == item.pk
    return second


def test_a_carried_vote_approves_and_publishes_the_minutes(
    first, organization, facilitator, member
):
    second = approve_by_vote(first, organization, facilitator, member, "yes")
    first.refresh_from_db()
    assert first.status == "published" and first.minutes_approved_in == second
    assert first.minutes_approved_at is not None
    assert AuditEntry.objects.filter(action="minutes.approved", meeting=first).exists()


def test_a_failed_vote_leaves_them_a_draft(first, organization, facilitator, member):
    approve_by_vote(first, organization, facilitator, member, "no")
    first.refresh_from_db()
    assert first.status == "adjourned" and first.minutes_approved_in is None


def test_corrections_after_adjournment_are_kept_as_a_history(first, secretary):
    item = first.items.first()
    actions.minutes.save_notes(meeting=first, item_id=item.pk, text="Ten came.", by=secretary)
    actions.minutes.save_notes(meeting=first, item_id=item.pk, text="Twelve came.", by=secretary)
    history = list(NotesCorrection.objects.values_list("before", "after"))
    assert history == [("", "Ten came."), ("Ten came.", "Twelve came.")]
