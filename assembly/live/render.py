"""Rendering the room for one audience: the same partials the pages are built from."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import timedelta

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import format_html

from assembly import sealing
from assembly.models import (
    ActionItem,
    AgendaItem,
    Attendee,
    Decision,
    Meeting,
    SpeakerRequest,
    TemperatureCheck,
)
from assembly.models.attendance import WAITING_GUESTS_MAX
from assembly.models.stack import queue_for
from assembly.timing import agenda_drift

AUDIENCES = ("participant", "facilitator", "projector")

# The partials (each named after its DOM id) that make up each audience's live room.
ROOM_PARTS: dict[str, tuple[str, ...]] = {
    "participant": (
        "meeting-status",
        "current-item",
        "decision",
        "stack",
        "temperature",
        "action-review",
        "agenda",
    ),
    "facilitator": (
        "meeting-status",
        "attendance",
        "current-item",
        "decision",
        "stack",
        "temperature",
        "action-review",
        "agenda",
    ),
    "projector": (
        "meeting-status",
        "attendance",
        "current-item",
        "decision",
        "stack",
        "temperature",
        "action-review",
        "agenda",
    ),
}
# Parts inside another one, pushed alone when only they change, so that what a person is filling
# in or about to tap is not replaced under their thumb because somebody else acted (a ballot, the
# hand-raise and twinkle buttons). Each names its enclosing part, sent instead to a screen whose
# template does not have the small one (the console's stack carries controls that change too).
NESTED_PARTS = {"turnout": "decision", "queue": "stack", "temperature-counts": "temperature"}
NESTED_IN: dict[str, tuple[str, ...]] = {
    "participant": ("turnout", "queue", "temperature-counts"),
    "facilitator": ("turnout", "temperature-counts"),
    "projector": ("turnout", "queue", "temperature-counts"),
}


def parts_for(audience: str, parts: Iterable[str]) -> list[str]:
    """What to render for one audience when `parts` changed, in order, each once."""
    chosen: list[str] = []
    for part in parts:
        if part not in ROOM_PARTS[audience] and part not in NESTED_IN[audience]:
            part = NESTED_PARTS.get(part, "")
        if part in ROOM_PARTS[audience] or part in NESTED_IN[audience]:
            chosen.append(part)
    return list(dict.fromkeys(chosen))


# What only one attendee sees: their own standing, hands and proxy ballots (participant page).
PERSONAL_PARTS = ("me", "proxy-votes")


def group_name(meeting_id: int, audience: str, language: str) -> str:
    return f"m{meeting_id}.{audience}.{language}"


def personal_group(attendee_id: int, language: str) -> str:
    """One person's phone(s): for what only they should see (you may speak now)."""
    return f"a{attendee_id}.{language}"


def attendance_summary(meeting: Meeting) -> dict:
    counts = Counter(
        (kind, may_vote)
        for kind, may_vote in meeting.attendees.present().values_list("kind", "may_vote")
    )
    voting = counts[("member", True)] + counts[("guest", True)]
    voting_members = meeting.organization.voting_members()
    required = meeting.quorum_required(voting_members)
    return {
        "present": sum(counts.values()),
        "voting": voting,
        # Absent members' votes carried by someone present: they vote, but (as most bylaws
        # have it) do not make quorum.
        "proxies": meeting.proxies.usable().count(),
        "guests": counts[("guest", True)] + counts[("guest", False)],
        "waiting": meeting.attendees.waiting().count(),
        "voting_members": voting_members,
        "quorum_required": required,
        "quorum_held": voting >= required,
    }


def stack_context(meeting: Meeting) -> dict:
    item = meeting.current_item
    if item is None:
        return {"queue": [], "speaking": None, "speaking_deadline": None}
    speaking = (
        SpeakerRequest.objects.select_related("attendee")
        .filter(item=item, status=SpeakerRequest.Status.SPEAKING)
        .first()
    )
    deadline = None
    if speaking is not None and meeting.speaking_limit_seconds and speaking.started_at:
        deadline = speaking.started_at + timedelta(seconds=meeting.speaking_limit_seconds)
    return {"queue": queue_for(item), "speaking": speaking, "speaking_deadline": deadline}


def temperature_context(meeting: Meeting) -> dict:
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


def review_context(meeting: Meeting) -> dict:
    """On a "review action items" item: every action item still open from earlier meetings and
    those marked here, each with its name as published (see `ActionItem.who_shown`)."""
    current = meeting.current_item
    if current is None or current.kind != AgendaItem.Kind.REVIEW:
        return {"review": None}
    from assembly.minutes import reviewed_here  # the minutes import this module

    return {"review": reviewed_here(meeting)}


