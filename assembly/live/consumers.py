"""The room's websocket: join the audience's group, get the current room, then only listen.

Writes go over HTTP. A client may send just one thing: `{"type": "sync", "version": N}`: it
dropped a push of version N, older than its screen (pushes can arrive out of order), which may
have carried a part the newer ones did not; it is sent the whole room as it is now, if newer
than N. Anything else closes that socket with a clear code.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from assembly.live import arrivals, coalesce, fanout, wire
from assembly.live.parts import group_name, personal_group
from assembly.live.render import kept_room, render_personal, render_room, version_marker_of
from assembly.models import Attendee

# Close codes (4000-4999 are the application's own).
CLOSE_FORBIDDEN = 4403  # not allowed to follow this room as this audience
CLOSE_MALFORMED = 4400  # not a message this server understands
CLOSE_TOO_LARGE = 4413  # message longer than LIVE_MAX_MESSAGE_BYTES
CLOSE_SERVER_ERROR = 1011  # the server failed to send the room: the phone reconnects


def socket_language(scope: dict[str, Any]) -> str:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    language = (query.get("lang") or [""])[0]
    known = [code for code, _name in settings.LANGUAGES]
    return language if language in known else settings.LANGUAGE_CODE


def shown_version(scope: dict[str, Any]) -> int | None:
    """The version the phone's screen shows (?v=, sent by app.js as the socket opens), if any."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    shown = (query.get("v") or [""])[0]
    return int(shown) if shown.isascii() and shown.isdigit() and len(shown) < 16 else None


def room_asked(scope: dict[str, Any]) -> bool:
    """?room=1: the screen dropped a room push older than it (two workers can deliver out of
    order), so it wants the whole room even on the current version, but its own part only if
    that changed (personal pushes are never dropped)."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return query.get("room") == ["1"]


class RoomConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]  # Channels ships no types
    # The room's sockets listen on no channel layer: live.fanout writes to them directly.
    channel_layer_alias = "asamblea-no-channel-layer"
    groups_joined: list[str] = []
    attendee_id: int | None = None
    waiting = False
    writer: wire.Writer | None = None  # live.fanout writes pushes to it

    async def connect(self) -> None:
        loop = asyncio.get_running_loop()
        coalesce.attach(loop)
        fanout.attach(loop)
        kwargs = self.scope["url_route"]["kwargs"]
        self.meeting_id = int(kwargs["meeting_id"])
        self.audience = kwargs["audience"]
        self.language = socket_language(self.scope)
        # Read with every other socket arriving meanwhile (a hall reconnecting at once).
        access = await arrivals.access(self.scope, self.meeting_id, self.audience)
        # Accept first so the refusal carries a code the client can read.
        await self.accept()
        if access is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        attendee = access.attendee if self.audience == "participant" else None
        self.attendee_id = attendee.pk if attendee is not None else None
        # A guest still at the door hears only about themselves, nothing of the room.
        self.waiting = attendee is not None and attendee.status == Attendee.Status.WAITING
        self.groups_joined = []
        if not self.waiting:
            self.groups_joined.append(group_name(self.meeting_id, self.audience, self.language))
        if self.attendee_id is not None:
            self.groups_joined.append(personal_group(self.attendee_id, self.language))
        try:
            for group in self.groups_joined:
                await fanout.join(group, self)
            await self.send_room(shown=shown_version(self.scope), whole=room_asked(self.scope))
        except Exception:
            # Not left in its groups for a push to find broken: the phone retries and resyncs.
            await fanout.leave(self.groups_joined, self)
            await self.close(code=CLOSE_SERVER_ERROR)
            raise

    async def dispatch(self, message: dict[str, Any]) -> None:
        """As Channels' own, but for closing old database connections first, in a hop to the
        one thread that Channels runs sync code on, for every message: this consumer reads the
        database only on other threads (live.arrivals), which close theirs. That hop queued a
        hall's handshakes, and its goodbyes, behind each other."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        """As Channels' own, but without its hop to that thread to close old database
        connections (as `dispatch`), and without leaving channel layer groups (it joined none).
        A hall whose Wi-Fi dropped said 2,000 goodbyes, each a hop: a fifth of the server's CPU
        while the phones came back (py-spy, make bench)."""
        await self.disconnect(message["code"])
        raise StopConsumer()

    async def disconnect(self, code: int) -> None:
        await fanout.leave(self.groups_joined, self)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self.close(code=CLOSE_MALFORMED)
            return
        if len(text_data.encode()) > settings.LIVE_MAX_MESSAGE_BYTES:
            await self.close(code=CLOSE_TOO_LARGE)
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            message = None
        if (
            not isinstance(message, dict)
            or message.get("type") != "sync"
            or not isinstance(message.get("version"), int)
            or isinstance(message.get("version"), bool)
        ):
            await self.close(code=CLOSE_MALFORMED)
            return
        # Its own part only if it changed since: personal pushes are never dropped.
        version = message["version"]
        await self.send_room(if_newer_than=version, shown=version, whole=True)

    async def send_room(
        self, if_newer_than: int | None = None, shown: int | None = None, whole: bool = False
    ) -> None:
        """Send what this socket must be sent so that its screen shows the room as it is now.

        `shown` is the version the screen shows. Every change to the room, or to anyone's own
        part, counts a new version, so the same number means the same room; and each attendee
        keeps the version at which their own part last changed (`personal_version`), so a
        screen on a later one has it. A hall reopening at once is mostly sent the version
        alone, or the whole room rendered once for all, without rendering anyone's part."""
        version, personal_since = await arrivals.versions(self.meeting_id, self.attendee_id)
        if version is None:  # the meeting was deleted
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if if_newer_than is not None and version <= if_newer_than:
            return
        personal = self.attendee_id is not None and (
            self.waiting or shown is None or personal_since >= shown
        )
        room = not self.waiting and (whole or shown != version)
        kept = kept_room(self.meeting_id, version, self.audience, self.language) if room else None
        if personal or (room and kept is None):
            html = await arrivals.off_loop(self._render, version, room=room, personal=personal)
        else:
            html = kept if kept is not None else version_marker_of(version)
        await self.send(text_data=html)

    def _render(self, version: int, *, room: bool, personal: bool) -> str:
        """The whole room (else the version alone), then the person's own part if asked."""
        if room:
            html, _ = render_room(self.meeting_id, self.audience, self.language, version)
        else:
            html = version_marker_of(version)
        if personal:
            assert self.attendee_id is not None
            attendee = Attendee.objects.select_related("meeting__current_item").get(
                pk=self.attendee_id
            )
            html += render_personal(attendee, self.language)
        return html

    async def room_closed(self) -> None:
        """This person was removed, or left: their sockets close (live.fanout.CLOSE)."""
        await fanout.leave(self.groups_joined, self)
        await self.close(code=CLOSE_FORBIDDEN)
