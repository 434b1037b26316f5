"""A secret ballot cannot be linked to its voter from the database, at any moment.

Forty people vote in a known order, each with a ranking no one else gives, so a ballot found next
to a voter would give them away. An attacker with the database's files tries every link the
founders found: physical row order and the dump (which follows it), transaction ids, and on
PostgreSQL the write-ahead log read with `pg_walinspect` and `pg_read_binary_file`. While the
vote is open there is no choice to find; after the close, pairing does no better than chance
(a random pairing of 40 matches about one; 8 or more happens about once in 100,000 closes).
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from assembly import actions, sealing
from assembly.actions import ActionError
from assembly.models import Ballot, Participation, SealedBallot
from tests.conftest import make_person

pytestmark = [pytest.mark.usefixtures("quiet"), pytest.mark.django_db(transaction=True)]

VOTERS = 40
CHANCE_BOUND = 8
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the write-ahead log is PostgreSQL's"
)


@pytest.fixture
def election(live_meeting, organization, facilitator):
    """An open secret election and forty voters, each with a ranking of their own."""
    voters = [
        actions.attendance.check_in_member(
            meeting=live_meeting, user=make_person(organization, f"p{n}@example.org", "member")
        )
        for n in range(VOTERS)
    ]
    decision = actions.decisions.create(
        meeting=live_meeting,
        by=facilitator,
        question="Who sits on the bargaining committee?",
        method="ranked",
        options=[f"Candidate {n}" for n in range(8)],
        seats=3,
        secret=True,
    )
    ids = [o.pk for o in decision.options.all()]
    rankings = list(itertools.permutations(ids, 3))[:: 336 // VOTERS][:VOTERS]
    signature = {a.pk: list(r) for a, r in zip(voters, rankings, strict=True)}
    assert len({tuple(r) for r in signature.values()}) == VOTERS
    actions.decisions.open_round(meeting=live_meeting, decision_id=decision.pk, by=facilitator)
    return live_meeting, decision, voters, signature


def vote_all(decision, voters, signature):
    for attendee in voters:
        actions.decisions.cast(
            decision_id=decision.pk, attendee=attendee, choice={"options": signature[attendee.pk]}
        )


def close(meeting, decision, facilitator):
    return actions.decisions.close(meeting=meeting, decision_id=decision.pk, by=facilitator)


def as_text(ranking) -> str:
    """A choice as the database prints it (Django's JSON text; PostgreSQL's jsonb output)."""
    return json.dumps({"ranking": ranking})


def physical(model, decision) -> list[dict]:
    order = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {model._meta.db_table} WHERE decision_id = %s ORDER BY {order}",
            [decision.pk],
        )
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def choice_of(row) -> list:
    value = row["choice"]
    return (json.loads(value) if isinstance(value, str) else value)["ranking"]


def database_dump() -> bytes:
    """Everything an attacker copying the database gets: a pg_dump, or SQLite's files."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        return subprocess.run(
            [
                "pg_dump",
                "--data-only",
                "-h",
                settings["HOST"] or "127.0.0.1",
                "-p",
                str(settings["PORT"] or 5432),
                "-U",
                settings["USER"] or "postgres",
                settings["NAME"],
            ],
            check=True,
            capture_output=True,
        ).stdout
    path = Path(settings["NAME"])
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def test_while_open_the_database_holds_no_choice_to_link(election):
    meeting, decision, voters, signature = election
    vote_all(decision, voters, signature)
    assert Ballot.objects.filter(decision=decision).count() == 0
    blobs = [bytes(b) for b in SealedBallot.objects.values_list("blob", flat=True)]
    assert len(blobs) == VOTERS
    # Sealed ballots all look alike: one size, whatever was chosen.
    assert {len(b) for b in blobs} == {sealing.PADDED_SIZE + sealing.NONCE_SIZE + 16}
    dump = database_dump()
    found = [a for a, ranking in signature.items() if as_text(ranking).encode() in dump]
    assert found == [], f"{len(found)} choices readable in the database while the vote is open"


def test_after_close_row_order_and_transactions_pair_at_chance(election, facilitator):
    meeting, decision, voters, signature = election
    vote_all(decision, voters, signature)
    result = close(meeting, decision, facilitator).result
    assert result["ballots"] == VOTERS and len(result["winners"]) == 3
    ballots = physical(Ballot, decision)
    people = physical(Participation, decision)
    assert len(ballots) == len(people) == VOTERS
    assert all(row["attendee_id"] is None for row in ballots)  # a ballot names nobody
    assert SealedBallot.objects.filter(decision=decision).count() == 0
    assert not sealing.has_key(decision.pk)  # the key is forgotten
    by_order = sum(
        choice_of(b) == signature[p["attendee_id"]] for b, p in zip(ballots, people, strict=True)
    )
    assert by_order < CHANCE_BOUND, f"{by_order} ballots pair with their voters by row order"
    by_id = sum(
        choice_of(b) == signature[p["attendee_id"]]
        for b, p in zip(
            sorted(ballots, key=lambda r: str(r["id"])),
            sorted(people, key=lambda r: str(r["id"])),
            strict=True,
        )
    )
    assert by_id < CHANCE_BOUND, f"{by_id} ballots pair with their voters by id order"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            xids = {}
            for model in (Ballot, Participation):
                cursor.execute(
                    f"SELECT xmin::text::bigint FROM {model._meta.db_table} WHERE decision_id = %s",
                    [decision.pk],
                )
                xids[model] = {row[0] for row in cursor.fetchall()}
        # Every ballot was written by the close, none by a voter's transaction.
        assert len(xids[Ballot]) == 1 and not xids[Ballot] & xids[Participation]


