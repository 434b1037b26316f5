"""What the STV counts of the droop family share (Scottish, Meek, WIGM): reading the ballots.

A ranking is read in order: skipped ranks are passed over, an overvoted rank ends the ballot
(no preference can be read from it or after it), repeated and withdrawn candidates are ignored.
A ballot with no usable preference is not valid and does not count towards the quota.

Ties are broken by a stated order (`tie_order`, the candidate list by default) or by a seeded
shuffle (`seed`); `lot_rank` gives each candidate's place in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .ballots import OVERVOTE, WRITE_IN, Ballot
from .choice import _names
from .rcv import lot_order


@dataclass(frozen=True)
class RankedCount:
    """Ballots reduced to distinct sequences of candidate numbers, with their counts."""

    names: tuple[str, ...]
    sequences: tuple[tuple[int, ...], ...]
    counts: tuple[int, ...]
    total: int  # every ballot read
    blank: int  # ballots with no usable preference
    withdrawn: frozenset[int]
    lot: tuple[str, ...]  # the tie order, first = the one the lot picks

    @property
    def valid(self) -> int:
        return self.total - self.blank

    @property
    def lot_rank(self) -> dict[int, int]:
        index = {n: i for i, n in enumerate(self.names)}
        return {index[n]: i for i, n in enumerate(self.lot)}


def ranked_names(ballots: Sequence[Ballot], candidates: Sequence[str] | None) -> list[str]:
    """The declared candidates, or those the ballots name in order of first appearance."""
    marks = (m for b in ballots for m in b.ranking if m is not None and m != OVERVOTE)
    return _names(candidates, marks)


def read_rankings(
    ballots: Iterable[Ballot],
    seats: int,
    candidates: Sequence[str] | None = None,
    tie_order: Sequence[str] | None = None,
    seed: int | None = None,
    withdrawn: Sequence[str] = (),
    method: str = "STV",
) -> RankedCount:
    """Read the ballots once for a count: candidates, distinct sequences, the tie order."""
    if seats < 1:
        raise ValueError("seats must be at least 1")
    ballots = list(ballots)
    names = ranked_names(ballots, candidates)
    if candidates is None and WRITE_IN in names:
        raise ValueError(f"{method} has no undeclared write-ins")
    index = {n: i for i, n in enumerate(names)}
    if seed is not None:
        lot = lot_order(names, seed)
    else:
        lot = tuple(tie_order) if tie_order is not None else tuple(names)
        if sorted(lot) != sorted(names):
            raise ValueError("tie_order must list every candidate once")
    for name in withdrawn:
        if name not in index:
            raise ValueError(f"withdrawn candidate {name!r} is not a candidate")
    out = frozenset(index[n] for n in withdrawn)
    groups: dict[tuple[int, ...], int] = {}
    total = 0
    blank = 0
    for ballot in ballots:
        total += ballot.count
        seq: list[int] = []
        for mark in ballot.ranking:
            if mark is None:
                continue
            if mark == OVERVOTE:
                break
            c = index[mark]
            if c not in seq and c not in out:
                seq.append(c)
        if not seq:
            blank += ballot.count
            continue
        key = tuple(seq)
        groups[key] = groups.get(key, 0) + ballot.count
    return RankedCount(
        names=tuple(names),
        sequences=tuple(groups),
        counts=tuple(groups.values()),
        total=total,
        blank=blank,
        withdrawn=out,
        lot=lot,
    )
