"""The tally engine against independent tabulators' results (RCTab, droop, published examples).

The reference elections live beside the repository in ../shared/reference/tally and are never
copied into it; every test here skips with a reason when that folder is absent.
"""

from __future__ import annotations

import functools
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from assembly.tally import (
    IMPLEMENTED_RULES,
    Ballot,
    borda,
    count_rcv,
    irv,
    load_rctab_config,
    meek_stv,
    plurality,
    read_aggregated_csv,
    read_blt,
    read_candidate_columns_csv,
    schulze,
    scottish_stv,
    stv,
    wigm_stv,
)

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "tally"

RCTAB_CASES = [
    "01_rctab_generic_csv_irv",
    "02_rctab_portland2015_sample_irv_tiebreak",
    "03_rctab_minneapolis2013_mayor_irv",
    "04_rctab_minneapolis2017_mayor_irv",
    "05_rctab_minneapolis2013_park_atlarge_stv3",
    "06_rctab_small_multiseat_stv3",
]


def case_dir(name: str) -> Path:
    path = REFERENCE / name
    if not path.is_dir():
        pytest.skip(f"reference data not available: {path} (../shared/reference/tally is absent)")
    return path


@functools.cache  # each case is counted once per session; results are immutable
def count_rctab_case(name: str):
    folder = case_dir(name)
    contest = load_rctab_config(next(folder.glob("*_config.json")))
    aggregated = folder / "ballots_aggregated.csv"
    if aggregated.exists():
        election = read_aggregated_csv(aggregated, contest.candidates)
    else:  # case 01 ships only RCTab's candidate-column CSV
        source = contest.sources[0]
        election = read_candidate_columns_csv(
            folder / source["filePath"],
            contest.candidates,
            int(source["firstVoteColumnIndex"]),
            int(source["firstVoteRowIndex"]),
            source["undeclaredWriteInLabel"] or None,
        )
    result = count_rcv(
        election.ballots,
        contest.candidates,
        contest.rules,
        write_ins=contest.write_ins,
        excluded=contest.excluded,
    )
    report = json.loads(next(folder.glob("*_expected_detailed_report.json")).read_text())
    return result, report


def decimals(mapping: dict[str, str]) -> dict[str, Decimal]:
    return {k: Decimal(v) for k, v in mapping.items()}


@pytest.mark.parametrize("name", RCTAB_CASES)
def test_rctab_case_reproduces_every_round_tally_and_threshold(name: str) -> None:
    result, report = count_rctab_case(name)
    expected_rounds = report["results"]
    assert len(result.rounds) == len(expected_rounds)
    for expected, mine in zip(expected_rounds, result.rounds, strict=True):
        assert dict(mine.tally) == decimals(expected["tally"]), f"round {expected['round']}"
        assert mine.threshold == Decimal(expected["threshold"]), f"round {expected['round']}"


@pytest.mark.parametrize("name", RCTAB_CASES)
def test_rctab_case_reproduces_decisions_and_transfers(name: str) -> None:
    result, report = count_rctab_case(name)
    for expected, mine in zip(report["results"], result.rounds, strict=True):
        actions = expected["tallyResults"]
        assert set(mine.elected) == {a["elected"] for a in actions if "elected" in a}
        assert set(mine.eliminated) == {a["eliminated"] for a in actions if "eliminated" in a}
        for action in actions:
            who = action.get("elected") or action.get("eliminated")
            # RCTab lists the truncation loss as a pseudo-destination; we report it separately.
            moved = {k: v for k, v in action["transfers"].items() if k != "residual surplus"}
            assert dict(mine.transfers.get(who, {})) == decimals(moved), (
                f"round {expected['round']} transfers from {who}"
            )


@pytest.mark.parametrize("name", RCTAB_CASES)
def test_rctab_case_reproduces_inactive_ballots(name: str) -> None:
    result, report = count_rctab_case(name)
    assert result.blank_ballots == int(report["summary"].get("undervotes", 0))
    assert result.total_ballots == int(report["summary"]["totalNumBallots"])
    for expected, mine in zip(report["results"], result.rounds, strict=True):
        inactive = decimals(expected["inactiveBallots"])
        assert mine.exhausted == sum(inactive.values()), f"round {expected['round']}"
        if "finalRoundSurplus" in inactive:
            # RCTab files the last surpluses that find no continuing candidate under their own
            # heading; we keep them under the ballot's own reason, so only the total compares.
            continue
        assert dict(mine.exhausted_by) == {
            "overvote": inactive["overvotes"],
            "skipped": inactive["skippedRankings"],
            "repeated": inactive["repeatedRankings"],
            "exhausted": inactive["exhaustedChoices"],
        }, f"round {expected['round']}"


