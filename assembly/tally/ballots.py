"""Ballots and the ballot files the counter reads (aggregated CSV, BLT, candidate-column CSV).

Every parsing error is a BallotFileError naming the file and the 1-based line, so a person can
open the file and fix it.
"""

from __future__ import annotations

import csv
import io
import re
import shlex
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Reserved marks. A rank holds a candidate name, SKIPPED (nothing marked), OVERVOTE (two or more
# marks at one rank) or WRITE_IN (an undeclared write-in, which RCTab counts as one candidate).
SKIPPED: None = None
OVERVOTE = "overvote"
WRITE_IN = "Undeclared Write-ins"
RESERVED_NAMES = frozenset({OVERVOTE, "undervote", "UWI", "exhausted"})

_WHOLE = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Ballot:
    """One ballot (or `count` identical ballots): the mark at each rank, most preferred first."""

    ranking: tuple[str | None, ...]
    count: int = 1

    def __post_init__(self) -> None:
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 0:
            raise ValueError(f"ballot count must be a whole number >= 0, not {self.count!r}")
        if not isinstance(self.ranking, tuple):
            object.__setattr__(self, "ranking", tuple(self.ranking))

    @classmethod
    def of(cls, *ranking: str | None, count: int = 1) -> Ballot:
        return cls(tuple(ranking), count)

    def candidates(self) -> list[str]:
        """The named candidates in rank order, without skips, overvotes or repeats."""
        seen: list[str] = []
        for mark in self.ranking:
            if mark is not None and mark != OVERVOTE and mark not in seen:
                seen.append(mark)
        return seen


@dataclass(frozen=True)
class Election:
    """What a ballot file holds: the candidates in declared order and the ballots."""

    candidates: tuple[str, ...]
    ballots: tuple[Ballot, ...]
    seats: int | None = None
    title: str | None = None
    withdrawn: tuple[str, ...] = ()
    has_write_ins: bool = False
    source: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def total(self) -> int:
        return sum(b.count for b in self.ballots)


class BallotFileError(ValueError):
    """A ballot file could not be read; str() is one line: 'file:line: problem'.

    `line` is None when the problem is the file as a whole (missing, unreadable): then the
    message names only the file.
    """

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"{where}: {message}")


