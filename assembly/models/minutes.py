"""What an organization keeps between meetings: the action items a meeting gave out, and how
each was reviewed at a later one; the corrections made to the minutes before they were approved."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assembly.models.decisions import Decision
from assembly.models.meetings import AgendaItem, Meeting
from assembly.models.organizations import Membership, Organization


class ActionItemQuerySet(models.QuerySet["ActionItem"]):
    def still_open(self) -> ActionItemQuerySet:
        """Not yet done or dropped: what the next meeting reviews."""
        return self.filter(status__in=[ActionItem.Status.OPEN, ActionItem.Status.MOVED])


class ActionItem(models.Model):
    """Something a meeting asked someone to do: what, who, by when, from which item."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        MOVED = "moved", _("Moved to the next meeting")
        DROPPED = "dropped", _("Dropped")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="action_items"
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items"
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items"
    )
    what = models.CharField(_("what"), max_length=300)
    # A member of the roll, or a name the secretary typed (someone not on it).
    assignee = models.ForeignKey(
        Membership,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
    )
    assignee_name = models.CharField(_("who, if not on the roll"), max_length=80, blank=True)
    due = models.DateField(_("by when"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "done", "moved", "dropped"]),
                name="action_item_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.what

    def who_shown(self, redact: Callable[[str], str]) -> str:
        """The name as published (minutes, the room, the PDF): the person's, unless they asked
        to keep it out of the minutes or the name typed holds a withheld one; then "a member"."""
        name = self.who_written
        if not name:
            return ""
        if self.assignee is not None and self.assignee.withhold_name:
            return gettext("a member")
        return name if redact(name) == name else gettext("a member")

    @property
    def who_written(self) -> str:
        """The name as the secretary gave it (for the secretary and the assignee only)."""
        if self.assignee is not None:
            return self.assignee.display_name
        return self.assignee_name


class ActionItemReview(models.Model):
    """How a later meeting found an action item: done, moved on, or dropped."""

    action_item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="reviews")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reviews")
    outcome = models.CharField(_("outcome"), max_length=10, choices=ActionItem.Status.choices)
    at = models.DateTimeField(_("reviewed"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["action_item", "meeting"], name="one_review_per_meeting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action_item}: {self.outcome}"


class NotesCorrection(models.Model):
    """The notes of an item as they stood before a correction made after the meeting adjourned
    and before the minutes were approved: the assembly can see what changed."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="corrections")
    before = models.TextField(_("before"))
    after = models.TextField(_("after"))
    at = models.DateTimeField(_("corrected"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return str(self.item)
