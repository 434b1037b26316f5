"""Who is on a socket: Channels' session and user lookup, run beside other handshakes.

Channels' AuthMiddleware loads the session and the user on the one thread that every consumer
of the process shares for the database, so a hall reconnecting at once (the Wi-Fi came back)
queued 1,000 handshakes behind each other. These reads are independent: they run on the
executor's threads instead, each with its own connection.
"""

from __future__ import annotations

from typing import Any

from channels.auth import AuthMiddleware, get_user
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from channels.sessions import CookieMiddleware, SessionMiddleware


class ParallelAuthMiddleware(AuthMiddleware):  # type: ignore[misc]  # Channels ships no types
    async def resolve_scope(self, scope: dict[str, Any]) -> None:
        load = database_sync_to_async(get_user.func, thread_sensitive=False)
        scope["user"]._wrapped = await load(scope)


def auth_stack(inner: object) -> BaseMiddleware:
    return CookieMiddleware(SessionMiddleware(ParallelAuthMiddleware(inner)))
