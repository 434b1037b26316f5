"""Rendering the room for one audience: the same partials the pages are built from."""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any, TypedDict

from django.core.cache import cache
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString

from assembly import sealing
from assembly.live.parts import (  # noqa: F401 (some still imported from here: tests, older code)
    AUDIENCES,
    NESTED_IN,
    NESTED_PARTS,
    PERSONAL_PARTS,
    REPLY_VERSION_ID,
    ROOM_PARTS,
    VERSION_ID,
    Audience,
    Part,
    group_name,
    parts_for,
    personal_group,
    select_oob,
)
from assembly.models import (
    ActionItem,
    AgendaItem,
    Amendment,
    Attendee,
    Decision,
    Meeting,
    Proposal,
    SpeakerRequest,
    TemperatureCheck,
)
from assembly.models.attendance import WAITING_GUESTS_MAX
from assembly.models.stack import queue_for
from assembly.timing import agenda_drift

# What a template is rendered with.
Context = dict[str, Any]


def stack_context(meeting: Meeting) -> Context:
    item = meeting.current_item
    if item is None:
        return {"queue": [], "speaking": None, "speaking_deadline": None}
    # The speaker (one at a time: one_speaker_at_a_time) and the waiting hands, in one query.
    hands = list(
        SpeakerRequest.objects.select_related("attendee")
        .filter(
            item=item, status__in=[SpeakerRequest.Status.WAITING, SpeakerRequest.Status.SPEAKING]
        )
        .order_by("raised_at", "id")
    )
    speaking = next((h for h in hands if h.status == SpeakerRequest.Status.SPEAKING), None)
    waiting = [h for h in hands if h.status == SpeakerRequest.Status.WAITING]
    deadline = None
    if speaking is not None and meeting.speaking_limit_seconds and speaking.started_at:
        deadline = speaking.started_at + timedelta(seconds=meeting.speaking_limit_seconds)
    return {
        "queue": queue_for(item, meeting, waiting),
        "speaking": speaking,
        "speaking_deadline": deadline,
    }


def temperature_context(meeting: Meeting) -> Context:
    check = meeting.temperature_checks.first()  # the latest, open or just closed
    if check is None or (check.closed_at and check.item_id != meeting.current_item_id):
        return {"temperature": None}
    counts = Counter(check.responses.values_list("value", flat=True))
    rows = [(value, label, counts[value]) for value, label in TemperatureCheck.Value.choices]
    return {
        "temperature": check,
        "temperature_counts": rows,
        "temperature_total": sum(counts.values()),
    }


def review_context(meeting: Meeting) -> Context:
    """On a "review action items" item: every action item still open from earlier meetings and
    those marked here, each with its name as published (see `ActionItem.who_shown`)."""
    current = meeting.current_item
    if current is None or current.kind != AgendaItem.Kind.REVIEW:
        return {"review": None}
    from assembly.minutes import reviewed_here  # the minutes import this module

    return {"review": reviewed_here(meeting)}


def decision_context(meeting: Meeting, attendance: Context) -> Context:
    """The decision the room is looking at: the open one, or a count paused at a tie (on any
    item, until its lot is drawn), else the latest on this item."""
    decisions = meeting.decisions.select_related("fallback_of")
    decision = (
        decisions.filter(
            Q(status=Decision.Status.OPEN) | Q(status=Decision.Status.CLOSED, result__kind="tie")
        )
        .order_by("-status", "id")  # "open" before "closed"
        .first()
    )
    if decision is None and meeting.current_item_id:
        decision = decisions.filter(item_id=meeting.current_item_id).order_by("-id").first()
    if decision is None:
        return {"decision": None}
    voted = decision.participations.count() if decision.is_open else 0
    return {
        "decision": decision,
        "voted": voted,
        # Only ballots already sealed are lost with a key; a round nobody voted in gets a new one.
        "key_lost": voted > 0 and decision.secret and not sealing.has_key(decision.pk),
        # A proxy withdrawn after it voted leaves its vote counted: never "3 of 2".
        "eligible": max(attendance["voting"] + attendance["proxies"], voted),
        "fallback_pending": decision.is_closed
        and decision.result.get("fallback_allowed")
        and not Decision.objects.filter(fallback_of=decision).exists(),
    }


