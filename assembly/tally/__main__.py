"""Command line: count a ballot file and print the result as JSON or as a round table.

Exit status: 0 counted, 2 bad input or options (one error line on stderr naming file and line),
or a count that could not fill its seats (no valid ballots, too few candidates): the result is
printed and one error line on stderr says why.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any, TypedDict

from .ballots import (
    BallotFileError,
    Election,
    read_ballot_file,
    read_candidate_columns_csv,
    read_score_csv,
)
from .choice import ScoreBallot, approval, borda, plurality, score
from .consensus import RESPONSES, ConsensusResult, ConsensusRules, consensus
from .majority import Decision, decide, parse_threshold
from .meek import meek_stv
from .rctab import ConfigError, RctabContest, load_rctab_config
from .rcv import RcvRules, count_rcv
from .results import NO_SUPPORT, NO_VALID_BALLOTS, SEATS_UNFILLED, Result, format_number
from .schulze import schulze
from .scottish import scottish_stv
from .ties import TieBreakNeeded, TieChoice
from .wigm import wigm_stv

TIE_RULES = ("candidate_order", "previous_round", "lot", "ask")
METHODS = (
    "irv",
    "stv",
    "scottish",
    "meek",
    "wigm",
    "schulze",
    "plurality",
    "approval",
    "borda",
    "score",
    "motion",
    "consensus",
)
COUNT_METHODS = ("motion", "consensus")
MOTION_KEYS = ("yes", "no", "abstain")  # counted from --counts, not from a ballot file

METHODS_HELP = """\
methods (--method):
  irv, stv     instant-runoff and STV by RCTab's rules: threshold floor(V/(S+1))+1, all over it
               elected at once, surplus fractions truncated (--decimals, 4), batch
               elimination, undeclared write-ins, RCTab contest files (--config)
  scottish     Scottish STV (2007 order): Droop quota, highest surplus first, 5 decimals
  meek         Meek STV as droop counts it: --meek-rule prf (PR Foundation reference, 9
               decimals) or guarded (18+9 decimals, batch defeats); keep values per round
  wigm         weighted inclusive Gregory method, exact fractions, shown to 12 decimals
  schulze      Schulze (winning votes), full ranking, undecided ties reported
  plurality, approval, borda
               one-round counts of a ranked file (first marks, every mark, Borda points)
  score        a score file: count,<candidate>,... with a score per cell (--min-score,
               --max-score); equal totals split by the most top scores
  motion       yes/no/abstain from --counts against --threshold over --base, with --quorum
  consensus    agree/reservations/stand_aside/block/abstain from --counts, with block and
               stand-aside limits and an optional --fallback vote

ballot rules: a skipped rank is passed over (--max-skipped-ranks limits it in irv/stv); an
overvoted rank exhausts the ballot or is skipped (--overvote; Scottish, Meek and WIGM end the
ballot there); a repeated candidate is ignored (or exhausts, --exhaust-on-duplicate).

not implemented: Gregory last-parcel STV such as ERS97 or the Irish rules, Cambridge's
random-sample transfers, CfER, Warren and OpenSTV's Meek variants, Coombs, Bucklin, Copeland,
ranked pairs, equal rankings within a ballot, and overvote rules other than the two above
(e.g. splitting an overvote between its candidates).

