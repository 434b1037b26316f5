"""Proposals from the floor: proposing and amending from a phone, the facilitator's controls."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_POST

from assembly import actions
from assembly.live.parts import Audience, Part
from assembly.live.render import render_personal, render_reply
from assembly.models import Amendment, Attendee, Meeting, Proposal
from assembly.permissions import Access, Action, may, meeting_access, proposer_or_runner
from assembly.views import limits
from assembly.views.http import MemberRequest, Request
from assembly.views.replies import (
    INVALID,
    REFUSED,
    console_parts,
    flash,
    local_url,
    row_id,
    run,
)

FORM_FIELDS = ("title", "text", "title_translation", "text_translation", "proposer_name")


def propose_form_context(meeting: Meeting, access: Access | None, *, for_others: bool) -> dict:
    """What the propose form needs: who may use it, and where it posts."""
    may = for_others
    refused = ""
    if not for_others and access is not None and access.attendee is not None:
        attendee = access.attendee
        if attendee.kind == Attendee.Kind.GUEST and not meeting.organization.guests_may_propose:
            refused = gettext("In this assembly, only members can make proposals.")
        elif attendee.is_present and (
            access.membership is None or access.membership.role != "observer"
        ):
            may = True
    name = "assembly:proposal-submit-for" if for_others else "assembly:proposal-submit"
    return {
        "meeting": meeting,
        "may_propose": may,
        "propose_refused": refused,
        "propose_url": reverse(name, args=[meeting.pk]),
        "for_others": for_others,
        "values": {},
    }


def _form_reply(
    request: Request,
    access: Access,
    *,
    for_others: bool,
    error: str | None,
    extra: str = "",
) -> HttpResponse:
    context = propose_form_context(access.meeting, access, for_others=for_others)
    if error:
        context.update(
            form_errors=error,
            values={
                **{name: request.POST.get(name, "") for name in FORM_FIELDS},
                "where": request.POST.get("where", ""),
                "anonymous": request.POST.get("anonymous") == "1",
            },
        )
    elif for_others:
        context["notice"] = gettext("The proposal is in the queue.")
    else:
        context["notice"] = gettext("Your proposal was sent to the facilitator.")
    html = render_to_string("assembly/room/propose_form.html", context, request=request)
    return HttpResponse(html + extra, status=INVALID if error else 200)


def _proposal_fields(request: Request) -> dict:
    post = request.POST
    return {
        "title": post.get("title", ""),
        "text": post.get("text", ""),
        "title_translation": post.get("title_translation", ""),
        "text_translation": post.get("text_translation", ""),
        "named": post.get("anonymous") != "1",
        "new_business": post.get("where") == "new",
    }


@require_POST
@limits.per_person("proposals", limits.HANDS)
def submit(request: Request, meeting_id: int) -> HttpResponse:
    """A participant proposes from their phone."""
    access = meeting_access(request, meeting_id, Action.PROPOSE)
    error = None
    try:
        if access.attendee is None:
            raise actions.ActionError(gettext("You need to be admitted to the meeting first."))
        actions.proposals.submit(attendee=access.attendee, **_proposal_fields(request))
    except actions.ActionError as refused:
        error = str(refused)
    if not request.htmx:
        _message(request, error, gettext("Your proposal was sent to the facilitator."))
        return redirect("assembly:meeting-room", meeting_id=meeting_id)
    extra = ""
    if error is None:
        assert access.attendee is not None  # else the action was refused
        attendee = Attendee.objects.select_related("meeting__current_item", "meeting__organization")
        extra = render_personal(attendee.get(pk=access.attendee.pk), get_language())
    return _form_reply(request, access, for_others=False, error=error, extra=extra)


@require_POST
@login_required
def submit_for(request: MemberRequest, meeting_id: int) -> HttpResponse:
    """A facilitator or secretary enters a proposal for someone."""
    access = meeting_access(request, meeting_id, Action.PROPOSE_FOR_OTHERS)
    error = None
    try:
        actions.proposals.submit_for(
            meeting=access.meeting,
            by=request.user,
            proposer_name=request.POST.get("proposer_name", ""),
            **_proposal_fields(request),
        )
    except actions.ActionError as refused:
        error = str(refused)
    runs = may(access.membership, Action.RUN_MEETING)
    if not request.htmx:
        _message(request, error, gettext("The proposal is in the queue."))
        back = local_url(request, request.POST.get("next", ""))
        return redirect(back or reverse("assembly:meeting-console", args=[meeting_id]))
    # The console's queue gains it at once; the secretary's attendance page has no queue.
    return _form_reply(
        request,
        access,
        for_others=True,
        error=error,
        extra=console_parts(access.meeting) if runs and not error else "",
    )


def _message(request: Request, error: str | None, notice: str) -> None:
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)


def _phone_reply(
    request: Request, meeting_id: int, attendee: Attendee, error: str | None, notice: str
) -> HttpResponse:
    """The answer to a participant's own proposal action: their parts, the proposal, a note."""
    if not request.htmx:
        _message(request, error, notice)
        return redirect("assembly:meeting-room", meeting_id=meeting_id)
    language = get_language()
    meeting = Meeting.objects.select_related("current_item", "organization").get(pk=meeting_id)
    html = "" if error else render_reply(meeting, Audience.PARTICIPANT, (Part.PROPOSAL,), language)
    attendee.refresh_from_db()
    html += render_personal(attendee, language)
    return HttpResponse(
        html + flash(error, notice=None if error else notice),
        status=REFUSED if error else 200,
    )


