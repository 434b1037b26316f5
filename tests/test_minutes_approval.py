"""Minutes approved at the next meeting: a decision on "approve the minutes of <date>" that
carries marks them approved and published, by which meeting; corrections before are kept."""

from __future__ import annotations

from datetime import timedelta
from html import unescape
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from assembly import actions
from assembly.actions import ActionError
from assembly.models import AuditEntry, Membership, NotesCorrection
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


def test_corrections_after_adjournment_are_kept_as_a_history(first, secretary, facilitator):
    item = first.items.first()
    later = timezone.now() + timedelta(hours=2)
    actions.minutes.save_notes(meeting=first, item_id=item.pk, text="Ten", by=secretary)
    actions.minutes.save_notes(meeting=first, item_id=item.pk, text="Ten came.", by=secretary)
    with mock.patch("django.utils.timezone.now", return_value=later):
        actions.minutes.save_notes(
            meeting=first, item_id=item.pk, text="Twelve came.", by=secretary
        )
    with mock.patch("django.utils.timezone.now", return_value=later + timedelta(minutes=1)):
        actions.minutes.save_notes(
            meeting=first, item_id=item.pk, text="Twelve came!", by=facilitator
        )
    history = list(NotesCorrection.objects.values_list("before", "after"))
    # The autosaves of one sitting make one correction; a later sitting or another person, another.
    assert history == [
        ("", "Ten came."),
        ("Ten came.", "Twelve came."),
        ("Twelve came.", "Twelve came!"),
    ]


def test_typing_back_to_what_it_was_leaves_no_correction(first, secretary):
    item = first.items.first()
    actions.minutes.save_notes(meeting=first, item_id=item.pk, text="Oops", by=secretary)
    actions.minutes.save_notes(meeting=first, item_id=item.pk, text="", by=secretary)
    assert not NotesCorrection.objects.exists()


def test_notes_written_during_the_meeting_are_not_corrections(live_meeting, secretary):
    item = live_meeting.items.first()
    actions.minutes.save_notes(meeting=live_meeting, item_id=item.pk, text="Ten", by=secretary)
    assert not NotesCorrection.objects.exists()


def history_url(meeting) -> str:
    return reverse("assembly:minutes-history", kwargs={"meeting_id": meeting.pk})


def test_the_history_page_shows_who_when_and_what_changed_word_by_word(first, secretary):
    item = first.items.first()
    actions.minutes.save_notes(
        meeting=first, item_id=item.pk, text="Ten people came to the hall.", by=secretary
    )
    first.items.filter(pk=item.pk).update(notes="Ten people came to the hall.")
    NotesCorrection.objects.all().delete()
    actions.minutes.save_notes(
        meeting=first, item_id=item.pk, text="Twelve people came to the big hall.", by=secretary
    )
    page = client_for(secretary).get(reverse("assembly:minutes", args=[first.pk]))
    assert f'href="{history_url(first)}"' in page.content.decode()
    assert "1 correction since the meeting" in page.content.decode()
    html = client_for(secretary).get(history_url(first)).content.decode()
    assert "Marcus (Secretary)" in html and item.title in html
    assert "removed: </span>Ten</del> <ins>" in html
    assert "added: </span>Twelve</ins>" in html and "added: </span>big </ins>" in html
    assert " people came to the " in html
    spanish = client_for(secretary).get(history_url(first), HTTP_ACCEPT_LANGUAGE="es")
    assert "Correcciones al acta" in spanish.content.decode()


def test_the_history_withholds_names_as_the_minutes_do(first, secretary, member):
    Membership.objects.filter(user__in=[secretary, member]).update(withhold_name=True)
    item = first.items.first()
    name = Membership.objects.get(user=member).display_name
    actions.minutes.save_notes(
        meeting=first, item_id=item.pk, text=f"{name} chaired.", by=secretary
    )
    html = client_for(secretary).get(history_url(first)).content.decode()
    html = html[html.index("<main") :]  # below the account menu, which names who is signed in
    assert "Marcus" not in html and name not in html
    assert "Secretary ·" in html and "[name withheld]" in html


def test_members_read_the_history_once_the_minutes_are_published(first, secretary, member):
    assert client_for(member).get(history_url(first)).status_code == 403
    actions.minutes.publish(meeting=first, by=secretary)
    assert client_for(member).get(history_url(first)).status_code == 200


def test_approved_minutes_are_frozen_and_say_so(
    first, organization, facilitator, member, secretary
):
    second = approve_by_vote(first, organization, facilitator, member, "yes")
    item = first.items.first()
    with pytest.raises(ActionError, match="approved by the meeting “Next assembly”"):
        actions.minutes.save_notes(meeting=first, item_id=item.pk, text="Later", by=secretary)
    response = client_for(secretary).post(
        reverse("assembly:minutes-notes", args=[first.pk, item.pk]),
        {"notes": "Later"},
        headers={"HX-Request": "true"},
    )
    assert "they can no longer change" in response.content.decode()
    page = client_for(secretary).get(reverse("assembly:minutes", args=[first.pk])).content.decode()
    assert "by the meeting “Next assembly”" in page and "They can no longer change." in page
    assert "<textarea" not in page
    assert second.pk and not NotesCorrection.objects.exists()


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


def test_members_read_the_draft_once_a_meeting_puts_it_up_for_approval(
    first, second, facilitator, member
):
    minutes_url = reverse("assembly:minutes", args=[first.pk])
    assert client_for(member).get(minutes_url).status_code == 403  # not shared yet
    item = second.items.create(
        position=1, title="Approve the minutes", kind="approve_minutes", minutes_of=first
    )
    page = client_for(member).get(minutes_url)
    assert page.status_code == 200 and "Draft minutes" in page.content.decode()
    assert "<textarea" not in page.content.decode()  # to read, not to write
    assert client_for(member).get(history_url(first)).status_code == 200
    actions.meetings.start(meeting=second, by=facilitator)
    room = client_for(member).get(reverse("assembly:meeting-room", args=[second.pk]))
    assert item.pk == second.items.get().pk
    assert f'href="{minutes_url}"' in room.content.decode()
    assert "Read the minutes to approve" in room.content.decode()
