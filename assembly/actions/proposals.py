"""Proposals from the floor: submitted from a phone, brought to the floor, amended, decided.

Every change to a proposal locks the meeting (as every action does) and then the proposal's
row, so two devices accepting two amendments at once are served one after the other: the second
finds the text moved on and is refused with a message, never applied to words that are gone.
An amendment names the version it was written against for that reason. A formal amendment and
the decision on the proposal use the decision rounds of `actions.decisions`; when such a round
closes, `decision_closed` (called from its close) applies the result here.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from assembly import live
from assembly.actions.audit import record
from assembly.actions.common import locked, refuse_nul
from assembly.actions.errors import ActionError
from assembly.live import Part
from assembly.models import (
    AgendaItem,
    Amendment,
    Attendee,
    Decision,
    Meeting,
    Proposal,
    ProposalVersion,
    User,
)
from assembly.models.proposals import REASON_MAX, TEXT_MAX, TITLE_MAX
from assembly.templatetags.bilingual import other_language

PROPOSAL = (Part.PROPOSAL,)
Status = Proposal.Status


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if len(title) > TITLE_MAX:
        raise ActionError(
            _("Please keep the title under %(max)d characters (it has %(count)d).")
            % {"max": TITLE_MAX, "count": len(title)}
        )
    return title


def clean_text(text: str, *, required: bool = True) -> str:
    """The text as stored: line ends made plain, trailing spaces gone, within the limit."""
    lines = [line.rstrip() for line in (text or "").replace("\r\n", "\n").split("\n")]
    text = "\n".join(lines).strip("\n").strip()
    if required and not text:
        raise ActionError(_("Write the text of the proposal."))
    if len(text) > TEXT_MAX:
        raise ActionError(
            _(
                "Please keep the text under %(max)d characters (it has %(count)d): a proposal "
                "the room can read on one screen."
            )
            % {"max": TEXT_MAX, "count": len(text)}
        )
    return text


def _reason(reason: str, *, missing: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ActionError(missing)
    if len(reason) > REASON_MAX:
        raise ActionError(
            _("Please keep the reason under %(max)d characters.") % {"max": REASON_MAX}
        )
    return reason


def _live_meeting(meeting: Meeting | int) -> Meeting:
    meeting = locked(meeting)
    if not meeting.is_live:
        raise ActionError(_("The meeting is not in session."))
    return meeting


def _proposal(meeting: Meeting, proposal_id: int) -> Proposal:
    """The proposal, its row locked for the rest of the transaction."""
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .filter(meeting=meeting, pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise ActionError(_("That proposal is not part of this meeting."))
    return proposal


def _on_floor(proposal: Proposal) -> None:
    if proposal.status == Status.WITHDRAWN:
        raise ActionError(_("This proposal has just been withdrawn by its proposer."))
    if not proposal.is_on_floor:
        raise ActionError(_("This proposal is not on the floor."))


def _deciding(proposal: Proposal) -> Decision | None:
    """A round on this proposal or one of its amendments not yet closed."""
    return proposal.decisions_open().first()


def _changed(meeting: Meeting, *people: Attendee | None) -> None:
    live.changed(meeting, parts=PROPOSAL)
    live.publish_personal_ids(p.pk for p in people if p is not None)


def _create(
    *,
    meeting: Meeting,
    proposer: Attendee | None,
    proposer_name: str,
    named: bool,
    entered_by: User | None,
    title: str,
    text: str,
    title_translation: str,
    text_translation: str,
    new_business: bool,
) -> Proposal:
    refuse_nul(title, text, title_translation, text_translation, proposer_name)
    title = _clean_title(title)
    if not title:
        raise ActionError(_("Give the proposal a short title."))
    text = clean_text(text)
    title_translation = _clean_title(title_translation) if meeting.bilingual else ""
    text_translation = clean_text(text_translation, required=False) if meeting.bilingual else ""
    proposal = Proposal.objects.create(
        meeting=meeting,
        item=None if new_business else meeting.current_item,
        title=title,
        text=text,
        title_translation=title_translation,
        text_translation=text_translation,
        proposer=proposer,
        proposer_name=proposer_name,
        named=named,
        entered_by=entered_by,
    )
    ProposalVersion.objects.create(
        proposal=proposal,
        number=1,
        text=text,
        text_translation=text_translation,
        proposed_by_name=proposer_name,
    )
    return proposal


@transaction.atomic(durable=True)
def submit(
    *,
    attendee: Attendee,
    title: str,
    text: str,
    named: bool = True,
    new_business: bool = False,
    title_translation: str = "",
    text_translation: str = "",
) -> Proposal:
    """A participant's proposal, from their phone: it waits in the facilitator's queue."""
    meeting = _live_meeting(attendee.meeting_id)
    attendee.refresh_from_db(fields=["status"])
    if not attendee.is_present:
        raise ActionError(_("You need to be admitted to the meeting first."))
    if attendee.kind == Attendee.Kind.GUEST and not meeting.organization.guests_may_propose:
        raise ActionError(_("In this assembly, only members can make proposals."))
    proposal = _create(
        meeting=meeting,
        proposer=attendee,
        proposer_name=attendee.display_name,
        named=named,
        entered_by=None,
        title=title,
        text=text,
        title_translation=title_translation,
        text_translation=text_translation,
        new_business=new_business,
    )
    _changed(meeting, attendee)
    return proposal


@transaction.atomic(durable=True)
def submit_for(
    *,
    meeting: Meeting,
    by: User,
    proposer_name: str,
    title: str,
    text: str,
    named: bool = True,
    new_business: bool = False,
    title_translation: str = "",
    text_translation: str = "",
) -> Proposal:
    """A facilitator or secretary enters a proposal for someone (who has no phone, say)."""
    meeting = _live_meeting(meeting)
    proposer_name = " ".join((proposer_name or "").split())[:80]
    if not proposer_name:
        raise ActionError(_("Write who is making the proposal."))
    proposal = _create(
        meeting=meeting,
        proposer=meeting.attendees.present().filter(display_name=proposer_name).first(),
        proposer_name=proposer_name,
        named=named,
        entered_by=by,
        title=title,
        text=text,
        title_translation=title_translation,
        text_translation=text_translation,
        new_business=new_business,
    )
    record(meeting=meeting, by=by, action="proposal.entered", details={"proposal": proposal.pk})
    _changed(meeting, proposal.proposer)
    return proposal


def _item(meeting: Meeting, item_id: int | None) -> AgendaItem | None:
    if not item_id:
        return None
    item = meeting.items.filter(pk=item_id, parked=False).first()
    if item is None:
        raise ActionError(_("That item is not on this meeting's agenda."))
    return item


@transaction.atomic(durable=True)
def bring_to_floor(
    *, meeting: Meeting, proposal_id: int, by: User, item_id: int | None = None
) -> Proposal:
    meeting = _live_meeting(meeting)
    proposal = _proposal(meeting, proposal_id)
    if proposal.status != Status.SUBMITTED:
        raise ActionError(_("Only a proposal waiting in the queue can be brought to the floor."))
    other = meeting.proposals.filter(status=Status.FLOOR).first()
    if other is not None:
        raise ActionError(
            _("“%(title)s” is on the floor: settle it (or table it) first.")
            % {"title": other.title}
        )
    if item_id:
        proposal.item = _item(meeting, item_id)
    proposal.status = Status.FLOOR
    proposal.stage = Proposal.Stage.PRESENTED
    proposal.save(update_fields=["status", "stage", "item"])
    _changed(meeting, proposal.proposer)
    return proposal


@transaction.atomic(durable=True)
def attach(*, meeting: Meeting, proposal_id: int, by: User, item_id: int | None) -> Proposal:
    """Put a proposal under an agenda item, or (no item) make it new business."""
    meeting = locked(meeting)
    proposal = _proposal(meeting, proposal_id)
    if proposal.is_closed:
        raise ActionError(_("This proposal has been settled."))
    proposal.item = _item(meeting, item_id)
    proposal.save(update_fields=["item"])
    _changed(meeting)
    return proposal


@transaction.atomic(durable=True)
def decline(*, meeting: Meeting, proposal_id: int, by: User, reason: str) -> Proposal:
    """The facilitator declines a proposal in the queue; the proposer's phone shows why."""
    meeting = locked(meeting)
    proposal = _proposal(meeting, proposal_id)
    if proposal.status != Status.SUBMITTED:
        raise ActionError(_("Only a proposal waiting in the queue can be declined."))
    proposal.reason = _reason(reason, missing=_("Say why, for the proposer."))
    proposal.status = Status.DECLINED
    proposal.save(update_fields=["status", "reason"])
    record(meeting=meeting, by=by, action="proposal.declined", details={"proposal": proposal.pk})
    _changed(meeting, proposal.proposer)
    return proposal