exit status: 0 counted; 2 bad input or options (one error line naming file and line), a
count that could not fill its seats (no valid ballots, too few candidates: the result is
printed, the error line says why), or a tie left to --tie-break ask.
"""


class UsageError(Exception):
    """A problem with the command line or its files; the message is printed as one line."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m assembly.tally",
        description=(
            "Count ballots from an aggregated CSV (count,choice1,...,choiceN with the tokens "
            "undervote, overvote and UWI) or a BLT file, and print the result with every round."
        ),
        epilog="Rules given as flags override those of --config.\n\n" + METHODS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    parser.add_argument(
        "--meek-rule",
        choices=("prf", "guarded"),
        default="prf",
        help="Meek STV rule: prf, the PR Foundation's reference rule (9 decimals, omega "
        "10^-6); guarded, droop's guarded Meek (18+9 decimals, omega 10^-9, batch defeats) "
        "(default: prf)",
    )
    parser.add_argument("--seats", type=int, help="seats to fill (default: 1, or the BLT's)")
    parser.add_argument(
        "--candidates",
        metavar="NAMES",
        help="declared candidates, comma-separated, in order; names outside it are errors",
    )
    parser.add_argument(
        "--tie-break",
        "--tiebreak",
        dest="tiebreak",
        choices=TIE_RULES,
        help="how ties are broken: candidate_order (IRV/STV: the latest listed loses, the "
        "earliest listed wins; Meek/WIGM: the earliest listed is picked, as droop does), "
        "previous_round (IRV/STV: the counts of the latest earlier round where the tied "
        "differ; Scottish STV always looks back first), lot (a shuffle seeded by --seed, "
        "shown in the result), or ask (stop with status 2 naming the tied candidates; "
        "decide with --choose). Default: candidate_order; Scottish STV: prior stages, then "
        "the candidate order (or --seed's lot). Plurality, approval, Borda and Schulze report "
        "an undecided tie instead (approval, plurality and Borda draw a lot with --seed)",
    )
    parser.add_argument(
        "--tiebreak-fallback",
        choices=("candidate_order", "lot", "ask"),
        help="what previous_round falls back to when earlier rounds tie too",
    )
    parser.add_argument(
        "--choose",
        action="append",
        metavar="NAME",
        default=[],
        help="with --tie-break ask (or fallback ask): the candidate picked at a tie; repeat "
        "for each tie, in the order the count meets them",
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
        "--min-score", type=int, default=0, help="score: the lowest score (default: 0)"
    )
    parser.add_argument(
        "--max-score", type=int, default=5, help="score: the highest score (default: 5)"
    )
    parser.add_argument(
        "--counts",
        metavar="KEY=N,...",
        help="motion: yes, no, abstain; consensus: agree, reservations, stand_aside, block, "
        "abstain (e.g. yes=12,no=5,abstain=2)",
    )
    parser.add_argument(
        "--threshold",
        default="majority",
        help="motion: majority (more than half), two_thirds, three_quarters, four_fifths, "
        "nine_tenths, unanimity, or a fraction such as 3/5 (met at or over it); "
        "default: majority",
    )
    parser.add_argument(
        "--base",
        choices=("cast", "present", "members"),
        default="cast",
        help="motion: the threshold is a share of the votes cast (abstentions are not "
        "votes), of the members present, or of all members (default: cast)",
    )
    parser.add_argument("--present", type=int, metavar="N", help="motion: members present")
    parser.add_argument("--members", type=int, metavar="N", help="motion: all members")
    parser.add_argument(
        "--quorum",
        metavar="N|A/B",
        help="motion: members (or share of all members) who must be present; consensus: "
        "members who must respond",
    )
    parser.add_argument(
        "--blocks-to-stop",
        type=int,
        default=1,
        metavar="N",
        help="consensus: this many blocks stop the proposal (default: 1)",
    )
    parser.add_argument(
        "--stand-aside-share",
        metavar="A/B",
        help="consensus: this share of stand-asides tables the proposal",
    )
    parser.add_argument(
        "--fallback",
        metavar="THRESHOLD",
        help="consensus: a vote at this threshold is allowed when consensus fails",
    )
    parser.add_argument(
        "--fallback-votes",
        metavar="yes=N,no=N,abstain=N",
        help="consensus: the fallback vote's counts, if one was held",
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


class _DroopTies(TypedDict):
    """The tie options shared by scottish_stv, meek_stv and wigm_stv."""

    seed: int | None
    ask_ties: bool
    choices: Sequence[TieChoice | str]


def _droop_ties(args: argparse.Namespace, method: str) -> _DroopTies:
    """Tie options for the droop-family counts (Scottish, Meek, WIGM)."""
    rule = args.tiebreak
    if rule == "previous_round" and method != "scottish":
        raise UsageError(f"{method} breaks ties by candidate_order, lot or ask")
    if rule == "lot" and args.seed is None:
        raise UsageError("a tie-break by lot needs an explicit --seed")
    return {"seed": args.seed, "ask_ties": rule == "ask", "choices": args.choose}


def _parse_counts(text: str | None, allowed: Sequence[str], flag: str) -> dict[str, int]:
    counts = dict.fromkeys(allowed, 0)
    for part in (text or "").split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or key not in counts or not value.strip().isdigit():
            raise UsageError(
                f"{flag}: expected KEY=N with KEY one of {', '.join(allowed)}, not {part!r}"
            )
        counts[key] = int(value)
    return counts


def _fraction(text: str, flag: str) -> Fraction:
    try:
        return Fraction(text.strip())
    except (ValueError, ZeroDivisionError) as exc:
        raise UsageError(f"{flag}: {text!r} is not a number or fraction such as 1/3") from exc


def count_decision(args: argparse.Namespace) -> Decision | ConsensusResult:
    """A motion or a consensus proposal, from the counts on the command line."""
    try:
        if args.method == "motion":
            votes = _parse_counts(args.counts, MOTION_KEYS, "--counts")
            quorum: int | Fraction | None = None
            if args.quorum:
                q = _fraction(args.quorum, "--quorum")
                quorum = int(q) if q.denominator == 1 and "/" not in args.quorum else q
            return decide(
                votes["yes"],
                votes["no"],
                votes["abstain"],
                threshold=parse_threshold(args.threshold),
                base=args.base,
                present=args.present,
                members=args.members,
                quorum=quorum,
            )
        responses = _parse_counts(args.counts, RESPONSES, "--counts")
        rules = ConsensusRules(
            blocks_to_stop=args.blocks_to_stop,
            stand_aside_share=(
                _fraction(args.stand_aside_share, "--stand-aside-share")
                if args.stand_aside_share
                else None
            ),
            fallback=parse_threshold(args.fallback) if args.fallback else None,
            quorum=int(args.quorum) if args.quorum else None,
        )
        fallback_votes = None
        if args.fallback_votes:
            v = _parse_counts(args.fallback_votes, MOTION_KEYS, "--fallback-votes")
            fallback_votes = (v["yes"], v["no"], v["abstain"])
        return consensus(responses, rules, fallback_votes=fallback_votes)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def count(args: argparse.Namespace) -> Result:
    if args.method == "score":
        return count_scores(args)
    election, contest = _load(args)
    if args.seats is not None and args.seats < 1:
        raise UsageError(f"--seats must be at least 1, not {args.seats}")
    seats = args.seats or (contest.rules.seats if contest else None) or election.seats or 1
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
                election.ballots,
                candidates,
                rules,
                write_ins=write_ins,
                excluded=excluded,
                choices=args.choose,
            )
        if method in ("scottish", "meek", "wigm"):
            options = _droop_ties(args, method)
            if method == "scottish":
                return scottish_stv(
                    election.ballots, seats, candidates, withdrawn=election.withdrawn, **options
                )
            if method == "meek":
                return meek_stv(
                    election.ballots,
                    seats,
                    candidates,
                    rule=args.meek_rule,
                    withdrawn=election.withdrawn,
                    **options,
                )
            return wigm_stv(
                election.ballots, seats, candidates, withdrawn=election.withdrawn, **options
            )
        if args.tiebreak not in (None, "lot") or args.choose:
            raise UsageError(f"--tie-break {args.tiebreak} does not apply to {method}")
        if args.tiebreak == "lot" and args.seed is None:
            raise UsageError("a tie-break by lot needs an explicit --seed")
        if method == "schulze":
            return schulze(election.ballots, candidates, seats=seats)
        if method == "plurality":
            return plurality(election.ballots, candidates, seats=seats, seed=args.seed)
        if method == "approval":
            return approval(election.ballots, candidates, seats=seats, seed=args.seed)
        return borda(election.ballots, candidates, seats=seats, seed=args.seed)
    except ValueError as exc:
        raise UsageError(f"{election.source}: {exc}") from exc


