"""Attendance for the facilitator and secretary: who is here, roll call, guests and votes."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from assembly import actions
from assembly.live.render import attendance_summary
from assembly.models import Attendee, Membership
from assembly.permissions import Action
from assembly.views.rooms import _run, access


@require_GET
@login_required
def attendance(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = access(request, meeting_id, Action.MANAGE_ATTENDANCE).meeting
    attendees = list(meeting.attendees.exclude(status=Attendee.Status.REMOVED))
    here = {a.membership_id for a in attendees if a.is_present and a.membership_id}
    roll = Membership.objects.filter(organization_id=meeting.organization_id).exclude(pk__in=here)
    return render(
        request,
        "assembly/room/attendance_page.html",
        {
            "meeting": meeting,
            "present": [a for a in attendees if a.is_present],
            "waiting": [a for a in attendees if a.status == Attendee.Status.WAITING],
            "left": [a for a in attendees if a.status == Attendee.Status.LEFT],
            "roll": roll,
            "attendance": attendance_summary(meeting),
            "audience": "facilitator",
        },
    )


def _back(meeting_id: int) -> str:
    return reverse("assembly:meeting-attendance", args=[meeting_id])


def _attendance_run(request: HttpRequest, meeting_id: int, act) -> HttpResponse:
    if not request.htmx and not request.POST.get("next"):
        request.POST = request.POST.copy()
        request.POST["next"] = _back(meeting_id)
    return _run(request, meeting_id, act, action=Action.MANAGE_ATTENDANCE)


@require_POST
@login_required
def admit(request: HttpRequest, meeting_id: int, attendee_id: int) -> HttpResponse:
    return _attendance_run(
        request,
        meeting_id,
        lambda m: actions.attendance.admit(meeting=m, attendee_id=attendee_id, by=request.user),
    )


@require_POST
@login_required
def remove(request: HttpRequest, meeting_id: int, attendee_id: int) -> HttpResponse:
    return _attendance_run(
        request,
        meeting_id,
        lambda m: actions.attendance.remove(meeting=m, attendee_id=attendee_id, by=request.user),
    )


@require_POST
@login_required
def set_vote(request: HttpRequest, meeting_id: int, attendee_id: int) -> HttpResponse:
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
def check_in_by_hand(request: HttpRequest, meeting_id: int, membership_id: int) -> HttpResponse:
    return _attendance_run(
        request,
        meeting_id,
        lambda m: actions.attendance.check_in_by_hand(
            meeting=m, membership_id=membership_id, by=request.user
        ),
    )