def _wal(cursor, start: str, end: str) -> bytes:
    """The raw write-ahead log between two positions, as a superuser reads it with SQL."""
    cursor.execute("SELECT file_name, file_offset FROM pg_walfile_name_offset(%s::pg_lsn)", [start])
    first, offset = cursor.fetchone()
    cursor.execute("SELECT file_name, file_offset FROM pg_walfile_name_offset(%s::pg_lsn)", [end])
    last, last_offset = cursor.fetchone()
    cursor.execute("SELECT name FROM pg_ls_waldir() WHERE name >= %s AND name <= %s", [first, last])
    data = b""
    for (name,) in sorted(cursor.fetchall()):
        cursor.execute("SELECT pg_read_binary_file(%s)", [f"pg_wal/{name}"])
        chunk = bytes(cursor.fetchone()[0])
        stop = last_offset if name == last else len(chunk)
        data += chunk[offset if name == first else 0 : stop]
    return data


def _jsonb_bytes(cursor, texts: list[str]) -> list[bytes]:
    """How each choice looks inside a row and so inside the log (jsonb's binary form)."""
    cursor.execute("CREATE TABLE secrecy_probe (n int, j jsonb)")
    try:
        for n, text in enumerate(texts):
            cursor.execute("INSERT INTO secrecy_probe VALUES (%s, %s::jsonb)", [n, text])
        cursor.execute(
            "SELECT t_data FROM heap_page_items(get_raw_page('secrecy_probe', 0)) ORDER BY lp"
        )
        # Skip the int column (4 bytes) and the jsonb's own length header: the rest is its body.
        return [bytes(row[0])[5:] for row in cursor.fetchall()]
    finally:
        cursor.execute("DROP TABLE secrecy_probe")


def _superuser_or_skip(cursor) -> None:
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if not cursor.fetchone()[0]:
        pytest.skip("reading the write-ahead log needs a superuser, as the attacker has")
    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
    cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")


def _heap_inserts(cursor, start: str, end: str, filenode: int) -> list[tuple[int, str]]:
    """(xid, ctid) of each row the log says was inserted into a table, in log order."""
    cursor.execute(
        "SELECT xid, description, block_ref FROM pg_get_wal_records_info(%s, %s) "
        "WHERE resource_manager = 'Heap' AND record_type LIKE 'INSERT%%' ORDER BY start_lsn",
        [start, end],
    )
    inserts = []
    for xid, description, block_ref in cursor.fetchall():
        rel = re.search(r"rel \d+/\d+/(\d+)(?: fork \w+)? blk (\d+)", block_ref or "")
        off = re.search(r"off (\d+)", description or "")
        if rel and off and int(rel.group(1)) == filenode:
            inserts.append((int(xid), f"({rel.group(2)},{off.group(1)})"))
    return inserts


@postgres_only
def test_the_write_ahead_log_links_no_ballot_to_its_voter(election, facilitator):
    meeting, decision, voters, signature = election
    with connection.cursor() as cursor:
        _superuser_or_skip(cursor)
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        start = cursor.fetchone()[0]
        vote_all(decision, voters, signature)
        cursor.execute("SELECT pg_current_wal_flush_lsn()::text")
        voting_done = cursor.fetchone()[0]
        # While open: the log of the whole vote holds no choice at all, in any voter's record.
        log = _wal(cursor, start, voting_done)
        patterns = _jsonb_bytes(cursor, [as_text(signature[a.pk]) for a in voters])
        readable = sum(pattern in log for pattern in patterns)
        assert readable == 0, f"{readable} choices readable in the log of an open vote"

        close(meeting, decision, facilitator)
        cursor.execute("SELECT pg_current_wal_flush_lsn()::text")
        end = cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_relation_filenode(%s), pg_relation_filenode(%s)",
            [Ballot._meta.db_table, Participation._meta.db_table],
        )
        ballot_node, person_node = cursor.fetchone()
        cursor.execute(
            f"SELECT ctid::text, choice FROM {Ballot._meta.db_table} WHERE decision_id = %s",
            [decision.pk],
        )
        choice_at = {ctid: choice_of({"choice": c}) for ctid, c in cursor.fetchall()}
        cursor.execute(
            f"SELECT ctid::text, attendee_id FROM {Participation._meta.db_table} "
            "WHERE decision_id = %s",
            [decision.pk],
        )
        voter_at = dict(cursor.fetchall())
        ballots = [i for i in _heap_inserts(cursor, start, end, ballot_node) if i[1] in choice_at]
        people = [i for i in _heap_inserts(cursor, start, end, person_node) if i[1] in voter_at]
    assert len(ballots) == len(people) == VOTERS
    # By transaction: the one ballot written in (or next to) a voter's own transaction.
    by_xid = 0
    for px, pc in people:
        near = [bc for bx, bc in ballots if abs(bx - px) <= 1]
        by_xid += len(near) == 1 and choice_at[near[0]] == signature[voter_at[pc]]
    assert by_xid == 0, f"{by_xid} ballots pair with their voters by transaction id"
    # By order in the log: the n-th ballot written with the n-th voter.
    by_order = sum(
        choice_at[bc] == signature[voter_at[pc]]
        for (_, pc), (_, bc) in zip(people, ballots, strict=True)
    )
    assert by_order < CHANCE_BOUND, f"{by_order} ballots pair with their voters in the log"


