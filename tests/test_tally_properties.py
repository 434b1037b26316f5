"""Properties every correct count has, checked on generated elections (hypothesis)."""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from assembly.tally import OVERVOTE, Ballot, RcvRules, count_rcv, irv, schulze, scottish_stv, stv

NAMES = ["A", "B", "C", "D", "E"]
FAST = settings(max_examples=60, deadline=None)


@st.composite
def elections(draw, min_candidates: int = 2, marks: bool = False) -> tuple[list[str], list[Ballot]]:
    n = draw(st.integers(min_candidates, len(NAMES)))
    names = NAMES[:n]
    ballots = []
    for _ in range(draw(st.integers(1, 12))):
        ranking: list[str | None] = list(draw(st.permutations(names)))[: draw(st.integers(1, n))]
        if marks and draw(st.booleans()):
            ranking.insert(
                draw(st.integers(0, len(ranking))), draw(st.sampled_from([None, OVERVOTE]))
            )
        ballots.append(Ballot(tuple(ranking), draw(st.integers(1, 40))))
    return names, ballots


@FAST
@given(elections())
def test_irv_majority_winner_wins(data: tuple[list[str], list[Ballot]]) -> None:
    names, ballots = data
    total = sum(b.count for b in ballots)
    firsts = {c: sum(b.count for b in ballots if b.ranking[0] == c) for c in names}
    leader = max(firsts, key=firsts.__getitem__)
    result = irv(ballots, names)
    if firsts[leader] * 2 > total:
        assert result.winners == (leader,)
        assert len(result.rounds) == 1


@FAST
@given(elections())
def test_schulze_condorcet_winner_wins(data: tuple[list[str], list[Ballot]]) -> None:
    names, ballots = data

    def prefers(a: str, b: str) -> int:
        total = 0
        for ballot in ballots:
            order = list(ballot.ranking)
            ra = order.index(a) if a in order else len(order)
            rb = order.index(b) if b in order else len(order)
            total += ballot.count if ra < rb else 0
        return total

    winners = [a for a in names if all(prefers(a, b) > prefers(b, a) for b in names if b != a)]
    result = schulze(ballots, names)
    if winners:
        assert result.winners == (winners[0],)


@FAST
@given(elections(marks=True))
def test_stv_single_seat_scottish_equals_irv_without_ties(
    data: tuple[list[str], list[Ballot]],
) -> None:
    # Two independent implementations: Scottish STV for one seat must elect the IRV winner
    # whenever neither count had to break a tie (their tie rules differ by design).
    names, ballots = data
    ballots = [Ballot(tuple(m for m in b.ranking if m != OVERVOTE), b.count) for b in ballots]
    by_irv = irv(ballots, names)
    by_stv = scottish_stv(ballots, 1, names)
    if any(r.tiebreaks for r in by_irv.rounds) or any(r.tiebreaks for r in by_stv.rounds):
        return
    if not by_stv.winners:
        return
    assert by_stv.winners == by_irv.winners


@FAST
@given(elections(marks=True))
def test_rctab_stv_with_one_seat_is_irv(data: tuple[list[str], list[Ballot]]) -> None:
    names, ballots = data
    assert stv(ballots, 1, names).to_dict()["rounds"] == irv(ballots, names).to_dict()["rounds"]


@FAST
@given(elections(marks=True), st.integers(1, 3), st.sampled_from(["exhaust", "skip"]))
def test_rctab_every_round_conserves_the_votes(
    data: tuple[list[str], list[Ballot]], seats: int, overvote: str
) -> None:
    names, ballots = data
    rules = RcvRules(seats=seats, overvote=overvote, max_skipped_ranks=1)  # type: ignore[arg-type]
    result = count_rcv(ballots, names, rules)
    unit = Decimal("0.0001")
    for r in result.rounds:
        counted = sum(r.tally.values()) + r.exhausted + result.blank_ballots
        assert counted + r.residual_surplus == result.total_ballots
        # Truncation loses under two units per ballot per surplus (the fraction and the product).
        assert 0 <= r.residual_surplus <= 2 * unit * result.total_ballots * seats


@FAST
@given(elections(), st.integers(1, 3))
def test_scottish_every_stage_conserves_the_votes(
    data: tuple[list[str], list[Ballot]], seats: int
) -> None:
    names, ballots = data
    result = scottish_stv(ballots, seats, names)
    valid = result.total_ballots - result.blank_ballots
    unit = Decimal("0.00001")
    for r in result.rounds:
        assert sum(r.tally.values()) + r.exhausted + r.residual_surplus == valid
        # Truncating each ballot's transfer value loses under a unit per ballot per surplus.
        assert 0 <= r.residual_surplus <= unit * valid * seats


@FAST
@given(elections(marks=True), st.integers(0, 2**32), st.integers(1, 3))
def test_results_do_not_depend_on_ballot_order(
    data: tuple[list[str], list[Ballot]], shuffle_seed: int, seats: int
) -> None:
    names, ballots = data
    shuffled = list(ballots)
    random.Random(shuffle_seed).shuffle(shuffled)
    # Splitting a weighted ballot into single ones must not matter either.
    split = [Ballot(b.ranking, 1) for b in shuffled for _ in range(b.count)]
    for count in (
        lambda bs: count_rcv(bs, names, RcvRules(seats=seats)),
        lambda bs: scottish_stv(bs, seats, names),
        lambda bs: schulze(bs, names),
    ):
        expected = count(ballots).to_dict()
        assert count(shuffled).to_dict() == expected
        assert count(split).to_dict() == expected
