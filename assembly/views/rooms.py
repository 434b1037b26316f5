"""The three screens of a live meeting, and the controls that change the room."""

from __future__ import annotations

from collections.abc import Callable

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from assembly import actions
from assembly.live.parts import ROOM_PARTS, Audience, Part, select_oob
from assembly.live.render import (
    personal_context,
    render_parts,
    render_personal,
    room_context,
    version_marker,
)
from assembly.models import Attendee, Meeting
from assembly.permissions import Access, Action, get_access, guest_tokens
from assembly.views import limits
from assembly.views.join import door


def access(request: HttpRequest, meeting_id: int, action: Action) -> Access:
    return get_access(request.user, guest_tokens(request.session), meeting_id, action)


def row_id(text: str | None) -> int:
    """A row id sent by a form; anything else (hostile or empty) is 0, which matches nothing."""
    text = text or ""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else 0


def join_url(request: HttpRequest, meeting: Meeting) -> str:
    """The link to show for typing (short); the QR code carries the keyed one (join.door)."""
    return request.build_absolute_uri(reverse("assembly:join-code", args=[meeting.join_code]))


def _page(request: HttpRequest, room: Access, audience: str) -> HttpResponse:
    meeting = room.meeting
    context = room_context(meeting, audience)
    context.update(
        socket_url=f"/ws/meetings/{meeting.pk}/{audience}/?lang={get_language()}",
        version_marker=version_marker(meeting),
        select_oob=select_oob(audience),
    )
    if audience == "participant":
        attendee = room.attendee
        context.update(personal_context(attendee) if attendee else {"me": None})
        context["waiting"] = attendee is not None and attendee.status == Attendee.Status.WAITING
    if audience == "projector":
        url = join_url(request, meeting)
        qr = segno.make(request.build_absolute_uri(door(meeting)), error="m").svg_inline(
            scale=1, omitsize=True, dark="#000", light="#fff", title=meeting.join_code
        )
        context.update(join_url=url, join_qr=mark_safe(qr))
    return render(request, f"assembly/room/{audience}.html", context)


@require_GET
def participant(request: HttpRequest, meeting_id: int) -> HttpResponse:
    if not request.user.is_authenticated and str(meeting_id) not in guest_tokens(request.session):
        return redirect(f"{reverse('account_login')}?next={request.path}")
    return _page(request, access(request, meeting_id, Action.VIEW_ROOM), "participant")