def count_scores(args: argparse.Namespace) -> Result:
    if not args.ballots:
        raise UsageError("give a score file: count,<candidate>,... with one score per cell")
    declared = None
    if args.candidates:
        declared = [c.strip() for c in args.candidates.split(",") if c.strip()]
    names, rows = read_score_csv(args.ballots, declared)
    if args.seats is not None and args.seats < 1:
        raise UsageError(f"--seats must be at least 1, not {args.seats}")
    try:
        return score(
            [ScoreBallot(scores, n) for scores, n in rows],
            list(names),
            minimum=args.min_score,
            maximum=args.max_score,
            seats=args.seats or 1,
            seed=args.seed,
        )
    except ValueError as exc:
        raise UsageError(f"{args.ballots}: {exc}") from exc


def render_decision(result: Decision | ConsensusResult) -> str:
    """A motion's or a consensus proposal's outcome in a few readable lines."""
    data = result.to_dict()
    if isinstance(result, Decision):
        threshold = result.threshold
        lines = [
            f"motion: {result.outcome}",
            f"yes {result.yes}, no {result.no}, abstain {result.abstain}",
            f"threshold {threshold.name} ({format_number(threshold.fraction)}"
            f"{', exceeded' if threshold.strict else ''}) of {result.base_kind} "
            f"{result.base}: {result.required} yes needed",
        ]
    else:
        counts = ", ".join(f"{k} {v}" for k, v in data["counts"].items())
        lines = [f"consensus: {result.outcome}", counts]
        if result.fallback is not None:
            lines.append(f"fallback vote: {render_decision(result.fallback).splitlines()[0]}")
    lines.append("reasons: " + (", ".join(result.reasons) or "none"))
    return "\n".join(lines)


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
        if r.iterations:
            keeps = ", ".join(f"{n} {format_number(v)}" for n, v in r.keep_factors.items())
            surplus = format_number(r.surplus) if r.surplus is not None else "0"
            actions.append(
                f"{r.iterations} iteration(s), stopped by {r.stop}, surplus {surplus}"
                + (f", keep values {keeps}" if keeps else "")
            )
        if actions:
            lines.append(f"Round {r.number}: " + "; ".join(actions))
    winners = ", ".join(result.winners) if result.winners else "none"
    lines.append(f"Winners in order of election: {winners}")
    if result.tied:
        lines.append("Tied (not decided): " + ", ".join(result.tied))
    return "\n".join(lines)


