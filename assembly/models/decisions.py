"""Decisions: a round of consensus, a motion, an approval vote or a ranked election.

A secret ballot keeps who voted (Participation) apart from what was chosen. While the round is
open the choice exists in the database only sealed (SealedBallot: encrypted under a key held in
memory, see `assembly.sealing`); when it closes, the choices are written as Ballots, with no
foreign key, timestamp, sequential id or session, in one batch in random order, so neither row
order, transaction ids nor the write-ahead log links a ballot to its voter.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from assembly.models.attendance import Attendee
from assembly.models.meetings import AgendaItem, Meeting
from assembly.models.organizations import Membership


class DecisionQuerySet(models.QuerySet["Decision"]):
    def matching(self, words: str) -> DecisionQuerySet:
        """Decisions whose question (either language) or item title holds `words`: PostgreSQL's
        full-text search with Spanish and English stemming ("huelgas" finds "huelga", "strikes"
        finds "strike"); elsewhere (SQLite) a plain contains match."""
        words = " ".join(words.split())
        if not words:
            return self
        fields = ("question", "question_translation", "item__title")
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery, SearchVector

            vector = SearchVector(*fields, config="spanish") + SearchVector(
                *fields, config="english"
            )
            query = SearchQuery(words, config="spanish", search_type="websearch") | SearchQuery(
                words, config="english", search_type="websearch"
            )
            return self.annotate(search=vector).filter(search=query)
        found = models.Q()
        for field in fields:
            found |= models.Q(**{f"{field}__icontains": words})
        return self.filter(found)


class Decision(models.Model):
    class Method(models.TextChoices):
        CONSENSUS = "consensus", _("Consensus")
        MOTION = "motion", _("Vote: yes, no or abstain")
        APPROVAL = "approval", _("Approval: tick every option you support")
        RANKED = "ranked", _("Ranked choice (instant runoff; STV for several seats)")

    class CountRule(models.TextChoices):
        """How a ranked ballot is counted (assembly.tally)."""

        RCTAB = "rctab", _("Instant runoff, or STV (RCTab rules)")
        MEEK = "meek", _("Meek STV (PR Foundation reference rule)")
        WIGM = "wigm", _("Weighted inclusive Gregory STV (WIGM)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Base(models.TextChoices):
        CAST = "cast", _("of the votes cast")
        PRESENT = "present", _("of the voting members present")
        MEMBERS = "members", _("of all voting members")

    # What a ballot may say. The values are the tally engine's (`tally.VOTES`,
    # `tally.RESPONSES`), written out here rather than built from them: the engine stays pure
    # Python and usable on its own, while these carry the translated labels the ballot and its
    # review show, and read (and type-check) as plain members. A test keeps the two equal.
    class Vote(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        ABSTAIN = "abstain", _("Abstain")

    class Response(models.TextChoices):
        AGREE = "agree", _("Agree")
        RESERVATIONS = "reservations", _("Agree, with reservations")
        STAND_ASIDE = "stand_aside", _("Stand aside")
        BLOCK = "block", _("Block")
        ABSTAIN = "abstain", _("Abstain")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    question = models.CharField(_("question"), max_length=300)
    question_translation = models.CharField(
        _("question in the other language"), max_length=300, blank=True
    )
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    secret = models.BooleanField(_("secret ballot"), default=False)
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    count_rule = models.CharField(
        _("counted by"), max_length=8, choices=CountRule.choices, default=CountRule.RCTAB
    )
    threshold = models.CharField(_("threshold"), max_length=20, default="majority")
    base = models.CharField(
        _("counted over"), max_length=10, choices=Base.choices, default=Base.CAST
    )
    # Consensus: the supermajority a fallback vote needs, if the bylaws allow one.
    fallback_threshold = models.CharField(_("fallback vote threshold"), max_length=20, blank=True)
    fallback_of = models.OneToOneField(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="fallback"
    )
    # A vote on a formal amendment (applied to the text if it carries), or a decision on a
    # proposal, taken on the version named here (see `actions.proposals`).
    amendment = models.ForeignKey(
        "Amendment", on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    proposal_version = models.ForeignKey(
        "ProposalVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    quorum_overridden = models.BooleanField(_("opened without quorum"), default=False)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The numbers that explain the outcome, from the tally engine, kept when the round closes.
    result = models.JSONField(_("result"), default=dict, blank=True)
    # The round of a ranked count the room is looking at, as the facilitator steps through it;
    # empty: the whole count.
    shown_round = models.PositiveSmallIntegerField(_("round shown"), null=True, blank=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting"], condition=models.Q(status="open"), name="one_open_decision"
            ),
            models.CheckConstraint(
                condition=models.Q(seats__gte=1), name="decision_seats_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.question

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @cached_property
    def option_ids(self) -> frozenset[int]:
        """Its options' ids, read once per instance (a burst's ballots are checked together;
        options do not change once the round is open)."""
        return frozenset(self.options.values_list("pk", flat=True))

    def stored_choice(self, sent: Mapping[str, Any]) -> dict[str, Any]:
        """The choice as a ballot stores it, from one as sent (`{"vote": ...}`,
        `{"response": ...}` or `{"options": [option ids]}`), checked against this decision's
        method and options. The one rule for a ballot: the ballot form asks it for its messages,
        and `actions.decisions.cast` asks it again for anyone who calls the action directly."""
        if self.method == self.Method.MOTION:
            vote = sent.get("vote")
            if not isinstance(vote, str) or vote not in self.Vote.values:
                raise ValidationError(_("Choose yes, no or abstain."), code="vote")
            return {"vote": vote}
        if self.method == self.Method.CONSENSUS:
            response = sent.get("response")
            if not isinstance(response, str) or response not in self.Response.values:
                raise ValidationError(_("Choose one of the responses."), code="response")
            return {"response": response}
        foreign = ValidationError(
            _("That ballot has an option this decision doesn't have."), code="options"
        )
        valid = self.option_ids
        try:
            picked = [int(pk) for pk in sent.get("options", [])]
        except (TypeError, ValueError):
            raise foreign from None
        if any(pk not in valid for pk in picked) or len(picked) > len(valid):
            raise foreign
        if self.method == self.Method.APPROVAL:
            return {"approve": sorted(set(picked))}
        if len(set(picked)) != len(picked):
            raise ValidationError(_("Each candidate can have only one rank."), code="options")
        if not picked:
            raise ValidationError(_("Rank at least one candidate."), code="options")
        return {"ranking": picked}

    @staticmethod
    def marks(choice: Mapping[str, Any] | None) -> str:
        """An open ballot's choice as its voter's own phone marks it on the ballot (app.js):
        the answer (`yes`, `agree`), or the options' keys in order, space-separated. From a
        choice as stored or as sent; empty for none. Never asked for a secret ballot's."""
        if not choice:
            return ""
        for answer in ("vote", "response"):
            if choice.get(answer):
                return str(choice[answer])
        for listed in ("ranking", "approve", "options"):
            if choice.get(listed):
                return " ".join(str(pk) for pk in choice[listed])
        return ""

    @property
    def carried(self) -> bool:
        """Whether it went through: passed, adopted by consensus, or someone elected."""
        result = self.result or {}
        if result.get("kind") == "consensus":
            return result.get("consensus_outcome") == "adopted"
        if result.get("kind") == "motion":
            return result.get("outcome") == "passed"
        return bool(result.get("winners"))