@transaction.atomic(durable=True)
def set_stage(*, meeting: Meeting, proposal_id: int, stage: str, by: User) -> Proposal:
    meeting = locked(meeting)
    proposal = _proposal(meeting, proposal_id)
    _on_floor(proposal)
    if stage not in Proposal.Stage.values:
        raise ActionError(_("Choose one of the stages."))
    proposal.stage = stage
    proposal.save(update_fields=["stage"])
    live.changed(meeting, parts=(Part.PROPOSAL_STAGE,))
    return proposal


@transaction.atomic(durable=True)
def amend(
    *,
    attendee: Attendee,
    proposal_id: int,
    text: str,
    against: int,
    named: bool = True,
    text_translation: str = "",
) -> Amendment:
    """A change to the text proposed from the floor, written against version `against`; on a
    bilingual meeting it may carry the new text's translation (the form offers the current one
    to edit: sent back unchanged, it is no translation of the new words)."""
    refuse_nul(text, text_translation)
    meeting = locked(attendee.meeting_id)
    attendee.refresh_from_db(fields=["status"])
    if not attendee.is_present:
        raise ActionError(_("You need to be admitted to the meeting first."))
    proposal = _proposal(meeting, proposal_id)
    _on_floor(proposal)
    text = clean_text(text)
    if against != proposal.version:
        raise ActionError(
            _(
                "The text changed while you were writing (it is now version %(now)d). Your "
                "change was not sent: write it again on the current text."
            )
            % {"now": proposal.version}
        )
    if text == proposal.text:
        raise ActionError(_("Your text is the same as the current one: change some words."))
    text_translation = clean_text(text_translation, required=False) if meeting.bilingual else ""
    if text_translation == proposal.text_translation:
        text_translation = ""
    amendment = Amendment.objects.create(
        proposal=proposal,
        against=proposal.versions.get(number=proposal.version),
        text=text,
        text_translation=text_translation,
        proposer=attendee,
        proposer_name=attendee.display_name,
        named=named,
    )
    live.changed(meeting, parts=(Part.AMENDMENTS,))
    if proposal.proposer is not None:
        live.publish_personal(proposal.proposer)
    return amendment


