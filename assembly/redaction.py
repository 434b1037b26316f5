"""Finding people's names in free text however they were typed, to keep them out of the record.

Names are compared on a folded copy of the text (compatibility forms, case and accents folded,
any whitespace, line break, dash or underscore read as a space, invisible characters read as a
possible break), and each match is mapped back onto the original text, so what surrounds it is
kept exactly as it was written. No Django here: the roll and the rule of which names to withhold
are in `assembly.minutes`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Where an invisible character stood (zero-width space or joiner, soft hyphen, byte-order mark):
# it may split two words or sit inside one, so a name matches across it either way.
SOFT = "\ue000"
APOSTROPHES = frozenset("'\u2019\u2018\u02bc\u00b4\u0060\u2032")
# Short words that join the parts of a name: never withheld on their own, nor at a run's edge.
# fmt: off
PARTICLES = frozenset({
    "a", "al", "bin", "d", "da", "das", "de", "dei", "del", "della", "der", "des", "di", "do",
    "dos", "du", "e", "el", "i", "ibn", "l", "la", "las", "le", "lo", "los", "o", "van", "von",
    "y", "zu"
})
# fmt: on
_SEPARATORS = re.compile(f"[ {SOFT}]+")


def _fold_char(ch: str) -> str:
    category = unicodedata.category(ch)
    if ch.isspace() or category in ("Zs", "Zl", "Zp", "Pd", "Pc"):
        return " "
    if category == "Cf":
        return SOFT
    if ch in APOSTROPHES:
        return "'"
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", ch).casefold())
    return "".join(c for c in folded if unicodedata.category(c) != "Mn")


def fold(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each of its characters the index of the original one."""
    out: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        for folded in _fold_char(ch):
            out.append(folded)
            origin.append(index)
    return "".join(out), origin


def parts(name: str) -> tuple[str, ...]:
    """A name's folded parts: "Ana María García-López" is ("ana", "maria", "garcia", "lopez")."""
    return tuple(part for part in _SEPARATORS.split(fold(name)[0]) if part)


def runs(name_parts: tuple[str, ...]) -> set[tuple[str, ...]]:
    """Every unbroken run of a name's parts, the whole name included."""
    n = len(name_parts)
    return {name_parts[i:j] for i in range(n) for j in range(i + 1, n + 1)}


def _distinctive(part: str) -> bool:
    return sum(c.isalnum() for c in part) >= 2 and part not in PARTICLES


def withheld_runs(withheld: Iterable[str], others: Iterable[str]) -> set[tuple[str, ...]]:
    """The runs of parts to blank out.

    The rule, erring toward withholding: a withheld person's full name always; and any run of
    its parts (a part alone, "Ana María", "García López") unless that same run is part of the
    name of someone on the roll who did not ask, since blanking it would hide them instead (a
    shared first name stays). A run must hold a part of two letters or more that is not a
    particle, and cannot start or end with a particle: "de la" alone is not anybody.
    """
    theirs: set[tuple[str, ...]] = set()
    for name in others:
        theirs |= runs(parts(name))
    found: set[tuple[str, ...]] = set()
    for name in withheld:
        whole = parts(name)
        if not whole:
            continue
        found.add(whole)
        for run in runs(whole):
            if run in theirs or run[0] in PARTICLES or run[-1] in PARTICLES:
                continue
            if any(_distinctive(part) for part in run):
                found.add(run)
    return found


def _run_pattern(run: tuple[str, ...]) -> str:
    # Letters may have an invisible character between them; parts any run of separators.
    return f"[ {SOFT}]+".join(f"{SOFT}?".join(re.escape(c) for c in part) for part in run)


class Redactor:
    """Replaces each of the given runs of name parts in a text by `mark`."""

    def __init__(self, found: Iterable[tuple[str, ...]], mark: str) -> None:
        ordered = sorted(found, key=lambda run: (len(run), sum(map(len, run))), reverse=True)
        self.mark = mark
        self.pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(map(_run_pattern, ordered)) + r")(?!\w)")
            if ordered
            else None
        )

    def __bool__(self) -> bool:
        return self.pattern is not None

    def __call__(self, text: str) -> str:
        if not text or self.pattern is None:
            return text
        folded, origin = fold(text)
        pieces: list[str] = []
        kept = 0
        for match in self.pattern.finditer(folded):
            start = origin[match.start()]
            end = origin[match.end() - 1] + 1
            # Accents typed as separate combining marks were dropped when folding: take them too.
            while end < len(text) and unicodedata.category(text[end]) == "Mn":
                end += 1
            if start < kept:
                continue
            pieces += [text[kept:start], self.mark]
            kept = end
        if not pieces:
            return text
        return "".join(pieces) + text[kept:]
