"""The three screens of a live meeting and the facilitator's controls."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from assembly import actions
from assembly.live.render import ROOM_PARTS, render_parts, room_context, version_marker
from assembly.models import Meeting
from assembly.permissions import Action, get_meeting


def _page(request: HttpRequest, meeting: Meeting, audience: str) -> HttpResponse:
    context = room_context(meeting, audience)
    context.update(
        socket_url=f"/ws/meetings/{meeting.pk}/{audience}/?lang={get_language()}",
        version_marker=version_marker(meeting),
        join_host=request.get_host(),
    )
    return render(request, f"assembly/room/{audience}.html", context)


@require_GET
@login_required
def participant(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _page(request, get_meeting(request.user, meeting_id, Action.VIEW_ROOM), "participant")


@require_GET
@login_required
def console(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _page(request, get_meeting(request.user, meeting_id, Action.RUN_MEETING), "facilitator")


@require_GET
@login_required
def projector(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting(request.user, meeting_id, Action.VIEW_PROJECTOR)
    return _page(request, meeting, "projector")


def _run(request: HttpRequest, meeting_id: int, act: Callable[[Meeting], object]) -> HttpResponse:
    """Take a facilitator's action; answer htmx with the console's fresh parts, else redirect."""
    meeting = get_meeting(request.user, meeting_id, Action.RUN_MEETING)
    error = None
    try:
        act(meeting)
    except actions.ActionError as refused:
        error = str(refused)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("assembly:meeting-console", meeting_id=meeting.pk)
    meeting.refresh_from_db()
    html = render_parts(meeting, "facilitator", ROOM_PARTS["facilitator"], get_language())
    flash = format_html(
        '<div id="flash" role="status" aria-live="polite">{}</div>',
        format_html('<p class="flash flash-error">{}</p>', error) if error else "",
    )
    return HttpResponse(html + flash, status=409 if error else 200)


@require_POST
@login_required
def start(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _run(request, meeting_id, lambda m: actions.meetings.start(meeting=m, by=request.user))


@require_POST
@login_required
def next_item(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _run(
        request, meeting_id, lambda m: actions.meetings.next_item(meeting=m, by=request.user)
    )


@require_POST
@login_required
def go_to(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    return _run(
        request,
        meeting_id,
        lambda m: actions.meetings.go_to(meeting=m, item_id=item_id, by=request.user),
    )


@require_POST
@login_required
def adjourn(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _run(request, meeting_id, lambda m: actions.meetings.adjourn(meeting=m, by=request.user))
