"""The app's own answers when a request is refused or fails: a translated page, or for htmx the
message in the page's banner (never Django's bare English error page in the middle of a room)."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from assembly.views.http import Request


def _refused(
    request: Request, template: str, heading: str, message: str, status: int
) -> HttpResponse:
    if getattr(request, "htmx", False):
        # Only the banner changes: a refusal must not swap its text into the form's target.
        html = render_to_string("assembly/flash.html", {"error": message, "oob": True})
        response = HttpResponse(html, status=status)
        response["HX-Reswap"] = "none"
        return response
    return render(request, template, {"heading": heading, "message": message}, status=status)


def forbidden(request: Request, exception: Exception | None = None) -> HttpResponse:
    message = _("You can't do that here. If you think you should, ask the meeting's facilitator.")
    return _refused(request, "403.html", _("Not allowed"), message, 403)


def not_found(request: Request, exception: Exception | None = None) -> HttpResponse:
    message = _("That isn't here any more: the link may be old, or it was removed.")
    return _refused(request, "404.html", _("Not found"), message, 404)


def csrf_failure(request: Request, reason: str = "") -> HttpResponse:
    message = _("That didn't go through: this page had expired. Reload the page and try again.")
    return _refused(request, "403_csrf.html", _("Please try again"), message, 403)


def server_error(request: Request) -> HttpResponse:
    # Rendered without the request's context: whatever failed (the database, a context
    # processor) must not fail this page too.
    return HttpResponseServerError(loader.get_template("500.html").render())
