"""Coming into a meeting: by code or QR link; members check in, guests give a name only."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from assembly import actions, throttle
from assembly.actions.errors import Crowded
from assembly.models import Attendee, Meeting, User
from assembly.models.meetings import JOIN_CODE_LENGTH
from assembly.permissions import Action, guest_tokens, meeting_access, membership_for
from assembly.views import limits
from assembly.views.http import Request
from assembly.views.replies import INVALID

# Wrong join codes one client may type in ten minutes before it has to wait.
WRONG_CODES_ALLOWED = 30
WRONG_CODES_WINDOW = 600


def normalise_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[: JOIN_CODE_LENGTH + 4]


@require_http_methods(["GET", "POST"])
def join(request: Request) -> HttpResponse:
    """The front door: type the code shown on the projector."""
    if request.method == "POST":
        code = normalise_code(request.POST.get("code", ""))
        meeting = _meeting_by_code(request, code)
        if isinstance(meeting, Meeting):
            return redirect(door(meeting))
        return meeting
    return render(request, "assembly/join/code.html")


def door(meeting: Meeting) -> str:
    """A meeting's own join link, with the key that shows the code was not guessed."""
    code = meeting.join_code
    return f"{reverse('assembly:join-code', args=[code])}?k={throttle.door_key(code)}"


def _meeting_by_code(request: Request, code: str, *, keyed: bool = False) -> Meeting | HttpResponse:
    """The meeting with this code, or the page that says there is none (or to slow down)."""
    if not keyed and throttle.blocked(request, "join-code", limit=WRONG_CODES_ALLOWED):
        error = _("Too many wrong codes from here. Please wait a few minutes and try again.")
        return render(request, "assembly/join/code.html", {"error": error}, status=429)
    meeting = Meeting.objects.select_related("organization").filter(join_code=code).first()
    if meeting is None:
        throttle.failed(request, "join-code", window=WRONG_CODES_WINDOW)
        error = _("No meeting has that code. Check the code on the projector and try again.")
        return render(
            request, "assembly/join/code.html", {"error": error, "code": code}, status=404
        )
    return meeting


def new_identity(request: Request) -> None:
    """Whoever this browser is changes (a guest joins, someone leaves): give the session a new
    key, so a key planted beforehand (session fixation) or copied earlier opens nothing now."""
    request.session.cycle_key()


@require_http_methods(["GET", "POST"])
def join_code(request: Request, code: str) -> HttpResponse:
    """A meeting's own door (the QR code's link): members check in, guests knock."""
    code = normalise_code(code)
    meeting = _meeting_by_code(request, code, keyed=throttle.holds_door_key(request, code))
    if not isinstance(meeting, Meeting):
        return meeting
    membership = membership_for(request.user, meeting.organization_id)
    tokens = guest_tokens(request.session)
    if membership is None and str(meeting.pk) in tokens:
        known = meeting.attendees.filter(token=tokens[str(meeting.pk)]).first()
        if known is not None and known.status in (Attendee.Status.WAITING, Attendee.Status.PRESENT):
            return redirect("assembly:meeting-room", meeting_id=meeting.pk)
    error = None
    status = 200
    name = ""
    if request.method == "POST":
        try:
            if membership is not None:
                assert isinstance(request.user, User)  # only a signed-in person is a member
                actions.attendance.check_in_member(meeting=meeting, user=request.user)
            else:
                name = request.POST.get("display_name", "")
                if not limits.guest_may_knock(request):
                    raise Crowded(_("Too many joins from here. Please wait a few minutes."))
                guest = actions.attendance.join_as_guest(meeting=meeting, display_name=name)
                new_identity(request)
                tokens[str(meeting.pk)] = guest.token
                request.session["guest_tokens"] = tokens
            return redirect("assembly:meeting-room", meeting_id=meeting.pk)
        except actions.ActionError as refused:
            error = str(refused)
            status = 429 if isinstance(refused, Crowded) else INVALID
    return render(
        request,
        "assembly/join/meeting.html",
        {
            "meeting": meeting,
            "membership": membership,
            "error": error,
            "name": name,
            "door": door(meeting),
        },
        status=status,
    )


@require_POST
def check_in(request: Request, meeting_id: int) -> HttpResponse:
    """A member on the participant page says they are here."""
    room = meeting_access(request, meeting_id, Action.VIEW_ROOM)
    if room.membership is None:
        return _go(request, reverse("assembly:meeting-room", args=[meeting_id]))
    assert isinstance(request.user, User)  # only a signed-in person is a member
    try:
        actions.attendance.check_in_member(meeting=room.meeting, user=request.user)
    except actions.ActionError as refused:
        messages.error(request, str(refused))
    return _go(request, reverse("assembly:meeting-room", args=[meeting_id]))


@require_POST
def leave(request: Request, meeting_id: int) -> HttpResponse:
    room = meeting_access(request, meeting_id, Action.TAKE_PART)
    assert room.attendee is not None  # TAKE_PART is granted only to someone present
    actions.attendance.leave(attendee=room.attendee)
    if room.is_guest:
        tokens = dict(guest_tokens(request.session))
        tokens.pop(str(meeting_id), None)
        request.session["guest_tokens"] = tokens
    new_identity(request)
    messages.success(request, _("You have left the meeting. Thank you for coming."))
    return _go(request, reverse("assembly:home"))


def _go(request: Request, url: str) -> HttpResponse:
    """On to another page: htmx (a form in a pushed part) is told to load it whole."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
