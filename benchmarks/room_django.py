"""The Django side of `make bench` (benchmarks/room_bench.py): seed a room, and count afterwards.

Run by the benchmark in a subprocess with the server's environment (DATABASE_URL,
ASAMBLEA_VAR_DIR, REDIS_URL, ...), because Django's settings are fixed once per process and each
configuration has its own. Prints one line of JSON on stdout.

    python benchmarks/room_django.py seed PHONES
    python benchmarks/room_django.py count MEETING_ID DECISION_ID
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import timedelta
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from assembly import actions, ballot_box  # noqa: E402
from assembly.live import coalesce  # noqa: E402
from assembly.live.parts import Part  # noqa: E402
from assembly.live.publish import broadcast  # noqa: E402
from assembly.models import (  # noqa: E402
    AgendaItem,
    Attendee,
    Ballot,
    Decision,
    Meeting,
    Membership,
    Organization,
    Participation,
    User,
)
from assembly.models.organizations import Role  # noqa: E402

BACKEND = "django.contrib.auth.backends.ModelBackend"


def session_for(user: User) -> Session:
    """A signed-in session, as the login view would leave it (without paying for a login)."""
    data = {
        "_auth_user_id": str(user.pk),
        "_auth_user_backend": BACKEND,
        "_auth_user_hash": user.get_session_auth_hash(),
    }
    return Session(
        session_key=get_random_string(32),
        session_data=SessionStore().encode(data),
        expire_date=timezone.now() + timedelta(days=1),
    )


def seed(phones: int) -> dict:
    """A live meeting with an agenda, a facilitator and `phones` members all checked in.

    Members, attendances and sessions are bulk-created: through the actions, 2,000 check-ins
    would take minutes and measure nothing the benchmark is about."""
    call_command("migrate", verbosity=0, interactive=False)
    organization = Organization.objects.create(name="Bench tenants' union", slug="bench")
    # No password hashing: nobody signs in with one, and hashing 2,000 would take minutes.
    unusable = make_password(None)
    facilitator = User.objects.create(
        email="facilitator@bench.invalid", display_name="Facilitator", password=unusable
    )
    Membership.objects.create(
        user=facilitator, organization=organization, role=Role.FACILITATOR, name="Facilitator"
    )
    meeting = Meeting.objects.create(organization=organization, title="Bench assembly")
    for position, title in enumerate(("Check-in", "Reports", "Proposal", "Announcements"), 1):
        meeting.items.create(position=position, title=title, kind=AgendaItem.Kind.DISCUSSION)
    actions.meetings.start(meeting=meeting, by=facilitator)

    User.objects.bulk_create(
        User(email=f"phone{i}@bench.invalid", display_name=f"Phone {i}", password=unusable)
        for i in range(phones)
    )
    users = list(User.objects.filter(email__startswith="phone").order_by("pk"))
    memberships = Membership.objects.bulk_create(
        Membership(user=user, organization=organization, role=Role.MEMBER, name=user.display_name)
        for user in users
    )
    now = timezone.now()
    Attendee.objects.bulk_create(
        Attendee(
            meeting=meeting,
            user=user,
            membership=membership,
            display_name=user.display_name,
            kind=Attendee.Kind.MEMBER,
            status=Attendee.Status.PRESENT,
            may_vote=True,
            checked_in_at=now,
        )
        for user, membership in zip(users, memberships, strict=True)
    )
    meeting.bump_version()
    sessions = [session_for(user) for user in [facilitator, *users]]
    Session.objects.bulk_create(sessions, batch_size=500)
    return {
        "meeting": meeting.pk,
        "facilitator": sessions[0].session_key,
        "phones": [s.session_key for s in sessions[1:]],
    }


async def box_batch(meeting_id: int, decision_id: int, session_keys: list[str]) -> list:
    """The ballot box's queued ballots, as its phones' POSTs leave them (CSRF checked)."""
    csrf = get_random_string(32)
    path = f"/m/{meeting_id}/decisions/{decision_id}/vote/"
    headers = [
        (b"host", b"127.0.0.1"),
        (b"x-csrftoken", csrf.encode()),
        (b"hx-request", b"true"),
        (b"content-type", b"application/x-www-form-urlencoded"),
    ]
    batch = []
    for key in session_keys:
        cookie = (b"cookie", f"sessionid={key}; csrftoken={csrf}".encode())
        scope = {"type": "http", "method": "POST", "path": path, "query_string": b"",
                 "headers": [*headers, cookie], "client": ("127.0.0.1", 1)}  # fmt: skip
        batch.append(ballot_box.checked(scope, b"vote=yes", meeting_id, decision_id))
    return batch


def count(meeting_id: int, decision_id: int) -> dict:
    """Ballots stored in the burst, then the queries one ballot costs, measured in-process.

    The burst's round is closed, a fresh motion opened, and a few members vote through the real
    view (django.test.Client, same database). The turnout broadcast is counted apart: in the
    server it runs after the answer, on the live layer's thread, not inside the POST."""
    decision = Decision.objects.get(pk=decision_id)
    stored = {
        "participations": Participation.objects.filter(decision=decision).count(),
        "ballots": Ballot.objects.filter(decision=decision).count(),
        "distinct_voters": Participation.objects.filter(decision=decision)
        .values("attendee")
        .distinct()
        .count(),
    }
    meeting = Meeting.objects.get(pk=meeting_id)
    facilitator = User.objects.get(email="facilitator@bench.invalid")
    if decision.status == Decision.Status.OPEN:
        actions.decisions.close(meeting=meeting, decision_id=decision_id, by=facilitator)
    probe = actions.decisions.create(
        meeting=meeting, by=facilitator, question="Queries per ballot", method="motion"
    )
    actions.decisions.open_round(meeting=meeting, decision_id=probe.pk, by=facilitator)

    deferred: list[tuple] = []

    def hold(meeting_id: int, parts, send) -> bool:
        deferred.append((meeting_id, tuple(parts)))
        return True  # "coalesced": not broadcast inside the request

    coalesce.submit = hold
    voters = list(
        Attendee.objects.filter(meeting=meeting, user__email__startswith="phone")
        .exclude(participations__decision=probe)
        .select_related("user")[:53]
    )
    per_ballot, statuses = [], []
    url = f"/m/{meeting_id}/decisions/{probe.pk}/vote/"
    for attendee in voters[:2]:  # the view Django answers when the ballot box passes one on
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(attendee.user, backend=BACKEND)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, {"vote": "yes"}, HTTP_HX_REQUEST="true")
        statuses.append(response.status_code)
        per_ballot.append(len(queries))
    # The ballot box (what a burst's phones meet): one batch of one ballot, one of 50.
    batches = []
    for size in (1, 50):
        sessions = [session_for(a.user) for a in voters[2 + len(batches) :][:size]]
        Session.objects.bulk_create(sessions)
        batch = asyncio.run(box_batch(meeting_id, probe.pk, [s.session_key for s in sessions]))
        with CaptureQueriesContext(connection) as queries:
            recorded = ballot_box.record(batch)
        assert len(recorded) == size, f"the box recorded {len(recorded)} of {size}"
        batches.append(len(queries))
    # As if a screen were open in every group (a process without sockets renders for none).
    with (
        mock.patch("assembly.live.fanout.listened_among", side_effect=list),
        CaptureQueriesContext(connection) as queries,
    ):
        broadcast(meeting_id, (Part.TURNOUT,))
    return {
        **stored,
        "queries_per_ballot": per_ballot,
        "queries_per_box_batch": batches,
        "probe_statuses": statuses,
        "queries_per_turnout_push": len(queries),
    }


def main() -> int:
    command, *args = sys.argv[1:]
    if command == "seed":
        result = seed(int(args[0]))
    elif command == "count":
        result = count(int(args[0]), int(args[1]))
    else:
        print(f"unknown command {command!r}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