class Option(models.Model):
    """A choice on an approval or ranked ballot: a candidate or an alternative."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("option"), max_length=120)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "label"], name="option_label_unique"),
        ]

    def __str__(self) -> str:
        return self.label


class Participation(models.Model):
    """That someone voted (themselves, as a proxy, or assisted) — never what they chose."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="participations")
    attendee = models.ForeignKey(
        Attendee, on_delete=models.SET_NULL, null=True, related_name="participations"
    )
    # Set when the vote is an absent member's, carried by `attendee` as their proxy.
    for_membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assisted = models.BooleanField(_("recorded by the secretary"), default=False)
    # An assisted secret ballot's sealed blob, so the member can contest it while the round is
    # open (the blob is ciphertext; the pointer goes when the round closes and blobs are opened).
    assisted_ballot = models.UUIDField(null=True, blank=True, editable=False)
    contested = models.BooleanField(_("contested by the member"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "attendee"],
                condition=models.Q(for_membership__isnull=True),
                name="one_vote_per_attendee",
            ),
            models.UniqueConstraint(
                fields=["decision", "for_membership"],
                condition=models.Q(for_membership__isnull=False),
                name="one_vote_per_proxy",
            ),
        ]

    def __str__(self) -> str:
        return str(self.decision)


class Ballot(models.Model):
    """What was chosen. On a secret ballot it names nobody; on an open one, its voter."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="ballots")
    # {"response": "agree"}, {"vote": "yes"}, {"approve": [option ids]}, {"ranking": [ids]}
    choice = models.JSONField()
    attendee = models.ForeignKey(
        Attendee, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    for_membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "attendee"],
                condition=models.Q(attendee__isnull=False, for_membership__isnull=True),
                name="one_open_ballot_per_attendee",
            ),
        ]

    def __str__(self) -> str:
        return str(self.decision)


class SealedBallot(models.Model):
    """A secret ballot while its round is open: a fixed-size blob under a key that lives only in
    memory (`assembly.sealing`). Opened, shuffled and deleted when the round closes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="sealed")
    blob = models.BinaryField()

    def __str__(self) -> str:
        return str(self.decision)
