"""Who may do what, and where: the one place views and consumers both ask.

A person reaches a meeting as a member of its organization (with a role), or as a guest whose
session holds the token of their attendance. A meeting or organization the person has no part in
is reported as missing (404), never as forbidden, so ids from elsewhere reveal nothing. Someone
who belongs but lacks the role gets 403.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from assembly.models import Attendee, Meeting, Membership, Role, User


class Action(enum.StrEnum):
    # Organization-wide.
    VIEW_ORGANIZATION = "view_organization"
    MANAGE_MEMBERS = "manage_members"  # invite, change roles, remove, import the roll
    EXPORT_ROLL = "export_roll"
    CREATE_MEETING = "create_meeting"
    # In one meeting.
    EDIT_AGENDA = "edit_agenda"
    VIEW_ROOM = "view_room"
    VIEW_PROJECTOR = "view_projector"
    RUN_MEETING = "run_meeting"  # start, advance, adjourn, run the stack, temperature checks
    MANAGE_ATTENDANCE = "manage_attendance"  # admit guests, check in by hand, give the vote
    TAKE_PART = "take_part"  # raise a hand, answer a temperature check
    WRITE_MINUTES = "write_minutes"  # notes under each item, read the draft, publish
    READ_MINUTES = "read_minutes"  # once published
    # Proposals from the floor: make one or amend one (members; admitted guests where the
    # organization allows it), enter one for someone else. Answering an amendment or withdrawing
    # is for the proposer or the facilitator (`proposer_or_runner`); the rest is RUN_MEETING.
    PROPOSE = "propose"
    PROPOSE_FOR_OTHERS = "propose_for_others"


STAFF = frozenset({Role.ADMIN, Role.FACILITATOR, Role.SECRETARY})

# Each action, and the roles that may take it.
ALLOWED_ROLES: dict[Action, frozenset[str]] = {
    Action.VIEW_ORGANIZATION: frozenset(Role.values),
    Action.MANAGE_MEMBERS: frozenset({Role.ADMIN}),
    Action.EXPORT_ROLL: frozenset({Role.ADMIN, Role.SECRETARY}),
    Action.CREATE_MEETING: STAFF,
    Action.EDIT_AGENDA: STAFF,
    Action.VIEW_ROOM: frozenset(Role.values),
    Action.VIEW_PROJECTOR: STAFF,
    Action.RUN_MEETING: frozenset({Role.ADMIN, Role.FACILITATOR}),
    Action.MANAGE_ATTENDANCE: STAFF,
    Action.TAKE_PART: frozenset({Role.ADMIN, Role.FACILITATOR, Role.SECRETARY, Role.MEMBER}),
    Action.WRITE_MINUTES: STAFF,
    Action.READ_MINUTES: frozenset(Role.values),
    Action.PROPOSE: frozenset({Role.ADMIN, Role.FACILITATOR, Role.SECRETARY, Role.MEMBER}),
    Action.PROPOSE_FOR_OTHERS: STAFF,
}

# What a guest may do once admitted; a guest still waiting may only watch the door.
GUEST_ACTIONS = frozenset({Action.VIEW_ROOM, Action.TAKE_PART, Action.PROPOSE})
# What needs the person checked in and present, not only on the roll.
PRESENT_ACTIONS = frozenset({Action.TAKE_PART, Action.PROPOSE})

# Which live audience each action lets a socket join.
AUDIENCE_ACTION = {
    "participant": Action.VIEW_ROOM,
    "projector": Action.VIEW_PROJECTOR,
    "facilitator": Action.RUN_MEETING,
}

GuestTokens = Mapping[str, str]


# A member's attendance, read only if a view asks for it (see Access).
Attendance = Attendee | None | Callable[[], Attendee | None]


@dataclass(frozen=True)
class Access:
    """A person's standing in one meeting: their membership, their attendance, or both.

    A member's attendance is read when asked for: a facilitator's click needs only their role
    (the query was a twentieth of a click's server time, make bench)."""

    meeting: Meeting
    membership: Membership | None
    attendance: Attendance

    @cached_property
    def attendee(self) -> Attendee | None:
        found = self.attendance
        return found() if callable(found) else found

    def resolved(self) -> Access:
        """The same, with the attendance read now: for code that may not query (a socket's
        consumer, which is async)."""
        return Access(self.meeting, self.membership, self.attendee)

    @property
    def is_guest(self) -> bool:
        return self.membership is None


def membership_for(user: User | AnonymousUser, organization_id: int) -> Membership | None:
    if not user.is_authenticated:
        return None
    # get(), not first(): one per person and organization (one_membership_per_org), and no
    # ORDER BY to build (Django 6.1 builds a reference to every selected column for one).
    try:
        return Membership.objects.get(user=user, organization_id=organization_id)
    except Membership.DoesNotExist:
        return None


def member_of_meeting(
    user: User | AnonymousUser, meeting_id: int
) -> tuple[Meeting, Membership] | None:
    """The meeting (its key and organization alone, as `.only("organization")` reads it) and
    the person's membership in its organization, in one query; None for anyone else (a guest,
    a stranger, a meeting that is not there), whom `get_access` tells apart by reading more."""
    if not user.is_authenticated:
        return None
    try:  # by keys: no ORDER BY to build (see membership_for)
        membership = Membership.objects.get(user=user, organization__meetings__pk=meeting_id)
    except Membership.DoesNotExist:
        return None
    meeting = Meeting.from_db(
        Meeting.objects.db, ["id", "organization_id"], [meeting_id, membership.organization_id]
    )
    return meeting, membership


def may(membership: Membership | None, action: Action) -> bool:
    return membership is not None and membership.role in ALLOWED_ROLES[action]


def guest_may(attendee: Attendee | None, action: Action) -> bool:
    if attendee is None or action not in GUEST_ACTIONS:
        return False
    if attendee.status == Attendee.Status.PRESENT:
        return True
    return action == Action.VIEW_ROOM and attendee.status == Attendee.Status.WAITING


def guest_tokens(session: Mapping[str, Any] | None) -> dict[str, str]:
    """The guest attendances this browser holds, by meeting id (as a string)."""
    tokens = session.get("guest_tokens") if session is not None else None
    return tokens if isinstance(tokens, dict) else {}


def get_organization(user: User | AnonymousUser, slug: str, action: Action) -> Membership:
    """The person's membership in the organization if it allows `action`; else 404 or 403."""
    if not user.is_authenticated:
        # Never filter on user=None: Django reads it as "no account", which every roll entry
        # typed in by hand matches.
        raise Http404
    membership = (
        Membership.objects.select_related("organization")
        .filter(organization__slug=slug, user=user)
        .first()
    )
    if membership is None:
        raise Http404
    if not may(membership, action):
        raise PermissionDenied
    return membership


def get_access(
    user: User | AnonymousUser,
    tokens: GuestTokens,
    meeting_id: int,
    action: Action,
    *,
    whole: bool = True,
) -> Access:
    """The person's access to the meeting if it allows `action`; else 404 or 403. Its meeting
    is read `whole`, with its organization and current item, for a page that shows it; else
    its key and organization alone, for an action that reads it again under its lock (55
    columns fewer: a tenth of a facilitator's click, in Python calls), and for a member in the
    same query as their membership (`member_of_meeting`)."""
    membership: Membership | None
    member = None if whole else member_of_meeting(user, meeting_id)
    if member is not None:
        meeting, membership = member
    else:
        meetings = (
            Meeting.objects.select_related("organization", "current_item")
            if whole
            else Meeting.objects.only("organization")
        )
        try:  # by its key: no ORDER BY to build (see membership_for)
            meeting = meetings.get(pk=meeting_id)
        except Meeting.DoesNotExist:
            raise Http404 from None
        # Not whole: none, or member_of_meeting would have found it.
        membership = membership_for(user, meeting.organization_id) if whole else None
    if membership is not None:
        assert isinstance(user, User)  # an anonymous visitor has no membership
        return decide(meeting, action, membership, attendance_of(meeting, user))
    token = tokens.get(str(meeting_id))
    guest = (
        meeting.attendees.filter(token=token, kind=Attendee.Kind.GUEST).first() if token else None
    )
    return decide(meeting, action, None, guest)


def attendance_of(meeting: Meeting, user: User) -> Callable[[], Attendee | None]:
    """A member's attendance, to read if asked for: not even its query is built before (a
    twentieth of the access check of a facilitator's click, in Python calls)."""
    return lambda: meeting.attendees.filter(user=user).first()


def decide(
    meeting: Meeting, action: Action, membership: Membership | None, attendance: Attendance
) -> Access:
    """The rules of `get_access`, given what it found: the person's membership in the
    meeting's organization and their attendance (as a member: read only if the rules or the
    view need it), or else their attendance as a guest (by the token in their session). Also
    asked for a crowd at once (assembly.crowd)."""
    if membership is not None:
        if not may(membership, action):
            raise PermissionDenied
        access = Access(meeting, membership, attendance)
        if action in PRESENT_ACTIONS and (
            access.attendee is None or not access.attendee.is_present
        ):
            raise PermissionDenied
        return access
    attendee = attendance() if callable(attendance) else attendance
    if attendee is None or attendee.status in (Attendee.Status.REMOVED, Attendee.Status.LEFT):
        raise Http404
    if not guest_may(attendee, action):
        raise PermissionDenied
    if action == Action.PROPOSE and not meeting.organization.guests_may_propose:
        raise PermissionDenied
    return Access(meeting, None, attendee)


def proposer_or_runner(
    access: Access, proposer_id: int | None, *, from_console: bool = False
) -> bool:
    """True for the facilitator (who answers for the room), False for the proposer, present,
    answering from their phone; anyone else is refused (403). A facilitator who is also the
    proposer acts as the proposer from their phone and as the facilitator from the console."""
    attendee = access.attendee
    is_proposer = attendee is not None and attendee.is_present and attendee.pk == proposer_id
    if is_proposer and not from_console:
        return False
    if may(access.membership, Action.RUN_MEETING):
        return True
    if is_proposer:
        return False
    raise PermissionDenied


def meeting_access(
    request: HttpRequest, meeting_id: int, action: Action, *, whole: bool = True
) -> Access:
    """The one way a view reaches a meeting: the person's access if it allows `action`, else
    404 (not theirs to know about) or 403 (theirs, but not this). See `get_access` for
    `whole`."""
    return get_access(request.user, guest_tokens(request.session), meeting_id, action, whole=whole)


def access_for_socket(
    user: User | AnonymousUser, tokens: GuestTokens, meeting_id: int, audience: str
) -> Access | None:
    """The person's access if they may follow the meeting as `audience`; else None."""
    action = AUDIENCE_ACTION.get(audience)
    if action is None:
        return None
    try:
        return get_access(user, tokens, meeting_id, action).resolved()
    except (Http404, PermissionDenied):
        return None
