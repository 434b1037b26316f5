"""Decision rounds: quorum, casting exactly once, counting, consensus with a fallback vote."""

from __future__ import annotations

import pytest
from django.db import connection

from assembly import actions
from assembly.actions import ActionError
from assembly.models import AuditEntry, Ballot, Decision, Participation, Proxy
from tests.conftest import make_person

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def hall(live_meeting, organization):
    """Ten voting members present (quorum of the 13 on the roll is 7) and a guest."""
    voters = []
    for n in range(10):
        user = make_person(organization, f"v{n}@example.org", "member")
        voters.append(actions.attendance.check_in_member(meeting=live_meeting, user=user))
    guest = live_meeting.attendees.create(display_name="Jin", kind="guest", status="present")
    return live_meeting, voters, guest


def motion(meeting, facilitator, **options):
    decision = actions.decisions.create(
        meeting=meeting, by=facilitator, question="Commit the fund?", method="motion", **options
    )
    return actions.decisions.open_round(meeting=meeting, decision_id=decision.pk, by=facilitator)


def vote(decision, attendee, **choice):
    actions.decisions.cast(decision_id=decision.pk, attendee=attendee, choice=choice)


def close(meeting, decision, facilitator):
    return actions.decisions.close(meeting=meeting, decision_id=decision.pk, by=facilitator)


def test_a_three_quarter_vote_passes_as_in_the_scenario(hall, facilitator):
    meeting, voters, _ = hall
    decision = motion(meeting, facilitator, threshold="three_quarters")
    for attendee, choice in zip(voters, ["yes"] * 7 + ["no", "abstain", "abstain"], strict=True):
        vote(decision, attendee, vote=choice)
    result = close(meeting, decision, facilitator).result
    # 7 of 8 votes cast is more than three quarters; abstentions are not votes cast.
    assert (result["outcome"], result["yes"], result["cast"], result["required"]) == (
        "passed",
        "7",
        "8",
        "6",
    )


def test_a_tie_fails(hall, facilitator):
    meeting, voters, _ = hall
    decision = motion(meeting, facilitator)
    for attendee, choice in zip(voters[:4], ["yes", "yes", "no", "no"], strict=True):
        vote(decision, attendee, vote=choice)
    assert close(meeting, decision, facilitator).result["outcome"] == "failed"


def test_a_phone_sending_the_same_secret_ballot_five_times_counts_once(hall, facilitator):
    meeting, voters, _ = hall
    decision = motion(meeting, facilitator, secret=True)
    vote(decision, voters[0], vote="yes")
    for _ in range(4):
        with pytest.raises(ActionError, match="already recorded"):
            vote(decision, voters[0], vote="yes")
    assert decision.ballots.count() == 1 and decision.participations.count() == 1


def test_an_open_ballot_may_be_changed_until_the_close(hall, facilitator):
    meeting, voters, _ = hall
    decision = motion(meeting, facilitator)
    vote(decision, voters[0], vote="yes")
    vote(decision, voters[0], vote="no")
    result = close(meeting, decision, facilitator).result
    assert (result["yes"], result["no"]) == ("0", "1")


def test_a_guest_without_a_vote_is_refused(hall, facilitator):
    meeting, _, guest = hall
    decision = motion(meeting, facilitator)
    with pytest.raises(ActionError, match="don't have a vote"):
        vote(decision, guest, vote="yes")
    assert not decision.ballots.exists()


def test_a_ballot_after_the_close_is_refused_with_a_message(hall, facilitator):
    meeting, voters, _ = hall
    decision = motion(meeting, facilitator)
    vote(decision, voters[0], vote="yes")
    close(meeting, decision, facilitator)
    with pytest.raises(ActionError, match="closed; your ballot was not counted"):
        vote(decision, voters[1], vote="yes")
    assert decision.ballots.count() == 1


@pytest.mark.parametrize(
    "choice", [{"vote": "maybe"}, {"response": "agree"}, {}, {"vote": ["yes"]}]
)
def test_a_malformed_ballot_is_refused(hall, facilitator, choice):
    meeting, voters, _ = hall
    decision = motion(meeting, facilitator)
    with pytest.raises(ActionError, match="yes, no or abstain"):
        actions.decisions.cast(decision_id=decision.pk, attendee=voters[0], choice=choice)
    assert not decision.participations.exists()


