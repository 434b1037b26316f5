"""The minutes: what the meeting did, in the order it did it, from what was recorded as it ran.

They are built, never typed twice: the agenda, the secretary's notes under each item, every
decision with its numbers and why, the attendance and speaking counts kept at adjournment. They
hold counts, never the names of people in the room (attendance records are purged after the
retention period; the minutes stay), and every text they publish withholds the names of the
people who asked (`redactor`, `build`).
"""

from __future__ import annotations

import copy
import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from assembly.models import (
    ActionItem,
    AgendaItem,
    Attendee,
    Decision,
    Meeting,
    Membership,
    NotesCorrection,
    Proposal,
    TemperatureCheck,
)
from assembly.redaction import Redactor, withheld_runs


def attendance_snapshot(meeting: Meeting) -> dict[str, int]:
    """Counts for the minutes, taken when the meeting adjourns (before guests are forgotten)."""
    summary = meeting.attendance_summary()
    came = meeting.attendees.filter(checked_in_at__isnull=False)
    return {
        "attended": came.count(),
        "members": came.filter(kind=Attendee.Kind.MEMBER).count(),
        "guests": came.filter(kind=Attendee.Kind.GUEST).count(),
        "checked_in_by_hand": came.filter(checked_in_by_hand=True).count(),
        "present_at_close": summary["present"],
        "voting_at_close": summary["voting"],
        "proxies": meeting.proxies.count(),
        "voting_members": summary["voting_members"],
        "quorum_required": summary["quorum_required"],
    }


def keep_temperature_counts(meeting: Meeting) -> None:
    """Keep each temperature check's counts with it, at adjournment: the answers themselves are
    deleted with the attendance records (`manage.py purge`), the minutes still show the counts."""
    for check in meeting.temperature_checks.all():
        check.counts = check.tally()
        check.save(update_fields=["counts"])


def redactor(meeting: Meeting) -> Redactor:
    """What keeps the names of the people who asked out of this meeting's minutes.

    Each person who asked is withheld by every name they are known by (the roll's and their
    account's), whole and by each part or run of parts that nobody else on the roll shares (see
    `redaction.withheld_runs` for the rule); matching folds case, accents, spacing and invisible
    characters, so "LUPE  ramirez" is caught as surely as "Lupe Ramírez".
    """
    withheld: list[str] = []
    others: list[str] = []
    roll = Membership.objects.filter(organization_id=meeting.organization_id).select_related("user")
    for membership in roll:
        names = [membership.name, membership.display_name]
        if membership.user is not None:
            names.append(membership.user.display_name)
        names = [name.strip() for name in names if name and name.strip()]
        (withheld if membership.withhold_name else others).extend(names)
    return Redactor(withheld_runs(withheld, others), _("[name withheld]"))


