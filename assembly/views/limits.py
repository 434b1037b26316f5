"""Telling a too-fast client to slow down: the view's side of `assembly/throttle.py`.

The limit is checked before anything else, so a flood costs a cache increment, not the queries
and renders of a real tap. What the person did before the limit stands; only this tap is
refused, with a message in the page's own message area (htmx) or on a page of its own.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from assembly import throttle
from assembly.permissions import guest_tokens
from assembly.views.http import Request

# A person's own taps in one meeting. A person raises and lowers a hand, or changes a twinkle,
# a few times a minute at most; a ballot takes a review and a confirm, for each proxy too.
HANDS = throttle.Rate(limit=30, window=60)
TEMPERATURE = throttle.Rate(limit=30, window=60)
BALLOTS = throttle.Rate(limit=60, window=60)
# Guests knocking through the QR link: a few per browser, and per address enough for a hall of
# phones behind one Wi-Fi. The meeting's waiting room has a cap of its own (the action's).
GUEST_JOINS_PER_BROWSER = throttle.Rate(limit=5, window=600)
GUEST_JOINS_PER_ADDRESS = throttle.Rate(limit=100, window=600)

View = Callable[..., HttpResponse]


def person(request: Request, meeting_id: int) -> str:
    """Who is tapping in this meeting: their account, their guest token, or else the client."""
    if request.user.is_authenticated:
        return f"m{meeting_id}:user:{request.user.pk}"
    token = guest_tokens(request.session).get(str(meeting_id))
    if token:
        return f"m{meeting_id}:guest:{token}"
    return f"m{meeting_id}:{throttle.client(request)}"


def too_fast(request: Request, rate: throttle.Rate, back: str = "") -> HttpResponse:
    """The 429 answer: the message in the page's message area, or a small page of its own."""
    error = _("That was too many in a short time. Please wait a minute and try again.")
    if request.htmx:
        response = render(request, "assembly/flash.html", {"error": error}, status=429)
    else:
        context = {"why": error, "back": back}
        response = render(request, "assembly/too_fast.html", context, status=429)
    response["Retry-After"] = str(rate.window)
    return response


def per_person(scope: str, rate: throttle.Rate) -> Callable[[View], View]:
    """Refuse a person's taps in a meeting beyond `rate` (the view takes `meeting_id`)."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def limited(request: Request, meeting_id: int, *args, **kwargs) -> HttpResponse:
            if not throttle.spend(scope, person(request, meeting_id), rate):
                back = reverse("assembly:meeting-room", args=[meeting_id])
                return too_fast(request, rate, back)
            return view(request, meeting_id, *args, **kwargs)

        return limited

    return decorator


def guest_may_knock(request: Request) -> bool:
    """Count a guest's join; False once this browser or this address has knocked too often."""
    by_address = throttle.spend("guest-join", throttle.client(request), GUEST_JOINS_PER_ADDRESS)
    # The session's key changes with every join (session fixation), so the browser is known by
    # a random name its session keeps; a script that drops its cookies meets the address limit.
    browser = request.session.setdefault("browser", secrets.token_hex(8))
    by_browser = throttle.spend("guest-join", f"browser:{browser}", GUEST_JOINS_PER_BROWSER)
    return by_address and by_browser