class AmendmentRow(TypedDict):
    """An amendment as the proposal part lists it."""

    amendment: Amendment
    applies: bool  # written against the proposal's current version
    html: SafeString  # its text, with what it changes marked


def proposal_context(meeting: Meeting) -> Context:
    """The proposal on the floor (else the last one settled on this item), its text with the
    latest change marked, its history, and the amendments written on it."""
    from assembly import proposal_text

    proposals = meeting.proposals.select_related("item")
    proposal = proposals.filter(status=Proposal.Status.FLOOR).first()
    current = meeting.current_item
    if proposal is None and current is not None:
        # Else the one settled last on this item (or as new business while it was open).
        here = Q(item=current)
        if current.started_at:
            here |= Q(item__isnull=True, settled_at__gte=current.started_at)
        proposal = proposals.filter(here, settled_at__isnull=False).order_by("-settled_at").first()
    if proposal is None:
        return {"proposal": None}
    versions = list(proposal.versions.select_related("amendment"))
    history = []
    previous = None
    for version in versions:
        history.append(
            {
                "version": version,
                "html": proposal_text.marked(previous.text, version.text)
                if previous
                else proposal_text.as_html(version.text),
            }
        )
        previous = version
    amendments: list[AmendmentRow] = []
    for amendment in proposal.amendments.select_related("against").order_by("-id"):
        amendments.append(
            {
                "amendment": amendment,
                "applies": amendment.against.number == proposal.version,
                "html": proposal_text.marked(amendment.against.text, amendment.text),
            }
        )
    return {
        "proposal": proposal,
        # On the floor of another item (brought there before the meeting reached it): the
        # console shows it, the phones and the projector once its item is open.
        "proposal_here": proposal.item_id in (None, meeting.current_item_id),
        "proposal_html": history[-1]["html"] if history else "",
        "proposal_translation_html": proposal_text.as_html(proposal.text_translation),
        "proposal_history": history,
        "latest_version": versions[-1] if versions else None,
        "amendments": amendments,
        "amendments_pending": [a for a in amendments if a["amendment"].is_pending],
        "proposal_stages": Proposal.Stage.choices,
        "proposal_deciding": proposal.decisions_open().first(),
    }


def _proposal(meeting: Meeting, audience: str, built: Context) -> Context:
    return proposal_context(meeting)


def _proposal_queue(meeting: Meeting, audience: str, built: Context) -> Context:
    """The console's queue: proposals waiting for the facilitator, and where they can go."""
    if audience != Audience.FACILITATOR:
        return {}
    from assembly.actions.proposals import later_meetings

    return {
        "proposal_queue": list(
            meeting.proposals.filter(status=Proposal.Status.SUBMITTED).select_related("item")
        ),
        "proposal_items": list(meeting.items.filter(parked=False)),
        "later_meetings": list(later_meetings(meeting)[:10]),
    }


def _agenda(meeting: Meeting, audience: str, built: Context) -> Context:
    now = timezone.now()
    items = list(meeting.items.filter(parked=False))
    return {
        "items": items,
        "parked_items": list(meeting.items.filter(parked=True)),
        "drift_seconds": agenda_drift(meeting, items, now),
        "drift_at": now,
        "next_item": meeting.next_item(),
    }


def _attendance(meeting: Meeting, audience: str, built: Context) -> Context:
    return {"attendance": meeting.attendance_summary()}


def _waiting(meeting: Meeting, audience: str, built: Context) -> Context:
    if audience != Audience.FACILITATOR:
        return {}
    waiting = list(meeting.attendees.waiting())
    return {"waiting_guests": waiting, "waiting_full": len(waiting) >= WAITING_GUESTS_MAX}


def _stack(meeting: Meeting, audience: str, built: Context) -> Context:
    return stack_context(meeting)


def _decision(meeting: Meeting, audience: str, built: Context) -> Context:
    return decision_context(meeting, built["attendance"])


