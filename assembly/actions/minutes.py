"""The secretary's part: notes under each item, then the minutes published for the members."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assembly import live
from assembly.actions.audit import record
from assembly.actions.common import locked, refuse_nul
from assembly.actions.errors import ActionError
from assembly.live import Part
from assembly.models import AgendaItem, Meeting, User

NOTES_MAX = 20_000


@transaction.atomic(durable=True)
def save_notes(*, meeting: Meeting, item_id: int, text: str, by: User) -> None:
    """Keep what the secretary typed under an item (the whole text each time: saving twice is
    harmless, and the last save wins)."""
    refuse_nul(text)
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > NOTES_MAX:
        raise ActionError(
            _("Notes for one item can be at most %(count)d characters.") % {"count": NOTES_MAX}
        )
    # One statement, on every autosave: it writes only while the minutes are unpublished, so a
    # save racing the publication cannot slip in after it.
    saved = (
        AgendaItem.objects.filter(pk=item_id, meeting=meeting)
        .exclude(meeting__status=Meeting.Status.PUBLISHED)
        .update(notes=text)
    )
    if not saved:
        if meeting.items.filter(pk=item_id).exists():
            raise ActionError(_("The minutes are published; their notes can no longer change."))
        raise ActionError(_("That item is not on this meeting's agenda."))


@transaction.atomic(durable=True)
def publish(*, meeting: Meeting, by: User) -> Meeting:
    """The assembly approved the minutes: members can read them from now on."""
    meeting = locked(meeting)
    if meeting.status != Meeting.Status.ADJOURNED:
        raise ActionError(_("Minutes can be published once the meeting has adjourned."))
    meeting.status = Meeting.Status.PUBLISHED
    meeting.minutes_published_at = timezone.now()
    meeting.save(update_fields=["status", "minutes_published_at"])
    record(meeting=meeting, by=by, action="minutes.published", details={})
    live.changed(meeting, parts=(Part.MEETING_STATUS, Part.CURRENT_ITEM))
    return meeting
