"""Planning the agenda: order without gaps, the parking lot, and one push per change."""

from __future__ import annotations

from unittest import mock

import pytest

from assembly import actions
from assembly.actions import ActionError
from assembly.actions import agenda as agenda_actions
from assembly.live.parts import ROOM_PARTS
from assembly.models import AgendaItem, Meeting

AGENDA_PARTS = ("meeting-status", "current-item", "agenda")


@pytest.fixture
def published():
    """Every broadcast the live layer would send, as (meeting id, parts)."""
    with mock.patch("assembly.live.publish.broadcast") as broadcast:
        yield broadcast


@pytest.fixture
def live(meeting, facilitator, published) -> Meeting:
    actions.meetings.start(meeting=meeting, by=facilitator)
    published.reset_mock()
    meeting.refresh_from_db()
    return meeting


def agenda(meeting: Meeting) -> list[str]:
    return [i.title for i in meeting.items.filter(parked=False).order_by("position")]


def lot(meeting: Meeting) -> list[str]:
    return [i.title for i in meeting.items.filter(parked=True).order_by("position")]


def positions(meeting: Meeting) -> list[int]:
    return list(meeting.items.order_by("position").values_list("position", flat=True))


def item(meeting: Meeting, title: str) -> AgendaItem:
    return meeting.items.get(title=title)


def new(title: str = "Announcements", **extra) -> dict:
    return {"title": title, "kind": "report", "timebox_minutes": 5, **extra}


def test_add_item_appends_to_the_agenda(meeting, facilitator, published):
    added = agenda_actions.add_item(meeting=meeting, by=facilitator, values=new())
    assert agenda(meeting) == ["Welcome", "Report", "Proposal", "Announcements"]
    assert added.position == 4
    assert added.kind == "report"


def test_add_item_after_current_inserts_after_the_open_item(live, facilitator):
    agenda_actions.add_item(meeting=live, by=facilitator, values=new("Urgent"), after_current=True)
    assert agenda(live) == ["Welcome", "Urgent", "Report", "Proposal"]
    assert positions(live) == [1, 2, 3, 4]
    live.refresh_from_db()
    assert live.next_item().title == "Urgent"


def test_add_item_after_current_without_an_open_item_appends(meeting, facilitator, published):
    agenda_actions.add_item(meeting=meeting, by=facilitator, values=new("Late"), after_current=True)
    assert agenda(meeting)[-1] == "Late"


def test_add_item_keeps_the_parking_lot_after_the_agenda(meeting, facilitator, published):
    agenda_actions.park_item(meeting=meeting, by=facilitator, item_id=item(meeting, "Report").pk)
    agenda_actions.add_item(meeting=meeting, by=facilitator, values=new())
    assert agenda(meeting) == ["Welcome", "Proposal", "Announcements"]
    assert lot(meeting) == ["Report"]
    assert positions(meeting) == [1, 2, 3, 4]


def test_add_item_refuses_a_blank_title(meeting, facilitator, published):
    with pytest.raises(ActionError, match="title"):
        agenda_actions.add_item(meeting=meeting, by=facilitator, values=new("   "))
    assert meeting.items.count() == 3
    published.assert_not_called()


