"""The minutes: the secretary's draft with a notes box under each item, saved as it is typed;
the published page members read; the same as Markdown for a newsletter or the office wall."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assembly import actions, minutes
from assembly.models import Meeting
from assembly.permissions import Action, may, meeting_access
from assembly.views.replies import REFUSED


def _readable(request: HttpRequest, meeting_id: int):
    """The meeting, if this person may read its minutes now; and whether they may write them."""
    room = meeting_access(request, meeting_id, Action.READ_MINUTES)
    writer = may(room.membership, Action.WRITE_MINUTES)
    if not writer and room.meeting.status != Meeting.Status.PUBLISHED:
        raise PermissionDenied(_("The minutes of this meeting are not published yet."))
    return room.meeting, writer


@require_GET
@login_required
def page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting, writer = _readable(request, meeting_id)
    context = {
        "meeting": meeting,
        "minutes": minutes.build(meeting),
        "writer": writer,
        "draft": meeting.status != Meeting.Status.PUBLISHED,
        "may_publish": writer and meeting.status == Meeting.Status.ADJOURNED,
    }
    return render(request, "assembly/minutes/page.html", context)


@require_GET
@login_required
def markdown(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting, _writer = _readable(request, meeting_id)
    record = minutes.build(meeting)
    text = render_to_string("assembly/minutes/minutes.md", {"meeting": meeting, "minutes": record})
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    when = formats.date_format(timezone.localtime(meeting.started_at or timezone.now()), "Y-m-d")
    name = f"{slugify(record.title) or 'minutes'}-{when}.md"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@login_required
def save_notes(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    """Autosave from the draft (htmx): answers with the item's save status only."""
    meeting = meeting_access(request, meeting_id, Action.WRITE_MINUTES).meeting
    error = None
    try:
        actions.minutes.save_notes(
            meeting=meeting, item_id=item_id, text=request.POST.get("notes", ""), by=request.user
        )
    except actions.ActionError as refused:
        error = str(refused)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("assembly:minutes", meeting_id=meeting.pk)
    context = {"item_id": item_id, "error": error, "saved_at": timezone.now()}
    html = render_to_string("assembly/minutes/saved.html", context, request=request)
    return HttpResponse(html, status=REFUSED if error else 200)


@require_POST
@login_required
def publish(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_access(request, meeting_id, Action.WRITE_MINUTES).meeting
    try:
        actions.minutes.publish(meeting=meeting, by=request.user)
    except actions.ActionError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The minutes are published. Members can read them now."))
    return redirect("assembly:minutes", meeting_id=meeting.pk)