@pytest.mark.parametrize("name", RCTAB_CASES)
def test_rctab_case_elects_the_reference_winners_in_order(name: str) -> None:
    result, _ = count_rctab_case(name)
    summary = json.loads((case_dir(name) / "expected_summary.json").read_text())
    assert list(result.winners) == summary["winners_in_order"]
    assert len(result.rounds) == summary["num_rounds"]


@pytest.mark.parametrize("name", RCTAB_CASES)
def test_rctab_case_conserves_every_ballot(name: str) -> None:
    result, _ = count_rctab_case(name)
    for r in result.rounds:
        held = sum(r.tally.values())
        assert held + r.exhausted + r.residual_surplus + result.blank_ballots == (
            result.total_ballots
        ), f"round {r.number}"


def test_rctab_portland_ties_are_broken_by_candidate_order() -> None:
    result, _ = count_rctab_case("02_rctab_portland2015_sample_irv_tiebreak")
    tied_rounds = {r.number: r.tiebreaks for r in result.rounds if r.tiebreaks}
    assert set(tied_rounds) == {2, 7}
    for tiebreaks in tied_rounds.values():
        (tie,) = tiebreaks
        assert tie.rule == "candidate_order"
        assert tie.purpose == "eliminate"


# --- Scottish STV (droop's reports) ---------------------------------------------------------

GLASGOW = ["Calton-2007", "Hillhead-2007"]


def droop_json_stages(path: Path) -> tuple[dict, list[dict]]:
    data = json.loads(path.read_text())
    stages = [a for a in data["actions"] if a["tag"] in ("begin", "transfer")]
    return data, stages


@pytest.mark.parametrize("ward", GLASGOW)
def test_scottish_glasgow_ward_reproduces_every_stage(ward: str) -> None:
    folder = case_dir("08_glasgow2007_scottish_stv")
    election = read_blt(folder / f"{ward}.blt")
    result = scottish_stv(election.ballots, election.seats or 1, election.candidates)
    data, stages = droop_json_stages(folder / f"{ward}.droop-scotland.json")
    names = {cid: entry["name"] for cid, entry in data["cdict"].items()}
    assert result.quota == Decimal(data["quota"])
    # droop reports the first count and then the state after every transfer; so do we.
    assert len(result.rounds) == len(stages)
    for stage, mine in zip(stages, result.rounds, strict=True):
        assert mine.threshold == Decimal(stage["quota"])
        assert mine.exhausted == Decimal(stage["nt_votes"]), f"stage {mine.number}"
        for cid, state in stage["cstate"].items():
            votes = Decimal(state["vote"])
            name = names[cid]
            if name in mine.tally:
                assert mine.tally[name] == votes, f"stage {mine.number}: {name}"
            else:  # excluded earlier: droop shows them at zero
                assert state["state"] == "defeated" and votes == 0


@pytest.mark.parametrize("ward", GLASGOW)
def test_scottish_glasgow_ward_elects_the_published_winners(ward: str) -> None:
    folder = case_dir("08_glasgow2007_scottish_stv")
    expected = json.loads((folder / "expected.json").read_text())[ward]
    election = read_blt(folder / f"{ward}.blt")
    result = scottish_stv(election.ballots, election.seats or 1, election.candidates)
    assert list(result.winners) == expected["elected"]
    assert result.quota == expected["quota"]
    assert dict(result.rounds[0].tally) == {
        k: Decimal(v) for k, v in expected["first_preferences"].items()
    }
    if "droop_exclusion_order" in expected:
        excluded = [name for r in result.rounds for name in r.eliminated]
        assert excluded == expected["droop_exclusion_order"]