def decision_context(meeting: Meeting, attendance: dict) -> dict:
    """The decision the room is looking at: the open one, else the latest on this item."""
    decisions = meeting.decisions.select_related("fallback_of")
    decision = decisions.filter(status=Decision.Status.OPEN).first()
    if decision is None and meeting.current_item_id:
        decision = decisions.filter(item_id=meeting.current_item_id).order_by("-id").first()
    if decision is None:
        return {"decision": None}
    voted = decision.participations.count() if decision.is_open else 0
    return {
        "decision": decision,
        "voted": voted,
        "key_lost": decision.is_open and decision.secret and not sealing.has_key(decision.pk),
        # A proxy withdrawn after it voted leaves its vote counted: never "3 of 2".
        "eligible": max(attendance["voting"] + attendance["proxies"], voted),
        "fallback_pending": decision.is_closed
        and decision.result.get("fallback_allowed")
        and not Decision.objects.filter(fallback_of=decision).exists(),
    }


def room_context(meeting: Meeting, audience: str) -> dict:
    now = timezone.now()
    attendance = attendance_summary(meeting)
    items = list(meeting.items.filter(parked=False))
    context = {
        "meeting": meeting,
        "items": items,
        "parked_items": list(meeting.items.filter(parked=True)),
        "drift_seconds": agenda_drift(meeting, items, now),
        "drift_at": now,
        "current": meeting.current_item,
        "next_item": meeting.next_item(),
        "audience": audience,
        "show_names": audience == "facilitator" or meeting.projector_shows_names,
        # A bilingual meeting's projector shows its interface in both languages ({% both %}).
        "both_languages": audience == "projector" and meeting.bilingual,
        "attendance": attendance,
        "hand_kinds": SpeakerRequest.Kind.choices,
        "temperature_values": TemperatureCheck.Value.choices,
        **stack_context(meeting),
        **decision_context(meeting, attendance),
        **temperature_context(meeting),
        **review_context(meeting),
    }
    if audience == "facilitator":
        context["waiting_guests"] = list(meeting.attendees.waiting())
        context["waiting_full"] = len(context["waiting_guests"]) >= WAITING_GUESTS_MAX
    return context


def personal_context(attendee: Attendee) -> dict:
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
    check = meeting.temperature_checks.filter(closed_at__isnull=True).first()
    if check is not None:
        answer = check.responses.filter(attendee=attendee).values_list("value", flat=True).first()
    proxies = []
    if attendee.is_present:
        cast_for = set()
        if open_decision is not None:
            cast_for = set(
                open_decision.participations.filter(for_membership__isnull=False).values_list(
                    "for_membership_id", flat=True
                )
            )
        proxies = [
            {"member": proxy.absent_member, "voted": proxy.absent_member_id in cast_for}
            for proxy in attendee.proxies_held.select_related("absent_member")
        ]
    return {
        "meeting": meeting,
        "me": attendee,
        "my_requests": mine,
        "my_temperature": answer,
        "speaking_now": any(r.status == SpeakerRequest.Status.SPEAKING for r in mine),
        "temperature_values": TemperatureCheck.Value.choices,
        "voted_in": voted_in,
        # The secretary recorded this person's vote: their phone says so, and offers to contest.
        "assisted_for_me": bool(mine_recorded),
        "open_decision": open_decision,
        "my_proxies": proxies,
        "my_action_items": my_action_items(attendee),
    }


def my_action_items(attendee: Attendee) -> list:
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


def version_marker(meeting: Meeting) -> str:
    return format_html('<div id="room-version" data-version="{}" hidden></div>', meeting.version)


def render_parts(
    meeting: Meeting,
    audience: str,
    parts: Iterable[str],
    language: str,
    context: dict | None = None,
) -> str:
    """The given parts for one audience in one language, led by the version marker.

    A broadcast passes the audience's `context`, built once for all its languages."""
    with translation.override(language):
        context = context if context is not None else room_context(meeting, audience)
        html = [version_marker(meeting)]
        html += [
            render_to_string(f"assembly/room/{audience}.html#{part}", context) for part in parts
        ]
    return "".join(html)


def render_personal(attendee: Attendee, language: str, *, extra: str = "") -> str:
    """One attendee's own part of the participant page, in their language."""
    with translation.override(language):
        context = personal_context(attendee)
        html = render_to_string("assembly/room/participant.html#me", context)
        html += render_to_string("assembly/room/participant.html#proxy-votes", context)
    return version_marker(attendee.meeting) + html + extra


def render_room(meeting_id: int, audience: str, language: str) -> tuple[str, int]:
    """The whole current room and its version, for a (re)connecting socket; cached per version."""
    meeting = Meeting.objects.select_related("current_item", "organization").get(pk=meeting_id)
    key = f"room:{meeting_id}:{meeting.version}:{audience}:{language}"
    html = cache.get(key)
    if html is None:
        html = render_parts(meeting, audience, ROOM_PARTS[audience], language)
        cache.set(key, html, timeout=300)
    return html, meeting.version
