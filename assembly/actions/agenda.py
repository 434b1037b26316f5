"""Planning and changing a meeting's agenda: creating the meeting, its items, their order.

Order is kept in `AgendaItem.position`: the agenda's items are numbered 1..n without gaps, and
the parking lot's items follow them (n+1..), in the order they were parked, so `position` alone
orders both lists and `Meeting.next_item()` never reaches a parked item. Every change to an
existing meeting bumps its version and tells the room once, whatever its status: people waiting
for a scheduled meeting already see its agenda, and a reconnecting screen is served the room
cached by version.
"""

from __future__ import annotations

from typing import Any, Literal

from django.db import transaction
from django.utils.translation import gettext as _

from assembly import live
from assembly.actions import proposals as proposal_actions
from assembly.actions.common import locked as _locked
from assembly.actions.errors import ActionError
from assembly.live import Part
from assembly.live.parts import whole_room
from assembly.models import AgendaItem, Meeting, Organization, User
from assembly.models.meetings import ITEM_FIELDS, SETTINGS_FIELDS, TIMEBOX_MAX, TIMEBOX_MIN

CLOSED = (Meeting.Status.ADJOURNED, Meeting.Status.PUBLISHED)
TITLE_MAX = 200
# What an item's form may write: its own fields and, on "approve the minutes", whose minutes.
# (Copying an agenda copies ITEM_FIELDS only: minutes approved once are not approved again.)
ITEM_VALUES = (*ITEM_FIELDS, "minutes_of")


def _open_for_changes(meeting: Meeting) -> Meeting:
    meeting = _locked(meeting)
    if meeting.status in CLOSED:
        raise ActionError(_("This meeting is over; its agenda can no longer change."))
    return meeting


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = meeting.items.filter(pk=item_id).first()
    if item is None:
        raise ActionError(_("That item is not on this meeting's agenda."))
    return item


def _lists(meeting: Meeting) -> tuple[list[AgendaItem], list[AgendaItem]]:
    items = list(meeting.items.order_by("position", "id"))
    return [i for i in items if not i.parked], [i for i in items if i.parked]


def _renumber(agenda: list[AgendaItem], lot: list[AgendaItem]) -> None:
    """Write positions 1..n for the agenda, then n+1.. for the parking lot."""
    changed = []
    for position, item in enumerate([*agenda, *lot], start=1):
        if item.position != position:
            item.position = position
            changed.append(item)
    AgendaItem.objects.bulk_update(changed, ["position"])


# What an agenda edit can change on the screens: the list, the open item's title and the "next
# item" button. Not the decision or the stack: a ballot half filled in is left alone.
AGENDA = (Part.MEETING_STATUS, Part.CURRENT_ITEM, Part.AGENDA)


def _changed(meeting: Meeting, parts: tuple[Part, ...] = AGENDA) -> None:
    live.changed(meeting, parts=parts)


def _check_item(values: dict[str, Any], *, partial: bool) -> None:
    """The item's own rules, whoever calls: the forms say the same, with the input kept."""
    if not partial or "title" in values:
        title = str(values.get("title", "")).strip()
        if not title:
            raise ActionError(_("Give the item a title."))
        if len(title) > TITLE_MAX:
            raise ActionError(_("Keep the title to 200 characters."))
    if len(str(values.get("title_translation", ""))) > TITLE_MAX:
        raise ActionError(_("Keep the title to 200 characters."))
    if "timebox_minutes" in values and not (
        TIMEBOX_MIN <= int(values["timebox_minutes"]) <= TIMEBOX_MAX
    ):
        raise ActionError(_("The timebox must be between 1 and 600 minutes."))
    if "kind" in values and values["kind"] not in AgendaItem.Kind.values:
        raise ActionError(_("Choose a kind of item from the list."))


def _check_minutes_of(meeting: Meeting, item: AgendaItem) -> None:
    """An "approve the minutes" item names an earlier meeting of the same body that has ended;
    any other kind of item approves nothing."""
    if item.kind != AgendaItem.Kind.APPROVE_MINUTES:
        item.minutes_of = None
        return
    earlier = item.minutes_of
    if earlier is None:
        raise ActionError(_("Choose the meeting whose minutes this item approves."))
    if earlier.organization_id != meeting.organization_id or earlier.pk == meeting.pk:
        raise ActionError(_("Only the minutes of an earlier meeting of this body can be approved."))
    if earlier.status not in CLOSED:
        raise ActionError(_("Minutes can be approved once their meeting has adjourned."))


@transaction.atomic(durable=True)
def create_meeting(
    *,
    organization: Organization,
    by: User,
    settings: dict[str, Any],
    copy_agenda_from: Meeting | None = None,
) -> Meeting:
    """A new, scheduled meeting; its agenda copied from an earlier one of the same body."""
    if copy_agenda_from is not None and copy_agenda_from.organization_id != organization.pk:
        raise ActionError(_("You can only copy the agenda of this organization's meetings."))
    values = {name: settings[name] for name in SETTINGS_FIELDS if name in settings}
    meeting = Meeting.objects.create(organization=organization, **values)
    if copy_agenda_from is not None:
        source = copy_agenda_from.items.filter(parked=False).order_by("position", "id")
        AgendaItem.objects.bulk_create(
            AgendaItem(
                meeting=meeting,
                position=position,
                **{name: getattr(item, name) for name in ITEM_FIELDS},
            )
            for position, item in enumerate(source, start=1)
        )
    proposal_actions.carry_tabled(meeting, by)
    # One more meeting to table proposals to, on the consoles of those in session.
    live.changed_in_body(organization.pk, parts=(Part.PROPOSAL,), besides=meeting.pk)
    return meeting


