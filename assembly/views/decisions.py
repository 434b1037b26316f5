"""Decision rounds: the facilitator prepares, opens and closes them; people vote."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_POST

from assembly import actions
from assembly.live.parts import Audience, Part
from assembly.live.render import render_parts, render_personal
from assembly.models import Attendee, Decision
from assembly.permissions import Action, meeting_access
from assembly.views import limits
from assembly.views.replies import REFUSED, flash, row_id, run


def _ballot(request: HttpRequest) -> dict:
    """The ballot as the form sent it; the action checks it against the decision."""
    ranks = [value for value in request.POST.getlist("rank") if value]
    return {
        "vote": request.POST.get("vote"),
        "response": request.POST.get("response"),
        "options": ranks or request.POST.getlist("option"),
    }


@require_POST
@login_required
def create(request: HttpRequest, meeting_id: int) -> HttpResponse:
    post = request.POST
    try:
        seats = int(post.get("seats") or 1)
    except ValueError:
        seats = 0
    return run(
        request,
        meeting_id,
        lambda m: actions.decisions.create(
            meeting=m,
            by=request.user,
            question=post.get("question", ""),
            question_translation=post.get("question_translation", ""),
            method=post.get("method", ""),
            options=post.get("options", "").splitlines(),
            secret=post.get("secret") == "1",
            seats=seats,
            threshold=post.get("threshold", "majority"),
            base=post.get("base", "cast"),
            fallback_threshold=post.get("fallback_threshold", ""),
            count_rule=post.get("count_rule", "rctab"),
        ),
    )


@require_POST
@login_required
def open_round(request: HttpRequest, meeting_id: int, decision_id: int) -> HttpResponse:
    override = request.POST.get("override_quorum") == "1"
    return run(
        request,
        meeting_id,
        lambda m: actions.decisions.open_round(
            meeting=m, decision_id=decision_id, by=request.user, override_quorum=override
        ),
    )


@require_POST
@login_required
def close(request: HttpRequest, meeting_id: int, decision_id: int) -> HttpResponse:
    return run(
        request,
        meeting_id,
        lambda m: actions.decisions.close(meeting=m, decision_id=decision_id, by=request.user),
    )


@require_POST
@login_required
def fallback(request: HttpRequest, meeting_id: int, decision_id: int) -> HttpResponse:
    return run(
        request,
        meeting_id,
        lambda m: actions.decisions.start_fallback(
            meeting=m, decision_id=decision_id, by=request.user
        ),
    )


@require_POST
@login_required
def hold_again(request: HttpRequest, meeting_id: int, decision_id: int) -> HttpResponse:
    return run(
        request,
        meeting_id,
        lambda m: actions.decisions.hold_again(meeting=m, decision_id=decision_id, by=request.user),
    )


@require_POST
def contest(request: HttpRequest, meeting_id: int, decision_id: int) -> HttpResponse:
    """A member says the vote the secretary recorded for them was not theirs."""
    room = meeting_access(request, meeting_id, Action.TAKE_PART)
    error = None
    try:
        if room.attendee is None:
            raise actions.ActionError(gettext("You need to be admitted to the meeting first."))
        actions.decisions.contest_assisted(attendee=room.attendee, decision_id=decision_id)
    except actions.ActionError as refused:
        error = str(refused)
    return _vote_answer(request, room, error)


@require_POST
@limits.per_person("ballots", limits.BALLOTS)
def vote(request: HttpRequest, meeting_id: int, decision_id: int) -> HttpResponse:
    """Cast one's own ballot; a secret ballot is shown back for review before it is cast."""
    room = meeting_access(request, meeting_id, Action.TAKE_PART)
    decision = Decision.objects.filter(meeting=room.meeting, pk=decision_id).first()
    ballot = _ballot(request)
    for_member = None
    if request.POST.get("for_membership") and room.attendee is not None:
        # Only a proxy this person carries; anything else is refused by the action below.
        for_member = (
            room.attendee.proxies_held.filter(
                absent_member_id=row_id(request.POST["for_membership"])
            )
            .select_related("absent_member")
            .first()
        )
        if for_member is None:
            return _vote_answer(request, room, gettext("You don't hold that member's proxy."))
        for_member = for_member.absent_member
    if decision is not None and decision.secret and request.POST.get("confirm") != "1":
        context = {
            "meeting": room.meeting,
            "decision": decision,
            "for_member": for_member,
            "ballot": ballot,
            "labels": {str(o.pk): o.label for o in decision.options.all()},
        }
        template = "assembly/room/ballot_review.html"
        if request.htmx:
            return render(request, template, context)
        return render(request, "assembly/room/ballot_review_page.html", context)
    # A phone that lost the answer to its ballot sends it again with the same operation key:
    # it gets the answer it missed, and the ballot is not cast twice (nor refused as a repeat).
    done_key = _operation_key(request, room, decision_id)
    if done_key and cache.get(done_key):
        return _vote_answer(request, room, None)
    error = None
    try:
        actions.decisions.cast(
            decision_id=decision_id,
            attendee=room.attendee,
            choice=ballot,
            for_membership_id=for_member.pk if for_member else None,
        )
    except actions.ActionError as refused:
        error = str(refused)
    else:
        if done_key:
            cache.set(done_key, True, timeout=OPERATION_MEMORY)
    return _vote_answer(request, room, error)


OPERATION_MEMORY = 30 * 60  # seconds a ballot's operation key is remembered
_OPERATION = re.compile(r"[A-Za-z0-9-]{8,64}")


def _operation_key(request: HttpRequest, room, decision_id: int) -> str | None:
    """The cache key of this ballot's operation, from the phone's random `op` (if any). It says
    that a ballot went through, never what it held."""
    op = request.POST.get("op", "")
    if room.attendee is None or not _OPERATION.fullmatch(op):
        return None
    return f"op:{room.attendee.pk}:{decision_id}:{op}"


def _vote_answer(request: HttpRequest, room, error: str | None) -> HttpResponse:
    """The answer to a vote: the person's own part again, and the error if it was refused."""
    meeting_id = room.meeting.pk
    language = get_language()
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("assembly:meeting-room", meeting_id=meeting_id)
    # Fresh, with its meeting in the same query: the ballot just changed both.
    attendee = Attendee.objects.select_related("meeting__current_item", "meeting__organization")
    attendee = attendee.get(pk=room.attendee.pk)
    html = render_personal(attendee, language)
    html += render_parts(attendee.meeting, Audience.PARTICIPANT, (Part.TURNOUT,), language)
    html += render_to_string("assembly/room/ballot_review_empty.html")
    return HttpResponse(html + flash(error), status=REFUSED if error else 200)


@require_POST
@login_required
def assisted_vote(request: HttpRequest, meeting_id: int, decision_id: int) -> HttpResponse:
    """The secretary records the vote of a present member who has no device."""
    room = meeting_access(request, meeting_id, Action.MANAGE_ATTENDANCE)
    attendee = room.meeting.attendees.filter(pk=row_id(request.POST.get("attendee"))).first()
    try:
        if attendee is None:
            raise actions.ActionError(gettext("That person is not in this meeting."))
        actions.decisions.cast(
            decision_id=decision_id,
            attendee=attendee,
            choice=_ballot(request),
            assisted_by=request.user,
            asked_in_person=request.POST.get("asked_in_person") == "1",
        )
    except actions.ActionError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            gettext("The vote of %(name)s is recorded.") % {"name": attendee.display_name},
        )
    return redirect("assembly:meeting-attendance", meeting_id=meeting_id)