def test_scottish_calton_checkpoints_match_droop() -> None:
    folder = case_dir("08_glasgow2007_scottish_stv")
    checkpoints = json.loads((folder / "expected.json").read_text())["Calton-2007"][
        "droop_checkpoints"
    ]
    election = read_blt(folder / "Calton-2007.blt")
    result = scottish_stv(election.ballots, 3, election.candidates)
    last = result.rounds[-1]
    assert last.tally["Ruth Simpson"] == Decimal(checkpoints["Simpson final"])
    assert last.exhausted == Decimal(checkpoints["nontransferable_final"])
    assert last.residual_surplus == Decimal(checkpoints["residual_final"])
    surpluses = {
        r.surplus_transferred: r.tally[r.surplus_transferred] - result.quota
        for r in result.rounds
        if r.surplus_transferred
    }
    assert surpluses["George Redmond"] == Decimal(checkpoints["Redmond surplus"])
    assert surpluses["Alison E Thewliss"] == Decimal(checkpoints["Thewliss surplus"])


_CANDIDATE_LINE = re.compile(r"^\t(Hopeful|Elected|Pending|Defeated):\s+(.*) \(([-0-9.]+)\)$")


def droop_text_stages(text: str) -> list[dict]:
    """Parse droop's text report into the states after 'Begin Count' and every transfer."""
    actions: list[dict] = []
    for line in text.splitlines():
        if line.startswith("Action: "):
            actions.append({"action": line[8:], "votes": {}, "nt": None})
            continue
        if not actions:
            continue
        match = _CANDIDATE_LINE.match(line)
        if match:
            for name in match.group(2).split(", "):
                actions[-1]["votes"][name] = (match.group(1), Decimal(match.group(3)))
        elif line.startswith("\tNontransferable votes:"):
            actions[-1]["nt"] = Decimal(line.split(":")[1])
    wanted = ("Begin Count", "Surplus transferred", "Transfer defeated")
    return [a for a in actions if a["action"].startswith(wanted)]


def test_scottish_votingmatters12_matches_droop_scottish_rule() -> None:
    folder = case_dir("09_votingmatters12_meek_wigm")
    election = read_blt(folder / "SC-Vm-12.blt")
    result = scottish_stv(election.ballots, election.seats or 1, election.candidates)
    stages = droop_text_stages(
        (folder / "SC-Vm-12.droop-scotland-fixed-p5-d5.report.txt").read_text()
    )
    assert len(result.rounds) == len(stages)
    for stage, mine in zip(stages, result.rounds, strict=True):
        assert mine.exhausted == stage["nt"]
        for name, (state, votes) in stage["votes"].items():
            if name in mine.tally:
                assert mine.tally[name] == votes, f"stage {mine.number}: {name}"
            else:
                assert state == "Defeated" and votes == 0
    expected = json.loads((folder / "expected.json").read_text())["droop_results"]
    scottish = expected["Scottish STV (5 dp, integer Droop quota)"]
    assert list(result.winners) == scottish["elected"]
    assert result.quota == Decimal(scottish["quota"])


def test_scottish_votingmatters12_differs_from_the_other_rules() -> None:
    # Meek, WIGM and CfER elect X or Y third; the Scottish count must not pass for theirs.
    folder = case_dir("09_votingmatters12_meek_wigm")
    expected = json.loads((folder / "expected.json").read_text())["droop_results"]
    election = read_blt(folder / "SC-Vm-12.blt")
    result = scottish_stv(election.ballots, 3, election.candidates)
    others = {k: v for k, v in expected.items() if not k.startswith("Scottish")}
    assert all(v["elected"][2] != result.winners[2] for v in others.values())
    assert {"scottish_stv", "meek_prf", "meek_guarded", "wigm_rational"} <= set(IMPLEMENTED_RULES)
    assert not any("cfer" in rule or "ers97" in rule for rule in IMPLEMENTED_RULES)


# --- Meek and WIGM against droop's reports (case 09) -------------------------------------------


def droop_rounds(text: str) -> list[list[dict]]:
    """droop's text report as rounds of actions: each action's candidate votes and quota.

    Round 0 holds what comes before 'Round 1:' (the first count). Candidates listed together
    ("Defeated: Y, Z (0.00)") each get the value shown.
    """
    rounds: list[list[dict]] = [[]]
    for line in text.splitlines():
        if re.fullmatch(r"Round [0-9]+:", line):
            rounds.append([])
        elif line.startswith("Action: "):
            rounds[-1].append({"action": line[8:], "votes": {}, "quota": None, "nt": None})
        elif rounds[-1]:
            action = rounds[-1][-1]
            match = _CANDIDATE_LINE.match(line)
            if match:
                for name in match.group(2).split(", "):
                    action["votes"][name] = (match.group(1), Decimal(match.group(3)))
            elif line.startswith("\tQuota:"):
                action["quota"] = Decimal(line.split(":")[1])
            elif line.startswith("\tNontransferable votes:"):
                action["nt"] = Decimal(line.split(":")[1])
    return rounds


