"""Who is in the room: members check in, guests knock and are admitted, the secretary checks
in those without a phone. Each change tells the room, since quorum may have moved."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assembly import live
from assembly.actions.audit import record
from assembly.actions.common import locked
from assembly.actions.errors import ActionError, Crowded
from assembly.live import Part
from assembly.models import Attendee, Meeting, Membership, Proxy, Role, SpeakerRequest, User
from assembly.models.attendance import WAITING_GUESTS_MAX

ATTENDANCE = (Part.ATTENDANCE, Part.TURNOUT)  # arrivals change how many may vote
GUEST_NAME_MAX = 40


def _open_for_arrivals(meeting: Meeting) -> None:
    if meeting.status in (Meeting.Status.ADJOURNED, Meeting.Status.PUBLISHED):
        raise ActionError(_("This meeting has ended."))


def _changed(attendee: Attendee, *, admitted: bool = False) -> None:
    live.changed(attendee.meeting, parts=ATTENDANCE)
    live.publish_personal(attendee, admitted=admitted)


def _member_may_vote(membership: Membership) -> bool:
    return membership.may_vote and membership.role != Role.OBSERVER


def _end_proxy(meeting: Meeting, proxy: Proxy, *, by: User | None, why: str) -> None:
    """Votes the proxy already cast stand: a vote, once acknowledged, is never lost."""
    record(
        meeting=meeting,
        by=by,
        action=f"attendance.proxy_{why}",
        details={"holder": proxy.holder_id, "absent_member": proxy.absent_member_id},
    )
    proxy.delete()
    live.publish_personal_id(proxy.holder_id)


def _arrives_in_person(meeting: Meeting, membership: Membership) -> None:
    """A member who gave their proxy and then came votes themselves: the proxy ends."""
    proxy = meeting.proxies.filter(absent_member=membership).first()
    if proxy is not None:
        _end_proxy(meeting, proxy, by=None, why="ended_on_arrival")


@transaction.atomic(durable=True)
def check_in_member(*, meeting: Meeting, user: User) -> Attendee:
    """A member arrives with their account: present, with the vote their membership gives."""
    meeting = locked(meeting)
    _open_for_arrivals(meeting)
    membership = Membership.objects.get(organization_id=meeting.organization_id, user=user)
    attendee = meeting.attendees.filter(membership=membership).first()
    if attendee is not None and attendee.is_present:
        return attendee
    if attendee is None:
        attendee = Attendee(meeting=meeting, membership=membership, kind=Attendee.Kind.MEMBER)
    attendee.user = user
    attendee.display_name = membership.display_name[:60]
    attendee.status = Attendee.Status.PRESENT
    attendee.may_vote = _member_may_vote(membership)
    attendee.checked_in_at = timezone.now()
    attendee.save()
    _arrives_in_person(meeting, membership)
    _changed(attendee)
    return attendee


@transaction.atomic(durable=True)
def check_in_by_hand(*, meeting: Meeting, membership_id: int, by: User) -> Attendee:
    """The secretary checks in a member who has no phone (a roll call)."""
    meeting = locked(meeting)
    _open_for_arrivals(meeting)
    membership = Membership.objects.filter(
        organization_id=meeting.organization_id, pk=membership_id
    ).first()
    if membership is None:
        raise ActionError(_("That person is not on this organization's roll."))
    attendee = meeting.attendees.filter(membership=membership).first()
    if attendee is not None and attendee.is_present:
        raise ActionError(_("%(name)s is already checked in.") % {"name": attendee.display_name})
    if attendee is None:
        attendee = Attendee(meeting=meeting, membership=membership, kind=Attendee.Kind.MEMBER)
        attendee.has_device = False
    attendee.user = membership.user
    attendee.display_name = membership.display_name[:60]
    attendee.status = Attendee.Status.PRESENT
    attendee.may_vote = _member_may_vote(membership)
    attendee.checked_in_at = timezone.now()
    attendee.checked_in_by_hand = True
    attendee.save()
    _arrives_in_person(meeting, membership)
    record(
        meeting=meeting,
        by=by,
        action="attendance.checked_in_by_hand",
        details={"attendee": attendee.pk},
    )
    _changed(attendee)
    return attendee


def clean_guest_name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise ActionError(_("Please type the name you'd like to be called."))
    if len(name) > GUEST_NAME_MAX:
        raise ActionError(
            _("Please use a shorter name (at most %(count)d characters).")
            % {"count": GUEST_NAME_MAX}
        )
    if any(ord(ch) < 32 for ch in name):
        raise ActionError(_("Please use letters, numbers and spaces only."))
    return name


@transaction.atomic(durable=True)
def join_as_guest(*, meeting: Meeting, display_name: str) -> Attendee:
    """A guest knocks with a display name only; the facilitator admits them."""
    meeting = locked(meeting)
    _open_for_arrivals(meeting)
    display_name = clean_guest_name(display_name)
    if meeting.attendees.waiting().count() >= WAITING_GUESTS_MAX:
        raise Crowded(_("Many people are waiting to be let in. Please try again in a few minutes."))
    attendee = meeting.attendees.create(
        display_name=display_name,
        kind=Attendee.Kind.GUEST,
        status=Attendee.Status.WAITING,
        may_vote=False,
    )
    _changed(attendee)
    return attendee


def _guest_or_member(meeting: Meeting, attendee_id: int) -> Attendee:
    attendee = meeting.attendees.select_related("meeting").filter(pk=attendee_id).first()
    if attendee is None:
        raise ActionError(_("That person is not in this meeting."))
    return attendee


@transaction.atomic(durable=True)
def admit(*, meeting: Meeting, attendee_id: int, by: User) -> Attendee:
    meeting = locked(meeting)
    attendee = _guest_or_member(meeting, attendee_id)
    if attendee.status != Attendee.Status.WAITING:
        raise ActionError(_("%(name)s is not waiting to be admitted.") % {"name": attendee})
    attendee.status = Attendee.Status.PRESENT
    attendee.checked_in_at = timezone.now()
    attendee.save(update_fields=["status", "checked_in_at"])
    _changed(attendee, admitted=True)
    return attendee


@transaction.atomic(durable=True)
def turn_away_waiting(*, meeting: Meeting, by: User) -> int:
    """The facilitator turns away everyone waiting at the door at once (a flood of joins, say).
    Each is told on their own phone; a real guest among them can knock again."""
    meeting = locked(meeting)
    waiting = list(meeting.attendees.waiting().values_list("pk", flat=True))
    if not waiting:
        raise ActionError(_("Nobody is waiting to be admitted."))
    Attendee.objects.filter(pk__in=waiting).update(status=Attendee.Status.REMOVED, may_vote=False)
    record(
        meeting=meeting,
        by=by,
        action="attendance.waiting_turned_away",
        details={"count": len(waiting)},
    )
    live.changed(meeting, parts=ATTENDANCE)
    live.publish_personal_ids(waiting)
    return len(waiting)


@transaction.atomic(durable=True)
def set_vote(*, meeting: Meeting, attendee_id: int, may_vote: bool, by: User) -> Attendee:
    """Give or take the vote in this meeting (a guest the assembly lets vote, say)."""
    meeting = locked(meeting)
    attendee = _guest_or_member(meeting, attendee_id)
    if attendee.may_vote == may_vote:
        return attendee
    attendee.may_vote = may_vote
    attendee.save(update_fields=["may_vote"])
    record(
        meeting=meeting,
        by=by,
        action="attendance.vote_given" if may_vote else "attendance.vote_taken",
        details={"attendee": attendee.pk},
    )
    _changed(attendee)
    return attendee


@transaction.atomic(durable=True)
def remove(*, meeting: Meeting, attendee_id: int, by: User) -> Attendee:
    meeting = locked(meeting)
    attendee = _guest_or_member(meeting, attendee_id)
    if attendee.status == Attendee.Status.REMOVED:
        return attendee
    attendee.status = Attendee.Status.REMOVED
    attendee.may_vote = False
    attendee.save(update_fields=["status", "may_vote"])
    attendee.speaker_requests.filter(status=SpeakerRequest.Status.WAITING).update(
        status=SpeakerRequest.Status.REMOVED
    )
    record(meeting=meeting, by=by, action="attendance.removed", details={"attendee": attendee.pk})
    live.changed(meeting, parts=(*ATTENDANCE, Part.QUEUE))
    live.publish_personal(attendee)
    return attendee


@transaction.atomic(durable=True)
def leave(*, attendee: Attendee) -> Attendee:
    """Someone says they are leaving: quorum must know at once."""
    if attendee.status != Attendee.Status.PRESENT:
        return attendee
    attendee.status = Attendee.Status.LEFT
    attendee.save(update_fields=["status"])
    attendee.speaker_requests.filter(status=SpeakerRequest.Status.WAITING).update(
        status=SpeakerRequest.Status.WITHDRAWN
    )
    live.changed(attendee.meeting, parts=(*ATTENDANCE, Part.QUEUE))
    live.publish_personal(attendee)
    return attendee


@transaction.atomic(durable=True)
def assign_proxy(*, meeting: Meeting, membership_id: int, holder_id: int, by: User) -> Proxy:
    """Record that a present member carries an absent member's vote, as the bylaws allow."""
    meeting = locked(meeting)
    organization = meeting.organization
    if not organization.proxies_allowed:
        raise ActionError(_("This organization does not allow proxy votes."))
    _open_for_arrivals(meeting)
    absent = Membership.objects.filter(organization=organization, pk=membership_id).first()
    if absent is None:
        raise ActionError(_("That person is not on this organization's roll."))
    if not _member_may_vote(absent):
        raise ActionError(_("%(name)s has no vote to pass on.") % {"name": absent.display_name})
    if meeting.attendees.present().filter(membership=absent).exists():
        raise ActionError(
            _("%(name)s is here and votes in person.") % {"name": absent.display_name}
        )
    if meeting.proxies.filter(absent_member=absent).exists():
        raise ActionError(
            _("Someone already carries the vote of %(name)s.") % {"name": absent.display_name}
        )
    holder = meeting.attendees.present().filter(pk=holder_id).first()
    if holder is None or holder.is_guest or not holder.may_vote:
        raise ActionError(_("Only a member who is here and votes can carry a proxy."))
    if holder.proxies_held.count() >= organization.proxy_limit:
        raise ActionError(
            ngettext(
                "%(name)s already carries %(count)d proxy, the most allowed.",
                "%(name)s already carries %(count)d proxies, the most allowed.",
                organization.proxy_limit,
            )
            % {"name": holder.display_name, "count": organization.proxy_limit}
        )
    proxy = Proxy.objects.create(meeting=meeting, holder=holder, absent_member=absent)
    record(
        meeting=meeting,
        by=by,
        action="attendance.proxy_assigned",
        details={"holder": holder.pk, "absent_member": absent.pk},
    )
    live.changed(meeting, parts=ATTENDANCE)
    live.publish_personal(holder)
    return proxy


@transaction.atomic(durable=True)
def withdraw_proxy(*, meeting: Meeting, proxy_id: int, by: User) -> None:
    """The secretary withdraws a proxy (the member changed their mind, say)."""
    meeting = locked(meeting)
    _open_for_arrivals(meeting)
    proxy = meeting.proxies.filter(pk=proxy_id).first()
    if proxy is None:
        raise ActionError(_("That proxy is no longer recorded."))
    _end_proxy(meeting, proxy, by=by, why="withdrawn")
    live.changed(meeting, parts=ATTENDANCE)
