"""Publishing a change to the room, once, after the transaction that made it commits."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
from collections.abc import Iterable, Iterator, Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.template.loader import render_to_string

from assembly.live import coalesce, fanout
from assembly.live.parts import (
    AUDIENCES,
    Part,
    checked,
    group_name,
    parts_for,
    personal_group,
)
from assembly.live.render import render_personal, snapshot
from assembly.models import Attendee, Meeting

logger = logging.getLogger(__name__)


def changed(meeting: Meeting, *, parts: Sequence[Part]) -> None:
    """The one way an action says "the room changed": count one more version of the meeting,
    then publish `parts` after commit."""
    checked(parts)
    meeting.bump_version()
    publish(meeting, parts=parts)


def changed_in_body(
    organization_id: int, *, parts: Sequence[Part], besides: int | None = None
) -> None:
    """What every meeting of a body shows changed (a member withheld their name, the body's
    roll, a meeting to table proposals to): each meeting not yet adjourned (but `besides`, an
    action's own, which it tells itself) counts a version and is told. A screen opened or
    reopened afterwards is never given the room its version showed before (render.snapshot).

    After commit, each in a transaction of its own: the action may hold its own meeting's
    lock, and another action of the body theirs, waiting for this one's."""
    checked(parts)
    meetings = Meeting.objects.filter(
        organization_id=organization_id,
        status__in=[Meeting.Status.DRAFT, Meeting.Status.SCHEDULED, Meeting.Status.LIVE],
    )
    if besides is not None:
        meetings = meetings.exclude(pk=besides)
    told = list(meetings.only("pk", "version"))

    def tell() -> None:
        for meeting in told:
            try:
                with transaction.atomic():
                    changed(meeting, parts=parts)
            except Exception:  # the action is saved; the others are still told
                logger.exception("telling meeting %s of a change in its body failed", meeting.pk)

    if told:
        transaction.on_commit(tell, robust=True)


def publish(meeting: Meeting, *, parts: Sequence[Part]) -> None:
    """Tell the room that `parts` changed, after commit; a rollback tells nobody. A burst of
    changes is coalesced into a few broadcasts a second (live.coalesce). A name that is no
    part of the room is refused (ValueError) rather than silently dropped."""
    meeting_id = meeting.pk
    changed = checked(parts)
    noted = _noted.get()
    if noted is not None:
        noted.parts.extend(changed)
        noted.versions[meeting_id] = max(noted.versions.get(meeting_id, 0), meeting.version)

    def send() -> None:
        if noted is not None and noted.holding:
            noted.held.append((meeting_id, changed))
        else:
            _send(meeting_id, changed)

    transaction.on_commit(send)


def _send(meeting_id: int, parts: Sequence[str], version: int | None = None) -> None:
    """Broadcast `parts` from this thread if the meeting's window is open (live.coalesce.now),
    at `version` if given (the one a reply was just built at: its snapshot is here) and
    nothing but this change is in them; else hand them to the loop, coalesced."""
    now = coalesce.now(meeting_id, parts)
    if now is not None:
        try:
            broadcast(meeting_id, now.parts, version if now.alone else None)
        except Exception:  # saved all the same: the room resyncs on its next change
            logger.exception("broadcast of %s for meeting %s failed", now.parts, meeting_id)
    elif not coalesce.submit(meeting_id, parts, broadcast):
        broadcast(meeting_id, parts)


class Noted:
    """What the actions within `noting()` published: the parts, and the version they counted
    by meeting (tabling a proposal to a later meeting changes that one too)."""

    def __init__(self) -> None:
        self.parts: list[Part] = []
        self.versions: dict[int, int] = {}
        self.held: list[tuple[int, tuple[str, ...]]] = []  # committed, by meeting
        self.holding = True


_noted: contextvars.ContextVar[Noted | None] = contextvars.ContextVar("noted", default=None)


@contextlib.contextmanager
def noting() -> Iterator[Noted]:
    """Gathers the parts that everything published within names: a control's reply carries
    those, fresh, rather than the whole console (rendered for every click, that cost as much
    server time as pushing the change to a hall of 1,000 phones). Their broadcast goes as this
    closes, after the reply, one per meeting: it takes what the reply built (render.Snapshot).
    (So the reply goes once its push is rendered and handed on: a millisecond or two.)"""
    noted = Noted()
    token = _noted.set(noted)
    try:
        yield noted
    finally:
        _noted.reset(token)
        noted.holding = False
        merged: dict[int, dict[str, None]] = {}
        for meeting_id, parts in noted.held:
            merged.setdefault(meeting_id, {}).update(dict.fromkeys(parts))
        for meeting_id, names in merged.items():
            try:
                _send(meeting_id, tuple(names), noted.versions.get(meeting_id))
            except Exception:  # the others still go; the room resyncs on its next change
                logger.exception("broadcast after a reply failed")


def publish_personal(attendee: Attendee, *, admitted: bool = False) -> None:
    """Tell one attendee's phone(s) that their own standing changed, after commit."""
    publish_personal_id(attendee.pk, admitted=admitted)


def publish_personal_id(attendee_id: int, *, admitted: bool = False) -> None:
    # A new version of the meeting: the one a phone shows then says whether anything changed
    # for it while it was away (a socket that reopens with it gets only the version back).
    Meeting.objects.filter(attendees__pk=attendee_id).update(version=F("version") + 1)
    mark_personal([attendee_id])
    transaction.on_commit(lambda: send_personal(attendee_id, admitted=admitted))


def publish_personal_ids(attendee_ids: Iterable[int]) -> None:
    """Several people's own parts, after commit, for an action that also called `changed()`:
    the version it counted covers them, so this adds one query, not one per person."""
    ids = list(dict.fromkeys(attendee_ids))
    mark_personal(ids)
    for attendee_id in ids:
        transaction.on_commit(functools.partial(send_personal, attendee_id))


def mark_personal(attendee_ids: list[int]) -> None:
    """Note the meeting's version on each attendee whose own part changes now: a phone that
    reopens on an earlier version is sent its part again (consumers.RoomConsumer)."""
    if attendee_ids:
        version = Meeting.objects.filter(pk=OuterRef("meeting_id")).values("version")[:1]
        Attendee.objects.filter(pk__in=attendee_ids).update(personal_version=Subquery(version))


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def broadcast(meeting_id: int, parts: Sequence[str], version: int | None = None) -> None:
    """Render each part once per audience and language and send it to that group, if anyone
    may be listening to it. What the facilitator's reply built for this version is taken as
    it is (render.Snapshot); the parts' context builders run once for every audience. The
    meeting's version is read first, unless given (the one an action just counted and sent
    its reply at: a newer one has a broadcast of its own coming)."""
    changed = {audience: parts_for(audience, parts) for audience in AUDIENCES}
    groups = {
        group_name(meeting_id, audience, language): (audience, language)
        for audience, audience_parts in changed.items()
        if audience_parts
        for language in _languages()
    }
    listened = fanout.listened_among(list(groups))
    if not listened:
        return
    room = snapshot(meeting_id, version, parts)
    for group in listened:
        audience, language = groups[group]
        fanout.send(group, room.push(audience, changed[audience], language))


def send_personal(attendee_id: int, *, admitted: bool = False) -> None:
    groups = {
        language: group
        for language in _languages()
        if fanout.listened(group := personal_group(attendee_id, language))
    }
    if not groups:
        return  # no phone of theirs is open: it gets its part when it opens
    attendee = Attendee.objects.select_related("meeting__current_item").get(pk=attendee_id)
    for language, group in groups.items():
        extra = admitted_marker(attendee) if admitted else ""
        fanout.send(group, render_personal(attendee, language, extra=extra))
        if attendee.status in (Attendee.Status.REMOVED, Attendee.Status.LEFT):
            fanout.send(group, fanout.CLOSE)


def admitted_marker(attendee: Attendee) -> str:
    """On a waiting guest's page: fetch the room now that they are in."""
    return render_to_string("assembly/room/admitted.html", {"meeting": attendee.meeting})