def _temperature(meeting: Meeting, audience: str, built: Context) -> Context:
    return temperature_context(meeting)


def _review(meeting: Meeting, audience: str, built: Context) -> Context:
    return review_context(meeting)


Builder = Callable[[Meeting, str, Context], Context]
# What each builder found, kept across the audiences of one push (see parts_context); the
# few that depend on the audience, by audience, and on the language, by language.
Shared = dict[Builder | tuple[Builder, str], Context]

# What each part's template reads beyond the meeting itself, so that a push builds only that:
# one "n of m have voted" line costs the turnout's queries, not the whole room's. A builder
# reads what an earlier one built (the decision's eligible voters come from the attendance).
PART_CONTEXT: dict[Part, tuple[Builder, ...]] = {
    Part.MEETING_STATUS: (_agenda,),
    Part.CURRENT_ITEM: (_agenda,),
    Part.ATTENDANCE: (_attendance, _waiting),
    Part.DECISION: (_attendance, _decision),
    Part.TURNOUT: (_attendance, _decision),
    Part.STACK: (_stack,),
    Part.QUEUE: (_stack,),
    Part.TEMPERATURE: (_temperature,),
    Part.TEMPERATURE_COUNTS: (_temperature,),
    Part.AGENDA: (_agenda,),
    Part.ACTION_REVIEW: (_review,),
    Part.PROPOSAL: (_proposal, _proposal_queue),
    Part.AMENDMENTS: (_proposal,),
    Part.PROPOSAL_STAGE: (_proposal,),
}
# The parts that show the quorum, which the organization's rule may hold (quorum_required).
QUORUM_PARTS = frozenset(part for part, needs in PART_CONTEXT.items() if _attendance in needs)
PER_AUDIENCE = (_waiting, _proposal_queue)
# Builders whose results hold text in the language they were built in (a proposal's marked
# changes, labelled for screen readers): kept per language.
PER_LANGUAGE = (_proposal, _review)  # _review: "a member" for a withheld name


def parts_context(
    meeting: Meeting, audience: str, parts: Iterable[str], shared: Shared | None = None
) -> Context:
    """What the templates of `parts` need for one audience, and nothing more.

    `shared` keeps what builders found across the audiences of one broadcast: the facts are the
    same for every screen (the facilitator's waiting list and queue, kept by audience)."""
    shared = {} if shared is None else shared
    context = {
        "meeting": meeting,
        "current": meeting.current_item,
        "audience": audience,
        "show_names": audience == Audience.FACILITATOR or meeting.projector_shows_names,
        # A bilingual meeting's projector shows its interface in both languages ({% both %}).
        "both_languages": audience == Audience.PROJECTOR and meeting.bilingual,
        "hand_kinds": SpeakerRequest.Kind.choices,
        "temperature_values": TemperatureCheck.Value.choices,
    }
    builders = dict.fromkeys(b for part in parts for b in PART_CONTEXT[Part(part)])
    built: Context = {}
    for builder in builders:
        key: Builder | tuple[Builder, str] = builder
        if builder in PER_AUDIENCE:
            key = (builder, audience)
        elif builder in PER_LANGUAGE:
            key = (builder, translation.get_language())
        if key not in shared:
            shared[key] = builder(meeting, audience, built)
        built.update(shared[key])
    context.update(built)
    return context


