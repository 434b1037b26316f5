"""Instant-runoff (IRV) and multi-seat STV as RCTab counts them, round by round.

RCTab's rules (the Ranked Choice Voting Resource Center's tabulator) in brief:

* Single winner: the threshold is ``floor(active / 2) + 1`` of the round's active votes,
  recomputed every round; a candidate at or over it wins. With two candidates left and neither
  over it (an exact tie), the tie-break picks the winner.
* Several winners: the threshold is ``floor(V1 / (seats + 1)) + 1`` from round 1's active votes,
  fixed for the count. Everyone at or over it is elected in the same round; each of their
  ballots continues at ``value * surplus_fraction``, where ``surplus_fraction =
  (votes - threshold) / votes``; both the fraction and each product are truncated to
  `decimals` places (4 by default). The winner keeps the rest; anything kept over the threshold
  is reported as residual surplus. After the last seat is filled one more round shows where the
  final surpluses went. When the continuing candidates are as many as the seats left, all win.
* Undeclared write-ins are eliminated first, in any round where they hold votes, and cannot win.
* Batch elimination: eliminate at once the largest group of lowest candidates whose combined
  votes are below the next-lowest candidate, when that group has two or more members.
* Ties: ``candidate_order`` (of tied losers the one latest in the candidate list goes, of tied
  winners the earliest wins), ``previous_round`` (the one with fewest, or most, votes in the
  latest earlier round where they differ, then candidate order or lot), or ``lot`` (a seeded
  shuffle of the candidate list, published in the result, then used as the candidate order).
* Overvotes: ``exhaust`` the ballot, or ``skip`` to the next rank. A ballot is inactive once
  more than `max_skipped_ranks` consecutive ranks are skipped. Repeated candidates are ignored
  unless `exhaust_on_duplicate`.

All arithmetic is on integers in units of 10**-decimals (exact fixed point); no floats.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any, Literal

from .ballots import OVERVOTE, WRITE_IN, Ballot
from .results import Result, Round, TieBreak, explain_outcome
from .ties import TieChoice, TieChooser

TiebreakMode = Literal["candidate_order", "previous_round", "lot", "ask"]
OvervoteRule = Literal["exhaust", "skip"]

# Why a ballot became inactive, in RCTab's categories.
EXHAUSTED = "exhausted"  # no continuing candidate left on it
OVERVOTED = "overvote"  # it reached an overvoted rank under the exhaust rule
SKIPPED_TOO_MANY = "skipped"  # it skipped more ranks than allowed
REPEATED = "repeated"  # it repeated a candidate under exhaust_on_duplicate
BLANK = "blank"  # it had no marks at all (RCTab's "undervotes"; never active)
INACTIVE_REASONS = (EXHAUSTED, OVERVOTED, SKIPPED_TOO_MANY, REPEATED)


@dataclass(frozen=True)
class RcvRules:
    """The rules of an RCTab-style count. Defaults are RCTab's usual ones."""

    seats: int = 1
    tiebreak: TiebreakMode = "candidate_order"
    # What `previous_round` falls back to when earlier rounds do not split the tie.
    tiebreak_fallback: Literal["candidate_order", "lot", "ask"] = "candidate_order"
    seed: int | None = None  # for `lot`: the shuffle's seed, announced before the count
    overvote: OvervoteRule = "exhaust"
    max_skipped_ranks: int | None = None  # None: unlimited
    max_rankings: int | None = None  # ranks beyond this are ignored; None: all
    batch_elimination: bool = False
    exhaust_on_duplicate: bool = False
    decimals: int = 4
    minimum_vote_threshold: int = 0
    hare_quota: bool = False
    non_integer_threshold: bool = False
    first_round_determines_threshold: bool = False
    one_winner_per_round: bool = False

    def __post_init__(self) -> None:
        if self.seats < 1:
            raise ValueError("seats must be at least 1")
        if self.tiebreak not in ("candidate_order", "previous_round", "lot", "ask"):
            raise ValueError(f"unknown tiebreak mode {self.tiebreak!r}")
        if self.tiebreak_fallback not in ("candidate_order", "lot", "ask"):
            raise ValueError(f"unknown tiebreak fallback {self.tiebreak_fallback!r}")
        uses_lot = self.tiebreak == "lot" or (
            self.tiebreak == "previous_round" and self.tiebreak_fallback == "lot"
        )
        if uses_lot and self.seed is None:
            raise ValueError("a tie-break by lot needs an explicit seed")
        if self.overvote not in ("exhaust", "skip"):
            raise ValueError(f"unknown overvote rule {self.overvote!r}")
        if self.max_skipped_ranks is not None and self.max_skipped_ranks < 0:
            raise ValueError("max_skipped_ranks must be >= 0")
        if self.max_rankings is not None and self.max_rankings < 1:
            raise ValueError("max_rankings must be >= 1")
        if not 0 <= self.decimals <= 12:
            raise ValueError("decimals must be between 0 and 12")
        if self.minimum_vote_threshold < 0:
            raise ValueError("minimum_vote_threshold must be >= 0")


