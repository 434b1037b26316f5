"""Single-round choice methods: plurality, approval, score and Borda.

Tie rule (all four): candidates are ordered by total, highest first. When candidates tie across
the last seat, the tie is reported in `Result.tied` and those seats stay unfilled, unless a
`seed` is given, in which case a seeded lot (rcv.lot_order) decides and is recorded. Score
voting first splits equal totals by the number of ballots giving the maximum score.

Plurality and approval count support, so an option no ballot marked is never chosen: a seat only
it could fill stays empty (reason NO_SUPPORT), neither drawn by lot nor taken in ballot order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .ballots import OVERVOTE, Ballot
from .rcv import lot_order
from .results import NO_SUPPORT, Result, Round, TieBreak, explain_outcome


@dataclass(frozen=True)
class ScoreBallot:
    """Scores given by `count` identical ballots; unscored candidates get the minimum."""

    scores: Mapping[str, int]
    count: int = 1


def _names(candidates: Sequence[str] | None, seen: Iterable[str]) -> list[str]:
    names = list(candidates) if candidates is not None else []
    known = set(names)
    for name in seen:
        if name not in known:
            if candidates is not None:
                raise ValueError(f"ballot names unknown candidate {name!r}")
            known.add(name)
            names.append(name)
    return names


def _decide(
    method: str,
    names: list[str],
    totals: dict[str, int],
    seats: int,
    seed: int | None,
    total_ballots: int,
    blank: int,
    secondary: dict[str, int] | None = None,
    extra_reasons: tuple[str, ...] = (),
    support_needed: bool = False,
) -> Result:
    if seats < 1:
        raise ValueError("seats must be at least 1")
    secondary = secondary or {}

    def key(c: str) -> tuple[int, int]:
        return (totals[c], secondary.get(c, 0))

    order_index = {c: i for i, c in enumerate(names)}
    ordered = sorted(names, key=lambda c: (-totals[c], -secondary.get(c, 0), order_index[c]))
    tiers: list[list[str]] = []
    for c in ordered:
        if tiers and key(tiers[-1][0]) == key(c):
            tiers[-1].append(c)
        else:
            tiers.append([c])
    winners: list[str] = []
    tied: list[str] = []
    tiebreaks: list[TieBreak] = []
    reasons = list(extra_reasons)
    for tier in tiers if total_ballots > blank else ():
        room = seats - len(winners)
        if room <= 0:
            break
        if support_needed and not totals[tier[0]]:
            reasons.append(NO_SUPPORT)
            break
        if len(tier) <= room:
            winners.extend(tier)
            continue
        if seed is None:
            tied = list(tier)
            reasons.append("tie")
            break
        lot = [c for c in lot_order(names, seed) if c in tier]
        for chosen in lot[:room]:
            tiebreaks.append(TieBreak(tuple(tier), chosen, "elect", "lot"))
        winners.extend(lot[:room])
        break
    round_ = Round(
        number=1,
        tally={c: Decimal(totals[c]) for c in ordered},
        threshold=None,
        elected=tuple(winners),
        tiebreaks=tuple(tiebreaks),
        reasons=tuple(reasons),
    )
    result = Result(
        method=method,
        candidates=tuple(names),
        winners=tuple(winners),
        rounds=(round_,),
        seats=seats,
        ranking=tuple(tuple(t) for t in tiers),
        total_ballots=total_ballots,
        blank_ballots=blank,
        tied=tuple(tied),
        scores=dict(totals),
        rules={"seats": seats, "seed": seed},
        reasons=tuple(reasons),
    )
    return explain_outcome(result, total_ballots - blank)


def plurality(
    ballots: Iterable[Ballot] | Mapping[str, int],
    candidates: Sequence[str] | None = None,
    *,
    seats: int = 1,
    seed: int | None = None,
) -> Result:
    """Most first preferences wins. Accepts ballots (first mark counts) or counts per name.

    A ballot whose first mark is an overvote, or that has no mark, is not counted for anyone.
    """
    totals: dict[str, int] = {}
    total = 0
    blank = 0
    if isinstance(ballots, Mapping):
        for name, n in ballots.items():
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                raise ValueError(f"count for {name!r} must be a whole number >= 0")
            totals[name] = totals.get(name, 0) + n
            total += n
    else:
        for ballot in ballots:
            total += ballot.count
            first = next((m for m in ballot.ranking if m is not None), None)
            if first is None or first == OVERVOTE:
                blank += ballot.count
                continue
            totals[first] = totals.get(first, 0) + ballot.count
    names = _names(candidates, totals)
    full = {c: totals.get(c, 0) for c in names}
    return _decide("plurality", names, full, seats, seed, total, blank, support_needed=True)


def approval(
    ballots: Iterable[Ballot],
    candidates: Sequence[str] | None = None,
    *,
    seats: int = 1,
    seed: int | None = None,
) -> Result:
    """Most approvals wins. A ballot's marks are the candidates it approves (order ignored)."""
    totals: dict[str, int] = {}
    total = 0
    blank = 0
    for ballot in ballots:
        total += ballot.count
        approved = {m for m in ballot.ranking if m is not None and m != OVERVOTE}
        if not approved:
            blank += ballot.count
        for name in approved:
            totals[name] = totals.get(name, 0) + ballot.count
    names = _names(candidates, totals)
    full = {c: totals.get(c, 0) for c in names}
    return _decide("approval", names, full, seats, seed, total, blank, support_needed=True)


def score(
    ballots: Iterable[ScoreBallot],
    candidates: Sequence[str] | None = None,
    *,
    minimum: int = 0,
    maximum: int = 5,
    seats: int = 1,
    seed: int | None = None,
) -> Result:
    """Highest total score wins; equal totals are split by the number of maximum scores."""
    if minimum >= maximum:
        raise ValueError("minimum score must be below maximum score")
    ballots = list(ballots)
    names = _names(candidates, (c for b in ballots for c in b.scores))
    totals = dict.fromkeys(names, 0)
    top_marks = dict.fromkeys(names, 0)
    total = 0
    blank = 0
    for ballot in ballots:
        total += ballot.count
        if not ballot.scores:
            blank += ballot.count
            continue
        for name in names:
            value = ballot.scores.get(name, minimum)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"score for {name!r} must be a whole number")
            if not minimum <= value <= maximum:
                raise ValueError(f"score {value} for {name!r} is outside {minimum}..{maximum}")
            totals[name] += value * ballot.count
            if value == maximum:
                top_marks[name] += ballot.count
    return _decide("score", names, totals, seats, seed, total, blank, secondary=top_marks)


def borda(
    ballots: Iterable[Ballot],
    candidates: Sequence[str] | None = None,
    *,
    seats: int = 1,
    seed: int | None = None,
) -> Result:
    """Borda count: with n candidates a ranking gives n-1, n-2, ... points; unranked get 0."""
    ballots = list(ballots)
    names = _names(candidates, (c for b in ballots for c in b.candidates()))
    n = len(names)
    totals = dict.fromkeys(names, 0)
    total = 0
    blank = 0
    for ballot in ballots:
        total += ballot.count
        ranked = ballot.candidates()
        if not ranked:
            blank += ballot.count
        for place, name in enumerate(ranked):
            totals[name] += (n - 1 - place) * ballot.count
    return _decide("borda", names, totals, seats, seed, total, blank)
