"""Changes to an assembly body and its roll: creating it, roles and votes, invitations, imports.

Each is one transaction that writes an audit entry, since who may vote is the heart of an
assembly's legitimacy. A change to who may vote or to the quorum rule moves the quorum that a
meeting in session shows, so those tell its room (`_quorum_changed`).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from assembly import live
from assembly.actions.audit import record
from assembly.actions.errors import ActionError
from assembly.live import Part
from assembly.models import Invitation, Membership, Organization, Role, User
from assembly.models.organizations import SETTINGS_FIELDS, RollRow

logger = logging.getLogger(__name__)

SLUG_MAX = 50


class AlreadyMember(ActionError):
    """The person accepting an invitation is on the roll already; nothing was changed."""


def _locked(organization: Organization) -> Organization:
    # Roll changes take the organization's row first, so two admins demoting each other at
    # once cannot both succeed and leave the body without an admin.
    return Organization.objects.select_for_update().get(pk=organization.pk)


def _quorum_changed(organization: Organization, *also: Part) -> None:
    """The voting roll or the quorum rule changed: each meeting not yet adjourned shows its
    quorum again (a meeting's own rule may not depend on the body's, but its count of members
    does; people check in before the start)."""
    live.changed_in_body(organization.pk, parts=(Part.ATTENDANCE, *also))


def _other_admins(membership: Membership) -> bool:
    return (
        Membership.objects.filter(organization_id=membership.organization_id, role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    )


def _slug_candidates(name: str) -> Iterable[str]:
    base = slugify(name)[:SLUG_MAX].strip("-") or "assembly"
    yield base
    for number in range(2, 1000):
        suffix = f"-{number}"
        yield base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix


@transaction.atomic(durable=True)
def create(*, name: str, by: User) -> Organization:
    """A new assembly body, with its creator as its first admin."""
    taken = set(
        Organization.objects.filter(
            slug__startswith=slugify(name)[:SLUG_MAX] or "assembly"
        ).values_list("slug", flat=True)
    )
    for slug in _slug_candidates(name):
        if slug in taken:
            continue
        try:
            with transaction.atomic():
                organization = Organization.objects.create(name=name, slug=slug)
        except IntegrityError:  # someone took the same slug a moment ago
            continue
        break
    else:
        raise ActionError(_("Too many assembly bodies have this name. Choose another name."))
    Membership.objects.create(
        organization=organization, user=by, name=str(by), email=by.email, role=Role.ADMIN
    )
    record(
        organization=organization,
        by=by,
        action="organization.created",
        details={"name": name, "slug": organization.slug},
    )
    return organization


@transaction.atomic(durable=True)
def update_settings(
    *, organization: Organization, changes: dict[str, Any], by: User
) -> Organization:
    organization = _locked(organization)
    changed = {}
    for field in SETTINGS_FIELDS:
        if field in changes and getattr(organization, field) != changes[field]:
            changed[field] = [getattr(organization, field), changes[field]]
            setattr(organization, field, changes[field])
    if changed:
        organization.save(update_fields=list(changed))
        record(
            organization=organization,
            by=by,
            action="organization.settings_changed",
            details={"changes": changed},
        )
        _quorum_changed(organization)
    return organization


@transaction.atomic(durable=True)
def change_member(
    *,
    membership: Membership,
    role: str,
    may_vote: bool,
    by: User,
    withhold_name: bool | None = None,
) -> bool:
    """Set a person's role and vote; refuses to leave the body without an admin."""
    organization = _locked(membership.organization)
    membership = Membership.objects.get(pk=membership.pk, organization=organization)
    if role not in Role.values:
        raise ActionError(_("That is not a role."))
    if membership.role == Role.ADMIN and role != Role.ADMIN and not _other_admins(membership):
        raise ActionError(
            _(
                "%(name)s is the only admin. Make someone else an admin first, so the "
                "assembly is never left without one."
            )
            % {"name": membership.display_name}
        )
    who = {"membership": membership.pk, "name": membership.display_name}
    changed = False
    if membership.role != role:
        record(
            organization=organization,
            by=by,
            action="member.role_changed",
            details=dict(**who, old=membership.role, new=role),
        )
        membership.role = role
        changed = True
    if membership.may_vote != may_vote:
        record(
            organization=organization,
            by=by,
            action="member.vote_changed",
            details=dict(**who, old=membership.may_vote, new=may_vote),
        )
        membership.may_vote = may_vote
        changed = True
    withheld = withhold_name is not None and membership.withhold_name != withhold_name
    if withhold_name is not None and withheld:
        record(
            organization=organization,
            by=by,
            action="member.name_withheld",
            details=dict(**who, new=withhold_name),
        )
        membership.withhold_name = withhold_name
        changed = True
    if changed:
        membership.save(update_fields=["role", "may_vote", "withhold_name"])
        # A name withheld: earlier minutes' action items under review show it withheld now.
        _quorum_changed(organization, *((Part.ACTION_REVIEW,) if withheld else ()))
    return changed


