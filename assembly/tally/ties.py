"""Ties a rule cannot split on the counts: stop and ask, then resume with the choice made.

A count whose tie rule is "ask" raises TieBreakNeeded at the first tie it meets, naming the
tied candidates, what the tie decides and the round. The caller decides (a person chooses, or a
lot is drawn in the room with `draw_lot` and a seed everyone can see) and counts again with
the choices made so far, in order: counts are pure, so the same ballots and choices replay to
the same point and go on to the next tie or to the end.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from .results import TieBreak


class TieBreakNeeded(Exception):
    """The count stopped at a tie its rule leaves to a person (or a lot drawn in the room)."""

    def __init__(
        self, candidates: Sequence[str], purpose: str, round_number: int, position: int
    ) -> None:
        self.candidates = tuple(candidates)
        self.purpose = purpose  # "eliminate", "elect" or "transfer_first"
        self.round = round_number
        self.position = position  # how many tie choices the count had already used
        super().__init__(
            f"round {round_number}: {', '.join(self.candidates)} are tied "
            f"(to {PURPOSE_WORDS.get(purpose, purpose)}); the tie must be decided"
        )


PURPOSE_WORDS = {
    "eliminate": "choose who is eliminated",
    "elect": "choose who is elected",
    "transfer_first": "choose whose surplus is transferred first",
    "transfer": "choose whose surplus is transferred first",
}


@dataclass(frozen=True)
class TieChoice:
    """How one tie was decided: the candidate picked and by what (a person, or a seeded lot)."""

    selected: str
    rule: str = "chosen"  # "chosen" (named by a person) or "lot" (drawn with `seed`)
    seed: int | None = None


def draw_lot(candidates: Sequence[str], seed: int) -> TieChoice:
    """Draw one of the tied candidates by a seeded lot: the same seed always draws the same.

    The candidates are sorted by name first, so the draw depends only on who is tied and the
    seed, never on the order they were listed in.
    """
    if not candidates:
        raise ValueError("a lot needs at least one candidate")
    chosen = random.Random(seed).choice(sorted(candidates))
    return TieChoice(chosen, "lot", seed)


class TieChooser:
    """Hands out the choices already made, in order; raises TieBreakNeeded when they run out."""

    def __init__(self, choices: Sequence[TieChoice | str] = ()) -> None:
        self.choices = [c if isinstance(c, TieChoice) else TieChoice(c) for c in choices]
        self.used = 0

    def take(self, tied: Sequence[str], purpose: str, round_number: int) -> TieBreak:
        if self.used >= len(self.choices):
            raise TieBreakNeeded(tied, purpose, round_number, self.used)
        choice = self.choices[self.used]
        if choice.selected not in tied:
            raise ValueError(
                f"tie choice {choice.selected!r} is not one of the tied candidates "
                f"({', '.join(tied)}) in round {round_number}"
            )
        self.used += 1
        return TieBreak(tuple(tied), choice.selected, purpose, choice.rule, seed=choice.seed)

    def check_all_used(self) -> None:
        if self.used < len(self.choices):
            extra = ", ".join(c.selected for c in self.choices[self.used :])
            raise ValueError(f"more tie choices than ties: {extra} not used")
