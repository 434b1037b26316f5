"""Decision rounds: prepare, open (with quorum, or a minuted override), cast, close and count.

A vote, once acknowledged, is never lost or counted twice: casting locks the decision row, so a
ballot racing the close is either counted or refused with a message, and the database allows one
participation per voter (and per proxy) in each round. A secret ballot is written sealed while
its round is open and becomes a plain, unlinked ballot only at close (`assembly.sealing`).
"""

from __future__ import annotations

import logging
import random
import secrets
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assembly import counting, live, sealing, tally
from assembly.actions import minutes as minutes_actions
from assembly.actions import proposals as proposal_actions
from assembly.actions.audit import record
from assembly.actions.common import locked, locked_key
from assembly.actions.errors import ActionError
from assembly.live import Part
from assembly.models import (
    Attendee,
    Ballot,
    Decision,
    Meeting,
    Membership,
    Participation,
    Proxy,
    Role,
    SealedBallot,
    TieRule,
    User,
)
from assembly.models.rows import insert_rows

logger = logging.getLogger(__name__)

DECISION = (Part.DECISION,)
TURNOUT = (Part.TURNOUT,)
CONSENSUS_RESPONSES = tuple(Decision.Response.values)  # the older name, kept for importers


def checked_threshold(text: str, *, allow_empty: bool = False) -> str:
    """A threshold as typed, tidied, else ActionError: for the actions that take one straight
    from the request (a proposal's call for consensus); DecisionForm checks its own."""
    text = (text or "").strip()
    if not text and allow_empty:
        return ""
    try:
        tally.parse_threshold(text)
    except ValueError:
        raise ActionError(
            _(
                "The threshold must be majority, two_thirds, three_quarters, four_fifths, "
                "nine_tenths, unanimity or a fraction such as 3/5."
            )
        ) from None
    return text


@transaction.atomic(durable=True)
def create(
    *,
    meeting: Meeting,
    by: User,
    question: str,
    method: str,
    options: Sequence[str] = (),
    secret: bool = False,
    seats: int = 1,
    threshold: str = "majority",
    base: str = Decision.Base.CAST,
    fallback_threshold: str = "",
    question_translation: str = "",
    count_rule: str = Decision.CountRule.RCTAB,
) -> Decision:
    """Prepare a round under the open item. The values come cleaned (`forms.decisions.
    DecisionForm` checks and tidies what a facilitator types); this checks the room."""
    meeting = locked(meeting)
    if meeting.status in (Meeting.Status.ADJOURNED, Meeting.Status.PUBLISHED):
        raise ActionError(_("This meeting has ended."))
    _no_count_paused(meeting)
    decision = Decision.objects.create(
        meeting=meeting,
        item=meeting.current_item,
        question=question,
        question_translation=question_translation if meeting.bilingual else "",
        method=method,
        secret=secret,
        seats=seats,
        threshold=threshold,
        count_rule=count_rule,
        base=base,
        fallback_threshold=fallback_threshold,
    )
    for position, label in enumerate(options, start=1):
        decision.options.create(label=label, position=position)
    live.changed(meeting, parts=DECISION)
    return decision


def _publish_round(meeting: Meeting, *, also: Iterable[int] = ()) -> None:
    """A round opened or closed: the room sees it, and each proxy holder's own page gains or
    loses the ballots they cast for others (and `also` these people's pages)."""
    live.changed(meeting, parts=DECISION)
    holders = meeting.proxies.usable().values_list("holder_id", flat=True).distinct()
    live.publish_personal_ids([*holders, *also])


def _decision(meeting: Meeting, decision_id: int) -> Decision:
    try:
        # get(), not first(): the same row without an ORDER BY to build and run.
        return Decision.objects.select_for_update(of=("self",)).get(meeting=meeting, pk=decision_id)
    except Decision.DoesNotExist:
        raise ActionError(_("That decision is not part of this meeting.")) from None


