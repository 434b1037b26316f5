"""Who is on a socket: Channels' session and user, read in the consumer's own database hop.

Channels' AuthMiddleware loads the session and the user on the one thread that every consumer
of the process shares for the database, so a hall reconnecting at once (the Wi-Fi came back)
queued 1,000 handshakes behind each other. Here the middleware only makes room for the user;
the consumer reads it (`resolve_user`) in the same trip to a database thread as its access
check, on the executor's threads, beside other handshakes.

Nor does the session wrap the socket's `send`: Channels' wrapper saves a modified session on
an HTTP response, never on a websocket message, yet it read the lazy session twice for every
push to every phone (a sixth of the CPU of delivering a push to a hall, py-spy).
"""

from __future__ import annotations

from typing import Any

from channels.auth import AuthMiddleware, UserLazyObject, get_user
from channels.middleware import BaseMiddleware
from channels.sessions import CookieMiddleware, InstanceSessionWrapper
from django.contrib.auth.models import AnonymousUser
from django.utils.functional import empty

from assembly.models import User


class LazyAuthMiddleware(AuthMiddleware):  # type: ignore[misc]  # Channels ships no types
    async def resolve_scope(self, scope: dict[str, Any]) -> None:
        """Left to the consumer (`resolve_user`), in its own database hop."""


def resolve_user(scope: dict[str, Any]) -> User | AnonymousUser:
    """The socket's user, read from its session now if not yet (from a database thread)."""
    user = scope.get("user")
    if isinstance(user, UserLazyObject):
        if user._wrapped is empty:
            user._wrapped = get_user.func(scope)
        user = user._wrapped
    if user is None:  # a scope built without the middleware (tests pass a user or nothing)
        return AnonymousUser()
    assert isinstance(user, User | AnonymousUser)
    return user


class SocketSessionMiddleware(BaseMiddleware):  # type: ignore[misc]
    """Channels' SessionMiddleware, with the socket's own `send` passed on unwrapped."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        wrapper = InstanceSessionWrapper(scope, send)
        await wrapper.resolve_session()
        return await self.inner(wrapper.scope, receive, send)


def auth_stack(inner: object) -> BaseMiddleware:
    return CookieMiddleware(SocketSessionMiddleware(LazyAuthMiddleware(inner)))