def personal_context(attendee: Attendee, room: Context | None = None) -> Context:
    """One attendee's own part. Given the `room` their page shows (built for the same version,
    or newer), the open decision and temperature check are taken from it, not read again:
    only one of each may be open, and the room shows it."""
    meeting = attendee.meeting
    mine = []
    answer = None
    if meeting.current_item_id:
        mine = list(
            attendee.speaker_requests.filter(
                item_id=meeting.current_item_id,
                status__in=[SpeakerRequest.Status.WAITING, SpeakerRequest.Status.SPEAKING],
            )
        )
    if room is not None and "decision" in room:
        shown = room["decision"]
        open_decision = shown if shown is not None and shown.is_open else None
    else:
        open_decision = meeting.decisions.filter(status=Decision.Status.OPEN).first()
    voted_in = None
    mine_recorded = None
    if open_decision is not None:
        mine_recorded = (
            open_decision.participations.filter(attendee=attendee, for_membership__isnull=True)
            .values_list("assisted", flat=True)
            .first()
        )
        if mine_recorded is not None:
            voted_in = open_decision
    # An open ballot's choice, which the phone marks on its ballot; a secret one's never.
    my_choice = ""
    if voted_in is not None and not voted_in.secret:
        my_choice = Decision.marks(
            voted_in.ballots.filter(attendee=attendee, for_membership__isnull=True)
            .values_list("choice", flat=True)
            .first()
        )
    # A vote the secretary recorded for this person, in the open round or else the round last
    # closed: the phone says so and offers to withdraw it (open) or to contest it (closed).
    assisted_in = open_decision if mine_recorded else None
    if open_decision is None:
        last = meeting.decisions.filter(status=Decision.Status.CLOSED).order_by("-closed_at")
        assisted_in = (
            last.filter(
                pk=last.values("pk")[:1],
                participations__attendee=attendee,
                participations__for_membership__isnull=True,
                participations__assisted=True,
                participations__contested=False,
            )
            .only("pk", "status")
            .first()
        )
    if room is not None and "temperature" in room:
        shown = room["temperature"]
        check = shown if shown is not None and shown.closed_at is None else None
    else:
        check = meeting.temperature_checks.filter(closed_at__isnull=True).first()
    if check is not None:
        answer = check.responses.filter(attendee=attendee).values_list("value", flat=True).first()
    check_id = check.pk if check is not None else None
    proxies = []
    if attendee.is_present:
        held = list(attendee.proxies_held.select_related("absent_member"))
        cast_for = set()
        if held and open_decision is not None:  # few carry a proxy: the others ask no more
            cast_for = set(
                open_decision.participations.filter(for_membership__isnull=False).values_list(
                    "for_membership_id", flat=True
                )
            )
        proxies = [
            {"member": proxy.absent_member, "voted": proxy.absent_member_id in cast_for}
            for proxy in held
        ]
    return {
        "meeting": meeting,
        "me": attendee,
        "my_requests": mine,
        "my_temperature": answer,
        "my_temperature_check": check_id,
        "speaking_now": any(r.status == SpeakerRequest.Status.SPEAKING for r in mine),
        "temperature_values": TemperatureCheck.Value.choices,
        "voted_in": voted_in,
        "my_choice": my_choice,
        # The secretary recorded this person's vote: their phone says so, and offers to contest.
        "assisted_in": assisted_in,
        "open_decision": open_decision,
        "my_proxies": proxies,
        "my_action_items": my_action_items(attendee),
        **my_proposals(attendee),
    }


def my_proposals(attendee: Attendee) -> Context:
    """The proposer's own: how their proposals stand, and amendments waiting for their answer."""
    from assembly import proposal_text

    mine = list(attendee.proposals.filter(meeting_id=attendee.meeting_id).order_by("-id")[:5])
    waiting = []
    for proposal in mine:
        if proposal.is_on_floor:
            for amendment in proposal.amendments.filter(status="pending").select_related("against"):
                waiting.append(
                    {
                        "amendment": amendment,
                        "applies": amendment.against.number == proposal.version,
                        "html": proposal_text.marked(amendment.against.text, amendment.text),
                    }
                )
    return {"my_proposals": mine, "answer_amendments": waiting}


def my_action_items(attendee: Attendee) -> list[ActionItem]:
    """The open action items given to this attendee (a member), for their phone."""
    if attendee.user_id is None:
        return []
    return list(
        ActionItem.objects.still_open()
        .filter(
            assignee__user_id=attendee.user_id,
            organization_id=attendee.meeting.organization_id,
        )
        .order_by("due", "created_at")[:10]
    )


def version_marker_of(version: int) -> str:
    return format_html('<div id="room-version" data-version="{}" hidden></div>', version)


