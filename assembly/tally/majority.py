"""Yes / no / abstain decisions: exact-fraction thresholds over a stated base, with quorum.

Definitions (integer arithmetic only):

* Votes cast are yes + no. Abstentions are not votes cast.
* "Majority" means more than half: ``yes * 2 > base``.
* A supermajority such as 2/3, 3/4, 4/5 or 9/10 means at least that share:
  ``yes * 4 >= 3 * base`` for 3/4 (46 yes, 3 no passes at 3/4 of votes cast: 46*4 >= 3*49).
  A custom Threshold says whether it is strict (`>`) or not (`>=`).
* The base is the votes cast, the members present, or all members.
* A tie (yes == no) always fails, whatever the threshold.
* Quorum: a whole number of members present, or a Fraction of all members (present * den >=
  num * members). Without quorum the outcome is "no_quorum" and the votes are not judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from .results import format_number

# The three answers to a motion, as ballots and results spell them.
VOTES = ("yes", "no", "abstain")

Base = Literal["cast", "present", "members"]


@dataclass(frozen=True)
class Threshold:
    """A share of the base that yes votes must reach (`strict`: must exceed)."""

    fraction: Fraction
    strict: bool = False
    name: str = "custom"

    def __post_init__(self) -> None:
        fraction = Fraction(self.fraction)
        if not 0 < fraction <= 1:
            raise ValueError("a threshold is a fraction greater than 0 and at most 1")
        object.__setattr__(self, "fraction", fraction)

    def met(self, yes: int, base: int) -> bool:
        num, den = self.fraction.numerator, self.fraction.denominator
        return yes * den > num * base if self.strict else yes * den >= num * base

    def required(self, base: int) -> int:
        """The fewest yes votes that meet the threshold over `base`."""
        num, den = self.fraction.numerator, self.fraction.denominator
        if self.strict:
            return num * base // den + 1
        return -(-num * base // den)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "fraction": format_number(self.fraction), "strict": self.strict}


MAJORITY = Threshold(Fraction(1, 2), strict=True, name="majority")
TWO_THIRDS = Threshold(Fraction(2, 3), name="two_thirds")
THREE_QUARTERS = Threshold(Fraction(3, 4), name="three_quarters")
FOUR_FIFTHS = Threshold(Fraction(4, 5), name="four_fifths")
NINE_TENTHS = Threshold(Fraction(9, 10), name="nine_tenths")
UNANIMITY = Threshold(Fraction(1, 1), name="unanimity")
THRESHOLDS = {
    t.name: t for t in (MAJORITY, TWO_THIRDS, THREE_QUARTERS, FOUR_FIFTHS, NINE_TENTHS, UNANIMITY)
}


def parse_threshold(text: str) -> Threshold:
    """'majority', 'two_thirds', ... or a fraction such as '3/5' (met with >=)."""
    key = text.strip().lower().replace("-", "_")
    if key in THRESHOLDS:
        return THRESHOLDS[key]
    try:
        return Threshold(Fraction(key))
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"unknown threshold {text!r}") from exc


@dataclass(frozen=True)
class Decision:
    """The outcome of a yes/no/abstain vote, with everything needed to explain it."""

    outcome: str  # "passed", "failed" or "no_quorum"
    yes: int
    no: int
    abstain: int
    cast: int
    base_kind: Base
    base: int
    threshold: Threshold
    required: int  # fewest yes votes that would have passed (ignoring the tie rule)
    present: int | None
    members: int | None
    quorum_required: int | None
    reasons: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "yes": format_number(self.yes),
            "no": format_number(self.no),
            "abstain": format_number(self.abstain),
            "cast": format_number(self.cast),
            "base_kind": self.base_kind,
            "base": format_number(self.base),
            "threshold": self.threshold.to_dict(),
            "required": format_number(self.required),
            "present": None if self.present is None else format_number(self.present),
            "members": None if self.members is None else format_number(self.members),
            "quorum_required": (
                None if self.quorum_required is None else format_number(self.quorum_required)
            ),
            "reasons": list(self.reasons),
        }


def _whole(name: str, value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a whole number >= 0, not {value!r}")


def decide(
    yes: int,
    no: int,
    abstain: int = 0,
    *,
    threshold: Threshold = MAJORITY,
    base: Base = "cast",
    present: int | None = None,
    members: int | None = None,
    quorum: int | Fraction | None = None,
) -> Decision:
    """Decide a motion. `present` defaults to yes + no + abstain when not given."""
    for name, value in (
        ("yes", yes),
        ("no", no),
        ("abstain", abstain),
        ("present", present),
        ("members", members),
    ):
        _whole(name, value)
    cast = yes + no
    if present is None:
        present = yes + no + abstain
    elif present < yes + no + abstain:
        raise ValueError("fewer members present than votes and abstentions recorded")
    if members is not None and members < present:
        raise ValueError("more members present than members")

    quorum_required: int | None = None
    if quorum is not None:
        if isinstance(quorum, Fraction):
            if members is None:
                raise ValueError("a quorum given as a fraction needs the number of members")
            quorum_required = -(-quorum.numerator * members // quorum.denominator)
        else:
            _whole("quorum", quorum)
            quorum_required = quorum

    if base == "cast":
        base_value = cast
    elif base == "present":
        base_value = present
    elif base == "members":
        if members is None:
            raise ValueError("a base of all members needs the number of members")
        base_value = members
    else:
        raise ValueError(f"unknown base {base!r}")
    required = threshold.required(base_value)

    reasons: list[str] = []
    if quorum_required is not None and present < quorum_required:
        outcome = "no_quorum"
        reasons.append("quorum_not_met")
    elif cast == 0:
        outcome = "failed"
        reasons.append("no_votes_cast")
    elif yes == no:
        outcome = "failed"
        reasons.append("tie")
    elif threshold.met(yes, base_value):
        outcome = "passed"
        reasons.append("threshold_met")
    else:
        outcome = "failed"
        reasons.append("threshold_not_met")
    return Decision(
        outcome=outcome,
        yes=yes,
        no=no,
        abstain=abstain,
        cast=cast,
        base_kind=base,
        base=base_value,
        threshold=threshold,
        required=required,
        present=present,
        members=members,
        quorum_required=quorum_required,
        reasons=tuple(reasons),
    )
