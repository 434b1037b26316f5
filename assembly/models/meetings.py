"""Meetings and their agendas; the meeting's version orders every live push."""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Count
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from assembly.models.organizations import Organization, QuorumRule

# Letters only, none that read alike on a projector (no I/L/O, no U/V).
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


class ProgressiveStack(models.TextChoices):
    OFF = "off", _("Off: first come, first served")
    ITEM = "item", _("First-time speakers on this item go first")
    MEETING = "meeting", _("First-time speakers in this meeting go first")


# What a facilitator sets on a meeting (the settings form, the action that writes them).
SETTINGS_FIELDS = (
    "title",
    "title_translation",
    "starts_at",
    "place",
    "progressive_stack",
    "projector_shows_names",
    "speaking_limit_seconds",
    "bilingual",
    "language",
    "quorum_rule",
    "quorum_numerator",
    "quorum_denominator",
    "quorum_count",
)
# What the agenda editor writes on an item (and what copying an agenda copies).
ITEM_TRANSLATIONS = ("title_translation", "description_translation")
ITEM_FIELDS = ("title", "kind", "timebox_minutes", "presenter", "description", *ITEM_TRANSLATIONS)
TIMEBOX_MIN, TIMEBOX_MAX = 1, 600


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def live(self) -> MeetingQuerySet:
        return self.filter(status=Meeting.Status.LIVE)

    def awaiting_approval(self) -> MeetingQuerySet:
        """Minutes a later meeting can approve: the meeting is over, no meeting approved them."""
        return self.filter(
            status__in=[Meeting.Status.ADJOURNED, Meeting.Status.PUBLISHED],
            minutes_approved_at__isnull=True,
        )


