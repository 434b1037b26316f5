"""How a view answers: the status codes, the message area, and the run of a room control.

A control in the room answers htmx with the fresh parts (swapped in by id through the page's
`hx-select-oob`, see live.parts.REPLY_IDS) and the message area; without htmx it redirects, with
the refusal as a message. Every view that takes a form answers an invalid one with INVALID.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language

from assembly import actions, live
from assembly.live.parts import NESTED_PARTS, ROOM_PARTS, Audience, Part, parts_for
from assembly.live.render import render_personal, render_reply, snapshot
from assembly.models import Attendee, Meeting
from assembly.permissions import Action, meeting_access
from assembly.views.http import Request

# A form the person got wrong comes back with their input and what to fix: 422, "the request
# was understood but its content can't be taken" (400 says the request itself was malformed).
INVALID = 422
# An action refused as the room stands (the decision closed meanwhile, say).
REFUSED = 409


def row_id(text: str | None) -> int:
    """A row id sent by a form; anything else (hostile or empty) is 0, which matches nothing."""
    text = text or ""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else 0


def form_errors(form: forms.BaseForm) -> str:
    """What to fix in a form, in one line for the message area (each message once)."""
    said: list[str] = []
    for errors in form.errors.values():
        said.extend(str(error) for error in errors if str(error) not in said)
    return " ".join(said)


def flash(error: str | None = None, *, notice: str | None = None) -> str:
    """The page's message area again (swapped in by id), holding the refusal if there is one."""
    if error is None and notice is None:
        return _empty_flash(get_language())
    return render_to_string(
        "assembly/flash.html", {"error": error, "notice": notice, "messages": ()}
    )


@functools.cache
def _empty_flash(language: str) -> str:
    """The message area with nothing in it, as nearly every reply carries it: rendered once per
    language (it was a fortieth of a facilitator's click, in Python calls)."""
    with translation.override(language):
        return render_to_string("assembly/flash.html", {"messages": ()})


def local_url(request: Request, url: str) -> str:
    """`url` if it is a page of this site to go back to, else "" (a "next" field is hand-read:
    it must not send anyone elsewhere, nor carry a character no header can hold)."""
    if not url or any(ord(ch) < 32 for ch in url):
        return ""
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe else ""


def console_parts(
    meeting: Meeting, changed: Iterable[Part] | None = None, version: int | None = None
) -> str:
    """The console's whole room, fresh, as a reply to one of its controls; or only the parts
    an action `changed` (live.noting), each whole, as of the `version` it counted: the push of
    the same change follows."""
    shown = ROOM_PARTS[Audience.FACILITATOR]
    parts = (
        shown
        if changed is None
        else dict.fromkeys(
            part if part in shown else NESTED_PARTS[part]
            for part in parts_for(Audience.FACILITATOR, changed)
        )
    )
    return snapshot(meeting.pk, version, parts).reply(Audience.FACILITATOR, parts, get_language())


def run(
    request: Request,
    meeting_id: int,
    act: Callable[[Meeting], object],
    action: Action = Action.RUN_MEETING,
    *,
    form: forms.BaseForm | None = None,
) -> HttpResponse:
    """Take a facilitator's action (once its `form`, if any, is valid: else INVALID with what to
    fix); answer htmx with the console's fresh parts, else redirect."""
    # The action reads the meeting again, locked: here only whether this person may.
    meeting = meeting_access(request, meeting_id, action, whole=False).meeting
    error = None
    status = 200
    # The change goes to the room as this closes: after the reply, which it takes as built.
    with live.noting() as noted:
        if form is not None and not form.is_valid():
            error, status = form_errors(form), INVALID
        else:
            try:
                act(meeting)
            except actions.ActionError as refused:
                error, status = str(refused), REFUSED
        if not request.htmx:
            if error:
                messages.error(request, error)
            return redirect(
                local_url(request, request.POST.get("next", ""))
                or reverse("assembly:meeting-console", args=[meeting.pk])
            )
        if error:  # refused, or the form was wrong: the whole console, as the room stands now
            parts = console_parts(meeting)
        else:
            parts = console_parts(meeting, noted.parts, noted.versions.get(meeting.pk))
    return HttpResponse(parts + flash(error), status=status)


def take_part(request: Request, meeting_id: int, act: Callable[[Attendee], object]) -> HttpResponse:
    """A participant's own action; answer htmx with their fresh parts, else redirect."""
    room = meeting_access(request, meeting_id, Action.TAKE_PART)
    attendee = room.attendee
    assert attendee is not None  # TAKE_PART is granted only to someone present
    error = None
    try:
        act(attendee)
    except actions.ActionError as refused:
        error = str(refused)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("assembly:meeting-room", meeting_id=meeting_id)
    meeting = Meeting.objects.select_related("current_item", "organization").get(pk=meeting_id)
    language = get_language()
    html = render_reply(meeting, Audience.PARTICIPANT, (Part.STACK, Part.TEMPERATURE), language)
    attendee.refresh_from_db()
    html += render_personal(attendee, language)
    return HttpResponse(html + flash(error), status=REFUSED if error else 200)
