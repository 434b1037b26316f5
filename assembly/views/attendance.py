"""Attendance for the facilitator and secretary: who is here, roll call, guests and votes."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from assembly import actions
from assembly.models import Attendee, Decision, Membership, Role
from assembly.permissions import Action, meeting_access
from assembly.views.http import MemberRequest, Request
from assembly.views.proposals import propose_form_context
from assembly.views.replies import row_id, run


@require_GET
@login_required
def attendance(request: MemberRequest, meeting_id: int) -> HttpResponse:
    access = meeting_access(request, meeting_id, Action.MANAGE_ATTENDANCE)
    meeting = access.meeting
    attendees = list(meeting.attendees.exclude(status=Attendee.Status.REMOVED))
    present = [a for a in attendees if a.is_present]
    here = {a.membership_id for a in present if a.membership_id}
    roll = list(
        Membership.objects.filter(organization_id=meeting.organization_id).exclude(pk__in=here)
    )
    proxies = list(meeting.proxies.select_related("holder", "absent_member"))
    carried = {proxy.absent_member_id for proxy in proxies}
    return render(
        request,
        "assembly/room/attendance_page.html",
        {
            "meeting": meeting,
            "present": present,
            "waiting": [a for a in attendees if a.status == Attendee.Status.WAITING],
            "left": [a for a in attendees if a.status == Attendee.Status.LEFT],
            "roll": roll,
            "proxies_allowed": meeting.organization.proxies_allowed,
            "proxies": proxies,
            "proxy_givers": [
                m for m in roll if m.may_vote and m.role != Role.OBSERVER and m.pk not in carried
            ],
            "proxy_holders": [a for a in present if a.may_vote and not a.is_guest],
            "attendance": meeting.attendance_summary(),
            "audience": "facilitator",
            "open_decision": meeting.decisions.filter(status=Decision.Status.OPEN)
            .prefetch_related("options")
            .first(),
            # The secretary enters a proposal for someone without a phone from here.
            **propose_form_context(meeting, access, for_others=True),
        },
    )


def _back(meeting_id: int) -> str:
    return reverse("assembly:meeting-attendance", args=[meeting_id])


def _attendance_run(request: Request, meeting_id: int, act) -> HttpResponse:
    if not request.htmx and not request.POST.get("next"):
        post = request.POST.copy()
        post["next"] = _back(meeting_id)
        request.POST = post  # type: ignore[assignment]  # run() reads "next" from it
    return run(request, meeting_id, act, action=Action.MANAGE_ATTENDANCE)


@require_POST
@login_required
def admit(request: MemberRequest, meeting_id: int, attendee_id: int) -> HttpResponse:
    return _attendance_run(
        request,
        meeting_id,
        lambda m: actions.attendance.admit(meeting=m, attendee_id=attendee_id, by=request.user),
    )


@require_POST
@login_required
def remove(request: MemberRequest, meeting_id: int, attendee_id: int) -> HttpResponse:
    return _attendance_run(
        request,
        meeting_id,
        lambda m: actions.attendance.remove(meeting=m, attendee_id=attendee_id, by=request.user),
    )


@require_POST
@login_required
def turn_away_waiting(request: MemberRequest, meeting_id: int) -> HttpResponse:
    return _attendance_run(
        request,
        meeting_id,
        lambda m: actions.attendance.turn_away_waiting(meeting=m, by=request.user),
    )


@require_POST
@login_required
def set_vote(request: MemberRequest, meeting_id: int, attendee_id: int) -> HttpResponse:
    may_vote = request.POST.get("may_vote") == "1"
    return _attendance_run(
        request,
        meeting_id,
        lambda m: actions.attendance.set_vote(
            meeting=m, attendee_id=attendee_id, may_vote=may_vote, by=request.user
        ),
    )


@require_POST
@login_required
def check_in_by_hand(request: MemberRequest, meeting_id: int, membership_id: int) -> HttpResponse:
    return _attendance_run(
        request,
        meeting_id,
        lambda m: actions.attendance.check_in_by_hand(
            meeting=m, membership_id=membership_id, by=request.user
        ),
    )


@require_POST
@login_required
def assign_proxy(request: MemberRequest, meeting_id: int) -> HttpResponse:
    membership_id, holder_id = (
        row_id(request.POST.get(field, "")) for field in ("absent_member", "holder")
    )
    return _attendance_run(
        request,
        meeting_id,
        lambda m: actions.attendance.assign_proxy(
            meeting=m, membership_id=membership_id, holder_id=holder_id, by=request.user
        ),
    )


@require_POST
@login_required
def withdraw_proxy(request: MemberRequest, meeting_id: int, proxy_id: int) -> HttpResponse:
    return _attendance_run(
        request,
        meeting_id,
        lambda m: actions.attendance.withdraw_proxy(meeting=m, proxy_id=proxy_id, by=request.user),
    )
