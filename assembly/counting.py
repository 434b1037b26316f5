"""From a decision's ballots to the tally engine and back: the result kept with the decision.

The arithmetic lives in `assembly.tally`; this module only translates. Each snapshot holds
`kind`, `outcome` and the engine's own numbers, so the room and the minutes can say why.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, cast

from assembly import tally
from assembly.models import Decision
from assembly.tally.majority import Base

MOTION_VOTES = tuple(Decision.Vote.values)  # the older name, kept for importers


def count(
    decision: Decision,
    choices: Iterable[Mapping[str, Any]],
    *,
    present: int,
    members: int,
) -> dict[str, Any]:
    choices = list(choices)
    method = decision.method
    if method == Decision.Method.MOTION:
        votes = Counter(choice["vote"] for choice in choices)
        motion = tally.decide(
            votes[Decision.Vote.YES],
            votes[Decision.Vote.NO],
            votes[Decision.Vote.ABSTAIN],
            threshold=tally.parse_threshold(decision.threshold),
            base=cast(Base, decision.base),  # one of Decision.Base, the same three words
            present=max(present, len(choices)),
            members=max(members, present, len(choices)),
        )
        return {"kind": "motion", "ballots": len(choices), **motion.to_dict()}
    if method == Decision.Method.CONSENSUS:
        responses = Counter(choice["response"] for choice in choices)
        fallback = (
            tally.parse_threshold(decision.fallback_threshold)
            if decision.fallback_threshold
            else None
        )
        agreed = tally.consensus(responses, tally.ConsensusRules(fallback=fallback))
        snapshot = {"kind": "consensus", "ballots": len(choices), **agreed.to_dict()}
        snapshot["fallback_allowed"] = fallback is not None and agreed.outcome in (
            "blocked",
            "tabled",
        )
        return snapshot
    labels = {option.pk: option.label for option in decision.options.all()}
    candidates = list(labels.values())  # in the order shown on the ballot
    result: tally.Result
    if method == Decision.Method.APPROVAL:
        ballots = [tally.Ballot(tuple(labels[pk] for pk in c["approve"])) for c in choices]
        result = tally.approval(
            ballots, candidates, seats=decision.seats, seed=secrets.randbelow(2**31)
        )
    elif decision.count_rule in (Decision.CountRule.MEEK, Decision.CountRule.WIGM):
        ballots = [tally.Ballot(tuple(labels[pk] for pk in c["ranking"])) for c in choices]
        # Meek and WIGM break ties by a lot whose seed is kept in the result.
        seed = secrets.randbelow(2**31)
        grouped = tally.aggregate(ballots)
        if decision.count_rule == Decision.CountRule.MEEK:
            result = tally.meek_stv(grouped, decision.seats, candidates, rule="prf", seed=seed)
        else:
            result = tally.wigm_stv(grouped, decision.seats, candidates, seed=seed)
        result = dataclasses.replace(result, rules={**result.rules, "seed": seed})
    else:
        ballots = [tally.Ballot(tuple(labels[pk] for pk in c["ranking"])) for c in choices]
        # Ties go to the earlier rounds' counts, then to a lot whose seed is kept in the result.
        rules = tally.RcvRules(
            seats=decision.seats,
            tiebreak="previous_round",
            tiebreak_fallback="lot",
            seed=secrets.randbelow(2**31),
        )
        result = tally.count_rcv(tally.aggregate(ballots), candidates, rules)
    data = result.to_dict()
    return {"kind": method, "ballots": len(choices), "outcome": "elected", **data}