@require_POST
@limits.per_person("proposals", limits.HANDS)
def amend(request: Request, meeting_id: int, proposal_id: int) -> HttpResponse:
    """Anyone taking part proposes a change to the text on the floor."""
    access = meeting_access(request, meeting_id, Action.TAKE_PART)
    attendee = access.attendee
    assert attendee is not None  # TAKE_PART is granted only to someone present
    error = None
    try:
        actions.proposals.amend(
            attendee=attendee,
            proposal_id=proposal_id,
            text=request.POST.get("text", ""),
            against=row_id(request.POST.get("against")),
            named=request.POST.get("anonymous") != "1",
            text_translation=request.POST.get("text_translation", ""),
        )
    except actions.ActionError as refused:
        error = str(refused)
    notice = gettext("Your change was sent: the proposer can accept it.")
    return _phone_reply(request, meeting_id, attendee, error, notice)


def _by_proposer_or_runner(
    request: Request, meeting_id: int, proposal: Callable[[Meeting], Proposal | None], act
) -> HttpResponse:
    """An action the proposer takes from their phone, or the facilitator from the console."""
    access = meeting_access(request, meeting_id, Action.VIEW_ROOM)
    found = proposal(access.meeting)
    if found is None:
        raise Http404
    console = reverse("assembly:meeting-console", args=[meeting_id])
    from_console = bool(request.htmx) and console in (request.htmx.current_url or "")
    if proposer_or_runner(access, found.proposer_id, from_console=from_console):
        return run(request, meeting_id, lambda m: act(m, None, request.user))
    attendee = access.attendee
    assert attendee is not None  # proposer_or_runner: the proposer, present
    error = None
    try:
        act(access.meeting, attendee, None)
    except actions.ActionError as refused:
        error = str(refused)
    return _phone_reply(request, meeting_id, attendee, error, gettext("Done."))


@require_POST
def answer(request: Request, meeting_id: int, amendment_id: int) -> HttpResponse:
    accept = request.POST.get("accept") == "1"
    reason = request.POST.get("reason", "")

    def amendment_of(meeting: Meeting) -> Proposal | None:
        found = Amendment.objects.filter(pk=amendment_id, proposal__meeting=meeting).first()
        return found.proposal if found else None

    return _by_proposer_or_runner(
        request,
        meeting_id,
        amendment_of,
        lambda m, attendee, by: actions.proposals.answer(
            meeting=m,
            amendment_id=amendment_id,
            accept=accept,
            attendee=attendee,
            by=by,
            reason=reason,
        ),
    )


@require_POST
def withdraw(request: Request, meeting_id: int, proposal_id: int) -> HttpResponse:
    return _by_proposer_or_runner(
        request,
        meeting_id,
        lambda m: m.proposals.filter(pk=proposal_id).first(),
        lambda m, attendee, by: actions.proposals.withdraw(
            meeting=m, proposal_id=proposal_id, attendee=attendee, by=by
        ),
    )


# The facilitator's controls ----------------------------------------------------------------


def _control(name: str, **read: Callable[[QueryDict], object]) -> Callable[..., HttpResponse]:
    """A console control: `actions.proposals.<name>` for the facilitator, with the row ids from
    the URL and the values `read` takes from the form."""

    @require_POST
    @login_required
    def view(request: MemberRequest, meeting_id: int, **ids: int) -> HttpResponse:
        values = {key: take(request.POST) for key, take in read.items()}
        act = getattr(actions.proposals, name)
        return run(request, meeting_id, lambda m: act(meeting=m, by=request.user, **ids, **values))

    view.__name__ = name
    return view


def _item_id(post: QueryDict) -> int | None:
    return row_id(post.get("item")) or None


bring_to_floor = _control("bring_to_floor", item_id=_item_id)
attach = _control("attach", item_id=_item_id)
decline = _control("decline", reason=lambda post: post.get("reason", ""))
stage = _control("set_stage", stage=lambda post: post.get("stage", ""))
put_to_vote = _control("put_to_vote")
consensus = _control(
    "call_for_consensus", fallback_threshold=lambda post: post.get("fallback_threshold", "")
)
refer = _control("refer", committee=lambda post: post.get("committee", ""))
table = _control("table", to_meeting_id=lambda post: row_id(post.get("meeting")))
