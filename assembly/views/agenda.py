"""Planning a meeting: creating it, its settings, and the agenda editor (order, parking lot).

Plain POST forms that answer with a redirect (back to the item that changed), so every control
works from a keyboard and without script; the console's quick "add an item" also speaks htmx.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assembly.actions import ActionError
from assembly.actions import agenda as agenda_actions
from assembly.forms.agenda import (
    AgendaItemForm,
    MeetingForm,
    MoveForm,
    NewMeetingForm,
    QuickItemForm,
)
from assembly.models import AgendaItem, Meeting
from assembly.permissions import Access, Action, get_organization, may, meeting_access
from assembly.views.http import MemberRequest, Request
from assembly.views.replies import INVALID, console_parts, flash


def _access(request: Request, meeting_id: int) -> Access:
    return meeting_access(request, meeting_id, Action.EDIT_AGENDA)


def _agenda_url(meeting: Meeting, item: AgendaItem | None = None) -> str:
    url = reverse("assembly:agenda", kwargs={"meeting_id": meeting.pk})
    return f"{url}#item-{item.pk}" if item is not None else url


def _editor(
    request: Request,
    access: Access,
    *,
    item_form: AgendaItemForm | None = None,
    settings_form: MeetingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    meeting = access.meeting
    items = list(meeting.items.select_related("minutes_of").order_by("position", "id"))
    agenda = [item for item in items if not item.parked]
    context: dict[str, Any] = {
        "meeting": meeting,
        "agenda": agenda,
        "parked_items": [item for item in items if item.parked],
        "planned_minutes": sum(item.timebox_minutes for item in agenda),
        "editable": meeting.status not in agenda_actions.CLOSED,
        "may_run": may(access.membership, Action.RUN_MEETING),
        "item_form": item_form or AgendaItemForm(meeting=meeting),
        "settings_form": settings_form or MeetingForm(instance=meeting, auto_id=SETTINGS_IDS),
    }
    return render(request, "assembly/agenda/editor.html", context, status=status)


# The settings form shares the page with the new-item form; both have a "title", so its ids differ
# (a <label for> reaches only the first element with an id).
SETTINGS_IDS = "meeting_%s"


def _refused(request: Request, meeting: Meeting, error: ActionError) -> HttpResponseRedirect:
    messages.error(request, str(error))
    return redirect(_agenda_url(meeting))


@require_http_methods(["GET", "POST"])
@login_required
def new_meeting(request: MemberRequest, slug: str) -> HttpResponse:
    membership = get_organization(request.user, slug, Action.CREATE_MEETING)
    organization = membership.organization
    form = NewMeetingForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        meeting = agenda_actions.create_meeting(
            organization=organization,
            by=request.user,
            settings=form.settings(),
            copy_agenda_from=form.cleaned_data["copy_agenda_from"],
        )
        messages.success(request, _("The meeting is scheduled. Now plan its agenda."))
        return redirect(_agenda_url(meeting))
    status = INVALID if request.method == "POST" else 200
    context = {"organization": organization, "form": form}
    return render(request, "assembly/agenda/new_meeting.html", context, status=status)


@require_http_methods(["GET"])
@login_required
def editor(request: MemberRequest, meeting_id: int) -> HttpResponse:
    return _editor(request, _access(request, meeting_id))


@require_POST
@login_required
def edit_settings(request: MemberRequest, meeting_id: int) -> HttpResponse:
    access = _access(request, meeting_id)
    meeting = access.meeting
    form = MeetingForm(
        request.POST, instance=Meeting.objects.get(pk=meeting.pk), auto_id=SETTINGS_IDS
    )
    if not form.is_valid():
        return _editor(request, access, settings_form=form, status=INVALID)
    try:
        agenda_actions.update_settings(meeting=meeting, by=request.user, settings=form.settings())
    except ActionError as refused:
        return _refused(request, meeting, refused)
    messages.success(request, _("Meeting settings saved."))
    return redirect(_agenda_url(meeting))


@require_POST
@login_required
def add_item(request: MemberRequest, meeting_id: int) -> HttpResponse:
    access = _access(request, meeting_id)
    meeting = access.meeting
    form = AgendaItemForm(request.POST, meeting=meeting)
    if not form.is_valid():
        return _editor(request, access, item_form=form, status=INVALID)
    try:
        item = agenda_actions.add_item(meeting=meeting, by=request.user, values=form.values())
    except ActionError as refused:
        return _refused(request, meeting, refused)
    messages.success(request, _("Added “%(title)s” to the agenda.") % {"title": item.title})
    return redirect(_agenda_url(meeting, item))


@require_http_methods(["GET", "POST"])
@login_required
def edit_item(request: MemberRequest, meeting_id: int, item_id: int) -> HttpResponse:
    meeting = _access(request, meeting_id).meeting
    # The meeting's own items only: another meeting's id is simply not found.
    item = get_object_or_404(meeting.items, pk=item_id)
    form = AgendaItemForm(request.POST or None, instance=item, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            item = agenda_actions.edit_item(
                meeting=meeting, by=request.user, item_id=item.pk, values=form.values()
            )
        except ActionError as refused:
            return _refused(request, meeting, refused)
        messages.success(request, _("Saved “%(title)s”.") % {"title": item.title})
        return redirect(_agenda_url(meeting, item))
    context = {
        "meeting": meeting,
        "item": AgendaItem.objects.get(pk=item.pk),  # as saved, whatever the form holds
        "form": form,
        "editable": meeting.status not in agenda_actions.CLOSED,
    }
    status = INVALID if request.method == "POST" else 200
    return render(request, "assembly/agenda/item_form.html", context, status=status)


@require_POST
@login_required
def delete_item(request: MemberRequest, meeting_id: int, item_id: int) -> HttpResponse:
    meeting = _access(request, meeting_id).meeting
    item = get_object_or_404(meeting.items, pk=item_id)
    try:
        agenda_actions.delete_item(meeting=meeting, by=request.user, item_id=item.pk)
    except ActionError as refused:
        messages.error(request, str(refused))
        return redirect(_agenda_url(meeting, item))
    messages.success(request, _("Deleted “%(title)s”.") % {"title": item.title})
    return redirect(_agenda_url(meeting))


@require_POST
@login_required
def move_item(request: MemberRequest, meeting_id: int, item_id: int) -> HttpResponse:
    meeting = _access(request, meeting_id).meeting
    item = get_object_or_404(meeting.items, pk=item_id)
    form = MoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ActionError(_("Move an item up or down."))
        agenda_actions.move_item(
            meeting=meeting,
            by=request.user,
            item_id=item.pk,
            direction=form.cleaned_data["direction"],
        )
    except ActionError as refused:
        messages.error(request, str(refused))
    return redirect(_agenda_url(meeting, item))


@require_POST
@login_required
def park_item(request: MemberRequest, meeting_id: int, item_id: int) -> HttpResponse:
    meeting = _access(request, meeting_id).meeting
    item = get_object_or_404(meeting.items, pk=item_id)
    try:
        agenda_actions.park_item(meeting=meeting, by=request.user, item_id=item.pk)
    except ActionError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("“%(title)s” is in the parking lot.") % {"title": item.title})
    return redirect(_agenda_url(meeting, item))


@require_POST
@login_required
def restore_item(request: MemberRequest, meeting_id: int, item_id: int) -> HttpResponse:
    meeting = _access(request, meeting_id).meeting
    item = get_object_or_404(meeting.items, pk=item_id)
    try:
        agenda_actions.restore_item(meeting=meeting, by=request.user, item_id=item.pk)
    except ActionError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _("“%(title)s” is back, at the end of the agenda.") % {"title": item.title},
        )
    return redirect(_agenda_url(meeting, item))


@require_POST
@login_required
def quick_add(request: MemberRequest, meeting_id: int) -> HttpResponse:
    """The console's "add an item": right after the open item, for everyone at once."""
    meeting = _access(request, meeting_id).meeting
    form = QuickItemForm(request.POST, meeting=meeting)
    error = None
    added = None
    if form.is_valid():
        try:
            added = agenda_actions.add_item(
                meeting=meeting, by=request.user, values=form.values(), after_current=True
            )
        except ActionError as refused:
            error = str(refused)
    if not request.htmx:
        if added is not None:
            messages.success(request, _("Added “%(title)s”.") % {"title": added.title})
            return redirect("assembly:meeting-console", meeting_id=meeting.pk)
        if error:
            messages.error(request, error)
        context = {"meeting": meeting, "quick_form": form, "quick_open": True}
        return render(request, "assembly/agenda/quick_add_page.html", context, status=INVALID)
    parts = console_parts(meeting)
    # A fresh, empty form after success; the person's input and what to fix otherwise.
    block = render(
        request,
        "assembly/agenda/quick_add.html",
        {"meeting": meeting, "quick_form": None if added else form, "quick_open": True},
    ).content.decode()
    if added is not None:
        note = flash(notice=_("Added “%(title)s”.") % {"title": added.title})
    else:
        note = flash(error or _("The item was not added; see the form."))
    status = 200 if added is not None else INVALID
    return HttpResponse(block + parts + note, status=status)