def render_parts(
    meeting: Meeting,
    audience: str,
    parts: Iterable[str],
    language: str,
    context: Context | None = None,
    *,
    versioned: bool = True,
) -> str:
    """The given parts for one audience in one language, led by the version marker, which
    names them (unless not `versioned`): a phone that drops this push as older than its screen
    can tell whether newer pushes painted all of them since (app.js); those nested in them are
    named too, painted with them.

    A broadcast passes the audience's `context`, built once for all its languages; otherwise
    only what these parts read is built."""
    parts = tuple(parts)
    with translation.override(language):
        context = context if context is not None else parts_context(meeting, audience, parts)
        html = [_marker(VERSION_ID, meeting.version, _named(audience, parts))] if versioned else []
        html += [_render_part(audience, part, context) for part in parts]
    return "".join(html)


def _render_part(audience: str, part: str, context: Context) -> str:
    return render_to_string(f"assembly/room/{audience}.html#{part}", context)


def _named(audience: str, parts: tuple[str, ...]) -> tuple[str, ...]:
    """The parts a push names in its marker: its own, and those nested in them."""
    nested = (n for n in NESTED_IN.get(audience, ()) if NESTED_PARTS[n] in parts)
    return (*parts, *nested)


class Snapshot:
    """One version of a meeting's room, built once in this process: the meeting's row, what the
    parts' context builders found, and each part as rendered for an audience and a language.

    A facilitator's click is answered with the parts it changed, then pushed to every screen:
    the same meeting, the same queries, the same templates (the console's part twice, with
    its screen listening). The push now takes what the reply built (live.noting sends it
    after the reply). Keyed by the version, which every change counts (live.changed): what
    was read for a version is at least as new as it, never older."""

    def __init__(self, meeting: Meeting) -> None:
        self.meeting = meeting
        self.version = meeting.version
        self._shared: Shared = {}
        self._html: dict[tuple[str, str, str], str] = {}
        self._lock = threading.Lock()  # a reply and a push of one version build it once

    def parts(self, audience: str, parts: tuple[str, ...], language: str) -> str:
        with self._lock:
            missing = tuple(p for p in parts if (audience, language, p) not in self._html)
            if missing:
                with translation.override(language):
                    context = parts_context(self.meeting, audience, missing, self._shared)
                    for part in missing:
                        self._html[audience, language, part] = _render_part(audience, part, context)
            return "".join(self._html[audience, language, part] for part in parts)

    def context(self, audience: str, parts: tuple[str, ...]) -> Context:
        """What the templates of `parts` need for one audience, from what this version's
        builders found once: a hall opening the page at once reads the room once, not once
        a phone (its queries were half of a participant page's server time)."""
        with self._lock:
            context = parts_context(self.meeting, audience, parts, self._shared)
        decision = context.get("decision")
        if context.get("voted") and decision is not None and decision.secret:
            # The one thing a room shows that no version counts: a secret round's key, kept
            # out of the database (sealing), is lost with a restart of Redis or the server.
            # A console opened or reloaded then says so at once, as it did before this cache.
            context["key_lost"] = not sealing.has_key(decision.pk)
        return context

    def push(self, audience: str, parts: Iterable[str], language: str) -> str:
        """The parts as a push to the room, led by the room's version marker."""
        parts = tuple(parts)
        marker = _marker(VERSION_ID, self.version, _named(audience, parts))
        return marker + self.parts(audience, parts, language)

    def reply(self, audience: str, parts: Iterable[str], language: str) -> str:
        """The parts as the answer to a person's own control, led by the reply's marker (see
        `render_reply`)."""
        parts = tuple(parts)
        marker = _marker(REPLY_VERSION_ID, self.version, parts)
        return marker + self.parts(audience, parts, language)


_snapshots: OrderedDict[tuple[int, int], Snapshot] = OrderedDict()
_snapshots_lock = threading.Lock()
SNAPSHOTS_KEPT = 16


