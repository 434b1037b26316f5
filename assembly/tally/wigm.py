"""The weighted inclusive Gregory method (WIGM) of STV, in exact rational arithmetic.

This is droop's generic WIGM rule (v0.11, "rational arithmetic"):

* Quota: ``valid ballots / (seats + 1)``, exact, fixed for the count; a candidate is elected
  with a vote over it (ties with the quota are not enough).
* Each round first elects every hopeful candidate over the quota. If an elected candidate's
  surplus is waiting, the largest one is transferred (ties by the tie order): every ballot the
  candidate holds moves on at ``weight * surplus / vote`` (inclusive: all of them, each at
  its current weight) to its next hopeful candidate, and the candidate keeps exactly the quota.
* With no surplus waiting, the hopeful candidate with fewest votes is defeated (exact ties by
  the tie order: the first listed goes) and all their ballots move on at their weights.
* Ballots with no further hopeful candidate are non-transferable (exhausted).
* When the hopeful candidates are no more than the seats left, or the seats are filled, a last
  round elects (or defeats) the rest.

Values are exact fractions; the result shows them rounded half up to `decimals` places (12, as
droop's report). Not implemented: fixed-point WIGM variants, integer quota, batch defeats of
zero-vote candidates, and the ERS97 or Cambridge rules (Gregory transfers of the last parcel).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction

from .ballots import Ballot
from .results import Result, Round, TieBreak, explain_outcome
from .stvbase import read_rankings
from .ties import TieChoice, TieChooser


def shown(value: Fraction, decimals: int) -> Decimal:
    """A fraction rounded half up to `decimals` places, as a Decimal."""
    if not value:
        return Decimal(0)
    scale = 10**decimals
    units = (value * scale * 2 + 1) // 2
    return Decimal(int(units)).scaleb(-decimals)


def wigm_stv(
    ballots: Iterable[Ballot],
    seats: int,
    candidates: Sequence[str] | None = None,
    *,
    tie_order: Sequence[str] | None = None,
    seed: int | None = None,
    withdrawn: Sequence[str] = (),
    decimals: int = 12,
    ask_ties: bool = False,
    choices: Sequence[TieChoice | str] = (),
) -> Result:
    """Count ranked ballots by WIGM STV; each round is a Round of exact values (see module).

    With `ask_ties` a tie raises ties.TieBreakNeeded unless `choices` already answers it.
    """
    ranked = read_rankings(ballots, seats, candidates, tie_order, seed, withdrawn, "WIGM STV")
    names = ranked.names
    lot_rank = ranked.lot_rank
    rule = "lot" if seed is not None else "candidate_order"
    quota = Fraction(ranked.valid, seats + 1)
    hopeful = [c for c in range(len(names)) if c not in ranked.withdrawn]
    elected: list[int] = []
    pending: list[int] = []
    vote: dict[int, Fraction] = {c: Fraction(0) for c in hopeful}
    held: dict[int, list[int]] = {c: [] for c in hopeful}
    seqs = ranked.sequences
    counts = ranked.counts
    weight = [Fraction(1)] * len(seqs)
    pos = [0] * len(seqs)
    for g, seq in enumerate(seqs):
        held[seq[0]].append(g)
        vote[seq[0]] += counts[g]
    nontransferable = Fraction(0)
    rounds: list[Round] = []
    chooser = TieChooser(choices)

    def by_order(tied: Iterable[int]) -> list[int]:
        return sorted(tied, key=lambda c: lot_rank[c])

    def pick(tied: list[int], purpose: str, tiebreaks: list[TieBreak]) -> int:
        ordered = by_order(tied)
        if len(ordered) > 1 and ask_ties:
            tb = chooser.take(tuple(names[c] for c in ordered), purpose, number)
            tiebreaks.append(tb)
            return names.index(tb.selected)
        if len(ordered) > 1:
            label = tuple(names[c] for c in ordered)
            tiebreaks.append(TieBreak(label, names[ordered[0]], purpose, rule))
        return ordered[0]

    def transfer(source: int, new_weight: Fraction | None) -> dict[str, Decimal]:
        nonlocal nontransferable
        moved: dict[str, Fraction] = {}
        for g in held[source]:
            if new_weight is not None:
                weight[g] = weight[g] * new_weight
            amount = weight[g] * counts[g]
            seq = seqs[g]
            p = pos[g] + 1
            while p < len(seq) and seq[p] not in hopeful:
                p += 1
            pos[g] = p
            if p < len(seq):
                target = seq[p]
                held[target].append(g)
                vote[target] += amount
                key = names[target]
            else:
                nontransferable += amount
                key = "exhausted"
            if amount:
                moved[key] = moved.get(key, Fraction(0)) + amount
        held[source] = []
        return {k: shown(v, decimals) for k, v in sorted(moved.items())}

    def record(
        number: int,
        snapshot: dict[int, Fraction],
        exhausted: Fraction,
        newly: Sequence[int] = (),
        out: Sequence[int] = (),
        transfers: dict[str, dict[str, Decimal]] | None = None,
        surplus_of: int | None = None,
        tiebreaks: Sequence[TieBreak] = (),
        reasons: Sequence[str] = (),
    ) -> None:
        order = sorted(snapshot, key=lambda c: (-snapshot[c], lot_rank[c]))
        rounds.append(
            Round(
                number=number,
                tally={names[c]: shown(snapshot[c], decimals) for c in order},
                threshold=shown(quota, decimals),
                elected=tuple(names[c] for c in newly),
                eliminated=tuple(names[c] for c in out),
                transfers=transfers or {},
                exhausted=shown(exhausted, decimals),
                exhausted_by={"exhausted": shown(exhausted, decimals)},
                surplus_transferred=None if surplus_of is None else names[surplus_of],
                tiebreaks=tuple(tiebreaks),
                reasons=tuple(reasons),
            )
        )

    number = 0
    while ranked.valid and len(hopeful) > seats - len(elected) > 0:
        number += 1
        snapshot = {c: vote[c] for c in elected + hopeful}
        exhausted = nontransferable
        tiebreaks: list[TieBreak] = []
        newly = sorted(
            (c for c in hopeful if vote[c] > quota), key=lambda c: (-vote[c], lot_rank[c])
        )
        for c in newly:
            hopeful.remove(c)
            elected.append(c)
            pending.append(c)
        out: list[int] = []
        surplus_of: int | None = None
        if pending:
            top = max(vote[c] for c in pending)
            surplus_of = pick([c for c in pending if vote[c] == top], "transfer_first", tiebreaks)
            pending.remove(surplus_of)
            fraction = (vote[surplus_of] - quota) / vote[surplus_of]
            moved = transfer(surplus_of, fraction)
            vote[surplus_of] = quota
        else:
            low = min(vote[c] for c in hopeful)
            loser = pick([c for c in hopeful if vote[c] == low], "eliminate", tiebreaks)
            hopeful.remove(loser)
            out.append(loser)
            moved = transfer(loser, None)
            vote[loser] = Fraction(0)
        source = surplus_of if surplus_of is not None else out[0]
        record(
            number,
            snapshot,
            exhausted,
            newly,
            out,
            {names[source]: moved},
            surplus_of,
            tiebreaks,
        )
    if hopeful and ranked.valid:
        number += 1
        snapshot = {c: vote[c] for c in elected + hopeful}
        rest = sorted(hopeful, key=lambda c: (-vote[c], lot_rank[c]))
        won = rest[: max(seats - len(elected), 0)]
        lost = rest[len(won) :]
        elected.extend(won)
        hopeful.clear()
        reasons = (["remaining_elected"] if won else []) + (["remaining_defeated"] if lost else [])
        record(number, snapshot, nontransferable, won, lost, reasons=reasons)
    chooser.check_all_used()
    result = Result(
        method="stv_wigm",
        candidates=names,
        winners=tuple(names[c] for c in elected),
        rounds=tuple(rounds),
        seats=seats,
        total_ballots=ranked.total,
        blank_ballots=ranked.blank,
        quota=shown(quota, decimals),
        rules={
            "rule": "wigm_rational",
            "decimals_shown": decimals,
            "tie_order": list(ranked.lot),
            "withdrawn": list(withdrawn),
        },
    )
    return explain_outcome(result, ranked.valid)
