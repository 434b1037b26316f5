"""Meek STV, iterated round by round with exact fixed-point arithmetic, as droop counts it.

Every elected candidate has a keep factor (keep value) kf, the share of each vote reaching them
that they keep; hopeful candidates keep all (kf = 1), defeated and withdrawn ones none (kf = 0).
Each iteration of a round:

1. Distribute: every ballot starts at weight 1; at each candidate in turn it gives
   ``weight * kf`` and goes on with the rest, until its weight is spent or its candidates are.
2. Quota: the votes now held by candidates, divided by seats + 1.
3. Elect every hopeful candidate over the quota; if any, the round ends.
4. Total surplus: the sum of (vote - quota) over elected candidates. The round ends when it
   is small enough (below omega), stops shrinking (stable), or (where the rule allows) a
   batch of sure losers can be defeated; otherwise each elected candidate's
   ``kf = kf * quota / vote`` and the round iterates again.

A round that elected no one defeats the lowest hopeful candidate; every hopeful candidate
within the total surplus of the lowest counts as tied with it, and the tie order picks the
first listed (droop's rule; `tie_order`, or a seeded lot, sets that order). The count ends
when the hopeful candidates are no more than the seats left (they are all elected) or the seats
are filled (the rest are defeated).

Two rules, each exactly as the droop tabulator (v0.11) implements it:

* ``prf``: the PR Foundation's Meek Reference rule. Fixed point with 9 decimals; each keep
  (``weight * kf``) and each keep-factor product and quotient is rounded up; quota
  ``votes / (seats + 1)`` truncated plus 10**-9, and a vote at or over it is elected; omega
  10**-6 (the round ends when the surplus is below it); no batch defeats.
* ``guarded``: droop's Meek "parametric" rule with New Zealand-style keep-factor updates,
  guarded arithmetic of 18 + 9 decimals: every product and quotient is truncated to 27
  decimals, two values within half a unit of the 18th decimal compare as equal, and values
  are shown rounded to 18 decimals. The quota is ``votes / (seats + 1)`` and a vote must
  exceed it; omega 10**-9 (the round ends at a surplus at or below it); ``keep = weight * kf``
  and ``weight = weight * (1 - kf)``; batches of sure losers (whose votes plus the surplus
  stay below the next candidate) are defeated at once.

Not implemented: Warren STV, OpenSTV's Meek variants, NZ Schedule 1A rounding, equal
rankings within a ballot (an overvoted rank ends the ballot).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from .ballots import Ballot
from .results import Result, Round, TieBreak, explain_outcome
from .stvbase import RankedCount, read_rankings
from .ties import TieChoice, TieChooser

MeekRule = Literal["prf", "guarded"]


@dataclass(frozen=True)
class _Arithmetic:
    places: int  # decimals carried
    display: int  # decimals shown (rounded half up)
    tolerance: int  # values closer than this many units compare equal
    round_up: bool  # products and quotients rounded up (else truncated)
    exact_quota: bool  # quota = votes / (seats + 1) and elect above it; else + 1 unit, at it
    omega: int  # in units
    omega_inclusive: bool  # the round ends at surplus <= omega (else < omega)
    batch: bool  # defeat sure losers in batches
    openstv_weights: bool  # new weight = weight * (1 - kf), else weight - keep

    @property
    def scale(self) -> int:
        return 10**self.places

    def mul(self, a: int, b: int) -> int:
        q, r = divmod(a * b, self.scale)
        return q + 1 if r and self.round_up else q

    def div(self, a: int, b: int) -> int:
        q, r = divmod(a * self.scale, b)
        return q + 1 if r and self.round_up else q

    def cmp(self, a: int, b: int) -> int:
        diff = a - b
        if abs(diff) < self.tolerance:
            return 0
        return (diff > 0) - (diff < 0)

    def shown(self, units: int) -> Decimal:
        step = 10 ** (self.places - self.display)
        return Decimal((units + step // 2) // step).scaleb(-self.display) if units else Decimal(0)


RULES: dict[str, _Arithmetic] = {
    "prf": _Arithmetic(
        places=9,
        display=9,
        tolerance=0,
        round_up=True,
        exact_quota=False,
        omega=10**3,
        omega_inclusive=False,
        batch=False,
        openstv_weights=False,
    ),
    "guarded": _Arithmetic(
        places=27,
        display=18,
        tolerance=10**9 // 2,
        round_up=False,
        exact_quota=True,
        omega=10**18,
        omega_inclusive=True,
        batch=True,
        openstv_weights=True,
    ),
}


class _Meek:
    def __init__(self, ranked: RankedCount, seats: int, arith: _Arithmetic) -> None:
        self.r = ranked
        self.seats = seats
        self.a = arith
        self.one = arith.scale
        n = len(ranked.names)
        self.kf = [0 if c in ranked.withdrawn else self.one for c in range(n)]
        self.vote = [0] * n
        self.hopeful = [c for c in range(n) if c not in ranked.withdrawn]
        self.elected: list[int] = []
        self.lot_rank = ranked.lot_rank
        self.exhausted = 0

    def distribute(self) -> None:
        a = self.a
        vote = [0] * len(self.vote)
        kf = self.kf
        exhausted = 0
        for seq, count in zip(self.r.sequences, self.r.counts, strict=True):
            weight = self.one
            for c in seq:
                k = kf[c]
                if not k:
                    continue
                keep = a.mul(weight, k)
                vote[c] += keep * count
                weight = a.mul(weight, self.one - k) if a.openstv_weights else weight - keep
                if a.cmp(weight, 0) <= 0:
                    break
            else:
                exhausted += weight * count
        self.vote = vote
        self.exhausted = exhausted

    def quota(self) -> tuple[int, int]:
        votes = sum(self.vote[c] for c in self.hopeful + self.elected)
        share = votes // (self.seats + 1)
        return votes, share if self.a.exact_quota else share + 1

    def has_quota(self, c: int, quota: int) -> bool:
        test = self.a.cmp(self.vote[c], quota)
        return test > 0 if self.a.exact_quota else test >= 0

    def by_tie_order(self, tied: Iterable[int]) -> list[int]:
        return sorted(tied, key=lambda c: self.lot_rank[c])

    def batch(self, surplus: int) -> list[int]:
        """Droop's safe batch: the most lowest candidates who cannot overtake the next one."""
        cmp = self.a.cmp
        groups: list[list[int]] = []
        floor = 0
        for c in sorted(self.hopeful, key=lambda c: (self.vote[c], self.lot_rank[c])):
            if groups and cmp(floor + surplus, self.vote[c]) >= 0:
                groups[-1].append(c)
            else:
                groups.append([c])
                floor = self.vote[c]
        most = len(self.hopeful) - (self.seats - len(self.elected))
        running = 0
        taken = 0
        chosen: int | None = None
        for g in range(len(groups) - 1):
            taken += len(groups[g])
            if taken > most:
                break
            running += sum(self.vote[c] for c in groups[g])
            if cmp(running + surplus, self.vote[groups[g + 1][0]]) < 0:
                chosen = g
        if chosen is None:
            return []
        return [c for g in groups[: chosen + 1] for c in g]


