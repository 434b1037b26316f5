"""Results as charts: each kind drawn from the stored result of a reference election, its numbers
read back out of the SVG; the facilitator steps the room through a ranked count."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import translation

from assembly import actions, charts, tally
from assembly.actions import ActionError
from assembly.live.parts import Audience, Part
from assembly.live.render import render_parts
from assembly.models import Decision
from tests.conftest import client_for

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "tally"
SVG = "{http://www.w3.org/2000/svg}"


def case_dir(name: str) -> Path:
    path = REFERENCE / name
    if not path.is_dir():
        pytest.skip(f"reference data not available: {path} (../shared/reference/tally is absent)")
    return path


def stored(result: tally.Result) -> dict:
    """A ranked count as `counting.count` keeps it with the decision."""
    return {"kind": "ranked", "ballots": result.total_ballots, "outcome": "elected"} | (
        result.to_dict()
    )


@pytest.fixture(scope="module")
def rctab_stv3() -> dict:
    folder = case_dir("06_rctab_small_multiseat_stv3")
    contest = tally.load_rctab_config(next(folder.glob("*_config.json")))
    election = tally.read_aggregated_csv(folder / "ballots_aggregated.csv", contest.candidates)
    return stored(tally.count_rcv(election.ballots, contest.candidates, contest.rules))


@pytest.fixture(scope="module")
def calton() -> dict:
    folder = case_dir("08_glasgow2007_scottish_stv")
    election = tally.read_blt(folder / "Calton-2007.blt")
    return stored(tally.scottish_stv(election.ballots, election.seats, election.candidates))


def three_quarter_motion() -> dict:
    """SCENARIO.md: 37 yes, 12 no, 3 abstain at three quarters of the votes cast."""
    decided = tally.decide(37, 12, 3, threshold=tally.THREE_QUARTERS)
    return {"kind": "motion", "ballots": 52, **decided.to_dict()}


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.get("aria-hidden") == "true"  # decoration: the table carries the numbers
    return root


def bars(root: ET.Element) -> list[dict]:
    found = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != "bar":
            continue
        texts = ["".join(t.itertext()) for t in group.iter(f"{SVG}text")]
        gain = next((r for r in group.iter(f"{SVG}rect") if r.get("class") == "gain"), None)
        found.append(
            {
                "label": group.get("data-label"),
                "votes": Decimal(group.get("data-votes")),
                "style": group.get("data-style"),
                "texts": texts,
                "gain": Decimal(gain.get("data-votes")) if gain is not None else Decimal(0),
            }
        )
    return found


def threshold(root: ET.Element) -> tuple[Decimal, str, float]:
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "threshold")
    line = group.find(f"{SVG}line")
    label = " / ".join("".join(t.itertext()) for t in group.iter(f"{SVG}text"))
    return Decimal(group.get("data-votes")), label, float(line.get("x1"))


def test_a_three_quarter_motion_draws_its_bars_and_the_line_it_had_to_reach():
    result = three_quarter_motion()
    root = parse(charts.result_chart(result, key="m").svg)
    drawn = bars(root)
    assert [(b["label"], b["votes"]) for b in drawn] == [
        ("Yes", Decimal(37)),
        ("No", Decimal(12)),
        ("Abstain", Decimal(3)),
    ]
    assert drawn[0]["texts"] == ["Yes", "37 · 75.5 %"]  # 37 of the 49 votes cast
    assert drawn[1]["texts"] == ["No", "12 · 24.5 %"]
    assert drawn[2]["texts"] == ["Abstain", "3"]  # abstentions are not votes cast: no share
    votes, label, x = threshold(root)
    assert votes == Decimal(result["required"]) == 37
    assert label == "three quarters of the votes cast: 37 needed"
    assert x == pytest.approx(37 / 49 * charts.WIDTH, abs=0.1)  # the scale is the base
    yes_bar = next(r for r in root.iter(f"{SVG}rect") if r.get("y") and r.get("x") == "0")
    assert float(yes_bar.get("width")) == pytest.approx(x, abs=0.1)  # yes reaches the line


def test_a_consensus_draws_every_response_with_a_block_told_apart_without_colour():
    counts = {"agree": 20, "reservations": 4, "stand_aside": 3, "block": 1, "abstain": 2}
    result = {"kind": "consensus", "ballots": 30, **tally.consensus(counts).to_dict()}
    drawn = bars(parse(charts.result_chart(result, key="c").svg))
    assert {b["label"]: b["votes"] for b in drawn} == {
        "Agree": 20,
        "Reservations": 4,
        "Stand aside": 3,
        "Block": 1,
        "Abstain": 2,
    }
    styles = {b["label"]: b["style"] for b in drawn}
    assert styles["Agree"] == "solid" and styles["Block"] == "hatch"
    assert drawn[0]["texts"][1] == "20 · 66.7 %"


def test_an_approval_vote_is_sorted_with_its_winners_marked():
    result = {
        "kind": "approval",
        "ballots": 40,
        "winners": ["Ana", "Chayo"],
        "scores": {"Bo": "17", "Ana": "31", "Chayo": "25"},
    }
    drawn = bars(parse(charts.result_chart(result, key="a").svg))
    assert [(b["label"], b["votes"]) for b in drawn] == [("Ana", 31), ("Chayo", 25), ("Bo", 17)]
    assert drawn[0]["texts"] == ["Ana  ✓ chosen", "31 · 77.5 %"]
    assert drawn[2]["texts"] == ["Bo", "17 · 42.5 %"]


def test_a_counted_approval_vote_is_drawn_as_support_not_as_a_round():
    # As counting.count keeps it: an approval result has one round as well as its scores.
    ballots = [tally.Ballot.of("Ana", "Bo", count=3), tally.Ballot.of("Ana")]
    counted = tally.approval(ballots, ["Ana", "Bo", "Chayo"], seats=1, seed=1)
    result = {"kind": "approval", "ballots": 4, "outcome": "elected", **counted.to_dict()}
    chart = charts.result_chart(result, key="a")
    assert chart.kind == "approval" and chart.round_number is None
    drawn = bars(parse(chart.svg))
    assert drawn[0]["texts"] == ["Ana  ✓ chosen", "4 · 100.0 %"]
    assert drawn[1]["texts"] == ["Bo", "3 · 75.0 %"]


def test_every_round_of_the_rctab_three_seat_count_matches_the_stored_result(rctab_stv3):
    rounds = rctab_stv3["rounds"]
    for number, stored_round in enumerate(rounds, start=1):
        chart = charts.result_chart(rctab_stv3, key="r", round_number=number)
        root = parse(chart.svg)
        drawn = bars(root)
        assert {b["label"]: b["votes"] for b in drawn} == {
            name: Decimal(votes) for name, votes in stored_round["tally"].items()
        }, f"round {number}"
        assert threshold(root)[0] == Decimal(stored_round["threshold"]) == 8
        assert "Quota: 8" in threshold(root)[1]
        caption = next(t for t in root.iter(f"{SVG}text"))
        assert "".join(caption.itertext()) == f"Round {number} of {len(rounds)}"
    first = bars(parse(charts.result_chart(rctab_stv3, key="r", round_number=1).svg))
    assert next(b for b in first if b["label"] == "D")["texts"][0] == "D  ✗ eliminated"
    # D's transfer: C has one more vote in round 2, drawn as a received segment, and is elected.
    second = bars(parse(charts.result_chart(rctab_stv3, key="r", round_number=2).svg))
    c = next(b for b in second if b["label"] == "C")
    assert (c["votes"], c["gain"], c["style"]) == (8, 1, "solid")
    assert c["texts"] == ["C  ✓ elected", "8", "+1"]
    # The whole count (no round chosen) is the last round, every winner marked.
    final = bars(parse(charts.result_chart(rctab_stv3, key="r").svg))
    assert {b["label"] for b in final if b["style"] == "solid"} == {"A", "B", "C"}


def test_a_glasgow_ward_round_shows_the_surplus_it_received(calton):
    chart = charts.result_chart(calton, key="g", round_number=2)
    root = parse(chart.svg)
    drawn = {b["label"]: b for b in bars(root)}
    second = calton["rounds"][1]
    assert {n: b["votes"] for n, b in drawn.items()} == {
        n: Decimal(v) for n, v in second["tally"].items()
    }
    simpson = drawn["Ruth Simpson"]
    # Redmond's surplus: 628 first preferences + 407.05847 transferred = 1035.05847.
    assert simpson["gain"] == Decimal("407.05847")
    assert simpson["texts"] == ["Ruth Simpson", "1035.06", "+407.06"]  # two places on screen
    assert drawn["Gary Barton"]["style"] == "hatch"  # excluded at this stage
    assert threshold(root)[0] == Decimal(calton["quota"]) == 1300
    # The table keeps every decimal the count stated.
    row = next(r for r in chart.rows if r[0] == "Ruth Simpson")
    assert row[1:3] == ("1035.05847", "407.05847")


def test_the_flow_of_a_glasgow_count_carries_every_transfer(calton):
    root = parse(charts.flow_svg(calton, key="f"))
    ribbons = [p for p in root.iter(f"{SVG}path") if p.get("class") == "flow-transfer"]
    for stored_round in calton["rounds"][:-1]:
        moved = {
            (source, target): Decimal(votes)
            for source, targets in stored_round["transfers"].items()
            for target, votes in targets.items()
            if Decimal(votes) > 0
        }
        drawn = {
            (p.get("data-from"), p.get("data-to")): Decimal(p.get("data-votes"))
            for p in ribbons
            if p.get("data-round") == str(stored_round["round"])
        }
        assert drawn == moved, f"stage {stored_round['round']}"
    nodes = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "flow-node"]
    first = {
        n.get("data-name"): Decimal(n.get("data-votes"))
        for n in nodes
        if n.get("data-round") == "1"
    }
    assert first == {n: Decimal(v) for n, v in calton["rounds"][0]["tally"].items()}
    ends = "".join(root.itertext())
    assert "✓ elected, round 1" in ends and "✗ out, round 2" in ends


def flow_lines(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in parse(svg).iter(f"{SVG}text")]


def test_the_flow_is_labelled_in_both_languages_like_every_other_chart(calton):
    with translation.override("es"):
        alone = flow_lines(charts.flow_svg(calton, key="f"))
        both = flow_lines(charts.flow_svg(calton, key="f", languages=("es", "en")))
    assert "✓ electo/a, ronda 1" in alone and "✓ elected, round 1" not in alone
    # Each language on a line of its own, the reader's first, as the bars put a long mark.
    first = both.index("✓ electo/a, ronda 1")
    assert both[first + 1] == "✓ elected, round 1"
    assert "✗ fuera, ronda 2" in both and "✗ out, round 2" in both
    root = parse(charts.flow_svg(calton, key="f", languages=("es", "en")))
    width = float(root.get("viewBox").split()[2])
    for text in root.iter(f"{SVG}text"):  # each outcome inside the picture, none over another
        words = "".join(text.itertext())
        if "ronda" in words or "round" in words:
            wide = len(words) * float(text.get("font-size")) * charts.EM
            assert float(text.get("x")) + wide <= width, words
    ys = [(float(t.get("x")), float(t.get("y"))) for t in root.iter(f"{SVG}text")]
    assert len(ys) == len(set(ys))


def test_a_bilingual_meeting_s_pdf_draws_the_flow_in_both_languages(ranked):
    from django.template import Context

    from assembly.templatetags.charts import result_flow

    with translation.override("en"):
        lines = flow_lines(result_flow(Context({"both_languages": True}), ranked))
        single = flow_lines(result_flow(Context({}), ranked))
    assert any(line.startswith("✓ elected, round") for line in lines)
    assert any(line.startswith("✓ electo/a, ronda") for line in lines)
    assert not any(line.startswith("✓ electo/a") for line in single)


def test_spanish_and_a_bilingual_projector_label_the_same_numbers():
    result = three_quarter_motion()
    with translation.override("es"):
        root = parse(charts.result_chart(result, key="m").svg)
        both = parse(charts.result_chart(result, key="m", languages=("es", "en")).svg)
    assert bars(root)[0]["texts"] == ["Sí", "37 · 75,5 %"]
    assert bars(both)[0]["texts"][0] == "Sí / Yes"
    assert threshold(both)[1].startswith("tres cuartos de los votos emitidos")
    assert " / three quarters of the votes cast: 37 needed" in threshold(both)[1]


# The step-through: the facilitator picks the round; the room's screens follow.


@pytest.fixture
def ranked(live_meeting, rctab_stv3) -> Decision:
    return live_meeting.decisions.create(
        item=live_meeting.current_item,
        question="Three delegates",
        method=Decision.Method.RANKED,
        seats=3,
        status=Decision.Status.CLOSED,
        result=rctab_stv3,
    )


@pytest.fixture
def published():
    with mock.patch("assembly.live.publish.broadcast") as broadcast:
        yield broadcast


def test_showing_a_round_moves_every_screen_once_after_commit(
    ranked, facilitator, published, django_capture_on_commit_callbacks
):
    meeting = ranked.meeting
    with django_capture_on_commit_callbacks(execute=True):
        actions.decisions.show_round(
            meeting=meeting, decision_id=ranked.pk, round_number=2, by=facilitator
        )
    published.assert_called_once_with(meeting.pk, (Part.DECISION,))
    ranked.refresh_from_db()
    assert ranked.shown_round == 2
    for audience in (Audience.PROJECTOR, Audience.PARTICIPANT, Audience.FACILITATOR):
        html = render_parts(meeting, audience, (Part.DECISION,), "en")
        assert 'data-round="2"' in html and "Round 2 of 6" in html, audience
        assert "Round 2: elected: C" in html, audience  # in words, beside the chart
    # The same round again changes nothing and tells no one.
    with django_capture_on_commit_callbacks(execute=True):
        actions.decisions.show_round(
            meeting=meeting, decision_id=ranked.pk, round_number=2, by=facilitator
        )
    assert published.call_count == 1


def test_a_round_shown_is_told_apart_from_the_final_result(ranked, facilitator, quiet):
    meeting = ranked.meeting
    actions.decisions.show_round(
        meeting=meeting, decision_id=ranked.pk, round_number=2, by=facilitator
    )
    for audience in (Audience.PROJECTOR, Audience.PARTICIPANT):
        html = render_parts(meeting, audience, (Part.DECISION,), "en")
        # The winners stay, headed as the final result; the chart's round sits in its own frame.
        final = html.index('<p class="eyebrow final-result">Final result</p>')
        assert final < html.index("Elected:") < html.index('<ul class="winners">'), audience
        assert '<figure class="chart chart-round stepping" data-round="2">' in html, audience
    spanish = render_parts(meeting, Audience.PROJECTOR, (Part.DECISION,), "es")
    assert ">Resultado final<" in spanish
    actions.decisions.show_round(
        meeting=meeting, decision_id=ranked.pk, round_number=None, by=facilitator
    )
    whole = render_parts(meeting, Audience.PROJECTOR, (Part.DECISION,), "en")
    assert "Final result" not in whole and "stepping" not in whole


def test_a_round_the_count_does_not_have_is_refused(ranked, facilitator, quiet):
    for wrong in (0, 7):
        with pytest.raises(ActionError, match="rounds 1 to 6"):
            actions.decisions.show_round(
                meeting=ranked.meeting, decision_id=ranked.pk, round_number=wrong, by=facilitator
            )
    ranked.refresh_from_db()
    assert ranked.shown_round is None


def test_a_motion_has_no_rounds_to_step_through(live_meeting, facilitator, quiet):
    motion = live_meeting.decisions.create(
        question="Strike?", method="motion", status="closed", result=three_quarter_motion()
    )
    with pytest.raises(ActionError, match="several rounds"):
        actions.decisions.show_round(
            meeting=live_meeting, decision_id=motion.pk, round_number=1, by=facilitator
        )


def test_the_console_steps_forward_back_and_to_the_whole_count(ranked, facilitator, quiet):
    client = client_for(facilitator)
    url = reverse("assembly:decision-round", args=[ranked.meeting_id, ranked.pk])
    console = client.post(url, {"round": "1"}, headers={"HX-Request": "true"})
    assert console.status_code == 200
    page = console.content.decode()
    assert "The room sees round 1 of 6." in page and 'name="round" value="2"' in page
    ranked.refresh_from_db()
    assert ranked.shown_round == 1
    client.post(url, {"round": ""}, headers={"HX-Request": "true"})
    ranked.refresh_from_db()
    assert ranked.shown_round is None
    refused = client.post(url, {"round": "x"}, headers={"HX-Request": "true"})
    assert refused.status_code == 409 and "rounds 1 to 6" in refused.content.decode()


def test_the_minutes_draw_the_whole_count_as_a_flow(ranked, facilitator, quiet):
    ranked.shown_round = 2  # what the room was last shown does not change the record
    ranked.save(update_fields=["shown_round"])
    page = client_for(facilitator).get(reverse("assembly:minutes", args=[ranked.meeting_id]))
    html = page.content.decode()
    assert 'data-kind="flow"' in html and "Round 2 of 6" not in html
    assert "Round by round" in html
