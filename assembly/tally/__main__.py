"""Command line: count a ballot file and print the result as JSON or as a round table.

Exit status: 0 counted, 2 bad input or options (one error line on stderr naming file and line).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from .ballots import BallotFileError, Election, read_ballot_file, read_candidate_columns_csv
from .choice import approval, borda, plurality
from .rctab import ConfigError, RctabContest, load_rctab_config
from .rcv import RcvRules, count_rcv
from .results import Result, format_number
from .schulze import schulze
from .scottish import scottish_stv

METHODS = ("irv", "stv", "scottish", "schulze", "plurality", "approval", "borda")


class UsageError(Exception):
    """A problem with the command line or its files; the message is printed as one line."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m assembly.tally",
        description=(
            "Count ballots from an aggregated CSV (count,choice1,...,choiceN with the tokens "
            "undervote, overvote and UWI) or a BLT file, and print the result with every round."
        ),
        epilog=(
            "Rules given as flags override those of --config. Exit status 2 means bad input: "
            "the error line names the file and line."
        ),
    )
    parser.add_argument(
        "ballots",
        nargs="?",
        help="ballot file: .csv (aggregated) or .blt; optional with --config when the "
        "configuration's cvrFileSources names a CSV file",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="RCTab contest configuration JSON: candidates (in tie-break order) and rules",
    )
    parser.add_argument(
        "--method",
        choices=METHODS,
        help="counting method (default: irv for one seat, stv for several; rcv with --config)",
    )
    parser.add_argument("--seats", type=int, help="seats to fill (default: 1, or the BLT's)")
    parser.add_argument(
        "--candidates",
        metavar="NAMES",
        help="declared candidates, comma-separated, in order; names outside it are errors",
    )
    parser.add_argument(
        "--tiebreak",
        choices=("candidate_order", "previous_round", "lot"),
        help="IRV/STV tie-break: candidate order (latest listed loses), previous round "
        "counts, or a lot seeded by --seed (default: candidate_order)",
    )
    parser.add_argument(
        "--tiebreak-fallback",
        choices=("candidate_order", "lot"),
        help="what previous_round falls back to when earlier rounds tie too",
    )
    parser.add_argument(
        "--seed", type=int, help="seed of the lot (tie-breaks by lot; Scottish STV's lot)"
    )
    parser.add_argument(
        "--overvote",
        choices=("exhaust", "skip"),
        help="an overvoted rank exhausts the ballot, or is skipped (default: exhaust)",
    )
    parser.add_argument(
        "--max-skipped-ranks",
        type=int,
        metavar="N",
        help="a ballot skipping more than N consecutive ranks stops counting (default: no limit)",
    )
    parser.add_argument("--max-rankings", type=int, metavar="N", help="ignore ranks after the N-th")
    parser.add_argument(
        "--batch-elimination",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="eliminate at once every candidate who cannot catch up (RCTab's batch rule)",
    )
    parser.add_argument(
        "--exhaust-on-duplicate",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a ballot ranking a candidate twice stops counting there",
    )
    parser.add_argument(
        "--decimals", type=int, metavar="N", help="STV surplus decimals, truncated (default: 4)"
    )
    parser.add_argument(
        "--write-ins",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show 'Undeclared Write-ins' even with no votes (default: when any ballot has UWI)",
    )
    parser.add_argument(
        "--format",
        choices=("json", "table"),
        default="json",
        help="print JSON (numbers as strings) or a readable round table (default: json)",
    )
    return parser


def _rules_from_flags(args: argparse.Namespace, base: RcvRules, seats: int) -> RcvRules:
    changes: dict[str, Any] = {"seats": seats}  # checked by RcvRules itself
    for flag, field in (
        ("tiebreak", "tiebreak"),
        ("tiebreak_fallback", "tiebreak_fallback"),
        ("seed", "seed"),
        ("overvote", "overvote"),
        ("max_skipped_ranks", "max_skipped_ranks"),
        ("max_rankings", "max_rankings"),
        ("batch_elimination", "batch_elimination"),
        ("exhaust_on_duplicate", "exhaust_on_duplicate"),
        ("decimals", "decimals"),
    ):
        value = getattr(args, flag)
        if value is not None:
            changes[field] = value
    try:
        return replace(base, **changes)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def _load(args: argparse.Namespace) -> tuple[Election, RctabContest | None]:
    contest = load_rctab_config(args.config) if args.config else None
    candidates: list[str] | None = None
    if args.candidates:
        candidates = [c.strip() for c in args.candidates.split(",") if c.strip()]
    elif contest is not None:
        candidates = list(contest.candidates)
    if args.ballots:
        return read_ballot_file(args.ballots, candidates), contest
    if contest is None:
        raise UsageError("give a ballot file (or --config naming one)")
    for source in contest.sources:
        path = Path(str(source.get("filePath", "")))
        if not path.is_absolute():
            path = contest.directory / path
        if source.get("provider") == "genericCsv" and path.suffix.lower() == ".csv":
            label = str(source.get("undeclaredWriteInLabel", "") or "") or None
            try:
                column = int(source.get("firstVoteColumnIndex", 2))
                row = int(source.get("firstVoteRowIndex", 2))
            except ValueError as exc:
                raise UsageError(
                    f"{args.config}: bad column or row index in cvrFileSources"
                ) from exc
            return read_candidate_columns_csv(path, candidates, column, row, label), contest
    raise UsageError(
        f"{args.config}: no readable CSV ballot source in cvrFileSources; give the ballot file"
    )