def aggregate(ballots: Iterable[Ballot]) -> list[Ballot]:
    """Merge identical rankings into one weighted ballot, keeping first-seen order."""
    counts: Counter[tuple[str | None, ...]] = Counter()
    for ballot in ballots:
        counts[ballot.ranking] += ballot.count
    return [Ballot(ranking, n) for ranking, n in counts.items()]


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise BallotFileError(path, None, f"cannot read file: {reason}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BallotFileError(path, line, "file is not UTF-8 text") from exc


def _check_count(path: Path, line: int, text: str) -> int:
    cleaned = text.strip()
    if not _WHOLE.fullmatch(cleaned):
        raise BallotFileError(path, line, f"count {text!r} is not a whole number")
    return int(cleaned)


def _utf8_lines(path: Path) -> Iterator[str]:
    """The file's text a line at a time, never the whole file in memory.

    A file that is not UTF-8 is reported at the line of its first bad byte.
    """
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise BallotFileError(path, None, f"cannot read file: {exc.strerror or exc}") from exc
    with handle:
        try:
            yield from handle
        except UnicodeDecodeError:
            pass
        else:
            return
    with path.open("rb") as raw:  # find the line of the first bad byte
        for number, data in enumerate(raw, start=1):
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise BallotFileError(path, number, "file is not UTF-8 text") from exc
    raise BallotFileError(path, None, "file is not UTF-8 text")


def _csv_records(path: Path) -> Iterator[tuple[int, str, list[str] | None]]:
    """(line number, line, None) for plain lines; (line number, text, fields) for quoted ones.

    A line without a quote character splits on its commas exactly as csv would, so it is
    handed on unparsed (the caller can key on its text); a record with quotes, which may span
    lines, is parsed by csv.
    """
    lines = _utf8_lines(path)
    number = 0
    for line in lines:
        number += 1
        if '"' not in line:
            yield number, line.rstrip("\r\n"), None
            continue
        start = number
        text = line
        while text.count('"') % 2:  # a quoted field goes on to the next line
            more = next(lines, None)
            if more is None:
                break
            number += 1
            text += more
        try:
            fields = next(csv.reader([text]), [])
        except csv.Error as exc:
            raise BallotFileError(path, start, f"malformed CSV: {exc}") from exc
        yield start, text, fields


def read_aggregated_csv(path: str | Path, candidates: Sequence[str] | None = None) -> Election:
    """Read `count,choice1,...,choiceN` rows.

    Cells: a candidate name, `undervote` or an empty cell (skipped rank), `overvote`, or `UWI`
    (an undeclared write-in). With `candidates` given, any other name is an error; without,
    candidates are taken in order of first appearance.

    The file is read as a stream and identical rankings are merged as they are read (in
    order of first appearance), so a million one-ballot rows cost the memory of their distinct
    rankings; each distinct row is checked once, at the first line it appears on.
    """
    path = Path(path)
    known_set = set(candidates) if candidates is not None else None
    seen: list[str] = []
    seen_set: set[str] = set()
    write_ins = False
    parsed: dict[str, tuple[str | None, ...]] = {}  # a row's text after the count -> ranking
    counts: dict[tuple[str | None, ...], int] = {}
    width = 0  # fields in the header; 0 until it is read
    line = 0

    def rank(cells: Sequence[str]) -> tuple[str | None, ...]:
        nonlocal write_ins
        marks: list[str | None] = []
        for cell in cells:
            mark = cell.strip()
            if mark in ("", "undervote"):
                marks.append(SKIPPED)
            elif mark == OVERVOTE:
                marks.append(OVERVOTE)
            elif mark == "UWI":
                write_ins = True
                marks.append(WRITE_IN)
            else:
                if known_set is not None and mark not in known_set:
                    raise BallotFileError(path, line, f"unknown candidate {mark!r}")
                if mark not in seen_set:
                    seen_set.add(mark)
                    seen.append(mark)
                marks.append(mark)
        return tuple(marks)

    for line, text, fields in _csv_records(path):
        if fields is None:
            first, _, rest = text.partition(",")
            if first == "1" and width:
                ranking = parsed.get(rest)
                if ranking is not None:  # the common case: a row seen before
                    counts[ranking] += 1
                    continue
            if not text.strip(" \t,"):
                continue  # blank lines carry no ballots
            fields = text.split(",")
        elif all(not cell.strip() for cell in fields):
            continue
        else:
            first, _, rest = text.rstrip("\r\n").partition(",")
        if not width:
            if fields[0].strip().lower() != "count" or len(fields) < 2:
                raise BallotFileError(
                    path, line, "expected a header row 'count,choice1,...,choiceN'"
                )
            width = len(fields)
            continue
        if len(fields) > width:
            # Short rows are fine (trailing ranks left blank); long ones are not.
            raise BallotFileError(
                path, line, f"expected at most {width} fields, found {len(fields)}"
            )
        count = _check_count(path, line, fields[0])
        ranking = parsed.get(rest)
        if ranking is None:
            ranking = rank(fields[1:])
            parsed[rest] = ranking
        counts[ranking] = counts.get(ranking, 0) + count
    if not width:
        raise BallotFileError(path, 1, "file is empty")
    if not counts:
        raise BallotFileError(path, max(line, 1), "no ballots after the header")
    names = tuple(candidates) if candidates is not None else tuple(seen)
    ballots = tuple(Ballot(ranking, n) for ranking, n in counts.items())
    return Election(names, ballots, has_write_ins=write_ins, source=str(path))


def read_candidate_columns_csv(
    path: str | Path,
    candidates: Sequence[str] | None = None,
    first_vote_column: int = 2,
    first_vote_row: int = 2,
    write_in_label: str | None = None,
) -> Election:
    """Read a cast-vote-record CSV with one column per candidate holding the rank given.

    This is RCTab's "genericCsv" layout: columns from `first_vote_column` (1-based) are
    candidates, named in the header row just above `first_vote_row`; a cell holds the rank the
    voter gave that candidate. Two candidates at one rank make an overvote at that rank.
    """
    path = Path(path)
    text = _read_text(path)
    if not text.strip():
        raise BallotFileError(path, 1, "file is empty")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header_index = first_vote_row - 2
    if header_index < 0 or header_index >= len(rows):
        raise BallotFileError(path, 1, "no header row above the first vote row")
    header = rows[header_index]
    columns = header[first_vote_column - 1 :]
    if not columns:
        raise BallotFileError(path, header_index + 1, "no candidate columns in the header")
    names: list[str] = []
    write_ins = False
    for name in columns:
        name = name.strip()
        if write_in_label and name == write_in_label:
            names.append(WRITE_IN)
            write_ins = True
        elif candidates is not None and name not in candidates:
            raise BallotFileError(path, header_index + 1, f"unknown candidate {name!r}")
        else:
            names.append(name)
    ballots: list[Ballot] = []
    for offset, row in enumerate(rows[header_index + 1 :]):
        line = header_index + 2 + offset
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise BallotFileError(path, line, f"expected {len(header)} fields, found {len(row)}")
        by_rank: dict[int, list[str]] = {}
        for name, cell in zip(names, row[first_vote_column - 1 :], strict=True):
            cell = cell.strip()
            if not cell:
                continue
            if not _WHOLE.fullmatch(cell) or int(cell) < 1:
                raise BallotFileError(path, line, f"rank {cell!r} is not a whole number >= 1")
            by_rank.setdefault(int(cell), []).append(name)
        top = max(by_rank, default=0)
        ranking: list[str | None] = []
        for rank in range(1, top + 1):
            marks = by_rank.get(rank, [])
            ranking.append(SKIPPED if not marks else marks[0] if len(marks) == 1 else OVERVOTE)
        ballots.append(Ballot(tuple(ranking), 1))
    if not ballots:
        raise BallotFileError(path, len(rows), "no ballots after the header")
    declared = (
        tuple(candidates) if candidates is not None else tuple(n for n in names if n != WRITE_IN)
    )
    return Election(declared, tuple(aggregate(ballots)), has_write_ins=write_ins, source=str(path))


def _blt_lines(text: str) -> list[tuple[int, str]]:
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith('"') else raw.strip()
        if line:
            out.append((number, line))
    return out


def read_blt(path: str | Path) -> Election:
    """Read an ERS/OpenSTV BLT file.

    Line 1 `ncandidates nseats`; optional withdrawn line of negative numbers; one ballot group a
    line `weight c1 c2 ... 0` (1-based candidate numbers, `-` a skipped rank, `a=b` an overvote);
    a line `0`; then one quoted name per candidate and a quoted title.
    """
    path = Path(path)
    text = _read_text(path)
    lines = _blt_lines(text)
    if not lines:
        raise BallotFileError(path, 1, "file is empty")
    first_no, first = lines[0]
    parts = first.split()
    if len(parts) != 2 or not all(_WHOLE.fullmatch(p) for p in parts):
        raise BallotFileError(path, first_no, "expected 'ncandidates nseats' on the first line")
    n_candidates, seats = int(parts[0]), int(parts[1])
    if n_candidates < 1 or seats < 1:
        raise BallotFileError(path, first_no, "need at least one candidate and one seat")
    index = 1
    withdrawn_ids: list[int] = []
    if index < len(lines) and lines[index][1].startswith("-"):
        number, line = lines[index]
        for token in line.split():
            if not re.fullmatch(r"-[0-9]+", token) or not 1 <= -int(token) <= n_candidates:
                raise BallotFileError(path, number, f"bad withdrawn candidate {token!r}")
            withdrawn_ids.append(-int(token))
        index += 1
    raw_ballots: list[tuple[int, list[list[int] | None]]] = []
    ended = False
    while index < len(lines):
        number, line = lines[index]
        index += 1
        tokens = line.split()
        if tokens == ["0"]:
            ended = True
            break
        if line.startswith('"'):
            raise BallotFileError(path, number, "missing the '0' line that ends the ballots")
        if tokens[0].startswith("("):  # optional ballot identifier
            tokens = tokens[1:]
        if not tokens:
            raise BallotFileError(path, number, "empty ballot line")
        count = _check_count(path, number, tokens[0])
        if len(tokens) < 2 or tokens[-1] != "0":
            raise BallotFileError(path, number, "ballot line must end with 0")
        marks: list[list[int] | None] = []
        for token in tokens[1:-1]:
            if token == "-":
                marks.append(None)
                continue
            group = token.split("=")
            if not all(_WHOLE.fullmatch(g) for g in group):
                raise BallotFileError(path, number, f"malformed preference {token!r}")
            tied = [int(g) for g in group]
            for cid in tied:
                if not 1 <= cid <= n_candidates:
                    raise BallotFileError(path, number, f"unknown candidate number {cid}")
            marks.append(tied)
        raw_ballots.append((count, marks))
    if not ended:
        raise BallotFileError(path, lines[-1][0], "missing the '0' line that ends the ballots")
    names: list[str] = []
    for _ in range(n_candidates):
        if index >= len(lines):
            raise BallotFileError(path, lines[-1][0], f"expected {n_candidates} candidate names")
        number, line = lines[index]
        index += 1
        try:
            parsed = shlex.split(line)
        except ValueError as exc:
            raise BallotFileError(path, number, f"malformed candidate name: {exc}") from exc
        if len(parsed) != 1:
            raise BallotFileError(path, number, "expected one quoted candidate name")
        if parsed[0] in RESERVED_NAMES or parsed[0] == WRITE_IN:
            raise BallotFileError(path, number, f"candidate name {parsed[0]!r} is reserved")
        names.append(parsed[0])
    if len(set(names)) != len(names):
        raise BallotFileError(path, lines[index - 1][0], "candidate names repeat")
    title = None
    if index < len(lines):
        try:
            title = " ".join(shlex.split(lines[index][1]))
        except ValueError:
            title = lines[index][1]
    ballots = []
    for count, marks in raw_ballots:
        ranking: list[str | None] = []
        for ids in marks:
            if ids is None:
                ranking.append(SKIPPED)
            elif len(ids) > 1:
                ranking.append(OVERVOTE)
            else:
                ranking.append(names[ids[0] - 1])
        ballots.append(Ballot(tuple(ranking), count))
    if not ballots:
        raise BallotFileError(path, lines[0][0], "no ballots in file")
    return Election(
        tuple(names),
        tuple(ballots),
        seats=seats,
        title=title,
        withdrawn=tuple(names[i - 1] for i in withdrawn_ids),
        source=str(path),
    )


def read_ballot_file(path: str | Path, candidates: Sequence[str] | None = None) -> Election:
    """Read a .blt file or an aggregated .csv file, chosen by the file's suffix."""
    path = Path(path)
    if path.suffix.lower() == ".blt":
        election = read_blt(path)
        if candidates is not None:
            unknown = [n for n in election.candidates if n not in candidates]
            if unknown:
                raise BallotFileError(path, 1, f"unknown candidate {unknown[0]!r}")
        return election
    return read_aggregated_csv(path, candidates)


def read_score_csv(
    path: str | Path, candidates: Sequence[str] | None = None
) -> tuple[tuple[str, ...], list[tuple[dict[str, int], int]]]:
    """Read score ballots: a header `count,<candidate>,...`, then one row per distinct ballot
    with its count and a whole-number score per candidate (an empty cell: not scored).

    Returns the candidates (the header's) and (scores, count) pairs.
    """
    path = Path(path)
    text = _read_text(path)
    if not text.strip():
        raise BallotFileError(path, 1, "file is empty")
    reader = csv.reader(io.StringIO(text, newline=""))
    names: list[str] = []
    rows: list[tuple[dict[str, int], int]] = []
    try:
        for row in reader:
            line = reader.line_num
            if not names:
                names = [cell.strip() for cell in row[1:]]
                if not row or row[0].strip().lower() != "count" or not names or not all(names):
                    raise BallotFileError(
                        path, line, "expected a header row 'count,<candidate>,...'"
                    )
                for name in names:
                    if candidates is not None and name not in candidates:
                        raise BallotFileError(path, line, f"unknown candidate {name!r}")
                continue
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) > len(names) + 1:
                raise BallotFileError(
                    path, line, f"expected at most {len(names) + 1} fields, found {len(row)}"
                )
            count = _check_count(path, line, row[0])
            scores: dict[str, int] = {}
            for name, cell in zip(names, row[1:], strict=False):
                cell = cell.strip()
                if not cell:
                    continue
                if not re.fullmatch(r"-?[0-9]+", cell):
                    raise BallotFileError(path, line, f"score {cell!r} is not a whole number")
                scores[name] = int(cell)
            rows.append((scores, count))
    except csv.Error as exc:
        raise BallotFileError(path, reader.line_num, f"malformed CSV: {exc}") from exc
    if not rows:
        raise BallotFileError(path, max(reader.line_num, 1), "no ballots after the header")
    declared = tuple(candidates) if candidates is not None else tuple(names)
    return declared, rows
