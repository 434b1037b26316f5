"""How far the whole agenda runs ahead of or behind its plan: pure arithmetic on timestamps."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from assembly.models import AgendaItem, Meeting


def agenda_drift(meeting: Meeting, items: Iterable[AgendaItem], now: datetime) -> int:
    """Seconds the meeting runs behind its plan (positive) or ahead of it (negative).

    The plan is where the agenda's timeboxes say the meeting should be by now: the timeboxes of
    the items already done, plus the time spent on the open item up to its timebox. Measured
    against the time since the meeting started, an item that runs short puts the meeting ahead,
    and the open item running past its timebox puts it further behind with every second. While
    the open item is within its timebox the drift holds still, so a screen rendered a minute ago
    still shows it right. Zero for a meeting that is not in session.
    """
    if not meeting.is_live or meeting.started_at is None:
        return 0
    current = meeting.current_item
    planned = timedelta()
    for item in items:
        if item.parked or (current is not None and item.pk == current.pk):
            continue
        if item.ended_at is not None:
            planned += timedelta(minutes=item.timebox_minutes)
    if current is not None and current.started_at is not None:
        spent = max(now - current.started_at, timedelta())
        planned += min(spent, timedelta(minutes=current.timebox_minutes))
    actual = max(now - meeting.started_at, timedelta())
    return round((actual - planned).total_seconds())
