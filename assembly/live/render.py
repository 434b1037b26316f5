"""Rendering the room for one audience: the same partials the pages are built from."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import format_html

from assembly.models import Meeting

AUDIENCES = ("participant", "facilitator", "projector")

# The partials (each named after its DOM id) that make up each audience's live room.
ROOM_PARTS: dict[str, tuple[str, ...]] = {
    "participant": ("meeting-status", "current-item", "agenda"),
    "facilitator": ("meeting-status", "current-item", "agenda"),
    "projector": ("meeting-status", "current-item", "agenda"),
}


def group_name(meeting_id: int, audience: str, language: str) -> str:
    return f"m{meeting_id}.{audience}.{language}"


def personal_group(attendee_id: int, language: str) -> str:
    """One person's phone(s): for what only they should see (you may speak now)."""
    return f"a{attendee_id}.{language}"


def room_context(meeting: Meeting, audience: str) -> dict:
    items = list(meeting.items.all())
    current = meeting.current_item
    return {
        "meeting": meeting,
        "items": items,
        "current": current,
        "next_item": meeting.next_item(),
        "audience": audience,
    }


def version_marker(meeting: Meeting) -> str:
    return format_html('<div id="room-version" data-version="{}" hidden></div>', meeting.version)


def render_parts(meeting: Meeting, audience: str, parts: Iterable[str], language: str) -> str:
    """The given parts for one audience in one language, led by the version marker."""
    with translation.override(language):
        context = room_context(meeting, audience)
        html = [version_marker(meeting)]
        html += [
            render_to_string(f"assembly/room/{audience}.html#{part}", context) for part in parts
        ]
    return "".join(html)


def render_room(meeting_id: int, audience: str, language: str) -> tuple[str, int]:
    """The whole current room and its version, for a (re)connecting socket; cached per version."""
    meeting = Meeting.objects.select_related("current_item").get(pk=meeting_id)
    key = f"room:{meeting_id}:{meeting.version}:{audience}:{language}"
    html = cache.get(key)
    if html is None:
        html = render_parts(meeting, audience, ROOM_PARTS[audience], language)
        cache.set(key, html, timeout=300)
    return html, meeting.version
