"""The speakers' stack: hands raised by kind, in the order the meeting agreed on."""

from __future__ import annotations

from collections import Counter

from django.db import models
from django.utils.translation import gettext_lazy as _

from assembly.models.attendance import Attendee
from assembly.models.meetings import AgendaItem, Meeting, ProgressiveStack


class SpeakerRequest(models.Model):
    class Kind(models.TextChoices):
        # In priority order: a point of process goes before everything else.
        PROCESS = "process", _("Point of process")
        INFORMATION = "information", _("Point of information")
        CLARIFYING = "clarifying", _("Clarifying question")
        RESPONSE = "response", _("Direct response")
        SPEAK = "speak", _("Speak")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        SPEAKING = "speaking", _("Speaking")
        DONE = "done", _("Done")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REMOVED = "removed", _("Removed by the facilitator")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="speaker_requests")
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="speaker_requests")
    attendee = models.ForeignKey(
        Attendee, on_delete=models.CASCADE, related_name="speaker_requests"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    # Set when the facilitator moves someone up or down; it overrides the computed order.
    manual_rank = models.IntegerField(null=True, blank=True)
    started_at = models.DateTimeField(_("started speaking"), null=True, blank=True)
    ended_at = models.DateTimeField(_("stopped speaking"), null=True, blank=True)
    # Not stored: set by queue_for on the hands it orders (kind's priority, has spoken).
    tier: tuple[int, bool]

    class Meta:
        verbose_name = _("speaker request")
        verbose_name_plural = _("speaker requests")
        ordering = ["raised_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "attendee", "kind"],
                condition=models.Q(status="waiting"),
                name="one_waiting_hand_per_kind",
            ),
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(status="speaking"), name="one_speaker_at_a_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attendee} ({self.get_kind_display()})"

    @property
    def seconds_spoken(self) -> int:
        if self.started_at is None or self.ended_at is None:
            return 0
        return int((self.ended_at - self.started_at).total_seconds())


class TemperatureCheck(models.Model):
    """A quick, anonymous show of twinkles: agree, unsure, disagree. Not a decision."""

    class Value(models.TextChoices):
        AGREE = "agree", _("Agree")
        UNSURE = "unsure", _("Unsure")
        DISAGREE = "disagree", _("Disagree")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="temperature_checks"
    )
    item = models.ForeignKey(AgendaItem, on_delete=models.SET_NULL, null=True, blank=True)
    question = models.CharField(_("question"), max_length=200, blank=True)
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The counts, kept when the meeting adjourns: the answers go with the attendance records
    # (`manage.py purge`), the minutes keep these.
    counts = models.JSONField(_("counts"), default=dict, blank=True)

    class Meta:
        verbose_name = _("temperature check")
        verbose_name_plural = _("temperature checks")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting"],
                condition=models.Q(closed_at__isnull=True),
                name="one_open_temperature_check",
            ),
        ]

    def __str__(self) -> str:
        return self.question or str(_("Temperature check"))

    def tally(self) -> dict[str, int]:
        """How many answered each way: the kept counts, else the answers as they stand."""
        if self.counts:
            return {value: int(self.counts.get(value, 0)) for value in self.Value.values}
        answers = Counter(self.responses.values_list("value", flat=True))
        return {value: answers[value] for value in self.Value.values}


class TemperatureResponse(models.Model):
    # Linked to the attendee only so each person counts once and may change their mind;
    # the room sees counts only.
    temperature_check = models.ForeignKey(
        TemperatureCheck, on_delete=models.CASCADE, related_name="responses"
    )
    attendee = models.ForeignKey(Attendee, on_delete=models.CASCADE, related_name="+")
    value = models.CharField(max_length=10, choices=TemperatureCheck.Value.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["temperature_check", "attendee"], name="one_response_per_check"
            ),
        ]

    def __str__(self) -> str:
        return self.get_value_display()


KIND_PRIORITY = {kind: rank for rank, kind in enumerate(SpeakerRequest.Kind.values)}
UNRANKED = 10**9


def queue_for(
    item: AgendaItem,
    meeting: Meeting | None = None,
    waiting: list[SpeakerRequest] | None = None,
) -> list[SpeakerRequest]:
    """The waiting hands for `item`, in speaking order (`meeting`: the item's, when the caller
    holds it already, a query fewer; `waiting`: its waiting hands, when the caller read them).

    By kind first (point of process, information, clarifying question, direct response, speak);
    then, with progressive stack on, those who have not yet spoken (on this item, or in this
    meeting) before those who have; then the facilitator's moves; then first come, first served.
    """
    meeting = item.meeting if meeting is None else meeting
    if waiting is None:
        waiting = list(
            SpeakerRequest.objects.filter(item=item, status=SpeakerRequest.Status.WAITING)
            .select_related("attendee")
            .order_by("raised_at", "id")
        )
    spoken: set[int] = set()
    if meeting.progressive_stack != ProgressiveStack.OFF and waiting:
        scope = SpeakerRequest.objects.filter(
            meeting=meeting,
            status__in=[SpeakerRequest.Status.SPEAKING, SpeakerRequest.Status.DONE],
        )
        if meeting.progressive_stack == ProgressiveStack.ITEM:
            scope = scope.filter(item=item)
        spoken = set(scope.values_list("attendee_id", flat=True))

    for request in waiting:
        # Requests of one tier may be reordered by the facilitator; tiers never mix.
        request.tier = (KIND_PRIORITY[request.kind], request.attendee_id in spoken)

    def key(request: SpeakerRequest) -> tuple:
        rank = request.manual_rank if request.manual_rank is not None else UNRANKED
        return (request.tier, rank, request.raised_at, request.pk)

    return sorted(waiting, key=key)


def speaking_stats(meeting: Meeting) -> dict[str, int]:
    """Counts for the minutes, never names: who spoke, who spoke for the first time, and how
    much of the speaking time the three most frequent speakers took."""
    turns = SpeakerRequest.objects.filter(
        meeting=meeting, status=SpeakerRequest.Status.DONE, started_at__isnull=False
    ).select_related("attendee")
    by_person: dict[int, list[int]] = {}
    members: dict[int, int | None] = {}
    for turn in turns:
        by_person.setdefault(turn.attendee_id, []).append(turn.seconds_spoken)
        members[turn.attendee_id] = turn.attendee.membership_id
    spoke_before = (
        set(
            SpeakerRequest.objects.filter(
                meeting__organization_id=meeting.organization_id,
                meeting__started_at__lt=meeting.started_at,
                status=SpeakerRequest.Status.DONE,
                attendee__membership__isnull=False,
            ).values_list("attendee__membership_id", flat=True)
        )
        if meeting.started_at
        else set()
    )
    total = sum(sum(times) for times in by_person.values())
    frequent = sorted(by_person.values(), key=lambda times: (len(times), sum(times)), reverse=True)
    top_seconds = sum(sum(times) for times in frequent[:3])
    return {
        "speakers": len(by_person),
        "first_time_speakers": sum(
            1
            for person, membership in members.items()
            if membership is None or membership not in spoke_before
        ),
        "turns": sum(len(times) for times in by_person.values()),
        "speaking_seconds": total,
        "top3_share_percent": round(100 * top_seconds / total) if total else 0,
    }