@transaction.atomic(durable=True)
def set_name_withheld(*, membership: Membership, withhold: bool, by: User) -> None:
    """A member's own choice: keep their name out of the minutes (or not)."""
    if membership.withhold_name == withhold:
        return
    Membership.objects.filter(pk=membership.pk).update(withhold_name=withhold)
    membership.withhold_name = withhold
    record(
        organization=membership.organization,
        by=by,
        action="member.name_withheld",
        details={"membership": membership.pk, "new": withhold},
    )
    # Earlier minutes' action items under review in a meeting show the name withheld now.
    live.changed_in_body(membership.organization_id, parts=(Part.ACTION_REVIEW,))


@transaction.atomic(durable=True)
def remove_member(*, membership: Membership, by: User) -> None:
    organization = _locked(membership.organization)
    membership = Membership.objects.get(pk=membership.pk, organization=organization)
    if membership.role == Role.ADMIN and not _other_admins(membership):
        raise ActionError(
            _("%(name)s is the only admin and can't be removed. Make someone else an admin first.")
            % {"name": membership.display_name}
        )
    record(
        organization=organization,
        by=by,
        action="member.removed",
        details={
            "membership": membership.pk,
            "name": membership.display_name,
            "role": membership.role,
        },
    )
    membership.delete()
    _quorum_changed(organization)


def _new_entry(
    organization: Organization, *, name: str, email: str, may_vote: bool, role: str
) -> Membership:
    # Someone with an account under this email gets their roll entry linked to it.
    user = User.objects.filter(email__iexact=email).first() if email else None
    return Membership(
        organization=organization, user=user, name=name, email=email, may_vote=may_vote, role=role
    )


@transaction.atomic(durable=True)
def add_person(
    *, organization: Organization, name: str, email: str, may_vote: bool, by: User
) -> Membership:
    """Put someone on the roll by hand: a member without a phone, or not yet invited."""
    organization = _locked(organization)
    email = email.strip().lower()
    if email and organization.memberships.on_roll([email]):
        raise ActionError(_("Someone with this email is already on the roll."))
    entry = _new_entry(organization, name=name, email=email, may_vote=may_vote, role=Role.MEMBER)
    entry.save()
    record(
        organization=organization,
        by=by,
        action="member.added",
        details={
            "membership": entry.pk,
            "name": name,
            "may_vote": may_vote,
            "linked_account": entry.user_id is not None,
        },
    )
    _quorum_changed(organization)
    return entry


@transaction.atomic(durable=True)
def import_roll(*, organization: Organization, rows: list[RollRow], by: User) -> list[Membership]:
    """Add every row of a checked file to the roll, or none if the roll changed meanwhile."""
    organization = _locked(organization)
    taken = organization.memberships.on_roll([row.email for row in rows if row.email])
    clashes = [row for row in rows if row.email in taken]
    if clashes:
        raise ActionError(
            _("Nothing was imported: %(email)s (line %(line)d) was added to the roll meanwhile.")
            % {"email": clashes[0].email, "line": clashes[0].line}
        )
    entries = [
        _new_entry(organization, name=r.name, email=r.email, may_vote=r.may_vote, role=r.role)
        for r in rows
    ]
    Membership.objects.bulk_create(entries)
    record(
        organization=organization,
        by=by,
        action="roll.imported",
        details={
            "people": len(entries),
            "voting": sum(entry.may_vote for entry in entries),
            "linked_accounts": sum(entry.user_id is not None for entry in entries),
        },
    )
    _quorum_changed(organization)
    return entries