@transaction.atomic(durable=True)
def open_round(
    *, meeting: Meeting, decision_id: int, by: User, override_quorum: bool = False
) -> Decision:
    meeting = locked(meeting)
    if not meeting.is_live:
        raise ActionError(_("The meeting is not in session."))
    decision = _decision(meeting, decision_id)
    if decision.status != Decision.Status.DRAFT:
        raise ActionError(_("This decision has already been opened."))
    if meeting.decisions.filter(status=Decision.Status.OPEN).exists():
        raise ActionError(_("Close the open decision first."))
    _no_count_paused(meeting)
    summary = meeting.attendance_summary()
    if not summary["quorum_held"]:
        if not override_quorum:
            raise ActionError(
                _(
                    "There is no quorum: %(voting)s voting members present, %(needed)s needed. "
                    "You can open it anyway; the minutes will say so."
                )
                % {"voting": summary["voting"], "needed": summary["quorum_required"]}
            )
        decision.quorum_overridden = True
        record(
            meeting=meeting,
            by=by,
            action="decision.opened_without_quorum",
            details={
                "decision": decision.pk,
                "voting": summary["voting"],
                "needed": summary["quorum_required"],
            },
        )
    decision.status = Decision.Status.OPEN
    decision.opened_at = timezone.now()
    decision.save(update_fields=["status", "opened_at", "quorum_overridden"])
    if decision.secret:
        sealing.make_key(decision.pk)
    _publish_round(meeting)
    return decision


def _clean_choice(decision: Decision, raw: dict[str, Any]) -> dict[str, Any]:
    """The ballot as stored: the decision's own rule (the ballot form asked it already; a
    caller of the action that skipped the form is refused here all the same)."""
    try:
        return decision.stored_choice(raw)
    except ValidationError as refused:
        raise ActionError(refused.messages[0]) from None


KEY_LOST = gettext_lazy(
    "This secret vote can no longer take ballots: the server restarted while it was open and "
    "the key that keeps its ballots secret was lost. Ask the facilitator to close it and hold "
    "the vote again."
)


def _seal(decision: Decision, choice: dict[str, Any]) -> bytes:
    return _seal_all(decision, [choice])[0]


def _seal_all(decision: Decision, choices: list[dict[str, Any]]) -> list[bytes]:
    if not sealing.has_key(decision.pk) and not decision.sealed.exists():
        # Nothing was sealed under a lost key, so nothing is lost: a fresh key serves.
        sealing.ensure_key(decision.pk)
    try:
        return sealing.seal_all(decision.pk, choices)
    except sealing.KeyLost:
        raise ActionError(str(KEY_LOST)) from None


@transaction.atomic(durable=True)
def cast(
    *,
    decision_id: int,
    attendee: Attendee,
    choice: dict[str, Any],
    for_membership_id: int | None = None,
    assisted_by: User | None = None,
    asked_in_person: bool = False,
) -> None:
    """Record one ballot. A second ballot for the same voter is refused (secret) or replaces
    the first (open ballots may change until the round closes)."""
    # The meeting first, then the decision: the order every action here takes, so a close
    # racing a burst of ballots waits its turn instead of deadlocking.
    meeting = locked(attendee.meeting_id)
    decision = _taking_ballots(meeting, decision_id)
    _check_voter(attendee, assisted_by=assisted_by, asked_in_person=asked_in_person)
    proxy_for = _whose_vote(decision, attendee, for_membership_id)
    stored = _clean_choice(decision, choice)
    participation = _take_part(decision, attendee, proxy_for, assisted=assisted_by is not None)
    if participation is None:
        _change_open_ballot(decision, attendee, proxy_for, stored)
    else:
        _seal_or_store(decision, participation, stored)
    if assisted_by is not None:
        # The record says that the secretary recorded a vote, never what it was.
        details = {"decision": decision.pk, "attendee": attendee.pk}
        record(meeting=meeting, by=assisted_by, action="decision.assisted_vote", details=details)
    _tell_the_room(meeting, attendee, assisted=assisted_by is not None)


