"""The minutes: the secretary's draft with a notes box under each item, saved as it is typed;
the published page members read; the same as Markdown for a newsletter or the office wall."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, When
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assembly import actions, minutes
from assembly.forms.minutes import ActionItemForm, DecisionLogForm
from assembly.models import ActionItem, Meeting, NotesCorrection
from assembly.permissions import Action, get_organization, may, meeting_access
from assembly.views.http import MemberRequest, Request
from assembly.views.replies import REFUSED, form_errors, row_id
from assembly.views.replies import run as run_console_action


def _readable(request: Request, meeting_id: int):
    """The meeting, if this person may read its minutes now (published, or a draft a later
    meeting's agenda puts up for approval); and whether they may write them."""
    room = meeting_access(request, meeting_id, Action.READ_MINUTES)
    writer = may(room.membership, Action.WRITE_MINUTES)
    meeting = room.meeting
    # Put to a later meeting for approval, the draft is shared with the members who vote on it
    # (marked as a draft, read-only, with its history of corrections).
    shared = meeting.status == Meeting.Status.PUBLISHED or (
        meeting.status == Meeting.Status.ADJOURNED and meeting.approval_items.exists()
    )
    if not (writer or shared):
        raise PermissionDenied(_("The minutes of this meeting are not published yet."))
    return room.meeting, writer


def _approved_in_title(meeting: Meeting) -> str:
    """The title of the meeting that approved these minutes, names withheld as in them."""
    approved_in = meeting.minutes_approved_in
    return minutes.redactor(meeting)(approved_in.title) if approved_in else ""


@require_GET
@login_required
def page(request: MemberRequest, meeting_id: int) -> HttpResponse:
    meeting, writer = _readable(request, meeting_id)
    context = {
        "meeting": meeting,
        "minutes": minutes.build(meeting),
        "writer": writer,
        "draft": meeting.status != Meeting.Status.PUBLISHED,
        "may_publish": writer and meeting.status == Meeting.Status.ADJOURNED,
        "action_form": ActionItemForm(meeting=meeting) if writer else None,
        "corrected": NotesCorrection.objects.filter(item__meeting=meeting).count(),
        "approved_in_title": _approved_in_title(meeting),
    }
    return render(request, "assembly/minutes/page.html", context)


@require_GET
@login_required
def history(request: Request, meeting_id: int) -> HttpResponse:
    """What was corrected in the draft after the meeting adjourned, by whom and when, word by
    word: the approving meeting approves knowing what changed. Read as the minutes are."""
    meeting, writer = _readable(request, meeting_id)
    context = {
        "meeting": meeting,
        "title": minutes.redactor(meeting)(meeting.title),
        "corrections": minutes.corrections(meeting),
        "writer": writer,
        "approved_in_title": _approved_in_title(meeting),
    }
    return render(request, "assembly/minutes/history.html", context)


@require_GET
@login_required
def markdown(request: Request, meeting_id: int) -> HttpResponse:
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
def save_notes(request: MemberRequest, meeting_id: int, item_id: int) -> HttpResponse:
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
def publish(request: MemberRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_access(request, meeting_id, Action.WRITE_MINUTES).meeting
    try:
        actions.minutes.publish(meeting=meeting, by=request.user)
    except actions.ActionError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The minutes are published. Members can read them now."))
    return redirect("assembly:minutes", meeting_id=meeting.pk)


@require_POST
@login_required
def add_action_item(request: MemberRequest, meeting_id: int) -> HttpResponse:
    """From the notes view: who will do what, by when, under the item being written."""
    meeting = meeting_access(request, meeting_id, Action.WRITE_MINUTES).meeting
    form = ActionItemForm(request.POST, meeting=meeting)
    item_id = form.data.get("item", "")
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        data = form.cleaned_data
        try:
            actions.minutes.add_action_item(
                meeting=meeting,
                by=request.user,
                what=data["what"],
                item_id=data["item"],
                assignee_id=data["assignee"].pk if data["assignee"] else None,
                assignee_name=data["assignee_name"],
                due=data["due"],
            )
        except actions.ActionError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("The action item is written down."))
    anchor = f"#minutes-item-{row_id(item_id)}" if row_id(item_id) else ""
    return redirect(reverse("assembly:minutes", args=[meeting.pk]) + anchor)


@require_POST
@login_required
def review_action_item(
    request: MemberRequest, meeting_id: int, action_item_id: int
) -> HttpResponse:
    """At "review action items": the facilitator marks one done, moved or dropped, live."""
    return run_console_action(
        request,
        meeting_id,
        lambda m: actions.minutes.review_action_item(
            meeting=m,
            action_item_id=action_item_id,
            outcome=request.POST.get("outcome", ""),
            by=request.user,
        ),
    )


@require_GET
@login_required
def my_action_items(request: MemberRequest, slug: str) -> HttpResponse:
    """A member's own action items in one body, open ones first."""
    me = get_organization(request.user, slug, Action.VIEW_ORGANIZATION)
    mine = (
        ActionItem.objects.filter(assignee=me)
        .select_related("meeting")
        .order_by(
            Case(
                When(status__in=[ActionItem.Status.OPEN, ActionItem.Status.MOVED], then=0),
                default=1,
            ),
            "due",
            "created_at",
        )
    )
    context = {"organization": me.organization, "action_items": mine}
    return render(request, "assembly/minutes/my_action_items.html", context)


@require_GET
@login_required
def decision_log(request: MemberRequest, slug: str) -> HttpResponse:
    """Every decision of the body across meetings, newest first; search and filters (GET)."""
    me = get_organization(request.user, slug, Action.VIEW_ORGANIZATION)
    form = DecisionLogForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    decisions = minutes.decision_log(
        me.organization_id,
        words=filters.get("q", ""),
        outcome=filters.get("outcome", ""),
        method=filters.get("method", ""),
        since=filters.get("since"),
        until=filters.get("until"),
    )
    context = {
        "organization": me.organization,
        "form": form,
        "decisions": decisions,
        "searched": bool(filters and any(filters.values())),
        "writer": may(me, Action.WRITE_MINUTES),
    }
    if request.htmx:
        return render(request, "assembly/minutes/decision_log.html#decision-list", context)
    return render(request, "assembly/minutes/decision_log.html", context)


def _title_for_reader(meeting: Meeting, record: minutes.Minutes) -> str:
    """The title in the reader's language where the meeting gave it in both (a page head has
    room for one)."""
    if meeting.bilingual and record.title_translation and get_language() != meeting.language:
        return record.title_translation
    return record.title


def _css_string(text: str) -> str:
    """Text safe inside a CSS string in a <style> element (the PDF's running heads)."""
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return " ".join(text.split())


@require_GET
@login_required
def pdf(request: MemberRequest, meeting_id: int) -> HttpResponse:
    """The minutes as a PDF made here (WeasyPrint): the same content as the page, in the
    reader's language, both languages on a bilingual meeting, numbered pages under the body's
    name. The browser's print dialog is not a record."""
    from weasyprint import HTML  # loads Pango: only when a PDF is asked for

    meeting, _writer = _readable(request, meeting_id)
    record = minutes.build(meeting)
    when = formats.date_format(timezone.localtime(meeting.started_at or timezone.now()), "Y-m-d")
    context = {
        "meeting": meeting,
        "minutes": record,
        "writer": False,  # the notes as text, no boxes or buttons
        "draft": meeting.status != Meeting.Status.PUBLISHED,
        "both_languages": meeting.bilingual,
        "running_head": _css_string(f"{_title_for_reader(meeting, record)} · {when}"),
        "page_label": _css_string(_("Page")),
        "organization_name": _css_string(meeting.organization.name),
        "approved_in_title": _approved_in_title(meeting),
    }
    html = render_to_string("assembly/minutes/pdf.html", context, request=request)
    document = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(document, content_type="application/pdf")
    name = f"{slugify(record.title) or 'minutes'}-{when}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
