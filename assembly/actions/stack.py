"""The speakers' stack and temperature checks: hands up and down, the facilitator's calls."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assembly import live
from assembly.actions.common import locked, refuse_nul
from assembly.actions.errors import ActionError
from assembly.live import Part
from assembly.models import (
    AgendaItem,
    Attendee,
    Meeting,
    SpeakerRequest,
    TemperatureCheck,
    TemperatureResponse,
    User,
)
from assembly.models.stack import queue_for

STACK = (Part.STACK,)
QUEUE = (Part.QUEUE,)  # only who is waiting and speaking: the hand-raise buttons stay as they are
TEMPERATURE = (Part.TEMPERATURE,)
Status = SpeakerRequest.Status


def _current_item(meeting: Meeting) -> AgendaItem:
    if not meeting.is_live or meeting.current_item is None:
        raise ActionError(_("There is no item under discussion right now."))
    return meeting.current_item


def _present(attendee: Attendee) -> None:
    if not attendee.is_present:
        raise ActionError(_("You need to be admitted to the meeting first."))


def _stack_changed(
    meeting: Meeting, *people: Attendee | None, parts: tuple[Part, ...] = QUEUE
) -> None:
    live.changed(meeting, parts=parts)
    live.publish_personal_ids(p.pk for p in people if p is not None)


@transaction.atomic(durable=True)
def raise_hand(*, attendee: Attendee, kind: str) -> SpeakerRequest:
    meeting = locked(attendee.meeting_id)
    _present(attendee)
    item = _current_item(meeting)
    if kind not in SpeakerRequest.Kind.values:
        raise ActionError(_("Please choose what kind of request you are making."))
    # A point of process can always be raised: it is about how the meeting is run.
    if item.stack_closed and kind != SpeakerRequest.Kind.PROCESS:
        raise ActionError(_("The speakers' list for this item is closed."))
    try:
        with transaction.atomic():
            request = SpeakerRequest.objects.create(
                meeting=meeting, item=item, attendee=attendee, kind=kind
            )
    except IntegrityError:
        raise ActionError(_("Your hand is already up for this.")) from None
    _stack_changed(meeting, attendee)
    return request


def _request(meeting: Meeting, request_id: int) -> SpeakerRequest:
    request = (
        SpeakerRequest.objects.select_related("attendee", "item")
        .filter(meeting=meeting, pk=request_id)
        .first()
    )
    if request is None:
        raise ActionError(_("That request is not in this meeting's stack."))
    return request


@transaction.atomic(durable=True)
def lower_hand(*, attendee: Attendee, request_id: int) -> None:
    request = _request(attendee.meeting, request_id)
    if request.attendee_id != attendee.pk:
        raise ActionError(_("You can only lower your own hand."))
    if request.status != Status.WAITING:
        raise ActionError(_("That request is no longer waiting."))
    request.status = Status.WITHDRAWN
    request.save(update_fields=["status"])
    _stack_changed(attendee.meeting, attendee)


def _finish_speaker(item: AgendaItem) -> Attendee | None:
    speaking = item.speaker_requests.filter(status=Status.SPEAKING).first()
    if speaking is None:
        return None
    speaking.status = Status.DONE
    speaking.ended_at = timezone.now()
    speaking.save(update_fields=["status", "ended_at"])
    return speaking.attendee


@transaction.atomic(durable=True)
def call_next(*, meeting: Meeting, by: User) -> SpeakerRequest | None:
    """The current speaker is done; the first in the queue gets the floor."""
    meeting = locked(meeting)
    item = _current_item(meeting)
    previous = _finish_speaker(item)
    queue = queue_for(item, meeting)
    if not queue and previous is None:
        raise ActionError(_("Nobody is waiting to speak."))
    nxt = queue[0] if queue else None
    if nxt is not None:
        nxt.status = Status.SPEAKING
        nxt.started_at = timezone.now()
        nxt.save(update_fields=["status", "started_at"])
    _stack_changed(meeting, previous, nxt.attendee if nxt else None)
    return nxt


@transaction.atomic(durable=True)
def finish_speaker(*, meeting: Meeting, by: User) -> None:
    meeting = locked(meeting)
    item = _current_item(meeting)
    previous = _finish_speaker(item)
    if previous is None:
        raise ActionError(_("Nobody has the floor."))
    _stack_changed(meeting, previous)


@transaction.atomic(durable=True)
def move(*, meeting: Meeting, request_id: int, up: bool, by: User) -> None:
    """Move a waiting request one place up or down among requests of its own kind."""
    meeting = locked(meeting)
    item = _current_item(meeting)
    queue = queue_for(item, meeting)
    index = next((i for i, r in enumerate(queue) if r.pk == request_id), None)
    if index is None:
        raise ActionError(_("That request is not waiting in this item's stack."))
    other = index - 1 if up else index + 1
    if not 0 <= other < len(queue) or queue[other].tier != queue[index].tier:
        raise ActionError(_("It can't move further: the order of kinds comes first."))
    tier = [r for r in queue if r.tier == queue[index].tier]
    a, b = tier.index(queue[index]), tier.index(queue[other])
    tier[a], tier[b] = tier[b], tier[a]
    for rank, request in enumerate(tier):
        request.manual_rank = rank
    SpeakerRequest.objects.bulk_update(tier, ["manual_rank"])
    _stack_changed(meeting)


@transaction.atomic(durable=True)
def remove_request(*, meeting: Meeting, request_id: int, by: User) -> None:
    meeting = locked(meeting)
    request = _request(meeting, request_id)
    if request.status != Status.WAITING:
        raise ActionError(_("That request is no longer waiting."))
    request.status = Status.REMOVED
    request.save(update_fields=["status"])
    _stack_changed(meeting, request.attendee)


@transaction.atomic(durable=True)
def set_stack_closed(*, meeting: Meeting, closed: bool, by: User) -> None:
    meeting = locked(meeting)
    item = _current_item(meeting)
    item.stack_closed = closed
    item.save(update_fields=["stack_closed"])
    _stack_changed(meeting, parts=STACK)


# Temperature checks -------------------------------------------------------------------------


@transaction.atomic(durable=True)
def open_temperature(*, meeting: Meeting, question: str, by: User) -> TemperatureCheck:
    refuse_nul(question)
    meeting = locked(meeting)
    if not meeting.is_live:
        raise ActionError(_("The meeting is not in session."))
    question = " ".join((question or "").split())
    if len(question) > 200:
        raise ActionError(_("Please keep the question under 200 characters."))
    meeting.temperature_checks.filter(closed_at__isnull=True).update(closed_at=timezone.now())
    check = TemperatureCheck.objects.create(
        meeting=meeting, item=meeting.current_item, question=question
    )
    live.changed(meeting, parts=TEMPERATURE)
    return check


@transaction.atomic(durable=True)
def close_temperature(*, meeting: Meeting, by: User) -> None:
    meeting = locked(meeting)
    closed = meeting.temperature_checks.filter(closed_at__isnull=True).update(
        closed_at=timezone.now()
    )
    if not closed:
        raise ActionError(_("No temperature check is open."))
    live.changed(meeting, parts=TEMPERATURE)


@transaction.atomic(durable=True)
def respond(*, attendee: Attendee, value: str) -> None:
    """One twinkle per person; answering again changes it."""
    _present(attendee)
    if value not in TemperatureCheck.Value.values:
        raise ActionError(_("Please choose agree, unsure or disagree."))
    check = attendee.meeting.temperature_checks.filter(closed_at__isnull=True).first()
    if check is None:
        raise ActionError(_("No temperature check is open."))
    TemperatureResponse.objects.update_or_create(
        temperature_check=check, attendee=attendee, defaults={"value": value}
    )
    live.changed(attendee.meeting, parts=(Part.TEMPERATURE_COUNTS,))
    live.publish_personal(attendee)