def test_add_item_to_a_live_meeting_publishes_once_after_commit(
    live, facilitator, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        agenda_actions.add_item(meeting=live, by=facilitator, values=new(), after_current=True)
    assert len(callbacks) == 1
    published.assert_called_once_with(live.pk, AGENDA_PARTS)
    live.refresh_from_db()
    assert live.version == 2


def test_every_agenda_change_bumps_the_version_and_publishes_once(
    meeting, facilitator, published, django_capture_on_commit_callbacks
):
    # Also before the meeting starts: people waiting in the room already see the agenda.
    report = item(meeting, "Report").pk
    changes = [
        lambda: agenda_actions.add_item(meeting=meeting, by=facilitator, values=new()),
        lambda: agenda_actions.edit_item(
            meeting=meeting, by=facilitator, item_id=report, values={"title": "Reports"}
        ),
        lambda: agenda_actions.move_item(
            meeting=meeting, by=facilitator, item_id=report, direction="up"
        ),
        lambda: agenda_actions.park_item(meeting=meeting, by=facilitator, item_id=report),
        lambda: agenda_actions.restore_item(meeting=meeting, by=facilitator, item_id=report),
        lambda: agenda_actions.delete_item(meeting=meeting, by=facilitator, item_id=report),
        lambda: agenda_actions.update_settings(
            meeting=meeting, by=facilitator, settings={"bilingual": True}
        ),
    ]
    for number, change in enumerate(changes, start=1):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            change()
        assert len(callbacks) == 1
        assert published.call_count == number
        meeting.refresh_from_db()
        assert meeting.version == number


def test_edit_item_changes_its_fields(meeting, facilitator, published):
    agenda_actions.edit_item(
        meeting=meeting,
        by=facilitator,
        item_id=item(meeting, "Report").pk,
        values={"title": "Treasurer's report", "timebox_minutes": 12, "presenter": "Marcus"},
    )
    edited = meeting.items.get(position=2)
    assert (edited.title, edited.timebox_minutes, edited.presenter) == (
        "Treasurer's report",
        12,
        "Marcus",
    )


def test_edit_item_refuses_an_item_of_another_meeting(meeting, organization, facilitator):
    other = Meeting.objects.create(organization=organization, title="Other")
    foreign = other.items.create(position=1, title="Not ours")
    with pytest.raises(ActionError, match="not on this meeting"):
        agenda_actions.edit_item(
            meeting=meeting, by=facilitator, item_id=foreign.pk, values={"title": "Mine now"}
        )
    foreign.refresh_from_db()
    assert foreign.title == "Not ours"


def test_move_item_swaps_with_its_neighbour(meeting, facilitator, published):
    agenda_actions.move_item(
        meeting=meeting, by=facilitator, item_id=item(meeting, "Proposal").pk, direction="up"
    )
    assert agenda(meeting) == ["Welcome", "Proposal", "Report"]
    agenda_actions.move_item(
        meeting=meeting, by=facilitator, item_id=item(meeting, "Welcome").pk, direction="down"
    )
    assert agenda(meeting) == ["Proposal", "Welcome", "Report"]
    assert positions(meeting) == [1, 2, 3]


@pytest.mark.parametrize(("title", "direction"), [("Welcome", "up"), ("Proposal", "down")])
def test_move_item_past_either_end_is_refused(meeting, facilitator, published, title, direction):
    with pytest.raises(ActionError, match="already"):
        agenda_actions.move_item(
            meeting=meeting, by=facilitator, item_id=item(meeting, title).pk, direction=direction
        )
    assert agenda(meeting) == ["Welcome", "Report", "Proposal"]
    meeting.refresh_from_db()
    assert meeting.version == 0
    published.assert_not_called()


def test_move_item_refuses_a_direction_it_does_not_know(meeting, facilitator, published):
    with pytest.raises(ActionError):
        agenda_actions.move_item(
            meeting=meeting, by=facilitator, item_id=item(meeting, "Report").pk, direction="left"
        )


def test_move_item_skips_over_the_parking_lot(meeting, facilitator, published):
    agenda_actions.park_item(meeting=meeting, by=facilitator, item_id=item(meeting, "Report").pk)
    agenda_actions.move_item(
        meeting=meeting, by=facilitator, item_id=item(meeting, "Welcome").pk, direction="down"
    )
    assert agenda(meeting) == ["Proposal", "Welcome"]
    with pytest.raises(ActionError, match="last"):
        agenda_actions.move_item(
            meeting=meeting, by=facilitator, item_id=item(meeting, "Welcome").pk, direction="down"
        )
    with pytest.raises(ActionError, match="parking lot"):
        agenda_actions.move_item(
            meeting=meeting, by=facilitator, item_id=item(meeting, "Report").pk, direction="up"
        )


def test_park_item_takes_it_off_the_agenda_and_out_of_next(live, facilitator):
    agenda_actions.park_item(meeting=live, by=facilitator, item_id=item(live, "Report").pk)
    assert agenda(live) == ["Welcome", "Proposal"]
    assert lot(live) == ["Report"]
    assert positions(live) == [1, 2, 3]
    live.refresh_from_db()
    assert live.next_item().title == "Proposal"
    assert item(live, "Proposal").number == 2


def test_park_item_refuses_the_open_item(live, facilitator):
    with pytest.raises(ActionError, match="open now"):
        agenda_actions.park_item(meeting=live, by=facilitator, item_id=item(live, "Welcome").pk)
    assert lot(live) == []


def test_park_item_refuses_an_item_already_taken_up(live, facilitator):
    actions.meetings.next_item(meeting=live, by=facilitator)
    with pytest.raises(ActionError, match="taken up"):
        agenda_actions.park_item(meeting=live, by=facilitator, item_id=item(live, "Welcome").pk)


def test_restore_item_brings_it_back_at_the_end(meeting, facilitator, published):
    first = item(meeting, "Welcome").pk
    agenda_actions.park_item(meeting=meeting, by=facilitator, item_id=first)
    agenda_actions.park_item(meeting=meeting, by=facilitator, item_id=item(meeting, "Report").pk)
    assert lot(meeting) == ["Welcome", "Report"]
    agenda_actions.restore_item(meeting=meeting, by=facilitator, item_id=first)
    assert agenda(meeting) == ["Proposal", "Welcome"]
    assert lot(meeting) == ["Report"]
    assert positions(meeting) == [1, 2, 3]
    with pytest.raises(ActionError, match="already on the agenda"):
        agenda_actions.restore_item(meeting=meeting, by=facilitator, item_id=first)


def test_delete_item_closes_the_gap(meeting, facilitator, published):
    agenda_actions.delete_item(meeting=meeting, by=facilitator, item_id=item(meeting, "Report").pk)
    assert agenda(meeting) == ["Welcome", "Proposal"]
    assert positions(meeting) == [1, 2]


def test_delete_item_refuses_the_open_item(live, facilitator, published):
    with pytest.raises(ActionError, match="open now"):
        agenda_actions.delete_item(meeting=live, by=facilitator, item_id=item(live, "Welcome").pk)
    assert live.items.count() == 3
    published.assert_not_called()


def test_delete_item_refuses_an_item_already_taken_up(live, facilitator):
    actions.meetings.next_item(meeting=live, by=facilitator)
    with pytest.raises(ActionError, match="taken up"):
        agenda_actions.delete_item(meeting=live, by=facilitator, item_id=item(live, "Welcome").pk)
    assert live.items.count() == 3


def test_an_adjourned_meeting_agenda_can_not_change(live, facilitator, published):
    actions.meetings.adjourn(meeting=live, by=facilitator)
    published.reset_mock()
    with pytest.raises(ActionError, match="over"):
        agenda_actions.add_item(meeting=live, by=facilitator, values=new())
    with pytest.raises(ActionError, match="over"):
        agenda_actions.update_settings(meeting=live, by=facilitator, settings={"title": "X"})
    assert live.items.count() == 3
    published.assert_not_called()


def test_update_settings_writes_the_settings(meeting, facilitator, published):
    agenda_actions.update_settings(
        meeting=meeting,
        by=facilitator,
        settings={
            "progressive_stack": "meeting",
            "projector_shows_names": False,
            "speaking_limit_seconds": 90,
            "quorum_rule": "fraction",
            "quorum_numerator": 1,
            "quorum_denominator": 3,
        },
    )
    meeting.refresh_from_db()
    assert meeting.progressive_stack == "meeting"
    assert not meeting.projector_shows_names
    assert meeting.speaking_limit_seconds == 90
    assert meeting.quorum_required(120) == 40


def test_create_meeting_copies_an_earlier_agenda_but_not_its_state(
    meeting, organization, facilitator, published, django_capture_on_commit_callbacks
):
    actions.meetings.start(meeting=meeting, by=facilitator)
    agenda_actions.edit_item(
        meeting=meeting,
        by=facilitator,
        item_id=item(meeting, "Report").pk,
        values={"kind": "report", "description": "Rent strike", "presenter": "Marcus"},
    )
    agenda_actions.park_item(meeting=meeting, by=facilitator, item_id=item(meeting, "Proposal").pk)
    published.reset_mock()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = agenda_actions.create_meeting(
            organization=organization,
            by=facilitator,
            settings={"title": "December assembly", "bilingual": True},
            copy_agenda_from=meeting,
        )
    assert created.status == Meeting.Status.SCHEDULED
    assert created.bilingual
    copied = list(created.items.order_by("position"))
    assert [i.title for i in copied] == ["Welcome", "Report"]  # not the parked proposal
    assert [i.position for i in copied] == [1, 2]
    assert (copied[1].kind, copied[1].description, copied[1].presenter) == (
        "report",
        "Rent strike",
        "Marcus",
    )
    assert copied[1].timebox_minutes == 10
    assert all(i.started_at is None and i.ended_at is None for i in copied)
    assert created.current_item is None
    # Nobody can be in a room that did not exist; the meeting in session is told of one more
    # meeting to table proposals to (its console's proposal part).
    assert callbacks  # after commit
    published.assert_called_once()
    assert published.call_args.args[0] == meeting.pk
    assert "proposal" in published.call_args.args[1]


def test_create_meeting_refuses_another_organizations_agenda(
    organization, other_organization, facilitator
):
    foreign = Meeting.objects.create(organization=other_organization, title="Theirs")
    with pytest.raises(ActionError, match="this organization"):
        agenda_actions.create_meeting(
            organization=organization,
            by=facilitator,
            settings={"title": "Ours"},
            copy_agenda_from=foreign,
        )
    assert not organization.meetings.filter(title="Ours").exists()


@pytest.mark.parametrize(
    "values",
    [new(timebox_minutes=0), new(timebox_minutes=601), new(kind="party"), new("x" * 201)],
)
def test_add_item_refuses_what_the_form_would(meeting, facilitator, published, values):
    with pytest.raises(ActionError):
        agenda_actions.add_item(meeting=meeting, by=facilitator, values=values)
    assert meeting.items.count() == 3


def test_update_settings_repaints_the_whole_room(
    live, facilitator, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        agenda_actions.update_settings(
            meeting=live, by=facilitator, settings={"projector_shows_names": False}
        )
    published.assert_called_once()
    parts = published.call_args.args[1]
    assert set(AGENDA_PARTS) <= set(parts)
    assert set(parts) == {part for parts in ROOM_PARTS.values() for part in parts}
