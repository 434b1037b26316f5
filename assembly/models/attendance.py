"""Who is in the room: members checked in, guests by display name only, and proxies.

These records are personal data kept only as long as the organization's retention period
(`manage.py purge`); the minutes and tallies keep counts, never these rows.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assembly.models.meetings import Meeting
from assembly.models.organizations import Membership


def new_attendee_token() -> str:
    return secrets.token_urlsafe(18)


# Guests waiting at the door at once. The facilitator lets them in one by one, so a real hall
# never comes near this; a script sending hundreds of joins is stopped here, whatever its
# addresses, and the console offers to turn everyone waiting away.
WAITING_GUESTS_MAX = 100


class AttendeeQuerySet(models.QuerySet["Attendee"]):
    def present(self) -> AttendeeQuerySet:
        return self.filter(status=Attendee.Status.PRESENT)

    def voting(self) -> AttendeeQuerySet:
        return self.present().filter(may_vote=True)

    def waiting(self) -> AttendeeQuerySet:
        return self.filter(status=Attendee.Status.WAITING)


class Attendee(models.Model):
    class Kind(models.TextChoices):
        MEMBER = "member", _("Member")
        GUEST = "guest", _("Guest")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting to be admitted")
        PRESENT = "present", _("Present")
        LEFT = "left", _("Left")
        REMOVED = "removed", _("Removed")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attendances",
    )
    # The roll entry of a member (with or without an account); empty for guests.
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, null=True, blank=True, related_name="attendances"
    )
    display_name = models.CharField(_("display name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    may_vote = models.BooleanField(_("may vote"), default=False)
    # A guest's only key: kept in their session, never shown. Also names their personal group.
    token = models.CharField(max_length=32, unique=True, default=new_attendee_token)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by_hand = models.BooleanField(_("checked in by the secretary"), default=False)
    has_device = models.BooleanField(_("has a device"), default=True)
    # The meeting's version when this person's own part last changed (live.publish_personal*):
    # a phone that reopens showing a later version already has it, and is not sent it again.
    personal_version = models.PositiveBigIntegerField(default=0, editable=False)

    objects = AttendeeQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["display_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=models.Q(user__isnull=False),
                name="one_attendance_per_account",
            ),
            models.UniqueConstraint(
                fields=["meeting", "membership"],
                condition=models.Q(membership__isnull=False),
                name="one_attendance_per_member",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_guest(self) -> bool:
        return self.kind == self.Kind.GUEST

    @property
    def is_present(self) -> bool:
        return self.status == self.Status.PRESENT


class ProxyQuerySet(models.QuerySet["Proxy"]):
    def usable(self) -> ProxyQuerySet:
        """Proxies whose holder is in the room with a vote: only those can be voted."""
        return self.filter(holder__status=Attendee.Status.PRESENT, holder__may_vote=True)


class Proxy(models.Model):
    """A present attendee carrying the vote of an absent member, as the bylaws allow."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="proxies")
    holder = models.ForeignKey(Attendee, on_delete=models.CASCADE, related_name="proxies_held")
    absent_member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProxyQuerySet.as_manager()

    class Meta:
        verbose_name = _("proxy")
        verbose_name_plural = _("proxies")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "absent_member"], name="one_proxy_per_absent_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder} → {self.absent_member.user}"
