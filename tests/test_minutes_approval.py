"""Minutes approved at the next meeting: a decision on "approve the minutes of <date>" that
carries marks them approved and published, by which meeting; corrections before are kept."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from assembly import actions
from assembly.actions import ActionError
from assembly.models import AuditEntry, NotesCorrection
from tests.conftest import client_for, present

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


# Choosing, from the agenda editor, whose minutes an item approves.


def editor_url(meeting) -> str:
    return reverse("assembly:agenda", kwargs={"meeting_id": meeting.pk})


APPROVE = {"title": "Approve the minutes", "kind": "approve_minutes", "timebox_minutes": "5"}


@pytest.fixture
def second(organization):
    return organization.meetings.create(title="January assembly")


def test_the_editor_offers_only_this_bodys_minutes_waiting_for_approval(
    first, second, organization, other_organization, secretary
):
    organization.meetings.create(title="Next month")  # not held yet: nothing to approve
    approved = organization.meetings.create(
        title="Old assembly", status="published", minutes_approved_at=timezone.now()
    )
    foreign = other_organization.meetings.create(title="Theirs", status="adjourned")
    html = client_for(secretary).get(editor_url(second)).content.decode()
    select = html[
        html.index('name="minutes_of"') : html.index("</select>", html.index("minutes_of"))
    ]
    assert f'<option value="{first.pk}">General assembly (' in select
    assert (
        str(approved.pk) not in select and "Theirs" not in select and str(foreign.pk) not in select
    )
    assert "Next month" not in select and "January assembly" not in select
    spanish = client_for(secretary).get(editor_url(second), HTTP_ACCEPT_LANGUAGE="es")
    assert "Aprueba el acta de" in spanish.content.decode()


def test_an_item_added_in_the_editor_approves_the_chosen_minutes_when_the_vote_carries(
    first, second, organization, facilitator, member
):
    response = client_for(facilitator).post(
        reverse("assembly:agenda-add", kwargs={"meeting_id": second.pk}),
        {**APPROVE, "minutes_of": str(first.pk)},
    )
    assert response.status_code == 302
    item = second.items.get(kind="approve_minutes")
    assert item.minutes_of == first
    editor = client_for(facilitator).get(editor_url(second)).content.decode()
    assert "approves the minutes of General assembly" in editor
    actions.meetings.start(meeting=second, by=facilitator)
    lupe = present(second, member)
    decision = actions.decisions.create(
        meeting=second, by=facilitator, question="Approve them?", method="motion"
    )
    assert decision.item == item
    actions.decisions.open_round(
        meeting=second, decision_id=decision.pk, by=facilitator, override_quorum=True
    )
    actions.decisions.cast(decision_id=decision.pk, attendee=lupe, choice={"vote": "yes"})
    actions.decisions.close(meeting=second, decision_id=decision.pk, by=facilitator)
    first.refresh_from_db()
    assert first.minutes_approved_in == second and first.status == "published"


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ("", "Choose the meeting whose minutes this item approves."),
        ("foreign", "Select a valid choice"),
        ("itself", "Select a valid choice"),
    ],
)
def test_an_approval_item_must_name_minutes_this_body_can_approve(
    first, second, other_organization, facilitator, chosen, message
):
    foreign = other_organization.meetings.create(title="Theirs", status="adjourned")
    picked = {"": "", "foreign": str(foreign.pk), "itself": str(second.pk)}[chosen]
    response = client_for(facilitator).post(
        reverse("assembly:agenda-add", kwargs={"meeting_id": second.pk}),
        {**APPROVE, "minutes_of": picked},
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not second.items.exists()


def test_with_no_minutes_waiting_the_editor_says_so(second, facilitator):
    response = client_for(facilitator).post(
        reverse("assembly:agenda-add", kwargs={"meeting_id": second.pk}), APPROVE
    )
    assert response.status_code == 422
    assert "No earlier meeting's minutes are waiting for approval." in unescape(
        response.content.decode()
    )


def test_another_kind_of_item_approves_nothing(first, second, facilitator):
    client_for(facilitator).post(
        reverse("assembly:agenda-add", kwargs={"meeting_id": second.pk}),
        {**APPROVE, "kind": "report", "minutes_of": str(first.pk)},
    )
    assert second.items.get().minutes_of is None


def test_the_consoles_quick_add_approves_the_latest_minutes_waiting(
    first, second, organization, facilitator
):
    older = organization.meetings.create(
        title="Older", status="adjourned", adjourned_at=timezone.now() - timedelta(days=60)
    )
    first.adjourned_at = timezone.now() - timedelta(days=30)
    first.save(update_fields=["adjourned_at"])
    response = client_for(facilitator).post(
        reverse("assembly:agenda-quick-add", kwargs={"meeting_id": second.pk}), APPROVE
    )
    assert response.status_code == 302
    assert second.items.get().minutes_of == first != older


def test_an_approval_item_cannot_name_a_meeting_still_to_come(second, organization, facilitator):
    coming = organization.meetings.create(title="Coming")
    with pytest.raises(ActionError, match="once their meeting has adjourned"):
        actions.agenda.add_item(
            meeting=second, by=facilitator, values={**APPROVE, "minutes_of": coming}
        )
