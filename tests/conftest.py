"""Stock people and a meeting: a facilitator, a secretary, a member, and an outsider who
belongs to another organization."""

from __future__ import annotations

import pytest
from django.test import Client

from assembly.models import Meeting, Membership, Organization, User
from assembly.models.organizations import Role

PASSWORD = "correct horse battery staple"


def make_person(organization: Organization, email: str, role: str) -> User:
    name = email.split("@")[0].title()
    user = User.objects.create_user(email, PASSWORD, display_name=name)
    Membership.objects.create(user=user, organization=organization, role=role, name=name)
    return user


@pytest.fixture
def organization(db) -> Organization:
    return Organization.objects.create(name="Inquilinos Unidos", slug="inquilinos")


@pytest.fixture
def other_organization(db) -> Organization:
    return Organization.objects.create(name="Local 99", slug="local-99")


@pytest.fixture
def facilitator(organization) -> User:
    return make_person(organization, "rosa@example.org", Role.FACILITATOR)


@pytest.fixture
def secretary(organization) -> User:
    return make_person(organization, "marcus@example.org", Role.SECRETARY)


@pytest.fixture
def member(organization) -> User:
    return make_person(organization, "lupe@example.org", Role.MEMBER)


@pytest.fixture
def outsider(other_organization) -> User:
    return make_person(other_organization, "stranger@example.org", Role.ADMIN)


@pytest.fixture
def meeting(organization) -> Meeting:
    meeting = Meeting.objects.create(organization=organization, title="General assembly")
    for position, title in enumerate(["Welcome", "Report", "Proposal"], start=1):
        meeting.items.create(position=position, title=title, timebox_minutes=5 * position)
    return meeting


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.5 s a person; the tests are about meetings, not key stretching.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