@transaction.atomic(durable=True)
def cast_many(
    *,
    meeting_id: int,
    decision_id: int,
    ballots: Sequence[tuple[int, dict[str, Any]]],
    unreviewed: Collection[int] = (),
) -> list[int]:
    """Record a burst of ballots in one transaction: each a present voter's own, cast once
    (attendee id, choice as sent). The ballot box's batch (`assembly.ballot_box`): the same
    rules as `cast`, in a handful of queries for the whole burst. `unreviewed`: the attendees
    whose ballot was sent without the voter confirming its review, which a secret ballot needs
    (the ballot form shows the review first).

    Returns the attendees whose ballots were recorded. Nothing is recorded here for any other:
    a second ballot, a vote the voter's proxy holder cast, someone no longer present or without
    a vote, a choice this decision does not take, a secret ballot not reviewed, a closed round;
    each of those is for the ballot form and `cast`, one by one, which record it or refuse it
    with its reason."""
    meeting = locked_key(meeting_id)
    try:
        decision = _taking_ballots(meeting, decision_id)
    except ActionError:
        return []
    sent: dict[int, dict[str, Any]] = {}
    for attendee_id, choice in ballots:
        sent.setdefault(attendee_id, choice)  # a double tap: the first now, the next by `cast`
    if decision.secret:
        for attendee_id in unreviewed:
            sent.pop(attendee_id, None)
    voters = dict(
        Attendee.objects.filter(
            pk__in=sent, meeting=meeting, status=Attendee.Status.PRESENT, may_vote=True
        ).values_list("pk", "membership_id")
    )
    # One query for both of `_whose_vote`'s refusals: voted already, or voted for by the
    # holder of one's proxy.
    voted = decision.participations.filter(
        Q(attendee_id__in=voters, for_membership__isnull=True)
        | Q(for_membership_id__in=[m for m in voters.values() if m])
    ).values_list("attendee_id", "for_membership_id")
    own: set[int] = set()
    proxied: set[int] = set()
    for attendee_id, for_membership_id in voted:
        if for_membership_id is None:
            own.add(attendee_id)
        else:
            proxied.add(for_membership_id)
    voters = {pk: m for pk, m in voters.items() if pk not in own and m not in proxied}
    recorded: list[int] = []
    choices: list[dict[str, Any]] = []
    for attendee_id in voters:
        try:
            choices.append(decision.stored_choice(sent[attendee_id]))
        except ValidationError:
            continue
        recorded.append(attendee_id)
    if not recorded:
        return []
    # Rows without model instances (assembly.models.rows): a burst's batch, many a second.
    insert_rows(
        Participation,
        ("decision_id", "attendee_id"),
        [(decision.pk, attendee_id) for attendee_id in recorded],
    )
    if decision.secret:
        blobs = _seal_all(decision, choices)
        # In no order the arrivals had: the rows of one batch say nothing of who sent which.
        random.SystemRandom().shuffle(blobs)
        insert_rows(SealedBallot, ("decision_id", "blob"), [(decision.pk, b) for b in blobs])
    else:
        insert_rows(
            Ballot,
            ("decision_id", "choice", "attendee_id"),
            [
                (decision.pk, choice, attendee_id)
                for attendee_id, choice in zip(recorded, choices, strict=True)
            ],
        )
    live.changed(meeting, parts=TURNOUT)
    return recorded


def _taking_ballots(meeting: Meeting, decision_id: int) -> Decision:
    """The decision, locked, if its round is open: a ballot racing the close is refused here."""
    decision = _decision(meeting, decision_id)
    if decision.status != Decision.Status.OPEN:
        raise ActionError(_("Voting on this decision is closed; your ballot was not counted."))
    return decision


def _check_voter(attendee: Attendee, *, assisted_by: User | None, asked_in_person: bool) -> None:
    """The voter is in the room; the secretary records a vote for someone with a phone only
    when they asked in person."""
    attendee.refresh_from_db(fields=["status", "may_vote", "has_device"])
    if not attendee.is_present:
        raise ActionError(_("You need to be admitted to the meeting first."))
    if assisted_by is not None and attendee.has_device and not asked_in_person:
        raise ActionError(
            _(
                "%(name)s has a phone in this meeting: record a vote for them only if they ask "
                "you in person. Their phone will show that you did."
            )
            % {"name": attendee.display_name}
        )


def _whose_vote(
    decision: Decision, attendee: Attendee, for_membership_id: int | None
) -> Membership | None:
    """Whom the ballot is for: the absent member whose proxy the voter carries (returned), or
    the voter themselves (None). Either must hold a vote not yet cast by the other."""
    if for_membership_id is None:
        if not attendee.may_vote:
            raise ActionError(_("You can take part, but you don't have a vote in this meeting."))
        if (
            attendee.membership_id
            and decision.participations.filter(for_membership_id=attendee.membership_id).exists()
        ):
            raise ActionError(_("Whoever carries your proxy already cast your vote in this round."))
        return None
    proxy = (
        Proxy.objects.filter(
            meeting_id=attendee.meeting_id, holder=attendee, absent_member_id=for_membership_id
        )
        .select_related("absent_member")
        .first()
    )
    if proxy is None:
        raise ActionError(_("You don't hold that member's proxy in this meeting."))
    absent = proxy.absent_member
    if not attendee.may_vote or not absent.may_vote or absent.role == Role.OBSERVER:
        raise ActionError(_("That proxy carries no vote in this meeting."))
    if decision.participations.filter(
        attendee__membership=absent, for_membership__isnull=True
    ).exists():
        raise ActionError(
            _("%(name)s has already voted in this round themselves.")
            % {"name": absent.display_name}
        )
    return absent