def snapshot(meeting_id: int, version: int | None = None, parts: Iterable[str] = ()) -> Snapshot:
    """The meeting's room as it is now, built as much as this process has already built its
    version (Meeting.DoesNotExist if it is gone). Its version is read first (unless given: the
    one an action just counted), and the meeting itself only if that version is new here: with
    its current item, and its organization if `parts` (those first asked of it) show the
    quorum, which its rule may hold (else read if ever asked: 13 columns fewer at a click on
    the speakers' list)."""
    if version is None:  # by its key, with no ORDER BY (as permissions.get_access)
        version = Meeting.objects.filter(pk=meeting_id).values_list("version", flat=True).get()
    with _snapshots_lock:
        found = _snapshots.get((meeting_id, version)) if version is not None else None
    if found is not None:
        return found
    related = ["current_item"]
    if QUORUM_PARTS.intersection(parts):
        related.append("organization")
    meeting = Meeting.objects.select_related(*related).get(pk=meeting_id)
    key = (meeting_id, meeting.version)
    with _snapshots_lock:
        found = _snapshots.get(key)
        if found is None:
            found = _snapshots[key] = Snapshot(meeting)
            while len(_snapshots) > SNAPSHOTS_KEPT:
                _snapshots.popitem(last=False)
        return found


def render_reply(meeting: Meeting, audience: str, parts: Iterable[str], language: str) -> str:
    """Parts of the room as the answer to a person's own control, led by the reply's marker.

    Not by the room's version marker: a reply carries some parts, so a push from before it,
    still on its way with others, must not be dropped as outdated. And a reply that took
    longer than a later push carries parts older than the screen's: the page keeps the
    pushed ones (app.js, with the version and the parts named here). Built from `meeting`
    as the caller read it, and kept nowhere (`snapshot` keeps what it reads itself)."""
    return Snapshot(meeting).reply(audience, parts, language)


def _marker(marker_id: str, version: int, parts: Iterable[str]) -> str:
    """A hidden marker: the version some parts are as of, and their names."""
    return format_html(
        '<div id="{}" data-version="{}" data-parts="{}" hidden></div>',
        marker_id,
        version,
        " ".join(parts),
    )


def render_personal(attendee: Attendee, language: str, *, extra: str = "") -> str:
    """One attendee's own part of the participant page, in their language. Without the
    meeting's version: it says what the screen's room parts are as of, and a room push
    rendered a moment earlier must not look outdated beside this one."""
    with translation.override(language):
        context = personal_context(attendee)
        html = "".join(
            render_to_string(f"assembly/room/{Audience.PARTICIPANT}.html#{part}", context)
            for part in PERSONAL_PARTS
        )
    return html + extra


# The last few whole rooms rendered, by meeting, version, audience and language: a hall that
# reopens its sockets at once is sent the same text from this process's memory.
_rooms: OrderedDict[str, str] = OrderedDict()
_rooms_lock = threading.Lock()
ROOMS_KEPT = 64


def render_room(
    meeting_id: int, audience: str, language: str, version: int | None = None
) -> tuple[str, int]:
    """The whole current room and its version, for a (re)connecting socket; cached per version.
    Given the `version` just read, a room already rendered for it is sent without a query."""
    if version is not None:
        kept = kept_room(meeting_id, version, audience, language)
        if kept is not None:
            return kept, version
    meeting = Meeting.objects.select_related("current_item", "organization").get(pk=meeting_id)
    key = _room_key(meeting_id, meeting.version, audience, language)
    html = cache.get(key)
    if html is None:
        html = render_parts(meeting, audience, ROOM_PARTS[audience], language)
        cache.set(key, html, timeout=300)
    with _rooms_lock:
        _rooms[key] = html
        while len(_rooms) > ROOMS_KEPT:
            _rooms.popitem(last=False)
    return html, meeting.version


def kept_room(meeting_id: int, version: int, audience: str, language: str) -> str | None:
    """The whole room at `version`, if this process rendered it lately."""
    with _rooms_lock:
        return _rooms.get(_room_key(meeting_id, version, audience, language))


def forget_rooms() -> None:
    """Drop the rooms kept in memory (the tests, each starting with none)."""
    with _rooms_lock:
        _rooms.clear()
    with _snapshots_lock:
        _snapshots.clear()


def _room_key(meeting_id: int, version: int, audience: str, language: str) -> str:
    return f"room:{meeting_id}:{version}:{audience}:{language}"
