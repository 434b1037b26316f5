"""Changes to an assembly body and its roll: each writes its audit entry, none strands it."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from assembly.actions import ActionError
from assembly.actions import organizations as actions
from assembly.live import Part
from assembly.models import (
    AuditEntry,
    Invitation,
    Meeting,
    Membership,
    Organization,
    Role,
    User,
)
from tests.conftest import make_person


@pytest.fixture
def admin(organization) -> User:
    return make_person(organization, "ada@example.org", Role.ADMIN)


def entry(user: User, organization: Organization) -> Membership:
    return Membership.objects.get(user=user, organization=organization)


def audit_actions(organization: Organization) -> list[str]:
    return list(organization.audit_entries.values_list("action", flat=True))


def invitation_for(organization, admin, **fields) -> Invitation:
    fields.setdefault("expires_at", timezone.now() + timedelta(days=14))
    return Invitation.objects.create(organization=organization, created_by=admin, **fields)


def test_create_makes_the_creator_its_admin(db):
    founder = User.objects.create_user("founder@example.org", "x", display_name="Nia")
    organization = actions.create(name="Sindicato de Inquilinos", by=founder)
    assert organization.slug == "sindicato-de-inquilinos"
    assert entry(founder, organization).role == Role.ADMIN
    assert entry(founder, organization).name == "Nia"
    assert audit_actions(organization) == ["organization.created"]


def test_create_gives_each_body_its_own_slug(db, organization):
    founder = User.objects.create_user("founder@example.org", "x")
    first = actions.create(name="Inquilinos", by=founder)
    second = actions.create(name="Inquilinos", by=founder)
    assert {organization.slug, first.slug, second.slug} == {
        "inquilinos",
        "inquilinos-2",
        "inquilinos-3",
    }


def test_create_finds_a_slug_for_a_name_without_latin_letters(db):
    founder = User.objects.create_user("founder@example.org", "x")
    assert actions.create(name="Ассамблея", by=founder).slug == "assembly"


def test_change_member_sets_role_and_vote_and_audits_each(organization, admin, member):
    changed = actions.change_member(
        membership=entry(member, organization), role=Role.SECRETARY, may_vote=False, by=admin
    )
    assert changed
    updated = entry(member, organization)
    assert (updated.role, updated.may_vote) == (Role.SECRETARY, False)
    role_change = AuditEntry.objects.get(action="member.role_changed")
    assert role_change.actor == admin
    assert role_change.details["old"] == "member"
    assert role_change.details["new"] == "secretary"
    assert AuditEntry.objects.filter(action="member.vote_changed").count() == 1


def test_change_member_without_a_change_writes_nothing(organization, admin, member):
    changed = actions.change_member(
        membership=entry(member, organization), role=Role.MEMBER, may_vote=True, by=admin
    )
    assert not changed
    assert not AuditEntry.objects.exists()


def test_change_member_refuses_to_demote_the_last_admin(organization, admin):
    with pytest.raises(ActionError, match="only admin"):
        actions.change_member(
            membership=entry(admin, organization), role=Role.MEMBER, may_vote=True, by=admin
        )
    assert entry(admin, organization).role == Role.ADMIN
    assert not AuditEntry.objects.exists()


def test_change_member_lets_an_admin_step_down_when_another_remains(organization, admin):
    second = make_person(organization, "bea@example.org", Role.ADMIN)
    actions.change_member(
        membership=entry(admin, organization), role=Role.MEMBER, may_vote=True, by=admin
    )
    assert entry(admin, organization).role == Role.MEMBER
    assert entry(second, organization).role == Role.ADMIN


def test_remove_member_takes_them_off_the_roll(organization, admin, member):
    actions.remove_member(membership=entry(member, organization), by=admin)
    assert not Membership.objects.filter(user=member).exists()
    removal = AuditEntry.objects.get(action="member.removed")
    assert removal.details["name"] == "Lupe"


def test_remove_member_refuses_the_last_admin(organization, admin):
    with pytest.raises(ActionError, match="only admin"):
        actions.remove_member(membership=entry(admin, organization), by=admin)
    assert Membership.objects.filter(user=admin).exists()


def test_add_person_puts_someone_without_an_account_on_the_roll(organization, secretary):
    added = actions.add_person(
        organization=organization, name="Doña Carmen", email="", may_vote=True, by=secretary
    )
    assert added.user is None
    assert added.role == Role.MEMBER
    assert audit_actions(organization) == ["member.added"]


def test_add_person_links_an_existing_account_by_email(organization, secretary):
    jin = User.objects.create_user("jin@example.org", "x")
    added = actions.add_person(
        organization=organization, name="Jin", email="JIN@example.org", may_vote=False, by=secretary
    )
    assert added.user == jin
    assert added.email == "jin@example.org"


def test_add_person_refuses_an_email_already_on_the_roll(organization, secretary, member):
    with pytest.raises(ActionError, match="already on the roll"):
        actions.add_person(
            organization=organization,
            name="Lupe again",
            email="lupe@example.org",
            may_vote=True,
            by=secretary,
        )


def test_update_settings_audits_what_changed(organization, admin):
    actions.update_settings(
        organization=organization,
        changes={"quorum_rule": "count", "quorum_count": 25, "retention_days": 30},
        by=admin,
    )
    organization.refresh_from_db()
    assert (organization.quorum_rule, organization.quorum_count) == ("count", 25)
    change = AuditEntry.objects.get(action="organization.settings_changed")
    assert change.details["changes"] == {
        "quorum_rule": ["majority", "count"],
        "quorum_count": [0, 25],
    }


def test_invite_creates_a_link_valid_for_the_chosen_days(organization, admin):
    invitation = actions.invite(
        organization=organization,
        role=Role.SECRETARY,
        may_vote=True,
        email=" Jin@Example.org ",
        expires_in_days=14,
        by=admin,
    )
    assert invitation.email == "jin@example.org"
    assert timedelta(days=13) < invitation.expires_at - timezone.now() <= timedelta(days=14)
    assert audit_actions(organization) == ["invitation.created"]


def test_send_invitation_mails_the_link(organization, admin, mailoutbox):
    invitation = invitation_for(organization, admin, email="jin@example.org")
    assert actions.send_invitation(invitation=invitation, link="https://x.test/invite/abc/")
    assert mailoutbox[0].to == ["jin@example.org"]
    assert "https://x.test/invite/abc/" in mailoutbox[0].body
    assert "Inquilinos Unidos" in mailoutbox[0].subject


def test_send_invitation_reports_a_mail_server_that_is_down(organization, admin):
    invitation = invitation_for(organization, admin, email="jin@example.org")
    with mock.patch("assembly.actions.organizations.send_mail", side_effect=OSError):
        assert not actions.send_invitation(invitation=invitation, link="https://x.test/")


def test_accept_invitation_puts_the_person_on_the_roll(organization, admin):
    jin = User.objects.create_user("jin@example.org", "x", display_name="Jin")
    invitation = invitation_for(organization, admin, role=Role.FACILITATOR, may_vote=False)
    membership = actions.accept_invitation(invitation=invitation, user=jin)
    assert (membership.user, membership.name, membership.email) == (jin, "Jin", "jin@example.org")
    assert (membership.role, membership.may_vote) == (Role.FACILITATOR, False)
    invitation.refresh_from_db()
    assert invitation.accepted_by == jin
    assert invitation.accepted_at is not None


def test_accept_invitation_never_names_someone_by_their_email(organization, admin):
    jin = User.objects.create_user("jin.park@example.org", "x")
    membership = actions.accept_invitation(invitation=invitation_for(organization, admin), user=jin)
    assert "jin" not in membership.name.lower()


def test_accept_invitation_links_the_roll_entry_with_the_same_email(organization, admin):
    carmen = Membership.objects.create(
        organization=organization, name="Doña Carmen", email="Carmen@example.org"
    )
    user = User.objects.create_user("carmen@example.org", "x", display_name="Carmen")
    membership = actions.accept_invitation(
        invitation=invitation_for(organization, admin), user=user
    )
    assert membership.pk == carmen.pk
    assert membership.user == user
    assert membership.name == "Doña Carmen"
    assert organization.memberships.count() == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"revoked": True}, "withdrawn"),
        ({"accepted_at": timezone.now()}, "already been used"),
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, "expired"),
    ],
)
def test_accept_invitation_refuses_a_spent_link(organization, admin, fields, message):
    jin = User.objects.create_user("jin@example.org", "x")
    invitation = invitation_for(organization, admin, **fields)
    with pytest.raises(ActionError, match=message):
        actions.accept_invitation(invitation=invitation, user=jin)
    assert not Membership.objects.filter(user=jin).exists()


def test_accept_invitation_leaves_a_member_as_they_were(organization, admin, member):
    invitation = invitation_for(organization, admin, role=Role.ADMIN)
    with pytest.raises(actions.AlreadyMember):
        actions.accept_invitation(invitation=invitation, user=member)
    assert entry(member, organization).role == Role.MEMBER
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_revoke_invitation_stops_the_link(organization, admin):
    invitation = invitation_for(organization, admin)
    actions.revoke_invitation(invitation=invitation, by=admin)
    invitation.refresh_from_db()
    assert invitation.revoked
    assert audit_actions(organization) == ["invitation.revoked"]


def test_revoke_invitation_refuses_one_already_accepted(organization, admin):
    invitation = invitation_for(organization, admin, accepted_at=timezone.now())
    with pytest.raises(ActionError):
        actions.revoke_invitation(invitation=invitation, by=admin)


def test_changing_who_may_vote_tells_a_live_room_its_quorum(
    organization, facilitator, member, django_capture_on_commit_callbacks
):
    meeting = Meeting.objects.create(organization=organization, title="Live", status="live")
    admin = make_person(organization, "ana@example.org", Role.ADMIN)
    lupe = Membership.objects.get(user=member)
    with (
        mock.patch("assembly.live.publish.broadcast") as broadcast,
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.change_member(membership=lupe, role=Role.MEMBER, may_vote=False, by=admin)
    broadcast.assert_called_once_with(meeting.pk, (Part.ATTENDANCE,))
    meeting.refresh_from_db()
    assert meeting.version == 1
