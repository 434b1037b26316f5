"""The request as the views receive it, typed: django-htmx's details are on every request
(HtmxMiddleware), and behind @login_required the user is a signed-in User."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from assembly.models import User


class Request(HttpRequest):
    htmx: HtmxDetails


class MemberRequest(Request):
    """A request to a view behind @login_required."""

    user: User