def lot_order(candidates: Sequence[str], seed: int) -> tuple[str, ...]:
    """The candidate order a seeded lot gives: sort by name, then shuffle with the seed."""
    order = sorted(candidates)
    random.Random(seed).shuffle(order)
    return tuple(order)


def prepare_ballot(ranking: Sequence[str | None], rules: RcvRules) -> tuple[tuple[str, ...], str]:
    """Reduce a ranking to the candidates a count can reach and why it would stop.

    RCTab rescans a ballot from the top whenever its candidate leaves the count; skip limits,
    overvotes and duplicates depend only on positions, so the rescan always stops at the same
    point and can be worked out once per distinct ballot.
    """
    marks = list(ranking)
    if rules.max_rankings is not None:
        marks = marks[: rules.max_rankings]
    positions = [(i + 1, m) for i, m in enumerate(marks) if m is not None]
    if not positions:
        return (), BLANK
    sequence: list[str] = []
    seen: set[str] = set()
    last_rank = 0
    for rank, mark in positions:
        if rules.max_skipped_ranks is not None and rank - last_rank > rules.max_skipped_ranks + 1:
            return tuple(sequence), SKIPPED_TOO_MANY
        last_rank = rank
        if rules.exhaust_on_duplicate:
            if mark in seen:
                return tuple(sequence), REPEATED
            seen.add(mark)
        if mark == OVERVOTE:
            if rules.overvote == "exhaust":
                return tuple(sequence), OVERVOTED
            continue
        if mark not in sequence:
            sequence.append(mark)
    return tuple(sequence), EXHAUSTED


class _Count:
    """The state of one RCTab count over weighted, pre-reduced ballot groups."""

    def __init__(
        self, candidates: Sequence[str], ballots: Iterable[Ballot], rules: RcvRules
    ) -> None:
        self.rules = rules
        self.scale = 10**rules.decimals
        self.names = list(candidates)
        self.index = {name: i for i, name in enumerate(self.names)}
        self.write_in = self.index.get(WRITE_IN)
        groups: dict[tuple[tuple[int, ...], str], int] = {}
        self.total = 0
        self.blank = 0
        for ballot in ballots:
            self.total += ballot.count
            sequence, end = prepare_ballot(ballot.ranking, rules)
            if end == BLANK:
                self.blank += ballot.count
                continue
            try:
                key = (tuple(self.index[name] for name in sequence), end)
            except KeyError as exc:
                raise ValueError(f"ballot names unknown candidate {exc.args[0]!r}") from None
            groups[key] = groups.get(key, 0) + ballot.count
        self.seq = [k[0] for k in groups]
        self.end = [k[1] for k in groups]
        self.count = list(groups.values())
        n = len(self.seq)
        self.pos = [0] * n
        self.value = [self.scale] * n  # per-ballot value in units of 10**-decimals
        self.holder = [-1] * n  # candidate index, or -1 when inactive
        self.held: dict[int, list[int]] = {c: [] for c in range(len(self.names))}
        self.inactive = dict.fromkeys(INACTIVE_REASONS, 0)
        self.continuing = set(range(len(self.names)))
        self.pending: list[int] = []  # groups that must find a new candidate
        for g in range(n):
            self.pending.append(g)

    def dec(self, units: int) -> Decimal:
        return Decimal(units).scaleb(-self.rules.decimals) if units else Decimal(0)

    def place_pending(self) -> dict[int, dict[str, int]]:
        """Move every pending group to its next continuing candidate; return the transfers."""
        transfers: dict[int, dict[str, int]] = {}
        for g in self.pending:
            source = self.holder[g]
            seq = self.seq[g]
            p = self.pos[g]
            while p < len(seq) and seq[p] not in self.continuing:
                p += 1
            amount = self.count[g] * self.value[g]
            if p < len(seq):
                self.pos[g] = p
                target = seq[p]
                self.holder[g] = target
                self.held[target].append(g)
                label = self.names[target]
            else:
                self.pos[g] = p
                self.holder[g] = -1
                self.inactive[self.end[g]] += amount
                label = "exhausted"
            if source >= 0 and amount:
                row = transfers.setdefault(source, {})
                row[label] = row.get(label, 0) + amount
        self.pending = []
        return transfers

    def release(self, candidate: int) -> None:
        """Send a candidate's ballots on to their next preferences (next round)."""
        self.pending.extend(self.held[candidate])
        self.held[candidate] = []

    def tally(self) -> dict[int, int]:
        return {
            c: sum(self.count[g] * self.value[g] for g in self.held[c]) for c in self.continuing
        }