def test_no_decision_opens_without_quorum_unless_overridden_and_minuted(
    live_meeting, facilitator, member
):
    decision = actions.decisions.create(
        meeting=live_meeting, by=facilitator, question="Q?", method="motion"
    )
    with pytest.raises(ActionError, match="no quorum"):
        actions.decisions.open_round(meeting=live_meeting, decision_id=decision.pk, by=facilitator)
    opened = actions.decisions.open_round(
        meeting=live_meeting, decision_id=decision.pk, by=facilitator, override_quorum=True
    )
    assert opened.is_open and opened.quorum_overridden
    entry = AuditEntry.objects.get(action="decision.opened_without_quorum")
    assert entry.actor == facilitator and entry.details["needed"] == 2


def test_only_one_round_is_open_at_a_time(hall, facilitator):
    meeting, _, _ = hall
    motion(meeting, facilitator)
    second = actions.decisions.create(
        meeting=meeting, by=facilitator, question="Q2?", method="motion"
    )
    with pytest.raises(ActionError, match="Close the open decision first"):
        actions.decisions.open_round(meeting=meeting, decision_id=second.pk, by=facilitator)


def test_consensus_blocked_then_the_fallback_vote(hall, facilitator):
    meeting, voters, _ = hall
    decision = actions.decisions.create(
        meeting=meeting,
        by=facilitator,
        question="Commit the fund?",
        method="consensus",
        fallback_threshold="three_quarters",
    )
    actions.decisions.open_round(meeting=meeting, decision_id=decision.pk, by=facilitator)
    responses = ["agree"] * 6 + ["reservations", "stand_aside", "block", "abstain"]
    for attendee, response in zip(voters, responses, strict=True):
        vote(decision, attendee, response=response)
    result = close(meeting, decision, facilitator).result
    assert result["consensus_outcome"] == "blocked"
    assert result["counts"]["reservations"] == "1" and result["fallback_allowed"]
    fallback = actions.decisions.start_fallback(
        meeting=meeting, decision_id=decision.pk, by=facilitator
    )
    assert (fallback.method, fallback.threshold, fallback.fallback_of) == (
        "motion",
        "three_quarters",
        Decision.objects.get(pk=decision.pk),
    )
    with pytest.raises(ActionError, match="already been held"):
        actions.decisions.start_fallback(meeting=meeting, decision_id=decision.pk, by=facilitator)


def test_a_ranked_secret_election_elects_three_by_stv(hall, facilitator):
    meeting, voters, _ = hall
    decision = actions.decisions.create(
        meeting=meeting,
        by=facilitator,
        question="Three delegates",
        method="ranked",
        options=["Ana", "Bo", "Chayo", "Dani", "Eli"],
        seats=3,
        secret=True,
    )
    actions.decisions.open_round(meeting=meeting, decision_id=decision.pk, by=facilitator)
    ids = {o.label: o.pk for o in decision.options.all()}
    rankings = [["Ana", "Bo"]] * 4 + [["Bo", "Ana"]] * 3 + [["Chayo", "Dani"]] * 2 + [["Eli"]]
    for attendee, ranking in zip(voters, rankings, strict=True):
        vote(decision, attendee, options=[ids[name] for name in ranking])
    result = close(meeting, decision, facilitator).result
    assert set(result["winners"]) == {"Ana", "Bo", "Chayo"}
    assert result["rounds"] and result["quota"] == "3"  # floor(10 / 4) + 1


def test_a_ranked_ballot_with_a_foreign_option_is_refused(hall, facilitator):
    meeting, voters, _ = hall
    decision = actions.decisions.create(
        meeting=meeting,
        by=facilitator,
        question="Delegate",
        method="ranked",
        options=["Ana", "Bo"],
    )
    actions.decisions.open_round(meeting=meeting, decision_id=decision.pk, by=facilitator)
    with pytest.raises(ActionError, match="option this decision doesn't have"):
        vote(decision, voters[0], options=[999999])
    ana = decision.options.get(label="Ana").pk
    with pytest.raises(ActionError, match="only one rank"):
        vote(decision, voters[0], options=[ana, ana])


def test_approval_counts_every_tick(hall, facilitator):
    meeting, voters, _ = hall
    decision = actions.decisions.create(
        meeting=meeting,
        by=facilitator,
        question="Who leads the training?",
        method="approval",
        options=["Ana", "Bo", "Chayo"],
    )
    actions.decisions.open_round(meeting=meeting, decision_id=decision.pk, by=facilitator)
    ids = {o.label: o.pk for o in decision.options.all()}
    vote(decision, voters[0], options=[ids["Ana"], ids["Bo"]])
    vote(decision, voters[1], options=[ids["Bo"]])
    result = close(meeting, decision, facilitator).result
    assert result["winners"] == ["Bo"] and result["scores"]["Ana"] == "1"