class Meeting(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        LIVE = "live", _("In session")
        ADJOURNED = "adjourned", _("Adjourned")
        PUBLISHED = "published", _("Minutes published")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="meetings"
    )
    title = models.CharField(_("title"), max_length=200)
    title_translation = models.CharField(
        _("title in the other language"), max_length=200, blank=True
    )
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )
    join_code = models.CharField(
        _("join code"), max_length=JOIN_CODE_LENGTH, unique=True, default=new_join_code
    )
    current_item = models.ForeignKey(
        "AgendaItem",
        verbose_name=_("current item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    adjourned_at = models.DateTimeField(_("adjourned at"), null=True, blank=True)
    # Bumped by every action; each push carries it so a client can drop stale updates.
    version = models.PositiveBigIntegerField(default=0)
    # The organization's quorum rule holds unless this meeting overrides it (blank: inherit).
    quorum_rule = models.CharField(
        _("quorum rule"), max_length=10, choices=QuorumRule.choices, blank=True
    )
    quorum_numerator = models.PositiveSmallIntegerField(
        _("quorum share: numerator"), null=True, blank=True
    )
    quorum_denominator = models.PositiveSmallIntegerField(
        _("quorum share: denominator"), null=True, blank=True
    )
    quorum_count = models.PositiveIntegerField(
        _("quorum: number of voting members"), null=True, blank=True
    )
    progressive_stack = models.CharField(
        _("progressive stack"),
        max_length=10,
        choices=ProgressiveStack.choices,
        default=ProgressiveStack.OFF,
    )
    projector_shows_names = models.BooleanField(
        _("show speakers' names on the projector"), default=True
    )
    speaking_limit_seconds = models.PositiveSmallIntegerField(
        _("speaking time limit (seconds, 0 for none)"), default=120
    )
    bilingual = models.BooleanField(_("bilingual meeting"), default=False)
    # The language the agenda and decisions are written in; on a bilingual meeting each may also
    # carry a translation into the other one, and every reader sees their own language first.
    language = models.CharField(
        _("the agenda is written in"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    # Kept when the meeting adjourns, so the minutes outlive the attendance records they count.
    speaking_stats = models.JSONField(_("speaking statistics"), default=dict, blank=True)
    attendance_stats = models.JSONField(_("attendance, counted"), default=dict, blank=True)
    minutes_published_at = models.DateTimeField(_("minutes published"), null=True, blank=True)
    # Approved by a decision at a later meeting ("approve the minutes of <date>"): which one.
    minutes_approved_at = models.DateTimeField(_("minutes approved"), null=True, blank=True)
    minutes_approved_in = models.ForeignKey(
        "self",
        verbose_name=_("minutes approved at"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="minutes_approved",
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["draft", "scheduled", "live", "adjourned", "published"]
                ),
                name="meeting_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def dated_title(self) -> str:
        """The title with its day, as lists of earlier meetings name it: "May assembly (May 6)"."""
        moment = self.starts_at or self.adjourned_at
        if moment is None:
            return self.title
        when = formats.date_format(timezone.localtime(moment), "DATE_FORMAT")
        return f"{self.title} ({when})"

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.LIVE

    def quorum_required(self, voting_members: int) -> int:
        """Voting members who must be present, under this meeting's rule or else its body's."""
        org = self.organization
        rule = self.quorum_rule or org.quorum_rule
        if rule == QuorumRule.COUNT:
            return self.quorum_count if self.quorum_count is not None else org.quorum_count
        if rule == QuorumRule.FRACTION:
            num = self.quorum_numerator or org.quorum_numerator
            den = self.quorum_denominator or org.quorum_denominator
            return -(-num * voting_members // den)  # the ceiling, in integers
        return voting_members // 2 + 1

    def attendance_summary(self) -> dict[str, Any]:
        """Who is here and whether they make quorum, as the room and the minutes show it."""
        # Counted by the database: a hall's thousand rows are four (pushed with every ballot
        # burst's turnout, read in Python this cost a millisecond or two each time).
        present = self.attendees.present().order_by().values_list("kind", "may_vote")
        counts = Counter(
            {(kind, may_vote): n for kind, may_vote, n in present.annotate(Count("pk"))}
        )
        voting = counts[("member", True)] + counts[("guest", True)]
        voting_members = self.organization.voting_members()
        required = self.quorum_required(voting_members)
        return {
            "present": sum(counts.values()),
            "voting": voting,
            # Absent members' votes carried by someone present: they vote, but (as most bylaws
            # have it) do not make quorum.
            "proxies": self.proxies.usable().count(),
            "guests": counts[("guest", True)] + counts[("guest", False)],
            "waiting": self.attendees.waiting().count(),
            "voting_members": voting_members,
            "quorum_required": required,
            "quorum_held": voting >= required,
        }

    def bump_version(self) -> None:
        """Count one more change; the database increments, so racing actions can't collide.
        One statement that says the new number (RETURNING: SQLite 3.35+, PostgreSQL): every
        change to the room pays for it, and the ORM's update and re-read cost four times its
        Python (make bench's click)."""
        table = connection.ops.quote_name(Meeting._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET version = version + 1 WHERE id = %s RETURNING version",
                [self.pk],
            )
            (self.version,) = cursor.fetchone()

    def next_item(self) -> AgendaItem | None:
        items = self.items.filter(parked=False)
        if self.current_item is None:
            return items.first()
        return items.filter(position__gt=self.current_item.position).first()


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report", _("Report")
        DISCUSSION = "discussion", _("Discussion")
        PROPOSAL = "proposal", _("Proposal")
        ELECTION = "election", _("Election")
        BREAK = "break", _("Break")
        REVIEW = "review", _("Review action items")
        APPROVE_MINUTES = "approve_minutes", _("Approve the minutes")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DISCUSSION)
    description = models.TextField(_("description"), blank=True)
    title_translation = models.CharField(
        _("title in the other language"), max_length=200, blank=True
    )
    description_translation = models.TextField(_("description in the other language"), blank=True)
    # The secretary's notes, written during the meeting: they become this item's minutes.
    notes = models.TextField(_("notes"), blank=True)
    timebox_minutes = models.PositiveSmallIntegerField(
        _("timebox (minutes)"),
        default=10,
        validators=[MinValueValidator(TIMEBOX_MIN), MaxValueValidator(TIMEBOX_MAX)],
    )
    presenter = models.CharField(_("presenter"), max_length=120, blank=True)
    parked = models.BooleanField(_("in the parking lot"), default=False)
    # An "approve the minutes of <date>" item: the earlier meeting whose minutes it approves.
    minutes_of = models.ForeignKey(
        Meeting,
        verbose_name=_("approves the minutes of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approval_items",
    )
    stack_closed = models.BooleanField(_("speakers' list closed"), default=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.ended_at is not None

    @property
    def number(self) -> int:
        return self.position

    @property
    def deadline(self) -> datetime | None:
        if self.started_at is None or not self.timebox_minutes:
            return None
        return self.started_at + timedelta(minutes=self.timebox_minutes)
