"""The minutes: what the meeting did, in the order it did it, from what was recorded as it ran.

They are built, never typed twice: the agenda, the secretary's notes under each item, every
decision with its numbers and why, the attendance and speaking counts kept at adjournment. They
hold counts, never the names of people in the room (attendance records are purged after the
retention period; the minutes stay).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assembly.live.render import attendance_summary
from assembly.models import AgendaItem, Attendee, Decision, Meeting


def attendance_snapshot(meeting: Meeting) -> dict[str, int]:
    """Counts for the minutes, taken when the meeting adjourns (before guests are forgotten)."""
    summary = attendance_summary(meeting)
    came = meeting.attendees.filter(checked_in_at__isnull=False)
    return {
        "attended": came.count(),
        "members": came.filter(kind=Attendee.Kind.MEMBER).count(),
        "guests": came.filter(kind=Attendee.Kind.GUEST).count(),
        "checked_in_by_hand": came.filter(checked_in_by_hand=True).count(),
        "present_at_close": summary["present"],
        "voting_at_close": summary["voting"],
        "proxies": meeting.proxies.count(),
        "voting_members": summary["voting_members"],
        "quorum_required": summary["quorum_required"],
    }


@dataclass
class ItemMinutes:
    item: AgendaItem
    decisions: list[Decision] = field(default_factory=list)


@dataclass
class Minutes:
    meeting: Meeting
    items: list[ItemMinutes]
    other_decisions: list[Decision]  # taken with no item open (before the first, say)

    @property
    def proxies_used(self) -> int:
        return sum(
            decision.result.get("proxies", 0)
            for entry in self.items
            for decision in entry.decisions
        ) + sum(decision.result.get("proxies", 0) for decision in self.other_decisions)


def build(meeting: Meeting) -> Minutes:
    closed = list(
        meeting.decisions.filter(status=Decision.Status.CLOSED)
        .select_related("fallback_of")
        .prefetch_related("options")
        .order_by("closed_at", "id")
    )
    items = [
        ItemMinutes(item, [d for d in closed if d.item_id == item.pk])
        for item in meeting.items.filter(parked=False).order_by("position", "id")
    ]
    listed = {d.pk for entry in items for d in entry.decisions}
    return Minutes(meeting, items, [d for d in closed if d.pk not in listed])
