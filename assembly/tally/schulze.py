"""The Schulze method (beatpath, winning votes) with the full ordering and honest ties.

d[a][b] is the number of voters ranking a above b (ranked candidates are above unranked ones;
unranked candidates are level with each other). A link a->b has strength d[a][b] when
d[a][b] > d[b][a], else 0; p[a][b] is the strength of the strongest path. a beats b when
p[a][b] > p[b][a]. The ordering is built in tiers: the first tier is every candidate no one
beats, then the same among the rest, and so on. A tier of several candidates is a tie that the
method cannot split; it is reported, not broken.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from .ballots import Ballot
from .results import Result, Round, explain_outcome
from .stvbase import ranked_names


def schulze(
    ballots: Iterable[Ballot], candidates: Sequence[str] | None = None, *, seats: int = 1
) -> Result:
    """Rank candidates by Schulze. `winners` holds the top `seats` candidates when no tie
    crosses the last seat; otherwise the untied ones, with the rest in `tied`.

    Overvoted ranks are ignored; skipped ranks only separate the marks around them.
    """
    ballots = list(ballots)
    names = ranked_names(ballots, candidates)
    n = len(names)
    index = {c: i for i, c in enumerate(names)}
    d = [[0] * n for _ in range(n)]
    total = 0
    blank = 0
    for ballot in ballots:
        total += ballot.count
        ranked = [index[c] for c in ballot.candidates()]
        if not ranked:
            blank += ballot.count
            continue
        ranked_set = set(ranked)
        unranked = [i for i in range(n) if i not in ranked_set]
        for pos, a in enumerate(ranked):
            for b in ranked[pos + 1 :]:
                d[a][b] += ballot.count
            for b in unranked:
                d[a][b] += ballot.count
    p = [[d[i][j] if i != j and d[i][j] > d[j][i] else 0 for j in range(n)] for i in range(n)]
    for k in range(n):
        for i in range(n):
            if i == k:
                continue
            for j in range(n):
                if j in (i, k):
                    continue
                through = min(p[i][k], p[k][j])
                if through > p[i][j]:
                    p[i][j] = through
    remaining = list(range(n))
    tiers: list[list[int]] = []
    while remaining:
        tier = [a for a in remaining if not any(p[b][a] > p[a][b] for b in remaining if b != a)]
        if not tier:  # cannot happen (the relation is transitive), but never loop forever
            tier = list(remaining)
        tiers.append(tier)
        remaining = [c for c in remaining if c not in tier]
    winners: list[str] = []
    tied: list[str] = []
    for tier in tiers if total > blank else ():
        room = seats - len(winners)
        if room <= 0:
            break
        if len(tier) <= room:
            winners.extend(names[c] for c in tier)
        else:
            tied = [names[c] for c in tier]
            break
    # The round's tally is how many candidates each one beats, in ranking order.
    wins = {a: sum(1 for b in range(n) if b != a and p[a][b] > p[b][a]) for a in range(n)}
    round_ = Round(
        number=1,
        tally={names[a]: Decimal(wins[a]) for tier in tiers for a in tier},
        threshold=None,
        elected=tuple(winners),
        reasons=("tie",) if tied else (),
    )
    result = Result(
        method="schulze",
        candidates=tuple(names),
        winners=tuple(winners),
        rounds=(round_,),
        seats=seats,
        ranking=tuple(tuple(names[c] for c in tier) for tier in tiers),
        total_ballots=total,
        blank_ballots=blank,
        tied=tuple(tied),
        pairwise={names[a]: {names[b]: d[a][b] for b in range(n) if b != a} for a in range(n)},
        strongest_paths={
            names[a]: {names[b]: p[a][b] for b in range(n) if b != a} for a in range(n)
        },
        rules={"link_strength": "winning_votes", "seats": seats},
        reasons=("tie",) if tied else (),
    )
    return explain_outcome(result, total - blank)