def test_an_assisted_vote_is_audited_without_its_content(hall, facilitator, secretary):
    meeting, voters, _ = hall
    decision = motion(meeting, facilitator, secret=True)
    actions.decisions.cast(
        decision_id=decision.pk, attendee=voters[0], choice={"vote": "no"}, assisted_by=secretary
    )
    entry = AuditEntry.objects.get(action="decision.assisted_vote")
    assert entry.actor == secretary and "no" not in str(entry.details)
    assert close(meeting, decision, facilitator).result["assisted"] == 1


def test_a_proxy_vote_counts_once(hall, facilitator, organization):
    meeting, voters, _ = hall
    absent = make_person(organization, "away@example.org", "member")
    absent_membership = absent.memberships.get()
    Proxy.objects.create(meeting=meeting, holder=voters[0], absent_member=absent_membership)
    decision = motion(meeting, facilitator)
    vote(decision, voters[0], vote="yes")
    actions.decisions.cast(
        decision_id=decision.pk,
        attendee=voters[0],
        choice={"vote": "yes"},
        for_membership_id=absent_membership.pk,
    )
    with pytest.raises(ActionError, match="already"):
        decision.secret = True
        decision.save()
        actions.decisions.cast(
            decision_id=decision.pk,
            attendee=voters[0],
            choice={"vote": "yes"},
            for_membership_id=absent_membership.pk,
        )
    result = close(meeting, decision, facilitator).result
    assert result["yes"] == "2" and result["proxies"] == 1


def _physical_order(model, decision) -> list:
    table = model._meta.db_table
    order = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {table} WHERE decision_id = %s ORDER BY {order}", [decision.pk]
        )
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)  # each ballot commits on its own, as in a real hall
def test_a_closed_secret_ballot_gives_an_attacker_no_better_than_chance(
    live_meeting, organization, facilitator
):
    """40 people vote in a known order, each with a ballot that identifies them (a ranking of
    their own). After the close, an attacker with the raw tables pairs rows by physical order
    (and, on PostgreSQL, by the transaction that wrote them): they match about one by luck."""
    voters = [
        actions.attendance.check_in_member(
            meeting=live_meeting, user=make_person(organization, f"p{n}@example.org", "member")
        )
        for n in range(40)
    ]
    names = [f"C{n}" for n in range(8)]
    decision = actions.decisions.create(
        meeting=live_meeting,
        by=facilitator,
        question="Secret",
        method="ranked",
        options=names,
        secret=True,
    )
    actions.decisions.open_round(meeting=live_meeting, decision_id=decision.pk, by=facilitator)
    ids = [o.pk for o in decision.options.all()]
    signature = {}
    for n, attendee in enumerate(voters):
        ranking = [ids[(n >> bit) & 7] for bit in (0, 3)] if (n & 7) != (n >> 3) else [ids[n & 7]]
        ranking = list(dict.fromkeys(ranking + [ids[n % 8], ids[(n * 5 + 1) % 8]]))
        signature[attendee.pk] = ranking
        vote(decision, attendee, options=ranking)
    close(live_meeting, decision, facilitator)
    ballots = _physical_order(Ballot, decision)
    people = _physical_order(Participation, decision)
    assert len(ballots) == len(people) == 40
    assert all(row["attendee_id"] is None for row in ballots)  # a ballot names nobody
    # Participations are stored in attendee order, which says nothing about the ballots.
    assert [row["attendee_id"] for row in people] == sorted(row["attendee_id"] for row in people)
    matches = sum(
        1
        for ballot, person in zip(ballots, people, strict=True)
        if _as_list(ballot["choice"])["ranking"] == signature[person["attendee_id"]]
    )
    # A random pairing matches about 1 of 40; 8 or more happens once in ~100,000 closes.
    assert matches < 8, f"{matches} ballots pair up with their voters by row order"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Ballot, Participation):
                cursor.execute(
                    f"SELECT COUNT(DISTINCT xmin::text) FROM {model._meta.db_table} "
                    "WHERE decision_id = %s",
                    [decision.pk],
                )
                assert cursor.fetchone()[0] == 1  # one rewrite: no per-vote transaction ids


def _as_list(choice):
    import json

    return json.loads(choice) if isinstance(choice, str) else choice
