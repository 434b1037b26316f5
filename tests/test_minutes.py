"""The minutes: notes saved as they are typed, the counts kept at adjournment, every decision with
its numbers, published for members, the same as Markdown; counts only, never who was there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assembly import actions
from assembly.actions import ActionError
from assembly.models import AuditEntry, Membership
from tests.conftest import client_for, present

pytestmark = pytest.mark.usefixtures("quiet")

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def evening(live_meeting, organization, member, secretary, facilitator):
    """A meeting that ran: three voters and a guest, a proxy, a motion passed, then adjourned."""
    organization.proxies_allowed = True
    organization.save()
    lupe = present(live_meeting, member)
    for user in (secretary, facilitator):
        present(live_meeting, user)
    jin = actions.attendance.join_as_guest(meeting=live_meeting, display_name="Jin")
    actions.attendance.admit(meeting=live_meeting, attendee_id=jin.pk, by=facilitator)
    away = Membership.objects.create(organization=organization, name="Carmen Ruiz")
    actions.attendance.assign_proxy(
        meeting=live_meeting, membership_id=away.pk, holder_id=lupe.pk, by=secretary
    )
    decision = actions.decisions.create(
        meeting=live_meeting, by=facilitator, question="Commit the fund?", method="motion"
    )
    actions.decisions.open_round(meeting=live_meeting, decision_id=decision.pk, by=facilitator)
    for membership_id in (None, away.pk):
        actions.decisions.cast(
            decision_id=decision.pk,
            attendee=lupe,
            choice={"vote": "yes"},
            for_membership_id=membership_id,
        )
    actions.decisions.close(meeting=live_meeting, decision_id=decision.pk, by=facilitator)
    item = live_meeting.current_item
    actions.meetings.adjourn(meeting=live_meeting, by=facilitator)
    live_meeting.refresh_from_db()
    return live_meeting, item


def url(name, meeting, **kwargs):
    return reverse(f"assembly:{name}", kwargs={"meeting_id": meeting.pk, **kwargs})


def test_adjourning_keeps_the_counts_the_minutes_need(evening):
    meeting, _ = evening
    stats = meeting.attendance_stats
    assert (stats["attended"], stats["members"], stats["guests"]) == (4, 3, 1)
    assert stats["proxies"] == 1


def test_the_secretary_notes_are_saved_as_typed(evening, secretary):
    meeting, item = evening
    response = client_for(secretary).post(
        url("minutes-notes", meeting, item_id=item.pk), {"notes": "Rosa welcomed everyone."}, **HTMX
    )
    assert response.status_code == 200
    assert "Saved at" in response.content.decode()
    item.refresh_from_db()
    assert item.notes == "Rosa welcomed everyone."


def test_notes_of_another_meetings_item_are_refused(evening, secretary, organization):
    meeting, _ = evening
    other = organization.meetings.create(title="Other")
    elsewhere = other.items.create(position=1, title="Theirs")
    response = client_for(secretary).post(
        url("minutes-notes", meeting, item_id=elsewhere.pk), {"notes": "x"}, **HTMX
    )
    assert response.status_code == 409
    assert "not on this meeting" in response.content.decode()
    elsewhere.refresh_from_db()
    assert elsewhere.notes == ""


def test_overlong_notes_are_refused_and_the_old_ones_kept(evening, secretary):
    meeting, item = evening
    actions.minutes.save_notes(meeting=meeting, item_id=item.pk, text="Kept.", by=secretary)
    with pytest.raises(ActionError, match="at most 20000 characters"):
        actions.minutes.save_notes(meeting=meeting, item_id=item.pk, text="x" * 20001, by=secretary)
    item.refresh_from_db()
    assert item.notes == "Kept."


def test_the_draft_shows_notes_boxes_decisions_and_counts(evening, secretary):
    meeting, _ = evening
    html = client_for(secretary).get(url("minutes", meeting)).content.decode()
    assert "Draft minutes" in html and 'name="notes"' in html
    assert "Commit the fund?" in html and "Passed" in html
    assert "4 people took part" in html and "1 vote was cast by proxy" in html
    assert "Publish the minutes" in html


def test_members_read_the_minutes_only_once_published(evening, member, secretary):
    meeting, item = evening
    actions.minutes.save_notes(meeting=meeting, item_id=item.pk, text="Welcomed.", by=secretary)
    assert client_for(member).get(url("minutes", meeting)).status_code == 403
    client_for(secretary).post(url("minutes-publish", meeting))
    meeting.refresh_from_db()
    assert meeting.status == "published"
    assert AuditEntry.objects.filter(action="minutes.published", actor=secretary).exists()
    html = client_for(member).get(url("minutes", meeting)).content.decode()
    assert "Welcomed." in html and 'name="notes"' not in html and "Publish the minutes" not in html
    room = client_for(member).get(url("meeting-room", meeting)).content.decode()
    assert "Read the minutes" in room


def test_published_minutes_no_longer_change(evening, secretary):
    meeting, item = evening
    actions.minutes.publish(meeting=meeting, by=secretary)
    with pytest.raises(ActionError, match="published"):
        actions.minutes.save_notes(meeting=meeting, item_id=item.pk, text="later", by=secretary)


def test_minutes_are_published_only_after_adjournment(live_meeting, secretary):
    with pytest.raises(ActionError, match="once the meeting has adjourned"):
        actions.minutes.publish(meeting=live_meeting, by=secretary)


def test_the_markdown_has_the_same_record_and_no_names_of_those_present(evening, secretary):
    meeting, item = evening
    actions.minutes.save_notes(meeting=meeting, item_id=item.pk, text="Welcomed.", by=secretary)
    response = client_for(secretary).get(url("minutes-markdown", meeting))
    assert response["Content-Type"].startswith("text/markdown")
    assert "attachment;" in response["Content-Disposition"]
    text = response.content.decode()
    assert text.startswith(f"# {meeting.title}")
    assert "## 1. Welcome" in text and "Welcomed." in text
    assert "### Commit the fund?" in text and "**Passed**: Yes 2, No 0, Abstain 0" in text
    assert "It needed 2 yes votes out of 2." in text
    assert "2 ballots · 1 by proxy" in text
    for name in ("Lupe", "Jin", "Carmen Ruiz", "Marcus"):
        assert name not in text


def test_the_markdown_in_spanish(evening, secretary):
    meeting, _ = evening
    client = client_for(secretary)
    client.cookies["django_language"] = "es"
    text = client.get(url("minutes-markdown", meeting)).content.decode()
    assert "## Asistencia" in text and "**Aprobada**" in text
    assert "Necesitaba 2 votos a favor sobre 2." in text


def test_the_minutes_are_not_for_outsiders_or_guests(evening, outsider, guest):
    from tests.conftest import guest_client

    meeting, _ = evening
    assert client_for(outsider).get(url("minutes", meeting)).status_code == 404
    assert guest_client(guest).get(url("minutes", meeting)).status_code in (302, 404)


def test_the_names_of_people_who_asked_are_withheld_from_published_notes(
    evening, secretary, member, organization
):
    meeting, item = evening
    Membership.objects.create(organization=organization, name="Ana Morales", withhold_name=True)
    Membership.objects.create(organization=organization, name="Bo Chen")
    Membership.objects.create(organization=organization, name="Bo Díaz", withhold_name=True)
    notes = "ANA MORALES spoke; then Ana again. Bo Díaz agreed with Bo Chen. Banana."
    actions.minutes.save_notes(meeting=meeting, item_id=item.pk, text=notes, by=secretary)
    actions.minutes.publish(meeting=meeting, by=secretary)
    html = client_for(member).get(url("minutes", meeting)).content.decode()
    assert "[name withheld] spoke; then [name withheld] again." in html
    # "Bo" is shared, so only the full name goes; "Banana" holds "ana" but is not a name.
    assert "[name withheld] agreed with Bo Chen. Banana." in html
    assert "Morales" not in html and "Díaz" not in html
    text = client_for(member).get(url("minutes-markdown", meeting)).content.decode()
    assert "Morales" not in text and "[name withheld] spoke" in text
    item.refresh_from_db()
    assert item.notes == notes  # the secretary's own text is kept as written


def test_a_member_asks_to_be_kept_out_of_the_minutes(organization, member):
    client = client_for(member)
    response = client.post(
        reverse("assembly:organization-privacy", args=[organization.slug]),
        {"withhold_name": "1"},
        follow=True,
    )
    assert "Your name will be kept out of the minutes." in response.content.decode()
    assert member.memberships.get().withhold_name
    assert AuditEntry.objects.filter(action="member.name_withheld", actor=member).exists()
    client.post(reverse("assembly:organization-privacy", args=[organization.slug]), {})
    assert not member.memberships.get().withhold_name


def test_an_admin_withholds_the_name_of_someone_who_asked_in_person(organization, facilitator):
    from tests.conftest import make_person

    admin = make_person(organization, "admin@example.org", "admin")
    carmen = Membership.objects.create(organization=organization, name="Carmen Ruiz")
    client_for(admin).post(
        reverse("assembly:organization-member", args=[organization.slug, carmen.pk]),
        {"role": "member", "may_vote": "on", "withhold_name": "on"},
    )
    carmen.refresh_from_db()
    assert carmen.withhold_name and carmen.may_vote


def test_a_null_character_in_the_notes_is_refused_and_the_old_ones_kept(evening, secretary):
    meeting, item = evening
    actions.minutes.save_notes(meeting=meeting, item_id=item.pk, text="Kept.", by=secretary)
    response = client_for(secretary).post(
        url("minutes-notes", meeting, item_id=item.pk), {"notes": "Lost\x00 text"}, **HTMX
    )
    assert response.status_code == 409
    assert "null character" in response.content.decode()
    item.refresh_from_db()
    assert item.notes == "Kept."


def test_the_minutes_say_why_an_approval_vote_chose_nobody_or_left_a_seat_empty(
    live_meeting, member, secretary, facilitator
):
    voters = [present(live_meeting, user) for user in (member, secretary)]

    def approval(question, seats, ticks):
        decision = actions.decisions.create(
            meeting=live_meeting,
            by=facilitator,
            question=question,
            method="approval",
            options=["Ana", "Bo", "Chayo"],
            seats=seats,
        )
        actions.decisions.open_round(meeting=live_meeting, decision_id=decision.pk, by=facilitator)
        ticked = [decision.options.get(label=label).pk for label in ticks]
        for voter in voters:
            actions.decisions.cast(
                decision_id=decision.pk, attendee=voter, choice={"options": ticked}
            )
        actions.decisions.close(meeting=live_meeting, decision_id=decision.pk, by=facilitator)

    approval("Who cooks?", 1, [])
    approval("Who goes to the council?", 2, ["Ana"])
    actions.meetings.adjourn(meeting=live_meeting, by=facilitator)
    text = client_for(secretary).get(url("minutes-markdown", live_meeting)).content.decode()
    cooks, council = text.split("### Who goes to the council?")
    assert "**Nobody elected**: No ballot named an option, so there was nothing to count." in cooks
    assert "**Elected:" not in cooks
    assert "**Elected: Ana** 1 seat was not filled: no ballot approved any other option." in council
    html = client_for(secretary).get(url("minutes", live_meeting)).content.decode()
    assert "Nobody elected" in html and "1 seat was not filled: no ballot approved" in html
