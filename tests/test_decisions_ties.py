"""Ties drawn by lot in the room: under the organization's rule the count pauses at a tie, the
facilitator draws on the console, the count goes on, and the room and the minutes keep each lot
with its seed."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse

from assembly import actions, tally
from assembly.actions import ActionError
from assembly.live.render import render_parts
from assembly.models import AuditEntry, Ballot, TieRule
from tests.conftest import client_for
from tests.test_decisions_actions import hall  # noqa: F401
from tests.test_minutes_pdf import pdf_text

pytestmark = pytest.mark.usefixtures("quiet")

# Ana 4; Bo and Chayo tie at 3 for elimination in round 1; whoever stays wins on transfers.
ONE_TIE = [["Ana"]] * 4 + [["Bo", "Chayo"]] * 3 + [["Chayo", "Bo"]] * 3
# Ana and Bo tie at 1 in round 1; the two left tie at 3 in round 3 for the seat: two lots.
TWO_TIES = [["Ana", "Chayo"], ["Bo", "Dani"], ["Chayo"], ["Chayo"], ["Dani"], ["Dani"]]


@pytest.fixture
def room(hall):  # noqa: F811  (the fixture imported above)
    """Ten voting members present (`test_decisions_actions.hall`)."""
    return hall


@pytest.fixture
def by_lot(organization):
    organization.election_ties = TieRule.ROOM_LOT
    organization.save(update_fields=["election_ties"])
    return organization


def election(
    room, facilitator, rankings, *, secret=False, candidates=("Ana", "Bo", "Chayo"), **options
):
    meeting, voters, _guest = room
    decision = actions.decisions.create(
        meeting=meeting,
        by=facilitator,
        question="Delegate",
        method="ranked",
        options=list(candidates),
        secret=secret,
        **options,
    )
    actions.decisions.open_round(meeting=meeting, decision_id=decision.pk, by=facilitator)
    ids = {o.label: o.pk for o in decision.options.all()}
    for attendee, ranking in zip(voters, rankings, strict=False):
        actions.decisions.cast(
            decision_id=decision.pk,
            attendee=attendee,
            choice={"options": [ids[name] for name in ranking]},
        )
    return actions.decisions.close(meeting=meeting, decision_id=decision.pk, by=facilitator)


def draw(decision, facilitator):
    return actions.decisions.draw_lot(
        meeting=decision.meeting, decision_id=decision.pk, by=facilitator
    )


def test_under_the_usual_rule_a_tie_does_not_pause(room, facilitator):
    result = election(room, facilitator, ONE_TIE).result
    assert result["kind"] == "ranked" and len(result["winners"]) == 1
    (tie,) = result["rounds"][0]["tiebreaks"]
    assert tie["rule"] == "lot" and "lots" not in result


def test_by_candidate_order_the_last_listed_goes(room, facilitator, organization):
    organization.election_ties = TieRule.CANDIDATE_ORDER
    organization.save()
    result = election(room, facilitator, ONE_TIE).result
    assert result["rounds"][0]["eliminated"] == ["Chayo"] and result["winners"] == ["Bo"]


def test_by_lot_the_count_pauses_and_says_at_which_tie(room, facilitator, by_lot):
    decision = election(room, facilitator, ONE_TIE)
    assert decision.is_closed and not decision.carried
    assert decision.result["kind"] == "tie" and decision.result["ballots"] == 10
    assert decision.result["tie"] == {
        "candidates": ["Bo", "Chayo"],
        "purpose": "eliminate",
        "round": 1,
    }
    meeting = decision.meeting
    projector = render_parts(meeting, "projector", ["decision"], "en")
    assert (
        "The count is paused: a tie between Bo and Chayo for elimination in round 1. "
        "The facilitator draws a lot." in projector
    )
    console = render_parts(meeting, "facilitator", ["decision"], "en")
    assert "Draw the lot" in console
    phone = render_parts(meeting, "participant", ["decision"], "es")
    assert "El conteo está en pausa: un empate entre Bo y Chayo" in phone


def test_the_draw_resumes_the_count_and_the_result_names_the_lot(room, facilitator, by_lot):
    decision = election(room, facilitator, ONE_TIE)
    with mock.patch("assembly.actions.decisions.secrets.randbelow", return_value=23456):
        drawn = draw(decision, facilitator)
    seed = 123456
    out = tally.draw_lot(["Bo", "Chayo"], seed).selected
    stays = "Chayo" if out == "Bo" else "Bo"
    result = drawn.result
    assert result["winners"] == [stays] and drawn.carried
    assert result["lots"] == [
        {
            "candidates": ["Bo", "Chayo"],
            "purpose": "eliminate",
            "round": 1,
            "seed": seed,
            "selected": out,
        }
    ]
    (tie,) = result["rounds"][0]["tiebreaks"]
    assert (tie["selected"], tie["rule"], tie["seed"]) == (out, "lot", seed)
    audit = AuditEntry.objects.get(action="decision.lot_drawn")
    assert audit.details["seed"] == seed and audit.details["selected"] == out
    projector = render_parts(decision.meeting, "projector", ["decision"], "en")
    assert f"Lot drawn with seed 123456: {out} is eliminated" in projector
    assert "The count is paused" not in projector and stays in projector
    assert "Draw the lot" not in render_parts(decision.meeting, "facilitator", ["decision"], "en")


def test_each_tie_pauses_again_and_every_lot_is_kept(room, facilitator, by_lot):
    decision = election(room, facilitator, TWO_TIES, candidates=("Ana", "Bo", "Chayo", "Dani"))
    assert decision.result["tie"]["candidates"] == ["Ana", "Bo"]
    once = draw(decision, facilitator)
    assert once.result["kind"] == "tie" and len(once.result["lots"]) == 1
    assert once.result["tie"] == {
        "candidates": ["Chayo", "Dani"],
        "purpose": "elect",  # the last two, level: the lot elects one
        "round": 3,
    }
    twice = draw(decision, facilitator)
    assert [lot["round"] for lot in twice.result["lots"]] == [1, 3]
    assert twice.result["winners"] == [twice.result["lots"][1]["selected"]]
    projector = render_parts(decision.meeting, "projector", ["decision"], "en")
    for lot in twice.result["lots"]:
        assert f"Lot drawn with seed {lot['seed']}" in projector
    assert f"{twice.result['winners'][0]} is elected" in projector


def test_a_draw_with_no_tie_waiting_is_refused(room, facilitator, by_lot):
    decision = election(room, facilitator, ONE_TIE)
    draw(decision, facilitator)
    with pytest.raises(ActionError, match="not waiting for a lot"):
        draw(decision, facilitator)
    decision.refresh_from_db()
    assert len(decision.result["lots"]) == 1
    plain = election(room, facilitator, [["Ana"]] * 3)
    with pytest.raises(ActionError, match="not waiting for a lot"):
        draw(plain, facilitator)


def test_a_secret_election_pauses_with_its_ballots_opened_and_unlinked(room, facilitator, by_lot):
    decision = election(room, facilitator, ONE_TIE, secret=True)
    assert decision.result["kind"] == "tie"
    assert not decision.sealed.exists()
    ballots = Ballot.objects.filter(decision=decision)
    assert ballots.count() == 10 and not ballots.filter(attendee__isnull=False).exists()
    assert len(draw(decision, facilitator).result["winners"]) == 1
    assert Ballot.objects.filter(decision=decision).count() == 10


def test_the_view_draws_for_the_facilitator_and_refuses_a_member(room, facilitator, member, by_lot):
    decision = election(room, facilitator, ONE_TIE)
    url = reverse("assembly:decision-lot", args=[decision.meeting.pk, decision.pk])
    assert client_for(member).post(url).status_code == 403
    response = client_for(facilitator).post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Lot drawn with seed" in response.content.decode()
    again = client_for(facilitator).post(url, HTTP_HX_REQUEST="true")
    assert again.status_code == 409 and "not waiting for a lot" in again.content.decode()


def test_the_draw_is_published_once_after_commit(
    room, facilitator, by_lot, django_capture_on_commit_callbacks
):
    decision = election(room, facilitator, ONE_TIE)
    with mock.patch("assembly.live.publish.coalesce.submit") as submit:
        with django_capture_on_commit_callbacks(execute=True):
            draw(decision, facilitator)
        assert submit.call_count == 1
        with pytest.raises(ActionError), django_capture_on_commit_callbacks(execute=True):
            draw(decision, facilitator)
        assert submit.call_count == 1


def test_the_minutes_keep_each_lot_with_its_seed(room, facilitator, secretary, by_lot, tmp_path):
    decision = election(room, facilitator, ONE_TIE)
    with mock.patch("assembly.actions.decisions.secrets.randbelow", return_value=555):
        drawn = draw(decision, facilitator)
    out = drawn.result["lots"][0]["selected"]
    meeting = decision.meeting
    actions.meetings.adjourn(meeting=meeting, by=facilitator)
    words = (
        f"Lot drawn with seed 100555: {out} is eliminated (a tie between Bo and Chayo in round 1)"
    )
    client = client_for(secretary)
    html = client.get(reverse("assembly:minutes", args=[meeting.pk])).content.decode()
    assert words in html
    markdown = client.get(reverse("assembly:minutes-markdown", args=[meeting.pk])).content
    assert f"- {words}" in markdown.decode()
    assert "Lot drawn with seed 100555" in " ".join(
        pdf_text(meeting, secretary, tmp_path=tmp_path).split()
    )


def test_the_room_keeps_the_paused_count_until_its_lot_is_drawn(room, facilitator, by_lot):
    decision = election(room, facilitator, ONE_TIE)
    meeting = decision.meeting
    with pytest.raises(ActionError, match="paused at a tie: draw its lot first"):
        actions.decisions.create(meeting=meeting, by=facilitator, question="Next", method="motion")
    meeting = actions.meetings.next_item(meeting=meeting, by=facilitator)
    assert "Draw the lot" in render_parts(meeting, "facilitator", ["decision"], "en")
    assert "a tie between Bo and Chayo" in render_parts(meeting, "projector", ["decision"], "en")
    draw(decision, facilitator)
    actions.decisions.create(meeting=meeting, by=facilitator, question="Next", method="motion")
    assert "Next" in render_parts(meeting, "projector", ["decision"], "en")


@pytest.mark.parametrize("rule", ["meek", "wigm"])
def test_meek_and_wigm_pause_and_resume_too(room, facilitator, by_lot, rule):
    decision = election(room, facilitator, ONE_TIE, count_rule=rule)
    assert decision.result["tie"]["candidates"] == ["Bo", "Chayo"]
    result = draw(decision, facilitator).result
    out = result["lots"][0]["selected"]
    assert result["winners"] == ["Chayo" if out == "Bo" else "Bo"]