def test_a_lost_key_voids_the_round_and_says_so(election, facilitator):
    meeting, decision, voters, signature = election
    vote_all(decision, voters[:5], signature)
    sealing.forget(decision.pk)  # what a restart of the server (or of Redis) does
    with pytest.raises(ActionError, match="key that keeps its ballots secret was lost"):
        actions.decisions.cast(
            decision_id=decision.pk, attendee=voters[5], choice={"options": signature[voters[5].pk]}
        )
    closed = close(meeting, decision, facilitator)
    # Nobody's vote is silently dropped or changed: the round is void, with its turnout.
    assert closed.result["kind"] == "void" and closed.result["ballots"] == 5
    assert Ballot.objects.filter(decision=decision).count() == 0
    again = actions.decisions.hold_again(meeting=meeting, decision_id=decision.pk, by=facilitator)
    assert (again.status, again.secret, again.seats) == ("draft", True, 3)
    assert list(again.options.values_list("label", flat=True)) == [
        f"Candidate {n}" for n in range(8)
    ]
    with pytest.raises(ActionError, match="already prepared"):
        actions.decisions.hold_again(meeting=meeting, decision_id=decision.pk, by=facilitator)


def test_only_a_void_round_is_held_again(election, facilitator):
    meeting, decision, voters, signature = election
    vote_all(decision, voters[:3], signature)
    close(meeting, decision, facilitator)
    with pytest.raises(ActionError, match="could not be counted"):
        actions.decisions.hold_again(meeting=meeting, decision_id=decision.pk, by=facilitator)


def test_a_round_opened_elsewhere_takes_ballots_under_a_new_key(election, facilitator):
    """Opened by another process (the demo command), or before a restart nobody had voted
    through: no ballot was sealed under the missing key, so a new one serves."""
    meeting, decision, voters, signature = election
    sealing.forget(decision.pk)
    vote_all(decision, voters[:4], signature)
    result = close(meeting, decision, facilitator).result
    assert result["kind"] == "ranked" and result["ballots"] == 4


def test_a_secret_round_nobody_voted_in_closes_with_no_ballots(election, facilitator):
    meeting, decision, _, _ = election
    sealing.forget(decision.pk)
    result = close(meeting, decision, facilitator).result
    assert result["kind"] != "void" and result["ballots"] == 0


def test_a_burst_written_in_one_batch_seals_in_no_order_its_voters_had(election):
    """The ballot box writes a burst's rows together (actions.decisions.cast_many): the sealed
    rows, even opened with the round's key, pair with the participations written beside them
    no better than chance, by row order or by id."""
    meeting, decision, voters, signature = election
    recorded = actions.decisions.cast_many(
        meeting_id=meeting.pk,
        decision_id=decision.pk,
        ballots=[(a.pk, {"options": signature[a.pk]}) for a in voters],
    )
    assert len(recorded) == VOTERS
    people = physical(Participation, decision)
    sealed = physical(SealedBallot, decision)
    opened = sealing.open_all(decision.pk, [row["blob"] for row in sealed])
    by_order = sum(
        c["ranking"] == signature[p["attendee_id"]] for c, p in zip(opened, people, strict=True)
    )
    assert by_order < CHANCE_BOUND, f"{by_order} sealed ballots pair with voters by row order"
    ids = sorted(range(VOTERS), key=lambda n: str(sealed[n]["id"]))
    by_id = sum(
        opened[n]["ranking"] == signature[p["attendee_id"]]
        for n, p in zip(ids, sorted(people, key=lambda r: str(r["id"])), strict=True)
    )
    assert by_id < CHANCE_BOUND, f"{by_id} sealed ballots pair with voters by id order"


def test_a_console_reloaded_after_the_key_is_lost_says_so(election, facilitator):
    """A lost key changes no row, so no version: the console's page, built from the room its
    version showed, still looks again at the key."""
    from django.urls import reverse

    from tests.conftest import client_for

    meeting, decision, voters, signature = election
    vote_all(decision, voters[:3], signature)
    console = client_for(facilitator)
    page = reverse("assembly:meeting-console", args=[meeting.pk])
    assert "the key that keeps its ballots secret is lost" not in console.get(page).content.decode()
    sealing.forget(decision.pk)  # Redis restarted
    assert "the key that keeps its ballots secret is lost" in console.get(page).content.decode()
