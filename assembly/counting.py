"""From a decision's ballots to the tally engine and back: the result kept with the decision.

The arithmetic lives in `assembly.tally`; this module only translates. Each snapshot holds
`kind`, `outcome` and the engine's own numbers, so the room and the minutes can say why.

How an election breaks a tie is the organization's rule (`TieRule`). Under "by lot, drawn in
the room" the count stops at a tie and says so (`kind: "tie"`); the lots drawn so far come back
in `lots` and the same ballots are counted again with them, to the next tie or to the end.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, cast

from assembly import tally
from assembly.models import Decision, TieRule
from assembly.tally.majority import Base

MOTION_VOTES = tuple(Decision.Vote.values)  # the older name, kept for importers


def count(
    decision: Decision,
    choices: Iterable[Mapping[str, Any]],
    *,
    present: int,
    members: int,
    ties: str = TieRule.USUAL,
    lots: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The result of a round. `ties` is the organization's TieRule; `lots` the lots already
    drawn in the room for this count, in order (each with its `selected` and `seed`)."""
    choices = list(choices)
    drawn = [tally.TieChoice(lot["selected"], "lot", lot["seed"]) for lot in lots]
    try:
        return _count(decision, choices, present, members, ties, drawn)
    except tally.TieBreakNeeded as tie:
        return {
            "kind": "tie",
            "outcome": "tie",
            "ballots": len(choices),
            "tie": {"candidates": list(tie.candidates), "purpose": tie.purpose, "round": tie.round},
        }


def _count(
    decision: Decision,
    choices: list[Mapping[str, Any]],
    present: int,
    members: int,
    ties: str,
    drawn: list[tally.TieChoice],
) -> dict[str, Any]:
    in_room = ties == TieRule.ROOM_LOT
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
        # The engine asks no one on an approval tie: "by lot" is its own seeded lot here.
        seed = None if ties == TieRule.CANDIDATE_ORDER else secrets.randbelow(2**31)
        result = tally.approval(ballots, candidates, seats=decision.seats, seed=seed)
    elif decision.count_rule in (Decision.CountRule.MEEK, Decision.CountRule.WIGM):
        ballots = [tally.Ballot(tuple(labels[pk] for pk in c["ranking"])) for c in choices]
        # Meek and WIGM break ties by a lot whose seed is kept in the result (usual), by the
        # order on the ballot, or ask the room (each lot drawn there is kept in its round).
        seed = secrets.randbelow(2**31) if ties == TieRule.USUAL else None
        grouped = tally.aggregate(ballots)
        if decision.count_rule == Decision.CountRule.MEEK:
            result = tally.meek_stv(
                grouped,
                decision.seats,
                candidates,
                rule="prf",
                seed=seed,
                ask_ties=in_room,
                choices=drawn,
            )
        else:
            result = tally.wigm_stv(
                grouped, decision.seats, candidates, seed=seed, ask_ties=in_room, choices=drawn
            )
        if seed is not None:
            result = dataclasses.replace(result, rules={**result.rules, "seed": seed})
    else:
        ballots = [tally.Ballot(tuple(labels[pk] for pk in c["ranking"])) for c in choices]
        if in_room:  # every tie is drawn by lot in the room
            rules = tally.RcvRules(seats=decision.seats, tiebreak="ask")
        elif ties == TieRule.CANDIDATE_ORDER:
            rules = tally.RcvRules(
                seats=decision.seats, tiebreak="previous_round", tiebreak_fallback="candidate_order"
            )
        else:
            # Ties go to the earlier rounds' counts, then to a lot whose seed is kept.
            rules = tally.RcvRules(
                seats=decision.seats,
                tiebreak="previous_round",
                tiebreak_fallback="lot",
                seed=secrets.randbelow(2**31),
            )
        result = tally.count_rcv(tally.aggregate(ballots), candidates, rules, choices=drawn)
    data = result.to_dict()
    return {"kind": method, "ballots": len(choices), "outcome": "elected", **data}
