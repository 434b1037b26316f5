"""Decision rounds: the facilitator prepares, opens and closes them; people vote."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_POST

from assembly import actions
from assembly.ballot_box import OPERATION_MEMORY, operation_key
from assembly.forms.decisions import (
    AssistedBallotForm,
    BallotForm,
    DecisionForm,
    OpenRoundForm,
)
from assembly.live.parts import Audience, Part
from assembly.live.render import render_personal, render_reply
from assembly.models import Attendee, Decision
from assembly.permissions import Access, Action, meeting_access
from assembly.views import limits
from assembly.views.http import MemberRequest, Request
from assembly.views.replies import INVALID, REFUSED, flash, form_errors, row_id, run
from assembly.views.rooms import room_page


@require_POST
@login_required
def create(request: MemberRequest, meeting_id: int) -> HttpResponse:
    form = DecisionForm(request.POST)
    if not request.htmx:
        # The console's form posts as a page: a mistake shows the console again, the form open
        # with what was typed and what to fix (a redirect would lose it).
        room = meeting_access(request, meeting_id, Action.RUN_MEETING)
        if not form.is_valid():
            return room_page(request, room, "facilitator", status=INVALID, decision_form=form)
    return run(
        request,
        meeting_id,
        lambda m: actions.decisions.create(meeting=m, by=request.user, **form.cleaned_data),
        form=form,
    )


@require_POST
@login_required
def open_round(request: MemberRequest, meeting_id: int, decision_id: int) -> HttpResponse:
    form = OpenRoundForm(request.POST)
    return run(
        request,
        meeting_id,
        lambda m: actions.decisions.open_round(
            meeting=m, decision_id=decision_id, by=request.user, **form.cleaned_data
        ),
        form=form,
    )


@require_POST
@login_required
def close(request: MemberRequest, meeting_id: int, decision_id: int) -> HttpResponse:
    return run(
        request,
        meeting_id,
        lambda m: actions.decisions.close(meeting=m, decision_id=decision_id, by=request.user),
    )


@require_POST
@login_required
def fallback(request: MemberRequest, meeting_id: int, decision_id: int) -> HttpResponse:
    return run(
        request,
        meeting_id,
        lambda m: actions.decisions.start_fallback(
            meeting=m, decision_id=decision_id, by=request.user
        ),
    )


@require_POST
@login_required
def show_round(request: MemberRequest, meeting_id: int, decision_id: int) -> HttpResponse:
    """Previous round, next round, whole count: the room follows the console."""
    chosen = request.POST.get("round", "")
    return run(
        request,
        meeting_id,
        lambda m: actions.decisions.show_round(
            meeting=m,
            decision_id=decision_id,
            round_number=row_id(chosen) if chosen else None,
            by=request.user,
        ),
    )


@require_POST
@login_required
def draw_lot(request: MemberRequest, meeting_id: int, decision_id: int) -> HttpResponse:
    """A count paused at a tie: the facilitator draws the lot on the console."""
    return run(
        request,
        meeting_id,
        lambda m: actions.decisions.draw_lot(meeting=m, decision_id=decision_id, by=request.user),
    )


@require_POST
@login_required
def hold_again(request: MemberRequest, meeting_id: int, decision_id: int) -> HttpResponse:
    return run(
        request,
        meeting_id,
        lambda m: actions.decisions.hold_again(meeting=m, decision_id=decision_id, by=request.user),
    )


@require_POST
def contest(request: Request, meeting_id: int, decision_id: int) -> HttpResponse:
    """A member says the vote the secretary recorded for them was not theirs."""
    room = meeting_access(request, meeting_id, Action.TAKE_PART)
    error = notice = None
    try:
        if room.attendee is None:
            raise actions.ActionError(gettext("You need to be admitted to the meeting first."))
        withdrawn = actions.decisions.contest_assisted(
            attendee=room.attendee, decision_id=decision_id
        )
    except actions.ActionError as refused:
        error = str(refused)
    else:
        notice = (
            gettext("The vote recorded for you is withdrawn: you can cast your own now.")
            if withdrawn
            else gettext("Noted: the result and the minutes mark that vote as contested.")
        )
    return _vote_answer(request, room, error, notice=notice)


@require_POST
@limits.per_person("ballots", limits.BALLOTS)
def vote(request: Request, meeting_id: int, decision_id: int) -> HttpResponse:
    """Cast one's own ballot; a secret ballot is shown back for review before it is cast."""
    room = meeting_access(request, meeting_id, Action.TAKE_PART)
    voter = room.attendee
    assert voter is not None  # TAKE_PART is granted only to someone present
    decision = Decision.objects.filter(meeting=room.meeting, pk=decision_id).first()
    if decision is None:
        return _vote_answer(request, room, gettext("That decision is not part of this meeting."))
    form = BallotForm(request.POST, decision=decision, voter=voter)
    if not form.is_valid():
        return _vote_answer(request, room, form_errors(form), status=INVALID)
    for_member = form.cleaned_data["for_membership"]
    if decision.secret and not form.cleaned_data["confirm"]:
        context = {
            "meeting": room.meeting,
            "decision": decision,
            "for_member": for_member,
            "ballot": form.choice,
            "picked": form.picked(),
        }
        template = "assembly/room/ballot_review.html"
        if request.htmx:
            return render(request, template, context)
        return render(request, "assembly/room/ballot_review_page.html", context)
    # A phone that lost the answer to its ballot sends it again with the same operation key:
    # it gets the answer it missed, and the ballot is not cast twice (nor refused as a repeat).
    done_key = _operation_key(room, decision_id, form.cleaned_data["op"])
    if done_key and cache.get(done_key):
        return _vote_answer(request, room, None)
    error = None
    try:
        actions.decisions.cast(
            decision_id=decision_id,
            attendee=voter,
            choice=form.choice,
            for_membership_id=for_member.pk if for_member else None,
        )
    except actions.ActionError as refused:
        error = str(refused)
    else:
        if done_key:
            cache.set(done_key, True, timeout=OPERATION_MEMORY)
    return _vote_answer(request, room, error)


