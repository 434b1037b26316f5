"""Stock people and a meeting: a facilitator, a secretary, a member, and an outsider who
belongs to another organization."""

from __future__ import annotations

from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.test import Client
from django.utils import translation

from assembly.live import render
from assembly.models import Attendee, Meeting, Membership, Organization, User
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


@contextmanager
def unheard():
    """Run actions without sending anything to sockets; the live layer has tests of its own."""
    with (
        mock.patch("assembly.live.publish.broadcast"),
        mock.patch("assembly.live.publish.send_personal"),
    ):
        yield


@pytest.fixture(autouse=True)
def _connections_given_back():
    """An async test's database calls (sync_to_async) run on asgiref's one sync thread, whose
    connections nothing closes: close them after each test, as a request would. Else one stays
    checked out of the PostgreSQL pool, and dropping the test database meets "being accessed
    by other users"."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    if SyncToAsync.single_thread_executor._threads:
        SyncToAsync.single_thread_executor.submit(connections.close_all).result()


@pytest.fixture
def quiet():
    with unheard():
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.5 s a person; the tests are about meetings, not key stretching.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    # The cache holds rendered rooms and flood counts; each test starts with none. On Redis,
    # clear() would flush the whole database, other runs' keys too: delete only this prefix's.
    shared = caches["default"]
    if isinstance(shared, RedisCache):
        redis = shared._cache.get_client(write=True)
        for key in redis.scan_iter(match=f"{shared.key_prefix}:*", count=1000):
            redis.delete(key)
    else:
        shared.clear()
    render.forget_rooms()
    keys = caches["ballot-keys"]  # on Redis, under the same prefix: deleted just above
    if isinstance(keys, LocMemCache):
        keys.clear()


@pytest.fixture(autouse=True)
def _english():
    # A request in Spanish leaves its language active on the thread; start each test afresh.
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def live_meeting(meeting, facilitator):
    """The meeting in session on its first item (broadcasts go nowhere: no socket listens)."""
    from assembly import actions

    return actions.meetings.start(meeting=meeting, by=facilitator)


@pytest.fixture
def guest(meeting) -> Attendee:
    """Jin, a first-timer: admitted, may speak, may not vote."""
    return meeting.attendees.create(
        display_name="Jin", kind=Attendee.Kind.GUEST, status=Attendee.Status.PRESENT
    )


def present(meeting: Meeting, user: User) -> Attendee:
    from assembly import actions

    return actions.attendance.check_in_member(meeting=meeting, user=user)


def guest_client(attendee: Attendee) -> Client:
    """A browser holding a guest's attendance token in its session, as after joining."""
    client = Client()
    session = client.session
    session["guest_tokens"] = {str(attendee.meeting_id): attendee.token}
    session.save()
    return client


def open_motion(meeting: Meeting, facilitator: User, **options):
    """A motion opened under the meeting's current item, quorum or not."""
    from assembly import actions

    decision = actions.decisions.create(
        meeting=meeting, by=facilitator, question="Strike?", method="motion", **options
    )
    actions.decisions.open_round(
        meeting=meeting, decision_id=decision.pk, by=facilitator, override_quorum=True
    )
    return decision


def session_of(user=None, *, guest: Attendee | None = None) -> str:
    """The session cookie of a member signed in, or of a guest let in: as a browser holds it."""
    client = Client()
    if user is not None:
        client.force_login(user)
    else:
        session = client.session
        session["guest_tokens"] = {str(guest.meeting_id): guest.token}
        session.save()
    return client.cookies["sessionid"].value
