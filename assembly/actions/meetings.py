"""Running a meeting: start it, move through the agenda, adjourn it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assembly import live
from assembly.actions import proposals as proposal_actions
from assembly.actions.common import locked
from assembly.actions.errors import ActionError
from assembly.live import Part
from assembly.live.parts import whole_room
from assembly.minutes import attendance_snapshot, keep_temperature_counts
from assembly.models import AgendaItem, Attendee, Meeting, SpeakerRequest, User
from assembly.models.attendance import new_attendee_token
from assembly.models.stack import speaking_stats

# The stack and the temperature check belong to the item, so they change with it.
ROOM = tuple(part for part in whole_room() if part != Part.ATTENDANCE)


def _end_speaking(meeting: Meeting) -> None:
    # The stack belongs to the item: leaving it ends the turn and lowers the hands.
    Status = SpeakerRequest.Status
    active = meeting.speaker_requests.filter(status__in=[Status.SPEAKING, Status.WAITING])
    people = set(active.values_list("attendee_id", flat=True))
    active.filter(status=Status.SPEAKING).update(status=Status.DONE, ended_at=timezone.now())
    active.filter(status=Status.WAITING).update(status=Status.WITHDRAWN)
    # (every caller then counts the room's new version with live.changed)
    live.publish_personal_ids(people)


def _open_item(meeting: Meeting, item: AgendaItem | None) -> None:
    _end_speaking(meeting)
    now = timezone.now()
    current = meeting.current_item
    if current is not None and current.ended_at is None:
        current.ended_at = now
        current.save(update_fields=["ended_at"])
    if item is not None:
        item.started_at = now
        item.ended_at = None
        item.save(update_fields=["started_at", "ended_at"])
    meeting.current_item = item


@transaction.atomic(durable=True)
def start(*, meeting: Meeting, by: User) -> Meeting:
    meeting = locked(meeting)
    if meeting.status not in (Meeting.Status.DRAFT, Meeting.Status.SCHEDULED):
        raise ActionError(_("This meeting has already started."))
    meeting.status = Meeting.Status.LIVE
    meeting.started_at = timezone.now()
    _open_item(meeting, meeting.next_item())
    meeting.save(update_fields=["status", "started_at", "current_item"])
    live.changed(meeting, parts=ROOM)
    # No longer a meeting to table proposals to, where others offer it.
    live.changed_in_body(meeting.organization_id, parts=(Part.PROPOSAL,), besides=meeting.pk)
    return meeting


@transaction.atomic(durable=True)
def next_item(*, meeting: Meeting, by: User) -> Meeting:
    meeting = locked(meeting)
    if not meeting.is_live:
        raise ActionError(_("The meeting is not in session."))
    following = meeting.next_item()
    if following is None:
        raise ActionError(_("This is the last item on the agenda."))
    _open_item(meeting, following)
    meeting.save(update_fields=["current_item"])
    live.changed(meeting, parts=ROOM)
    return meeting


@transaction.atomic(durable=True)
def go_to(*, meeting: Meeting, item_id: int, by: User) -> Meeting:
    meeting = locked(meeting)
    if not meeting.is_live:
        raise ActionError(_("The meeting is not in session."))
    item = meeting.items.filter(pk=item_id).first()
    if item is None:
        raise ActionError(_("That item is not on this meeting's agenda."))
    if item.pk == meeting.current_item_id:
        raise ActionError(_("That item is already open."))
    _open_item(meeting, item)
    meeting.save(update_fields=["current_item"])
    live.changed(meeting, parts=ROOM)
    return meeting


@transaction.atomic(durable=True)
def close_item(*, meeting: Meeting, by: User) -> Meeting:
    """Mark the open item done without opening another (a break before the next, say)."""
    meeting = locked(meeting)
    if not meeting.is_live or meeting.current_item is None:
        raise ActionError(_("No item is open."))
    _open_item(meeting, None)
    meeting.save(update_fields=["current_item"])
    live.changed(meeting, parts=ROOM)
    return meeting


@transaction.atomic(durable=True)
def adjourn(*, meeting: Meeting, by: User) -> Meeting:
    meeting = locked(meeting)
    if not meeting.is_live:
        raise ActionError(_("The meeting is not in session."))
    _open_item(meeting, None)
    meeting.status = Meeting.Status.ADJOURNED
    meeting.adjourned_at = timezone.now()
    meeting.speaking_stats = speaking_stats(meeting)
    meeting.attendance_stats = attendance_snapshot(meeting)
    keep_temperature_counts(meeting)
    proposal_actions.table_left_open(meeting, by)
    meeting.save(
        update_fields=[
            "status",
            "adjourned_at",
            "current_item",
            "speaking_stats",
            "attendance_stats",
        ]
    )
    # Guests expire with the meeting: their link stops working and their name is forgotten.
    for guest in meeting.attendees.filter(kind=Attendee.Kind.GUEST):
        guest.token = new_attendee_token()
        guest.display_name = ""
        if guest.status in (Attendee.Status.WAITING, Attendee.Status.PRESENT):
            guest.status = Attendee.Status.LEFT
        guest.save(update_fields=["token", "display_name", "status"])
    live.changed(meeting, parts=ROOM)
    return meeting