@transaction.atomic(durable=True)
def update_settings(*, meeting: Meeting, by: User, settings: dict[str, Any]) -> Meeting:
    meeting = _open_for_changes(meeting)
    fields = [name for name in SETTINGS_FIELDS if name in settings]
    for name in fields:
        setattr(meeting, name, settings[name])
    meeting.save(update_fields=fields)
    # Settings reach past the agenda: names on the projector, the speaking limit, the quorum;
    # and its title and date where the meetings in session offer to table proposals to it.
    _changed(meeting, whole_room())
    if meeting.status in (Meeting.Status.DRAFT, Meeting.Status.SCHEDULED):  # one to table to
        live.changed_in_body(meeting.organization_id, parts=(Part.PROPOSAL,), besides=meeting.pk)
    return meeting


@transaction.atomic(durable=True)
def add_item(
    *, meeting: Meeting, by: User, values: dict[str, Any], after_current: bool = False
) -> AgendaItem:
    """A new item at the end of the agenda or, while an item is open, right after it."""
    _check_item(values, partial=False)
    meeting = _open_for_changes(meeting)
    agenda, lot = _lists(meeting)
    item = AgendaItem(
        meeting=meeting, position=0, **{k: v for k, v in values.items() if k in ITEM_VALUES}
    )
    _check_minutes_of(meeting, item)
    at = len(agenda)
    current = meeting.current_item
    if after_current and current is not None and not current.parked:
        at = next(i for i, each in enumerate(agenda) if each.pk == current.pk) + 1
    item.position = at + 1
    item.save()
    agenda.insert(at, item)
    _renumber(agenda, lot)
    _changed(meeting)
    return item


@transaction.atomic(durable=True)
def edit_item(*, meeting: Meeting, by: User, item_id: int, values: dict[str, Any]) -> AgendaItem:
    _check_item(values, partial=True)
    meeting = _open_for_changes(meeting)
    item = _item(meeting, item_id)
    fields = [name for name in ITEM_VALUES if name in values]
    for name in fields:
        setattr(item, name, values[name])
    _check_minutes_of(meeting, item)
    item.save(update_fields=[*fields, "minutes_of"])
    _changed(meeting)
    return item


@transaction.atomic(durable=True)
def delete_item(*, meeting: Meeting, by: User, item_id: int) -> None:
    meeting = _open_for_changes(meeting)
    item = _item(meeting, item_id)
    if item.pk == meeting.current_item_id:
        raise ActionError(_("This item is open now; move to another item before deleting it."))
    if item.started_at is not None:
        raise ActionError(
            _("This item has already been taken up, so it stays on the record. Park it instead.")
        )
    item.delete()
    _renumber(*_lists(meeting))
    _changed(meeting)


@transaction.atomic(durable=True)
def move_item(
    *, meeting: Meeting, by: User, item_id: int, direction: Literal["up", "down"]
) -> AgendaItem:
    """Swap an item with its neighbour on the agenda; past either end, refuse."""
    if direction not in ("up", "down"):
        raise ActionError(_("Move an item up or down."))
    meeting = _open_for_changes(meeting)
    item = _item(meeting, item_id)
    if item.parked:
        raise ActionError(_("This item is in the parking lot; restore it first."))
    agenda, lot = _lists(meeting)
    at = next(i for i, each in enumerate(agenda) if each.pk == item.pk)
    to = at - 1 if direction == "up" else at + 1
    if to < 0:
        raise ActionError(_("This item is already first on the agenda."))
    if to >= len(agenda):
        raise ActionError(_("This item is already last on the agenda."))
    agenda[at], agenda[to] = agenda[to], agenda[at]
    _renumber(agenda, lot)
    _changed(meeting)
    return item


@transaction.atomic(durable=True)
def park_item(*, meeting: Meeting, by: User, item_id: int) -> AgendaItem:
    """Take an item off the agenda into the parking lot, to come back to later or never."""
    meeting = _open_for_changes(meeting)
    item = _item(meeting, item_id)
    if item.parked:
        raise ActionError(_("This item is already in the parking lot."))
    if item.pk == meeting.current_item_id:
        raise ActionError(_("This item is open now; move to another item before parking it."))
    if item.started_at is not None:
        raise ActionError(_("This item has already been taken up; it stays on the agenda."))
    agenda, lot = _lists(meeting)
    agenda = [each for each in agenda if each.pk != item.pk]
    item.parked = True
    item.save(update_fields=["parked"])
    _renumber(agenda, [*lot, item])
    _changed(meeting)
    return item


@transaction.atomic(durable=True)
def restore_item(*, meeting: Meeting, by: User, item_id: int) -> AgendaItem:
    """Bring a parked item back, at the end of the agenda."""
    meeting = _open_for_changes(meeting)
    item = _item(meeting, item_id)
    if not item.parked:
        raise ActionError(_("This item is already on the agenda."))
    agenda, lot = _lists(meeting)
    lot = [each for each in lot if each.pk != item.pk]
    item.parked = False
    item.save(update_fields=["parked"])
    _renumber([*agenda, item], lot)
    _changed(meeting)
    return item
