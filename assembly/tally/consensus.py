"""Consensus decisions: agree / reservations / stand aside / block / abstain, with a fallback vote.

A proposal is "blocked" when the blocks reach `blocks_to_stop`, "tabled" when the stand-asides
reach `stand_aside_share` of the participants (everyone who responded other than abstain) or
nobody agrees, and otherwise "adopted". Reservations count as agreement but are reported. When
consensus is not reached and the rules allow a fallback vote at a supermajority, the outcome is
that vote's ("passed" or "failed"), with the consensus outcome kept alongside.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .majority import Decision, Threshold, decide
from .results import format_number

RESPONSES = ("agree", "reservations", "stand_aside", "block", "abstain")


@dataclass(frozen=True)
class ConsensusRules:
    """How a group decides by consensus."""

    blocks_to_stop: int = 1  # this many blocks stop the proposal
    stand_aside_share: Fraction | None = None  # e.g. Fraction(1, 3): that share tables it
    fallback: Threshold | None = None  # a supermajority vote allowed when consensus fails
    fallback_after_block: bool = True  # may a blocked proposal go to the fallback vote?
    quorum: int | None = None  # members who must respond (abstaining counts as responding)

    def __post_init__(self) -> None:
        if self.blocks_to_stop < 1:
            raise ValueError("blocks_to_stop must be at least 1")
        if self.stand_aside_share is not None:
            share = Fraction(self.stand_aside_share)
            if not 0 < share <= 1:
                raise ValueError("stand_aside_share must be in (0, 1]")
            object.__setattr__(self, "stand_aside_share", share)
        if self.quorum is not None and self.quorum < 0:
            raise ValueError("quorum must be >= 0")


DEFAULT_RULES = ConsensusRules()


@dataclass(frozen=True)
class ConsensusResult:
    outcome: str  # "adopted", "blocked", "tabled", "passed", "failed" or "no_quorum"
    consensus_outcome: str  # "adopted", "blocked", "tabled" or "no_quorum"
    counts: Mapping[str, int]
    participants: int
    reasons: tuple[str, ...]
    fallback: Decision | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "consensus_outcome": self.consensus_outcome,
            "counts": {k: format_number(v) for k, v in self.counts.items()},
            "participants": format_number(self.participants),
            "reasons": list(self.reasons),
            "fallback": None if self.fallback is None else self.fallback.to_dict(),
        }


def consensus(
    responses: Mapping[str, int] | Iterable[str],
    rules: ConsensusRules = DEFAULT_RULES,
    *,
    fallback_votes: tuple[int, int, int] | None = None,
) -> ConsensusResult:
    """Decide a consensus proposal from response counts (or a list of single responses).

    `fallback_votes` is (yes, no, abstain) of the fallback vote, if one was held.
    """
    counts = Counter(dict(responses)) if isinstance(responses, Mapping) else Counter(responses)
    for key, value in counts.items():
        if key not in RESPONSES:
            raise ValueError(f"unknown response {key!r}; expected one of {', '.join(RESPONSES)}")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"count for {key!r} must be a whole number >= 0")
    full = {k: counts.get(k, 0) for k in RESPONSES}
    participants = sum(full.values()) - full["abstain"]
    reasons: list[str] = []
    if full["reservations"]:
        reasons.append("reservations_recorded")

    if rules.quorum is not None and sum(full.values()) < rules.quorum:
        if fallback_votes is not None:
            raise ValueError("no fallback vote without a quorum")
        return ConsensusResult("no_quorum", "no_quorum", full, participants, ("quorum_not_met",))

    blocks = full["block"]
    share = rules.stand_aside_share
    if blocks >= rules.blocks_to_stop:
        result = "blocked"
        reasons.append("blocked")
    else:
        if blocks:  # fewer blocks than the limit are recorded, not decisive
            reasons.append("blocks_below_limit")
        if full["agree"] + full["reservations"] == 0:
            result = "tabled"
            reasons.append("no_agreement")
        elif share is not None and (
            full["stand_aside"] * share.denominator >= share.numerator * participants
        ):
            result = "tabled"
            reasons.append("stand_aside_share_reached")
        else:
            result = "adopted"
            reasons.append("consensus")

    fallback: Decision | None = None
    outcome = result
    if fallback_votes is not None:
        may_fall_back = result == "tabled" or (result == "blocked" and rules.fallback_after_block)
        if rules.fallback is None:
            raise ValueError("these rules allow no fallback vote")
        if not may_fall_back:
            raise ValueError(f"no fallback vote is allowed after a proposal is {result}")
        yes, no, abstain = fallback_votes
        fallback = decide(yes, no, abstain, threshold=rules.fallback)
        outcome = fallback.outcome
        reasons.append("fallback_vote")
    return ConsensusResult(outcome, result, full, participants, tuple(reasons), fallback)
