"""Who a crowd is: many sessions' access to their meetings, read together in a few queries.

A hall acts at once: a thousand ballots within a second, a thousand phones reopening their
sockets when the Wi-Fi comes back. One at a time, each would read its session, its user, the
meeting, the membership and the attendance (five queries, each a trip through the ORM and, on
SQLite, a wait for the GIL behind every other thread). Here a batch is read in six queries
whatever its size, and each person's access decided by `permissions.decide`, the rules of
`permissions.get_access`; the user as `django.contrib.auth.get_user` finds them.

Only sessions kept in the database can be read this way (`readable`); a caller asks Django's
own path for the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from assembly.models import Attendee, Meeting, Membership, User
from assembly.permissions import Access, Action, decide, guest_tokens

DB_SESSIONS = "django.contrib.sessions.backends.db"


@dataclass(frozen=True)
class Asking:
    """One person, by their session's key, asking to do `action` in a meeting."""

    session_key: str
    meeting_id: int
    action: Action


def readable() -> bool:
    """Whether sessions are kept where a crowd's can be read together (the database)."""
    return settings.SESSION_ENGINE == DB_SESSIONS


def access_many(asking: Sequence[Asking]) -> list[Access | None]:
    """Each one's access, as `permissions.get_access` would find it; None where it would
    answer 404 or 403, or the session is gone, expired, or no longer its user's."""
    sessions = _sessions({a.session_key for a in asking if a.session_key})
    users, logged_out = _users(sessions.items())
    for key in logged_out:  # Django empties such a session: its guest passes go with it
        del sessions[key]
    # Each meeting's key and organization alone, as `get_access` reads it for an action: the
    # rules need no more (the organization's own row only for a guest's proposal, a query then).
    meetings = (
        Meeting.objects.only("organization").order_by().in_bulk({a.meeting_id for a in asking})
    )
    user_ids = {user.pk for user in users.values()}
    # Unordered (order_by()): looked up by key, so the models' orderings by name would only
    # be SQL to build and rows to sort, for every batch.
    memberships = {
        (m.user_id, m.organization_id): m
        for m in Membership.objects.filter(
            user_id__in=user_ids,
            organization_id__in={m.organization_id for m in meetings.values()},
        ).order_by()
    }
    members = {
        (a.meeting_id, a.user_id): a
        for a in Attendee.objects.filter(meeting_id__in=meetings, user_id__in=user_ids).order_by()
    }
    tokens = {
        token
        for session in sessions.values()
        for token in guest_tokens(session).values()
        if isinstance(token, str)
    }
    guests = (
        {
            (a.meeting_id, a.token): a
            for a in Attendee.objects.filter(
                meeting_id__in=meetings, token__in=tokens, kind=Attendee.Kind.GUEST
            ).order_by()
        }
        if tokens
        else {}
    )
    found: list[Access | None] = []
    for one in asking:
        session = sessions.get(one.session_key)
        meeting = meetings.get(one.meeting_id)
        if session is None or meeting is None:
            found.append(None)
            continue
        user = users.get(one.session_key)
        membership = memberships.get((user.pk, meeting.organization_id)) if user else None
        if membership is not None:
            attendee = members.get((meeting.pk, membership.user_id))
        else:
            token = guest_tokens(session).get(str(meeting.pk))
            attendee = guests.get((meeting.pk, token)) if isinstance(token, str) else None
        if attendee is not None:
            attendee.meeting = meeting  # as get_access's attendee has it, without a query
        try:
            found.append(decide(meeting, one.action, membership, attendee))
        except (Http404, PermissionDenied):
            found.append(None)
    return found


def _sessions(keys: set[str]) -> dict[str, Mapping[str, Any]]:
    """The live sessions among `keys`, decoded, by key."""
    if not keys:
        return {}
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    rows = store.get_model_class().objects.filter(
        session_key__in=keys, expire_date__gt=timezone.now()
    )
    return {row.session_key: store.decode(row.session_data) for row in rows}


def _users(
    sessions: Iterable[tuple[str, Mapping[str, Any]]],
) -> tuple[dict[str, User], set[str]]:
    """Each signed-in session's user, by session key, as `django.contrib.auth.get_user` finds
    it: a backend still configured, an active user, the session's hash of their password
    current. A session that fails any of it has no user here; one whose hash is no longer
    its user's (the password changed: a stolen phone) is also returned apart, as Django
    flushes it."""
    wanted: dict[str, tuple[int, str]] = {}
    for key, session in sessions:
        try:
            user_id = int(session[SESSION_KEY])
            backend = session[BACKEND_SESSION_KEY]
        except (KeyError, TypeError, ValueError):
            continue
        if backend in settings.AUTHENTICATION_BACKENDS:
            wanted[key] = (user_id, session.get(HASH_SESSION_KEY) or "")
    users: dict[str, User] = {}
    flushed: set[str] = set()
    if not wanted:
        return users, flushed
    found = User.objects.filter(pk__in={pk for pk, _ in wanted.values()}, is_active=True)
    by_id = {user.pk: user for user in found}
    for key, (user_id, session_hash) in wanted.items():
        user = by_id.get(user_id)
        if user is None:
            continue
        if session_hash and any(
            constant_time_compare(session_hash, known)
            # The key's fallbacks too, as Django's: a rotated SECRET_KEY signs nobody out.
            for known in (user.get_session_auth_hash(), *user.get_session_auth_fallback_hash())
        ):
            users[key] = user
        else:
            flushed.add(key)
    return users, flushed