def _amendment(meeting: Meeting, amendment_id: int) -> Amendment:
    amendment = (
        Amendment.objects.select_related("against")
        .filter(proposal__meeting=meeting, pk=amendment_id)
        .first()
    )
    if amendment is None:
        raise ActionError(_("That amendment is not part of this meeting."))
    return amendment


def _apply(
    proposal: Proposal, amendment: Amendment, *, accepted_by: str, by_proposer: bool
) -> None:
    """The amendment's text becomes the proposal's next version, with the amendment's
    translation; without one, the old translation stays, marked as of an earlier version."""
    proposal.version += 1
    proposal.text = amendment.text
    if amendment.text_translation:
        proposal.text_translation = amendment.text_translation
        proposal.translation_outdated = False
    else:
        proposal.translation_outdated = bool(proposal.text_translation)
    proposal.save(update_fields=["version", "text", "text_translation", "translation_outdated"])
    ProposalVersion.objects.create(
        proposal=proposal,
        number=proposal.version,
        text=amendment.text,
        text_translation=proposal.text_translation,
        translation_outdated=proposal.translation_outdated,
        amendment=amendment,
        proposed_by_name=amendment.proposer_name,
        accepted_by_name=accepted_by,
        accepted_by_proposer=by_proposer,
    )


def _answerer(proposal: Proposal, attendee: Attendee | None, by: User | None) -> tuple[str, bool]:
    """Who answers: the proposer from their phone, or the facilitator (checked by the view)."""
    if attendee is not None:
        if proposal.proposer_id != attendee.pk:
            raise ActionError(_("Only the proposer or the facilitator can answer an amendment."))
        return attendee.display_name, True
    if by is None:
        raise ActionError(_("Only the proposer or the facilitator can answer an amendment."))
    return str(by), False