def _take_part(
    decision: Decision, attendee: Attendee, proxy_for: Membership | None, *, assisted: bool
) -> Participation | None:
    """Record that this vote was cast; None if it had been already (the database allows one
    participation per voter and per proxy in a round). A secret ballot can't be cast again."""
    try:
        with transaction.atomic():
            return Participation.objects.create(
                decision=decision, attendee=attendee, for_membership=proxy_for, assisted=assisted
            )
    except IntegrityError:
        if decision.secret:
            raise ActionError(
                _("Your vote was already recorded. A secret ballot can't be changed.")
            ) from None
        return None


def _change_open_ballot(
    decision: Decision, attendee: Attendee, proxy_for: Membership | None, stored: dict[str, Any]
) -> None:
    """An open ballot cast again replaces the first, unless an earlier proxy holder cast it."""
    changed = Ballot.objects.filter(
        decision=decision, attendee=attendee, for_membership=proxy_for
    ).update(choice=stored)
    if not changed:  # the proxy's vote was cast by its earlier holder: it stands
        raise ActionError(
            _("The vote of %(name)s was already cast by whoever carried the proxy before.")
            % {"name": proxy_for.display_name if proxy_for else attendee.display_name}
        )


def _tell_the_room(meeting: Meeting, attendee: Attendee, *, assisted: bool) -> None:
    """Everyone's "n of m have voted". A member for whom the secretary recorded a vote hears it
    on their phone; a voter's own phone hears it in the answer to its ballot: no personal push
    per ballot of a burst. Nor is the version of their part noted (live.mark_personal): then a
    hall reopening after a burst had the parts of the last batch's voters rendered again, up
    to hundreds (one run took 10.7 s to bring 2,000 phones back where others took about 3 s).
    A phone that lost its answer asks for its part instead (app.js)."""
    live.changed(meeting, parts=TURNOUT)
    if assisted:
        live.publish_personal(attendee)


def _seal_or_store(
    decision: Decision, participation: Participation, stored: dict[str, Any]
) -> None:
    """A secret ballot is written sealed, with nothing that names its voter (the key is in
    memory, never in the database); an open one is written with its voter."""
    if decision.secret:
        sealed = SealedBallot.objects.create(decision=decision, blob=_seal(decision, stored))
        if participation.assisted:
            # So the member can withdraw it if they say it was not theirs (contest_assisted).
            participation.assisted_ballot = sealed.pk
            participation.save(update_fields=["assisted_ballot"])
    else:
        Ballot.objects.create(
            decision=decision,
            choice=stored,
            attendee=participation.attendee,
            for_membership=participation.for_membership,
        )


@transaction.atomic(durable=True)
def close(*, meeting: Meeting, decision_id: int, by: User) -> Decision:
    meeting = locked(meeting)
    decision = _decision(meeting, decision_id)
    if decision.status != Decision.Status.OPEN:
        raise ActionError(_("This decision is not open."))
    decision.status = Decision.Status.CLOSED
    decision.closed_at = timezone.now()
    try:
        choices = _unseal(decision) if decision.secret else _open_choices(decision)
    except sealing.KeyLost:
        decision.result = _void(decision)
    else:
        # Under "by lot, drawn in the room" a tie pauses the count here (`kind: "tie"`), after
        # the ballots are opened and written: `draw_lot` counts again from those plain ballots.
        decision.result = _counted(
            decision, meeting, choices, ties=meeting.organization.election_ties, lots=[]
        )
        decision.result["proxies"] = decision.participations.filter(
            for_membership__isnull=False
        ).count()
        decision.result["assisted"] = decision.participations.filter(assisted=True).count()
        decision.result["contested"] = 0
    decision.save(update_fields=["status", "closed_at", "result"])
    if decision.secret:
        transaction.on_commit(lambda: sealing.forget(decision.pk))
    if not _paused(decision):
        _settled(decision, meeting, by)
    # Whose vote the secretary recorded: their phones stop offering to withdraw it.
    assisted = decision.participations.filter(assisted=True, for_membership__isnull=True)
    _publish_round(meeting, also=assisted.values_list("attendee_id", flat=True))
    return decision


