"""Retention: personal records go on schedule; the record of what was decided stays."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from assembly import actions
from assembly.models import (
    ActionItem,
    Attendee,
    Ballot,
    Decision,
    Membership,
    NotesCorrection,
    Participation,
    Proxy,
    SpeakerRequest,
    TemperatureResponse,
)
from tests.conftest import client_for, present, unheard


@pytest.fixture
def adjourned(meeting, facilitator, member):
    """A meeting where Lupe spoke and a guest came, adjourned."""
    with unheard():
        actions.meetings.start(meeting=meeting, by=facilitator)
        lupe = present(meeting, member)
        meeting.attendees.create(display_name="Jin", kind="guest", status="present")
        actions.stack.raise_hand(attendee=lupe, kind="speak")
        actions.stack.call_next(meeting=meeting, by=facilitator)
        actions.meetings.adjourn(meeting=meeting, by=facilitator)
    meeting.refresh_from_db()
    return meeting


def purge(at, *args) -> str:
    out = StringIO()
    call_command("purge", "--now", at.isoformat(), *args, stdout=out)
    return out.getvalue()


def test_nothing_is_purged_within_the_retention_period(adjourned):
    assert "Deleted 0" in purge(adjourned.adjourned_at + timedelta(days=29))
    assert adjourned.attendees.count() == 2


def test_attendance_goes_after_the_retention_period_and_the_counts_stay(adjourned):
    assert "Deleted 2" in purge(adjourned.adjourned_at + timedelta(days=31))
    assert not Attendee.objects.exists()
    assert not SpeakerRequest.objects.exists()
    adjourned.refresh_from_db()
    assert adjourned.speaking_stats["speakers"] == 1
    assert adjourned.items.count() == 3  # the agenda and what was decided remain


def test_each_organization_sets_its_own_period(adjourned, organization):
    organization.retention_days = 7
    organization.save()
    assert "Deleted 2" in purge(adjourned.adjourned_at + timedelta(days=8))


def test_a_dry_run_deletes_nothing(adjourned):
    assert "Would delete 2" in purge(adjourned.adjourned_at + timedelta(days=31), "--dry-run")
    assert adjourned.attendees.count() == 2


def test_a_meeting_still_running_is_never_purged(meeting, facilitator, member):
    with unheard():
        actions.meetings.start(meeting=meeting, by=facilitator)
        present(meeting, member)
    meeting.refresh_from_db()
    purge(meeting.started_at + timedelta(days=400))
    assert meeting.attendees.count() == 1


def test_guests_expire_with_the_meeting(adjourned):
    guest = adjourned.attendees.get(kind="guest")
    assert guest.display_name == "" and guest.status == "left"


def test_a_bad_date_is_refused(db):
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("purge", "--now", "yesterday")


def test_expired_sessions_are_cleared_and_live_ones_stay(db):
    expired, live = SessionStore(), SessionStore()
    for session in (expired, live):
        session["guest_tokens"] = {"1": "token"}
        session.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    out = purge(timezone.now())
    assert "Deleted 1 expired sessions." in out
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


@pytest.fixture
def recorded(meeting, organization, facilitator, secretary, member):
    """A meeting that leaves a record: an open vote with a proxy's vote in it, a temperature
    check, notes corrected after it adjourned, an action item for Lupe; adjourned."""
    organization.proxies_allowed = True
    organization.save()
    carmen = Membership.objects.create(organization=organization, name="Carmen Ruiz")
    with unheard():
        actions.meetings.start(meeting=meeting, by=facilitator)
        lupe = present(meeting, member)
        actions.attendance.assign_proxy(
            meeting=meeting, membership_id=carmen.pk, holder_id=lupe.pk, by=secretary
        )
        decision = actions.decisions.create(
            meeting=meeting, by=facilitator, question="Fund the strike?", method="motion"
        )
        actions.decisions.open_round(
            meeting=meeting, decision_id=decision.pk, by=facilitator, override_quorum=True
        )
        actions.decisions.cast(decision_id=decision.pk, attendee=lupe, choice={"vote": "yes"})
        actions.decisions.cast(
            decision_id=decision.pk,
            attendee=lupe,
            choice={"vote": "no"},
            for_membership_id=carmen.pk,
        )
        actions.decisions.close(meeting=meeting, decision_id=decision.pk, by=facilitator)
        actions.stack.open_temperature(meeting=meeting, by=facilitator, question="Ok?")
        actions.stack.respond(attendee=lupe, value="agree")
        actions.minutes.add_action_item(
            meeting=meeting,
            by=secretary,
            what="Call the landlord",
            assignee_id=Membership.objects.get(user=member).pk,
        )
        actions.meetings.adjourn(meeting=meeting, by=facilitator)
    meeting.refresh_from_db()
    item = meeting.items.first()
    actions.minutes.save_notes(meeting=meeting, item_id=item.pk, text="Ten.", by=secretary)
    return meeting


def minutes_text(meeting, secretary) -> str:
    url = reverse("assembly:minutes-markdown", args=[meeting.pk])
    return client_for(secretary).get(url).content.decode()


def test_the_minutes_read_the_same_after_the_purge(recorded, secretary):
    before = minutes_text(recorded, secretary)
    assert "Fund the strike?" in before and "Call the landlord" in before and "Ten." in before
    assert "Deleted 1 attendance records." in purge(recorded.adjourned_at + timedelta(days=31))
    assert minutes_text(recorded, secretary) == before  # decisions, counts, action items, notes
    assert Decision.objects.get().result["ballots"] == 2
    assert ActionItem.objects.get().assignee.user is not None
    assert NotesCorrection.objects.get().after == "Ten."


def test_after_the_purge_no_row_says_who_voted_or_how(recorded):
    assert Ballot.objects.filter(for_membership__isnull=False).exists()  # the proxy's, till then
    purge(recorded.adjourned_at + timedelta(days=31))
    assert Ballot.objects.count() == 2 and Participation.objects.count() == 2  # turnout stays
    for rows in (Ballot.objects, Participation.objects):
        assert not rows.filter(attendee__isnull=False).exists()
        assert not rows.filter(for_membership__isnull=False).exists()
    assert not Proxy.objects.exists() and not TemperatureResponse.objects.exists()
    assert recorded.temperature_checks.get().tally()["agree"] == 1
