"""Proposals from the floor, their amendments and every version of their text.

A proposal's current text is kept on the row (`text`, `version`) and as its latest
ProposalVersion; an amendment names the version it was written against, so one accepted after
the text moved on is refused rather than applied to words that are no longer there. Names are
kept as they were shown (`proposer_name`), because attendance records are purged after the
retention period while the minutes keep the proposal's history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assembly.models.attendance import Attendee
from assembly.models.meetings import AgendaItem, Meeting


def _shown(name: str, named: bool) -> str:
    """A name as the room and the minutes show it: "a participant" where the person asked."""
    return name if named else gettext("a participant")


TITLE_MAX = 200
TEXT_MAX = 5000
REASON_MAX = 300


class Proposal(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for the facilitator")
        DECLINED = "declined", _("Declined")
        FLOOR = "floor", _("On the floor")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        TABLED = "tabled", _("Tabled to a later meeting")
        REFERRED = "referred", _("Referred to a committee")
        DECIDED = "decided", _("Decided")

    class Stage(models.TextChoices):
        PRESENTED = "presented", _("Presented")
        CLARIFYING = "clarifying", _("Clarifying questions")
        CONCERNS = "concerns", _("Concerns")
        AMENDMENTS = "amendments", _("Amendments")
        TESTING = "testing", _("Test for consensus")
        OUTCOME = "outcome", _("Outcome")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="proposals")
    # Empty: new business, not under any item of the agenda.
    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    text = models.TextField(_("text"))
    title_translation = models.CharField(
        _("title in the other language"), max_length=TITLE_MAX, blank=True
    )
    text_translation = models.TextField(_("text in the other language"), blank=True)
    # The text changed by an amendment that carried no translation: the old translation is kept,
    # and every screen says it is of an earlier version, rather than dropped or passed as current.
    translation_outdated = models.BooleanField(default=False)
    proposer = models.ForeignKey(
        Attendee, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals"
    )
    proposer_name = models.CharField(_("proposed by"), max_length=80)
    # False: shown as "a participant" on every screen and in the minutes.
    named = models.BooleanField(_("show my name"), default=True)
    # A facilitator or secretary who entered it for the proposer.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    stage = models.CharField(
        _("stage"), max_length=12, choices=Stage.choices, default=Stage.PRESENTED
    )
    reason = models.CharField(_("reason"), max_length=REASON_MAX, blank=True)
    # Tabled: the later meeting whose parking lot holds it (as `carried_to_item`).
    tabled_to = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="tabled_here"
    )
    carried_to_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Still on the floor or in the queue when the meeting adjourned: tabled then, to the next
    # meeting (or, with none yet, to the one the organization schedules next).
    left_open = models.BooleanField(_("left open at adjournment"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting"], condition=models.Q(status="floor"), name="one_floor_proposal"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_on_floor(self) -> bool:
        return self.status == self.Status.FLOOR

    @property
    def is_closed(self) -> bool:
        return self.status not in (self.Status.SUBMITTED, self.Status.FLOOR)

    @property
    def shown_name(self) -> str:
        return _shown(self.proposer_name, self.named)

    @property
    def status_label(self) -> str:
        if self.left_open and self.status == self.Status.TABLED:
            return gettext("Left open at adjournment, tabled")
        return self.get_status_display()

    def decisions_open(self) -> models.QuerySet:
        """Rounds on this proposal or on one of its amendments not yet closed."""
        from assembly.models.decisions import Decision

        return Decision.objects.filter(
            models.Q(proposal_version__proposal=self) | models.Q(amendment__proposal=self)
        ).exclude(status=Decision.Status.CLOSED)


class Amendment(models.Model):
    class Kind(models.TextChoices):
        FRIENDLY = "friendly", _("Friendly: the proposer accepts or declines it")
        FORMAL = "formal", _("Formal: the meeting votes on it")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        VOTING = "voting", _("Being voted on")
        CARRIED = "carried", _("Carried")
        LOST = "lost", _("Lost")
        OUTDATED = "outdated", _("No longer applies")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="amendments")
    against = models.ForeignKey(
        "ProposalVersion", on_delete=models.CASCADE, related_name="amendments_against"
    )
    text = models.TextField(_("new text"))
    # On a bilingual meeting, the new text in the other language (optional).
    text_translation = models.TextField(_("new text in the other language"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FRIENDLY)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason = models.CharField(_("reason"), max_length=REASON_MAX, blank=True)
    proposer = models.ForeignKey(
        Attendee, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposer_name = models.CharField(_("proposed by"), max_length=80)
    named = models.BooleanField(_("show my name"), default=True)
    decided_by_name = models.CharField(_("decided by"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def shown_name(self) -> str:
        return _shown(self.proposer_name, self.named)


class ProposalVersion(models.Model):
    """One text of a proposal: the first as submitted, then one per amendment applied."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"))
    # The translation shown with this version; `translation_outdated` as on the proposal.
    text_translation = models.TextField(_("text in the other language"), blank=True)
    translation_outdated = models.BooleanField(default=False)
    # Empty for the first version; the amendment (friendly accepted, formal carried) otherwise.
    amendment = models.OneToOneField(
        Amendment, on_delete=models.SET_NULL, null=True, blank=True, related_name="made"
    )
    proposed_by_name = models.CharField(_("proposed by"), max_length=80)
    accepted_by_name = models.CharField(_("accepted by"), max_length=80, blank=True)
    # Accepted by the proposer: shown as "the proposer", whose name may be withheld.
    accepted_by_proposer = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("proposal version")
        verbose_name_plural = _("proposal versions")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="one_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} v{self.number}"

    @property
    def shown_proposed_by(self) -> str:
        if self.amendment is not None:
            return self.amendment.shown_name
        return _shown(self.proposed_by_name, self.proposal.named)

    @property
    def shown_accepted_by(self) -> str:
        return gettext("the proposer") if self.accepted_by_proposer else self.accepted_by_name