def problem_message(result: Result) -> str | None:
    """One line saying why a count did not fill what it was asked to, or None when it did."""
    if NO_VALID_BALLOTS in result.problems:
        return (
            f"no winner: every ballot is blank or exhausted ({result.total_ballots} ballots, "
            "none with a usable preference)"
        )
    if SEATS_UNFILLED in result.problems:
        why = (
            "no ballot marked any other candidate"
            if NO_SUPPORT in result.reasons
            else "too few candidates could be elected"
        )
        return (
            f"only {len(result.winners)} of {result.seats} seats filled: "
            f"{result.unfilled_seats} not filled, {why}"
        )
    return None


def _json(result: Decision | ConsensusResult) -> str:
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.method in COUNT_METHODS:
            decision = count_decision(args)
            print(render_decision(decision) if args.format == "table" else _json(decision))
            return 0
        result = count(args)
    except (BallotFileError, ConfigError, UsageError) as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    except TieBreakNeeded as tie:
        print(
            f"{parser.prog}: error: {tie}: name the one picked with --choose "
            f"(one --choose per tie, in order; {tie.position} given so far)",
            file=sys.stderr,
        )
        return 2
    try:
        print(render_table(result) if args.format == "table" else result.to_json())
    except BrokenPipeError:  # e.g. piped into `head`; the reader has what it wanted
        sys.stderr.close()
        return 0
    problem = problem_message(result)
    if problem:
        # The result is printed (it shows why), but a script must not take it for a full count.
        print(f"{parser.prog}: error: {problem}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