def _counted(
    decision: Decision,
    meeting: Meeting,
    choices: Sequence[dict[str, Any]],
    *,
    ties: str,
    lots: list[dict[str, Any]],
) -> dict[str, Any]:
    summary = meeting.attendance_summary()
    result = counting.count(
        decision,
        choices,
        present=summary["voting"] + summary["proxies"],
        members=meeting.organization.voting_members(),
        ties=ties,
        lots=lots,
    )
    if lots:
        result["lots"] = lots
    return result


def _paused(decision: Decision) -> bool:
    return decision.is_closed and decision.result.get("kind") == "tie"


def _no_count_paused(meeting: Meeting) -> None:
    """The room keeps looking at a count paused at a tie until its lot is drawn."""
    paused = meeting.decisions.filter(status=Decision.Status.CLOSED, result__kind="tie").first()
    if paused is not None:
        raise ActionError(
            _("The count of “%(question)s” is paused at a tie: draw its lot first.")
            % {"question": paused.question}
        )


def _settled(decision: Decision, meeting: Meeting, by: User) -> None:
    """What follows a count that reached its end."""
    # "Approve the minutes of <date>": when it carries, the earlier minutes are approved.
    approves = decision.item.minutes_of_id if decision.item is not None else None
    if approves and decision.carried:
        minutes_actions.approve(minutes_id=approves, in_meeting=meeting, by=by)
    # A vote on an amendment or on a proposal: its text or its outcome follows.
    proposal_actions.decision_closed(decision, meeting)


# A lot's seed has six digits: easy to read out from the projector and to copy into the minutes.
SEEDS = (100_000, 1_000_000)


@transaction.atomic(durable=True)
def draw_lot(*, meeting: Meeting, decision_id: int, by: User) -> Decision:
    """The facilitator draws the lot a paused count waits for: a fresh seed, the tied name it
    draws (`tally.draw_lot`, which anyone can repeat with the seed), and the count resumes from
    the stored ballots with every lot drawn so far. Another tie pauses it again."""
    meeting = locked(meeting)
    decision = _decision(meeting, decision_id)
    if not _paused(decision):
        raise ActionError(_("This count is not waiting for a lot: there is no tie to draw."))
    tie = decision.result["tie"]
    seed = SEEDS[0] + secrets.randbelow(SEEDS[1] - SEEDS[0])
    drawn = tally.draw_lot(tie["candidates"], seed)
    lot = {**tie, "seed": seed, "selected": drawn.selected}
    lots = [*decision.result.get("lots", []), lot]
    kept = {k: decision.result[k] for k in ("proxies", "assisted", "contested")}
    decision.result = {
        **_counted(decision, meeting, _open_choices(decision), ties=TieRule.ROOM_LOT, lots=lots),
        **kept,
    }
    decision.shown_round = None
    decision.save(update_fields=["result", "shown_round"])
    record(
        meeting=meeting,
        by=by,
        action="decision.lot_drawn",
        details={"decision": decision.pk, **lot},
    )
    if not _paused(decision):
        _settled(decision, meeting, by)
    live.changed(meeting, parts=DECISION)
    return decision


def _open_choices(decision: Decision) -> list[Any]:
    return list(decision.ballots.values_list("choice", flat=True))


def _unseal(decision: Decision) -> list[Any]:
    """Open a secret round's sealed ballots and write them as plain ballots in one batch, in
    random order, in this closing transaction: nothing in the rows, their order, their
    transaction id or the log ties a ballot to the vote that cast it."""
    sealed = decision.sealed.all()
    choices = sealing.open_all(decision.pk, list(sealed.values_list("blob", flat=True)))
    random.SystemRandom().shuffle(choices)
    Ballot.objects.bulk_create(Ballot(decision=decision, choice=c) for c in choices)
    sealed.delete()
    decision.participations.filter(assisted_ballot__isnull=False).update(assisted_ballot=None)
    return choices


def _void(decision: Decision) -> dict[str, Any]:
    """A secret round whose key was lost: no ballot can be opened, so none is counted, and the
    room is told so (it can hold the vote again)."""
    logger.warning("secret round %s closed void: its key was lost", decision.pk)
    decision.sealed.all().delete()
    return {
        "kind": "void",
        "outcome": "void",
        "ballots": decision.participations.count(),
        "proxies": decision.participations.filter(for_membership__isnull=False).count(),
        "assisted": decision.participations.filter(assisted=True).count(),
    }