def count(args: argparse.Namespace) -> Result:
    election, contest = _load(args)
    seats = args.seats or (contest.rules.seats if contest else None) or election.seats or 1
    if seats < 1:
        raise UsageError("--seats must be at least 1")
    method = args.method or ("irv" if seats == 1 else "stv")
    candidates = list(election.candidates)
    try:
        if method in ("irv", "stv"):
            if method == "irv" and seats != 1:
                raise UsageError("irv fills one seat; use --method stv for several")
            base = contest.rules if contest else RcvRules()
            rules = _rules_from_flags(args, base, seats)
            write_ins = args.write_ins
            if write_ins is None and contest is not None:
                write_ins = contest.write_ins or None
            if write_ins is None and election.has_write_ins:
                write_ins = True
            excluded = list(contest.excluded) if contest else list(election.withdrawn)
            return count_rcv(
                election.ballots, candidates, rules, write_ins=write_ins, excluded=excluded
            )
        if method == "scottish":
            return scottish_stv(
                election.ballots,
                seats,
                candidates,
                seed=args.seed,
                withdrawn=election.withdrawn,
            )
        if method == "schulze":
            return schulze(election.ballots, candidates, seats=seats)
        if method == "plurality":
            return plurality(election.ballots, candidates, seats=seats, seed=args.seed)
        if method == "approval":
            return approval(election.ballots, candidates, seats=seats, seed=args.seed)
        return borda(election.ballots, candidates, seats=seats, seed=args.seed)
    except ValueError as exc:
        raise UsageError(f"{election.source}: {exc}") from exc


def render_table(result: Result) -> str:
    """A round table: one row per candidate, one column per round, then the decisions."""
    rounds = result.rounds
    names: list[str] = []
    for r in rounds:
        for name in r.tally:
            if name not in names:
                names.append(name)
    header = ["Candidate"] + [f"Round {r.number}" for r in rounds]
    rows = [header]
    for name in names:
        cells = [name]
        for r in rounds:
            value = r.tally.get(name)
            cells.append("" if value is None else format_number(value))
        rows.append(cells)
    rows.append(["Exhausted"] + [format_number(r.exhausted) for r in rounds])
    if any(r.threshold is not None for r in rounds):
        rows.append(
            ["Threshold"]
            + ["" if r.threshold is None else format_number(r.threshold) for r in rounds]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        f"{result.method}: {result.seats} seat(s), {format_number(result.total_ballots)} ballots"
    ]
    for i, row in enumerate(rows):
        first = row[0].ljust(widths[0])
        rest = [cell.rjust(widths[j + 1]) for j, cell in enumerate(row[1:])]
        lines.append("  ".join([first, *rest]))
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("")
    for r in rounds:
        actions = []
        if r.elected:
            actions.append("elected " + ", ".join(r.elected))
        if r.surplus_transferred:
            actions.append("surplus of " + r.surplus_transferred + " transferred")
        if r.eliminated:
            actions.append("eliminated " + ", ".join(r.eliminated))
        for tb in r.tiebreaks:
            actions.append(f"tie {', '.join(tb.candidates)} -> {tb.selected} by {tb.rule}")
        if actions:
            lines.append(f"Round {r.number}: " + "; ".join(actions))
    winners = ", ".join(result.winners) if result.winners else "none"
    lines.append(f"Winners in order of election: {winners}")
    if result.tied:
        lines.append("Tied (not decided): " + ", ".join(result.tied))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = count(args)
    except (BallotFileError, ConfigError, UsageError) as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    try:
        print(render_table(result) if args.format == "table" else result.to_json())
    except BrokenPipeError:  # e.g. piped into `head`; the reader has what it wanted
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
