"""The three screens of a live meeting, and the controls that change the room."""

from __future__ import annotations

import segno
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from assembly import actions
from assembly.live.parts import ROOM_PARTS, select_oob
from assembly.live.render import personal_context, snapshot, version_marker_of
from assembly.models import Attendee, Meeting
from assembly.permissions import Access, Action, guest_tokens, meeting_access
from assembly.views import limits
from assembly.views.http import MemberRequest, Request
from assembly.views.join import door
from assembly.views.proposals import propose_form_context
from assembly.views.replies import run, take_part


def join_url(request: Request, meeting: Meeting) -> str:
    """The link to show for typing (short); the QR code carries the keyed one (join.door)."""
    return request.build_absolute_uri(reverse("assembly:join-code", args=[meeting.join_code]))


def room_page(
    request: Request, room: Access, audience: str, *, status: int = 200, **extra: object
) -> HttpResponse:
    """One of the three screens, whole; `extra` adds to its context (a form to show again)."""
    meeting = room.meeting
    # The room as this process built it for the version just read, or newer. The marker says
    # the version read with the person's access (a guest's attendance was read with it): the
    # socket sends whatever changed since, their own part included, if it did.
    shown = snapshot(meeting.pk, meeting.version, ROOM_PARTS[audience])
    context = shown.context(audience, ROOM_PARTS[audience])
    context.update(
        socket_url=f"/ws/meetings/{meeting.pk}/{audience}/?lang={get_language()}",
        version_marker=version_marker_of(meeting.version),
        select_oob=select_oob(audience),
    )
    if audience == "participant":
        attendee = room.attendee
        if attendee is not None:
            attendee.meeting = shown.meeting  # the room's: its current item, its version
        context.update(personal_context(attendee, context) if attendee else {"me": None})
        context["waiting"] = attendee is not None and attendee.status == Attendee.Status.WAITING
        context.update(propose_form_context(meeting, room, for_others=False))
    if audience == "facilitator":
        context.update(propose_form_context(meeting, room, for_others=True))
    if audience == "projector":
        url = join_url(request, meeting)
        qr = segno.make(request.build_absolute_uri(door(meeting)), error="m").svg_inline(
            scale=1, omitsize=True, dark="#000", light="#fff", title=meeting.join_code
        )
        context.update(join_url=url, join_qr=mark_safe(qr))
    context.update(extra)
    return render(request, f"assembly/room/{audience}.html", context, status=status)


@require_GET
def participant(request: Request, meeting_id: int) -> HttpResponse:
    if not request.user.is_authenticated and str(meeting_id) not in guest_tokens(request.session):
        return redirect(f"{reverse('account_login')}?next={request.path}")
    return room_page(request, meeting_access(request, meeting_id, Action.VIEW_ROOM), "participant")


@require_GET
@login_required
def console(request: MemberRequest, meeting_id: int) -> HttpResponse:
    return room_page(
        request, meeting_access(request, meeting_id, Action.RUN_MEETING), "facilitator"
    )


@require_GET
@login_required
def projector(request: MemberRequest, meeting_id: int) -> HttpResponse:
    return room_page(
        request, meeting_access(request, meeting_id, Action.VIEW_PROJECTOR), "projector"
    )


# The facilitator's agenda controls ---------------------------------------------------------


@require_POST
@login_required
def start(request: MemberRequest, meeting_id: int) -> HttpResponse:
    return run(request, meeting_id, lambda m: actions.meetings.start(meeting=m, by=request.user))


@require_POST
@login_required
def next_item(request: MemberRequest, meeting_id: int) -> HttpResponse:
    return run(
        request, meeting_id, lambda m: actions.meetings.next_item(meeting=m, by=request.user)
    )


@require_POST
@login_required
def go_to(request: MemberRequest, meeting_id: int, item_id: int) -> HttpResponse:
    return run(
        request,
        meeting_id,
        lambda m: actions.meetings.go_to(meeting=m, item_id=item_id, by=request.user),
    )


@require_POST
@login_required
def close_item(request: MemberRequest, meeting_id: int) -> HttpResponse:
    return run(
        request, meeting_id, lambda m: actions.meetings.close_item(meeting=m, by=request.user)
    )


@require_POST
@login_required
def adjourn(request: MemberRequest, meeting_id: int) -> HttpResponse:
    return run(request, meeting_id, lambda m: actions.meetings.adjourn(meeting=m, by=request.user))


# The speakers' stack -------------------------------------------------------------------------


@require_POST
@limits.per_person("hands", limits.HANDS)
def raise_hand(request: Request, meeting_id: int) -> HttpResponse:
    kind = request.POST.get("kind", "")
    return take_part(
        request, meeting_id, lambda me: actions.stack.raise_hand(attendee=me, kind=kind)
    )


@require_POST
@limits.per_person("hands", limits.HANDS)
def lower_hand(request: Request, meeting_id: int, request_id: int) -> HttpResponse:
    return take_part(
        request,
        meeting_id,
        lambda me: actions.stack.lower_hand(attendee=me, request_id=request_id),
    )


@require_POST
@limits.per_person("temperature", limits.TEMPERATURE)
def respond_temperature(request: Request, meeting_id: int) -> HttpResponse:
    value = request.POST.get("value", "")
    return take_part(
        request, meeting_id, lambda me: actions.stack.respond(attendee=me, value=value)
    )


@require_POST
@login_required
def call_next(request: MemberRequest, meeting_id: int) -> HttpResponse:
    return run(request, meeting_id, lambda m: actions.stack.call_next(meeting=m, by=request.user))


@require_POST
@login_required
def finish_speaker(request: MemberRequest, meeting_id: int) -> HttpResponse:
    return run(
        request, meeting_id, lambda m: actions.stack.finish_speaker(meeting=m, by=request.user)
    )


@require_POST
@login_required
def move_request(request: MemberRequest, meeting_id: int, request_id: int, direction: str):
    up = direction == "up"
    return run(
        request,
        meeting_id,
        lambda m: actions.stack.move(meeting=m, request_id=request_id, up=up, by=request.user),
    )


@require_POST
@login_required
def remove_request(request: MemberRequest, meeting_id: int, request_id: int) -> HttpResponse:
    return run(
        request,
        meeting_id,
        lambda m: actions.stack.remove_request(meeting=m, request_id=request_id, by=request.user),
    )


@require_POST
@login_required
def close_stack(request: MemberRequest, meeting_id: int) -> HttpResponse:
    closed = request.POST.get("closed") == "1"
    return run(
        request,
        meeting_id,
        lambda m: actions.stack.set_stack_closed(meeting=m, closed=closed, by=request.user),
    )


@require_POST
@login_required
def open_temperature(request: MemberRequest, meeting_id: int) -> HttpResponse:
    question = request.POST.get("question", "")
    return run(
        request,
        meeting_id,
        lambda m: actions.stack.open_temperature(meeting=m, question=question, by=request.user),
    )


@require_POST
@login_required
def close_temperature(request: MemberRequest, meeting_id: int) -> HttpResponse:
    return run(
        request, meeting_id, lambda m: actions.stack.close_temperature(meeting=m, by=request.user)
    )
