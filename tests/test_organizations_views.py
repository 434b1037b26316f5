"""An assembly body's pages, per person: who sees what, who may change what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assembly.models import AuditEntry, Invitation, Membership, Organization, Role, User
from tests.conftest import client_for, make_person


@pytest.fixture
def admin(organization) -> User:
    return make_person(organization, "ada@example.org", Role.ADMIN)


@pytest.fixture
def invitation(organization, admin) -> Invitation:
    return Invitation.objects.create(
        organization=organization,
        role=Role.SECRETARY,
        created_by=admin,
        expires_at=timezone.now() + timedelta(days=14),
    )


def url(name: str, organization: Organization, *args) -> str:
    return reverse(f"assembly:{name}", args=[organization.slug, *args])


def lupe(organization) -> Membership:
    return organization.memberships.get(user__email="lupe@example.org")


# Who may open each page: (page, person, status).
PAGES = [
    ("organization", "admin", 200),
    ("organization", "secretary", 200),
    ("organization", "member", 200),
    ("organization", "outsider", 404),
    ("organization-settings", "admin", 200),
    ("organization-settings", "secretary", 403),
    ("organization-settings", "outsider", 404),
    ("organization-import", "admin", 200),
    ("organization-import", "secretary", 403),
    ("organization-import", "outsider", 404),
    ("organization-export", "admin", 200),
    ("organization-export", "secretary", 200),
    ("organization-export", "facilitator", 403),
    ("organization-export", "member", 403),
    ("organization-export", "outsider", 404),
]


@pytest.mark.parametrize(("page", "person", "status"), PAGES)
def test_each_page_is_for_the_right_people(request, organization, admin, page, person, status):
    response = client_for(request.getfixturevalue(person)).get(url(page, organization))
    assert response.status_code == status


@pytest.mark.parametrize(("person", "status"), [("admin", 200), ("member", 403), ("outsider", 404)])
def test_member_page_is_for_admins(request, organization, admin, member, person, status):
    for page in ("organization-member", "organization-remove"):
        response = client_for(request.getfixturevalue(person)).get(
            url(page, organization, lupe(organization).pk)
        )
        assert response.status_code == status


@pytest.mark.parametrize(
    ("page", "method"),
    [
        ("organization", "post"),
        ("organization-export", "post"),
        ("organization-add-person", "get"),
        ("organization-invite", "get"),
        ("organization-settings", "put"),
    ],
)
def test_pages_refuse_the_wrong_method(organization, admin, page, method):
    response = getattr(client_for(admin), method)(url(page, organization))
    assert response.status_code == 405


def test_anonymous_visitors_are_sent_to_sign_in(client, organization):
    response = client.get(url("organization", organization))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_create_organization_makes_you_its_admin(member):
    client = client_for(member)
    response = client.post(reverse("assembly:organization-create"), {"name": "  Local   12 "})
    assert response.status_code == 302
    organization = Organization.objects.get(name="Local 12")
    assert response["Location"] == url("organization", organization)
    assert organization.memberships.get(user=member).role == Role.ADMIN
    assert "You are its admin" in client.get(response["Location"]).content.decode()


def test_create_organization_needs_a_name(member):
    response = client_for(member).post(reverse("assembly:organization-create"), {"name": "  "})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert Organization.objects.count() == 1


def test_home_links_to_your_organizations_and_to_creating_one(organization, member):
    html = client_for(member).get(reverse("assembly:home")).content.decode()
    assert url("organization", organization) in html
    assert reverse("assembly:organization-create") in html


def test_page_shows_meetings_with_the_links_your_role_allows(organization, meeting, member):
    html = client_for(member).get(url("organization", organization)).content.decode()
    assert reverse("assembly:meeting-room", args=[meeting.pk]) in html
    assert reverse("assembly:meeting-console", args=[meeting.pk]) not in html
    html = (
        client_for(make_person(organization, "fac@example.org", Role.FACILITATOR))
        .get(url("organization", organization))
        .content.decode()
    )
    assert reverse("assembly:meeting-console", args=[meeting.pk]) in html
    assert reverse("assembly:meeting-projector", args=[meeting.pk]) in html


def test_members_see_names_and_roles_but_no_emails(organization, admin, member, secretary):
    html = client_for(member).get(url("organization", organization)).content.decode()
    assert "Marcus" in html
    assert "Secretary" in html
    assert "@example.org" not in html
    assert "Invite people" not in html
    assert "Add someone to the roll" not in html


def test_secretaries_see_emails_and_may_add_people_but_not_invite(organization, admin, secretary):
    html = client_for(secretary).get(url("organization", organization)).content.decode()
    assert "ada@example.org" in html
    assert "Add someone to the roll" in html
    assert "Invite people" not in html


def test_admins_see_the_controls(organization, admin, member):
    html = client_for(admin).get(url("organization", organization)).content.decode()
    assert url("organization-member", organization, lupe(organization).pk) in html
    assert "Invite people" in html
    assert url("organization-settings", organization) in html


def test_change_member_role_and_vote(organization, admin, member):
    client = client_for(admin)
    response = client.post(
        url("organization-member", organization, lupe(organization).pk), {"role": "observer"}
    )
    assert response.status_code == 302
    assert (lupe(organization).role, lupe(organization).may_vote) == (Role.OBSERVER, False)
    assert AuditEntry.objects.filter(action="member.role_changed").exists()
    assert "Lupe: saved." in client.get(response["Location"]).content.decode()


def test_change_member_is_for_admins_only(organization, secretary, member):
    response = client_for(secretary).post(
        url("organization-member", organization, lupe(organization).pk), {"role": "admin"}
    )
    assert response.status_code == 403
    assert lupe(organization).role == Role.MEMBER


def test_change_member_of_another_organization_is_missing(organization, admin, outsider):
    stranger = Membership.objects.get(user=outsider)
    response = client_for(admin).post(
        url("organization-member", organization, stranger.pk), {"role": "member"}
    )
    assert response.status_code == 404
    assert Membership.objects.get(user=outsider).role == Role.ADMIN


def test_the_last_admin_is_told_why_they_cannot_step_down(organization, admin):
    mine = organization.memberships.get(user=admin)
    response = client_for(admin).post(
        url("organization-member", organization, mine.pk), {"role": "member", "may_vote": "on"}
    )
    assert response.status_code == 422
    assert "only admin" in response.content.decode()
    assert organization.memberships.get(user=admin).role == Role.ADMIN


def test_remove_asks_first_then_removes(organization, admin, member):
    client = client_for(admin)
    removal = url("organization-remove", organization, lupe(organization).pk)
    assert "Remove Lupe from the roll?" in client.get(removal).content.decode()
    assert Membership.objects.filter(user=member).exists()
    response = client.post(removal)
    assert response["Location"] == url("organization", organization)
    assert not Membership.objects.filter(user=member).exists()


def test_removing_the_last_admin_is_refused_with_a_message(organization, admin):
    client = client_for(admin)
    mine = organization.memberships.get(user=admin)
    response = client.post(url("organization-remove", organization, mine.pk), follow=True)
    assert "only admin" in response.content.decode()
    assert Membership.objects.filter(user=admin).exists()


def test_secretary_adds_a_person_without_an_account(organization, secretary):
    response = client_for(secretary).post(
        url("organization-add-person", organization), {"name": "Doña Carmen", "may_vote": "on"}
    )
    assert response.status_code == 302
    carmen = organization.memberships.get(name="Doña Carmen")
    assert (carmen.user, carmen.may_vote, carmen.role) == (None, True, Role.MEMBER)


def test_adding_a_person_twice_by_email_keeps_what_was_typed(organization, secretary, member):
    response = client_for(secretary).post(
        url("organization-add-person", organization),
        {"name": "Lupe G.", "email": "lupe@example.org"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "already on the roll" in html
    assert 'value="Lupe G."' in html


def test_members_may_not_add_people(organization, member):
    response = client_for(member).post(
        url("organization-add-person", organization), {"name": "Someone"}
    )
    assert response.status_code == 403


def test_invite_by_email_sends_the_link(organization, admin, mailoutbox):
    client = client_for(admin)
    response = client.post(
        url("organization-invite", organization),
        {"role": "member", "may_vote": "on", "email": "jin@example.org", "expires_in_days": "14"},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    link = f"http://testserver/invite/{invitation.token}/"
    assert link in mailoutbox[0].body
    html = client.get(response["Location"]).content.decode()
    assert "Invitation sent to jin@example.org." in html
    assert f'value="{link}"' in html


def test_invite_without_email_only_makes_a_link(organization, admin, mailoutbox):
    client_for(admin).post(
        url("organization-invite", organization), {"role": "observer", "expires_in_days": "3"}
    )
    invitation = Invitation.objects.get()
    assert (invitation.role, invitation.may_vote, invitation.email) == ("observer", False, "")
    assert mailoutbox == []


def test_invite_is_for_admins_only(organization, secretary):
    response = client_for(secretary).post(
        url("organization-invite", organization), {"role": "admin", "expires_in_days": "14"}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_withdrawn_invitations_leave_the_list(organization, admin, invitation):
    client = client_for(admin)
    response = client.post(url("organization-revoke", organization, invitation.pk))
    assert response.status_code == 302
    assert invitation.token not in client.get(response["Location"]).content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked


def test_invitation_asks_visitors_to_sign_in_and_come_back(client, invitation):
    html = client.get(reverse("assembly:invitation", args=[invitation.token])).content.decode()
    back = f"next=%2Finvite%2F{invitation.token}%2F"
    assert f"{reverse('account_login')}?{back}" in html
    assert f"{reverse('account_signup')}?{back}" in html
    assert "Inquilinos Unidos" in html


def test_invitation_after_sign_up_brings_you_back(client, invitation):
    back = reverse("assembly:invitation", args=[invitation.token])
    response = client.post(
        f"{reverse('account_signup')}?next={back}",
        {
            "email": "jin@example.org",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
            "display_name": "Jin",
        },
    )
    assert response["Location"] == back


def test_invitation_is_accepted_with_one_button(invitation):
    jin = User.objects.create_user("jin@example.org", "x", display_name="Jin")
    client = client_for(jin)
    page = client.get(reverse("assembly:invitation", args=[invitation.token])).content.decode()
    assert "Join Inquilinos Unidos as Secretary" in page
    response = client.post(reverse("assembly:invitation", args=[invitation.token]))
    assert response["Location"] == url("organization", invitation.organization)
    assert invitation.organization.memberships.get(user=jin).role == Role.SECRETARY


def test_a_used_invitation_says_so(invitation):
    invitation.accepted_at = timezone.now()
    invitation.save()
    jin = User.objects.create_user("jin@example.org", "x")
    response = client_for(jin).post(reverse("assembly:invitation", args=[invitation.token]))
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert not Membership.objects.filter(user=jin).exists()


def test_an_expired_invitation_says_so_before_signing_in(client, invitation):
    invitation.expires_at = timezone.now() - timedelta(days=1)
    invitation.save()
    response = client.get(reverse("assembly:invitation", args=[invitation.token]))
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_an_unknown_invitation_is_missing(client, db):
    response = client.get(reverse("assembly:invitation", args=["nope"]))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_a_member_opening_an_invitation_is_told_and_nothing_changes(member, invitation):
    client = client_for(member)
    page = client.get(reverse("assembly:invitation", args=[invitation.token])).content.decode()
    assert "already a member" in page
    response = client.post(reverse("assembly:invitation", args=[invitation.token]), follow=True)
    assert "already a member" in response.content.decode()
    assert lupe(invitation.organization).role == Role.MEMBER
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_invitation_refuses_the_wrong_method(member, invitation):
    response = client_for(member).put(reverse("assembly:invitation", args=[invitation.token]))
    assert response.status_code == 405


def test_export_downloads_the_roll(organization, admin, member):
    response = client_for(admin).get(url("organization-export", organization))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0] == "name,email,may_vote,role"
    assert "Lupe,lupe@example.org,yes,member" in lines
    assert AuditEntry.objects.filter(action="roll.exported", actor=admin).exists()


def test_settings_are_saved(organization, admin):
    response = client_for(admin).post(
        url("organization-settings", organization),
        {
            "name": "Inquilinos Unidos",
            "quorum_rule": "fraction",
            "quorum_numerator": "2",
            "quorum_denominator": "3",
            "quorum_count": "0",
            "proxies_allowed": "on",
            "proxy_limit": "2",
            "retention_days": "60",
            "election_ties": "room_lot",
        },
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.election_ties == "room_lot"
    assert (organization.quorum_rule, organization.quorum_numerator) == ("fraction", 2)
    assert (organization.proxies_allowed, organization.proxy_limit) == (True, 2)
    assert organization.retention_days == 60


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"quorum_denominator": "0"}, "denominator must be 1 or more"),
        ({"quorum_numerator": "4"}, "must not be larger than the denominator"),
        ({"retention_days": "0"}, "at least 1 day"),
    ],
)
def test_settings_explain_what_is_wrong(organization, admin, changes, message):
    data = {
        "name": "Renamed",
        "quorum_rule": "fraction",
        "quorum_numerator": "2",
        "quorum_denominator": "3",
        "quorum_count": "0",
        "proxy_limit": "1",
        "retention_days": "30",
        "election_ties": "usual",
        **changes,
    }
    response = client_for(admin).post(url("organization-settings", organization), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    organization.refresh_from_db()
    assert organization.name == "Inquilinos Unidos"


def test_those_allowed_are_offered_to_schedule_a_meeting(organization, facilitator, member):
    url = reverse("assembly:organization", args=[organization.slug])
    new = reverse("assembly:meeting-new", args=[organization.slug])
    assert new in client_for(facilitator).get(url).content.decode()
    assert new not in client_for(member).get(url).content.decode()
