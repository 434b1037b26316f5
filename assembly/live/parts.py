"""The names of the room's live parts, which screen shows which, and the groups they go to.

A part is a `{% partialdef %}` in `templates/assembly/room/<audience>.html` whose name is also
its DOM id. This is the one place a part's name is spelled in Python: actions say what changed
with `Part.*`, the renderer and the pages' `hx-select-oob` lists read the tables below, and
`live.changed()` refuses a name that is not here (a typo would otherwise publish nothing).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Audience(enum.StrEnum):
    PARTICIPANT = "participant"
    FACILITATOR = "facilitator"
    PROJECTOR = "projector"


class Part(enum.StrEnum):
    MEETING_STATUS = "meeting-status"
    CURRENT_ITEM = "current-item"
    ATTENDANCE = "attendance"
    DECISION = "decision"
    STACK = "stack"
    TEMPERATURE = "temperature"
    AGENDA = "agenda"
    # "Review action items": the open items of earlier meetings, marked done, moved or dropped.
    ACTION_REVIEW = "action-review"
    # The proposal on the floor (and, on the console, the queue of proposals from the floor).
    PROPOSAL = "proposal"
    # Nested in a part above (NESTED_PARTS), pushed alone when only they change.
    TURNOUT = "turnout"
    QUEUE = "queue"
    TEMPERATURE_COUNTS = "temperature-counts"
    AMENDMENTS = "amendments"
    PROPOSAL_STAGE = "proposal-stage"
    # One attendee's own, on the participant page only (sent to their personal group).
    ME = "me"
    MY_VOTE = "my-vote"  # the open round this phone has voted in
    PROXY_VOTES = "proxy-votes"
    # The proposer's own: their proposals' standing, and amendments waiting for their answer.
    MY_PROPOSALS = "my-proposals"


AUDIENCES: tuple[Audience, ...] = tuple(Audience)

# The partials that make up each audience's live room. The console and the projector show the
# same parts (the console's carry controls).
_SHOWN_ON_SCREENS = (
    Part.MEETING_STATUS,
    Part.ATTENDANCE,
    Part.CURRENT_ITEM,
    Part.PROPOSAL,
    Part.DECISION,
    Part.STACK,
    Part.TEMPERATURE,
    Part.ACTION_REVIEW,
    Part.AGENDA,
)
ROOM_PARTS: dict[str, tuple[Part, ...]] = {
    Audience.PARTICIPANT: (
        Part.MEETING_STATUS,
        Part.CURRENT_ITEM,
        Part.PROPOSAL,
        Part.DECISION,
        Part.STACK,
        Part.TEMPERATURE,
        Part.ACTION_REVIEW,
        Part.AGENDA,
    ),
    Audience.FACILITATOR: _SHOWN_ON_SCREENS,
    Audience.PROJECTOR: _SHOWN_ON_SCREENS,
}
# Parts inside another one, pushed alone when only they change, so that what a person is filling
# in or about to tap is not replaced under their thumb because somebody else acted (a ballot, the
# hand-raise and twinkle buttons). Each names its enclosing part, sent instead to a screen whose
# template does not have the small one (the console's stack carries controls that change too).
NESTED_PARTS: dict[Part, Part] = {
    Part.TURNOUT: Part.DECISION,
    Part.QUEUE: Part.STACK,
    Part.TEMPERATURE_COUNTS: Part.TEMPERATURE,
    # A new amendment, or one declined: the list, not the text (nor a half-written change).
    Part.AMENDMENTS: Part.PROPOSAL,
    # The next stage: the pills, not the amend form someone may be writing in.
    Part.PROPOSAL_STAGE: Part.PROPOSAL,
}
NESTED_IN: dict[str, tuple[Part, ...]] = {
    Audience.PARTICIPANT: (
        Part.TURNOUT,
        Part.QUEUE,
        Part.TEMPERATURE_COUNTS,
        Part.AMENDMENTS,
        Part.PROPOSAL_STAGE,
    ),
    Audience.FACILITATOR: (Part.TURNOUT, Part.TEMPERATURE_COUNTS),
    Audience.PROJECTOR: (
        Part.TURNOUT,
        Part.QUEUE,
        Part.TEMPERATURE_COUNTS,
        Part.AMENDMENTS,
        Part.PROPOSAL_STAGE,
    ),
}
# What only one attendee sees: their own standing, hands and proxy ballots (participant page).
PERSONAL_PARTS: tuple[Part, ...] = (Part.ME, Part.MY_VOTE, Part.PROXY_VOTES, Part.MY_PROPOSALS)

# Every part a room change may name: what `live.changed()` accepts.
ROOM_CHANGES = frozenset(
    {part for parts in ROOM_PARTS.values() for part in parts} | set(NESTED_PARTS)
)

# Ids outside the parts that a reply or push also carries: the version marker (of a push or a
# whole room), a reply's own marker (never swapped in: app.js reads it), a secret ballot's
# review, the message area.
VERSION_ID = "room-version"
REPLY_VERSION_ID = "reply-version"
REVIEW_ID = "ballot-review"
FLASH_ID = "flash"

# What a page's own htmx replies swap in by id (its `hx-select-oob`). The phone's replies carry
# only the person's own parts and the small ones, so a ballot half filled in is left alone; the
# console's replies carry its whole room.
REPLY_IDS: dict[str, tuple[str, ...]] = {
    Audience.PARTICIPANT: (
        *PERSONAL_PARTS,
        Part.TURNOUT,
        REVIEW_ID,
        Part.STACK,
        Part.TEMPERATURE,
        Part.PROPOSAL,
        FLASH_ID,
    ),
    Audience.FACILITATOR: (*ROOM_PARTS[Audience.FACILITATOR], FLASH_ID),
    Audience.PROJECTOR: (),
}


def select_oob(audience: str) -> str:
    """The page's `hx-select-oob` value: `#id,#id,...`."""
    return ",".join(f"#{name}" for name in REPLY_IDS[audience])


def whole_room() -> tuple[Part, ...]:
    """Every part of every screen, each once (a change that reaches past one area)."""
    return tuple(dict.fromkeys(part for parts in ROOM_PARTS.values() for part in parts))


def checked(parts: Iterable[str]) -> tuple[Part, ...]:
    """`parts` as `Part`s; a name that is no room part is a bug, refused loudly."""
    chosen = []
    for name in parts:
        if name not in ROOM_CHANGES:
            raise ValueError(f"{name!r} is not a live part of the room")
        chosen.append(Part(name))
    return tuple(chosen)


def parts_for(audience: str, parts: Iterable[str]) -> list[Part]:
    """What to render for one audience when `parts` changed, in order, each once."""
    chosen: list[Part] = []
    for name in parts:
        part: Part | None = Part(name)
        if part not in ROOM_PARTS[audience] and part not in NESTED_IN[audience]:
            part = NESTED_PARTS.get(Part(name))
        if part is not None and (part in ROOM_PARTS[audience] or part in NESTED_IN[audience]):
            chosen.append(part)
    return list(dict.fromkeys(chosen))


def group_name(meeting_id: int, audience: str, language: str) -> str:
    return f"m{meeting_id}.{audience}.{language}"


def is_room_group(group: str) -> bool:
    """A screen's group (`group_name`), not one person's (`personal_group`)."""
    return group.startswith("m")


def personal_group(attendee_id: int, language: str) -> str:
    """One person's phone(s): for what only they should see (you may speak now)."""
    return f"a{attendee_id}.{language}"