@transaction.atomic(durable=True)
def answer(
    *,
    meeting: Meeting | int,
    amendment_id: int,
    accept: bool,
    attendee: Attendee | None = None,
    by: User | None = None,
    reason: str = "",
) -> Amendment:
    """The proposer (or the facilitator for them) accepts or declines a friendly amendment."""
    refuse_nul(reason)
    meeting = locked(meeting)
    amendment = _amendment(meeting, amendment_id)
    proposal = _proposal(meeting, amendment.proposal_id)  # locked: one answer at a time
    amendment.refresh_from_db()
    _on_floor(proposal)
    name, by_proposer = _answerer(proposal, attendee, by)
    if not amendment.is_pending:
        raise ActionError(
            _("This amendment has already been answered: %(status)s.")
            % {"status": amendment.get_status_display()}
        )
    if accept:
        if amendment.against.number != proposal.version:
            raise ActionError(
                _(
                    "This amendment was written on version %(then)d of the text, and the text "
                    "is now at version %(now)d: it no longer applies. Ask for it again on the "
                    "current text."
                )
                % {"then": amendment.against.number, "now": proposal.version}
            )
        if _deciding(proposal) is not None:
            raise ActionError(_("The meeting is voting on this text: wait until it closes."))
        _apply(proposal, amendment, accepted_by=name, by_proposer=by_proposer)
        amendment.status = Amendment.Status.ACCEPTED
        parts: tuple[Part, ...] = PROPOSAL
    else:
        amendment.status = Amendment.Status.DECLINED
        amendment.reason = " ".join(reason.split())[:REASON_MAX]
        parts = (Part.AMENDMENTS,)
    amendment.decided_by_name = name
    amendment.decided_at = timezone.now()
    amendment.save(update_fields=["status", "reason", "decided_by_name", "decided_at"])
    live.changed(meeting, parts=parts)
    live.publish_personal_ids(p.pk for p in (proposal.proposer, amendment.proposer) if p)
    return amendment


def _motion(
    meeting: Meeting,
    proposal: Proposal,
    question: Callable[[str], str],
    *,
    method: str,
    threshold: str = "majority",
    amendment: Amendment | None = None,
    fallback_threshold: str = "",
    proposal_version: ProposalVersion | None = None,
) -> Decision:
    """A round on the proposal or an amendment. Its question is written in the meeting's
    language (and, on a bilingual meeting, the other), not in the facilitator's: it is the
    meeting's record, which every reader sees in their own language first."""
    if meeting.decisions.filter(status=Decision.Status.OPEN).exists():
        raise ActionError(_("Close the open decision first."))
    if _deciding(proposal) is not None:
        raise ActionError(_("A vote on this proposal is already prepared or open."))
    with translation.override(meeting.language):
        asked = question(proposal.title)
    other = other_language(meeting.language)
    translated = ""
    if meeting.bilingual and other:
        with translation.override(other):
            translated = question(proposal.title_translation or proposal.title)
    return Decision.objects.create(
        meeting=meeting,
        item=proposal.item or meeting.current_item,
        question=Truncator(asked).chars(300),
        question_translation=Truncator(translated).chars(300),
        method=method,
        threshold=threshold,
        amendment=amendment,
        fallback_threshold=fallback_threshold,
        proposal_version=proposal_version,
    )


@transaction.atomic(durable=True)
def put_to_vote(*, meeting: Meeting, amendment_id: int, by: User) -> Decision:
    """A formal amendment: the meeting votes on it (a majority of votes cast) before the main
    proposal. The round is prepared here and opened and closed with the decision controls."""
    meeting = _live_meeting(meeting)
    amendment = _amendment(meeting, amendment_id)
    proposal = _proposal(meeting, amendment.proposal_id)
    amendment.refresh_from_db()
    _on_floor(proposal)
    if not amendment.is_pending:
        raise ActionError(_("Only a waiting amendment can be put to a vote."))
    if amendment.against.number != proposal.version:
        raise ActionError(
            _("This amendment was written on an earlier version of the text: it no longer applies.")
        )
    decision = _motion(
        meeting,
        proposal,
        # The words themselves are on every screen, marked, under the proposal.
        lambda title: (
            _("Adopt the amendment to “%(title)s” proposed by %(who)s (on version %(number)d)?")
            % {"title": title, "who": amendment.shown_name, "number": proposal.version}
        ),
        method=Decision.Method.MOTION,
        threshold="majority",
        amendment=amendment,
    )
    amendment.kind = Amendment.Kind.FORMAL
    amendment.status = Amendment.Status.VOTING
    amendment.save(update_fields=["kind", "status"])
    proposal.stage = Proposal.Stage.AMENDMENTS
    proposal.save(update_fields=["stage"])
    live.changed(meeting, parts=(Part.PROPOSAL, Part.DECISION))
    return decision


