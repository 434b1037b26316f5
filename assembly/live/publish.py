"""Publishing a change to the room, once, after the transaction that made it commits."""

from __future__ import annotations

from collections.abc import Sequence

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from assembly.live.render import AUDIENCES, ROOM_PARTS, group_name, render_parts
from assembly.models import Meeting


def publish(meeting: Meeting, *, parts: Sequence[str]) -> None:
    """Tell the room that `parts` changed, after commit; a rollback tells nobody."""
    meeting_id = meeting.pk
    changed = tuple(parts)
    transaction.on_commit(lambda: broadcast(meeting_id, changed))


def broadcast(meeting_id: int, parts: Sequence[str]) -> None:
    """Render each part once per audience and language and send it to that group."""
    meeting = Meeting.objects.select_related("current_item").get(pk=meeting_id)
    layer = get_channel_layer()
    send = async_to_sync(layer.group_send)
    for audience in AUDIENCES:
        audience_parts = [part for part in parts if part in ROOM_PARTS[audience]]
        if not audience_parts:
            continue
        for language, _name in settings.LANGUAGES:
            html = render_parts(meeting, audience, audience_parts, language)
            send(
                group_name(meeting_id, audience, language),
                {"type": "room.changed", "html": html, "version": meeting.version},
            )
