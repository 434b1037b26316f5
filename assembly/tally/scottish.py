"""Scottish STV (the Scottish Local Government Elections Order 2007, rules 45-52).

* Quota: ``floor(valid ballots / (seats + 1)) + 1`` (Droop), fixed for the count.
* A candidate at or over the quota is elected. Surpluses are transferred one at a time, the
  highest first; every ballot the candidate holds moves on at
  ``value * surplus / candidate's votes``, truncated to 5 decimal places (48(3)). Ballots with no
  further continuing preference are non-transferable ("exhausted") at that value; what the
  truncation loses is reported as residual surplus.
* With no surplus to transfer, the candidate with fewest votes is excluded, one per stage, and
  all their ballots move on at their current values (50).
* Ties (49(2), 51(2)): look back to the most recent earlier stage at which the tied candidates
  had unequal votes (highest surplus transferred first, lowest excluded); failing that, by lot.
  The lot is either a seeded shuffle (``seed``) or a stated order (``tie_order``, the
  candidate list by default): the earliest listed candidate is the one the lot picks. With no
  seed this reproduces the droop tabulator, whose "lot" is the ballot order.
* When the continuing candidates are no more than the vacancies, they are all elected and no
  further transfer is made (52).

Arithmetic is exact: integers in units of 10**-5 of a vote.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from .ballots import Ballot
from .results import Result, Round, TieBreak, explain_outcome
from .stvbase import read_rankings
from .ties import TieChoice, TieChooser

PLACES = 5
SCALE = 10**PLACES


def _dec(units: int) -> Decimal:
    return Decimal(units).scaleb(-PLACES) if units else Decimal(0)


def scottish_stv(
    ballots: Iterable[Ballot],
    seats: int,
    candidates: Sequence[str] | None = None,
    *,
    tie_order: Sequence[str] | None = None,
    seed: int | None = None,
    withdrawn: Sequence[str] = (),
    ask_ties: bool = False,
    choices: Sequence[TieChoice | str] = (),
) -> Result:
    """Count ranked ballots by Scottish STV; returns every stage as a Round.

    With `ask_ties`, a tie the earlier stages do not split is not decided by the lot order:
    the count raises ties.TieBreakNeeded unless `choices` (made so far, in order) answers it.

    Skipped ranks are passed over; an overvoted rank ends the ballot (no preference can be
    read from it or after it); repeated candidates are ignored. Ballots with no usable first
    preference are not valid and do not count towards the quota.
    """
    ranked = read_rankings(ballots, seats, candidates, tie_order, seed, withdrawn, "Scottish STV")
    names = list(ranked.names)
    lot = ranked.lot
    lot_rank = ranked.lot_rank
    out = ranked.withdrawn
    seqs = list(ranked.sequences)
    counts = list(ranked.counts)
    total = ranked.total
    blank = ranked.blank
    valid = total - blank
    quota = (valid // (seats + 1) + 1) * SCALE

    hopeful = {c for c in range(len(names)) if c not in out}
    elected: list[int] = []
    pending: list[int] = []
    defeated: list[int] = []
    vote = dict.fromkeys(hopeful, 0)
    held: dict[int, list[int]] = {c: [] for c in hopeful}
    pos = [0] * len(seqs)
    value = [SCALE] * len(seqs)
    nontransferable = 0
    for g, first_choices in enumerate(seqs):
        held[first_choices[0]].append(g)
        vote[first_choices[0]] += counts[g] * SCALE

    chooser = TieChooser(choices)
    history: list[dict[int, int]] = []
    rounds: list[Round] = []

    def break_tie(tied: list[int], highest: bool, purpose: str) -> tuple[int, TieBreak | None]:
        if len(tied) == 1:
            return tied[0], None
        label = tuple(names[c] for c in sorted(tied, key=lambda c: lot_rank[c]))
        remaining = tied
        for stage in range(len(history) - 2, -1, -1):
            earlier = history[stage]
            pick = (max if highest else min)(earlier.get(c, 0) for c in tied)
            remaining = [c for c in tied if earlier.get(c, 0) == pick]
            if len(remaining) == 1:
                chosen = remaining[0]
                return chosen, TieBreak(label, names[chosen], purpose, "prior_stage", stage + 1)
        if ask_ties:
            ordered = sorted(remaining, key=lambda c: lot_rank[c])
            tb = chooser.take(tuple(names[c] for c in ordered), purpose, len(history))
            return names.index(tb.selected), tb
        chosen = min(remaining, key=lambda c: lot_rank[c])
        return chosen, TieBreak(label, names[chosen], purpose, "lot")

    def move(g: int) -> int | None:
        """Advance a ballot group to its next hopeful candidate; None if non-transferable."""
        seq = seqs[g]
        p = pos[g] + 1
        while p < len(seq) and seq[p] not in hopeful:
            p += 1
        pos[g] = p
        if p < len(seq):
            return seq[p]
        return None

    stage_number = 0
    while True:
        stage_number += 1
        snapshot = {c: vote[c] for c in list(hopeful) + elected}
        history.append(snapshot)
        stage_nt = nontransferable
        tiebreaks: list[TieBreak] = []
        reasons: list[str] = []
        newly: list[int] = []
        reached = [c for c in hopeful if vote[c] >= quota]
        while reached:  # order the newly elected: most votes first
            top = max(vote[c] for c in reached)
            chosen, tb = break_tie([c for c in reached if vote[c] == top], True, "elect")
            if tb:
                tiebreaks.append(tb)
            newly.append(chosen)
            reached.remove(chosen)
        for c in newly:
            hopeful.discard(c)
            elected.append(c)
            pending.append(c)
        seats_left = seats - len(elected)
        complete = seats_left <= 0 or len(hopeful) <= seats_left or not valid
        if complete and valid and 0 < len(hopeful) <= seats_left:
            rest = sorted(hopeful, key=lambda c: (-vote[c], lot_rank[c]))
            for c in rest:
                hopeful.discard(c)
                elected.append(c)
            newly.extend(rest)
            reasons.append("remaining_elected")
        transfers: dict[str, dict[str, Decimal]] = {}
        surplus_of: int | None = None
        excluded: list[int] = []
        if not complete:
            moved: dict[str, int] = {}
            if pending:
                top = max(vote[c] for c in pending)
                source, tb = break_tie([c for c in pending if vote[c] == top], True, "transfer")
                if tb:
                    tiebreaks.append(tb)
                pending.remove(source)
                surplus_of = source
                surplus = vote[source] - quota
                candidate_votes = vote[source]
                for g in held[source]:
                    value[g] = value[g] * surplus // candidate_votes  # 48(3): truncate
                vote[source] = quota
            else:
                low = min(vote[c] for c in hopeful)
                source, tb = break_tie([c for c in hopeful if vote[c] == low], False, "eliminate")
                if tb:
                    tiebreaks.append(tb)
                hopeful.discard(source)
                defeated.append(source)
                excluded.append(source)
            for g in held[source]:
                amount = counts[g] * value[g]
                target = move(g)
                if target is None:
                    nontransferable += amount
                    key = "exhausted"
                else:
                    held[target].append(g)
                    vote[target] += amount
                    key = names[target]
                if amount:
                    moved[key] = moved.get(key, 0) + amount
            held[source] = []
            if excluded:
                vote[source] = 0
            transfers[names[source]] = {k: _dec(v) for k, v in sorted(moved.items())}
        tally_units = dict(snapshot)
        shown = sorted(tally_units.items(), key=lambda kv: (-kv[1], lot_rank[kv[0]]))
        held_total = sum(snapshot.values())
        rounds.append(
            Round(
                number=stage_number,
                tally={names[c]: _dec(v) for c, v in shown},
                threshold=_dec(quota),
                elected=tuple(names[c] for c in newly),
                eliminated=tuple(names[c] for c in excluded),
                transfers=transfers,
                exhausted=_dec(stage_nt),
                exhausted_by={"exhausted": _dec(stage_nt)},
                residual_surplus=_dec(valid * SCALE - held_total - stage_nt),
                surplus_transferred=None if surplus_of is None else names[surplus_of],
                tiebreaks=tuple(tiebreaks),
                reasons=tuple(reasons),
            )
        )
        if complete:
            break
    chooser.check_all_used()
    result = Result(
        method="stv_scottish",
        candidates=tuple(names),
        winners=tuple(names[c] for c in elected),
        rounds=tuple(rounds),
        seats=seats,
        total_ballots=total,
        blank_ballots=blank,
        quota=_dec(quota),
        rules={
            "rule": "scottish_stv_2007",
            "decimals": PLACES,
            "lot_order": list(lot),
            "withdrawn": list(withdrawn),
        },
    )
    return explain_outcome(result, valid)
