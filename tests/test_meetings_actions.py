from unittest import mock

import pytest
from django.db import transaction

from assembly import actions, live
from assembly.actions import ActionError
from assembly.live.parts import Part
from assembly.models import Meeting


@pytest.fixture
def published():
    """Every broadcast the live layer would send, as (meeting id, parts)."""
    with mock.patch("assembly.live.publish.broadcast") as broadcast:
        yield broadcast


def titles(meeting: Meeting) -> str | None:
    meeting.refresh_from_db()
    return meeting.current_item.title if meeting.current_item else None


def test_start_opens_the_first_item_and_publishes_once_after_commit(
    meeting, facilitator, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        actions.meetings.start(meeting=meeting, by=facilitator)
    assert titles(meeting) == "Welcome"
    assert meeting.status == Meeting.Status.LIVE
    assert meeting.version == 1
    assert len(callbacks) == 1
    published.assert_called_once_with(
        meeting.pk,
        (
            Part.MEETING_STATUS,
            Part.CURRENT_ITEM,
            Part.PROPOSAL,
            Part.DECISION,
            Part.STACK,
            Part.TEMPERATURE,
            Part.ACTION_REVIEW,
            Part.AGENDA,
        ),
    )


def test_start_publishes_nothing_before_commit(meeting, facilitator, published):
    with mock.patch("django.db.transaction.on_commit") as on_commit:
        actions.meetings.start(meeting=meeting, by=facilitator)
    assert on_commit.call_count == 1
    published.assert_not_called()


def test_a_rolled_back_action_publishes_nothing(
    meeting, facilitator, published, django_capture_on_commit_callbacks
):
    # An action's own (durable) transaction can't nest; roll back around what it does.
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        live.changed(meeting, parts=[live.Part.AGENDA])
        raise RuntimeError("boom")
    assert callbacks == []
    published.assert_not_called()
    meeting.refresh_from_db()
    assert meeting.version == 0


def test_next_item_moves_on_and_closes_the_previous_item(meeting, facilitator, published):
    actions.meetings.start(meeting=meeting, by=facilitator)
    actions.meetings.next_item(meeting=meeting, by=facilitator)
    assert titles(meeting) == "Report"
    welcome = meeting.items.get(title="Welcome")
    assert welcome.is_done
    assert meeting.version == 2


def test_next_item_is_refused_at_the_end_of_the_agenda(meeting, facilitator, published):
    actions.meetings.start(meeting=meeting, by=facilitator)
    actions.meetings.next_item(meeting=meeting, by=facilitator)
    actions.meetings.next_item(meeting=meeting, by=facilitator)
    with pytest.raises(ActionError, match="last item"):
        actions.meetings.next_item(meeting=meeting, by=facilitator)
    assert titles(meeting) == "Proposal"
    assert meeting.version == 3


def test_next_item_is_refused_before_the_meeting_starts(meeting, facilitator, published):
    with pytest.raises(ActionError, match="not in session"):
        actions.meetings.next_item(meeting=meeting, by=facilitator)
    published.assert_not_called()


def test_start_is_refused_twice(meeting, facilitator, published):
    actions.meetings.start(meeting=meeting, by=facilitator)
    with pytest.raises(ActionError, match="already started"):
        actions.meetings.start(meeting=meeting, by=facilitator)


def test_go_to_opens_any_item_of_this_meeting(meeting, facilitator, published):
    actions.meetings.start(meeting=meeting, by=facilitator)
    proposal = meeting.items.get(title="Proposal")
    actions.meetings.go_to(meeting=meeting, item_id=proposal.pk, by=facilitator)
    assert titles(meeting) == "Proposal"


def test_go_to_refuses_an_item_of_another_meeting(meeting, organization, facilitator, published):
    other = Meeting.objects.create(organization=organization, title="Other")
    foreign = other.items.create(position=1, title="Not ours")
    actions.meetings.start(meeting=meeting, by=facilitator)
    with pytest.raises(ActionError, match="not on this meeting"):
        actions.meetings.go_to(meeting=meeting, item_id=foreign.pk, by=facilitator)
    assert titles(meeting) == "Welcome"


def test_adjourn_closes_the_meeting(
    meeting, facilitator, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.meetings.start(meeting=meeting, by=facilitator)
        actions.meetings.adjourn(meeting=meeting, by=facilitator)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.ADJOURNED
    assert meeting.current_item is None
    assert meeting.items.get(title="Welcome").is_done
    assert published.call_count == 2