@transaction.atomic(durable=True)
def call_for_consensus(
    *, meeting: Meeting, proposal_id: int, by: User, fallback_threshold: str = ""
) -> Decision:
    """The decision on the proposal, taken on its current version (which the result names)."""
    from assembly.actions.decisions import checked_threshold as _threshold

    meeting = _live_meeting(meeting)
    proposal = _proposal(meeting, proposal_id)
    _on_floor(proposal)
    decision = _motion(
        meeting,
        proposal,
        lambda title: (
            _("%(title)s (version %(number)d)") % {"title": title, "number": proposal.version}
        ),
        method=Decision.Method.CONSENSUS,
        fallback_threshold=_threshold(fallback_threshold, allow_empty=True),
        proposal_version=proposal.versions.get(number=proposal.version),
    )
    proposal.stage = Proposal.Stage.TESTING
    proposal.save(update_fields=["stage"])
    live.changed(meeting, parts=(Part.PROPOSAL, Part.DECISION))
    return decision


def decision_closed(decision: Decision, meeting: Meeting) -> None:
    """Called by `actions.decisions.close`, in its transaction, with the meeting locked: a vote
    on an amendment applies it (if it still applies) or not; a decision on the proposal settles
    it, unless a fallback vote may follow."""
    if decision.amendment_id:
        amendment = decision.amendment
        assert amendment is not None  # its id is set
        proposal = _proposal(meeting, amendment.proposal_id)
        amendment.refresh_from_db()
        if amendment.status != Amendment.Status.VOTING:
            return
        if not decision.carried:
            amendment.status = Amendment.Status.LOST
        elif amendment.against.number != proposal.version or not proposal.is_on_floor:
            amendment.status = Amendment.Status.OUTDATED
            amendment.reason = _(
                "It carried, but the text had changed meanwhile: it was not applied."
            )
        else:
            _apply(proposal, amendment, accepted_by=_("the meeting, by vote"), by_proposer=False)
            amendment.status = Amendment.Status.CARRIED
        amendment.decided_at = timezone.now()
        amendment.save(update_fields=["status", "reason", "decided_at"])
        live.changed(meeting, parts=PROPOSAL)
        return
    version = decision.proposal_version or (
        decision.fallback_of.proposal_version if decision.fallback_of else None
    )
    if version is None:
        return
    proposal = _proposal(meeting, version.proposal_id)
    if not proposal.is_on_floor:
        return
    if not decision.carried and decision.result.get("fallback_allowed"):
        return  # the fallback vote decides
    proposal.status = Status.DECIDED
    proposal.stage = Proposal.Stage.OUTCOME
    proposal.settled_at = timezone.now()
    proposal.save(update_fields=["status", "stage", "settled_at"])
    live.changed(meeting, parts=PROPOSAL)


@transaction.atomic(durable=True)
def withdraw(
    *,
    meeting: Meeting | int,
    proposal_id: int,
    attendee: Attendee | None = None,
    by: User | None = None,
) -> Proposal:
    """The proposer takes their proposal back (the facilitator may do it at their request)."""
    meeting = locked(meeting)
    proposal = _proposal(meeting, proposal_id)
    if attendee is not None and proposal.proposer_id != attendee.pk:
        raise ActionError(_("Only the proposer can withdraw a proposal."))
    if proposal.is_closed:
        raise ActionError(_("This proposal has been settled."))
    if _deciding(proposal) is not None:
        raise ActionError(_("The meeting is voting on this proposal: wait until it closes."))
    _settle(proposal, Status.WITHDRAWN)
    proposal.amendments.filter(status=Amendment.Status.PENDING).update(
        status=Amendment.Status.OUTDATED
    )
    _changed(meeting, proposal.proposer)
    return proposal


def _settle(proposal: Proposal, status: str, reason: str = "") -> None:
    proposal.status = status
    proposal.stage = Proposal.Stage.OUTCOME
    proposal.reason = reason
    proposal.settled_at = timezone.now()
    proposal.save(
        update_fields=["status", "stage", "reason", "tabled_to", "carried_to_item", "settled_at"]
    )


def _still_open(meeting: Meeting, proposal_id: int) -> Proposal:
    """The proposal, locked, if it can still be settled: not settled, no vote on it under way."""
    proposal = _proposal(meeting, proposal_id)
    if proposal.is_closed:
        raise ActionError(_("This proposal has been settled."))
    if _deciding(proposal) is not None:
        raise ActionError(_("The meeting is voting on this proposal: wait until it closes."))
    return proposal


