"""People and the assembly bodies they belong to."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account. Email is the login; the display name is all we show."""

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        # Never the email, not even its first part: that alone can identify someone.
        return self.display_name or gettext("Member")


class QuorumRule(models.TextChoices):
    MAJORITY = "majority", _("More than half of the voting members")
    FRACTION = "fraction", _("A share of the voting members")
    COUNT = "count", _("A fixed number of voting members")


class TieRule(models.TextChoices):
    """How an election's count breaks a tie its numbers leave (assembly.counting)."""

    USUAL = "usual", _("The count's own rule: earlier rounds first, then a lot it draws itself")
    CANDIDATE_ORDER = (
        "candidate_order",
        _("Earlier rounds first, then the order of the candidates on the ballot"),
    )
    ROOM_LOT = "room_lot", _("By lot, drawn by the facilitator in the room: the count pauses")


class Organization(models.Model):
    """An assembly body: a union local, a tenant union, a neighbourhood assembly."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    quorum_rule = models.CharField(
        _("quorum rule"), max_length=10, choices=QuorumRule.choices, default=QuorumRule.MAJORITY
    )
    quorum_numerator = models.PositiveSmallIntegerField(_("quorum share: numerator"), default=1)
    quorum_denominator = models.PositiveSmallIntegerField(_("quorum share: denominator"), default=2)
    quorum_count = models.PositiveIntegerField(_("quorum: number of voting members"), default=0)
    proxies_allowed = models.BooleanField(_("proxy votes allowed"), default=False)
    proxy_limit = models.PositiveSmallIntegerField(_("proxies one person may carry"), default=1)
    # Members may always propose from the floor; admitted guests only where the body allows it.
    guests_may_propose = models.BooleanField(_("guests may make proposals"), default=False)
    retention_days = models.PositiveSmallIntegerField(
        _("days to keep attendance after a meeting"), default=30
    )
    election_ties = models.CharField(
        _("ties in elections"), max_length=16, choices=TieRule.choices, default=TieRule.USUAL
    )

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def voting_members(self) -> int:
        return self.memberships.filter(may_vote=True).exclude(role=Role.OBSERVER).count()


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    FACILITATOR = "facilitator", _("Facilitator")
    SECRETARY = "secretary", _("Secretary")
    MEMBER = "member", _("Member")
    OBSERVER = "observer", _("Observer")


# What an admin sets on an assembly body (the settings form, the action that writes them).
SETTINGS_FIELDS = (
    "name",
    "quorum_rule",
    "quorum_numerator",
    "quorum_denominator",
    "quorum_count",
    "proxies_allowed",
    "proxy_limit",
    "guests_may_propose",
    "retention_days",
    "election_ties",
)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def on_roll(self, emails: list[str]) -> set[str]:
        """Which of these (lowercased) emails already belong to someone on this roll, with or
        without an account."""
        if not emails:
            return set()
        found = self.annotate(lowered=Lower("email")).filter(
            Q(lowered__in=emails) | Q(user__email__in=emails)
        )
        lowered = set(emails)
        taken: set[str] = set()
        for email, account_email in found.values_list("email", "user__email"):
            taken.update(e.lower() for e in (email, account_email or "") if e.lower() in lowered)
        return taken


@dataclass(frozen=True)
class RollRow:
    """One person of a roll being imported, as read and checked (forms.organizations.parse_roll)
    and as written (actions.organizations.import_roll): here, so neither imports the other."""

    line: int
    name: str
    email: str
    may_vote: bool
    role: str


class Membership(models.Model):
    """A person on an organization's roll: their role and whether they may vote.

    The roll may hold people without an account (imported from a list, or members without a
    phone); `user` links the entry to an account once the person has one.
    """

    Role = Role

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    name = models.CharField(_("name"), max_length=80, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    may_vote = models.BooleanField(_("may vote"), default=True)
    # Where being identified is a danger: the published minutes withhold this person's name.
    withhold_name = models.BooleanField(_("keep my name out of the minutes"), default=False)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"],
                condition=models.Q(user__isnull=False),
                name="one_membership_per_org",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or (str(self.user) if self.user else self.email)


def new_invitation_token() -> str:
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    """A link that makes whoever opens it (signed in) a member with the given role."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    token = models.CharField(max_length=40, unique=True, default=new_invitation_token)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    may_vote = models.BooleanField(_("may vote"), default=True)
    email = models.EmailField(_("email address"), blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organization}: {self.get_role_display()}"

    def is_usable(self, now: datetime) -> bool:
        return not self.revoked and self.accepted_at is None and self.expires_at > now
