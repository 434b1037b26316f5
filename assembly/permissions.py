"""Who may do what, and where: the one place views and consumers both ask.

A meeting the person has no business in is reported as missing (404), never as forbidden,
so ids from another organization reveal nothing. A member who lacks the role gets 403.
"""

from __future__ import annotations

import enum

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from assembly.models import Meeting, Membership
from assembly.models.organizations import Role, User


class Action(enum.StrEnum):
    VIEW_ROOM = "view_room"
    VIEW_PROJECTOR = "view_projector"
    RUN_MEETING = "run_meeting"


# Each action, and the roles that may take it.
ALLOWED_ROLES: dict[Action, frozenset[str]] = {
    Action.VIEW_ROOM: frozenset(Role.values),
    Action.VIEW_PROJECTOR: frozenset({Role.ADMIN, Role.FACILITATOR, Role.SECRETARY}),
    Action.RUN_MEETING: frozenset({Role.ADMIN, Role.FACILITATOR}),
}

# Which live audience each action lets a socket join.
AUDIENCE_ACTION = {
    "participant": Action.VIEW_ROOM,
    "projector": Action.VIEW_PROJECTOR,
    "facilitator": Action.RUN_MEETING,
}


def membership_for(user: User | AnonymousUser, organization_id: int) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, organization_id=organization_id).first()


def may(membership: Membership | None, action: Action) -> bool:
    return membership is not None and membership.role in ALLOWED_ROLES[action]


def get_meeting(user: User | AnonymousUser, meeting_id: int, action: Action) -> Meeting:
    """The meeting if `user` may take `action` in it; else 404 (not theirs) or 403 (role)."""
    meeting = (
        Meeting.objects.select_related("organization", "current_item").filter(pk=meeting_id).first()
    )
    membership = membership_for(user, meeting.organization_id) if meeting else None
    if meeting is None or membership is None:
        raise Http404
    if not may(membership, action):
        raise PermissionDenied
    return meeting


def meeting_for_socket(
    user: User | AnonymousUser, meeting_id: int, audience: str
) -> Meeting | None:
    """The meeting if `user` may follow it as `audience`; None when the socket must be refused."""
    action = AUDIENCE_ACTION.get(audience)
    if action is None:
        return None
    try:
        return get_meeting(user, meeting_id, action)
    except (Http404, PermissionDenied):
        return None
