"""Retention: personal records go on schedule; the record of what was decided stays."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.utils import timezone

from assembly import actions
from assembly.models import Attendee, SpeakerRequest
from tests.conftest import present, unheard


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
