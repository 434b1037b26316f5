"""The secretary's part: notes under each item, action items, then the minutes published for
the members; and the record a later meeting keeps: action items reviewed, minutes approved."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assembly import live
from assembly.actions.audit import record
from assembly.actions.common import locked, refuse_nul
from assembly.actions.errors import ActionError
from assembly.live import Part
from assembly.models import (
    ActionItem,
    ActionItemReview,
    AgendaItem,
    Meeting,
    Membership,
    NotesCorrection,
    User,
)

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
    # After adjournment the notes are a draft the assembly will approve: each correction keeps
    # what it replaced, so the approving meeting can see what changed.
    if meeting.status == Meeting.Status.ADJOURNED:
        item = AgendaItem.objects.select_for_update().filter(pk=item_id, meeting=meeting).first()
        if item is not None and item.notes != text:
            _keep_correction(item, text, by)
    # One statement, on every autosave: it writes only while the minutes are unpublished, so a
    # save racing the publication cannot slip in after it.
    saved = (
        AgendaItem.objects.filter(pk=item_id, meeting=meeting)
        .exclude(meeting__status=Meeting.Status.PUBLISHED)
        .update(notes=text)
    )
    if not saved:
        if meeting.items.filter(pk=item_id).exists():
            raise ActionError(_frozen(Meeting.objects.get(pk=meeting.pk)))
        raise ActionError(_("That item is not on this meeting's agenda."))


# The notes box saves as the secretary types: one sitting's saves make one correction, not one
# per pause in the typing.
SITTING = timedelta(minutes=15)


def _keep_correction(item: AgendaItem, text: str, by: User) -> None:
    last = item.corrections.order_by("-at", "-id").first()
    now = timezone.now()
    if last is None or last.by_id != by.pk or now - last.at > SITTING:
        NotesCorrection.objects.create(item=item, before=item.notes, after=text, by=by)
    elif last.before == text:
        last.delete()  # typed back to what it was: nothing was corrected
    else:
        last.after, last.at = text, now
        last.save(update_fields=["after", "at"])


def _frozen(meeting: Meeting) -> str:
    approved_in = meeting.minutes_approved_in
    if approved_in is not None:
        return _(
            "These minutes were approved by the meeting “%(title)s”; they can no longer change."
        ) % {"title": approved_in.title}
    return _("The minutes are published; their notes can no longer change.")


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


@transaction.atomic  # not durable: a closing decision calls it inside its own transaction
def approve(*, minutes_id: int, in_meeting: Meeting, by: User) -> Meeting:
    """A decision at `in_meeting` approved the minutes of an earlier meeting: they are marked
    approved, by which meeting, and published for every member."""
    minutes = locked(minutes_id)
    if minutes.organization_id != in_meeting.organization_id or minutes.pk == in_meeting.pk:
        raise ActionError(_("Only the minutes of an earlier meeting of this body can be approved."))
    if minutes.status not in (Meeting.Status.ADJOURNED, Meeting.Status.PUBLISHED):
        raise ActionError(_("Minutes can be approved once their meeting has adjourned."))
    now = timezone.now()
    minutes.minutes_approved_at = now
    minutes.minutes_approved_in = in_meeting
    fields = ["minutes_approved_at", "minutes_approved_in"]
    if minutes.status != Meeting.Status.PUBLISHED:
        minutes.status = Meeting.Status.PUBLISHED
        minutes.minutes_published_at = now
        fields += ["status", "minutes_published_at"]
    minutes.save(update_fields=fields)
    record(
        meeting=minutes,
        by=by,
        action="minutes.approved",
        details={"in_meeting": in_meeting.pk},
    )
    live.changed(minutes, parts=(Part.MEETING_STATUS, Part.CURRENT_ITEM))
    return minutes


@transaction.atomic(durable=True)
def add_action_item(
    *,
    meeting: Meeting,
    by: User,
    what: str,
    item_id: int | None = None,
    assignee_id: int | None = None,
    assignee_name: str = "",
    due: date | None = None,
) -> ActionItem:
    """The secretary writes down who will do what, by when, from the item under discussion."""
    refuse_nul(what, assignee_name)
    what = " ".join((what or "").split())
    assignee_name = " ".join((assignee_name or "").split())
    if not what:
        raise ActionError(_("Say what is to be done."))
    if len(what) > 300 or len(assignee_name) > 80:
        raise ActionError(_("Please keep it shorter."))
    if meeting.status == Meeting.Status.PUBLISHED:
        raise ActionError(_("The minutes are published; their action items can no longer change."))
    item = meeting.items.filter(pk=item_id).first() if item_id else None
    if item_id and item is None:
        raise ActionError(_("That item is not on this meeting's agenda."))
    assignee = None
    if assignee_id:
        assignee = Membership.objects.filter(
            pk=assignee_id, organization_id=meeting.organization_id
        ).first()
        if assignee is None:
            raise ActionError(_("That person is not on this body's roll."))
        assignee_name = ""
    action_item = ActionItem.objects.create(
        organization_id=meeting.organization_id,
        meeting=meeting,
        item=item,
        decision=item.decisions.order_by("-id").first() if item else None,
        what=what,
        assignee=assignee,
        assignee_name=assignee_name,
        due=due,
        created_by=by,
    )
    record(meeting=meeting, by=by, action="action_item.added", details={"id": action_item.pk})
    _tell_assignee(meeting, action_item)
    # Written on an earlier meeting's minutes: a meeting reviewing them shows it too.
    live.changed_in_body(meeting.organization_id, parts=(Part.ACTION_REVIEW,), besides=meeting.pk)
    return action_item


def _tell_assignee(meeting: Meeting, action_item: ActionItem) -> None:
    """The assignee, if in the room, sees their open action items change on their phone."""
    assignee = action_item.assignee
    if assignee is not None and assignee.user_id is not None:
        for attendee in meeting.attendees.filter(user_id=assignee.user_id):
            live.publish_personal(attendee)


@transaction.atomic(durable=True)
def review_action_item(
    *, meeting: Meeting, action_item_id: int, outcome: str, by: User
) -> ActionItem:
    """At a later meeting's "review action items": done, moved to the next meeting, or dropped.
    Marking it again at the same meeting changes the mark."""
    meeting = locked(meeting)
    if not meeting.is_live:
        raise ActionError(_("The meeting is not in session."))
    if outcome not in (ActionItem.Status.DONE, ActionItem.Status.MOVED, ActionItem.Status.DROPPED):
        raise ActionError(_("Mark it done, moved or dropped."))
    action_item = (
        ActionItem.objects.select_for_update(of=("self",))
        .select_related("assignee")
        .filter(pk=action_item_id, organization_id=meeting.organization_id)
        .exclude(meeting=meeting)
        .first()
    )
    if action_item is None:
        raise ActionError(_("That action item is not one this meeting reviews."))
    reviewed_here = action_item.reviews.filter(meeting=meeting).exists()
    if action_item.status not in (ActionItem.Status.OPEN, ActionItem.Status.MOVED) and (
        not reviewed_here
    ):
        raise ActionError(_("That action item was closed at an earlier meeting."))
    ActionItemReview.objects.update_or_create(
        action_item=action_item, meeting=meeting, defaults={"outcome": outcome}
    )
    action_item.status = outcome
    action_item.save(update_fields=["status"])
    record(
        meeting=meeting,
        by=by,
        action="action_item.reviewed",
        details={"id": action_item.pk, "outcome": outcome},
    )
    live.changed(meeting, parts=(Part.ACTION_REVIEW,))
    _tell_assignee(meeting, action_item)  # done or dropped, it leaves their list of open ones
    return action_item