def _shown_result(result: dict[str, Any], labels: dict[str, str], redact: Redactor) -> Any:
    """The result snapshot with each option's label as published; other text redacted too."""

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {labels.get(key, key): walk(item) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        if isinstance(value, str):
            return labels[value] if value in labels else redact(value)
        return value

    return walk(result)


def _without_repeated_final_round(result: dict[str, Any]) -> dict[str, Any]:
    """The rounds as the minutes list them: a count ends with a last "final count" round where
    nothing happens, and when it only repeats the round before (an election settled in round 1)
    it is not a round of its own."""
    rounds = result.get("rounds") or []
    if len(rounds) < 2:
        return result
    last, before = rounds[-1], rounds[-2]
    if last.get("elected") or last.get("eliminated") or last.get("transfers"):
        return result
    if last.get("tally") != before.get("tally"):
        return result
    return {**result, "rounds": rounds[:-1]}


def _shown_decision(decision: Decision, redact: Redactor) -> Decision:
    """A copy of the decision to render, its question and candidates withheld where they name
    someone who asked. For display only: it is never saved."""
    shown = copy.copy(decision)
    shown.result = _without_repeated_final_round(decision.result or {})
    if not redact:
        return shown
    shown.question = redact(decision.question)
    shown.question_translation = redact(decision.question_translation)
    labels: dict[str, str] = {}
    taken: set[str] = set()
    for option in decision.options.all():
        label = redact(option.label)
        # Two withheld candidates must not merge into one line of the count.
        number = 1
        unique = label
        while unique in taken:
            number += 1
            unique = f"{label} ({number})"
        labels[option.label] = unique
        taken.add(unique)
    shown.result = _shown_result(shown.result, labels, redact)
    return shown


@dataclass
class ShownActionItem:
    """An action item as published: its text and name withheld where they must be."""

    action_item: ActionItem
    what: str
    who: str
    outcome: str = ""  # at a reviewing meeting: done, moved or dropped, as marked there

    @property
    def pk(self) -> int:
        return self.action_item.pk

    @property
    def due(self):
        return self.action_item.due

    @property
    def outcome_label(self) -> str | Promise:
        return ActionItem.Status(self.outcome).label if self.outcome else ""


def _shown_action_item(
    action_item: ActionItem, redact: Redactor, outcome: str = ""
) -> ShownActionItem:
    return ShownActionItem(
        action_item, redact(action_item.what), action_item.who_shown(redact), outcome
    )


def reviewed_here(meeting: Meeting) -> list[ShownActionItem]:
    """What a meeting's "review action items" goes through: the body's action items from earlier
    meetings still open, and those already marked at this one (with the mark)."""
    redact = redactor(meeting)
    marks = dict(meeting.reviews.values_list("action_item_id", "outcome"))
    found = (
        ActionItem.objects.filter(organization_id=meeting.organization_id)
        .exclude(meeting=meeting)
        .filter(Q(pk__in=marks) | Q(status__in=[ActionItem.Status.OPEN, ActionItem.Status.MOVED]))
        .filter(meeting__started_at__lt=meeting.started_at or timezone.now())
        .select_related("assignee")
        .order_by(F("due").asc(nulls_last=True), "created_at", "id")  # undated ones last
    )
    return [_shown_action_item(a, redact, marks.get(a.pk, "")) for a in found]


@dataclass
class TemperatureMinutes:
    """A temperature check as the minutes show it: its question (names withheld) and counts."""

    question: str
    # (value, label, count), in the order of the buttons; the label translated when shown
    counts: list[tuple[str, str | Promise, int]]

    @property
    def total(self) -> int:
        return sum(count for _value, _label, count in self.counts)


def _shown_temperature(check: TemperatureCheck, redact: Redactor) -> TemperatureMinutes:
    tally = check.tally()
    return TemperatureMinutes(
        redact(check.question),
        [(value, label, tally[value]) for value, label in TemperatureCheck.Value.choices],
    )


@dataclass
class AmendmentMinutes:
    """An amendment as published: its text, who proposed it (if they allowed their name), and
    what became of it: accepted, declined, carried, lost, or left."""

    status: str
    status_label: str
    kind_label: str
    text: str
    proposer: str
    version: int
    before: str = ""  # the text it was written on (names withheld too)

    @property
    def html(self):
        from assembly.proposal_text import marked

        return marked(self.before, self.text)


@dataclass
class ProposalMinutes:
    """A proposal as published: its final text, its amendments and its outcome, names withheld
    where the person asked (on the roll) or chose not to be named (on the proposal)."""

    proposal: Proposal
    title: str
    title_translation: str
    text: str
    proposer: str
    amendments: list[AmendmentMinutes]
    decided_on: int | None  # the version the decision named
    # The final text's translation, when it is the translation of that text (not of an earlier
    # version): the minutes give each reader their language first, as the room does.
    text_translation: str = ""

    @property
    def status_label(self) -> str:
        return self.proposal.status_label

    @property
    def text_html(self):
        from assembly.proposal_text import as_html

        return as_html(self.text)

    @property
    def translation_html(self):
        from assembly.proposal_text import as_html

        return as_html(self.text_translation)


def _shown_proposal(proposal: Proposal, redact: Redactor) -> ProposalMinutes:
    decided = (
        Decision.objects.filter(proposal_version__proposal=proposal, status=Decision.Status.CLOSED)
        .order_by("-closed_at")
        .values_list("proposal_version__number", flat=True)
        .first()
    )
    return ProposalMinutes(
        proposal,
        redact(proposal.title),
        redact(proposal.title_translation),
        redact(proposal.text),
        redact(proposal.shown_name),
        [
            AmendmentMinutes(
                a.status,
                a.get_status_display(),
                a.get_kind_display().split(":")[0],
                redact(a.text),
                redact(a.shown_name),
                a.against.number,
                redact(a.against.text),
            )
            for a in proposal.amendments.select_related("against").order_by("created_at", "id")
        ],
        decided,
        "" if proposal.translation_outdated else redact(proposal.text_translation),
    )


@dataclass
class ItemMinutes:
    """One agenda item as the minutes publish it: every text in it has the names of those who
    asked withheld. `item` is the agenda item itself, as written (the draft's notes box)."""

    item: AgendaItem
    decisions: list[Decision] = field(default_factory=list)
    temperatures: list[TemperatureMinutes] = field(default_factory=list)
    action_items: list[ShownActionItem] = field(default_factory=list)
    proposals: list[ProposalMinutes] = field(default_factory=list)
    notes: str = ""
    title: str = ""
    title_translation: str = ""
    presenter: str = ""

    @property
    def withheld(self) -> bool:
        item = self.item
        return (self.notes, self.title, self.title_translation, self.presenter) != (
            item.notes,
            item.title,
            item.title_translation,
            item.presenter,
        )


@dataclass
class Minutes:
    meeting: Meeting
    items: list[ItemMinutes]
    other_decisions: list[Decision]  # taken with no item open (before the first, say)
    reviewed: list[ShownActionItem] = field(default_factory=list)  # earlier ones, marked here
    other_action_items: list[ShownActionItem] = field(default_factory=list)  # on no item
    other_proposals: list[ProposalMinutes] = field(default_factory=list)  # new business
    title: str = ""  # the meeting's, names withheld
    place: str = ""
    title_translation: str = ""

    @property
    def proxies_used(self) -> int:
        return sum(
            decision.result.get("proxies", 0)
            for entry in self.items
            for decision in entry.decisions
        ) + sum(decision.result.get("proxies", 0) for decision in self.other_decisions)


def build(meeting: Meeting) -> Minutes:
    """The minutes of `meeting`: what every page and export of them shows, names withheld in
    each text they publish (titles, presenters, notes, questions, candidates)."""
    redact = redactor(meeting)
    closed = [
        _shown_decision(decision, redact)
        for decision in meeting.decisions.filter(status=Decision.Status.CLOSED)
        .select_related("fallback_of")
        .prefetch_related("options")
        .order_by("closed_at", "id")
    ]
    checks = list(meeting.temperature_checks.order_by("opened_at", "id"))
    given = [
        _shown_action_item(a, redact)
        for a in meeting.action_items.select_related("assignee").order_by("created_at", "id")
    ]
    # Those the meeting took up: not one still queued or declined at the door.
    proposals = [
        _shown_proposal(p, redact)
        for p in meeting.proposals.exclude(
            status__in=[Proposal.Status.SUBMITTED, Proposal.Status.DECLINED]
        )
    ]
    items = [
        ItemMinutes(
            item,
            [d for d in closed if d.item_id == item.pk],
            [_shown_temperature(c, redact) for c in checks if c.item_id == item.pk],
            [a for a in given if a.action_item.item_id == item.pk],
            [p for p in proposals if p.proposal.item_id == item.pk],
            notes=redact(item.notes),
            title=redact(item.title),
            title_translation=redact(item.title_translation),
            presenter=redact(item.presenter),
        )
        for item in meeting.items.filter(parked=False).order_by("position", "id")
    ]
    listed = {d.pk for entry in items for d in entry.decisions}
    return Minutes(
        meeting,
        items,
        [d for d in closed if d.pk not in listed],
        title=redact(meeting.title),
        place=redact(meeting.place),
        title_translation=redact(meeting.title_translation),
        reviewed=[
            _shown_action_item(review.action_item, redact, review.outcome)
            for review in meeting.reviews.select_related(
                "action_item", "action_item__assignee"
            ).order_by("action_item__due", "action_item_id")
        ],
        other_action_items=[a for a in given if a.action_item.item_id is None],
        other_proposals=[p for p in proposals if p.proposal.item_id is None],
    )


def decision_log(
    organization_id: int,
    *,
    words: str = "",
    outcome: str = "",
    method: str = "",
    since: date | None = None,
    until: date | None = None,
) -> list[Decision]:
    """Every closed decision of a body, newest first, each as published (names withheld).

    A search for a name withheld in a meeting finds none of that meeting's decisions, even where
    the question as typed holds it: the result must not say what the published text hides."""
    found = (
        Decision.objects.filter(
            meeting__organization_id=organization_id, status=Decision.Status.CLOSED
        )
        .matching(words)
        .select_related("meeting", "item", "fallback_of")
        .prefetch_related("options")
        .order_by("-closed_at", "-id")
    )
    if method:
        found = found.filter(method=method)
    if since:
        found = found.filter(closed_at__date__gte=since)
    if until:
        found = found.filter(closed_at__date__lte=until)
    redactors: dict[int, Redactor] = {}
    shown = []
    for decision in found[:500]:
        if outcome and decision.carried != (outcome == "carried"):
            continue
        redact = redactors.get(decision.meeting_id)
        if redact is None:
            redact = redactors[decision.meeting_id] = redactor(decision.meeting)
        if words and redact(words) != words:
            continue
        entry = _shown_decision(decision, redact)
        entry.meeting_title = redact(decision.meeting.title)  # type: ignore[attr-defined]  # a display copy
        shown.append(entry)
    return shown


# Corrections before approval: what the assembly sees changed in the draft since it adjourned.

# An unchanged run longer than this many words is shortened to its ends around "…".
UNCHANGED_SHOWN = 8


@dataclass
class Correction:
    """One sitting's correction of an item's notes, as the history page shows it."""

    item_title: str
    at: datetime
    by: str
    changes: list[tuple[str, str]]  # ("same" | "removed" | "added", text), in reading order


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """What changed from `before` to `after`, word by word (difflib), as runs to show struck
    out, underlined or as they were; a long unchanged run keeps only its ends."""
    old, new = re.split(r"(\s+)", before), re.split(r"(\s+)", after)
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("same", _shortened(old[i1:i2])))
            continue
        removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        if removed.strip():
            runs.append(("removed", removed))
        if removed.strip() and added.strip():
            runs.append(("same", " "))  # "Ten Twelve", not "TenTwelve", once colours are gone
        if added.strip():
            runs.append(("added", added))
        elif removed.strip() or added:
            runs.append(("same", " " if added else ""))
    return [(kind, text) for kind, text in runs if text]


