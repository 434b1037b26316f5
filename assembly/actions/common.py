"""What every action needs: the meeting, fresh and locked for the length of the transaction."""

from __future__ import annotations

from assembly.models import Meeting


def locked(meeting: Meeting | int) -> Meeting:
    """The meeting as it is now, locked, so two clicks at once can't both act on stale state."""
    pk = meeting if isinstance(meeting, int) else meeting.pk
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("current_item", "organization")
        .get(pk=pk)
    )
