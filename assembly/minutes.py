"""The minutes: what the meeting did, in the order it did it, from what was recorded as it ran.

They are built, never typed twice: the agenda, the secretary's notes under each item, every
decision with its numbers and why, the attendance and speaking counts kept at adjournment. They
hold counts, never the names of people in the room (attendance records are purged after the
retention period; the minutes stay).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from assembly.live.render import attendance_summary
from assembly.models import AgendaItem, Attendee, Decision, Meeting, Membership


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


def withheld_names(meeting: Meeting) -> list[str]:
    """The names to keep out of the minutes: each person who asked, by full name, and by first
    name too where no one else on the roll shares it. Longest first, so "Ana María" goes before
    "Ana"."""
    roll = [
        m.display_name.strip()
        for m in Membership.objects.filter(organization_id=meeting.organization_id).select_related(
            "user"
        )
    ]
    firsts = [name.split()[0].casefold() for name in roll if name]
    names: set[str] = set()
    for membership in Membership.objects.filter(
        organization_id=meeting.organization_id, withhold_name=True
    ).select_related("user"):
        name = membership.display_name.strip()
        if not name:
            continue
        names.add(name)
        first = name.split()[0]
        if len(first) >= 3 and firsts.count(first.casefold()) == 1:
            names.add(first)
    return sorted(names, key=len, reverse=True)


def redact(text: str, names: list[str]) -> str:
    """`text` with each of `names` (whole words, any case) replaced by "[name withheld]"."""
    mark = _("[name withheld]")
    for name in names:
        pattern = rf"(?<!\w){re.escape(name)}(?!\w)"
        text = re.sub(pattern, lambda _match: mark, text, flags=re.IGNORECASE)
    return text


@dataclass
class ItemMinutes:
    item: AgendaItem
    decisions: list[Decision] = field(default_factory=list)
    notes: str = ""  # as published: with the names of those who asked withheld

    @property
    def withheld(self) -> bool:
        return self.notes != self.item.notes


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
    names = withheld_names(meeting)
    items = [
        ItemMinutes(item, [d for d in closed if d.item_id == item.pk], redact(item.notes, names))
        for item in meeting.items.filter(parked=False).order_by("position", "id")
    ]
    listed = {d.pk for entry in items for d in entry.decisions}
    return Minutes(meeting, items, [d for d in closed if d.pk not in listed])
