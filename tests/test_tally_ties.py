"""Ties left to the room: a count stops at a tie, names it, and resumes with the choice made."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assembly.tally import (
    Ballot,
    RcvRules,
    TieBreakNeeded,
    TieChoice,
    count_rcv,
    draw_lot,
    meek_stv,
    read_blt,
    scottish_stv,
    wigm_stv,
)
from tests.test_tally_cli import run

ROOT = Path(__file__).resolve().parents[1]
VM12 = ROOT.parent / "shared" / "reference" / "tally" / "09_votingmatters12_meek_wigm"

# B and C tie for last in round 1; whoever stays wins over A by their transfers.
TIED = [
    Ballot.of("A", count=4),
    Ballot.of("B", "C", count=3),
    Ballot.of("C", "B", count=3),
]


def vm12():
    if not VM12.is_dir():
        pytest.skip(f"reference data not available: {VM12}")
    return read_blt(VM12 / "SC-Vm-12.blt")


def test_ask_stops_at_the_tie_and_names_it() -> None:
    with pytest.raises(TieBreakNeeded) as caught:
        count_rcv(TIED, ["A", "B", "C"], RcvRules(tiebreak="ask"))
    tie = caught.value
    assert tie.candidates == ("B", "C")
    assert tie.purpose == "eliminate"
    assert tie.round == 1
    assert tie.position == 0
    assert "B, C are tied" in str(tie)


@pytest.mark.parametrize(("picked", "winner"), [("B", "C"), ("C", "B")])
def test_resume_with_the_choice_made_continues_the_count(picked: str, winner: str) -> None:
    result = count_rcv(TIED, ["A", "B", "C"], RcvRules(tiebreak="ask"), choices=[picked])
    assert result.rounds[0].eliminated == (picked,)
    assert result.winners == (winner,)
    (tb,) = result.rounds[0].tiebreaks
    assert (tb.selected, tb.rule) == (picked, "chosen")


def test_a_lot_drawn_in_the_room_is_kept_with_its_seed() -> None:
    choice = draw_lot(["C", "B"], seed=2024)
    assert choice == draw_lot(["B", "C"], seed=2024)  # the listing order does not matter
    drawn = {draw_lot(["B", "C"], seed=s).selected for s in range(20)}
    assert drawn == {"B", "C"}  # the seed decides, not a fixed rule
    result = count_rcv(TIED, ["A", "B", "C"], RcvRules(tiebreak="ask"), choices=[choice])
    tie = result.to_dict()["rounds"][0]["tiebreaks"][0]
    assert tie == {
        "candidates": ["B", "C"],
        "selected": choice.selected,
        "purpose": "eliminate",
        "rule": "lot",
        "decided_at_round": None,
        "seed": 2024,
    }


def test_previous_rounds_first_then_ask() -> None:
    rules = RcvRules(tiebreak="previous_round", tiebreak_fallback="ask")
    with pytest.raises(TieBreakNeeded):
        count_rcv(TIED, ["A", "B", "C"], rules)
    # Where an earlier round splits the tie, nobody is asked.
    split = [
        Ballot.of("A", count=6),
        Ballot.of("B", count=3),
        Ballot.of("C", count=2),
        Ballot.of("D", "C", count=1),
    ]
    result = count_rcv(split, None, rules)
    (tb,) = result.rounds[1].tiebreaks  # B and C tie at 3; round 1 had C lower
    assert (tb.selected, tb.rule, tb.decided_at_round) == ("C", "previous_round", 1)


def test_a_choice_outside_the_tie_or_left_over_is_refused() -> None:
    with pytest.raises(ValueError, match="not one of the tied candidates"):
        count_rcv(TIED, ["A", "B", "C"], RcvRules(tiebreak="ask"), choices=["A"])
    with pytest.raises(ValueError, match="more tie choices than ties"):
        count_rcv(TIED, ["A", "B", "C"], RcvRules(tiebreak="ask"), choices=["B", "A"])


def test_meek_wigm_and_scottish_ask_too() -> None:
    election = vm12()
    with pytest.raises(TieBreakNeeded) as meek_tie:
        meek_stv(election.ballots, 3, election.candidates, rule="prf", ask_ties=True)
    assert meek_tie.value.candidates == ("X", "Y", "Z") and meek_tie.value.round == 2
    resumed = meek_stv(
        election.ballots, 3, election.candidates, rule="prf", ask_ties=True, choices=["Z"]
    )
    assert resumed.rounds[1].eliminated == ("Z",)
    with pytest.raises(TieBreakNeeded) as wigm_tie:
        wigm_stv(election.ballots, 3, election.candidates, ask_ties=True)
    assert wigm_tie.value.candidates == ("A", "B")
    assert wigm_tie.value.purpose == "transfer_first"
    # Scottish STV: pause at each tie, answer it (the last listed, then a lot), resume.
    choices: list[TieChoice | str] = []
    asked: list[tuple[str, ...]] = []
    while True:
        try:
            done = scottish_stv(
                election.ballots, 3, election.candidates, ask_ties=True, choices=choices
            )
            break
        except TieBreakNeeded as tie:
            asked.append(tie.candidates)
            pick = tie.candidates[-1] if len(asked) < 3 else draw_lot(tie.candidates, 11)
            choices.append(pick)
    assert asked[:2] == [("A", "B"), ("A", "B")]  # order of election, then of transfer
    assert ("X", "Y", "Z") in asked
    assert len(done.winners) == 3 and done.winners[2] in {"X", "Y", "Z"}
    assert [tb.rule for r in done.rounds for tb in r.tiebreaks][:2] == ["chosen", "chosen"]
    assert any(tb.rule == "lot" and tb.seed == 11 for r in done.rounds for tb in r.tiebreaks)


def test_cli_tie_break_ask_stops_naming_the_tied_then_resumes(tmp_path: Path) -> None:
    path = tmp_path / "tie.csv"
    path.write_text("count,choice1,choice2\n4,A,\n3,B,C\n3,C,B\n")
    stopped = run(path, "--tie-break", "ask")
    assert stopped.returncode == 2
    assert stopped.stdout == ""
    assert "round 1: B, C are tied (to choose who is eliminated)" in stopped.stderr
    assert "--choose" in stopped.stderr
    resumed = run(path, "--tie-break", "ask", "--choose", "C")
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["winners"] == ["B"]
    wrong = run(path, "--tie-break", "ask", "--choose", "A")
    assert wrong.returncode == 2 and "not one of the tied candidates" in wrong.stderr


def test_cli_tie_break_rules_for_meek(tmp_path: Path) -> None:
    blt = vm12().source
    assert run(blt, "--method", "meek", "--tie-break", "lot").returncode == 2  # no seed
    by_lot = run(blt, "--method", "meek", "--tie-break", "lot", "--seed", "3")
    assert by_lot.returncode == 0, by_lot.stderr
    tie = json.loads(by_lot.stdout)["rounds"][1]["tiebreaks"][0]
    assert tie["rule"] == "lot" and set(tie["candidates"]) == {"X", "Y", "Z"}
    asked = run(blt, "--method", "meek", "--tie-break", "ask")
    assert asked.returncode == 2 and "X, Y, Z are tied" in asked.stderr
    refused = run(blt, "--method", "meek", "--tie-break", "previous_round")
    assert refused.returncode == 2 and "candidate_order, lot or ask" in refused.stderr
