"""Read an RCTab contest configuration (JSON) into candidates and RcvRules.

Only rules this engine implements are accepted; any other setting is refused with a clear
message rather than silently counted differently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .rcv import RcvRules


class ConfigError(ValueError):
    """The configuration cannot be used; str() is one line naming the file."""

    def __init__(self, path: str | Path, message: str) -> None:
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


@dataclass(frozen=True)
class RctabContest:
    name: str
    candidates: tuple[str, ...]
    excluded: tuple[str, ...]
    rules: RcvRules
    write_ins: bool
    sources: tuple[dict[str, Any], ...]
    directory: Path


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == "true"


def _int(path: Path, rules: dict[str, Any], key: str, default: int | None) -> int | None:
    raw = rules.get(key, "")
    if raw in ("", None):
        return default
    text = str(raw).strip().lower()
    if text in ("max", "unlimited"):
        return None
    if not text.isdigit():
        raise ConfigError(path, f"rules.{key} must be a whole number, not {raw!r}")
    return int(text)


def load_rctab_config(path: str | Path) -> RctabContest:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ConfigError(path, f"cannot read file: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(path, f"line {exc.lineno}: not valid JSON: {exc.msg}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("rules"), dict):
        raise ConfigError(path, "not an RCTab contest configuration (no 'rules' object)")
    rules: dict[str, Any] = data["rules"]
    candidates: list[str] = []
    excluded: list[str] = []
    for entry in data.get("candidates", []):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(path, "every candidate needs a name")
        candidates.append(name)
        if _flag(entry.get("excluded", False)):
            excluded.append(name)
    if not candidates:
        raise ConfigError(path, "no candidates")

    seats = _int(path, rules, "numberOfWinners", 1) or 1
    mode = rules.get("winnerElectionMode", "singleWinnerMajority")
    one_per_round = False
    if mode == "singleWinnerMajority":
        if seats != 1:
            raise ConfigError(path, "singleWinnerMajority needs numberOfWinners 1")
    elif mode == "multiWinnerAllowMultipleWinnersPerRound":
        pass
    elif mode == "multiWinnerAllowOnlyOneWinnerPerRound":
        one_per_round = True
    else:
        raise ConfigError(path, f"winnerElectionMode {mode!r} is not supported")

    seed_text = str(rules.get("randomSeed", "") or "").strip()
    seed = int(seed_text) if seed_text.lstrip("-").isdigit() else None
    tiebreak_mode = rules.get("tiebreakMode", "useCandidateOrder")
    fallback = "candidate_order"
    if tiebreak_mode == "useCandidateOrder":
        tiebreak = "candidate_order"
    elif tiebreak_mode in ("random", "generatePermutation"):
        # RCTab's lot uses Java's generator; ours is a seeded shuffle announced in the result.
        tiebreak = "lot"
    elif tiebreak_mode == "previousRoundCountsThenRandom":
        tiebreak, fallback = "previous_round", "lot"
    else:
        raise ConfigError(path, f"tiebreakMode {tiebreak_mode!r} is not supported")
    if (tiebreak == "lot" or fallback == "lot") and seed is None:
        raise ConfigError(path, f"tiebreakMode {tiebreak_mode!r} needs rules.randomSeed")

    overvote_rule = rules.get("overvoteRule", "exhaustImmediately")
    if overvote_rule == "exhaustImmediately":
        overvote = "exhaust"
    elif overvote_rule == "alwaysSkipToNextRank":
        overvote = "skip"
    else:
        raise ConfigError(path, f"overvoteRule {overvote_rule!r} is not supported")

    for key in ("continueUntilTwoCandidatesRemain", "treatBlankAsUndeclaredWriteIn"):
        if _flag(rules.get(key, False)):
            raise ConfigError(path, f"rules.{key} is not supported")
    if str(rules.get("stopTabulationEarlyAfterRound", "") or "").strip():
        raise ConfigError(path, "rules.stopTabulationEarlyAfterRound is not supported")

    try:
        parsed = RcvRules(
            seats=seats,
            tiebreak=tiebreak,  # type: ignore[arg-type]
            tiebreak_fallback=fallback,  # type: ignore[arg-type]
            seed=seed if (tiebreak == "lot" or fallback == "lot") else None,
            overvote=overvote,  # type: ignore[arg-type]
            max_skipped_ranks=_int(path, rules, "maxSkippedRanksAllowed", None),
            max_rankings=_int(path, rules, "maxRankingsAllowed", None),
            batch_elimination=_flag(rules.get("batchElimination", False)),
            exhaust_on_duplicate=_flag(rules.get("exhaustOnDuplicateCandidate", False)),
            decimals=_int(path, rules, "decimalPlacesForVoteArithmetic", 4) or 0,
            minimum_vote_threshold=_int(path, rules, "minimumVoteThreshold", 0) or 0,
            hare_quota=_flag(rules.get("hareQuota", False)),
            non_integer_threshold=_flag(rules.get("nonIntegerWinningThreshold", False)),
            first_round_determines_threshold=_flag(
                rules.get("doesFirstRoundDetermineThreshold", False)
            ),
            one_winner_per_round=one_per_round,
        )
    except ValueError as exc:
        raise ConfigError(path, str(exc)) from exc
    sources = tuple(s for s in data.get("cvrFileSources", []) if isinstance(s, dict))
    write_ins = any(str(s.get("undeclaredWriteInLabel", "") or "").strip() for s in sources)
    name = str(data.get("outputSettings", {}).get("contestName", "") or path.stem)
    return RctabContest(
        name=name,
        candidates=tuple(candidates),
        excluded=tuple(excluded),
        rules=parsed,
        write_ins=write_ins,
        sources=sources,
        directory=path.parent,
    )