@transaction.atomic(durable=True)
def record_export(*, organization: Organization, by: User) -> None:
    """The roll is personal data; who took a copy of it, and when, is kept."""
    record(organization=organization, by=by, action="roll.exported", details={})


@transaction.atomic(durable=True)
def invite(
    *,
    organization: Organization,
    role: str,
    may_vote: bool,
    email: str,
    expires_in_days: int,
    by: User,
) -> Invitation:
    invitation = Invitation.objects.create(
        organization=organization,
        role=role,
        may_vote=may_vote,
        email=email.strip().lower(),
        created_by=by,
        expires_at=timezone.now() + timedelta(days=expires_in_days),
    )
    record(
        organization=organization,
        by=by,
        action="invitation.created",
        details={
            "invitation": invitation.pk,
            "role": role,
            "may_vote": may_vote,
            "emailed": bool(invitation.email),
        },
    )
    return invitation


def send_invitation(*, invitation: Invitation, link: str) -> bool:
    """Mail the link to the invitation's address; False if the mail could not go out.

    Outside any transaction: the invitation stands even if the mail server is down, and the
    admin can copy the link instead.
    """
    organization = invitation.organization
    values = {
        "organization": organization.name,
        "role": invitation.get_role_display(),
        "inviter": str(invitation.created_by) if invitation.created_by else "Asamblea",
        "link": link,
        "expires": date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT"),
    }
    subject = _("Invitation to %(organization)s") % values
    body = (
        _(
            "%(inviter)s invites you to join %(organization)s on Asamblea as %(role)s.\n"
            "\n"
            "Open this link to accept:\n"
            "%(link)s\n"
            "\n"
            "The link works once and until %(expires)s. If you did not expect this message, "
            "you can ignore it."
        )
        % values
    )
    try:
        send_mail(subject, body, None, [invitation.email])
    except (OSError, smtplib.SMTPException):
        logger.exception("Could not mail invitation %s", invitation.pk)
        return False
    return True


@transaction.atomic(durable=True)
def revoke_invitation(*, invitation: Invitation, by: User) -> None:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ActionError(
            _("This invitation was already accepted; change the person's role instead.")
        )
    if invitation.revoked:
        return
    invitation.revoked = True
    invitation.save(update_fields=["revoked"])
    record(
        organization=invitation.organization,
        by=by,
        action="invitation.revoked",
        details={"invitation": invitation.pk},
    )


def why_unusable(invitation: Invitation) -> str | None:
    """What to tell someone opening a link that no longer works, or None if it works."""
    if invitation.revoked:
        return _("This invitation was withdrawn. Ask whoever sent it for a new one.")
    if invitation.accepted_at is not None:
        return _("This invitation has already been used. Ask whoever sent it for a new one.")
    if invitation.expires_at <= timezone.now():
        return _("This invitation has expired. Ask whoever sent it for a new one.")
    return None


@transaction.atomic(durable=True)
def accept_invitation(*, invitation: Invitation, user: User) -> Membership:
    """Put the person on the roll with the invitation's role and vote; the link is then spent.

    If the roll already lists them by email (imported, or added by hand), that entry is linked
    to their account rather than doubled.
    """
    invitation = (
        Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
    )
    problem = why_unusable(invitation)
    if problem:
        raise ActionError(problem)
    organization = _locked(invitation.organization)
    if Membership.objects.filter(organization=organization, user=user).exists():
        raise AlreadyMember(
            _("You are already a member of %(organization)s. Nothing was changed.")
            % {"organization": organization.name}
        )
    on_roll = (
        Membership.objects.filter(organization=organization, user__isnull=True)
        .annotate(lowered=Lower("email"))
        .filter(lowered=user.email.lower())
        .first()
    )
    linked = on_roll is not None
    entry: Membership = on_roll or Membership(
        organization=organization, name=str(user), email=user.email
    )
    entry.user = user
    entry.role = invitation.role
    entry.may_vote = invitation.may_vote
    entry.save()
    invitation.accepted_by = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_by", "accepted_at"])
    record(
        organization=organization,
        by=user,
        action="invitation.accepted",
        details={
            "invitation": invitation.pk,
            "membership": entry.pk,
            "role": entry.role,
            "may_vote": entry.may_vote,
            "linked_roll_entry": linked,
        },
    )
    _quorum_changed(organization)
    return entry