def _operation_key(room: Access, decision_id: int, op: str) -> str | None:
    return operation_key(room.attendee.pk, decision_id, op) if room.attendee else None


def _vote_answer(
    request: Request,
    room: Access,
    error: str | None,
    *,
    status: int = REFUSED,
    notice: str | None = None,
) -> HttpResponse:
    """The answer to a vote: the person's own part again, and the error if it was refused."""
    meeting_id = room.meeting.pk
    language = get_language()
    if not request.htmx:
        if error:
            messages.error(request, error)
        elif notice:
            messages.success(request, notice)
        return redirect("assembly:meeting-room", meeting_id=meeting_id)
    # Fresh, with its meeting in the same query: the ballot just changed both.
    assert room.attendee is not None  # TAKE_PART is granted only to someone present
    attendee = Attendee.objects.select_related(
        "meeting__current_item", "meeting__organization"
    ).get(pk=room.attendee.pk)
    html = render_personal(attendee, language)
    html += render_reply(attendee.meeting, Audience.PARTICIPANT, (Part.TURNOUT,), language)
    html += render_to_string("assembly/room/ballot_review_empty.html")
    return HttpResponse(html + flash(error, notice=notice), status=status if error else 200)


@require_POST
@login_required
def assisted_vote(request: MemberRequest, meeting_id: int, decision_id: int) -> HttpResponse:
    """The secretary records the vote of a present member who has no device."""
    room = meeting_access(request, meeting_id, Action.MANAGE_ATTENDANCE)
    back = redirect("assembly:meeting-attendance", meeting_id=meeting_id)
    decision = room.meeting.decisions.filter(pk=decision_id).first()
    if decision is None:
        messages.error(request, gettext("That decision is not part of this meeting."))
        return back
    form = AssistedBallotForm(request.POST, decision=decision)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return back
    attendee = form.cleaned_data["attendee"]
    try:
        actions.decisions.cast(
            decision_id=decision_id,
            attendee=attendee,
            choice=form.choice,
            assisted_by=request.user,
            asked_in_person=form.cleaned_data["asked_in_person"],
        )
    except actions.ActionError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            gettext("The vote of %(name)s is recorded.") % {"name": attendee.display_name},
        )
    return back
