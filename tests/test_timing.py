"""How far ahead or behind the agenda runs: the arithmetic, with a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assembly.models import AgendaItem, Meeting
from assembly.timing import agenda_drift

START = datetime(2026, 11, 28, 19, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def agenda(*timeboxes: int) -> tuple[Meeting, list[AgendaItem]]:
    """An unsaved live meeting whose items have the given timeboxes."""
    meeting = Meeting(status=Meeting.Status.LIVE, started_at=START)
    items = [
        AgendaItem(pk=n, position=n, title=f"Item {n}", timebox_minutes=minutes)
        for n, minutes in enumerate(timeboxes, start=1)
    ]
    return meeting, items


def run(meeting: Meeting, items: list[AgendaItem], *spans: tuple[float, float | None]) -> None:
    """Items 1, 2, ... ran from/to these minutes; None as the end: the item is open."""
    for item, (start, end) in zip(items, spans, strict=False):
        item.started_at = at(start)
        item.ended_at = at(end) if end is not None else None
        if end is None:
            meeting.current_item = item


def test_agenda_drift_is_zero_on_schedule():
    meeting, items = agenda(5, 10, 30)
    run(meeting, items, (0, 5), (5, None))
    assert agenda_drift(meeting, items, at(9)) == 0


def test_agenda_drift_counts_a_late_item_as_behind():
    meeting, items = agenda(5, 10, 30)
    run(meeting, items, (0, 12), (12, None))  # the welcome ran 7 minutes over
    assert agenda_drift(meeting, items, at(13)) == 7 * 60


def test_agenda_drift_counts_a_short_item_as_ahead():
    meeting, items = agenda(5, 10, 30)
    run(meeting, items, (0, 2), (2, None))
    assert agenda_drift(meeting, items, at(4)) == -3 * 60


def test_agenda_drift_holds_still_while_the_open_item_is_within_its_timebox():
    meeting, items = agenda(5, 10)
    run(meeting, items, (0, 8), (8, None))
    assert agenda_drift(meeting, items, at(9)) == agenda_drift(meeting, items, at(17)) == 180


def test_agenda_drift_grows_once_the_open_item_runs_over():
    meeting, items = agenda(5, 10)
    run(meeting, items, (0, 5), (5, None))
    assert agenda_drift(meeting, items, at(15)) == 0
    assert agenda_drift(meeting, items, at(19.5)) == 270


def test_agenda_drift_ignores_items_not_reached_and_parked():
    meeting, items = agenda(5, 10, 30, 20)
    run(meeting, items, (0, 5), (5, None))
    items[3].parked = True
    items[3].ended_at = at(1)  # cannot happen, but a parked item never counts
    assert agenda_drift(meeting, items, at(6)) == 0


def test_agenda_drift_with_no_open_item_counts_only_done_items():
    meeting, items = agenda(5, 10)
    run(meeting, items, (0, 5))
    assert agenda_drift(meeting, items, at(8)) == 180


@pytest.mark.parametrize("status", [Meeting.Status.SCHEDULED, Meeting.Status.ADJOURNED])
def test_agenda_drift_is_zero_for_a_meeting_not_in_session(status):
    meeting, items = agenda(5)
    run(meeting, items, (0, 30))
    meeting.status = status
    assert agenda_drift(meeting, items, at(60)) == 0


def test_agenda_drift_survives_a_clock_behind_the_start():
    meeting, items = agenda(5)
    run(meeting, items, (0, None))
    assert agenda_drift(meeting, items, at(-1)) == 0