def meek_stv(
    ballots: Iterable[Ballot],
    seats: int,
    candidates: Sequence[str] | None = None,
    *,
    rule: MeekRule = "prf",
    tie_order: Sequence[str] | None = None,
    seed: int | None = None,
    withdrawn: Sequence[str] = (),
    ask_ties: bool = False,
    choices: Sequence[TieChoice | str] = (),
) -> Result:
    """Count ranked ballots by Meek STV under `rule` ("prf" or "guarded"); see the module.

    With `ask_ties` a tie for defeat raises ties.TieBreakNeeded unless `choices` answers it.
    """
    if rule not in RULES:
        raise ValueError(f"unknown Meek rule {rule!r}; choose one of {', '.join(RULES)}")
    arith = RULES[rule]
    ranked = read_rankings(ballots, seats, candidates, tie_order, seed, withdrawn, "Meek STV")
    names = ranked.names
    m = _Meek(ranked, seats, arith)
    cmp = arith.cmp
    one = arith.scale
    rounds: list[Round] = []
    chooser = TieChooser(choices)
    quota = 0
    defeated: list[int] = []

    def seats_left() -> int:
        return seats - len(m.elected)

    def record(
        number: int,
        shown: Sequence[int],
        newly: Sequence[int],
        out: Sequence[int],
        iterations: int,
        surplus: int,
        stop: str | None,
        tiebreaks: Sequence[TieBreak] = (),
        reasons: Sequence[str] = (),
    ) -> None:
        ordered = sorted(shown, key=lambda c: (-m.vote[c], m.lot_rank[c]))
        held = sum(m.vote[c] for c in shown)
        rounds.append(
            Round(
                number=number,
                tally={names[c]: arith.shown(m.vote[c]) for c in ordered},
                threshold=arith.shown(quota),
                elected=tuple(names[c] for c in newly),
                eliminated=tuple(names[c] for c in out),
                exhausted=arith.shown(m.exhausted),
                exhausted_by={"exhausted": arith.shown(m.exhausted)},
                residual_surplus=arith.shown(ranked.valid * one - held - m.exhausted),
                tiebreaks=tuple(tiebreaks),
                reasons=tuple(reasons),
                keep_factors={names[c]: arith.shown(m.kf[c]) for c in m.elected},
                iterations=iterations,
                surplus=arith.shown(surplus),
                stop=stop,
            )
        )

    number = 0
    while ranked.valid and len(m.hopeful) > seats_left() > 0:
        number += 1
        last_surplus = ranked.valid * one
        iterations = 0
        newly: list[int] = []
        batch: list[int] = []
        while True:
            iterations += 1
            m.distribute()
            _, quota = m.quota()
            reached = [c for c in m.hopeful if m.has_quota(c, quota)]
            reached.sort(key=lambda c: (-m.vote[c], m.lot_rank[c]))
            for c in reached:
                m.hopeful.remove(c)
                m.elected.append(c)
            newly = reached
            surplus = sum(m.vote[c] - quota for c in m.elected)
            if surplus < 0:
                surplus = 0
            if newly:
                stop = "elected"
                break
            test = cmp(surplus, arith.omega)
            if test < 0 or (arith.omega_inclusive and test == 0):
                stop = "omega"
                break
            if cmp(surplus, last_surplus) >= 0:
                stop = "stable"
                break
            if arith.batch:
                batch = m.batch(surplus)
                if batch:
                    stop = "batch"
                    break
            last_surplus = surplus
            for c in m.elected:
                m.kf[c] = arith.div(arith.mul(m.kf[c], quota), m.vote[c])
        shown = list(m.elected) + list(m.hopeful)
        out: list[int] = []
        tiebreaks: list[TieBreak] = []
        reasons: list[str] = []
        if stop == "batch":
            out = sorted(batch, key=lambda c: c)
            reasons.append("batch_elimination")
        elif stop != "elected" and m.hopeful:
            low = min(m.vote[c] for c in m.hopeful)
            tied = m.by_tie_order(c for c in m.hopeful if cmp(low + surplus, m.vote[c]) >= 0)
            out = [tied[0]]
            if len(tied) > 1 and ask_ties:
                tb = chooser.take(tuple(names[c] for c in tied), "eliminate", number)
                out = [names.index(tb.selected)]
                tiebreaks.append(tb)
            elif len(tied) > 1:
                tiebreaks.append(
                    TieBreak(
                        tuple(names[c] for c in tied),
                        names[tied[0]],
                        "eliminate",
                        "lot" if seed is not None else "candidate_order",
                    )
                )
        for c in out:
            m.hopeful.remove(c)
            m.kf[c] = 0
            defeated.append(c)
        done = not (len(m.hopeful) > seats_left() > 0)
        rest: list[int] = []
        if done and stop == "elected" and m.hopeful:
            # The count ended on an election: the rest are decided on this round's votes.
            rest = finish(m, seats_left(), reasons)
        record(
            number,
            shown,
            list(newly) + [c for c in rest if c in m.elected],
            out + [c for c in rest if c not in m.elected],
            iterations,
            surplus,
            stop,
            tiebreaks,
            reasons,
        )
    if m.hopeful and ranked.valid:
        # The count ended on a defeat (or began complete): show the votes as they now stand
        # and elect (or defeat) the rest.
        number += 1
        m.distribute()
        _, quota = m.quota()
        shown = list(m.elected) + list(m.hopeful)
        reasons = []
        rest = finish(m, seats_left(), reasons)
        record(
            number,
            shown,
            [c for c in rest if c in m.elected],
            [c for c in rest if c not in m.elected],
            0,
            0,
            None,
            reasons=reasons,
        )
    chooser.check_all_used()
    result = Result(
        method=f"stv_meek_{rule}",
        candidates=names,
        winners=tuple(names[c] for c in m.elected),
        rounds=tuple(rounds),
        seats=seats,
        total_ballots=ranked.total,
        blank_ballots=ranked.blank,
        quota=arith.shown(quota) if rounds else None,
        rules={
            "rule": f"meek_{rule}",
            "decimals": arith.places,
            "decimals_shown": arith.display,
            "omega": str(Decimal(arith.omega).scaleb(-arith.places).normalize()),
            "tie_order": list(ranked.lot),
            "withdrawn": list(withdrawn),
        },
    )
    return explain_outcome(result, ranked.valid)


def finish(m: _Meek, seats_left: int, reasons: list[str]) -> list[int]:
    """Elect the remaining hopeful candidates while seats are left, defeat the rest."""
    rest = sorted(m.hopeful, key=lambda c: (-m.vote[c], m.lot_rank[c]))
    for c in rest:
        m.hopeful.remove(c)
        if seats_left > 0:
            m.elected.append(c)
            seats_left -= 1
            code = "remaining_elected"
        else:
            m.kf[c] = 0
            code = "remaining_defeated"
        if code not in reasons:
            reasons.append(code)
    return rest
