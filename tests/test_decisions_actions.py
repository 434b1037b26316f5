"""Decision rounds: quorum, casting exactly once, counting, consensus with a fallback vote."""

from __future__ import annotations

import pytest

from assembly import actions
from assembly.actions import ActionError
from assembly.live.render import render_personal
from assembly.models import AuditEntry, Decision, Proxy
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


def assisted_vote(decision, attendee, secretary):
    """The secretary records `attendee`'s "no", asked in person."""
    actions.decisions.cast(
        decision_id=decision.pk,
        attendee=attendee,
        choice={"vote": "no"},
        assisted_by=secretary,
        asked_in_person=True,
    )


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
    assert decision.sealed.count() == 1 and decision.participations.count() == 1
    result = close(meeting, decision, facilitator).result
    assert (result["yes"], result["ballots"]) == ("1", 1)


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
    assisted_vote(decision, voters[0], secretary)
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
    decision.secret = False  # the round was open: its ballots are plain
    decision.save()
    result = close(meeting, decision, facilitator).result
    assert result["yes"] == "2" and result["proxies"] == 1


def test_the_secretary_cannot_vote_unasked_for_a_member_with_a_phone(hall, facilitator, secretary):
    meeting, voters, _ = hall
    decision = motion(meeting, facilitator, secret=True)
    with pytest.raises(ActionError, match="has a phone"):
        actions.decisions.cast(
            decision_id=decision.pk,
            attendee=voters[0],
            choice={"vote": "no"},
            assisted_by=secretary,
        )
    assert decision.participations.count() == 0
    # The member then votes from their own phone, as they meant to.
    vote(decision, voters[0], vote="yes")
    assert close(meeting, decision, facilitator).result["yes"] == "1"


def test_a_member_without_a_phone_needs_no_ask(hall, facilitator, secretary, organization):
    meeting, _, _ = hall
    paper = make_person(organization, "paper@example.org", "member")
    attendee = actions.attendance.check_in_by_hand(
        meeting=meeting, membership_id=paper.memberships.get().pk, by=secretary
    )
    decision = motion(meeting, facilitator, secret=True)
    actions.decisions.cast(
        decision_id=decision.pk, attendee=attendee, choice={"vote": "yes"}, assisted_by=secretary
    )
    assert close(meeting, decision, facilitator).result["assisted"] == 1


@pytest.mark.parametrize("secret", [True, False])
def test_a_member_withdraws_a_vote_recorded_for_them_and_votes_themselves(
    hall, facilitator, secretary, secret
):
    meeting, voters, _ = hall
    decision = motion(meeting, facilitator, secret=secret)
    vote(decision, voters[1], vote="yes")
    assisted_vote(decision, voters[0], secretary)
    phone = render_personal(voters[0], "en")
    assert "The secretary recorded a vote for you" in phone
    actions.decisions.contest_assisted(attendee=voters[0], decision_id=decision.pk)
    assert "The secretary recorded a vote for you" not in render_personal(voters[0], "en")
    assert decision.participations.count() == 1
    vote(decision, voters[0], vote="yes")
    result = close(meeting, decision, facilitator).result
    assert (result["yes"], result["no"], result["ballots"], result["assisted"]) == ("2", "0", 2, 0)
    assert AuditEntry.objects.filter(action="decision.assisted_vote_contested").count() == 1
    with pytest.raises(ActionError, match="No vote was recorded for you"):
        actions.decisions.contest_assisted(attendee=voters[0], decision_id=decision.pk)


def test_the_phone_offers_to_contest_a_recorded_vote_after_the_close_until_it_is(
    hall, facilitator, secretary, django_capture_on_commit_callbacks
):
    from unittest import mock

    meeting, voters, _ = hall
    decision = motion(meeting, facilitator, secret=True)
    assisted_vote(decision, voters[0], secretary)
    assert "That wasn't me: withdraw it" in render_personal(voters[0], "en")
    with (
        mock.patch("assembly.live.publish.send_personal") as told,
        django_capture_on_commit_callbacks(execute=True),
    ):
        close(meeting, decision, facilitator)
    told.assert_any_call(voters[0].pk)  # the open phone hears it, not only a reloaded one
    phone = render_personal(voters[0], "en")
    assert "in the round just closed" in phone and "That wasn't me: contest it" in phone
    assert "recorded a vote for you" not in render_personal(voters[1], "en")
    actions.decisions.contest_assisted(attendee=voters[0], decision_id=decision.pk)
    assert "recorded a vote for you" not in render_personal(voters[0], "en")


def test_contesting_from_the_phone_says_what_became_of_the_vote(hall, facilitator, secretary):
    from django.urls import reverse

    from tests.conftest import client_for

    meeting, voters, _ = hall
    phone = client_for(voters[0].user)
    decision = motion(meeting, facilitator)
    assisted_vote(decision, voters[0], secretary)
    url = reverse("assembly:decision-contest", args=[meeting.pk, decision.pk])
    answer = phone.post(url, headers={"HX-Request": "true"}).content.decode()
    assert "The vote recorded for you is withdrawn: you can cast your own now." in answer
    assisted_vote(decision, voters[0], secretary)
    close(meeting, decision, facilitator)
    answer = phone.post(url, headers={"HX-Request": "true"}).content.decode()
    assert "the result and the minutes mark that vote as contested" in answer
    answer = phone.post(url, headers={"HX-Request": "true"}).content.decode()
    assert "No vote was recorded for you by the secretary in this round." in answer


def test_a_vote_contested_after_the_close_is_marked_in_the_result(hall, facilitator, secretary):
    meeting, voters, _ = hall
    decision = motion(meeting, facilitator, secret=True)
    assisted_vote(decision, voters[0], secretary)
    close(meeting, decision, facilitator)
    actions.decisions.contest_assisted(attendee=voters[0], decision_id=decision.pk)
    decision.refresh_from_db()
    assert (decision.result["no"], decision.result["contested"]) == ("1", 1)