@transaction.atomic(durable=True)
def contest_assisted(*, attendee: Attendee, decision_id: int) -> bool:
    """A member says the vote the secretary recorded for them was not theirs. While the round
    is open that vote is withdrawn, so they can cast their own; after close it is counted (no
    link finds it) but marked contested in the result and the minutes. True if withdrawn."""
    meeting = locked(attendee.meeting_id)
    decision = _decision(meeting, decision_id)
    participation = decision.participations.filter(
        attendee=attendee, for_membership__isnull=True, assisted=True, contested=False
    ).first()
    if participation is None:
        raise ActionError(_("No vote was recorded for you by the secretary in this round."))
    if decision.is_open:
        if decision.secret and participation.assisted_ballot is not None:
            SealedBallot.objects.filter(
                decision=decision, pk=participation.assisted_ballot
            ).delete()
        else:
            decision.ballots.filter(attendee=attendee, for_membership__isnull=True).delete()
        participation.delete()
    else:
        participation.contested = True
        participation.save(update_fields=["contested"])
        decision.result["contested"] = decision.participations.filter(contested=True).count()
        decision.save(update_fields=["result"])
    record(
        meeting=meeting,
        by=attendee.user,
        action="decision.assisted_vote_contested",
        details={"decision": decision.pk, "attendee": attendee.pk, "withdrawn": decision.is_open},
    )
    live.changed(meeting, parts=TURNOUT if decision.is_open else DECISION)
    live.publish_personal(attendee)
    return decision.is_open


@transaction.atomic(durable=True)
def hold_again(*, meeting: Meeting, decision_id: int, by: User) -> Decision:
    """A fresh round with the same question and options, after one that could not be counted."""
    meeting = locked(meeting)
    decision = _decision(meeting, decision_id)
    if decision.result.get("kind") != "void":
        raise ActionError(_("Only a vote that could not be counted is held again."))
    if (
        Decision.objects.filter(meeting=meeting, status=Decision.Status.DRAFT)
        .filter(question=decision.question, item_id=decision.item_id)
        .exists()
    ):
        raise ActionError(_("The new round is already prepared."))
    again = Decision.objects.create(
        meeting=meeting,
        item=decision.item,
        question=decision.question,
        question_translation=decision.question_translation,
        method=decision.method,
        secret=decision.secret,
        seats=decision.seats,
        count_rule=decision.count_rule,
        threshold=decision.threshold,
        base=decision.base,
        fallback_threshold=decision.fallback_threshold,
        fallback_of=None,
    )
    for option in decision.options.all():
        again.options.create(label=option.label, position=option.position)
    record(meeting=meeting, by=by, action="decision.held_again", details={"decision": decision.pk})
    live.changed(meeting, parts=DECISION)
    return again


@transaction.atomic(durable=True)
def start_fallback(*, meeting: Meeting, decision_id: int, by: User) -> Decision:
    """After a blocked or tabled consensus, the vote the bylaws allow at a supermajority."""
    meeting = locked(meeting)
    decision = _decision(meeting, decision_id)
    if not (decision.is_closed and decision.result.get("fallback_allowed")):
        raise ActionError(_("This decision has no fallback vote."))
    if hasattr(decision, "fallback"):
        raise ActionError(_("The fallback vote has already been held."))
    fallback = Decision.objects.create(
        meeting=meeting,
        item=decision.item,
        question=decision.question,
        question_translation=decision.question_translation,
        method=Decision.Method.MOTION,
        secret=decision.secret,
        threshold=decision.fallback_threshold,
        base=Decision.Base.CAST,
        fallback_of=decision,
    )
    live.changed(meeting, parts=DECISION)
    return fallback


@transaction.atomic(durable=True)
def show_round(*, meeting: Meeting, decision_id: int, round_number: int | None, by: User) -> None:
    """The facilitator steps the room through a ranked count: the projector and the phones show
    round `round_number` of the closed decision, or the whole count when it is None. Naming the
    round (not "next") keeps a double tap from skipping one."""
    meeting = locked(meeting)
    decision = _decision(meeting, decision_id)
    rounds = len(decision.result.get("rounds") or ()) if decision.is_closed else 0
    if rounds < 2:
        raise ActionError(_("Only a closed count of several rounds is shown round by round."))
    if round_number is not None and not 1 <= round_number <= rounds:
        raise ActionError(_("This count has rounds 1 to %(rounds)d.") % {"rounds": rounds})
    if decision.shown_round != round_number:
        decision.shown_round = round_number
        decision.save(update_fields=["shown_round"])
        live.changed(meeting, parts=DECISION)