@require_GET
@login_required
def console(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _page(request, access(request, meeting_id, Action.RUN_MEETING), "facilitator")


@require_GET
@login_required
def projector(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _page(request, access(request, meeting_id, Action.VIEW_PROJECTOR), "projector")


def _flash(error: str | None) -> str:
    """The page's message area again (swapped in by id), holding the refusal if there is one."""
    return render_to_string("assembly/flash.html", {"error": error, "messages": ()})


def _local(request: HttpRequest, url: str) -> str:
    """`url` if it is a page of this site to go back to, else "" (a "next" field is hand-read:
    it must not send anyone elsewhere, nor carry a character no header can hold)."""
    if not url or any(ord(ch) < 32 for ch in url):
        return ""
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe else ""


def _run(
    request: HttpRequest,
    meeting_id: int,
    act: Callable[[Meeting], object],
    action: Action = Action.RUN_MEETING,
) -> HttpResponse:
    """Take a facilitator's action; answer htmx with the console's fresh parts, else redirect."""
    meeting = access(request, meeting_id, action).meeting
    error = None
    try:
        act(meeting)
    except actions.ActionError as refused:
        error = str(refused)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(
            _local(request, request.POST.get("next", ""))
            or reverse("assembly:meeting-console", args=[meeting.pk])
        )
    meeting.refresh_from_db()
    html = render_parts(
        meeting, Audience.FACILITATOR, ROOM_PARTS[Audience.FACILITATOR], get_language()
    )
    return HttpResponse(html + _flash(error), status=409 if error else 200)


def _take_part(
    request: HttpRequest, meeting_id: int, act: Callable[[Attendee], object]
) -> HttpResponse:
    """A participant's own action; answer htmx with their fresh parts, else redirect."""
    room = access(request, meeting_id, Action.TAKE_PART)
    error = None
    try:
        act(room.attendee)
    except actions.ActionError as refused:
        error = str(refused)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("assembly:meeting-room", meeting_id=meeting_id)
    meeting = Meeting.objects.select_related("current_item", "organization").get(pk=meeting_id)
    language = get_language()
    html = render_parts(meeting, Audience.PARTICIPANT, (Part.STACK, Part.TEMPERATURE), language)
    room.attendee.refresh_from_db()
    html += render_personal(room.attendee, language)
    return HttpResponse(html + _flash(error), status=409 if error else 200)


# The facilitator's agenda controls ---------------------------------------------------------


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
def close_item(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _run(
        request, meeting_id, lambda m: actions.meetings.close_item(meeting=m, by=request.user)
    )


@require_POST
@login_required
def adjourn(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _run(request, meeting_id, lambda m: actions.meetings.adjourn(meeting=m, by=request.user))


# The speakers' stack -------------------------------------------------------------------------


@require_POST
@limits.per_person("hands", limits.HANDS)
def raise_hand(request: HttpRequest, meeting_id: int) -> HttpResponse:
    kind = request.POST.get("kind", "")
    return _take_part(
        request, meeting_id, lambda me: actions.stack.raise_hand(attendee=me, kind=kind)
    )


@require_POST
@limits.per_person("hands", limits.HANDS)
def lower_hand(request: HttpRequest, meeting_id: int, request_id: int) -> HttpResponse:
    return _take_part(
        request,
        meeting_id,
        lambda me: actions.stack.lower_hand(attendee=me, request_id=request_id),
    )


@require_POST
@limits.per_person("temperature", limits.TEMPERATURE)
def respond_temperature(request: HttpRequest, meeting_id: int) -> HttpResponse:
    value = request.POST.get("value", "")
    return _take_part(
        request, meeting_id, lambda me: actions.stack.respond(attendee=me, value=value)
    )


@require_POST
@login_required
def call_next(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _run(request, meeting_id, lambda m: actions.stack.call_next(meeting=m, by=request.user))


@require_POST
@login_required
def finish_speaker(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _run(
        request, meeting_id, lambda m: actions.stack.finish_speaker(meeting=m, by=request.user)
    )


@require_POST
@login_required
def move_request(request: HttpRequest, meeting_id: int, request_id: int, direction: str):
    up = direction == "up"
    return _run(
        request,
        meeting_id,
        lambda m: actions.stack.move(meeting=m, request_id=request_id, up=up, by=request.user),
    )


@require_POST
@login_required
def remove_request(request: HttpRequest, meeting_id: int, request_id: int) -> HttpResponse:
    return _run(
        request,
        meeting_id,
        lambda m: actions.stack.remove_request(meeting=m, request_id=request_id, by=request.user),
    )


@require_POST
@login_required
def close_stack(request: HttpRequest, meeting_id: int) -> HttpResponse:
    closed = request.POST.get("closed") == "1"
    return _run(
        request,
        meeting_id,
        lambda m: actions.stack.set_stack_closed(meeting=m, closed=closed, by=request.user),
    )


@require_POST
@login_required
def open_temperature(request: HttpRequest, meeting_id: int) -> HttpResponse:
    question = request.POST.get("question", "")
    return _run(
        request,
        meeting_id,
        lambda m: actions.stack.open_temperature(meeting=m, question=question, by=request.user),
    )


@require_POST
@login_required
def close_temperature(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _run(
        request, meeting_id, lambda m: actions.stack.close_temperature(meeting=m, by=request.user)
    )