@transaction.atomic(durable=True)
def refer(*, meeting: Meeting, proposal_id: int, by: User, committee: str) -> Proposal:
    refuse_nul(committee)
    meeting = locked(meeting)
    proposal = _still_open(meeting, proposal_id)
    committee = _reason(committee, missing=_("Name the committee it goes to."))
    _settle(proposal, Status.REFERRED, committee)
    _changed(meeting, proposal.proposer)
    return proposal


def later_meetings(meeting: Meeting) -> QuerySet[Meeting]:
    """The meetings of the same body a proposal can be tabled to: not yet held."""
    return (
        Meeting.objects.filter(organization_id=meeting.organization_id)
        .exclude(pk=meeting.pk)
        .filter(status__in=[Meeting.Status.DRAFT, Meeting.Status.SCHEDULED])
    )


def _carry(meeting: Meeting, proposal: Proposal, later: Meeting, by: User | None) -> None:
    """The proposal waits in `later`'s parking lot as an item, and in its proposals' queue with
    every version of its text so far; here it is settled as tabled there."""
    last = later.items.order_by("-position").values_list("position", flat=True).first() or 0
    item = later.items.create(
        position=last + 1,
        title=proposal.title,
        title_translation=proposal.title_translation,
        kind=AgendaItem.Kind.PROPOSAL,
        description=proposal.text,
        parked=True,
        timebox_minutes=15,
    )
    carried = Proposal.objects.create(
        meeting=later,
        item=item,
        title=proposal.title,
        text=proposal.text,
        title_translation=proposal.title_translation,
        text_translation=proposal.text_translation,
        translation_outdated=proposal.translation_outdated,
        proposer_name=proposal.proposer_name,
        named=proposal.named,
        entered_by=by,
        version=proposal.version,
    )
    ProposalVersion.objects.bulk_create(
        ProposalVersion(
            proposal=carried,
            number=v.number,
            text=v.text,
            text_translation=v.text_translation,
            translation_outdated=v.translation_outdated,
            proposed_by_name=v.proposed_by_name,
            accepted_by_name=v.accepted_by_name,
            accepted_by_proposer=v.accepted_by_proposer,
        )
        for v in proposal.versions.all()
    )
    proposal.tabled_to = later
    proposal.carried_to_item = item
    _settle(proposal, Status.TABLED, later.title)
    record(
        meeting=meeting,
        by=by,
        action="proposal.tabled",
        details={"proposal": proposal.pk, "to": later.pk},
    )
    live.changed(later, parts=(Part.AGENDA, Part.PROPOSAL))


@transaction.atomic(durable=True)
def table(*, meeting: Meeting, proposal_id: int, by: User, to_meeting_id: int) -> Proposal:
    """Table a proposal to a later meeting, into its parking lot (see `_carry`)."""
    meeting = locked(meeting)
    proposal = _still_open(meeting, proposal_id)
    later = later_meetings(meeting).filter(pk=to_meeting_id).first()
    if later is None:
        raise ActionError(_("Choose a later meeting of this assembly."))
    _carry(meeting, proposal, locked(later), by)
    _changed(meeting, proposal.proposer)
    return proposal


def table_left_open(meeting: Meeting, by: User) -> None:
    """Called by `actions.meetings.adjourn`, in its transaction, with the meeting locked: each
    proposal still on the floor or in the queue is tabled to the organization's next meeting,
    or, with none scheduled yet, kept tabled until one is (`carry_tabled`)."""
    left = list(
        Proposal.objects.select_for_update(of=("self",)).filter(
            meeting=meeting, status__in=[Status.FLOOR, Status.SUBMITTED]
        )
    )
    if not left:
        return
    later = later_meetings(meeting).order_by(F("starts_at").asc(nulls_last=True), "pk").first()
    for proposal in left:
        proposal.left_open = True
        proposal.save(update_fields=["left_open"])
        if later is not None:
            _carry(meeting, proposal, locked(later), by)
        else:
            _settle(proposal, Status.TABLED)
        if proposal.proposer is not None:
            live.publish_personal(proposal.proposer)


def carry_tabled(meeting: Meeting, by: User) -> None:
    """Called by `actions.agenda.create_meeting` in its transaction: the proposals tabled at an
    adjournment with no later meeting yet wait in this new meeting's parking lot."""
    waiting = Proposal.objects.select_for_update(of=("self",)).filter(
        meeting__organization_id=meeting.organization_id,
        status=Status.TABLED,
        tabled_to__isnull=True,
        left_open=True,
    )
    for proposal in waiting.select_related("meeting"):
        _carry(proposal.meeting, proposal, meeting, by)