def _threshold(active: int, rules: RcvRules, scale: int) -> int:
    divisor = rules.seats if rules.hare_quota else rules.seats + 1
    if rules.non_integer_threshold:
        # Hare rounds up (">= share"); Droop adds one unit above the truncated share.
        threshold = -(-active // divisor) if rules.hare_quota else active // divisor + 1
    elif rules.hare_quota:
        threshold = -(-active // (divisor * scale)) * scale
    else:
        threshold = (active // (divisor * scale)) * scale + scale
    return max(threshold, rules.minimum_vote_threshold * scale)


def _sorted_tally(tally: Mapping[int, int], names: Sequence[str]) -> list[tuple[int, int]]:
    # Highest first; equal tallies in candidate order, so output is stable and readable.
    return sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))


def count_rcv(
    ballots: Iterable[Ballot],
    candidates: Sequence[str] | None = None,
    rules: RcvRules | None = None,
    *,
    write_ins: bool | None = None,
    excluded: Sequence[str] = (),
    choices: Sequence[TieChoice | str] = (),
) -> Result:
    """Count ranked ballots by RCTab's rules: IRV for one seat, RCTab STV for several.

    `candidates` is the declared list in order (the order matters for `candidate_order`
    tie-breaks); without it candidates are taken in order of first appearance. Undeclared
    write-ins take part as the candidate "Undeclared Write-ins" (listed last) when any ballot
    names them, or always when `write_ins` is True. `excluded` candidates (withdrawn before the
    count) never hold votes; ballots pass over them. Under the tie rule "ask" (or
    previous_round falling back to "ask") a tie raises ties.TieBreakNeeded unless `choices`
    (the decisions made so far, in order) already holds its answer.
    """
    rules = rules or RcvRules()
    ballots = list(ballots)
    names = _candidate_list(ballots, candidates, write_ins)
    state = _Count(names, ballots, rules)
    for name in excluded:
        # Excluded (withdrawn) candidates never count; ballots pass over them.
        if name not in state.index:
            raise ValueError(f"excluded candidate {name!r} is not a candidate")
        state.continuing.discard(state.index[name])
    scale = state.scale
    if rules.tiebreak == "lot" or (
        rules.tiebreak == "previous_round" and rules.tiebreak_fallback == "lot"
    ):
        assert rules.seed is not None
        permutation = lot_order(names, rules.seed)
    else:
        permutation = tuple(names)
    order_rank = {state.index[name]: i for i, name in enumerate(permutation)}

    chooser = TieChooser(choices)
    history: list[dict[int, int]] = []  # tallies of continuing candidates per round
    rounds: list[dict[str, Any]] = []
    winners: list[int] = []
    winner_round: dict[int, int] = {}
    kept: dict[int, int] = {}  # a winner's retained units after their surplus left
    shown: dict[int, int] = {}  # what earlier winners show in later rounds
    residual_total = 0
    threshold = 0

    def break_tie(tied: list[int], selecting_winner: bool, current: int) -> tuple[int, TieBreak]:
        names_tied = tuple(names[c] for c in sorted(tied, key=lambda c: order_rank[c]))
        purpose = "elect" if selecting_winner else "eliminate"
        if rules.tiebreak == "previous_round":
            contention = list(tied)
            for back in range(current - 1, 0, -1):
                earlier = history[back - 1]
                values = {c: earlier.get(c, 0) for c in contention}
                pick = max(values.values()) if selecting_winner else min(values.values())
                contention = [c for c in contention if values[c] == pick]
                if len(contention) == 1:
                    chosen = contention[0]
                    return chosen, TieBreak(
                        names_tied, names[chosen], purpose, "previous_round", back
                    )
            tied = contention
            rule = rules.tiebreak_fallback
        else:
            rule = rules.tiebreak
        ordered = sorted(tied, key=lambda c: order_rank[c])
        if rule == "ask":
            tb = chooser.take(tuple(names[c] for c in ordered), purpose, current)
            return state.index[tb.selected], tb
        chosen = ordered[0] if selecting_winner else ordered[-1]
        return chosen, TieBreak(names_tied, names[chosen], purpose, rule)

    number = 0
    while True:
        number += 1
        transfers = state.place_pending()
        if rounds:
            rounds[-1]["transfers"] = transfers
        tally = state.tally()
        history.append(dict(tally))
        active = sum(tally.values())
        if number == 1 or (rules.seats == 1 and not rules.first_round_determines_threshold):
            threshold = _threshold(active, rules, scale)

        # Winners elected last round now show what they kept; anything over the threshold is
        # residual surplus lost to truncation.
        for w in winners:
            if winner_round[w] == number - 1 and w in kept:
                value = kept[w]
                if value > threshold:
                    residual_total += value - threshold
                    value = threshold
                shown[w] = value
        tiebreaks: list[TieBreak] = []
        reasons: list[str] = []
        elected: list[int] = []
        eliminated: list[int] = []
        seats_left = rules.seats - len(winners)
        continuing = sorted(tally, key=lambda c: (-tally[c], order_rank[c]))
        uwi_live = state.write_in is not None and tally.get(state.write_in, 0) > 0
        # No vote at all in round 1 (every ballot blank or exhausted): nobody can be elected,
        # not even by a tie-break among candidates with nothing.
        no_votes = number == 1 and active == 0
        if no_votes:
            seats_left = 0
        if seats_left > 0 and not uwi_live:
            if len(continuing) <= seats_left:
                elected = list(continuing)
                if elected:
                    reasons.append("remaining_elected")
            elif rules.first_round_determines_threshold and len(continuing) - 1 == rules.seats:
                top = tally[continuing[0]]
                elected = [c for c in continuing if tally[c] == top]
            else:
                elected = [c for c in continuing if tally[c] >= threshold and c != state.write_in]
            if len(elected) > 1 and (
                rules.one_winner_per_round or rules.first_round_determines_threshold
            ):
                top = tally[elected[0]]
                elected = [c for c in elected if tally[c] == top]
            if (
                rules.seats == 1
                and not elected
                and len(continuing) == 2
                and all(tally[c] >= rules.minimum_vote_threshold * scale for c in continuing)
            ):
                top = tally[continuing[0]]
                elected = [c for c in continuing if tally[c] == top]
                reasons.append("final_two")
            if len(elected) > 1 and (
                rules.one_winner_per_round
                or rules.first_round_determines_threshold
                or "final_two" in reasons
            ):
                chosen, tb = break_tie(elected, True, number)
                tiebreaks.append(tb)
                elected = [chosen]
        if elected:
            for w in elected:
                winners.append(w)
                winner_round[w] = number
                state.continuing.discard(w)
            if rules.seats > 1:
                for w in elected:
                    votes = tally[w]
                    extra = votes - threshold
                    fraction = extra * scale // votes if extra > 0 else 0
                    retained = 0
                    for g in state.held[w]:
                        moving = state.value[g] * fraction // scale
                        retained += state.count[g] * (state.value[g] - moving)
                        state.value[g] = moving
                    kept[w] = retained
                    state.release(w)
            else:
                kept.update({w: tally[w] for w in elected})
        elif len(winners) < rules.seats and not no_votes:
            if uwi_live:
                eliminated = [state.write_in]  # type: ignore[list-item]
                reasons.append("write_ins_eliminated")
            if not eliminated and rules.minimum_vote_threshold > 0:
                floor = rules.minimum_vote_threshold * scale
                eliminated = [c for c in continuing if tally[c] < floor]
                if eliminated:
                    reasons.append("below_minimum_threshold")
                if len(eliminated) == len(continuing):
                    raise ValueError("every candidate is below the minimum vote threshold")
            if not eliminated and rules.batch_elimination:
                batch = _batch(tally, order_rank)
                if len(batch) > 1:
                    eliminated = batch
                    reasons.append("batch_elimination")
            if not eliminated and continuing:
                low = min(tally.values())
                lowest = [c for c in continuing if tally[c] == low]
                if len(lowest) > 1:
                    chosen, tb = break_tie(lowest, False, number)
                    tiebreaks.append(tb)
                    lowest = [chosen]
                eliminated = lowest
            for c in eliminated:
                state.continuing.discard(c)
                state.release(c)

        display = dict(tally)
        for w in winners:
            if winner_round[w] < number:
                display[w] = shown.get(w, kept.get(w, 0))
        rounds.append(
            {
                "number": number,
                "tally": display,
                "threshold": threshold,
                "elected": elected,
                "eliminated": eliminated,
                "transfers": {},
                "inactive": dict(state.inactive),
                "residual": residual_total,
                "tiebreaks": tiebreaks,
                "reasons": reasons,
            }
        )
        if no_votes:
            break
        seats_filled = len(winners) >= rules.seats
        if seats_filled and not (rules.seats > 1 and elected):
            break
        if not seats_filled and not elected and not eliminated:
            break  # nothing left to decide (no candidates at all)

    result_rounds = []
    for r in rounds:
        ordered = _sorted_tally(r["tally"], names)
        result_rounds.append(
            Round(
                number=r["number"],
                tally={names[c]: state.dec(v) for c, v in ordered},
                threshold=state.dec(r["threshold"]),
                elected=tuple(names[c] for c in r["elected"]),
                eliminated=tuple(names[c] for c in r["eliminated"]),
                transfers={
                    names[src]: {dst: state.dec(v) for dst, v in sorted(row.items())}
                    for src, row in r["transfers"].items()
                },
                exhausted=state.dec(sum(r["inactive"].values())),
                exhausted_by={k: state.dec(v) for k, v in r["inactive"].items()},
                residual_surplus=state.dec(r["residual"]),
                tiebreaks=tuple(r["tiebreaks"]),
                reasons=tuple(r["reasons"]),
            )
        )
    chooser.check_all_used()
    rule_data = asdict(rules)
    if permutation != tuple(names):
        rule_data["lot_order"] = list(permutation)
    result = Result(
        method="irv" if rules.seats == 1 else "stv_rctab",
        candidates=tuple(names),
        winners=tuple(names[w] for w in winners),
        rounds=tuple(result_rounds),
        seats=rules.seats,
        total_ballots=state.total,
        blank_ballots=state.blank,
        quota=state.dec(threshold) if rules.seats > 1 else None,
        rules=rule_data,
    )
    return explain_outcome(result, sum(history[0].values()) if history else 0)


def _batch(tally: Mapping[int, int], order_rank: Mapping[int, int]) -> list[int]:
    """RCTab's batch elimination: everyone below a point that the rest cannot leapfrog."""
    levels: dict[int, list[int]] = {}
    for c, v in tally.items():
        levels.setdefault(v, []).append(c)
    running = 0
    seen: list[int] = []
    batch: list[int] = []
    for votes in sorted(levels):
        if running < votes:
            batch = list(seen)
        group = sorted(levels[votes], key=lambda c: order_rank[c])
        running += votes * len(group)
        seen.extend(group)
    return batch


def _candidate_list(
    ballots: Sequence[Ballot], candidates: Sequence[str] | None, write_ins: bool | None
) -> list[str]:
    names: list[str] = [c for c in candidates if c != WRITE_IN] if candidates is not None else []
    known = set(names)
    has_write_in = bool(write_ins) or (candidates is not None and WRITE_IN in candidates)
    for ballot in ballots:
        for mark in ballot.ranking:
            if mark is None or mark == OVERVOTE:
                continue
            if mark == WRITE_IN:
                if write_ins is not False:
                    has_write_in = True
                continue
            if mark not in known:
                if candidates is not None:
                    raise ValueError(f"ballot names unknown candidate {mark!r}")
                known.add(mark)
                names.append(mark)
    if len(names) != len(set(names)):
        raise ValueError("candidate names repeat")
    if has_write_in:
        names.append(WRITE_IN)
    return names


def irv(
    ballots: Iterable[Ballot],
    candidates: Sequence[str] | None = None,
    rules: RcvRules | None = None,
    **options: Any,
) -> Result:
    """Instant-runoff voting (one seat) under RCTab's rules; see count_rcv()."""
    base = rules or RcvRules(**options)
    if base.seats != 1:
        raise ValueError("irv() elects one candidate; use stv() for several seats")
    return count_rcv(ballots, candidates, base)


def stv(
    ballots: Iterable[Ballot],
    seats: int,
    candidates: Sequence[str] | None = None,
    rules: RcvRules | None = None,
    **options: Any,
) -> Result:
    """Single transferable vote under RCTab's rules (simultaneous election, 4-decimal surplus)."""
    if rules is None:
        rules = RcvRules(seats=seats, **options)
    elif rules.seats != seats:
        raise ValueError("seats disagrees with rules.seats")
    return count_rcv(ballots, candidates, rules)
