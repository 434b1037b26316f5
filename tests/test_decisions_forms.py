"""The forms for a decision and a ballot: what the facilitator types is tidied before the action
sees it, and a ballot that doesn't fit its decision is refused with the reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from assembly import actions
from assembly.forms.decisions import BallotForm, DecisionForm, read_quickly
from assembly.models import Decision

pytestmark = pytest.mark.usefixtures("quiet")


def test_a_decision_is_tidied_before_it_is_prepared():
    form = DecisionForm(
        {
            "question": "  Elect   the\tdelegates ",
            "method": "ranked",
            "options": "Ana\n\n  Bo  \nAna\n" + "C" * 200,
            "seats": "2",
            "threshold": "two_thirds",  # only a motion has one
            "fallback_threshold": "two_thirds",  # only a consensus has one
        }
    )
    assert form.is_valid(), form.errors
    data = form.cleaned_data
    assert data["question"] == "Elect the delegates"
    assert data["options"] == ["Ana", "Bo", "C" * 120]
    assert (data["seats"], data["threshold"], data["fallback_threshold"]) == (2, "majority", "")
    assert (data["base"], data["secret"]) == (Decision.Base.CAST, False)


def test_a_motion_keeps_its_threshold_and_ignores_stray_seats_and_options():
    form = DecisionForm(
        {
            "question": "Fund it?",
            "method": "motion",
            "threshold": "3/5",
            "seats": "x",
            "options": "A",
        }
    )
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["threshold"], form.cleaned_data["seats"]) == ("3/5", 1)
    assert form.cleaned_data["options"] == []


def test_a_consensus_checks_its_fallback_threshold():
    form = DecisionForm({"question": "Adopt?", "method": "consensus", "fallback_threshold": "most"})
    assert not form.is_valid()
    assert "The threshold must be" in form.errors["fallback_threshold"][0]


@pytest.fixture
def election(live_meeting, facilitator):
    return actions.decisions.create(
        meeting=live_meeting,
        by=facilitator,
        question="Delegates",
        method="ranked",
        options=["Ana", "Bo", "Chayo"],
        seats=2,
    )


def test_a_ranked_ballot_is_read_in_rank_order_with_blank_ranks_dropped(election):
    ana, bo, chayo = election.options.values_list("pk", flat=True)
    form = BallotForm({"rank": [str(chayo), "", str(ana), ""]}, decision=election, voter=None)
    assert form.is_valid(), form.errors
    assert form.picked() == ["Chayo", "Ana"]
    assert Decision.objects.get(pk=election.pk).stored_choice(form.choice) == {
        "ranking": [chayo, ana]
    }


@pytest.mark.parametrize(
    ("ranks", "message"),
    [
        (["999999"], "an option this decision doesn't have"),
        (["nope"], "an option this decision doesn't have"),
        ([""], "Rank at least one candidate."),
    ],
)
def test_a_ballot_that_does_not_fit_its_decision_is_refused(election, ranks, message):
    form = BallotForm({"rank": ranks}, decision=election, voter=None)
    assert not form.is_valid()
    assert message in " ".join(form.non_field_errors())


def test_the_same_candidate_twice_is_refused(election):
    ana = election.options.first().pk
    form = BallotForm({"rank": [ana, ana]}, decision=election, voter=None)
    assert not form.is_valid()
    assert "only one rank" in " ".join(form.non_field_errors())


def test_a_hostile_operation_key_is_no_error_but_is_not_kept(election):
    ana = election.options.first().pk
    form = BallotForm({"rank": [ana], "op": "<script>"}, decision=election, voter=None)
    assert form.is_valid() and form.cleaned_data["op"] == ""


@pytest.mark.parametrize("method", ["motion", "consensus", "ranked", "approval"])
def test_the_ballot_boxs_quick_reading_is_the_forms(live_meeting, facilitator, method):
    """What the ballot box reads without a form (read_quickly) is what BallotForm reads, or
    nothing (then the view and its form have the ballot)."""
    options = ["Ana", "Ben", "Cruz"] if method in ("ranked", "approval") else []
    decision = actions.decisions.create(
        meeting=live_meeting, by=facilitator, question="Q", method=method, options=options
    )
    ids = [str(pk) for pk in decision.options.values_list("pk", flat=True)]
    a, b, c = ids or ["1", "2", "3"]
    bodies = [
        "vote=yes", "vote=+no+", "vote=maybe", "vote=yes&vote=no", "vote=ye%00s", "response=agree",
        "response=block&confirm=1", "confirm=0&vote=yes", "confirm=false&vote=yes",
        "confirm=on&vote=abstain&op=abcdef12-3456", "vote=yes&op=short", "vote=yes&op=a%20b%3Cc",
        f"rank={b}&rank={a}&rank=", f"rank=&rank={c}", f"option={a}&option={c}",
        f"option={a}&option={a}", f"rank={a}&rank={a}", "rank=999999", "option=x", "",
        f"rank={a}&option={b}", "for_membership=3&vote=yes", "op=abcdefgh&op=abcdefgh&vote=no",
    ]  # fmt: skip
    for body in bodies:
        data = QueryDict(body)
        quick = read_quickly(data)
        if quick is None:
            continue
        form = BallotForm(data, decision=decision, voter=None)
        if form.is_valid():
            assert quick.choice == form.choice, body
            assert (quick.confirm, quick.op) == (
                form.cleaned_data["confirm"],
                form.cleaned_data["op"],
            ), body
        else:  # the form refuses it: so does the rule every cast asks
            with pytest.raises(ValidationError):
                decision.stored_choice(quick.choice)
