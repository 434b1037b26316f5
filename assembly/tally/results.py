"""Result types shared by every counting method: frozen dataclasses with a JSON-safe to_dict().

Numbers stay exact (int, Decimal, Fraction) in the objects; to_dict() renders them as strings so
that no JSON reader ever turns a vote count into a float.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

Number = int | Decimal | Fraction

# Result reasons that mean the count did not do what was asked; a caller must say so plainly
# (the command line exits 2 and names them).
NO_VALID_BALLOTS = "no_valid_ballots"  # every ballot was blank or exhausted: nobody can win
SEATS_UNFILLED = "seats_unfilled"  # fewer candidates could be elected than there are seats
# A seat that only an option with no support at all (no approval, no first preference) could
# have taken stays empty rather than go to it by lot or by ballot order; SEATS_UNFILLED follows.
NO_SUPPORT = "no_support"
PROBLEMS = (NO_VALID_BALLOTS, SEATS_UNFILLED)


def format_number(value: Number) -> str:
    """Render a vote number as a plain string: "14", "177.5192", "2/3" (never an exponent)."""
    if isinstance(value, bool):  # bool is an int; refuse to print True as a count
        raise TypeError("a vote number cannot be a bool")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else str(value)
    if value == value.to_integral_value():
        return str(int(value))
    text = format(value.normalize(), "f")
    return text


def _jsonable(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | Decimal | Fraction):
        return format_number(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        items = sorted(value) if isinstance(value, frozenset | set) else value
        return [_jsonable(v) for v in items]
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"cannot serialise {type(value).__name__}")


@dataclass(frozen=True)
class TieBreak:
    """How a tie was resolved: who was tied, who was picked, and by which rule (a code)."""

    candidates: tuple[str, ...]
    selected: str
    purpose: str  # "eliminate", "elect" or "transfer_first"
    rule: str  # "candidate_order", "previous_round", "prior_stage", "lot", "chosen"
    decided_at_round: int | None = None  # the earlier round whose counts decided it, if any
    seed: int | None = None  # a lot drawn for this tie alone (ties.draw_lot): its seed

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "candidates": list(self.candidates),
            "selected": self.selected,
            "purpose": self.purpose,
            "rule": self.rule,
            "decided_at_round": self.decided_at_round,
        }
        if self.seed is not None:
            data["seed"] = self.seed
        return data


@dataclass(frozen=True)
class Round:
    """One round (or stage) of a count.

    `tally` is the votes each candidate holds at the start of the round, in descending order;
    `elected`/`eliminated` are the decisions taken on that tally; `transfers` is where the votes
    of those candidates went (the next round shows the result), keyed by source candidate and
    then destination, with "exhausted" for votes that found no continuing preference.
    `exhausted` is the value of all inactive ballots at this tally, `exhausted_by` splits it by
    reason ("overvote", "skipped", "repeated", "exhausted"), and `residual_surplus` is the
    cumulative value lost to the stated truncation.
    """

    number: int
    tally: Mapping[str, Decimal]
    threshold: Decimal | None
    elected: tuple[str, ...] = ()
    eliminated: tuple[str, ...] = ()
    transfers: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)
    exhausted: Decimal = Decimal(0)
    exhausted_by: Mapping[str, Decimal] = field(default_factory=dict)
    residual_surplus: Decimal = Decimal(0)
    surplus_transferred: str | None = None
    tiebreaks: tuple[TieBreak, ...] = ()
    reasons: tuple[str, ...] = ()  # codes such as "batch_elimination", "remaining_elected"
    # Meek STV only: how the round's iteration went. `keep_factors` is each elected
    # candidate's keep value after the round's last iteration, `iterations` how many vote
    # distributions the round took, `surplus` the total surplus left, `stop` why it stopped
    # ("elected", "omega", "stable" or "batch").
    keep_factors: Mapping[str, Decimal] = field(default_factory=dict)
    iterations: int = 0
    surplus: Decimal | None = None
    stop: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {
            "round": self.number,
            "tally": _jsonable(self.tally),
            "threshold": None if self.threshold is None else format_number(self.threshold),
            "elected": list(self.elected),
            "eliminated": list(self.eliminated),
            "surplus_transferred": self.surplus_transferred,
            "transfers": _jsonable(self.transfers),
            "exhausted": format_number(self.exhausted),
            "exhausted_by": _jsonable(self.exhausted_by),
            "residual_surplus": format_number(self.residual_surplus),
            "tiebreaks": [t.to_dict() for t in self.tiebreaks],
            "reasons": list(self.reasons),
        }
        if self.iterations:
            data["iterations"] = self.iterations
            data["keep_factors"] = _jsonable(self.keep_factors)
            data["surplus"] = None if self.surplus is None else format_number(self.surplus)
            data["stop"] = self.stop
        return data


@dataclass(frozen=True)
class Result:
    """The result of a candidate election (ranked or not).

    `winners` are in order of election; `ranking` is the full order as tiers (candidates in one
    tier are tied) where the method defines one; `rounds` is the count's history.
    """

    method: str
    candidates: tuple[str, ...]
    winners: tuple[str, ...]
    rounds: tuple[Round, ...] = ()
    seats: int = 1
    ranking: tuple[tuple[str, ...], ...] = ()
    total_ballots: int = 0
    blank_ballots: int = 0  # ballots with no usable mark at all (RCTab's "undervotes")
    quota: Decimal | None = None
    rules: Mapping[str, Any] = field(default_factory=dict)
    tied: tuple[str, ...] = ()  # candidates tied for the last seat when no rule could split them
    pairwise: Mapping[str, Mapping[str, int]] | None = None  # Schulze: d[a][b]
    strongest_paths: Mapping[str, Mapping[str, int]] | None = None  # Schulze: p[a][b]
    scores: Mapping[str, Number] | None = None  # plurality/approval/score/borda totals
    reasons: tuple[str, ...] = ()

    @property
    def winner(self) -> str | None:
        return self.winners[0] if self.winners else None

    @property
    def unfilled_seats(self) -> int:
        """Seats left empty: by a tie no rule split, no valid ballots, or too few candidates."""
        return max(self.seats - len(self.winners), 0)

    @property
    def problems(self) -> tuple[str, ...]:
        """The reasons (of PROBLEMS) why this count did not fill what it was asked to."""
        return tuple(r for r in self.reasons if r in PROBLEMS)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "method": self.method,
            "candidates": list(self.candidates),
            "seats": self.seats,
            "winners": list(self.winners),
            "ranking": [list(tier) for tier in self.ranking],
            "tied": list(self.tied),
            "total_ballots": format_number(self.total_ballots),
            "blank_ballots": format_number(self.blank_ballots),
            "quota": None if self.quota is None else format_number(self.quota),
            "rules": _jsonable(self.rules),
            "reasons": list(self.reasons),
            "unfilled_seats": self.unfilled_seats,
            "rounds": [r.to_dict() for r in self.rounds],
        }
        if self.scores is not None:
            data["scores"] = _jsonable(self.scores)
        if self.pairwise is not None:
            data["pairwise"] = _jsonable(self.pairwise)
        if self.strongest_paths is not None:
            data["strongest_paths"] = _jsonable(self.strongest_paths)
        return data

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def explain_outcome(result: Result, valid_votes: Number) -> Result:
    """Add the problem reasons a count's numbers imply, so no strange count passes silently.

    No valid votes at all gives NO_VALID_BALLOTS (and no winner); seats left empty without an
    undecided tie give SEATS_UNFILLED.
    """
    reasons = list(result.reasons)
    if not valid_votes and NO_VALID_BALLOTS not in reasons:
        reasons.append(NO_VALID_BALLOTS)
    elif (
        valid_votes and result.unfilled_seats and not result.tied and SEATS_UNFILLED not in reasons
    ):
        reasons.append(SEATS_UNFILLED)
    if tuple(reasons) == result.reasons:
        return result
    return replace(result, reasons=tuple(reasons))