def _shortened(tokens: list[str]) -> str:
    words = [t for t in tokens if t.strip()]
    if len(words) <= 3 * UNCHANGED_SHOWN:
        return "".join(tokens)
    head = " ".join(words[:UNCHANGED_SHOWN])
    tail = " ".join(words[-UNCHANGED_SHOWN:])
    lead = " " if not tokens[0].strip() else ""
    trail = " " if not tokens[-1].strip() else ""
    return f"{lead}{head} … {tail}{trail}"


def corrector(membership: Membership | None, redact: Redactor) -> str:
    """Who corrected, as the record names them: by name and role, or by role alone for someone
    who asked to be kept out of the minutes."""
    if membership is None:
        return _("someone no longer on the roll")
    role = membership.get_role_display()
    name = membership.display_name
    if membership.withhold_name or redact(name) != name:
        return capfirst(role)
    return _("%(name)s (%(role)s)") % {"name": name, "role": role}


def corrections(meeting: Meeting) -> list[Correction]:
    """Every correction made to the draft minutes of `meeting` after it adjourned, oldest first,
    names withheld in the texts and in who made them as everywhere in the minutes."""
    redact = redactor(meeting)
    kept = list(
        NotesCorrection.objects.filter(item__meeting=meeting)
        .select_related("item")
        .order_by("at", "id")
    )
    roll = {
        m.user_id: m
        for m in Membership.objects.filter(
            organization_id=meeting.organization_id, user_id__in={c.by_id for c in kept}
        )
    }
    return [
        Correction(
            redact(c.item.title),
            c.at,
            corrector(roll.get(c.by_id), redact),
            word_diff(redact(c.before), redact(c.after)),
        )
        for c in kept
    ]