def last_state(actions: list[dict]) -> dict:
    """The last action of a round that lists candidates (the state the round ended in)."""
    return [a for a in actions if a["votes"] and a["action"] != "Count Complete"][-1]


def assert_same_votes(mine, state: dict, label: str) -> None:
    for name, (status, votes) in state["votes"].items():
        if name in mine.tally:
            assert mine.tally[name] == votes, f"{label}: {name}"
            # Shown to exactly the report's decimals, not merely equal in value.
            assert mine.tally[name].as_tuple().exponent == votes.as_tuple().exponent, label
        else:  # defeated in an earlier round: droop shows them at zero
            assert status == "Defeated" and votes == 0, f"{label}: {name} missing"


MEEK_REPORTS = {
    "prf": (
        "SC-Vm-12.droop-meek-prf-o6-fixed-p9-d9.report.txt",
        "PR Foundation Meek reference (9 fixed digits, omega 1e-6)",
    ),
    "guarded": (
        "SC-Vm-12.droop-meek-o9-guarded-p18-g9-d18.report.txt",
        "meek (omega=1e-9, 18+9 guarded digits)",
    ),
}


@pytest.mark.parametrize("rule", sorted(MEEK_REPORTS))
def test_meek_votingmatters12_reproduces_droop_round_by_round(rule: str) -> None:
    folder = case_dir("09_votingmatters12_meek_wigm")
    report_name, expected_key = MEEK_REPORTS[rule]
    report = droop_rounds((folder / report_name).read_text())
    election = read_blt(folder / "SC-Vm-12.blt")
    result = meek_stv(election.ballots, election.seats or 1, election.candidates, rule=rule)
    assert len(result.rounds) == len(report) - 1
    for mine, actions in zip(result.rounds, report[1:], strict=True):
        state = last_state(actions)
        assert_same_votes(mine, state, f"{rule} round {mine.number}")
        assert mine.threshold == state["quota"]
        decided = [a["action"] for a in actions]
        for name in mine.elected:
            assert any(re.fullmatch(f"Elect[^:]*: {name}", a) for a in decided), decided
        for name in mine.eliminated:
            assert any(re.fullmatch(f"Defeat[^:]*: {name}", a) for a in decided), decided
    complete = report[-1][-1]
    assert complete["action"] == "Count Complete"
    elected = [n for n, (status, _) in complete["votes"].items() if status == "Elected"]
    expected = json.loads((folder / "expected.json").read_text())["droop_results"]
    assert list(result.winners) == elected == expected[expected_key]["elected"]
    assert result.quota == complete["quota"]
    for name in elected:
        assert result.rounds[-1].tally[name] == complete["votes"][name][1]


def test_meek_rounds_explain_the_iterations_and_keep_values() -> None:
    folder = case_dir("09_votingmatters12_meek_wigm")
    election = read_blt(folder / "SC-Vm-12.blt")
    prf = meek_stv(election.ballots, 3, election.candidates, rule="prf")
    guarded = meek_stv(election.ballots, 3, election.candidates, rule="guarded")
    # Round 2 iterates A's and B's keep values down until the surplus is spent.
    assert prf.rounds[1].stop == "omega" and prf.rounds[1].iterations > 1
    assert prf.rounds[1].surplus == Decimal("0.000000250")  # as droop reports it
    assert guarded.rounds[1].stop == "batch"  # Z is a sure loser before omega is reached
    assert guarded.rounds[1].surplus == Decimal("0.000000003985028714")
    for result in (prf, guarded):
        second = result.rounds[1]
        assert set(second.keep_factors) == {"A", "B"}
        assert all(0 < kf < 1 for kf in second.keep_factors.values())
        # A keep value is what makes the candidate keep about a quota of the votes reaching it.
        assert abs(second.tally["A"] - second.threshold) < Decimal("0.000001")
        data = second.to_dict()
        assert data["iterations"] == second.iterations and data["keep_factors"]["A"]
    # The PRF rule's tie among X, Y and Z (all within the surplus) goes to the tie order.
    (tie,) = prf.rounds[1].tiebreaks
    assert tie.candidates == ("X", "Y", "Z") and tie.selected == "X"
    assert prf.rounds[1].eliminated == ("X",)


