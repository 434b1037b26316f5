"""The command line, run as a user would: `python -m assembly.tally` from the repository root."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from assembly.tally.__main__ import build_parser

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "reference" / "tally"
CASE01 = REFERENCE / "01_rctab_generic_csv_irv"


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assembly.tally", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def need_case01() -> Path:
    if not CASE01.is_dir():
        pytest.skip(f"reference data not available: {CASE01}")
    return CASE01


def test_cli_counts_case01_from_its_rctab_config_as_json() -> None:
    folder = need_case01()
    done = run("--config", folder / "generic_csv_test_config.json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    expected = json.loads((folder / "generic_csv_test_expected_detailed_report.json").read_text())
    assert data["winners"] == ["Cucumber"]
    assert len(data["rounds"]) == len(expected["results"])
    for mine, theirs in zip(data["rounds"], expected["results"], strict=True):
        # Numbers arrive as strings, equal in value to RCTab's.
        assert all(isinstance(v, str) for v in mine["tally"].values())
        assert {k: Decimal(v) for k, v in mine["tally"].items()} == {
            k: Decimal(v) for k, v in theirs["tally"].items()
        }
        assert mine["threshold"] == theirs["threshold"]
        assert set(mine["eliminated"]) == {
            a["eliminated"] for a in theirs["tallyResults"] if "eliminated" in a
        }
        assert "exhausted" in mine
    assert data["rounds"][-1]["elected"] == ["Cucumber"]


def test_cli_prints_a_readable_round_table() -> None:
    folder = need_case01()
    done = run("--config", folder / "generic_csv_test_config.json", "--format", "table")
    assert done.returncode == 0, done.stderr
    assert "Round 4" in done.stdout
    assert "Round 1: eliminated Undeclared Write-ins" in done.stdout
    assert "Winners in order of election: Cucumber" in done.stdout


def test_cli_counts_a_blt_file_by_scottish_stv(tmp_path: Path) -> None:
    path = tmp_path / "food.blt"
    path.write_text('3 1\n6 1 0\n5 2 1 0\n2 3 2 0\n0\n"Apple"\n"Bean"\n"Corn"\n"Food"\n')
    done = run(path, "--method", "scottish")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["quota"] == "7"
    assert data["winners"] == ["Bean"]


def test_cli_flags_override_rules(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text(
        "count,choice1,choice2\n4,A,undervote\n3,B,undervote\n2,C,overvote\n2,overvote,B\n"
    )
    exhaust = json.loads(run(path).stdout)
    skip = json.loads(run(path, "--overvote", "skip").stdout)
    assert exhaust["rounds"][0]["exhausted_by"]["overvote"] == "2"
    assert skip["rounds"][0]["tally"]["B"] == "5"


def test_cli_help_documents_every_flag() -> None:
    done = run("--help")
    assert done.returncode == 0
    for action in build_parser()._actions:
        for flag in action.option_strings:
            assert flag in done.stdout
        if action.option_strings:
            assert action.help and action.help != argparse.SUPPRESS, action.option_strings


@pytest.mark.parametrize(
    ("name", "text", "line", "fragment"),
    [
        ("unknown.csv", "count,choice1\n2,Ann\n3,Zed\n", 3, "unknown candidate 'Zed'"),
        ("malformed.csv", "count,choice1\n2,Ann,Bo,Cy\n", 2, "fields"),
        ("fraction.csv", "count,choice1\n2,Ann\n1.5,Bo\n", 3, "not a whole number"),
        ("empty.csv", "", 1, "file is empty"),
        ("header.csv", "count,choice1\n", 1, "no ballots"),
        ("broken.blt", '2 1\n1 1 9 0\n0\n"Ann"\n"Bo"\n', 2, "unknown candidate number 9"),
        ("empty.blt", "", 1, "file is empty"),
    ],
)
def test_cli_bad_input_gives_one_error_line_and_status_2(
    tmp_path: Path, name: str, text: str, line: int, fragment: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    done = run(path, "--candidates", "Ann,Bo")
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"{path}:{line}: " in lines[0]
    assert fragment in lines[0]


def test_cli_missing_file_and_bad_config_exit_2(tmp_path: Path) -> None:
    missing = run(tmp_path / "nope.csv")
    assert missing.returncode == 2
    assert "nope.csv" in missing.stderr and "Traceback" not in missing.stderr
    config = tmp_path / "config.json"
    config.write_text('{"candidates": [{"name": "A"}], "rules": {"overvoteRule": "magic"}}')
    ballots = tmp_path / "b.csv"
    ballots.write_text("count,choice1\n1,A\n")
    bad = run(ballots, "--config", config)
    assert bad.returncode == 2
    assert "overvoteRule" in bad.stderr and str(config) in bad.stderr


# --- Strange counts: each stops with status 2 and says why; none passes for a normal count. ---


def test_cli_refuses_zero_seats_rather_than_count_one(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("count,choice1,choice2\n3,A,B\n2,B,A\n")
    done = run(path, "--seats", "0")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "--seats must be at least 1, not 0" in done.stderr


def test_cli_every_ballot_exhausted_gives_no_winner_and_says_why(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("count,choice1,choice2\n3,undervote,undervote\n2,overvote,A\n")
    done = run(path, "--candidates", "A,B")
    assert done.returncode == 2
    assert "no winner: every ballot is blank or exhausted (5 ballots" in done.stderr
    data = json.loads(done.stdout)  # the result is still shown, with its reason
    assert data["winners"] == []
    assert "no_valid_ballots" in data["reasons"]
    assert data["rounds"][0]["exhausted_by"]["overvote"] == "2"


@pytest.mark.parametrize("method", ["stv", "scottish"])
def test_cli_stv_with_more_seats_than_candidates_says_seats_went_unfilled(
    tmp_path: Path, method: str
) -> None:
    path = tmp_path / "b.csv"
    path.write_text("count,choice1,choice2\n3,A,B\n2,B,A\n")
    done = run(path, "--seats", "5", "--method", method)
    assert done.returncode == 2
    assert "only 2 of 5 seats filled: 3 not filled" in done.stderr
    data = json.loads(done.stdout)
    assert sorted(data["winners"]) == ["A", "B"]
    assert data["unfilled_seats"] == 3
    assert "seats_unfilled" in data["reasons"]


def test_cli_approval_says_a_seat_nobody_approved_went_unfilled(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("count,choice1\n3,A\n")
    done = run(path, "--method", "approval", "--candidates", "A,B,C", "--seats", "2")
    assert done.returncode == 2
    assert "only 1 of 2 seats filled: 1 not filled, no ballot marked any other" in done.stderr
    data = json.loads(done.stdout)
    assert data["winners"] == ["A"] and "no_support" in data["reasons"]


def test_cli_missing_file_names_the_file_not_a_line_0(tmp_path: Path) -> None:
    done = run(tmp_path / "nope.csv")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"python -m assembly.tally: error: {tmp_path / 'nope.csv'}: cannot read file: "
        "No such file or directory"
    )


def need_case(name: str) -> Path:
    folder = REFERENCE / name
    if not folder.is_dir():
        pytest.skip(f"reference data not available: {folder}")
    return folder


@pytest.mark.parametrize(
    ("args", "third"),
    [(("--method", "meek"), "Y"), (("--method", "meek", "--meek-rule", "guarded"), "X")],
)
def test_cli_counts_meek_under_either_rule(args: tuple[str, ...], third: str) -> None:
    blt = need_case("09_votingmatters12_meek_wigm") / "SC-Vm-12.blt"
    done = run(blt, *args)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["winners"] == ["A", "B", third]
    assert data["rounds"][1]["keep_factors"].keys() == {"A", "B"}
    table = run(blt, *args, "--format", "table")
    assert "keep values A 0.9997497" in table.stdout


def test_cli_counts_wigm() -> None:
    blt = need_case("09_votingmatters12_meek_wigm") / "SC-Vm-12.blt"
    done = run(blt, "--method", "wigm")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["winners"] == ["A", "B", "X"]
    assert data["rounds"][-1]["tally"]["X"] == "667.167082917083"


def test_cli_help_and_readme_say_which_methods_and_rules_exist_and_which_do_not() -> None:
    done = run("--help")
    assert done.returncode == 0
    readme = (ROOT / "README.md").read_text()
    for text in (done.stdout, readme):
        for method in ("meek", "wigm", "scottish", "schulze", "score", "motion", "consensus"):
            assert method in text
        assert "Not implemented" in text or "not implemented" in text
        for missing in ("ERS97", "Cambridge", "CfER", "overvote rules other than"):
            assert missing in text, missing


def test_cli_counts_score_ballots(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("count,Ann,Bo,Cy\n3,5,2,\n2,1,5,4\n1,,5,5\n")
    done = run(path, "--method", "score")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["scores"] == {"Ann": "17", "Bo": "21", "Cy": "13"}
    assert data["winners"] == ["Bo"]
    bad = run(path, "--method", "score", "--max-score", "4")
    assert bad.returncode == 2 and "outside 0..4" in bad.stderr


def test_cli_decides_a_motion_against_a_threshold() -> None:
    passed = run("--method", "motion", "--counts", "yes=12,no=5,abstain=2", "--threshold", "2/3")
    assert passed.returncode == 0, passed.stderr
    assert json.loads(passed.stdout)["outcome"] == "passed"  # 12 of 17 cast >= 2/3
    failed = run(
        "--method",
        "motion",
        "--counts",
        "yes=12,no=5",
        "--threshold",
        "2/3",
        "--base",
        "present",
        "--present",
        "20",
    )
    data = json.loads(failed.stdout)
    assert (data["outcome"], data["required"]) == ("failed", "14")
    table = run("--method", "motion", "--counts", "yes=3,no=3", "--format", "table")
    assert "motion: failed" in table.stdout and "tie" in table.stdout
    bad = run("--method", "motion", "--counts", "yes=many")
    assert bad.returncode == 2 and "--counts" in bad.stderr


def test_cli_decides_consensus_with_a_fallback_vote() -> None:
    blocked = run("--method", "consensus", "--counts", "agree=10,block=1")
    assert json.loads(blocked.stdout)["outcome"] == "blocked"
    rescued = run(
        "--method",
        "consensus",
        "--counts",
        "agree=10,block=1",
        "--fallback",
        "two_thirds",
        "--fallback-votes",
        "yes=9,no=2",
    )
    data = json.loads(rescued.stdout)
    assert (data["outcome"], data["consensus_outcome"]) == ("passed", "blocked")
    assert data["fallback"]["threshold"]["name"] == "two_thirds"


def test_cli_lot_without_a_seed_is_refused_for_one_round_methods(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("count,choice1\n2,A\n2,B\n")
    done = run(path, "--method", "plurality", "--tie-break", "lot")
    assert done.returncode == 2 and "needs an explicit --seed" in done.stderr
    drawn = run(path, "--method", "plurality", "--tie-break", "lot", "--seed", "4")
    assert drawn.returncode == 0, drawn.stderr
    assert json.loads(drawn.stdout)["rounds"][0]["tiebreaks"][0]["rule"] == "lot"