def test_wigm_votingmatters12_reproduces_droop_round_by_round() -> None:
    folder = case_dir("09_votingmatters12_meek_wigm")
    report = droop_rounds((folder / "SC-Vm-12.droop-wigm-rational-d12.report.txt").read_text())
    election = read_blt(folder / "SC-Vm-12.blt")
    result = wigm_stv(election.ballots, election.seats or 1, election.candidates)
    # droop shows each round's result; a round here shows the votes it starts from.
    first = [a for a in report[0] if a["action"] == "Begin Count"][0]
    assert_same_votes(result.rounds[0], first, "wigm round 1")
    assert len(result.rounds) == len(report)
    for mine, actions in zip(result.rounds[1:], report[1:], strict=True):
        state = last_state(actions)
        assert_same_votes(mine, state, f"wigm round {mine.number}")
        assert mine.exhausted == state["nt"]
    assert result.rounds[0].surplus_transferred == "A"
    assert result.rounds[1].surplus_transferred == "B"
    assert [r.eliminated for r in result.rounds[2:4]] == [("Z",), ("Y",)]
    assert result.rounds[-1].elected == ("X",)
    expected = json.loads((folder / "expected.json").read_text())["droop_results"]
    wigm = expected["WIGM (rational arithmetic)"]
    assert list(result.winners) == wigm["elected"]
    assert result.quota == Decimal(wigm["quota"])


# --- Textbook examples ----------------------------------------------------------------------


def textbook(name: str) -> dict:
    return json.loads((case_dir("10_published_textbook_examples") / name).read_text())


def ranked(entries: list[dict]) -> list[Ballot]:
    return [Ballot(tuple(e["ranking"]), e["count"]) for e in entries]


@pytest.mark.parametrize(
    "name", ["schulze_wikipedia_example1.json", "schulze_wikipedia_example2.json"]
)
def test_schulze_textbook_example_matrices_and_order(name: str) -> None:
    data = textbook(name)
    result = schulze(ranked(data["ballots"]), data["candidates"])
    for pair, value in data["expected_pairwise_d"].items():
        assert result.pairwise[pair[0]][pair[1]] == value, pair
    for pair, value in data["expected_strongest_paths_p"].items():
        assert result.strongest_paths[pair[0]][pair[1]] == value, pair
    assert result.winners == (data["expected_winner"],)
    assert [c for tier in result.ranking for c in tier] == data["expected_ranking"]
    assert all(len(tier) == 1 for tier in result.ranking)


def test_tennessee_plurality_irv_condorcet_and_borda_disagree_as_published() -> None:
    data = textbook("tennessee_example.json")
    ballots = ranked(data["ballots"])
    expected = data["expected"]
    assert plurality(ballots).winners == ("Memphis",)
    result = irv(ballots)
    assert result.winners == (expected["irv"]["winner"],)
    for mine, published in zip(result.rounds, expected["irv"]["rounds"], strict=True):
        tally = {k: v for k, v in published.items() if k != "eliminate"}
        assert dict(mine.tally) == {k: Decimal(v) for k, v in tally.items()}
        assert list(mine.eliminated) == (
            [published["eliminate"]] if "eliminate" in published else []
        )
    order = schulze(ballots).ranking
    assert [c for tier in order for c in tier] == expected[
        "condorcet_schulze_ranked_pairs_copeland"
    ]["schulze_ranking"]
    scores = borda(ballots).scores
    assert scores == expected["borda_3_2_1_0"]["scores"]


def test_stv_food_example_elects_the_published_three() -> None:
    data = textbook("stv_wikipedia_food_example.json")
    ballots = ranked(data["ballots"])
    expected = data["expected"]["elected"]
    scottish = scottish_stv(ballots, data["seats"])
    assert scottish.quota == 6
    assert set(scottish.winners) == set(expected)
    assert scottish.winners[0] == "Chocolate"
    first = scottish.rounds[0]
    assert first.transfers["Chocolate"] == {"Strawberry": Decimal(4), "Sweets": Decimal(2)}
    rctab = stv(ballots, data["seats"])
    assert set(rctab.winners) == set(expected)
